#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# make eval: generate the evaluation matrix (bench/eval/matrix.txt) with ogate-synth, gate every
# stream with ogate-emulate at DEFAULT settings, once per predictor, and print one table each:
# RMS, mean and worst trigger-time error against ground truth, coverage of the target's true
# occurrences after the lock, triggers more than 10 % of a period off, and the live check
# (no ground truth) with its correlation to the true error.
#   EVAL_PREDICTORS="linear kalman"   predictors to compare (default: all three, kalman-acc the default)
#   EVAL_ROWS=REGEX                   only rows whose name matches
#   EVAL_SET="key=value ..."          extra settings (default: none)
#   EVAL_DIR=DIR                      keep the streams and runs there (default: a temporary dir)
#   EVAL_STREAMS=DIR                  keep the generated streams there and reuse them (default: in
#                                     EVAL_DIR, the stacks deleted after use), to compare builds
#                                     (BIN=...) on the same long streams without regenerating them
#   EVAL_JOBS=N                       parallel jobs (default 2)
#   EVAL_STRICT=1                     exit 1 if a row misses a target
#   EVAL_MATRIX=FILE                  another matrix in the same format (default bench/eval/matrix.txt);
#                                     its optional columns 15-17 as bench/eval/sweep.py reads them:
#                                     15 the target phase in rad (ogate-emulate --target-phase; < 0 or
#                                     absent: the automatic target), 16 ogate-synth's --drift (absent:
#                                     synth's 0.03), 17 its --mod-phase (absent: 0); so a sweep file
#                                     (unseen-105.txt) means the same streams and runs in both tools.
#                                     Text after a # is a comment. Kept streams (EVAL_STREAMS) made
#                                     before these columns were read are reused: delete them
#   EVAL_OLD_COLS=1                   ignore columns 15-17 (automatic target, drift 0.03, phase 0), as
#                                     eval.sh did before session 18, to reproduce older figures
#   EVAL_SYNTH="--opt val ..."       extra ogate-synth options for every row (default: none), e.g.
#                                     "--xy-interp lanczos": drift without the bilinear blur
#                                     (docs/accuracy-log.md, "The drift rows' bias"); kept streams
#                                     (EVAL_STREAMS) are reused whatever it says
#   EVAL_SEED=N                       ogate-synth's seed (default 7): the same kinds of stream with
#                                     other noise, cells and texture, to check a change generalises
#   EVAL_LONG=1                       long runs, to resolve a row's mean to ~0.05 ms: each row runs
#                                     EVAL_LONG_BEATS beats (default 3000) instead of its seconds,
#                                     at most EVAL_LONG_MB MiB of stack (default 2000, the stack is
#                                     held in memory by ogate-synth and ogate-emulate); the rows
#                                     default to the slow and <= 30 fps ones (EVAL_ROWS overrides),
#                                     and a second table gives the mean over the run and over its
#                                     second half (once the calibration has converged), each with
#                                     its standard error, and the RMS and the mean per quarter of the
#                                     run (a mean that moves over the run is the calibration still
#                                     learning: the short rows measure its first quarter or less)
# Targets per row: |mean| <= 0.1 ms, none beyond 10 % of a period, coverage >= 98 %.
# se_ms is the standard error of the row's mean (standard deviation / sqrt(triggers)): a mean
# within about 2 se of 0 cannot be told from chance on that row, whatever the method.
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
PREDS=${EVAL_PREDICTORS:-linear kalman kalman-acc}
JOBS=${EVAL_JOBS:-2}
if [ -n "${EVAL_DIR:-}" ]; then dir=$EVAL_DIR; mkdir -p "$dir"; else
	dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
sdir=${EVAL_STREAMS:-$dir}; mkdir -p "$sdir"
MATRIX=${EVAL_MATRIX:-bench/eval/matrix.txt}
SEED=${EVAL_SEED:-7}
LONG=${EVAL_LONG:-0}
LBEATS=${EVAL_LONG_BEATS:-3000}
LMB=${EVAL_LONG_MB:-2000}
body=$(sed -e 's/#.*//' "$MATRIX" | grep -v '^[[:space:]]*$' || true)	# rows without their comments
if [ "$LONG" = 1 ] && [ -z "${EVAL_ROWS:-}" ]; then	# slow (period >= 1.2 s) or <= 30 fps
	rows=$(printf '%s\n' "$body" | awk 'NF >= 13 && ($4 <= 30 || $5 >= 1.2)' || true)
else rows=$(printf '%s\n' "$body" | grep -E "${EVAL_ROWS:-.}" || true); fi
[ -n "$rows" ] || { echo "eval: no rows match" >&2; exit 2; }
sets=""
for kv in ${EVAL_SET:-}; do sets="$sets --set $kv"; done

one() {	# one matrix row: synth once, emulate per predictor
	set -- $1
	local name=$1 model=$2 size=$3 fps=$4 per=$5 ma=$6 mp=$7 jit=$8 dy=$9 dx=${10} noise=${11} psi0=${12} secs=${13}
	local src=${14:-34.282163} tgt=() rate=()	# columns 15-17 as sweep.py's synth_row and one
	if [ "${EVAL_OLD_COLS:-0}" != 1 ]; then
		[ $# -gt 14 ] && awk -v t="${15}" 'BEGIN { exit !(t + 0 >= 0) }' && tgt=(--target-phase "${15}")
		[ $# -gt 15 ] && rate=(--drift "${16}")
		[ $# -gt 16 ] && rate+=(--mod-phase "${17}")
	fi
	if [ "$LONG" = 1 ]; then	# EVAL_LONG_BEATS beats, within EVAL_LONG_MB of 8-bit frames
		secs=$(awk -v b="$LBEATS" -v p="$per" -v f="$fps" -v z="$size" -v mb="$LMB" -v s="$secs" 'BEGIN {
			t = b * p; m = mb * 1048576 / (z * z) / f; if (t > m) t = m; if (t < s) t = s; printf "%.3f", t }')
	fi
	local n; n=$(awk -v f="$fps" -v s="$secs" 'BEGIN { printf "%d", f * s }')
	echo "$secs" > "$dir/$name.secs"
	local s="$sdir/$name"
	# a kept stream is reused only if it has the frames asked for (long and short runs differ)
	if [ ! -f "$s.npy" ] || [ "$(wc -l < "${s}_timestamps.csv" 2>/dev/null)" != $((n + 1)) ]; then
		# shellcheck disable=SC2086
		"$BIN/ogate-synth" --out "$s" --model "$model" --size "$size" --fps "$fps" --n-frames "$n" \
			--period "$per" --mod-amp "$ma" --mod-period "$mp" --ts-jitter "$jit" --xy-drift "$dy" "$dx" \
			--noise "$noise" --psi0 "$psi0" --ref-period "$src" --seed "$SEED" "${rate[@]}" ${EVAL_SYNTH:-} >/dev/null
	fi
	[ "$sdir" = "$dir" ] || ln -sf "${s}_truth.csv" "$dir/${name}_truth.csv"	# for decompose.py, offsets.py
	for p in $PREDS; do
		# shellcheck disable=SC2086
		"$BIN/ogate-emulate" "$s.npy" --timestamps "${s}_timestamps.csv" --truth "${s}_truth.csv" \
			--out "$dir/run_${p}_$name" --predictor "$p" --plots none --quiet "${tgt[@]}" $sets 2>"$dir/run_${p}_$name.log" ||
			echo "eval: $name ($p) failed: $(tail -1 "$dir/run_${p}_$name.log")" >&2
	done
	[ -n "${EVAL_STREAMS:-}" ] || rm -f "$s.npy"	# the stack is the big part; rerunning regenerates it
}
export -f one
export BIN PREDS dir sdir sets SEED LONG LBEATS LMB EVAL_SYNTH EVAL_OLD_COLS
start=$(date +%s)
printf '%s\n' "$rows" | tr -s ' ' | xargs -P "$JOBS" -I{} bash -c 'one "$@"' _ {}
secs=$(( $(date +%s) - start ))

j() {	# j FILE KEY [OBJECT]: a number from summary.json
	local f=$1 k=$2 o=${3:-}
	if [ -n "$o" ]; then grep -oE "\"$o\": \{[^}]*\}" "$f" | grep -oE "\"$k\": -?[0-9.e+-]+" | head -1 | awk '{print $2}'
	else grep -oE "\"$k\": -?[0-9.e+-]+" "$f" | head -1 | awk '{print $2}'; fi
}
fail=0
for p in $PREDS; do
	echo
	echo "predictor: $p   (defaults${EVAL_SET:+, $EVAL_SET}; targets: |mean| <= 0.1 ms, 0 beyond 10 %, coverage >= 98 %)"
	printf '%-26s %7s %6s %5s %7s %7s %6s %7s %7s %6s %7s %6s  %s\n' stream period_s lock_s trig rms_ms mean_ms se_ms worst_ms cover_% ">10%" live_ms corr ok
	tot=0; nrow=0; nok=0; sq=0; sbias=0; srms=0
	while read -r name _ _ _ per _; do
		[ -n "$name" ] || continue
		f="$dir/run_${p}_$name/summary.json"
		nrow=$((nrow + 1))
		if [ ! -f "$f" ]; then printf '%-26s %7s %s\n' "$name" "$per" "FAILED (no summary)"; fail=1; continue; fi
		if ! grep -q '"locked": true' "$f"; then
			printf '%-26s %7s %6s %5s %s\n' "$name" "$per" - 0 "NO LOCK: $(grep -oE '"determination": \{[^}]*\}' "$f" | head -1)"
			fail=1; continue
		fi
		lock=$(j "$f" lock_time_s); ntr=$(j "$f" triggers counts)
		rms=$(j "$f" rms_ms trigger_error); mean=$(j "$f" mean_ms trigger_error); worst=$(j "$f" max_abs_ms trigger_error)
		bey=$(j "$f" beyond_10pct_period trigger_error); cov=$(j "$f" share coverage)
		live=$(j "$f" rms_ms live_check); corr=$(j "$f" live_check_truth_correlation); corr=${corr:--}
		ok=$(awk -v m="$mean" -v b="$bey" -v c="$cov" 'BEGIN { print (m <= 0.1 && m >= -0.1 && b == 0 && c >= 0.98) ? "yes" : "NO" }')
		[ "$ok" = yes ] && nok=$((nok + 1)) || fail=1
		se=$(awk -v r="$rms" -v m="$mean" -v n="$ntr" 'BEGIN { v = r * r - m * m; print ((n > 1 && v > 0) ? sqrt(v / n) : 0) }')
		sbias=$(awk -v a="$sbias" -v m="$mean" 'BEGIN { print a + (m < 0 ? -m : m) }')
		srms=$(awk -v a="$srms" -v r="$rms" 'BEGIN { print a + r }')
		printf '%-26s %7.2f %6.2f %5d %7.3f %+7.3f %6.3f %7.3f %7.1f %6d %7.3f %6s  %s\n' "$name" "$per" "$lock" "$ntr" "$rms" "$mean" \
			"$se" "$worst" "$(awk -v c="$cov" 'BEGIN { print 100 * c }')" "$bey" "$live" "$corr" "$ok"
	done <<< "$rows"
	echo "$p: $nok of $nrow rows within the targets; over the rows mean |mean| $(awk -v a="$sbias" -v n="$nrow" \
		'BEGIN { printf "%.3f", a / n }') ms, mean RMS $(awk -v a="$srms" -v n="$nrow" 'BEGIN { printf "%.3f", a / n }') ms"
	if [ "$LONG" = 1 ]; then	# the run, its second half, and its quarters, from triggers.csv
		echo "$p, long runs (ms; se = standard error of the mean; h2 = triggers in the second half of the stream)"
		printf '%-26s %7s %5s %7s %6s %7s %6s %7s %6s %6s %6s %6s %7s %7s %7s %7s\n' stream dur_s trig mean se mean_h2 se_h2 rms \
			rms_q1 rms_q2 rms_q3 rms_q4 mean_q1 mean_q2 mean_q3 mean_q4
		while read -r name _; do
			[ -n "$name" ] || continue
			f="$dir/run_${p}_$name/triggers.csv"
			[ -f "$f" ] || continue
			awk -F, -v name="$name" -v T="$(cat "$dir/$name.secs")" '
				$1 == "trigger" { for (i = 1; i <= NF; i++) { if ($i == "trigger_time_s") c = i; if ($i == "error_s") e = i } next }
				c && e && $e != "" { x = 1000 * $e; q = int(4 * $c / T); q = q > 3 ? 3 : q < 0 ? 0 : q
					n++; s += x; ss += x * x; qn[q]++; qs[q] += x * x; qm[q] += x
					if ($c >= T / 2) { n2++; s2 += x; ss2 += x * x } }
				function se(k, a, b) { return k > 1 ? sqrt((b - a * a / k) / (k - 1) / k) : 0 }
				END { printf "%-26s %7.0f %5d %+7.3f %6.3f %+7.3f %6.3f %7.3f", name, T, n, n ? s / n : 0, se(n, s, ss),
					n2 ? s2 / n2 : 0, se(n2, s2, ss2), n ? sqrt(ss / n) : 0
					for (q = 0; q < 4; q++) printf " %6.3f", qn[q] ? sqrt(qs[q] / qn[q]) : 0
					for (q = 0; q < 4; q++) printf " %+7.3f", qn[q] ? qm[q] / qn[q] : 0
					printf "\n" }' "$f"
		done <<< "$rows"
	fi
	# pooled correlation of the live check with the true error, over every trigger of every row
	cat "$dir"/run_"${p}"_*/triggers.csv 2>/dev/null | awk -F, '
		$1 == "trigger" { for (i = 1; i <= NF; i++) { if ($i == "qa_error_s") q = i; if ($i == "error_s") e = i } next }
		q && e && $q != "" && $e != "" { n++; x += $q; y += $e; xx += $q * $q; yy += $e * $e; xy += $q * $e }
		END { if (n > 2) { c = (xy - x * y / n) / sqrt((xx - x * x / n) * (yy - y * y / n));
			printf "'"$p"': live check vs truth over %d triggers: correlation %.3f\n", n, c } }'
done
echo "eval: ${secs} s for $(printf '%s\n' "$rows" | wc -l) streams x $(echo $PREDS | wc -w) predictors"
[ "${EVAL_STRICT:-0}" = 1 ] && [ $fail = 1 ] && exit 1
exit 0
