#!/bin/sh
# The 32-bit half of the ABI layout check: compile abi_layout.c for a 32-bit
# userland (its _Static_asserts pin every size and offset). Compiling is the
# test: 32-bit binaries need not be runnable on the build host.
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-cc}
if ! echo 'int main(void){return 0;}' | $CC -m32 -x c -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP no 32-bit toolchain (install gcc-multilib)"
	exit 0
fi
echo "1..1"
if $CC -std=c11 -Wall -Wextra -Werror -m32 -Iinclude/uapi -fsyntax-only tests/include/abi_layout.c; then
	echo "ok 1 abi_32_bit_layout_matches_64_bit"
else
	echo "not ok 1 abi_32_bit_layout_matches_64_bit"
fi
