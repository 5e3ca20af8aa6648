#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogatectl against the real driver, inside the test VM (run by guest-init.sh
# after the kselftest suite). TAP output.
n=0 rc=0
t() { # name, expected exit, command (output kept in /tmp/out)
	name=$1 want=$2; shift 2
	n=$((n + 1))
	"$@" >/tmp/out 2>&1; got=$?
	if [ "$got" -eq "$want" ]; then ok=1; else ok=0; fi
	eval "$CHECK" || ok=0
	if [ $ok -eq 1 ]; then echo "ok $n ogatectl_$name"; else
		sed 's/^/# /' /tmp/out; echo "# exit $got, expected $want"; echo "not ok $n ogatectl_$name"; rc=1; fi
	CHECK=true
}
has() { grep -q -- "$1" /tmp/out; }
CHECK=true
echo "1..10"
CHECK='has "trigger line  0 \"laser\"" && has "frame line    1 \"strobe\""'
t info_lists_named_lines 0 ogatectl info
CHECK='has "width 0 ns outside 1000..1000000000 ns" && has EDOM'
t bad_width_names_the_value_and_errno 1 ogatectl queue width=0
CHECK='has "already .* past" && has ETIME'
t past_time_names_the_lateness 1 ogatectl queue at=1000000 late=0
CHECK="has \"unknown trigger line 'nosuch'\""
t unknown_line_name_is_refused 2 ogatectl queue lines=nosuch
CHECK='has "fired .* mask 0x3"'
t queue_by_names_fires_lines_together 0 ogatectl queue in=20ms lines=laser,camera width=1ms late=250ms
CHECK='has "cancelled 1" && has "^cancelled *id"'
t run_script_cancels_own_trigger_by_cookie 0 sh -c 'printf "queue in=2s cookie=7\ncancel cookie 7\nwait 1\n" | ogatectl run'
CHECK='has "stopped at line 2"'
t run_script_names_the_failing_line 1 sh -c 'printf "info\nbogus\n" | ogatectl run'
CHECK='has "event=frame line=0 id=0"'
t machine_events_are_key_value 0 sh -c '(sleep 0.3; echo "edge 4 1" >/dev/ogate_testbed) & ogatectl --machine events 1'
ogatectl queue in=3s width=1ms >/tmp/bg 2>&1 &
bg=$!
sleep 0.5
CHECK='has "cancelled 1"'
t emergency_stop_cancels_another_process_trigger 0 ogatectl cancel
wait $bg
CHECK='grep -q "^cancelled" /tmp/bg'
t queue_reports_cancellation_by_emergency_stop 0 true
exit $rc
