#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The version lives in one place (the file VERSION): every program's --version
# prints "<program> <VERSION>" and exits 0, and ogate.pc carries the same version
# and the libraries a program linking libogate needs (-lm) in Libs.
set -u
cd "$(dirname "$0")/../../.."
want=$(cat VERSION)
progs=(ogated ogate-synth ogate-emulate ogatectl ogate-client ogate-stage ogate-camtest)
echo "1..$(( ${#progs[@]} + 2 ))"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
for p in "${progs[@]}"; do
	if [ ! -x "build/bin/$p" ]; then
		# ogate-camtest is built only where libcamera-dev is installed
		n=$((n + 1)); echo "ok $n ${p}_version_is_VERSION # SKIP build/bin/$p not built"; continue
	fi
	out=$("build/bin/$p" --version 2>&1); r=$?
	[ "$r" -eq 0 ] && [ "$out" = "$p $want" ]
	res $? "${p}_version_is_VERSION"
	[ "$r" -eq 0 ] && [ "$out" = "$p $want" ] || echo "#   got (exit $r): $out"
done
pc() { PKG_CONFIG_PATH=build/lib pkg-config "$@" ogate; }
[ "$(pc --modversion)" = "$want" ]
res $? pkgconfig_version_is_VERSION
[[ " $(pc --libs) " == *" -lm "* ]]
res $? pkgconfig_libs_include_lm
exit $rc
