#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The NEON SAD back end is only built on ARM; on other hosts, check that it compiles for
# aarch64 and armv7 with clang's cross targets (compiling is the test; it cannot run here).
cd "$(dirname "$0")/../../.." || exit 1
if ! command -v clang >/dev/null 2>&1; then
	echo "1..0 # SKIP no clang for an ARM cross syntax check"
	exit 0
fi
echo "1..2"
n=0
for t in "aarch64-linux-gnu" "armv7a-linux-gnueabihf -mfpu=neon -mfloat-abi=hard"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	if clang --target=$t -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iuserspace/lib/include \
		-Iuserspace/lib -fsyntax-only userspace/lib/sad_neon.c; then
		echo "ok $n sad_neon_compiles_for_${t%% *}"
	else
		echo "not ok $n sad_neon_compiles_for_${t%% *}"
	fi
done
