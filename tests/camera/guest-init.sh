#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# /init of the vimc camera VM (see tests/camera/run-vimc-vm.sh). TAP goes to
# the second serial port (/dev/ttyS1); the kernel console is on ttyS0.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /run /tmp
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
exec >/dev/ttyS1 2>&1

rc=0
n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; rc=1; }

# vimc and its Debian module dependencies, in modprobe's order
while read -r mod; do
	insmod "/lib/camera-modules/$mod" || { echo "# insmod $mod failed"; rc=2; }
done </lib/camera-modules/order
i=0
while [ ! -e /dev/media0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# Suspend to RAM for 2-3 s (RTC alarm wakes the guest): afterwards
# CLOCK_BOOTTIME is ahead of CLOCK_MONOTONIC by the time asleep, which lets
# camera_vimc_test tell the two apart. vimc is idle while suspended.
if [ -e /sys/class/rtc/rtc0/wakealarm ] && grep -q mem /sys/power/state; then
	echo +3 >/sys/class/rtc/rtc0/wakealarm && echo mem >/sys/power/state ||
		echo "# suspend to RAM failed"
else
	echo "# no RTC wake alarm or no suspend to RAM in this guest"
fi

# libcamera 0.0.3 ignores devices udev has not initialised; without udevd an
# empty database entry per character device is enough.
mkdir -p /run/udev/data
for d in /sys/dev/char/*; do : >"/run/udev/data/c${d##*/}"; done

export LIBCAMERA_LOG_FILE=/tmp/libcamera.log LIBCAMERA_LOG_LEVELS='*:WARN'
if [ $rc -ne 0 ] || [ ! -e /dev/media0 ]; then
	dmesg | tail -20 | sed 's/^/# /'
	notok "vimc_modules_load"
else
	# camera_vimc_test prints numbered results without a plan
	/bin/camera_vimc_test >/tmp/vimc.tap 2>&1
	st=$?
	cat /tmp/vimc.tap
	n=$(grep -cE '^(not )?ok [0-9]+' /tmp/vimc.tap)
	# non-zero: a failed test above, or a sanitizer report / crash that cut it short
	if [ $st -eq 0 ]; then ok "camera_vimc_test_exits_cleanly"; else
		notok "camera_vimc_test_exits_cleanly (status $st)"; fi

	t0=$(cut -d' ' -f1 /proc/uptime)
	if /bin/ogate-camtest -q -s 318x240 -n 100 >/tmp/camtest.out 2>&1; then
		ok "ogate_camtest_captures_100_frames_in_order"
	else
		notok "ogate_camtest_captures_100_frames_in_order"
	fi
	sed 's/^/# /' /tmp/camtest.out
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "# ogate-camtest wall time: $t0 -> $t1 s uptime"

	# ogated itself on the camera: frames flow through its libcamera source,
	# a mode switch reconfigures the camera, SIGTERM stops cleanly.
	cat >/tmp/ogated.conf <<CONF
[daemon]
socket = /tmp/ogated.sock
socket_group =
[camera]
source = libcamera
mode = small
# vimc has neither control
exposure_us = 0
analogue_gain = 0
[mode small]
width = 96
height = 96
# vimc has no frame-rate control either
fps = 0
[mode large]
width = 192
height = 144
fps = 0
CONF
	st_val() { ogate-client -s /tmp/ogated.sock status 2>/dev/null | sed -n "s/^$1=//p"; }
	ogated --config /tmp/ogated.conf >/tmp/ogated.log 2>&1 &
	opid=$!
	i=0
	while f=$(st_val frames); [ "${f:-0}" -lt 30 ] && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	f1=$(st_val frames)
	echo "# ogated: $(st_val source), $f1 frames"
	if [ "${f1:-0}" -ge 30 ]; then ok "ogated_receives_frames_from_libcamera"; else
		notok "ogated_receives_frames_from_libcamera"; sed 's/^/# ogated: /' /tmp/ogated.log | tail; fi
	if ogate-client -s /tmp/ogated.sock mode large 2>&1 | grep -q "192x144"; then
		ok "ogated_mode_switch_reconfigures_the_camera"; else notok "ogated_mode_switch_reconfigures_the_camera"; fi
	f2=$(st_val frames); sleep 2; f3=$(st_val frames)
	if [ "${f3:-0}" -gt "${f2:-0}" ]; then
		ok "ogated_frames_flow_after_the_mode_switch"; else notok "ogated_frames_flow_after_the_mode_switch"; fi
	# stop, then start after seconds of running: the camera numbers the new
	# stream's frames from 0 again, so the analysis must start over (before
	# the fix it refused every frame of the new stream as "timestamp or
	# sequence does not advance" for as long as the first run had lasted).
	# vimc's test pattern does not beat, so nothing locks: the check is that
	# the new stream's frames are delivered and analysed and none is refused.
	sleep 3
	cli() { ogate-client -s /tmp/ogated.sock "$@"; }
	stat_val() { cli stats 2>/dev/null | sed -n "s/^$1=//p"; }
	r0=$(grep -c "does not advance" /tmp/ogated.log)
	if cli stop >/dev/null && sleep 1 && cli start >/dev/null; then
		a0=$(stat_val analysed); i=0
		while a=$(stat_val analysed); [ $((${a:-0} - ${a0:-0})) -lt 60 ] && [ $i -lt 300 ]; do
			sleep 0.1; i=$((i + 1))
		done
		a1=$(stat_val analysed); r1=$(grep -c "does not advance" /tmp/ogated.log)
		echo "# restart: $((${a1:-0} - ${a0:-0})) frames analysed, $((r1 - r0)) refused as not advancing"
		if [ $((${a1:-0} - ${a0:-0})) -ge 60 ] && [ "$r1" -eq "$r0" ]; then
			ok "ogated_stop_then_start_analyses_the_new_stream"; else
			notok "ogated_stop_then_start_analyses_the_new_stream"
			grep "does not advance" /tmp/ogated.log | tail -3 | sed 's/^/# ogated: /'; fi
	else
		notok "ogated_stop_then_start_analyses_the_new_stream (stop/start refused)"
	fi
	kill -TERM $opid; wait $opid; st=$?
	if [ $st -eq 0 ]; then ok "ogated_stops_cleanly_with_the_camera"; else
		notok "ogated_stops_cleanly_with_the_camera (status $st)"; sed 's/^/# ogated: /' /tmp/ogated.log | tail -10; fi
fi
[ -s /tmp/libcamera.log ] && sed 's/^/# libcamera: /' /tmp/libcamera.log | tail -20

bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|RCU stall|lockdep|cut here' || true)
if [ -z "$bad" ]; then ok "kernel_log_has_no_warning_or_bug"; else
	echo "$bad" | sed 's/^/# /'; notok "kernel_log_has_no_warning_or_bug"; fi
taint=$(cat /proc/sys/kernel/tainted)
# the out-of-tree vimc build taints O (4096) and E (8192); nothing else may
if [ $((taint & ~(4096 | 8192))) -eq 0 ]; then ok "kernel_taint_only_out_of_tree ($taint)"; else
	notok "kernel_taint_only_out_of_tree ($taint)"; fi
echo "1..$n"
echo "OGATE-VM-RESULT rc=$rc"
sync
poweroff -f
