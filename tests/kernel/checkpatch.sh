#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The module and the test bed are checkpatch-clean (the kernel's own
# scripts/checkpatch.pl from Debian's linux-source, extracted at test time).
set -u
cd "$(dirname "$0")/../.."
if ! ksrc=$(tests/kernel/ksrc.sh 2>/dev/null); then echo "1..0 # SKIP linux-source missing"; exit 0; fi
cp=$ksrc/scripts/checkpatch.pl
files=()
for f in kernel/*.c kernel/*.h tests/kernel/testbed/ogate_testbed.c; do
	case "$f" in *.mod.c) ;; *) files+=("$f") ;; esac	# skip kbuild's generated files
done
echo "1..${#files[@]}"
i=0 rc=0
for f in "${files[@]}"; do
	i=$((i + 1))
	extra=()
	# the compat header exists to test LINUX_VERSION_CODE (and nothing else does)
	[ "$f" = kernel/ogate_compat.h ] && extra=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
	if out=$(perl "$cp" --no-tree --strict -q "${extra[@]}" -f "$f" 2>&1) && [ -z "$out" ]; then
		echo "ok $i checkpatch_strict_clean $f"
	else
		echo "$out" | sed 's/^/# /'; echo "not ok $i checkpatch_strict_clean $f"; rc=1
	fi
done
exit $rc
