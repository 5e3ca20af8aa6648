#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=dash
# /init of the chain VM (see tests/chain/run.sh). Everything the host scores
# goes to the second serial port (/dev/ttyS1) in sections
# "==== SINK frames|pins|status|stats|log", ended by "==== SINK end".
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /run /tmp
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
exec >/dev/ttyS1 2>&1
. /etc/chain.env

rc=0
# the camera: vimc's Debian dependencies, then vimc with the heart
while read -r mod; do
	insmod "/lib/chain/$mod" || { echo "# insmod $mod failed"; rc=2; }
done </lib/chain/order
# shellcheck disable=SC2086
insmod /lib/chain/vimc.ko $VIMC_ARGS || { echo "# insmod vimc.ko $VIMC_ARGS failed"; rc=2; }
# the pins: ogate.ko (only when its sink runs) and the test bed's chip, which
# hands lines 0-2 to ogate.0 when attached
case " $SINKS " in
*" ogate "*) insmod /lib/chain/ogate.ko || rc=2 ;;
esac
first=${SINKS%% *}
if [ "$first" = ogate ]; then attach=1; else attach=0; fi
insmod /lib/chain/ogate_testbed.ko attach=$attach || rc=2
i=0
while { [ ! -e /dev/media0 ] || [ ! -e /dev/vimc_heart ]; } && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
dmesg | grep -E 'heart|ogate' | sed 's/^/# dmesg: /'

# libcamera 0.0.3 ignores devices udev has not initialised
mkdir -p /run/udev/data
for d in /sys/dev/char/*; do : >"/run/udev/data/c${d##*/}"; done
export LIBCAMERA_LOG_FILE=/tmp/libcamera.log LIBCAMERA_LOG_LEVELS='*:WARN'

run_sink() {
	sink=$1
	cat >/tmp/ogated.conf <<CONF
# as on a Pi: libcamera camera, real-time threads, locked memory
[daemon]
socket = /tmp/ogated.sock
socket_group =
stop_grace_ms = 200
mlockall = yes
rt_priority = 50
[camera]
source = libcamera
mode = chain
# vimc has neither control
exposure_us = 0
analogue_gain = 0
[mode chain]
width = $WIDTH
height = $HEIGHT
# the frame rate is the vimc heart's frame_interval_us
fps = 0
[output]
sink = $sink
device = /dev/ogate0
gpiochip = ogate-sim
laser_line = 0
camera_line = 1
laser_width_us = $LASER_WIDTH_US
camera_laser_delay_us = $DELAY_US
late_us = $LATE_US
CONF
	echo clear >/dev/ogate_testbed
	cat /dev/vimc_heart >/dev/null
	ogated --config /tmp/ogated.conf >/tmp/ogated.log 2>&1 &
	pid=$!
	# poll for the lock (uptime is CLOCK_MONOTONIC here: the guest never
	# suspends), then let it trigger for the rest of RUN_S
	t0=$(cut -d. -f1 /proc/uptime)
	lock=""
	i=0
	while [ $i -lt "$RUN_S" ] && kill -0 $pid 2>/dev/null; do
		if [ -z "$lock" ]; then
			ogate-client -s /tmp/ogated.sock status 2>/dev/null | grep -q '^locked=yes' &&
				lock=$(cut -d' ' -f1 /proc/uptime)
			[ -z "$lock" ] && { sleep 0.1; i=$(($(cut -d. -f1 /proc/uptime) - t0)); continue; }
		fi
		sleep 1
		i=$(($(cut -d. -f1 /proc/uptime) - t0))
	done
	ogate-client -s /tmp/ogated.sock status >/tmp/status.txt 2>&1
	echo "lock_uptime_s=${lock:-none}" >>/tmp/status.txt
	ogate-client -s /tmp/ogated.sock stats >/tmp/stats.txt 2>&1
	kill -TERM $pid 2>/dev/null
	wait $pid
	st=$?
	echo "# $sink: ogated ran ${i} s, exit status $st"
	[ $st -eq 0 ] || rc=1
	sleep 0.5
	echo "==== $sink frames"
	cat /dev/vimc_heart
	echo "==== $sink pins"
	od -An -v -tu8 -w16 /dev/ogate_testbed
	echo "==== $sink status"
	cat /tmp/status.txt
	echo "==== $sink stats"
	cat /tmp/stats.txt
	echo "==== $sink log"
	tail -n 60 /tmp/ogated.log
	echo "==== $sink end"
}

if [ $rc -ne 0 ] || [ ! -e /dev/media0 ] || [ ! -e /dev/vimc_heart ]; then
	dmesg | tail -30 | sed 's/^/# /'
	echo "# the modules did not load"
	rc=2
else
	for sink in $SINKS; do
		run_sink "$sink"
		# hand the lines from ogate.ko back to the chip for the next sink
		[ "$sink" = ogate ] && echo detach >/dev/ogate_testbed
	done
fi
[ -s /tmp/libcamera.log ] && sed 's/^/# libcamera: /' /tmp/libcamera.log | tail -10

bad=$(dmesg | grep -cE 'WARNING:|BUG:|Oops|general protection|RCU stall|lockdep|cut here')
dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|RCU stall|lockdep|cut here' | sed 's/^/# /'
echo "KCHECK warn=$bad taint=$(cat /proc/sys/kernel/tainted)"
echo "OGATE-VM-RESULT rc=$rc"
sync
poweroff -f
