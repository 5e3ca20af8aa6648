#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Every command the running daemon lists in its "help" reply is named by
# `ogate-client --help` and by man/ogate-client.1.
set -u
cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
sock=$tmp/ogated.sock
build/bin/ogated --config /dev/null --set daemon.socket="$sock" --set daemon.socket_group= \
	--set output.dryrun_file="$tmp/pulses.csv" >"$tmp/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cmds=$(build/bin/ogate-client -s "$sock" --wait 20 help | sed -n '2,$p' | grep -v '^\.$' | awk '{print $1}')
if [ -z "$cmds" ]; then
	echo "1..1"; echo "not ok 1 daemon_lists_its_commands"; sed 's/^/#   /' "$tmp/log"; exit 1
fi
usage=$(build/bin/ogate-client --help)
echo "1..$(( $(wc -w <<<"$cmds") * 2 ))"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }
for c in $cmds; do
	grep -qE "(^|[ ,])$c([ ,]|$)" <<<"$usage"
	res $? "ogate_client_help_names_$c"
	grep -qF "\\fB$c" man/ogate-client.1
	res $? "man_ogate_client_names_$c"
done
exit $rc
