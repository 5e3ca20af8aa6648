#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The recorded-heartbeat set: bench/eval/rec.txt's rows on each real heartbeat recording in
# $OGATE_SHARED/data/heartbeats (default ../shared; reference000N.tif with their source periods
# in periods.csv, "Number,Period,..."), through bench/eval/eval.sh (ogate-synth --model ref
# --ref-tif, the default settings), one table per heartbeat, rows named hN_<row>. The recordings
# are not part of the project: without them this prints why and exits 2.
#   REC_HEARTS="1 3"   heartbeats to run (default: every row of periods.csv)
#   REC_DIR=DIR        keep each heartbeat's eval directory there as DIR/hN (default: temporary)
# Every EVAL_* variable of eval.sh applies (EVAL_SEED, EVAL_PREDICTORS, EVAL_SET, EVAL_ROWS,
# EVAL_STREAMS: a heartbeat's streams are kept in $EVAL_STREAMS/hN).
set -eu
cd "$(dirname "$0")/../.."
data=${OGATE_SHARED:-../shared}/data/heartbeats
if [ ! -f "$data/periods.csv" ]; then
	echo "rec.sh: no recorded heartbeats at $data (set OGATE_SHARED)" >&2
	exit 2
fi
hearts=${REC_HEARTS:-$(awk -F, 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' "$data/periods.csv")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in $hearts; do
	tif=$(printf '%s/reference%04d.tif' "$data" "$k")
	src=$(awk -F, -v k="$k" 'NR > 1 && $1 == k { print $2 }' "$data/periods.csv")
	if [ ! -f "$tif" ] || [ -z "$src" ]; then
		echo "rec.sh: heartbeat $k: no $tif or no period in periods.csv" >&2
		exit 2
	fi
	# the rows with this heartbeat's name prefix and source period
	sed -e 's/#.*//' bench/eval/rec.txt | awk -v k="$k" -v p="$src" \
		'NF >= 14 { $1 = "h" k "_" $1; $14 = p; print }' > "$tmp/rec$k.txt"
	echo "== heartbeat $k ($tif, source period $src frames)"
	dir=${REC_DIR:+$REC_DIR/h$k}
	EVAL_MATRIX="$tmp/rec$k.txt" EVAL_SYNTH="--ref-tif $tif ${EVAL_SYNTH:-}" \
		EVAL_DIR="${dir:-}" EVAL_STREAMS="${EVAL_STREAMS:+$EVAL_STREAMS/h$k}" \
		bash bench/eval/eval.sh
done
