#!/usr/bin/env bash
# The module and the test bed are checkpatch-clean (the kernel's own
# scripts/checkpatch.pl from Debian's linux-source, extracted at test time).
set -u
cd "$(dirname "$0")/../.."
cp=build/ksrc/scripts/checkpatch.pl
if [ ! -f "$cp" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
	if [ -z "$tarball" ]; then echo "1..0 # SKIP linux-source missing"; exit 0; fi
	base=$(basename "$tarball" .tar.xz)
	mkdir -p build/ksrc
	xz -T0 -dc "$tarball" | tar -x -C build/ksrc --strip-components=1 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" "$base/scripts/const_structs.checkpatch"
fi
files=(kernel/ogate.c tests/kernel/testbed/ogate_testbed.c)
echo "1..${#files[@]}"
i=0 rc=0
for f in "${files[@]}"; do
	i=$((i + 1))
	if out=$(perl "$cp" --no-tree --strict -q -f "$f" 2>&1) && [ -z "$out" ]; then
		echo "ok $i checkpatch_strict_clean $f"
	else
		echo "$out" | sed 's/^/# /'; echo "not ok $i checkpatch_strict_clean $f"; rc=1
	fi
done
exit $rc
