#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate-shmcat refuses a malformed -n or -t with a message naming the option and
# exit status 2, before it opens any ring (it used to read "-n ten" as 0 frames
# and "-t soon" as 0 seconds, and go on to open the ring).
set -u
cd "$(dirname "$0")/../../.."
cases=("-n ten" "-n 5x" "-n -1" "-t soon" "-t 2s" "-t -1" "-t nan")
echo "1..${#cases[@]}"
n=0 rc=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	out=$(build/bin/ogate-shmcat $c no-such-ring-$$ 2>&1); r=$?
	opt=${c%% *} arg=${c#* }
	if [ $r -eq 2 ] && grep -qF -- "ogate-shmcat: $opt $arg: not a" <<<"$out"; then
		echo "ok $n shmcat_refuses_${opt#-}_${arg// /_}"
	else
		echo "not ok $n shmcat_refuses_${opt#-}_${arg// /_}"; echo "#   exit $r: $out"; rc=1
	fi
done
exit $rc
