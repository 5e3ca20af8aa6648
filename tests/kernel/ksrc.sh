#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Extract the few files the tests need from Debian's linux-source tarball
# into build/ksrc (once): the kselftest harness headers and checkpatch.
# Prints the directory; exits 1 when no linux-source tarball is installed.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$top/build/ksrc
files=(tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
missing=0
for f in "${files[@]}"; do [ -f "$ksrc/$f" ] || missing=1; done
if [ $missing -eq 1 ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
	[ -n "$tarball" ] || { echo "linux-source tarball missing (install linux-source-6.1)" >&2; exit 1; }
	base=$(basename "$tarball" .tar.xz)
	mkdir -p "$ksrc"
	xz -T0 -dc "$tarball" | tar -x -C "$ksrc" --strip-components=1 "${files[@]/#/$base/}"
fi
echo "$ksrc"
