#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Lock with the default settings across heart periods and frame rates (issue 9, item 3): a
# diagnostic, not part of make check. For every period x frame rate, ogate-synth makes a stream
# of 8 periods + 6 s and ogate-emulate gates it with the defaults; one line each: the lock time
# (or NONE), its ratio to the period, the period locked on against the true one at that frame
# (frames), the buffer widenings, and the trigger error against truth (RMS, and the triggers more
# than 10 % of a period off).
#   BIN=build/bin LOCK_PERIODS="0.2 0.5 1 2 3" LOCK_FPS="30 60 120 200" LOCK_SIZE=64 LOCK_SEED=23
#   LOCK_PSI0=1.9 LOCK_MODEL=blob|real LOCK_MOD=0.03 LOCK_JITTER=0 LOCK_SET="key=value ..."
#   bench/eval/lock.sh
# A period more than 10 % off the true one is marked WRONG (a lock on noise or on two beats).
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
sets=""
for kv in ${LOCK_SET:-}; do sets="$sets --set $kv"; done
printf '%-8s %5s %8s %8s %9s %8s %6s %8s %7s %5s\n' period_s fps lock_s lock/T P_frames true_P widen rms_ms trig '>10%'
for per in ${LOCK_PERIODS:-0.2 0.5 1 2 3}; do
	for fps in ${LOCK_FPS:-30 60 120 200}; do
		secs=$(awk -v p="$per" 'BEGIN { print 8 * p + 6 }')
		n=$(awk -v f="$fps" -v s="$secs" 'BEGIN { printf "%d", f * s }')
		s="$dir/s"
		"$BIN/ogate-synth" --out "$s" --model "${LOCK_MODEL:-blob}" --size "${LOCK_SIZE:-64}" \
			--fps "$fps" --n-frames "$n" --period "$per" --mod-amp "${LOCK_MOD:-0.03}" \
			--mod-period 9 --ts-jitter "${LOCK_JITTER:-0}" --psi0 "${LOCK_PSI0:-1.9}" \
			--seed "${LOCK_SEED:-23}" >/dev/null
		# shellcheck disable=SC2086
		"$BIN/ogate-emulate" "$s.npy" --timestamps "${s}_timestamps.csv" --truth "${s}_truth.csv" \
			--out "$dir/r" --plots none --quiet $sets 2>/dev/null || true
		f="$dir/r/summary.json"
		lk=$(grep -oE '"lock_time_s": [0-9.]+' "$f" | awk '{ print $2 }')
		wd=$(grep -oE '"widened": [0-9]+' "$f" | awk '{ print $2 }')
		rms=$(grep -oE '"trigger_error": \{[^}]*' "$f" | grep -oE '"rms_ms": [0-9.]+' | awk '{ print $2 }')
		tr=$(grep -oE '"triggers": [0-9]+' "$f" | head -1 | awk '{ print $2 }')
		b10=$(grep -oE '"beyond_10pct_period": [0-9]+' "$f" | awk '{ print $2 }')
		pf=$(grep -oE '"period_frames": [0-9.]+' "$f" | head -1 | awk '{ print $2 }')
		# the true period at the reference's first frame: the lag over which the true phase
		# (column 3 of the truth file) advances by 2 pi
		first=$(grep -oE '"first_frame": [0-9]+' "$f" | head -1 | awk '{ print $2 }')
		tp=$(awk -F, -v a="${first:--1}" 'NR > 1 { psi[$1] = $3; n = $1 }
			END { if (a < 0) { print "-"; exit } g = psi[a] + 2 * 3.141592653589793
				for (i = a; i < n && psi[i + 1] < g; i++);
				if (i >= n) { print "-"; exit }
				printf "%.3f", i + (g - psi[i]) / (psi[i + 1] - psi[i]) - a }' "${s}_truth.csv")
		ok=$(awk -v p="${pf:-}" -v t="$tp" 'BEGIN { if (p == "" || t == "-") print "";
			else if (p > 1.1 * t || p < 0.9 * t) print " WRONG"; else print "" }')
		printf '%-8s %5s %8s %8s %9s %8s %6s %8s %7s %5s%s\n' "$per" "$fps" "${lk:-NONE}" \
			"$(awk -v l="${lk:-}" -v p="$per" 'BEGIN { if (l == "") print "-"; else printf "%.2f", l / p }')" \
			"${pf:--}" "$tp" "${wd:--}" "${rms:--}" "${tr:-0}" "${b10:--}" "$ok"
		rm -rf "$s".* "$s"_* "$dir/r"
	done
done
