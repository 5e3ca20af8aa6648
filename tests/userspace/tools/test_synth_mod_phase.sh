#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate-synth --mod-phase RAD starts the rate modulation at phase RAD: the true rate is
# f0 (1 + d t/T_run + A sin(2 pi t/T_mod + RAD)). 0 (the default) writes the same bytes as no
# option; a bad value is refused with a message naming it and exit status 2; pi/2 starts the
# rate at its peak (the truth's first step is f0 (1 + A) per second) and says so in params.json.
set -u
cd "$(dirname "$0")/../../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=build/bin/ogate-synth
base=(--size 32 --n-frames 40 --fps 80 --period 0.5 --mod-amp 0.1 --mod-period 2 --drift 0)
echo "1..6"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
"$S" --out "$T/a" "${base[@]}" >/dev/null && "$S" --out "$T/b" "${base[@]}" --mod-phase 0 >/dev/null &&
	for e in .npy _truth.csv _timestamps.csv _params.json; do cmp -s "$T/a$e" "$T/b$e" || exit 1; done
res $? synth_mod_phase_0_is_the_default_stream
for v in 7 -6.3 soon; do
	out=$("$S" --out "$T/x" "${base[@]}" --mod-phase "$v" 2>&1); r=$?
	[ "$r" -eq 2 ] && grep -q -- "mod-phase: '\?$v'\? is" <<<"$out" && [ ! -e "$T/x.npy" ]
	res $? "synth_refuses_mod_phase_$v"
	[ "$r" -eq 2 ] || echo "#   exit $r: $out"
done
"$S" --out "$T/c" "${base[@]}" --mod-phase 1.5707963267948966 >/dev/null
# mean rate over the first frame interval: 2.19995 Hz at the peak (f0 (1 + A) = 2.2), 2.0039 at phase 0
near() { # near TRUTH.csv HZ: the first step's rate is within 0.0005 Hz of HZ
	awk -F, -v hz="$2" 'NR == 2 { p = $3 } NR == 3 { d = ($3 - p) * 80 / (2 * 3.141592653589793) - hz }
		END { exit !(d > -0.0005 && d < 0.0005) }' "$1"
}
near "$T/c_truth.csv" 2.19995 && near "$T/a_truth.csv" 2.0039
res $? synth_mod_phase_half_pi_starts_at_peak_rate
grep -q '"mod_phase": 1.57079633' "$T/c_params.json" && ! grep -q mod_phase "$T/a_params.json"
res $? synth_mod_phase_in_params_json
exit $rc
