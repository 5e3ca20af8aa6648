#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The SAD tests (every back end equals the scalar one on random sizes,
# strides, offsets and 16-bit data, and so do its 4 x 4 block sums) built for aarch64, where the list of
# back ends includes NEON, and run under qemu-user. Skipped where no
# aarch64 cross compiler or qemu-aarch64 is installed.
cd "$(dirname "$0")/../../.." || exit 1
CC=aarch64-linux-gnu-gcc
if ! command -v $CC >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
	echo "1..0 # SKIP no aarch64 cross compiler or qemu-aarch64 (gcc-aarch64-linux-gnu, qemu-user)"
	exit 0
fi
out=build/test/cross
mkdir -p "$out"
# test_sad: every back end's SADs; test_sad_bin: every back end's 4 x 4 block sums and their
# bound (the full search's, sync_match.c)
for t in test_sad test_sad_bin; do
	if ! $CC -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wno-unused-parameter -static \
		-Itests/userspace/lib/cross -Iuserspace/lib/include -Iuserspace/lib \
		-o "$out/${t}_aarch64" tests/userspace/lib/$t.c userspace/lib/sad.c \
		userspace/lib/sad_neon.c userspace/lib/frame.c -lm 2>"$out/build.log"; then
		sed 's/^/# /' "$out/build.log"
		echo "1..1"
		echo "not ok 1 ${t}_builds_for_aarch64"
		exit 1
	fi
	qemu-aarch64 "$out/${t}_aarch64" || exit 1
done
