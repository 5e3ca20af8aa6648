#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The C/C++ sources follow .clang-format (TAP, one test per file): a file
# passes when clang-format would not change it. `make format` fixes them.
#
#   tests/style/check-format.sh [PATH...]   default: userspace bench tests/userspace
#
# clang-format's output differs between major versions; the style is pinned
# to Debian 12's clang-format 14 (clang-format-14, or a clang-format that is
# version 14). With no such binary the suite is skipped, saying so.
set -u
cd "$(dirname "$0")/../.."
cf=
for c in ${CLANG_FORMAT:-} clang-format-14 clang-format; do
	if command -v "$c" >/dev/null && "$c" --version | grep -q 'version 14\.'; then cf=$c; break; fi
done
if [ -z "$cf" ]; then
	echo "1..0 # SKIP no clang-format 14 (scripts/deps/style.txt)"
	exit 0
fi
[ $# -gt 0 ] || set -- userspace bench tests/userspace
mapfile -t files < <(find "$@" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) | sort)
echo "1..${#files[@]}"
n=0 rc=0 lines=0
for f in "${files[@]}"; do
	n=$((n + 1))
	d=$("$cf" --style=file "$f" | diff -u "$f" -)
	if [ -z "$d" ]; then
		echo "ok $n $f"
	else
		c=$(( $(grep -c '^-' <<<"$d") - 1 ))
		lines=$((lines + c))
		echo "not ok $n $f ($c lines differ; make format)"
		head -20 <<<"$d" | sed 's/^/#   /'
		rc=1
	fi
done
echo "# $lines lines would change"
exit $rc
