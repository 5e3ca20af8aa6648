#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# wrapsweep.sh STREAM BIN_A BIN_B [--set k=v ...]: one stream gated at targets across the reference
# (target.frame), the trigger mean (ms) of BIN_A and of BIN_B with the extra settings, default
# predictor (docs/accuracy-log.md, "A target at the reference's wrap", session 19). STREAM is a
# kept stream's path less .npy (EVAL_STREAMS), e.g. streams-f200-7/x_base of bench/eval/fast200.txt.
# WRAP_TARGETS="0.3 6 ..." overrides the targets (frames from the reference's first).
set -eu
d=$1 a=$2 b=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mean() { # bin target [args]
	local bin=$1 tf=$2
	shift 2
	"$bin/ogate-emulate" "$d.npy" --timestamps "${d}_timestamps.csv" --truth "${d}_truth.csv" \
		--out "$tmp/o" --plots none --quiet --set "target.frame=$tf" "$@" >/dev/null 2>&1
	grep -oE '"trigger_error": \{[^}]*\}' "$tmp/o/summary.json" |
		grep -oE '"mean_ms": -?[0-9.e+-]+' | awk '{printf "%+.3f", $2}'
	rm -rf "$tmp/o"
}
printf "%8s %8s %8s\n" target A B
for tf in ${WRAP_TARGETS:-0.3 6 12.5 25 37.5 44 49.4}; do
	printf "%8s %8s %8s\n" "$tf" "$(mean "$a" "$tf")" "$(mean "$b" "$tf" "$@")"
done
