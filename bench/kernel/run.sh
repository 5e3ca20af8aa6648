#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Trigger lateness (driver against userspace SCHED_FIFO/OTHER), interrupts-off
# time per timer expiry, frame-edge cost against open files and queueing
# cost, in the test VM under -icount (virtual time, deterministic), on
# Debian 12's default kernel (6.1) and on the newest 6.12 PREEMPT_RT.
# Each figure is printed as "BENCH <kernel>.<name> <value> <unit>".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/kernel/kernels.sh
. "$top/tests/kernel/kernels.sh"
rc=0
for name in default 6.12-rt; do
	rel=$(kernels_release "$name")
	tag=linux-$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	case "$rel" in *-rt-*) tag=$tag-rt ;; esac
	OGATE_KVER=$rel "$top/tests/kernel/run-vm.sh" bench | sed "s/^BENCH /BENCH $tag./" || rc=1
done
exit $rc
