# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck shell=bash
# Debian kernels the module is built and tested on, found or fetched by
# release. Source it; it defines:
#
#   kernels_release NAME   the release for NAME: "default" (Debian 12's default,
#                          linux-image-amd64's 6.1), "6.12" or "6.12-rt" (the
#                          newest 6.12 / 6.12 PREEMPT_RT that Debian 12 offers,
#                          as linux-headers-6.12[-rt]-amd64 name it), "6.12-arm64"
#                          (the arm64 build of the same 6.12 release)
#   kernels_headers REL    the kbuild directory for REL (prints it), installing
#                          linux-headers-REL (amd64; it pulls its image) when
#                          missing, or for an arm64 REL unpacking the arm64
#                          headers with apt-get download + dpkg-deb -x under
#                          build/kernels/ (arm64 headers cannot be co-installed
#                          on amd64: their gcc-12:arm64 dependency would remove
#                          the host compiler); kernels_headers needs the arm64
#                          foreign architecture (scripts/install-deps.sh adds it)
#   kernels_image REL      the kernel image (vmlinuz) for REL, fetched the same way
#   kernels_arch REL       amd64 or arm64
#   kernels_unpack_arm64 PKG DIR
#                          unpack the arm64 package PKG into DIR (apt-get download,
#                          cached under build/kernels/debs), once
#
# Everything is printed on stdout; progress and errors go to stderr.

KERNELS_TOP=${KERNELS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KERNELS_CACHE=${KERNELS_CACHE:-$KERNELS_TOP/build/kernels}

_kernels_apt() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 -q -y \
		--no-install-recommends "$@" >&2
}

_kernels_dep() { # meta package -> the release it depends on (installed, else candidate)
	local deps
	deps=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null || true)
	[ -n "$deps" ] || deps=$(apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: //p')
	echo "$deps" | grep -oE 'linux-(image|headers)-[0-9][^ ,:]*' | head -1 | sed -E 's/^linux-(image|headers)-//'
}

kernels_release() {
	local r
	case "$1" in
	default) _kernels_dep linux-image-amd64 ;;
	6.12) _kernels_dep linux-headers-6.12-amd64 ;;
	6.12-rt) _kernels_dep linux-headers-6.12-rt-amd64 ;;
	6.12-arm64)
		r=$(_kernels_dep linux-headers-6.12-amd64)
		[ -n "$r" ] && echo "${r%-amd64}-arm64" ;;
	*) echo "kernels_release: unknown name $1" >&2; return 1 ;;
	esac
}

kernels_arch() { case "$1" in *-arm64) echo arm64 ;; *) echo amd64 ;; esac; }

# Unpack package PKG (arch arm64) into the cache root for REL, once.
_kernels_unpack() {
	local rel=$1 pkg=$2 root=$KERNELS_CACHE/$1 dl
	[ -f "$root/.$pkg" ] && return 0
	mkdir -p "$root" "$KERNELS_CACHE/debs"
	dl=$(ls "$KERNELS_CACHE/debs/${pkg}_"*_arm64.deb 2>/dev/null | head -1 || true)
	if [ -z "$dl" ]; then
		(cd "$KERNELS_CACHE/debs" && apt-get download -q "$pkg:arm64" >&2 2>/dev/null) ||
			{ echo "kernels: cannot download $pkg:arm64 (dpkg --add-architecture arm64; apt-get update)" >&2
			  return 1; }
		dl=$(ls "$KERNELS_CACHE/debs/${pkg}_"*_arm64.deb | head -1)
	fi
	dpkg-deb -x "$dl" "$root" && touch "$root/.$pkg"
}

kernels_headers() {
	local rel=$1 v root
	if [ "$(kernels_arch "$rel")" = amd64 ]; then
		if [ ! -e "/lib/modules/$rel/build/Makefile" ]; then
			echo "kernels: installing linux-headers-$rel" >&2
			_kernels_apt install "linux-headers-$rel" || return 1
		fi
		echo "/lib/modules/$rel/build"
		return 0
	fi
	v=${rel%-arm64}
	root=$KERNELS_CACHE/$rel
	# the arm64 headers use the host's (Multi-Arch: foreign) kbuild tools and
	# the architecture-independent common headers of the same release
	if [ ! -d "/usr/lib/linux-kbuild-$v" ] || [ ! -d "/usr/src/linux-headers-$v-common" ]; then
		echo "kernels: installing linux-kbuild-$v linux-headers-$v-common" >&2
		_kernels_apt install "linux-kbuild-$v" "linux-headers-$v-common" || return 1
	fi
	_kernels_unpack "$rel" "linux-headers-$rel" || return 1
	mkdir -p "$root/usr/lib"
	ln -sfn "/usr/lib/linux-kbuild-$v" "$root/usr/lib/linux-kbuild-$v"
	echo "$root/usr/src/linux-headers-$rel"
}

kernels_image() {
	local rel=$1
	if [ "$(kernels_arch "$rel")" = amd64 ]; then
		if [ ! -f "/boot/vmlinuz-$rel" ]; then
			echo "kernels: installing linux-image-$rel" >&2
			_kernels_apt install "linux-image-$rel" || return 1
		fi
		echo "/boot/vmlinuz-$rel"
		return 0
	fi
	_kernels_unpack "$rel" "linux-image-$rel" ||
		_kernels_unpack "$rel" "linux-image-$rel-unsigned" || return 1
	echo "$KERNELS_CACHE/$rel/boot/vmlinuz-$rel"
}

kernels_unpack_arm64() {
	local pkg=$1 dir=$2 dl
	[ -f "$dir/.$pkg" ] && return 0
	mkdir -p "$dir" "$KERNELS_CACHE/debs"
	dl=$(ls "$KERNELS_CACHE/debs/${pkg}_"*_arm64.deb 2>/dev/null | head -1 || true)
	if [ -z "$dl" ]; then
		(cd "$KERNELS_CACHE/debs" && apt-get download -q "$pkg:arm64" >&2 2>/dev/null) ||
			{ echo "kernels: cannot download $pkg:arm64" >&2; return 1; }
		dl=$(ls "$KERNELS_CACHE/debs/${pkg}_"*_arm64.deb | head -1)
	fi
	dpkg-deb -x "$dl" "$dir" && touch "$dir/.$pkg"
}
