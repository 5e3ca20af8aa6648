#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The 32-bit half of the ABI layout check: compile abi_layout.c for a 32-bit
# userland (its _Static_asserts pin every size and offset). Compiling is the
# test: 32-bit binaries need not be runnable on the build host.
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-cc}
if ! echo 'int main(void){return 0;}' | $CC -m32 -x c -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP no 32-bit toolchain (install gcc-12-multilib)"
	exit 0
fi
echo "1..1"
# gcc-multilib's /usr/include/asm symlink conflicts with Debian's cross
# compilers (used by the NEON test), so point -m32 at the x86 asm headers
# directly; they are the same generic ioctl and integer definitions.
extra=""
multiarch=$($CC -print-multiarch 2>/dev/null)
[ -n "$multiarch" ] && [ -d "/usr/include/$multiarch/asm" ] && extra="-idirafter /usr/include/$multiarch"
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra -Werror -m32 -Iinclude/uapi $extra -fsyntax-only tests/include/abi_layout.c; then
	echo "ok 1 abi_32_bit_layout_matches_64_bit"
else
	echo "not ok 1 abi_32_bit_layout_matches_64_bit"
fi
