#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The libcamera camera source against the kernel's vimc virtual camera:
# boot Debian's kernel in qemu (TCG, one CPU) with vimc (built out of tree
# from linux-source) and its module stack, libcamera with its vimc IPA, and
# the dynamically linked tests/camera/camera_vimc_test and ogate-camtest in
# a busybox initramfs. The guest suspends to RAM for ~3 s first, so that a
# CLOCK_BOOTTIME timestamp could not pass for CLOCK_MONOTONIC. Prints the
# guest's TAP.
#
# Exit status: 0 pass, 1 test failure, 2 setup error, 3 no result marker
# (the guest crashed or hung; retried once). Prints "1..0 # SKIP" when the
# host cannot run it (not x86-64, or no libcamera-dev / g++).
# The test program and the adapter in it run under ASan/UBSan (leaks
# included); OGATE_CAMERA_SAN=0 uses the plain -O2 build instead.
# ogate-camtest is always the plain build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/vm/vm.sh
. "$top/tests/vm/vm.sh"
out=$top/build/camera-vm
mkdir -p "$out"

die() { echo "run-vimc-vm: $*" >&2; exit 2; }
skip() { echo "1..0 # SKIP $*"; exit 0; }

if [ "$(uname -m)" != x86_64 ]; then
	# On a Pi, run build/bin/ogate-camtest against the real camera (docs/camera.md).
	skip "the vimc VM suite boots an x86-64 guest; host is $(uname -m)"
fi
pkg-config --exists libcamera 2>/dev/null || skip "libcamera-dev not installed (make deps)"
command -v "${CXX:-g++}" >/dev/null || skip "no C++ compiler for the libcamera adapter (install g++)"

# --- the guest kernel: the newest one of linux-source's series (vimc-kver.sh) --
# shellcheck source=tests/camera/vimc-kver.sh
. "$top/tests/camera/vimc-kver.sh"
vimc_host_setup

t_start=$SECONDS
# --- vimc, out of tree from Debian's linux-source (not built in its config) -
vsrc=$out/vimc-src-$kseries
vimc_extract "$vsrc"
make -s -C "$kdir" M="$vsrc" CONFIG_VIDEO_VIMC=m modules >"$out/kbuild.log" 2>&1 ||
	{ cat "$out/kbuild.log"; die "building vimc for $kver failed"; }

t_vimc=$SECONDS
# --- guest programs, dynamically linked against the host's libcamera -------
vimc_test=build/test/camera_vimc_test_san
[ "${OGATE_CAMERA_SAN:-1}" = 0 ] && vimc_test=build/test/camera_vimc_test
make --no-print-directory -s "$vimc_test" build/bin/ogate-camtest build/bin/ogated build/bin/ogate-client >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log"; die "building the guest programs failed"; }

# --- the kernel: the bzImage through SeaBIOS, not the faster PVH entry of the
# extracted vmlinux, because the guest suspends to RAM (S3) once so that
# CLOCK_BOOTTIME runs ahead of CLOCK_MONOTONIC, and only the BIOS resumes it.
vmlinuz=/boot/vmlinuz-$kver

# --- initramfs ---------------------------------------------------------------
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,lib/camera-modules}
cp "$busybox" "$root/bin/busybox"

# module stack: modprobe's insmod order for each dependency, then vimc itself
vimc_dep_modules "$vsrc/vimc.ko" "$root/lib/camera-modules"
cp "$vsrc/vimc.ko" "$root/lib/camera-modules/"
modorder+=(vimc.ko)
printf '%s\n' "${modorder[@]}" >"$root/lib/camera-modules/order"

# programs, libcamera's vimc IPA (+ signature, proxy, config) and their ldd closure
cp "$vimc_test" "$root/bin/camera_vimc_test"
cp build/bin/ogate-camtest build/bin/ogated build/bin/ogate-client "$root/bin/"
vimc_copy_runtime "$root" "$vimc_test" build/bin/ogate-camtest build/bin/ogated build/bin/ogate-client
cp tests/camera/guest-init.sh "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out/initramfs.gz"

t_pack=$SECONDS
# --- boot --------------------------------------------------------------------
mem=512
[ "${OGATE_CAMERA_SAN:-1}" = 0 ] || mem=1024	# ASan's shadow memory
qemu_args=(-M pc -cpu max -m "$mem" -smp 1 -nodefaults -display none -no-reboot
	-kernel "$vmlinuz" -initrd "$out/initramfs.gz" -global PIIX4_PM.disable_s3=0
	-serial "file:$out/console.log" -serial "file:$out/output.log")
timeout=${OGATE_CAMERA_VM_TIMEOUT:-150}
rc=0
vm_run run-vimc-vm "$timeout" "$out/console.log" "$out/output.log" "$out/qemu.log" -- \
	"${qemu_args[@]}" -append "$VM_APPEND" || rc=$?
echo "# run-vimc-vm: vimc source+build $((t_vimc - t_start)) s, programs+initramfs $((t_pack - t_vimc)) s," \
	"qemu $((SECONDS - t_pack)) s"
[ $rc -eq 0 ] || exit $(( rc == 3 ? 3 : 1 ))
