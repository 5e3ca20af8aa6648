#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# `make install` lays out the DKMS source tree, and Debian's dkms builds
# ogate.ko from that tree alone for Debian 12's default 6.1 and for 6.12
# (the Pi OS kernel series). dkms runs on private trees under build/, so the
# machine's own DKMS state is not touched.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/kernel/kernels.sh
. tests/kernel/kernels.sh
stage=$top/build/dkms-stage
rm -rf "$stage"
kernels=(default 6.12)
echo "1..$((2 + ${#kernels[@]}))"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
make -s DESTDIR="$stage" PREFIX=/usr install-kernel >/dev/null 2>&1
src=$(ls -d "$stage"/usr/src/ogate-* 2>/dev/null | head -1)
[ -n "$src" ] && [ -f "$src/dkms.conf" ] && [ -f "$src/include/uapi/ogate.h" ] &&
	[ -f "$src/kernel/ogate_compat.h" ] && [ -f "$stage/etc/udev/rules.d/99-ogate.rules" ]
res $? install_lays_out_dkms_tree_header_and_udev_rule
grep -q '^PACKAGE_VERSION="[0-9]' "$src/dkms.conf"
res $? dkms_conf_has_version_filled_in
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
mkdir -p "$stage/dkms"
for k in "${kernels[@]}"; do
	rel=$(kernels_release "$k")
	if ! command -v dkms >/dev/null; then
		echo "ok $((n += 1)) dkms_builds_module_for_$k # SKIP dkms missing"; continue; fi
	if [ -z "$rel" ] || ! kernels_headers "$rel" >/dev/null; then
		res 1 "dkms_builds_module_for_$k (no headers)"; continue; fi
	dkms build -m ogate -v "$ver" -k "$rel" --dkmstree "$stage/dkms" --sourcetree "$stage/usr/src" \
		>"$stage/dkms-$rel.log" 2>&1
	ls "$stage/dkms/ogate/$ver/$rel/"*/module/ogate.ko* >/dev/null 2>&1
	r=$?
	[ $r -eq 0 ] || sed 's/^/# /' "$stage/dkms-$rel.log" | tail -20
	res $r "dkms_builds_module_for_$rel"
done
exit $rc
