#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Compile the libcamera adapter against the public headers of other libcamera
# releases, generated from a libcamera git checkout (upstream or
# raspberrypi/libcamera), to catch API drift that Debian's 0.0.3 cannot show.
# Syntax and semantics only (g++ -fsyntax-only, same warnings as the build);
# nothing is linked or run. Not part of `make check`: it needs the checkout.
#
#   tests/camera/check-libcamera-api.sh LIBCAMERA_GIT_DIR [TAG...]
#
# Without TAGs: one tag per minor release from v0.0.3 on, plus the newest.
# Needs python3-yaml and python3-jinja2 (the generators of newer releases).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
repo=${1:?usage: $0 LIBCAMERA_GIT_DIR [TAG...]}
shift
tags=("$@")
if [ ${#tags[@]} -eq 0 ]; then
	mapfile -t tags < <(git -C "$repo" tag | grep -E '^v0\.[0-9]+\.[0-9]+$' | sort -V |
		awk -F. '$2 > 0 || $3 >= 3' | awk -F. '{k = $1 "." $2} {last[k] = $0; order[k] = NR}
			END {for (k in last) print order[k], last[k]}' | sort -n | cut -d' ' -f2)
	newest=$(git -C "$repo" describe --tags --abbrev=0 HEAD 2>/dev/null || true)
	[ -n "$newest" ] && [[ " ${tags[*]} " != *" $newest "* ]] && tags+=("$newest")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

gen_headers() {	# tag dir
	local tag=$1 d=$2 inc cg ver ma mi pa
	git -C "$repo" archive "$tag" include utils src/libcamera | tar -x -C "$d"
	inc=$d/include/libcamera
	cg=$d/utils/codegen
	[ -d "$cg" ] || cg=$d/utils
	ver=${tag#v}
	ver=${ver%%+*}
	IFS=. read -r ma mi pa <<<"$ver"
	sed -e "s/@LIBCAMERA_VERSION_MAJOR@/$ma/;s/@LIBCAMERA_VERSION_MINOR@/$mi/" \
		-e "s/@LIBCAMERA_VERSION_PATCH@/$pa/" "$inc/version.h.in" >"$inc/version.h"
	local src=$d/src/libcamera
	if grep -q -- '--mode' "$cg/gen-controls.py"; then	# 0.2 and newer
		local rng=() cy=() py=()
		[ -f "$src/control_ranges.yaml" ] && rng=(-r "$src/control_ranges.yaml")
		for y in control_ids_core control_ids_draft control_ids_rpi control_ids_debug control_ids; do
			[ -f "$src/$y.yaml" ] && cy+=("$src/$y.yaml")
		done
		for y in property_ids_core property_ids_draft property_ids; do
			[ -f "$src/$y.yaml" ] && py+=("$src/$y.yaml")
		done
		local ptmpl=$inc/property_ids.h.in
		[ -f "$ptmpl" ] || ptmpl=$inc/control_ids.h.in
		PYTHONPATH=$cg python3 "$cg/gen-controls.py" -o "$inc/control_ids.h" --mode controls \
			-t "$inc/control_ids.h.in" "${rng[@]}" "${cy[@]}"
		PYTHONPATH=$cg python3 "$cg/gen-controls.py" -o "$inc/property_ids.h" --mode properties \
			-t "$ptmpl" "${rng[@]}" "${py[@]}"
	else
		python3 "$cg/gen-controls.py" -o "$inc/control_ids.h" "$src/control_ids.yaml" \
			"$inc/control_ids.h.in"
		python3 "$cg/gen-controls.py" -o "$inc/property_ids.h" "$src/property_ids.yaml" \
			"$inc/property_ids.h.in"
	fi
	PYTHONPATH=$cg python3 "$cg/gen-formats.py" -o "$inc/formats.h" "$src/formats.yaml" \
		"$inc/formats.h.in" "$d/include/linux/drm_fourcc.h"
	{
		echo '#pragma once'
		for h in $(cd "$inc" && ls ./*.h | sort); do
			h=${h#./}
			[ "$h" = libcamera.h ] || echo "#include <libcamera/$h>"
		done
	} >"$inc/libcamera.h"
}

n=0
for tag in "${tags[@]}"; do
	n=$((n + 1))
	d=$work/$n
	mkdir -p "$d"
	if ! gen_headers "$tag" "$d" >"$d.log" 2>&1; then
		echo "not ok $n $tag # generating the headers failed"; sed 's/^/# /' "$d.log" | tail -5
		fail=1; continue
	fi
	if g++ -std=c++17 -fsyntax-only -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
		-I"$d/include" "$top/userspace/daemon/camera/libcamera_adapter.cpp" >"$d.log" 2>&1; then
		echo "ok $n adapter_compiles_against_libcamera_$tag"
	else
		echo "not ok $n adapter_compiles_against_libcamera_$tag"
		sed 's/^/# /' "$d.log" | head -20
		fail=1
	fi
done
echo "1..$n"
exit $fail
