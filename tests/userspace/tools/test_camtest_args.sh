#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate-camtest refuses a malformed number with a message naming the option
# (it used to read "-e x" as exposure 0 and "-r 0" as an invalid frame duration,
# and go on to open the camera), before it touches any camera.
set -u
cd "$(dirname "$0")/../../.."
if [ ! -x build/bin/ogate-camtest ]; then
	echo "1..0 # SKIP ogate-camtest not built (libcamera-dev missing)"
	exit 0
fi
cases=("-e x" "-e 12abc" "-r 0" "-r fast" "-g 1.5x" "-n ten")
echo "1..${#cases[@]}"
n=0 rc=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	out=$(build/bin/ogate-camtest $c 2>&1); r=$?
	opt=${c%% *} arg=${c#* }
	if [ $r -eq 2 ] && grep -qF -- "$opt $arg: not a valid number" <<<"$out"; then
		echo "ok $n camtest_refuses_${opt#-}_${arg// /_}"
	else
		echo "not ok $n camtest_refuses_${opt#-}_${arg// /_}"; echo "#   exit $r: $out"; rc=1
	fi
done
exit $rc
