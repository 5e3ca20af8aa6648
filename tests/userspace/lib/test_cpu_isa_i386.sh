#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# test_cpu_isa.c built for i386 with -m32 and run on this x86-64 host: cpu_isa.c's answer there
# is the one the SAD dispatch takes on i386 (test_sad_i386.sh). Skipped where no 32-bit
# toolchain is installed (gcc-multilib)
# or the host cannot run 32-bit programs (i386_host.sh).
cd "$(dirname "$0")/../../.." || exit 1
CC=${CC:-cc}
if ! echo 'int main(void){return 0;}' | $CC -m32 -x c -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP no 32-bit toolchain (install gcc-12-multilib)"
	exit 0
fi
out=build/test/i386
mkdir -p "$out"
. tests/userspace/lib/i386_host.sh
if ! $CC -m32 -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Itests/userspace/lib/cross -Iuserspace/lib -o "$out/test_cpu_isa_i386" \
	tests/userspace/lib/test_cpu_isa.c userspace/lib/cpu_isa.c 2>"$out/cpu_isa_build.log"; then
	sed 's/^/# /' "$out/cpu_isa_build.log"
	echo "1..1"
	echo "not ok 1 test_cpu_isa_builds_for_i386"
	exit 1
fi
"$out/test_cpu_isa_i386"
