# SPDX-License-Identifier: GPL-2.0 OR MIT
# The set-up the z-stack suites share (tests/integration/zstack{,-sequenced}/run.sh),
# sourced from the top of the tree: ogated on the synthetic camera with the dry-run
# sink and a simulated stage controller on a pseudo-terminal, driven over the
# control socket; TAP output through check.
#   sd_init NAME                 $tmp (removed on exit, with ogated $pid and the server $srv), $sock
#   sd_stage_server PORTFILE ...  start build/test/fake_stage_server with these arguments (the
#                                first two: the model and the file it writes its port to); srv=
#   sd_config DRIVER             write $tmp/ogated.conf, [stage] last (append keys with cat >>)
#   sd_start LOG [ARGS...]       start ogated on it (ARGS: --set ...), its log in LOG; pid=
#   check NAME CMD...            one TAP line; on failure the tail of $tmp/out
#   cli ARGS... / val KEY        ogate-client into $tmp/out / one status value
#   wait_for SECONDS CMD... / locked / acq_is STATE
bin=${OGATE_BIN:-build/bin}
n=0 rc=0 pid= srv=

sd_init() {
	tmp=$(mktemp -d "/tmp/ogate-$1.XXXXXX")
	sock=$tmp/ogated.sock
	trap 'kill $pid $srv 2>/dev/null; rm -rf "$tmp"' EXIT
}
check() { local name=$1; shift; n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; sed 's/^/# /' "$tmp/out" 2>/dev/null | tail -5; rc=1; fi; }
cli() { "$bin/ogate-client" -s "$sock" "$@" >"$tmp/out" 2>&1; }
val() { cli status && sed -n "s/^$1=//p" "$tmp/out"; }
wait_for() { local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done; return 1; }
locked() { [ "$(val locked)" = yes ]; }
acq_is() { [ "$(val acq_state)" = "$1" ]; }

sd_stage_server() {
	build/test/fake_stage_server "$@" &
	srv=$!
	wait_for 5 test -s "$2"
}

sd_config() {
	cat >"$tmp/ogated.conf" <<CONF
[daemon]
socket = $sock
socket_group =
[synthetic]
size = 96
[output]
sink = dryrun
dryrun_file = $tmp/pulses.csv
laser_width_us = 20000
camera_laser_delay_us = 1000
[record]
dir = $tmp/rec
[stage]
driver = $1
port = $(cat "$tmp/port")
CONF
}

sd_start() {
	local log=$1
	shift
	"$bin/ogated" --config "$tmp/ogated.conf" "$@" >"$log" 2>&1 &
	pid=$!
}
