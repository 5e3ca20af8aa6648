#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate.ko (and its test bed) build with W=1 and zero warnings for every
# kernel users run: Debian 12's default 6.1 (amd64), the newest Debian 12
# 6.12 and 6.12 PREEMPT_RT (amd64), and the same 6.12 for arm64 (the Pi's
# architecture, cross-compiled with gcc-aarch64-linux-gnu). Each build runs
# in its own copy of the sources under build/kmatrix/ so builds for one
# kernel never see objects of another.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck source=tests/kernel/kernels.sh
. tests/kernel/kernels.sh
names=(default 6.12 6.12-rt 6.12-arm64)
echo "1..$((${#names[@]} * 2))"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
for name in "${names[@]}"; do
	rel=$(kernels_release "$name")
	arch=$(kernels_arch "${rel:-x-$name}")
	want=x86-64; [ "$arch" = arm64 ] && want=aarch64
	if [ -z "$rel" ] || ! kdir=$(kernels_headers "$rel"); then
		res 1 "headers_available_for_$name"
		res 1 "module_arch_and_vermagic_$name"
		continue
	fi
	out=build/kmatrix/$rel
	rm -rf "$out"
	mkdir -p "$out/include"
	cp -r kernel "$out/"
	cp -r include/uapi "$out/include/"
	cp -r tests/kernel/testbed "$out/"
	log=$out/build.log
	start=$SECONDS
	ok=0
	{ make -C "$kdir" M="$top/$out/kernel" W=1 modules &&
	  make -C "$kdir" M="$top/$out/testbed" W=1 modules; } >"$log" 2>&1 || ok=1
	if [ $ok -eq 0 ] && grep -E 'warning:|error:' "$log" >/dev/null; then ok=1; fi
	[ $ok -eq 0 ] || sed 's/^/# /' "$log" | grep -E 'warning|error|Error' | head -20
	res $ok "module_builds_w1_clean $rel ($arch, $((SECONDS - start)) s)"
	vermagic=$(modinfo -F vermagic "$out/kernel/ogate.ko" 2>/dev/null | cut -d' ' -f1)
	file -b "$out/kernel/ogate.ko" 2>/dev/null | grep -q "$want" && [ "$vermagic" = "$rel" ]
	res $? "module_arch_and_vermagic $rel ($want, $vermagic)"
done
exit $rc
