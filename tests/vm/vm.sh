# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=bash
# Shared by the qemu test VMs (tests/kernel/run-vm.sh, tests/camera/run-vimc-vm.sh).
# Source it; it defines:
#
#   vm_kernel_version [ARCH]
#               the guest kernel release: OGATE_KVER if set, else Debian 12's
#               default kernel (the release linux-image-ARCH depends on; ARCH
#               defaults to the host's, amd64 here), else the running kernel,
#               else the newest with an image and headers. Never "the newest
#               installed" first: installing 6.12 headers (which pull their
#               image) must not move a suite off the kernel it was written for.
#               Prints nothing when there is none.
#   VM_QEMU     the qemu binary vm_run starts (default qemu-system-x86_64)
#   VM_APPEND   kernel command line that turns kernel bugs into a failed run
#               (a WARNING panics, slab poisoning on, stable TSC under TCG)
#   vm_run NAME TIMEOUT CONSOLE OUTPUT QEMULOG -- QEMU-ARGS...
#               boot (TCG) until the guest prints "OGATE-VM-RESULT rc=N" on its
#               second serial port (OUTPUT), retrying once if it never does (a
#               crash or hang; about 2 in 100 TCG boots hang); then print the
#               guest's output and return its rc, or 3 when it gave no result.

VM_APPEND="console=ttyS0 loglevel=4 oops=panic panic=-1 panic_on_warn=1 softlockup_panic=1"
VM_APPEND+=" hung_task_panic=1 slub_debug=FZPU page_poison=1 init_on_free=1 tsc=reliable"

vm_kernel_version() {
	local arch=${1:-$(dpkg --print-architecture 2>/dev/null || echo amd64)} d v
	if [ -n "${OGATE_KVER:-}" ]; then echo "$OGATE_KVER"; return; fi
	v=$(dpkg-query -W -f='${Depends}' "linux-image-$arch" 2>/dev/null |
		grep -o 'linux-image-[^ ,]*' | head -1 | sed 's/^linux-image-//')
	if [ -n "$v" ] && [ -f "/boot/vmlinuz-$v" ] && [ -e "/lib/modules/$v/build" ]; then
		echo "$v"; return
	fi
	v=$(uname -r)
	if [ -f "/boot/vmlinuz-$v" ] && [ -e "/lib/modules/$v/build" ]; then echo "$v"; return; fi
	for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
		v=$(basename "$(dirname "$d")")
		if [ -f "/boot/vmlinuz-$v" ]; then echo "$v"; return; fi
	done
}

vm_run() {
	local name=$1 timeout=$2 console=$3 output=$4 qlog=$5 try rc
	shift 6
	for try in 1 2; do
		: >"$output"
		timeout --foreground -k 5 "$timeout" "${VM_QEMU:-qemu-system-x86_64}" "$@" </dev/null >"$qlog" 2>&1 || true
		grep -q '^OGATE-VM-RESULT' "$output" && break
		if [ $try = 1 ]; then
			echo "# $name: no result marker from the guest; retrying once" >&2
		else
			tail -n 40 "$console" >&2 || true
			tail -n 5 "$qlog" >&2 || true
			echo "not ok - guest produced no result marker (crash or hang); console: $console"
			return 3
		fi
	done
	grep -v '^OGATE-VM-RESULT' "$output" | tr -d '\r'
	rc=$(sed -n 's/^OGATE-VM-RESULT rc=\([0-9]*\).*/\1/p' "$output" | head -1)
	return "${rc:-1}"
}
