#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogated with the kernel sink, in the test VM: the synthetic camera drives
# analysis, triggers go to /dev/ogate0, and the test bed's pin log shows
# the laser and camera pulses. SIGTERM must leave both lines low with
# nothing firing afterwards. TAP output.
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n ogated_$2"; else echo "not ok $n ogated_$2"; rc=1; fi; }
cli() { ogate-client -s /tmp/ogated.sock "$@"; }
val() { cli status 2>/dev/null | sed -n "s/^$1=//p"; }
sv() { cli stats 2>/dev/null | sed -n "s/^$1=//p"; }
pins() { # count of rising edges per chip line in the test bed log since the last call
	od -An -v -tu4 -w16 /dev/ogate_testbed | awk -v l="$1" '$3 == l && $4 == 1 { k++ } END { print k + 0 }'
}
mkdir -p /tmp
cat >/tmp/ogated.conf <<CONF
[daemon]
socket = /tmp/ogated.sock
socket_group =
stop_grace_ms = 200
[camera]
source = synthetic
[synthetic]
size = 64
fps = 50
period_s = 0.5
[output]
sink = ogate
device = /dev/ogate0
laser_line = 0
camera_line = 1
laser_width_us = 3000
camera_laser_delay_us = 500
late_us = 250000
CONF
echo "1..6"
echo clear >/dev/ogate_testbed
ogated --config /tmp/ogated.conf >/tmp/ogated.log 2>&1 &
pid=$!
i=0; while [ ! -S /tmp/ogated.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
res $([ -S /tmp/ogated.sock ]; echo $?) socket_appears
i=0; while [ "$(val triggers)" -lt 4 ] 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
res $([ "$(val locked)" = yes ]; echo $?) locks_in_the_vm
t=$(val triggers); f=$(val fired)
echo "# triggers $t, fired pulses $f"
# how far the analysis ran behind the camera (a starved VM): frames it took
# the newest instead of, and the worst age of a frame when taken
echo "# frames $(sv frames), superseded $(sv drops_stale), lag max $(sv lag_max_ms) ms"
res $([ "${t:-0}" -ge 4 ] && [ "${f:-0}" -ge 4 ]; echo $?) triggers_fire_through_the_kernel
kill -TERM $pid; wait $pid; st=$?
res $st stops_cleanly_on_sigterm
laser=$(pins 0)
echo "# laser pulses at the pin: $laser"
res $([ "$laser" -ge 4 ]; echo $?) laser_pulses_seen_at_the_pin
sleep 1
res $([ "$(pins 0)" -eq 0 ] && [ "$(pins 1)" -eq 0 ] && [ "$(ogatectl info | sed -n 's/^queue *\([0-9]*\) of.*/\1/p')" = 0 ]; echo $?) nothing_fires_or_stays_queued_after_stop
[ $rc -ne 0 ] && sed 's/^/# log: /' /tmp/ogated.log | tail -15
exit $rc
