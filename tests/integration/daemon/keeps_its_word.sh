#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogated keeps its word (issue 10), end to end over its socket: every number
# is checked before use (no wedge), commands on one connection are all
# applied and answered once applied, restart relocks, stage work never
# blocks status and abort stops a stuck stage at once, recording tells the
# truth (a directory it cannot use, a full disk, a crash), previews are in
# the format their name says. Synthetic camera, dry-run sink, simulated
# stage. TAP output.
#
# OGATE_BIN (default build/bin) chooses the ogated under test.
set -u
cd "$(dirname "$0")/../../.."
bin=${OGATE_BIN:-build/bin}
client=build/bin/ogate-client
pages=build/test/tiff_pages
tmp=$(mktemp -d /tmp/ogated-word.XXXXXX)
pid=
trap 'kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
sock=$tmp/ogated.sock
n=0 rc=0
check() { local name=$1; shift; n=$((n + 1))
	if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; sed 's/^/# /' "$tmp/out" 2>/dev/null | head -8; rc=1; fi; }
cli() { timeout 10 "$client" -s "$sock" "$@" >"$tmp/out" 2>&1; }
val() { timeout 3 "$client" -s "$sock" status 2>/dev/null | sed -n "s/^$1=//p"; }
wait_for() { local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done; return 1; }
locked() { [ "$(val locked)" = yes ]; }
# a command whose reply must come within $1 seconds
within() { local s=$1; shift; timeout "$s" "$client" -s "$sock" "$@" >"$tmp/out" 2>&1; }
# one status answered within 50 ms (the reply itself, client start-up excluded)
status_fast() { local t0 t1; t0=$(date +%s%N)
	timeout 5 "$client" -s "$sock" status >"$tmp/out" 2>&1 || return 1
	t1=$(date +%s%N); echo "# status in $(((t1 - t0) / 1000000)) ms" >>"$tmp/out"
	[ $(((t1 - t0) / 1000000)) -lt 50 ]; }
start_daemon() { # log, then --set words
	local log=$1; shift
	rm -f "$sock"
	"$bin/ogated" --config "$tmp/ogated.conf" "$@" >"$log" 2>&1 &
	pid=$!
	wait_for 10 test -S "$sock"
}
stop_daemon() { kill -TERM $pid 2>/dev/null; wait $pid; local st=$?; pid=; return $st; }

cat >"$tmp/ogated.conf" <<CONF
[daemon]
socket = $sock
socket_group =
stop_grace_ms = 200
autostart = false
[synthetic]
size = 64
fps = 80
[output]
sink = dryrun
[record]
dir = $tmp/rec
[stage]
driver = sim
sim_speed_um_s = 1
move_timeout_ms = 20000
CONF

echo "1..34"
start_daemon "$tmp/log"
check status_before_any_lock_says_unlocked_not_minus_one sh -c \
	"timeout 3 $client -s $sock status >$tmp/out 2>&1 && grep -q '^target_phase_rad=unlocked' $tmp/out && grep -q '^period_s=unlocked' $tmp/out && ! grep -q '=-1' $tmp/out"
cli start
check locks_on_the_synthetic_heart wait_for 15 locked

# -- every number checked before use; the daemon never wedges --
check timelapse_every_s_1e10_is_refused_naming_the_bound sh -c \
	"! timeout 5 $client -s $sock timelapse stacks=2 every_s=1e10 planes=1 step_um=1 >$tmp/out 2>&1 && grep -q 'EINVAL every_s=1e10: must be seconds in \[0.001, 31536000\]' $tmp/out"
check timelapse_every_s_inf_is_refused sh -c \
	"! timeout 5 $client -s $sock timelapse stacks=2 every_s=inf planes=1 step_um=1 >$tmp/out 2>&1 && grep -q 'EINVAL every_s=inf' $tmp/out"
check fractional_planes_are_refused_not_truncated sh -c \
	"! timeout 5 $client -s $sock zstack planes=2.9 step_um=1 >$tmp/out 2>&1 && grep -q 'planes=2.9: must be an integer 1..10000' $tmp/out"
check infinite_time_limit_is_refused sh -c \
	"! timeout 5 $client -s $sock zstack planes=2 step_um=1 time_limit_s=inf >$tmp/out 2>&1 && grep -q 'time_limit_s=inf' $tmp/out"
check target_nan_is_refused sh -c "! timeout 5 $client -s $sock target nan >$tmp/out 2>&1 && grep -q EINVAL $tmp/out"
sleep 3	# a wedged acquisition thread would hold its lock by now
check status_still_answers_after_those within 2 status

# -- commands on one connection: each applied, in order, then answered --
ref=$(val reference)
check reset_says_what_it_dropped sh -c "timeout 5 $client -s $sock reset >$tmp/out 2>&1 && grep -q 'dropped reference $ref' $tmp/out"
wait_for 15 locked
ref=$(val reference)
printf 'refresh\ntarget 2.5\n' >"$tmp/two"
check refresh_then_target_on_one_connection_are_both_answered sh -c \
	"timeout 5 $client -s $sock -f $tmp/two >$tmp/out 2>&1 && [ \$(grep -c '^OK' $tmp/out) = 2 ]"
check refresh_then_target_on_one_connection_are_both_applied wait_for 15 sh -c \
	"[ \"\$(timeout 3 $client -s $sock status | sed -n 's/^reference=//p')\" -gt $ref ] 2>/dev/null && grep -q 'target phase 2.500000 rad' $tmp/log"

# -- restart resets the stream: relocks at once, nothing rejected --
sleep 6	# a stream older than the relock wait below
cli stop
cli start
check relocks_and_triggers_after_stop_then_start wait_for 8 sh -c \
	"timeout 3 $client -s $sock status >$tmp/st && grep -q '^locked=yes' $tmp/st && [ \$(sed -n 's/^triggers=//p' $tmp/st) -ge 1 ]"
check no_frame_rejected_after_the_restart sh -c "! grep -q 'does not advance' $tmp/log"

# -- stage work never blocks status; abort stops a stuck stage at once --
cli zstack planes=2 step_um=1 start_um=400	# 400 s at 1 um/s: as good as stuck
sleep 2
check status_answers_within_50ms_while_the_stage_moves status_fast
check abort_stops_a_moving_stage_within_a_second sh -c \
	"timeout 1 $client -s $sock abort >$tmp/out 2>&1 && grep -q 'stage stopped at' $tmp/out"
check the_position_is_logged_on_abort grep -q 'acquisition aborted .*stage stopped at' "$tmp/log"
# homing from a few um at 1 um/s takes seconds: status goes on meanwhile
timeout 20 "$client" -s "$sock" -t 20000 home >"$tmp/home" 2>&1 &
hpid=$!
sleep 0.5
check status_answers_within_50ms_while_homing status_fast
check status_says_homing grep -q '^acq_state=homing' "$tmp/out"
wait $hpid
check home_answers_once_homed grep -q 'OK homed at 0.000 um' "$tmp/home"

# -- previews in the format their name says --
check preview_png_writes_a_png sh -c \
	"timeout 5 $client -s $sock preview $tmp/p.png >$tmp/out 2>&1 && [ \"\$(head -c 4 $tmp/p.png | od -An -tx1 | tr -d ' ')\" = 89504e47 ]"
check preview_with_another_extension_is_refused sh -c \
	"! timeout 5 $client -s $sock preview $tmp/p.jpg >$tmp/out 2>&1 && grep -q EINVAL $tmp/out && [ ! -e $tmp/p.jpg ]"
check sigterm_stops_cleanly stop_daemon

# -- recording tells the truth --
start_daemon "$tmp/log2" --set record.dir=/dev/null/rec --set daemon.autostart=true
check record_on_into_an_impossible_directory_answers_err sh -c \
	"! timeout 5 $client -s $sock record on >$tmp/out 2>&1 && grep -q 'ERR ENOTDIR' $tmp/out"
check status_then_says_recording_off test "$(val recording)" = off
stop_daemon
# a full disk: a file-size limit of 200 KiB (about 45 frames of 64x64)
(ulimit -f 400; exec "$bin/ogated" --config "$tmp/ogated.conf" --set record.enabled=true \
	--set daemon.autostart=true --set "record.dir=$tmp/full") >"$tmp/log3" 2>&1 &
pid=$!
wait_for 10 test -S "$sock"
check a_write_error_stops_recording_and_shows_in_status wait_for 10 sh -c \
	"timeout 3 $client -s $sock status >$tmp/out 2>&1 && grep -q '^recording=off' $tmp/out && grep -q '^record_error=write to .* failed after [0-9]* frames: File too large' $tmp/out"
check stats_count_one_record_error sh -c "timeout 3 $client -s $sock stats >$tmp/out && grep -q '^record_errors=1' $tmp/out"
sleep 1
stop_daemon
check the_error_is_logged_once sh -c "[ \$(grep -c 'recording stopped' $tmp/log3) = 1 ] && [ \$(grep -c ERROR $tmp/log3) -le 3 ]"
tif=$(ls "$tmp"/full/*.tif 2>/dev/null | head -1)
check csv_rows_equal_tiff_pages_after_the_write_error sh -c \
	"[ -n '$tif' ] && p=\$($pages $tif) && r=\$(grep -vc ^index ${tif%.ome.tif}.csv) && echo \"# pages \$p rows \$r\" && [ \$p -gt 0 ] && [ \$p = \$r ]"
# a crash: rows are flushed as they are written
start_daemon "$tmp/log4" --set record.enabled=true --set daemon.autostart=true --set "record.dir=$tmp/crash"
sleep 3
kill -9 $pid; wait $pid 2>/dev/null; pid=
tif=$(ls "$tmp"/crash/*.tif 2>/dev/null | head -1)
check a_crash_loses_at_most_the_last_frame sh -c \
	"[ -n '$tif' ] && p=\$($pages $tif) && r=\$(grep -vc ^index ${tif%.ome.tif}.csv) && echo \"# pages \$p rows \$r\" && [ \$p -gt 100 ] && [ \$((r - p)) -ge 0 ] && [ \$((r - p)) -le 1 ]"

# -- --check-config refuses what start would refuse --
refuses() { local conf=$1 pat=$2; shift 2
	"$bin/ogated" --config "$conf" "$@" --check-config >"$tmp/out" 2>&1; [ $? -eq 2 ] && grep -q "$pat" "$tmp/out"; }
check check_config_refuses_an_empty_socket refuses /dev/null "daemon.socket = : the control socket needs a path" --set daemon.socket=
printf '[stage]\nmin_um = 5\nmax_um = 1\n' >"$tmp/c1.conf"
check check_config_refuses_min_above_max refuses "$tmp/c1.conf" "stage.min_um = 5: greater than stage.max_um = 1"
printf '[output]\nsink = dryrun\ncamera_line = 0\n' >"$tmp/c2.conf"
check check_config_refuses_one_line_for_laser_and_camera refuses "$tmp/c2.conf" "must differ from output.laser_line"
printf '[camera]\nmode = big\n[mode big]\nwidth = 128\nheight = 64\n' >"$tmp/c3.conf"
check check_config_refuses_a_mode_the_camera_cannot_take refuses "$tmp/c3.conf" "the synthetic camera is square"
printf '[daemon]\nsocket = /tmp/a.sock\n  log_level = debug\n[daemon]\nsocket = /tmp/b.sock\n' >"$tmp/c4.conf"
check check_config_refuses_an_indented_continuation refuses "$tmp/c4.conf" "c4.conf:3: indented line"
exit $rc
