#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The VM suite (tests/kernel/run-vm.sh) on the newest 6.12 PREEMPT_RT kernel
# Debian 12 offers (the release linux-headers-6.12-rt-amd64 depends on).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/kernel/kernels.sh
. "$top/tests/kernel/kernels.sh"
rel=$(kernels_release 6.12-rt)
if [ -z "$rel" ]; then echo "not ok 1 no 6.12 PREEMPT_RT kernel known to apt"; exit 2; fi
OGATE_KVER=$rel exec "$top/tests/kernel/run-vm.sh" "$@"
