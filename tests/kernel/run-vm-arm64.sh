#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The kernel suite on arm64, the Pi's architecture: qemu-system-aarch64
# (machine virt, TCG) boots Debian 12's arm64 6.12 kernel with the arm64
# ogate.ko, the test bed and static arm64 test programs in a busybox
# initramfs. The device tree is virt's own with a node added exactly as
# dts/ogate-overlay.dts writes it (applied with fdtoverlay; the Pi-only
# pinctrl is dropped and the pins moved to the PL061's lines 0, 1 and 3), so
# ogate.ko first binds from the device tree on the PL061, a real MMIO GPIO
# controller (tests/kernel/dt_test.sh): a queued trigger drives its pin, and
# an edge the host raises on its line 3 is timestamped. Then the kselftest
# suites, ogatectl and the fuzzer run against the test bed as in the amd64 VM.
#
#   tests/kernel/run-vm-arm64.sh            (OGATE_FUZZ_CALLS: default 50 000)
#
# Exit status as tests/kernel/run-vm.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/vm/vm.sh
. "$top/tests/vm/vm.sh"
# shellcheck source=tests/kernel/kernels.sh
. "$top/tests/kernel/kernels.sh"
die() { echo "run-vm-arm64: $*" >&2; exit 2; }

# userspace sources the guest programs use (as in run-vm.sh)
USERSPACE_INC=(-Ibuild/include -Iuserspace/common/include)
USERSPACE_OGATECTL_SRC=userspace/tools/ogatectl.c

CROSS=aarch64-linux-gnu-
command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing (install qemu-system-arm)"
command -v ${CROSS}gcc >/dev/null || die "${CROSS}gcc missing (install gcc-aarch64-linux-gnu)"
rel=${OGATE_KVER_ARM64:-$(kernels_release 6.12-arm64)}
[ -n "$rel" ] || die "no arm64 kernel release known"
kdir=$(kernels_headers "$rel") || die "no arm64 headers for $rel"
image=$(kernels_image "$rel") || die "no arm64 image for $rel"
out=$top/build/vm/$rel
mkdir -p "$out"
echo "# guest kernel $rel (arm64)"
ksrc=$(tests/kernel/ksrc.sh) || die "cannot extract the kselftest harness"
bbdir=$KERNELS_CACHE/busybox-arm64
kernels_unpack_arm64 busybox-static "$bbdir" || die "cannot fetch busybox-static:arm64"

# --- modules (cross) and static arm64 programs -------------------------------
msrc=$out/src
rm -rf "$msrc"
mkdir -p "$msrc/include"
cp -r kernel tests/kernel/testbed "$msrc/"
cp -r include/uapi "$msrc/include/"
{ make -s -C "$kdir" M="$msrc/kernel" modules && make -s -C "$kdir" M="$msrc/testbed" modules; } \
	>"$out/kbuild.log" 2>&1 || { cat "$out/kbuild.log"; die "building the arm64 modules failed"; }
if grep -E 'warning:' "$out/kbuild.log"; then die "kernel build warnings (see above)"; fi
cflags=(-std=gnu11 -O2 -static -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude/uapi
	-Itests/kernel "${USERSPACE_INC[@]}")
ktest=(-I"$ksrc/tools/testing/selftests" -Wno-sign-compare)
# ogatectl prints the version from the header the build generates out of VERSION
make -s --no-print-directory build/include/ogate-version.h
CC=${CROSS}gcc
$CC "${cflags[@]}" "${ktest[@]}" -o "$out/ogate_test" tests/kernel/ogate_test.c
$CC "${cflags[@]}" "${ktest[@]}" -o "$out/ogate_abuse_test" tests/kernel/ogate_abuse_test.c -lpthread
$CC "${cflags[@]}" -o "$out/ogate_fuzz" tests/kernel/ogate_fuzz.c -lpthread
$CC "${cflags[@]}" -o "$out/ogatectl" "$USERSPACE_OGATECTL_SRC"

# --- the device tree: virt's own plus the overlay's node ----------------------
machine=(-M virt -cpu cortex-a57 -m 512 -smp 1)
dt=$out/dt
mkdir -p "$dt"
qemu-system-aarch64 "${machine[@]}" -M virt,dumpdtb="$dt/virt.dtb" -display none >/dev/null 2>&1 ||
	die "qemu could not dump virt's device tree"
dtc -q -I dtb -O dts -o "$dt/virt.dts" "$dt/virt.dtb"
pl061=$(grep -o 'pl061@[0-9a-f]*' "$dt/virt.dts" | head -1)
[ -n "$pl061" ] || die "no PL061 in virt's device tree"
# drop gpio-keys (it owns PL061 line 3, our frame input) and name the PL061
# "gpio" for the overlay's &gpio references, as the Pi's base tree does
awk -v pl="/$pl061" '
	/^\tgpio-keys \{/ { skip = 1 }
	skip { if ($0 ~ /^\t\};/) skip = 0; next }
	{ lines[++n] = $0 }
	END { for (i = 1; i < n; i++) print lines[i]
	      print "\t__symbols__ {\n\t\tgpio = \"" pl "\";\n\t};"; print lines[n] }
' "$dt/virt.dts" >"$dt/base.dts"
dtc -q -I dts -O dtb -o "$dt/base.dtb" "$dt/base.dts"
dtc -@ -q -I dts -O dtb -o "$dt/ogate.dtbo" dts/ogate-overlay.dts
fdtoverlay -i "$dt/base.dtb" -o "$dt/guest.dtb" "$dt/ogate.dtbo" || die "fdtoverlay failed"
ph=$(fdtget -t u "$dt/guest.dtb" "/$pl061" phandle)
# what dtoverlay=ogate,trigger_pin=0,trigger2_pin=1,frame_pin=3 does on a Pi
fdtput -t u "$dt/guest.dtb" /ogate trigger-gpios "$ph" 0 0 "$ph" 1 0
fdtput -t u "$dt/guest.dtb" /ogate frame-gpios "$ph" 3 0
# Pi pin muxing (brcm,pins) has no meaning on the PL061
fdtput -d "$dt/guest.dtb" /ogate pinctrl-names
fdtput -d "$dt/guest.dtb" /ogate pinctrl-0
fdtput -r "$dt/guest.dtb" "/$pl061/ogate_pins"
dtc -q -I dtb -O dts "$dt/guest.dtb" | sed -n '/\togate {/,/\t};/p' >"$dt/ogate-node.dts"

# --- initramfs -----------------------------------------------------------------
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/ogate}
cp "$bbdir/bin/busybox" "$root/bin/busybox"
cp "$msrc/kernel/ogate.ko" "$msrc/testbed/ogate_testbed.ko" "$root/lib/ogate/"
cp "$out/ogate_test" "$out/ogate_abuse_test" "$out/ogate_fuzz" "$out/ogatectl" "$root/bin/"
cp tests/kernel/ogatectl_test.sh tests/kernel/dt_test.sh "$root/bin/"
cp tests/kernel/guest-init.sh "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out/initramfs.gz"

# --- boot ------------------------------------------------------------------------
# virt has one UART: program output shares it with the (quiet) kernel console
append="${VM_APPEND/console=ttyS0/console=ttyAMA0} OGATE_MODE=test OGATE_ARCH=arm64 OGATE_OUT=/dev/ttyAMA0"
append+=" OGATE_FUZZ_CALLS=${OGATE_FUZZ_CALLS:-50000}"
# The monitor on a pipe: when the guest waits for a frame edge, pulse PL061
# line 3 (qemu drives it high for 100 ms on system_powerdown).
rm -f "$out/mon.in" "$out/mon.out"
mkfifo "$out/mon.in" "$out/mon.out"
(
	for _ in $(seq 6000); do
		if grep -q 'dt: waiting for a frame edge' "$out/console.log" 2>/dev/null; then
			for _ in 1 2 3; do
				timeout 2 sh -c "echo system_powerdown >'$out/mon.in'" || true
				sleep 1
			done
			break
		fi
		sleep 0.2
	done
) &
pulser=$!
(timeout 3600 cat "$out/mon.out" >/dev/null 2>&1 || true) &
drain=$!
rc=0
VM_QEMU=qemu-system-aarch64 vm_run run-vm-arm64 1500 "$out/console.log" "$out/console.log" "$out/qemu.log" -- \
	"${machine[@]}" -nodefaults -display none -no-reboot -kernel "$image" -initrd "$out/initramfs.gz" \
	-dtb "$dt/guest.dtb" -serial "file:$out/console.log" \
	-chardev pipe,id=mon,path="$out/mon" -mon chardev=mon,mode=readline \
	-append "$append" || rc=$?
kill "$pulser" "$drain" 2>/dev/null || true
[ $rc -eq 0 ] || exit $(( rc == 3 ? 3 : 1 ))
