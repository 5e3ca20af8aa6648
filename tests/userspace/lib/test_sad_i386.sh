#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The SAD tests (every back end equals the scalar one; the dispatch picks the widest back end the
# CPU runs) built for i386 with -m32, where the x86 back ends (SSE2, AVX2, AVX-512) take their
# 32-bit paths and cpu_isa.c answers for them, run on this x86-64 host. Each back end gets its
# own -m flag, as in mk/lib.mk. Skipped where no 32-bit toolchain is installed (gcc-multilib)
# or the host cannot run 32-bit programs (i386_host.sh).
cd "$(dirname "$0")/../../.." || exit 1
CC=${CC:-cc}
if ! echo 'int main(void){return 0;}' | $CC -m32 -x c -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP no 32-bit toolchain (install gcc-12-multilib)"
	exit 0
fi
# the x86 asm headers for -m32, as tests/include/abi_layout_32.sh finds them
extra=""
multiarch=$($CC -print-multiarch 2>/dev/null)
[ -n "$multiarch" ] && [ -d "/usr/include/$multiarch/asm" ] && extra="-idirafter /usr/include/$multiarch"
out=build/test/i386
mkdir -p "$out"
. tests/userspace/lib/i386_host.sh
: >"$out/sad_build.log"
objs=""
for f in tests/userspace/lib/test_sad.c userspace/lib/sad.c userspace/lib/sad_sse2.c:-msse2 \
	userspace/lib/sad_avx2.c:-mavx2 userspace/lib/sad_avx512.c userspace/lib/cpu_isa.c \
	userspace/lib/frame.c; do
	src=${f%%:*} flag=""
	[ "$src" != "$f" ] && flag=${f#*:}
	obj="$out/$(basename "$src" .c).o"
	# shellcheck disable=SC2086
	if ! $CC -m32 $extra $flag -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
		-Wno-unused-parameter -Itests/userspace/lib/cross -Iuserspace/lib/include \
		-Iuserspace/lib -c -o "$obj" "$src" 2>>"$out/sad_build.log"; then
		sed 's/^/# /' "$out/sad_build.log"
		echo "1..1"
		echo "not ok 1 test_sad_builds_for_i386 ($src)"
		exit 1
	fi
	objs="$objs $obj"
done
# shellcheck disable=SC2086
if ! $CC -m32 -o "$out/test_sad_i386" $objs -lm 2>>"$out/sad_build.log"; then
	sed 's/^/# /' "$out/sad_build.log"
	echo "1..1"
	echo "not ok 1 test_sad_links_for_i386"
	exit 1
fi
"$out/test_sad_i386"
