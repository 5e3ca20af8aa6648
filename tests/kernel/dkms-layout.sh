#!/usr/bin/env bash
# `make install` lays out the DKMS source tree, and dkms.conf's MAKE line,
# run as DKMS runs it, builds ogate.ko from that tree alone.
set -u
cd "$(dirname "$0")/../.."
kver=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -1 | xargs -r dirname | xargs -r basename)
if [ -z "$kver" ]; then echo "1..0 # SKIP no kernel headers installed"; exit 0; fi
stage=$PWD/build/dkms-stage
rm -rf "$stage"
echo "1..3"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
make -s DESTDIR="$stage" PREFIX=/usr install-kernel >/dev/null 2>&1
src=$(ls -d "$stage"/usr/src/ogate-* 2>/dev/null | head -1)
[ -n "$src" ] && [ -f "$src/dkms.conf" ] && [ -f "$src/include/uapi/ogate.h" ] && [ -f "$stage/etc/udev/rules.d/99-ogate.rules" ]
res $? install_lays_out_dkms_tree_header_and_udev_rule
# DKMS copies the source tree to $dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build
dkms_tree=$stage/var/lib/dkms
kernel_source_dir=/lib/modules/$kver/build
# shellcheck disable=SC1091
. "$src/dkms.conf"
mkdir -p "$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION"
cp -r "$src" "$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build"
(cd "$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build" && eval "${MAKE[0]}") >"$stage/make.log" 2>&1
[ -f "$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build/${BUILT_MODULE_LOCATION[0]}${BUILT_MODULE_NAME[0]}.ko" ]
res $? dkms_make_line_builds_module_for_$kver
grep -q '^PACKAGE_VERSION="[0-9]' "$src/dkms.conf"
res $? dkms_conf_has_version_filled_in
exit $rc
