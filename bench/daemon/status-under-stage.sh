#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# status reply p99 (issue 10: <= 50 ms) while the stage homes, moves slowly,
# is stuck (a controller that reports "moving" for ever), and while an
# acquisition waits for its next stack. ogated on the synthetic camera,
# dry-run sink; the simulated stage (slow) and a fake SMC100 on a pty
# (stuck). Prints BENCH lines.
set -eu
cd "$(dirname "$0")/../.."
bin=${OGATE_BIN:-build/bin}
tmp=$(mktemp -d /tmp/ogate-bench-status.XXXXXX)
pid= srv=
trap 'kill $pid $srv 2>/dev/null; rm -rf "$tmp"' EXIT
sock=$tmp/ogated.sock
cli() { "$bin/ogate-client" -s "$sock" -t 20000 "$@" >/dev/null; }
measure() { "$bin/bench-daemon-status" "$sock" "$1" 200; }
state() { "$bin/ogate-client" -s "$sock" status | sed -n 's/^acq_state=//p'; }
start() { rm -f "$sock"
	"$bin/ogated" --config /dev/null --set "daemon.socket=$sock" --set daemon.socket_group= \
		--set "record.dir=$tmp/rec" "$@" >>"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && return; sleep 0.1; done
	echo "ogated did not start" >&2; exit 1; }

start --set stage.driver=sim --set stage.sim_speed_um_s=10
sleep 2
cli zstack planes=2 step_um=1 start_um=5000	# 500 s at 10 um/s
sleep 0.5
measure moving_slowly
cli abort
"$bin/ogate-client" -s "$sock" -t 60000 home >/dev/null &	# from ~15 um: seconds
hpid=$!
sleep 0.3
[ "$(state)" = homing ] || echo "# warning: not homing while measured" >&2
measure homing
wait $hpid
cli timelapse stacks=2 every_s=3600 planes=1 step_um=1 start_um=0
for _ in $(seq 100); do [ "$(state)" = waiting ] && break; sleep 0.1; done
measure acquisition_waiting
cli abort
kill -TERM $pid; wait $pid; pid=

# stuck: a controller whose first move never ends (it reports "moving" for ever);
# the fake controller is a test program, not part of `make all`
[ -x build/test/fake_stage_server ] || make --no-print-directory -s build/test/fake_stage_server
build/test/fake_stage_server smc100 "$tmp/port" "$tmp/moves" 0.1 -1 &
srv=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
start --set stage.driver=smc100 --set "stage.port=$(cat "$tmp/port")"
cli home
cli zstack planes=2 step_um=5 start_um=100
sleep 0.5
[ "$(state)" = moving ] || echo "# warning: not moving while measured" >&2
measure stuck
t0=$(date +%s%N)
cli abort
echo "BENCH daemon.abort_stuck_stage $(( ($(date +%s%N) - t0) / 1000000 )) ms"
kill -TERM $pid; wait $pid; pid=
