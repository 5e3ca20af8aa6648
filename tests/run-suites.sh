#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Run each test suite given on the command line, show its TAP output, keep a log
# under build/test-logs/, and close with one line: "N passed, N failed, N skipped".
#
# A suite is an executable that prints TAP ("ok N name" / "not ok N name", with
# "# SKIP" for skipped tests). cmocka suites are switched to TAP through
# CMOCKA_MESSAGE_OUTPUT. A suite fails as a whole when it exits non-zero or
# prints no TAP result at all (a suite that tested nothing must say so with "1..0 # SKIP"),
# or when the results it printed are not as many as its plans ("1..N" lines, summed over
# cmocka's groups) announced: a suite that stops early, or counts its checks wrongly.
set -u
# A suite runs as from a shell: under `make -jN check` this script inherits the
# parent's jobserver in MAKEFLAGS without its file descriptors, and every make a
# suite runs (the kernel module builds) then warns "jobserver unavailable",
# which the kernel suites rightly count as a build warning.
unset MAKEFLAGS MFLAGS MAKELEVEL
logdir=build/test-logs
mkdir -p "$logdir"
export CMOCKA_MESSAGE_OUTPUT=TAP
pass=0 fail=0 skip=0
failed_suites=()
for suite in "$@"; do
	# named by path (tests/integration/daemon/run.sh -> integration/daemon/run.sh)
	name=${suite#build/test/}
	name=${name#tests/}
	log="$logdir/${name//\//_}.log"
	echo "# ---- suite $name ----"
	start=$(date +%s)
	"$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# skipped: "ok N # SKIP" (TAP) or "not ok N # SKIP" (cmocka's form)
	p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
	s=$(grep -E '^(not )?ok [0-9]+' "$log" | grep -ciE '# *skip')
	f=$(grep -E '^not ok [0-9]+' "$log" | grep -civE '# *skip')
	p=$((p - $(grep -E '^ok [0-9]+' "$log" | grep -ciE '# *skip')))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - suite $name exited with status $rc"
		f=1
	elif [ $((p + s + f)) -eq 0 ] && ! grep -qiE '^1\.\.0 *# *skip' "$log"; then
		echo "not ok - suite $name printed no test result"
		f=1
	elif grep -qE '^1\.\.[0-9]+' "$log"; then
		planned=$(sed -nE 's/^1\.\.([0-9]+).*/\1/p' "$log" | awk '{ n += $1 } END { print n }')
		if [ "$planned" -ne $((p + s + f)) ]; then
			echo "not ok - suite $name planned $planned tests and printed $((p + s + f))"
			f=$((f + 1))
		fi
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" -gt 0 ] && failed_suites+=("$name")
	echo "# suite $name: $p passed, $f failed, $s skipped ($(( $(date +%s) - start )) s)"
done
[ ${#failed_suites[@]} -gt 0 ] && echo "# failed suites: ${failed_suites[*]} (logs in $logdir/)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
