# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sourced by the ogate-emulate suites here (test_emulate_*.sh), from the repository's root: the
# programs (OGATE_BIN, default build/bin; EMU the emulator), a scratch directory $tmp removed on
# exit, and TAP: ok NAME, notok NAME [DETAIL] (sets fail=1), check NAME TEST [DETAIL] (TEST is
# eval'ed). The suite prints its plan and exits with $fail.
BIN=${OGATE_BIN:-build/bin}
EMU=$BIN/ogate-emulate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n $1"; [ -n "${2:-}" ] && printf '# %s\n' "$2"; }
check() { if eval "$2"; then ok "$1"; else notok "$1" "${3:-}"; fi; }
