# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=sh disable=SC2154
# Sourced by the i386 suites (test_cpu_isa_i386.sh, test_sad_i386.sh) after their toolchain check:
# exits the suite with a TAP skip where this x86-64 host cannot run 32-bit programs (a kernel
# without IA32 emulation, or ia32_emulation=0: "Exec format error"), so a machine that cannot
# run them does not read as a failure of the code. Uses $CC and the existing directory $out.
if ! echo 'int main(void){return 0;}' | $CC -m32 -x c -o "$out/i386_probe" - 2>/dev/null ||
	! "$out/i386_probe" 2>/dev/null; then
	echo "1..0 # SKIP this host cannot run 32-bit programs (no IA32 emulation in its kernel)"
	exit 0
fi
