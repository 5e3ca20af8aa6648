#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Session 19's bundles of session 18's opt-in keys (issue 9): run `make eval`'s matrix (or another
# set) once per bundle and seed on the SAME kept streams, then print the acceptance rule's table
# with bench/eval/combotable.py (docs/accuracy-log.md, *Session 18's opt-in keys together*).
#   combo19.sh OUTDIR [BUNDLE ...]        default bundles: all of those below
#   BIN=DIR            ogate-synth / ogate-emulate to use (default build/bin; main's for a finding)
#   SEEDS="7 13 29"    ogate-synth seeds
#   SET=matrix         bench/eval/SET.txt (matrix = make eval's 18 rows)
#   STREAMS=PFX        kept streams per seed at PFX-SEED (default OUTDIR/streams-SET; the lead's
#                      /work/tmp/lead/streams-matrix for the matrix, read-only, are the same streams)
#   PREDS="kalman-acc linear"   predictors (kalman-acc is the default)
#   JOBS=2             parallel rows
# Writes OUTDIR/SET-SEED-BUNDLE.log (make eval's output; BUNDLE def = the defaults) and prints
# `combotable.py OUTDIR --cands ...`. Bundles (keys as in docs/analysis.md's settings table):
#   L    reference.lag_ssd=2
#   R    reference.scan_ramp=1
#   C    the curve band: sync.subframe=curve sync.curve_min_fpb=9 sync.curve_max_fpb=20
#   S    the span: sync.subframe_span_z=2 sync.subframe_span_ref=1 (only under sync.subframe=vfit)
#   P    sync.calibrate_pin_vfit=25 (only under sync.subframe=vfit)
#   N    a narrower curve band, 9-15 frames a beat (sync.curve_max_fpb=15): session 19's try to keep
#        unseen-104's u01 (real, 18 frames a beat) and u69 (blob, 16.6) on the V fit
#   LR LC LRC LN LRN LRSP ...   the unions of those letters (C and N not together)
#   all  L R C S P together: under the curve S and P never act (sync_match.c, sync_calib.c test
#        SUBFRAME_VFIT), so `all` gives LRC's tables (identical on every row, session 19)
# The unseen sweeps take the same keys: bench/eval/sweep.py run --matrix bench/eval/unseen-104.txt
# --seed 104 --predictors "kalman-acc linear" --set KEY=VALUE ... (sweep.py's own streams).
set -eu
[ $# -ge 1 ] || { sed -n '3,27p' "$0"; exit 2; }
out=$1; shift
cd "$(dirname "$0")/../.."
mkdir -p "$out"
SET=${SET:-matrix}
SEEDS=${SEEDS:-7 13 29}
PREDS=${PREDS:-kalman-acc linear}
STREAMS=${STREAMS:-$out/streams-$SET}
keys() {	# keys BUNDLE: the settings of a bundle
	local b=$1 k=""
	[ "$b" = def ] && return 0
	[ "$b" = all ] && b=LRCSP
	case $b in *L*) k="$k reference.lag_ssd=2" ;; esac
	case $b in *R*) k="$k reference.scan_ramp=1" ;; esac
	case $b in *C*) k="$k sync.subframe=curve sync.curve_min_fpb=9 sync.curve_max_fpb=20" ;; esac
	case $b in *N*) k="$k sync.subframe=curve sync.curve_min_fpb=9 sync.curve_max_fpb=15" ;; esac
	case $b in *S*) k="$k sync.subframe_span_z=2 sync.subframe_span_ref=1" ;; esac
	case $b in *P*) k="$k sync.calibrate_pin_vfit=25" ;; esac
	echo "$k"
}
bundles=${*:-def L R C S P LR LC LRC all LRSP}
for s in $SEEDS; do
	for b in $bundles; do
		log=$out/$SET-$s-$b.log
		[ -s "$log" ] && continue
		EVAL_MATRIX=bench/eval/$SET.txt EVAL_SEED=$s EVAL_JOBS=${JOBS:-2} EVAL_PREDICTORS="$PREDS" \
			EVAL_STREAMS=$STREAMS-$s EVAL_SET="$(keys "$b")" BIN=${BIN:-build/bin} \
			nice bash bench/eval/eval.sh > "$log.tmp" && mv "$log.tmp" "$log"
	done
done
cands=$(echo "$bundles" | tr ' ' '\n' | grep -vx def | paste -sd, -)
python3 bench/eval/combo19.py "$out" --set "$SET" --cands "$cands"
