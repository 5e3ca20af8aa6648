#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# A 10-plane z-stack end to end: ogated on the synthetic camera with the
# dry-run sink, a simulated Newport SMC100 on a pseudo-terminal (driven
# through the real driver), started and checked over the control socket.
# Pins: exactly one trigger per plane, and no stage motion (as the
# simulated controller itself logs it) overlaps any exposure (laser or
# camera pulse, as the sink recorded it); each run's summary.json counts
# the frames the analysis skipped and those the camera lost, and the status
# counts them while the run goes on. TAP output.
set -u
cd "$(dirname "$0")/../../.."
. tests/integration/stage-daemon.sh
sd_init zstack

echo "1..31"
# 0.1 mm/s: a 5 um step takes 50 ms, a good part of a 420 ms beat
sd_stage_server smc100 "$tmp/port" "$tmp/moves.csv" 0.1
sd_config smc100
sd_start "$tmp/log"
check daemon_starts_with_the_smc100_on_a_pty wait_for 10 test -S "$sock"
check locks_on_the_synthetic_heart wait_for 15 locked
check stage_homes cli home
check zstack_is_accepted cli zstack planes=10 step_um=5 start_um=100
check stack_completes wait_for 60 acq_is done
check zstack_with_a_bad_value_is_refused sh -c "! $bin/ogate-client -s $sock zstack planes=10 step_um=oops >$tmp/out 2>&1 && grep -q EINVAL $tmp/out"
check zstack_beyond_the_limits_is_refused sh -c "! $bin/ogate-client -s $sock zstack planes=10 step_um=1000 start_um=20000 >$tmp/out 2>&1 && grep -q ERANGE $tmp/out"
csv=$(val acq_csv)
# the run's summary: the frames the analysis skipped, their episodes and planes,
# and apart from them its decimation (acq_drops.h); they add up, and the log
# says so only when there were some
summary=${csv%.csv}.summary.json
check summary_counts_the_frames_the_analysis_skipped python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
k = s["skipped"]
assert s["ended"] == "done" and s["duration_s"] > 0 and s["analysis_lag_max_ms"] >= 0
assert k["frames"] == k["between_stacks"] + sum(p["frames"] for p in k["planes"])
assert k["frames"] == k["analysis"] + k["camera"]
assert all(p["frames"] == p["analysis"] + p["camera"] for p in k["planes"])
assert sum(p["camera"] for p in k["planes"]) <= k["camera"]
assert k["frames"] == sum(e["frames"] for e in k["listed"]) == sum(t["frames"] for t in k["stacks"])
assert k["planes_affected"] == len(k["planes"]) and k["episodes"] == len(k["listed"])
assert all(0 <= p["plane"] < 10 and p["z_um"] == 100 + 5 * p["plane"] for p in k["planes"])
print("# skipped:", k["frames"], "frames (camera", str(k["camera"]) + "),", k["episodes"], "episodes,", k["planes_affected"], "planes")
d = s["decimated"]  # apart from the skipped frames: every k-th frame analysed
assert d["max_every"] >= 1 and d["frames"] >= 0 and d["planes_affected"] == len(d["planes"])
assert all(2 <= p["every"] <= d["max_every"] and 0 <= p["plane"] < 10 for p in d["planes"])
assert d["max_every"] > 1 or not d["planes"]
print("# decimated:", d["frames"], "frames, every", d["max_every"], "at most,", d["planes_affected"], "planes")
' "$summary"
# each plane's trigger row names the analysis's reason, the summary counts them
# by reason (other: any reason the daemon does not know, pipeline/reasons.h), and
# status says the acquisition's by reason too
check summary_counts_the_planes_triggers_by_reason_as_the_csv_names_them python3 -c '
import csv, json, sys
t = json.load(open(sys.argv[1]))["triggers"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 10 and all(r["trigger_reason"] in ("standard", "panic", "late") for r in rows), rows
assert sorted(t) == ["late", "other", "panic", "standard"], t
assert all(t[k] == sum(r["trigger_reason"] == k for r in rows) for k in t), t
print("# triggers by reason:", t)
' "$summary" "$csv"
stats_by_reason() {
	cli stats && awk -F= '{ v[$1] = $2 } END { exit !(v["triggers"] > 0 &&
		v["triggers"] == v["triggers_standard"] + v["triggers_panic"] + v["triggers_late"] + \
		v["triggers_other"] && ("triggers_other" in v) && v["triggers_other"] == 0) }' "$tmp/out" &&
		[ -n "$(val acq_triggers_late)" ] && [ "$(val acq_triggers_other)" = 0 ]
}
check stats_split_the_triggers_by_reason stats_by_reason
skipped=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["skipped"]["frames"])' "$summary")
decimated=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["decimated"]; print(d["frames"] if d["frames"] or d["max_every"] > 1 else 0)' "$summary")
check skipped_frames_are_logged_only_when_there_were_some sh -c \
	"if [ '$skipped' = 0 ]; then ! grep -q 'skipped by the analysis\|lost by the camera' $tmp/log; else grep -q 'acq: $skipped frames\? \(skipped\|lost by the camera\)' $tmp/log; fi &&
	 if [ '$decimated' = 0 ]; then ! grep -q 'the analysis decimated' $tmp/log; else grep -q 'the analysis decimated (every' $tmp/log; fi"

# a limit: stop after 3 triggers
check max_triggers_stops_the_program sh -c "$bin/ogate-client -s $sock zstack planes=10 step_um=2 start_um=0 max_triggers=3 >/dev/null"
wait_for 30 acq_is done
check program_stopped_after_3_triggers test "$(val acq_triggers)" = 3
# a timelapse: 2 stacks of 3 planes 4 s apart, reference refreshed at plane 1
check timelapse_is_accepted cli timelapse stacks=2 every_s=4 planes=3 step_um=5 start_um=50 ref_plane=1
check timelapse_completes_both_stacks wait_for 40 acq_is done
tl=$(val acq_csv)
check timelapse_summary_lists_the_stacks python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))["skipped"]
assert all(t["stack"] in (0, 1) for t in k["stacks"]) and "between_stacks" in k
' "${tl%.csv}.summary.json"
check second_stack_starts_a_period_later_and_reference_was_refreshed sh -c \
	"awk -F, 'NR > 1 { k++; if (\$1 == 0 && !t0) t0 = \$9; if (\$1 == 1 && !t1) t1 = \$9 }
	  END { exit !(k == 6 && (t1 - t0) >= 3.9e9) }' $tl && grep -q 'refreshing the reference at plane 1' $tmp/log"
# a stall mid-stack (ogated stopped for 0.6 s, the camera ran on): the
# status counts the run's skipped frames while it goes on, and at its end
# as its summary does
skipped_live() {
	cli status || return 1
	local k st
	k=$(sed -n 's/^acq_skipped_frames=//p' "$tmp/out")
	st=$(sed -n 's/^acq_state=//p' "$tmp/out")
	[ "${k:-0}" -gt 0 ] && [ "$st" != done ] && echo "# live: $k skipped, $st"
}
cli zstack planes=8 step_um=2 start_um=0
sleep 1
kill -STOP $pid; sleep 0.6; kill -CONT $pid
check status_counts_the_skipped_frames_while_the_run_goes_on wait_for 5 skipped_live
wait_for 40 acq_is done
st=$(val acq_csv)
check status_at_the_end_says_what_the_summary_says python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))["skipped"]
st = dict(l.split("=", 1) for l in open(sys.argv[2]).read().split("\n") if "=" in l)
got = [int(st["acq_skipped_" + n]) for n in ("frames", "analysis", "camera", "episodes")]
assert got == [k["frames"], k["analysis"], k["camera"], k["episodes"]] and k["frames"] > 0, (got, k)
' "${st%.csv}.summary.json" "$tmp/out"
# abort: pending triggers cancelled, stage stopped, position logged
cli zstack planes=200 step_um=2 start_um=0
sleep 2
check abort_stops_the_program_and_logs_the_position sh -c \
	"$bin/ogate-client -s $sock abort >/dev/null && grep -q 'stage stopped at' $tmp/log"
kill -TERM $pid; wait $pid; pid=
kill $srv; wait $srv 2>/dev/null; srv=

# exactly one trigger per plane, planes 0..9 at 100..145 um
check one_trigger_per_plane awk -F, 'NR > 1 { k++; seen[$2]++; if ($3 != 100 + 5 * $2) bad++ }
	END { for (p = 0; p < 10; p++) if (seen[p] != 1) bad++; exit !(k == 10 && !bad) }' "$csv"
# the stack's exposures: the pulses of the triggers in the run CSV
awk -F, 'NR == FNR { if (FNR > 1) t[$4] = 1; next } ($1 == "fired") && ($2 in t) { print $5 "," $6 }' \
	"$csv" "$tmp/pulses.csv" >"$tmp/stack_exposures"
check every_plane_exposure_fired test "$(wc -l <"$tmp/stack_exposures")" -eq 20
# every exposure of the whole run, free-running triggers around homing included
awk -F, '$1 == "fired" { print $5 "," $6 }' "$tmp/pulses.csv" >"$tmp/exposures"
echo "# $(wc -l <"$tmp/moves.csv") stage motions, $(wc -l <"$tmp/exposures") pulses"
# (homing, then one move per plane: at least 11 motions)
check no_stage_motion_during_any_exposure awk -F, 'NR == FNR { ms[NR] = $1; me[NR] = $2; m = NR; next }
	{ for (i = 1; i <= m; i++) if (ms[i] < $2 && $1 < me[i]) { print "overlap", ms[i], me[i], $1, $2; bad++ } }
	END { exit bad > 0 || m < 11 }' "$tmp/moves.csv" "$tmp/exposures"

# unplugged and plugged in again (the same port name, a new device): the
# stage is opened again at the next home, without restarting ogated
sd_stage_server smc100 "$tmp/port2"
ln -sfn "$(cat "$tmp/port2")" "$tmp/tty"
sd_start "$tmp/log2" --set "stage.port=$tmp/tty" \
	--set "output.dryrun_file=$tmp/pulses2.csv"
wait_for 10 test -S "$sock"
check homes_before_the_unplug cli home
kill $srv; wait $srv 2>/dev/null
sd_stage_server smc100 "$tmp/port3"
ln -sfn "$(cat "$tmp/port3")" "$tmp/tty"
check home_after_an_unplug_opens_the_stage_again cli home
check the_reopening_is_logged grep -q 'stage: smc100 reopened on' "$tmp/log2"
check a_stack_after_the_replug_is_accepted cli zstack planes=2 step_um=1 start_um=0
check and_completes wait_for 30 acq_is done
kill -TERM $pid; wait $pid; pid=
kill $srv; wait $srv 2>/dev/null

# a fault mid-stack (the 3rd move ends in a following error): reported as it
# happened, with the position, and the stack fails cleanly
sd_stage_server smc100 "$tmp/port4" "$tmp/moves4.csv" 0.1 3
sd_start "$tmp/log4" --set "stage.port=$(cat "$tmp/port4")" \
	--set "output.dryrun_file=$tmp/pulses4.csv"
wait_for 10 test -S "$sock"
wait_for 15 locked
cli home
cli zstack planes=5 step_um=5 start_um=100
check a_stage_fault_fails_the_stack wait_for 30 acq_is failed
check the_error_shown_is_the_controllers_fault sh -c "$bin/ogate-client -s $sock status >$tmp/out && grep -q '^acq_error=.*following error' $tmp/out && ! grep -q 'stop also failed' $tmp/out"
check the_position_is_logged_on_failure grep -q 'acquisition stopped: .*stage stopped at [0-9.-]* um' "$tmp/log4"
kill -TERM $pid; wait $pid; pid=
exit $rc
