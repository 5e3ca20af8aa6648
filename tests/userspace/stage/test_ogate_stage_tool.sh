#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# End-to-end tests of the ogate-stage tool (TAP): the sim driver, and the
# smc100/asi drivers against simulated controllers served on a pty by
# build/test/fake_stage_server.
set -u
cd "$(dirname "$0")/../../.."
tool=build/bin/ogate-stage
server=build/test/fake_stage_server
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
n=0 failed=0
check() {  # check NAME EXPECTED_RC EXPECTED_REGEX -- command...
	local name=$1 want_rc=$2 want=$3; shift 4
	local out rc
	n=$((n + 1))
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -qE -- "$want" <<<"$out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# rc=$rc (want $want_rc), output:"; sed 's/^/#   /' <<<"$out"
		failed=$((failed + 1))
	fi
}
serve() {  # serve KIND: start a simulated controller; its pty path goes to $tmp/KIND.path
	"$server" "$1" "$tmp/$1.path" >"$tmp/$1.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/$1.path" ] && break; sleep 0.05; done
}

echo "1..10"
check "sim moves and reports the position" 0 '^position 79\.500 um$' -- \
	$tool -d sim --speed 20000 home move 100 move-rel -20.5 position
check "sim status lists driver, limits and motion" 0 '^limits -50\.000 50\.000 um$' -- \
	$tool -d sim --min -50 --max 50 status
check "soft-limit violation exits 1 naming the limits" 1 'outside the soft limits' -- \
	$tool -d sim --min -50 --max 50 move 60
check "unknown command is a usage error" 2 'unknown command "fly"' -- $tool -d sim fly
check "missing port exits 1 naming the port" 1 '/dev/ttyUSB-ogate-none' -- \
	$tool -d smc100 -p /dev/ttyUSB-ogate-none status

serve smc100; smc=$(cat "$tmp/smc100.path")
check "smc100: status before homing reports the controller state" 0 \
	'^moving unknown: 1TS: controller in state NOT REFERENCED from RESET' -- \
	$tool -d smc100 -p "$smc" -t 300 status
check "smc100: home, move and position over a pty" 0 '^position 1500\.000 um$' -- \
	$tool -d smc100 -p "$smc" -t 300 home move 1500 position
check "smc100: controller limits refuse a move" 1 'refused.*\[-12500\.000, 12500\.000\]' -- \
	$tool -d smc100 -p "$smc" -t 300 move 20000
serve asi; asi=$(cat "$tmp/asi.path")
check "asi: move and position over a pty" 0 '^position -12\.300 um$' -- \
	$tool -d asi -p "$asi" -t 300 move -12.3 position
check "asi: controller error is reported with its code" 1 'W Q: controller error 2 \(unrecognized axis parameter\), reply ":N-2"' -- \
	$tool -d asi -p "$asi" -x Q position
[ "$failed" -eq 0 ]
