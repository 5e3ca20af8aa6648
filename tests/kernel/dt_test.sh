#!/bin/sh
# In the arm64 VM (tests/kernel/run-vm-arm64.sh): ogate.ko bound from a
# device-tree node that dts/ogate-overlay.dts wrote, on qemu virt's PL061
# (a real MMIO GPIO controller, driver gpio-pl061). A trigger queued through
# the ioctl must drive the PL061 pin: its value is read back from the
# controller's data register through gpiolib's debugfs view. TAP output.
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
# value (hi/lo) of the first PL061 line requested as "trigger" (trigger 0, "laser")
pin() { sed -n '/pl061/,/^$/p' /sys/kernel/debug/gpio | grep -m1 'trigger' | grep -o ' out [a-z]*' | cut -c6-; }
echo "TAP version 13"
echo "1..6"
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
ogatectl queue in=200ms lines=laser width=800ms late=500ms >/tmp/dtq 2>&1 &
q=$!
sleep 0.6
v=$(pin)
echo "# pin during the pulse: $v"
[ "$v" = hi ]
res $? queued_trigger_drives_the_pl061_pin_high
wait $q
sed 's/^/# /' /tmp/dtq
grep -q 'fired' /tmp/dtq
res $? trigger_reports_fired
[ "$(pin)" = lo ]
res $? pin_low_again_after_the_pulse
exit $rc
