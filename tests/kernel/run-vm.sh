#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Boot Debian's own kernel in qemu (TCG) with ogate.ko, the ogate_testbed
# simulated GPIO chip and static test programs in a busybox initramfs.
#
#   [OGATE_KVER=<release>] tests/kernel/run-vm.sh [test|bench|demo]
#
# The guest kernel is Debian 12's default (linux-image-amd64, 6.1) unless
# OGATE_KVER names another Debian amd64 kernel release, for example
# OGATE_KVER=6.12.117+deb12-rt-amd64 (PREEMPT_RT); its image and headers are
# installed when missing (apt-get install linux-headers-<release>).
#
# test   the kselftest-harness suite, then kernel log and taint checks (TAP)
# bench  the latency benchmark under -icount shift=0,sleep=off (virtual time,
#        deterministic): prints BENCH lines
# demo   ogatectl's self-demo: queue triggers, stream events, print stats
# fuzz   only the random-abuse fuzzer (tests/kernel/ogate_fuzz.c),
#        OGATE_FUZZ_CALLS calls (default 10 million), then rmmod and log checks
#        (test mode runs it too, with 200 000 calls)
#
# Exit status: 0 pass, 1 test failure, 2 setup error, 3 no result marker
# (the guest crashed or hung; retried once).
set -euo pipefail
mode=${1:-test}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/vm/vm.sh
. "$top/tests/vm/vm.sh"
# shellcheck source=tests/kernel/kernels.sh
. "$top/tests/kernel/kernels.sh"

die() { echo "run-vm: $*" >&2; exit 2; }

# --- userspace sources the guest programs use (kept here, in one place, so a
# move of the daemon's or the tools' files needs one edit) -------------------
# include folders for ogate_test, ogate_abuse_test, sinks_test, ogate_latency
USERSPACE_INC=(-Ibuild/include -Iuserspace/common/include -Iuserspace/daemon/sinks -Iuserspace/daemon/control)
# the daemon's sink sources that sinks_test links (and a test double)
USERSPACE_SINK_SRCS=(userspace/daemon/sinks/{sink,sink_ogate,sink_gpiod,sink_dryrun,pulses,program}.c
	tests/userspace/daemon/log_double.c)
USERSPACE_OGATECTL_SRC=userspace/tools/ogatectl.c

if [ "$(uname -m)" != x86_64 ]; then
	# On a Pi, test the module on the real pins instead (see docs/kernel.md).
	echo "1..0 # SKIP the VM suite boots an x86-64 guest; host is $(uname -m)"
	exit 0
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (install qemu-system-x86)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q dynamically && busybox=""
[ -x /bin/busybox ] && busybox=/bin/busybox
[ -n "$busybox" ] || die "busybox (static) missing (install busybox-static)"

# --- the guest kernel: OGATE_KVER, else Debian 12's default ---------------
kver=$(vm_kernel_version amd64)
[ -n "$kver" ] || die "no kernel image with headers (install linux-image-amd64 linux-headers-amd64)"
kdir=$(kernels_headers "$kver") || die "no headers for $kver (apt-get install linux-headers-$kver)"
vmlinuz=$(kernels_image "$kver") || die "no image for $kver"
out=$top/build/vm/$kver-$mode
mkdir -p "$out"
echo "# guest kernel $kver"

# --- harness headers from Debian's linux-source (not vendored) -------------
ksrc=$(tests/kernel/ksrc.sh) || die "cannot extract the kselftest harness"

# --- modules, built for the guest kernel, and static guest programs --------
# (in a copy per kernel release, so builds for two kernels never mix objects)
msrc=$out/src
rm -rf "$msrc"
mkdir -p "$msrc/include"
cp -r kernel tests/kernel/testbed "$msrc/"
cp -r include/uapi "$msrc/include/"
make -s -C "$kdir" M="$msrc/kernel" modules >"$out/kbuild.log" 2>&1 ||
	{ cat "$out/kbuild.log"; die "building kernel/ogate.ko for $kver failed"; }
make -s -C "$kdir" M="$msrc/testbed" modules >>"$out/kbuild.log" 2>&1 ||
	{ cat "$out/kbuild.log"; die "building the test bed failed"; }
if grep -E 'warning:' "$out/kbuild.log"; then die "kernel build warnings (see above)"; fi

# ogatectl prints the version from the header the build generates out of VERSION
make -s --no-print-directory build/include/ogate-version.h
CC=${CC:-gcc}
cflags=(-std=gnu11 -O2 -static -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude/uapi
	-Itests/kernel "${USERSPACE_INC[@]}")
ktest=(-I"$ksrc/tools/testing/selftests" -Wno-sign-compare)
$CC "${cflags[@]}" "${ktest[@]}" -o "$out/ogate_test" tests/kernel/ogate_test.c
$CC "${cflags[@]}" "${ktest[@]}" -o "$out/ogate_abuse_test" tests/kernel/ogate_abuse_test.c -lpthread
$CC "${cflags[@]}" -o "$out/ogate_fuzz" tests/kernel/ogate_fuzz.c -lpthread
$CC "${cflags[@]}" -Itests/kernel/testbed -o "$out/ogate_latency" bench/kernel/ogate_latency.c -lpthread
$CC "${cflags[@]}" "${ktest[@]}" -o "$out/sinks_test" tests/kernel/sinks_test.c \
	"${USERSPACE_SINK_SRCS[@]}" -lgpiod -lpthread
$CC "${cflags[@]}" -o "$out/ogatectl" "$USERSPACE_OGATECTL_SRC"

# --- the kernel as an uncompressed ELF for PVH boot (3-4 s faster) ---------
# (Debian compresses 6.1 with xz and 6.12 with zstd)
vmlinux=$out/vmlinux-$kver
if [ ! -s "$vmlinux" ]; then
	off=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1 || true)
	if [ -n "$off" ]; then
		tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream >"$vmlinux.tmp" 2>/dev/null || true
	else
		off=$(grep -abo $'\x28\xb5\x2f\xfd' "$vmlinuz" | head -1 | cut -d: -f1 || true)
		[ -n "$off" ] && { tail -c +$((off + 1)) "$vmlinuz" | zstd -dcq >"$vmlinux.tmp" 2>/dev/null || true; }
	fi
	if [ -s "$vmlinux.tmp" ] && head -c 4 "$vmlinux.tmp" | grep -q ELF; then
		mv "$vmlinux.tmp" "$vmlinux"
	else
		rm -f "$vmlinux.tmp"
		cp "$vmlinuz" "$vmlinux"	# bzImage boots too, slower
	fi
fi

# --- initramfs ---------------------------------------------------------------
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/ogate}
cp "$busybox" "$root/bin/busybox"
cp "$msrc/kernel/ogate.ko" "$msrc/testbed/ogate_testbed.ko" "$root/lib/ogate/"
cp "$out/ogate_test" "$out/ogate_abuse_test" "$out/ogate_fuzz" "$out/sinks_test" "$out/ogate_latency" "$out/ogatectl" "$root/bin/"
cp tests/kernel/ogatectl_test.sh tests/kernel/ogated_test.sh "$root/bin/"
# dynamically linked programs (the daemon and its client) with their ldd closure
add_dynamic() {
	local bin=$1 lib
	cp "$bin" "$root/bin/"
	for lib in $(ldd "$bin" | grep -oE '/[^ ]+\.so[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
make -s build/bin/ogated build/bin/ogate-client >/dev/null || die "building ogated failed"
add_dynamic build/bin/ogated
add_dynamic build/bin/ogate-client
cp tests/kernel/guest-init.sh "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out/initramfs.gz"

# --- boot --------------------------------------------------------------------
qemu_args=(-M pc -cpu max -m 512 -smp 1 -nodefaults -display none -no-reboot
	-kernel "$vmlinux" -initrd "$out/initramfs.gz"
	-serial "file:$out/console-$mode.log" -serial "file:$out/output-$mode.log")
[ -f /usr/share/qemu/qboot.rom ] && qemu_args+=(-bios /usr/share/qemu/qboot.rom)
timeout=1500	# a loaded 2-core machine runs the guest at a fraction of a core
append="$VM_APPEND OGATE_MODE=$mode"
[ -n "${OGATE_FUZZ_CALLS:-}" ] && append+=" OGATE_FUZZ_CALLS=$OGATE_FUZZ_CALLS"
[ -n "${OGATE_FUZZ_SEED:-}" ] && append+=" OGATE_FUZZ_SEED=$OGATE_FUZZ_SEED"
[ "$mode" = fuzz ] && timeout=${OGATE_FUZZ_TIMEOUT:-5400}
if [ "$mode" = bench ]; then
	qemu_args+=(-icount shift=0,sleep=off -rtc clock=vm)
	timeout=900
fi
rc=0
vm_run run-vm "$timeout" "$out/console-$mode.log" "$out/output-$mode.log" "$out/qemu-$mode.log" -- \
	"${qemu_args[@]}" -append "$append" || rc=$?
[ $rc -eq 0 ] || exit $(( rc == 3 ? 3 : 1 ))
