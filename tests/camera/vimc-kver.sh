# shellcheck shell=bash
# Source it (after tests/vm/vm.sh). vimc is built from Debian's linux-source
# tarball, so the guest kernel must be of that tarball's series: Debian 12's
# default 6.1 next to linux-source-6.1, even when newer kernels (6.12 from
# backports, -rt) are installed for other suites.
#
#   vimc_kernel_version
#       OGATE_KVER when set; else the newest kernel with image and headers
#       whose series has /usr/src/linux-source-SERIES.tar.xz; else nothing
vimc_kernel_version() {
	local d v series
	if [ -n "${OGATE_KVER:-}" ]; then echo "$OGATE_KVER"; return; fi
	for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
		v=$(basename "$(dirname "$d")")
		series=$(echo "$v" | cut -d. -f1-2)
		if [ -f "/boot/vmlinuz-$v" ] && [ -f "/usr/src/linux-source-$series.tar.xz" ]; then
			echo "$v"
			return
		fi
	done
}
