#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# reference.smooth's 8-bit full look (sync_smooth_look.c) where there is no AVX2: its plain
# loops take every column. test_ref_smooth_look_u8 built for aarch64 and run under qemu-user
# (the integer sums equal the double definitions there too). Skipped where no aarch64 cross
# compiler or qemu-aarch64 is installed. The integer noise median (sync_smooth_median_u8) too.
cd "$(dirname "$0")/../../.." || exit 1
CC=aarch64-linux-gnu-gcc
if ! command -v $CC >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
	echo "1..0 # SKIP no aarch64 cross compiler or qemu-aarch64 (gcc-aarch64-linux-gnu, qemu-user)"
	exit 0
fi
out=build/test/cross
mkdir -p "$out"
if ! $CC -std=c11 -D_GNU_SOURCE -O2 -ftree-vectorize -Wall -Wextra -Werror \
	-Wno-unused-parameter -static -Itests/userspace/lib/cross -Iinclude -Iinclude/uapi \
	-Iuserspace/lib/include -Iuserspace/lib -Iuserspace/common/include \
	-o "$out/test_ref_smooth_look_u8_aarch64" tests/userspace/lib/test_ref_smooth_look_u8.c \
	userspace/lib/sync_smooth_look.c userspace/lib/sync_smooth_stats.c userspace/lib/frame.c -lm \
	2>"$out/look_build.log"; then
	sed 's/^/# /' "$out/look_build.log"
	echo "1..1"
	echo "not ok 1 test_ref_smooth_look_u8_builds_for_aarch64"
	exit 1
fi
qemu-aarch64 "$out/test_ref_smooth_look_u8_aarch64"
