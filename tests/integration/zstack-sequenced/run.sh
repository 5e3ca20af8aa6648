#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# A hardware-sequenced z-stack end to end: ogated on the synthetic camera with
# the dry-run sink, a simulated ASI MS-2000 on a pseudo-terminal whose TTL
# input is wired to the laser line (the simulator follows the sink's record
# of fired pulses), stage.sequence = on. Pins: the stack's positions go into
# the ring buffer, the trigger pulses clock the stage with ZERO serial lines
# between the first and the last pulse (counted by the simulator), the stack
# ends back at plane 0 and the daemon checks it; an extra pulse on the line
# is reported as a position mismatch; the OME-TIFF opens in tifffile as a Z
# stack with the right depth, step, positions and gating annotations, its
# OME-XML is well formed (xmllint), and the run directory holds the
# provenance. TAP output.
set -u
cd "$(dirname "$0")/../../.."
py=${OGATE_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=python3
. tests/integration/stage-daemon.sh
sd_init zseq

echo "1..20"
: >"$tmp/pulses.csv"
sd_stage_server asi "$tmp/port" "$tmp/pulses.csv" "$tmp/ttl.csv" 1
sd_config asi
cat >>"$tmp/ogated.conf" <<CONF
sequence = on
settle_ms = 20
[camera]
pixel_size_um = 6.5
magnification = 20
CONF
sd_start "$tmp/log"
check daemon_starts_with_a_sequencing_asi_on_a_pty wait_for 10 test -S "$sock"
check locks_on_the_synthetic_heart wait_for 15 locked
check zstack_is_accepted cli zstack planes=10 step_um=5 start_um=100
check sequenced_stack_completes wait_for 60 acq_is done
csv=$(val acq_csv)
ome=$(val acq_ome)
run=$(dirname "$csv")
check final_position_was_checked grep -q 'sequenced stack: the stage is back at 100.000 um as expected' "$tmp/log"
# the armed pulses of the stack (TTL mode 1): one per plane, no serial line between them
awk -F, '$4 == 1' "$tmp/ttl.csv" >"$tmp/armed.csv"
echo "# armed TTL pulses: $(wc -l <"$tmp/armed.csv"), serial lines at the first and last: $(head -1 "$tmp/armed.csv" | cut -d, -f3) $(tail -1 "$tmp/armed.csv" | cut -d, -f3)"
check one_ttl_pulse_per_plane test "$(wc -l <"$tmp/armed.csv")" = 10
check zero_serial_commands_between_the_first_and_last_trigger \
	awk -F, 'NR == 1 { first = $3 } { last = $3 } END { exit !(NR > 0 && last == first) }' "$tmp/armed.csv"
# each pulse moved the stage to the next plane; the last back to plane 0 (tenths of um)
check pulses_walked_the_planes_and_back awk -F, '{ want = (NR % 10) * 50 + 1000; if ($6 != want) bad++ }
	END { exit !(NR == 10 && !bad) }' "$tmp/armed.csv"
check csv_has_one_trigger_per_plane awk -F, 'NR > 1 { k++; if ($3 != 100 + 5 * $2) bad++ } END { exit !(k == 10 && !bad) }' "$csv"
check run_directory_holds_the_provenance sh -c "grep -q '^stage.model=asi$' '$run/provenance.txt' &&
	grep -q '^config.stage.sequence=true$' '$run/provenance.txt' && grep -q '^ogate.build=' '$run/provenance.txt' &&
	grep -q '^run.plan=stacks=1 planes=10 step_um=5 start_um=100' '$run/provenance.txt'"
# the stack as a reader nobody here wrote sees it
"$py" tests/userspace/ome/check_ome.py "$ome" --show >"$tmp/show" 2>&1
sed 's/^/# /' "$tmp/show"
"$py" tests/userspace/ome/check_ome.py "$ome" --shape 10,96,96 --axes ZYX --size Z=10,T=1,C=1 \
	--phys X=0.325,Y=0.325,Z=5 --positions-z 100,105,110,115,120,125,130,135,140,145 \
	--plane-kv 0:0:reference_id=1 --prov stage.model=asi --prov config.stage.sequence=true \
	--dump-xml "$tmp/stack.xml" >"$tmp/out" 2>&1
st=$?
if [ $st = 77 ]; then echo "ok $((n + 1)) tifffile_sees_a_z_stack_with_depth_step_and_positions # SKIP python3-tifffile missing"; n=$((n + 1))
else check tifffile_sees_a_z_stack_with_depth_step_and_positions test $st = 0; fi
check planes_carry_the_gating_annotations sh -c "'$py' tests/userspace/ome/check_ome.py '$ome' --show | grep -q \"'target_phase_rad'.*'trigger_mono_ns'.*'trigger_wall_ns'.*'phase_reached_rad'\""
if command -v xmllint >/dev/null; then check ome_xml_is_well_formed xmllint --noout "$tmp/stack.xml"
else n=$((n + 1)); echo "ok $n ome_xml_is_well_formed # SKIP xmllint missing"; fi

# a stack longer than the ring buffer is refused before anything moves
check a_stack_beyond_the_ring_buffer_is_refused sh -c "! $bin/ogate-client -s $sock zstack planes=60 step_um=1 start_um=0 >$tmp/out 2>&1 && grep -q 'ENOSPC' $tmp/out"
# an extra pulse on the line mid-stack: the final check reports the mismatch
check second_stack_is_accepted cli zstack planes=6 step_um=2 start_um=50
wait_for 20 sh -c "[ \$(awk -F, '\$4 == 1' $tmp/ttl.csv | wc -l) -ge 13 ]"
touch "$tmp/ttl.csv.extra"
check an_extra_pulse_fails_the_stack wait_for 40 acq_is failed
check the_mismatch_names_both_positions sh -c "$bin/ogate-client -s $sock status | grep -q '^acq_error=sequenced stack: the stage ended at .* um, expected 50.000 um'"
# a brightfield recording is OME-TIFF too: one time point per frame with its metadata
check record_on_and_off sh -c "$bin/ogate-client -s $sock record on >$tmp/out 2>&1 && sleep 2 &&
	$bin/ogate-client -s $sock record off >>$tmp/out 2>&1"
rec=$(ls "$tmp"/rec/ogate-*.ome.tif 2>/dev/null | head -1)
check recording_has_its_csv_and_provenance sh -c "[ -n '$rec' ] && [ -s '${rec%.ome.tif}.csv' ] &&
	grep -q '^stage.model=asi$' '${rec%.ome.tif}.provenance.txt'"
rows=$(grep -vc ^index "${rec%.ome.tif}.csv" 2>/dev/null)
"$py" tests/userspace/ome/check_ome.py "$rec" --axes TYX --size Z=1,C=1,T=$rows \
	--phys X=0.325,Y=0.325 --plane-kv 0:$((rows - 1)):state=locked --prov config.stage.sequence=true \
	>"$tmp/out" 2>&1
st=$?
if [ $st = 77 ]; then n=$((n + 1)); echo "ok $n recording_opens_as_a_time_series_with_frame_metadata # SKIP python3-tifffile missing"
else check recording_opens_as_a_time_series_with_frame_metadata test $st = 0; fi
kill -TERM $pid; wait $pid; pid=
exit $rc
