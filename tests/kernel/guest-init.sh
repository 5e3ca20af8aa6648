#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# /init of the test VM (see tests/kernel/run-vm.sh). Program output goes to
# the second serial port (/dev/ttyS1); the kernel console is on ttyS0.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >"${OGATE_OUT:-/dev/ttyS1}" 2>&1
export OGATE_MODDIR=/lib/ogate

rc=0
insmod /lib/ogate/ogate.ko || rc=2
if [ "$OGATE_ARCH" = arm64 ] && [ $rc -eq 0 ] && [ "$OGATE_MODE" = test ]; then
	# arm64: ogate0 is the device-tree node on the PL061; test it, then
	# retire it (never to bind again) so the test bed's device is ogate0
	/bin/dt_test.sh || dtrc=1
	echo none >/sys/bus/platform/devices/ogate/driver_override
	echo ogate >/sys/bus/platform/drivers/ogate/unbind
fi
insmod /lib/ogate/ogate_testbed.ko || rc=2
i=0
while [ ! -e /dev/ogate0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

check_kernel() {
	# A kernel WARNING, BUG or unexpected taint fails the run. Unsigned
	# out-of-tree modules taint O (4096) and E (8192); nothing else may.
	n=$1
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|RCU stall|lockdep|cut here' || true)
	if [ -z "$bad" ]; then echo "ok $n kernel_log_has_no_warning_or_bug"; else
		echo "$bad" | sed 's/^/# /'; echo "not ok $n kernel_log_has_no_warning_or_bug"; rc=1; fi
	taint=$(cat /proc/sys/kernel/tainted)
	if [ $((taint & ~(4096 | 8192))) -eq 0 ]; then echo "ok $((n + 1)) kernel_taint_only_out_of_tree ($taint)"; else
		echo "not ok $((n + 1)) kernel_taint_only_out_of_tree ($taint)"; rc=1; fi
}

if [ $rc -ne 0 ]; then
	dmesg | tail -20 | sed 's/^/# /'
	echo "not ok 1 modules_load"
else
	case "$OGATE_MODE" in
	test)
		/bin/ogate_test || rc=1
		/bin/ogate_abuse_test || rc=1
		/bin/ogatectl_test.sh || rc=1
		# the daemon's parts (dynamically linked) are in the amd64 VM only
		if [ -x /bin/sinks_test ]; then /bin/sinks_test || rc=1; fi
		if [ -x /bin/ogated ]; then /bin/ogated_test.sh || rc=1; fi
		echo "TAP version 13"
		echo "1..1"
		/bin/ogate_fuzz "${OGATE_FUZZ_CALLS:-200000}" "${OGATE_FUZZ_SEED:-1}" || rc=1
		echo "TAP version 13"
		echo "1..3"
		if rmmod ogate; then echo "ok 1 rmmod_ogate_succeeds_after_the_tests"; else
			echo "not ok 1 rmmod_ogate_succeeds_after_the_tests"; rc=1; fi
		check_kernel 2
		;;
	fuzz)
		echo "TAP version 13"
		echo "1..1"
		/bin/ogate_fuzz "${OGATE_FUZZ_CALLS:-10000000}" "${OGATE_FUZZ_SEED:-1}" || rc=1
		echo "TAP version 13"
		echo "1..3"
		if rmmod ogate; then echo "ok 1 rmmod_ogate_succeeds_after_the_fuzz"; else
			echo "not ok 1 rmmod_ogate_succeeds_after_the_fuzz"; rc=1; fi
		check_kernel 2
		;;
	bench)
		/bin/ogate_latency || rc=1
		;;
	demo)
		# wire trigger 0 to frame 0 so frame edges show up too
		echo "loopback 1" >/dev/ogate_testbed
		/bin/ogatectl demo || rc=1
		;;
	esac
fi
[ "${dtrc:-0}" -eq 0 ] || rc=1
echo "OGATE-VM-RESULT rc=$rc"
sync
poweroff -f
