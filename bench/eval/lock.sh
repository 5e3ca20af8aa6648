#!/usr/bin/env bash
# Lock with the default settings across heart periods and frame rates (issue 9, item 3): a
# diagnostic, not part of make check. For every period x frame rate, ogate-synth makes a stream
# of 8 periods + 6 s and ogate-emulate gates it with the defaults; one line each: the lock time
# (or NONE), its ratio to the period, the buffer widenings, and the trigger error against truth.
#   BIN=build/bin LOCK_PERIODS="0.2 0.5 1 2 3" LOCK_FPS="30 60 120 200" LOCK_SIZE=64 LOCK_SEED=23
#   LOCK_PSI0=1.9 LOCK_SET="key=value ..."   bench/eval/lock.sh
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
sets=""
for kv in ${LOCK_SET:-}; do sets="$sets --set $kv"; done
printf '%-8s %5s %8s %8s %6s %8s %7s\n' period_s fps lock_s lock/T widen rms_ms trig
for per in ${LOCK_PERIODS:-0.2 0.5 1 2 3}; do
	for fps in ${LOCK_FPS:-30 60 120 200}; do
		secs=$(awk -v p="$per" 'BEGIN { print 8 * p + 6 }')
		n=$(awk -v f="$fps" -v s="$secs" 'BEGIN { printf "%d", f * s }')
		s="$dir/s"
		"$BIN/ogate-synth" --out "$s" --size "${LOCK_SIZE:-64}" --fps "$fps" --n-frames "$n" \
			--period "$per" --mod-amp 0.03 --mod-period 9 --psi0 "${LOCK_PSI0:-1.9}" \
			--seed "${LOCK_SEED:-23}" >/dev/null
		# shellcheck disable=SC2086
		"$BIN/ogate-emulate" "$s.npy" --timestamps "${s}_timestamps.csv" --truth "${s}_truth.csv" \
			--out "$dir/r" --plots none --quiet $sets 2>/dev/null || true
		f="$dir/r/summary.json"
		lk=$(grep -oE '"lock_time_s": [0-9.]+' "$f" | awk '{ print $2 }')
		wd=$(grep -oE '"widened": [0-9]+' "$f" | awk '{ print $2 }')
		rms=$(grep -oE '"trigger_error": \{[^}]*' "$f" | grep -oE '"rms_ms": [0-9.]+' | awk '{ print $2 }')
		tr=$(grep -oE '"triggers": [0-9]+' "$f" | head -1 | awk '{ print $2 }')
		printf '%-8s %5s %8s %8s %6s %8s %7s\n' "$per" "$fps" "${lk:-NONE}" \
			"$(awk -v l="${lk:-}" -v p="$per" 'BEGIN { if (l == "") print "-"; else printf "%.2f", l / p }')" \
			"${wd:--}" "${rms:--}" "${tr:-0}"
		rm -rf "$s".* "$s"_* "$dir/r"
	done
done
