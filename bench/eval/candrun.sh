#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Candidate default settings against the defaults on one set and seed, for bench/eval/combotable.py:
#   bench/eval/candrun.sh LOGDIR SET SEED
# runs make eval's eval.sh once per candidate on the same streams and writes LOGDIR/SET-SEED-CAND.log
# (the runs kept in LOGDIR/runs/SET-SEED-CAND). SET is a bench/eval/SET.txt matrix. Environment:
#   CANDS="def= q=sync.subframe=quartic l=reference.lag_ssd=1 b=sync.subframe=quartic,reference.lag_ssd=1"
#         name=settings, settings comma-separated (that default: the session 12 "combo" question)
#   EVAL_STREAMS  the stream cache (default LOGDIR/streams-SET-SEED); BIN, EVAL_JOBS as eval.sh's.
# A finished log is not rerun. Then: bench/eval/combotable.py LOGDIR [--compact | --rows SET].
set -u
cd "$(dirname "$0")/../.."
[ $# -eq 3 ] || { sed -n 3,10p "$0" >&2; exit 2; }
out=$1 set=$2 seed=$3
mkdir -p "$out/runs"
st=${EVAL_STREAMS:-$out/streams-$set-$seed}
for cand in ${CANDS:-def= q=sync.subframe=quartic l=reference.lag_ssd=1 b=sync.subframe=quartic,reference.lag_ssd=1}; do
	c=${cand%%=*} kv=${cand#*=}
	log=$out/$set-$seed-$c.log
	[ -s "$log" ] && grep -q "^kalman:.*rows within" "$log" && continue
	EVAL_MATRIX=bench/eval/$set.txt EVAL_SEED=$seed EVAL_STREAMS=$st EVAL_SET="${kv//,/ }" \
		EVAL_DIR=$out/runs/$set-$seed-$c nice bash bench/eval/eval.sh >"$log" 2>&1
done
