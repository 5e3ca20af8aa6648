#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Every C/C++ source and header starts with the one SPDX line of its place
# (TAP, one test per file; CONTRIBUTING.md, "Licence"):
#   kernel/, tests/kernel/testbed/,  GPL-2.0                      (the kernel's)
#   tests/chain/vimc-heart/
#   include/uapi/                    GPL-2.0 WITH Linux-syscall-note OR MIT
#   tests/kernel/ (other files)      GPL-2.0 (built on the kernel's kselftest
#                                    harness) or GPL-2.0 OR MIT
#   everything else                  GPL-2.0 OR MIT
# as "// SPDX-License-Identifier: ..." in .c/.cpp and "/* ... */" in .h; shell and Python
# scripts carry "# SPDX-License-Identifier: ..." as their first line, or their second after "#!".
#
#   tests/style/check-spdx.sh [PATH...]   default: the whole tree
set -u
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- userspace kernel include tests bench scripts .ci
mapfile -t files < <(find "$@" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \
	-o -name '*.sh' -o -name '*.py' -o -path '.ci/run' \) -not -path '*/build/*' \
	-not -name '*.mod.c' -not -path '*/__pycache__/*' | sort)
echo "1..${#files[@]}"
n=0 rc=0 bad=0
for f in "${files[@]}"; do
	n=$((n + 1))
	case "$f" in
	kernel/* | tests/kernel/testbed/* | tests/chain/vimc-heart/*) lic='GPL-2.0' ;;
	include/uapi/*) lic='GPL-2.0 WITH Linux-syscall-note OR MIT' ;;
	*) lic='GPL-2.0 OR MIT' ;;
	esac
	alt=
	case "$f" in tests/kernel/*) alt='GPL-2.0' ;; esac
	got=$(head -1 "$f")
	case "$f" in
	*.h) want="/* SPDX-License-Identifier: $lic */" ;;
	*.sh | *.py | .ci/run)
		want="# SPDX-License-Identifier: $lic"
		case "$got" in '#!'*) got=$(sed -n 2p "$f") ;; esac
		;;
	*) want="// SPDX-License-Identifier: $lic" ;;
	esac
	if [ "$got" = "$want" ] || { [ -n "$alt" ] && [ "$got" = "${want/"$lic"/$alt}" ]; }; then
		echo "ok $n $f"
	else
		echo "not ok $n $f"
		echo "#   line 1: $got"
		echo "#   wanted: $want"
		rc=1 bad=$((bad + 1))
	fi
done
echo "# $bad of ${#files[@]} files differ"
exit $rc
