# SPDX-License-Identifier: GPL-2.0 OR MIT
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

#   vimc_host_setup
#       checks what a vimc guest needs on the host and sets kver, kseries,
#       kdir (the guest kernel, its series and build tree), busybox (static)
#       and ipadir (libcamera's IPA folder with the vimc IPA); calls the
#       sourcing script's die() naming the package to install otherwise
vimc_host_setup() {
	kver=$(vimc_kernel_version)
	[ -n "$kver" ] || die "no kernel with image and headers next to its linux-source tarball (install linux-image-amd64 linux-headers-amd64 linux-source-6.1)"
	kseries=$(echo "$kver" | cut -d. -f1-2)
	kdir=/lib/modules/$kver/build
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (install qemu-system-x86)"
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q dynamically && busybox=""
	[ -x /bin/busybox ] && busybox=/bin/busybox
	[ -n "$busybox" ] || die "busybox (static) missing (install busybox-static)"
	ipadir=$(pkg-config --variable=libdir libcamera)/libcamera
	[ -f "$ipadir/ipa_vimc.so" ] || die "libcamera's vimc IPA missing (install libcamera-ipa)"
}

#   vimc_extract DEST
#       vimc's sources from /usr/src/linux-source-$kseries.tar.xz into DEST
#       (kept: nothing happens when DEST already has them)
vimc_extract() {
	local dest=$1 tarball base vdir tmp vfiles
	[ -f "$dest/vimc-core.c" ] && return 0
	tarball=/usr/src/linux-source-$kseries.tar.xz
	[ -f "$tarball" ] || die "$tarball missing (install linux-source-$kseries)"
	base=$(basename "$tarball" .tar.xz)
	tmp=$dest.x
	rm -rf "$dest" "$tmp"
	mkdir -p "$tmp"
	# Naming the files lets tar stop early (~3 s instead of ~40 s for the
	# whole tarball); a release with other files falls back to the directory.
	vdir=$base/drivers/media/test-drivers/vimc
	vfiles=(Makefile Kconfig vimc-capture.c vimc-common.c vimc-common.h vimc-core.c
		vimc-debayer.c vimc-lens.c vimc-scaler.c vimc-sensor.c vimc-streamer.c vimc-streamer.h)
	if ! xz -T0 -dc "$tarball" | tar -x -C "$tmp" --strip-components=1 --occurrence=1 \
		"${vfiles[@]/#/$vdir/}" 2>/dev/null; then
		xz -T0 -dc "$tarball" | tar -x -C "$tmp" --strip-components=1 "$vdir"
	fi
	mv "$tmp/drivers/media/test-drivers/vimc" "$dest"
	rm -rf "$tmp"
}

#   vimc_dep_modules VIMC_KO DEST
#       copies (decompressed) the modules VIMC_KO depends on into DEST, in
#       the order modprobe would insmod them for $kver, and sets the array
#       modorder to their file names in that order
vimc_dep_modules() {
	local ko=$1 dest=$2 dep cmd path name
	modorder=()
	for dep in $(/sbin/modinfo -F depends "$ko" | tr ',' ' '); do
		while read -r cmd path _; do
			[ "$cmd" = insmod ] || continue
			name=$(basename "$path")
			case " ${modorder[*]:-} " in *" ${name%%.ko*}.ko "*) continue ;; esac
			case "$path" in
			*.ko.xz) xz -dc "$path" >"$dest/${name%.xz}" ;;
			*.ko.zst) zstd -qdc "$path" >"$dest/${name%.zst}" ;;
			*) cp "$path" "$dest/" ;;
			esac
			modorder+=("${name%%.ko*}.ko")
		done < <(/sbin/modprobe -S "$kver" --show-depends "$dep")
	done
}

#   vimc_copy_runtime ROOT ELF...
#       copies into the guest's ROOT what the host's libcamera needs to run
#       ELF... on vimc: the vimc IPA (module, signature, proxy) from $ipadir,
#       its tuning data, every shared library the ELFs and the IPA link, and
#       the dynamic loader
vimc_copy_runtime() {
	local root=$1 f lib interp
	shift
	local elfs=("$@" "$ipadir/ipa_vimc.so")
	for f in "$ipadir/ipa_vimc.so" "$ipadir/ipa_vimc.so.sign" "$ipadir/vimc_ipa_proxy"; do
		[ -e "$f" ] || continue
		mkdir -p "$root$(dirname "$f")"
		cp "$f" "$root$f"
	done
	[ -x "$ipadir/vimc_ipa_proxy" ] && elfs+=("$ipadir/vimc_ipa_proxy")
	if [ -d /usr/share/libcamera/ipa/vimc ]; then
		mkdir -p "$root/usr/share/libcamera/ipa"
		cp -r /usr/share/libcamera/ipa/vimc "$root/usr/share/libcamera/ipa/"
	fi
	for lib in $(for f in "${elfs[@]}"; do ldd "$f"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	interp=$(readelf -l "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	mkdir -p "$root$(dirname "$interp")"
	cp -L "$interp" "$root$interp"
}
