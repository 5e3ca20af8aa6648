#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogated end to end, driven through its socket with ogate-client: the
# synthetic camera and the dry-run sink. TAP output.
set -u
cd "$(dirname "$0")/../../.."
bin=build/bin
tmp=$(mktemp -d /tmp/ogated-test.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
sock=$tmp/ogated.sock
n=0 rc=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); echo "not ok $n $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; rc=1; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "$(cat "$tmp/out" 2>/dev/null)"; fi; }
cli() { "$bin/ogate-client" -s "$sock" "$@" >"$tmp/out" 2>&1; }
val() { cli status && sed -n "s/^$1=//p" "$tmp/out"; }
wait_for() { # seconds, command...
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done; return 1
}

cat >"$tmp/ogated.conf" <<CONF
[daemon]
socket = $sock
socket_group =
log_level = info
stop_grace_ms = 300

[camera]
source = synthetic

[synthetic]
size = 96
fps = 80
period_s = 0.42

[output]
sink = dryrun
dryrun_file = $tmp/pulses.csv
laser_width_us = 2000

[record]
dir = $tmp/rec
enabled = true

[mode small]
width = 64
height = 64
fps = 100
CONF

echo "1..30"
start_daemon() {
	"$bin/ogated" --config "$tmp/ogated.conf" >>"$tmp/log" 2>&1 &
	pid=$!
}
start_daemon
check daemon_socket_appears wait_for 10 test -S "$sock"
check daemon_locks_on_the_synthetic_heart wait_for 15 sh -c "$(declare -f cli val); bin=$bin sock=$sock tmp=$tmp; [ \"\$(val locked)\" = yes ] && [ \"\$(val triggers)\" -ge 5 ]"
sleep 3
cli status; cp "$tmp/out" "$tmp/status"
check status_reports_a_period_near_the_truth awk -F= '/^period_s=/ { exit !($2 > 0.40 && $2 < 0.44) }' "$tmp/status"
# the live phase-error check (no ground truth) in stats: every trigger measured afterwards
cli stats; cp "$tmp/out" "$tmp/stats"
check stats_report_the_live_phase_error_check awk -F= '/^qa_checked=/ { n = $2 } /^qa_rms_ms=/ { r = $2 }
	END { exit !(n >= 3 && r > 0 && r < 5) }' "$tmp/stats"
# how the frame thread sheds load (docs/daemon-control.md): none of it on an idle run
check stats_say_how_the_analysis_sheds_load sh -c "grep -q '^decimate=1\$' $tmp/stats &&
	grep -Eq '^off_grid=0\$' $tmp/stats && grep -Eq '^drops_decimated=0\$' $tmp/stats &&
	grep -Eq '^backlog_ms=[0-9.]+\$' $tmp/stats"
kill -TERM $pid; wait $pid
# the recording's summary, written at the stop: its frames (= CSV rows) and
# those superseded while the analysis was behind (a number, 0 on an idle machine)
summary_counts_the_recording() {
	local s c r
	s=$(ls "$tmp"/rec/*.summary.json) && c=${s%.summary.json}.csv && r=$(grep -vc ^index "$c") || return 1
	echo "# $r rows; $(tr -d '\n ' <"$s")"
	grep -q "\"frames_recorded\": $r," "$s" && grep -Eq '"frames": [0-9]+,' "$s" &&
		grep -Eq '"analysis_lag_max_ms": [0-9.]+,' "$s"
}
check recording_summary_counts_its_frames_and_the_superseded summary_counts_the_recording

# accuracy of this first run: every fired laser pulse against the generator's
# phase law (psi = 2 pi t / 0.42 from frame 0, taken 12.5 ms before frame 1: its
# timestamp from the recording's first row, which on a loaded host may be a later
# frame when the analysis superseded the first ones)
t0=$(awk -F, 'NR == 2 { printf "%.0f\n", $3 - $2 * 1e9 / 80 }' "$tmp"/rec/*.csv 2>/dev/null | head -1)
first=$(sed -n 's/^ref_first_seq=//p' "$tmp/status"); tu=$(sed -n 's/^target_u=//p' "$tmp/status")
k=$(sed -n 's/^decimate=//p' "$tmp/status") # camera frames between two reference frames
acc=$(awk -F, -v t0="$t0" -v first="$first" -v tu="$tu" -v k="${k:-1}" '
	BEGIN { pi = atan2(0, -1); T = 0.42; target = 2 * pi * ((first + tu * k) / 80) / T }
	$1 == "fired" && $3 == 1 { t = ($4 - t0) / 1e9; d = 2 * pi * t / T - target;
		d -= 2 * pi * int(d / (2 * pi)); if (d > pi) d -= 2 * pi; if (d < -pi) d += 2 * pi;
		e = d / (2 * pi) * T; s += e * e; k++; if (e < 0) e = -e; if (e > m) m = e }
	END { if (k) printf "%d %.2f %.2f", k, sqrt(s / k) * 1e3, m * 1e3 }' "$tmp/pulses.csv")
echo "# dry-run triggers vs truth: count, RMS ms, max ms = $acc"
# the emulator on a stream with the same parameters (same model and phase law)
"$bin/ogate-synth" --out "$tmp/same" --size 96 --fps 80 --n-frames 640 --period 0.42 \
	--mod-amp 0 --drift 0 --psi0 0 --noise 2 >/dev/null
"$bin/ogate-emulate" "$tmp/same.npy" --timestamps "$tmp/same_timestamps.csv" \
	--truth "$tmp/same_truth.csv" --out "$tmp/emu" --quiet
emu=$(grep -o '"rms_ms": [0-9.]*' "$tmp/emu/summary.json" | sed 's/.*: //')
echo "# ogate-emulate on the same stream: RMS $emu ms"
check trigger_times_match_the_true_target_phase_as_well_as_the_emulator \
	awk -v a="$acc" -v emu="$emu" 'BEGIN { split(a, v, " ");
		exit !(v[1] >= 5 && v[2] <= emu + 1.0 && v[3] < 42) }'

rm -rf "$tmp/rec"
start_daemon
wait_for 10 test -S "$sock"
check target_phase_accepted cli target 1.0
check target_outside_range_is_refused sh -c "! $bin/ogate-client -s $sock target 7 >$tmp/out 2>&1 && grep -q EDOM $tmp/out"
check target_garbage_is_refused sh -c "! $bin/ogate-client -s $sock target abc >$tmp/out 2>&1 && grep -q EINVAL $tmp/out"
check unknown_command_is_refused sh -c "! $bin/ogate-client -s $sock fire-laser >$tmp/out 2>&1 && grep -q EINVAL $tmp/out"
check stop_then_stop_again_is_an_error sh -c "$bin/ogate-client -s $sock stop >/dev/null && ! $bin/ogate-client -s $sock stop >$tmp/out 2>&1 && grep -q EALREADY $tmp/out"
check start_after_stop cli start
check preview_writes_the_latest_frame_as_pgm sh -c "$bin/ogate-client -s $sock preview $tmp/p.pgm >/dev/null && head -c 12 $tmp/p.pgm | grep -q '^P5' && [ \$(stat -c %s $tmp/p.pgm) -gt 9216 ]"
check mode_switch_restarts_with_the_new_size sh -c "$bin/ogate-client -s $sock mode small >$tmp/out 2>&1 && grep -q 64x64 $tmp/out"
check unknown_mode_is_refused sh -c "! $bin/ogate-client -s $sock mode huge >$tmp/out 2>&1"
check relocks_and_triggers_after_the_mode_switch wait_for 20 sh -c "$(declare -f cli val); bin=$bin sock=$sock tmp=$tmp; [ \"\$(val locked)\" = yes ] && [ \"\$(val triggers)\" -ge 3 ]"

kill -TERM $pid
wait $pid; st=$?
check sigterm_stops_cleanly test $st -eq 0
# one recording per streaming period (stop/start and mode switches start a new one)
check recording_wrote_tiff_and_csv sh -c "ls $tmp/rec/*.tif >/dev/null && [ \$(cat $tmp/rec/*.csv | grep -vc ^index) -gt 100 ]"
# every pulse queued (2 per trigger: laser and camera) has an outcome
trig=$(sed -n 's/.*stopped: [0-9]* frames, \([0-9]*\) triggers.*/\1/p' "$tmp/log" | tail -1)
outc=$(grep -cE '^(fired|missed|cancelled),' "$tmp/pulses.csv")
echo "# triggers $trig, pulse outcomes $outc"
check nothing_left_queued_after_stop test -n "$trig" -a "$((2 * ${trig:-0}))" -eq "$outc" -a "${trig:-0}" -gt 0
pid=
# the file source: a recorded stack (here from ogate-synth) replayed in real time
"$bin/ogate-synth" --out "$tmp/rec8" --size 96 --fps 80 --n-frames 800 --period 0.42 --tif >/dev/null
"$bin/ogated" --config "$tmp/ogated.conf" --set camera.source=file --set "file.path=$tmp/rec8.tif" \
	--set "file.timestamps=$tmp/rec8_timestamps.csv" --set "output.dryrun_file=$tmp/file_pulses.csv" \
	--set record.enabled=false >"$tmp/filelog" 2>&1 &
pid=$!
check file_source_replays_a_tiff_and_locks wait_for 15 sh -c "$(declare -f cli val); bin=$bin sock=$sock tmp=$tmp; [ \"\$(val locked)\" = yes ] && [ \"\$(val triggers)\" -ge 3 ]"
check file_source_status_names_the_file sh -c "$bin/ogate-client -s $sock status | grep -q 'source=file .*rec8.tif (800 frames 96x96, real time)'"
kill -TERM $pid; wait $pid; st=$?; pid=
check file_source_stops_cleanly test $st -eq 0

# a slow heart (2.5 s) with default settings: status says how the period search widens, then it locks
"$bin/ogated" --config "$tmp/ogated.conf" --set synthetic.period_s=2.5 --set record.enabled=false \
	--set "output.dryrun_file=$tmp/slow_pulses.csv" >"$tmp/slowlog" 2>&1 &
pid=$!
check slow_heart_status_says_the_search_widened wait_for 15 sh -c "$(declare -f cli val); bin=$bin sock=$sock tmp=$tmp; [ \"\$(val search_widened)\" -ge 1 ] 2>/dev/null"
# the same reply (in $tmp/out): a 2.5 s heart in a 2 s buffer, the scan finds no valley and has
# no estimate; periods must be longer than 5 frames (reference.min_period) at 80 fps
check slow_heart_status_says_what_the_scan_sees sh -c "grep -qx 'search_state=no valley' $tmp/out &&
	grep -qx 'search_shortest_period_s=0.06[23]' $tmp/out && grep -qx 'search_estimates_agree=no' $tmp/out &&
	grep -qx 'search_estimates_s=0.000,0.000,0.000,0.000,0.000' $tmp/out"
check slow_heart_locks_and_triggers_with_defaults wait_for 30 sh -c "$(declare -f cli val); bin=$bin sock=$sock tmp=$tmp; [ \"\$(val locked)\" = yes ] && [ \"\$(val triggers)\" -ge 2 ]"
check slow_heart_widening_is_logged grep -q 'widening the determination buffer' "$tmp/slowlog"
kill -TERM $pid; wait $pid; pid=

# a bad configuration: the daemon does not start, and says where and why
printf '[camera]\nsource = synthetic\nexposure_us = -5\n' >"$tmp/bad.conf"
"$bin/ogated" --config "$tmp/bad.conf" >"$tmp/out" 2>&1; st=$?
check bad_value_exits_2_naming_file_line_key_value_and_range sh -c \
	"[ $st -eq 2 ] && grep -q 'bad.conf:3' $tmp/out && grep -q 'camera.exposure_us' $tmp/out && grep -q '\[0, 1000000\]' $tmp/out"
"$bin/ogated" --config "$tmp/ogated.conf" --set output.sink=laser >"$tmp/out" 2>&1; st=$?
check bad_set_value_names_the_allowed_words sh -c "[ $st -eq 2 ] && grep -q 'ogate' $tmp/out && grep -q 'dryrun' $tmp/out"
"$bin/ogated" --config "$tmp/ogated.conf" --check-config >"$tmp/out" 2>&1; st=$?
check check_config_accepts_the_test_configuration sh -c "[ $st -eq 0 ] && grep -q 'configuration OK' $tmp/out"
grep -E 'WARNING|ERROR|CRIT' "$tmp/log" | sed 's/^/# log: /' | head -5
exit $rc
