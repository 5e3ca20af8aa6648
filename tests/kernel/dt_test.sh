#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# In the arm64 VM (tests/kernel/run-vm-arm64.sh): ogate.ko bound from a
# device-tree node that dts/ogate-overlay.dts wrote, on qemu virt's PL061
# (a real MMIO GPIO controller, driver gpio-pl061). A trigger queued through
# the ioctl must drive the PL061 pin: its value is read back from the
# controller's data register through gpiolib's debugfs view; an edge the
# host raises on PL061 line 3 must arrive as a frame event. TAP output.
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
# value (hi/lo) of the first PL061 line requested as "trigger" (trigger 0, "laser")
pin() { sed -n '/pl061/,/^$/p' /sys/kernel/debug/gpio | grep -m1 'trigger' | grep -o ' out [a-z]*' | cut -c6-; }
echo "TAP version 13"
echo "1..7"
mount -t debugfs none /sys/kernel/debug 2>/dev/null
sed 's/^/# /' /sys/kernel/debug/gpio
[ -e /sys/bus/platform/drivers/ogate/ogate ] && [ -e /dev/ogate0 ]
res $? dt_node_binds_ogate_on_pl061
ogatectl info >/tmp/dtinfo 2>&1
sed 's/^/# /' /tmp/dtinfo
grep -q 'trigger line  0 "laser"' /tmp/dtinfo && grep -q 'frame line    0 "frame"' /tmp/dtinfo
res $? line_names_come_from_the_node
[ "$(pin)" = lo ]
res $? trigger_pin_is_low_at_rest
ogatectl queue in=100ms lines=laser width=900ms late=1s >/tmp/dtq 2>&1 &
q=$!
# sample the pin while the pulse is due (TCG under load: no fixed instant)
v=lo i=0
while [ "$v" != hi ] && [ $i -lt 100 ] && kill -0 $q 2>/dev/null; do
	sleep 0.05; v=$(pin); i=$((i + 1))
done
echo "# pin during the pulse: $v"
[ "$v" = hi ]
res $? queued_trigger_drives_the_pl061_pin_high
wait $q
sed 's/^/# /' /tmp/dtq
grep -q 'fired' /tmp/dtq
res $? trigger_reports_fired
[ "$(pin)" = lo ]
res $? pin_low_again_after_the_pulse
# the host pulses PL061 line 3 (qemu's power-button line, system_powerdown)
# once it sees this line: a real controller's interrupt through the node
echo "# dt: waiting for a frame edge"
timeout 30 ogatectl --machine events 1 >/tmp/dtev 2>&1
sed 's/^/# /' /tmp/dtev
grep -q 'event=frame line=0' /tmp/dtev
res $? frame_edge_on_the_pl061_interrupt_is_timestamped
exit $rc
