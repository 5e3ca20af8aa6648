#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# tests/run-suites.sh, the runner `make check` uses, on made-up suites (TAP): it fails a
# suite that prints fewer or more results than its plans announce (a suite that stops
# early with status 0, or miscounts its checks), sums cmocka's per-group plans, and still
# passes a clean suite and a "1..0 # SKIP" one.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 rc=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); echo "not ok $n $1"; echo "$2" | sed 's/^/# /'; rc=1; }
suite() { printf '#!/bin/sh\n%s\n' "$2" > "$tmp/$1"; chmod +x "$tmp/$1"; }
suite short 'echo 1..3; echo "ok 1 a"; echo "ok 2 b"'
suite extra 'echo 1..1; echo "ok 1 a"; echo "ok 2 b"'
suite clean 'echo 1..2; echo "ok 1 a"; echo "not ok 2 b # SKIP no device"'
suite groups 'echo 1..1; echo "ok 1 a"; echo 1..2; echo "ok 1 b"; echo "ok 2 c"'
suite none 'echo "1..0 # SKIP nothing here"'
echo "1..5"
run() { (cd "$tmp" && "$root/tests/run-suites.sh" "./$1" > "$1.out" 2>&1); }
check() { # name, suite, expected exit (0/1), expected line
	local st=0
	run "$2" || st=1
	if [ "$st" -eq "$3" ] && grep -qF -- "$4" "$tmp/$2.out"; then ok "$1"; else nok "$1" "$(cat "$tmp/$2.out")"; fi
}
check "a suite that stops before its plan fails" short 1 "planned 3 tests and printed 2"
check "a suite that prints more than its plan fails" extra 1 "planned 1 tests and printed 2"
check "a suite that keeps its plan passes, a skip counted" clean 0 "1 passed, 0 failed, 1 skipped"
check "cmocka's plans per group are summed" groups 0 "3 passed, 0 failed, 0 skipped"
check "a suite that says it tested nothing passes" none 0 "0 passed, 0 failed, 0 skipped"
exit $rc
