#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate-client --wait SECONDS: a command sent while ogated is still starting
# (no socket yet) is answered once the socket exists; without --wait it fails
# at once with exit status 2; with --wait it gives up after about SECONDS.
set -u
cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
sock=$tmp/ogated.sock
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
echo "1..3"
n=0 rc=0
res() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; rc=1; fi; }

build/bin/ogate-client -s "$sock" status >/dev/null 2>&1
[ $? -eq 2 ]
res $? without_wait_a_missing_socket_fails_with_status_2

start=$(date +%s%N)
build/bin/ogate-client -s "$sock" --wait 1 status >/dev/null 2>&1; r=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $r -eq 2 ] && [ $ms -ge 900 ] && [ $ms -lt 5000 ]
res $? wait_gives_up_after_its_seconds
[ $r -eq 2 ] && [ $ms -ge 900 ] && [ $ms -lt 5000 ] || echo "#   exit $r after $ms ms"

# the daemon starts 1 s after the client
( sleep 1; exec build/bin/ogated --config /dev/null --set daemon.socket="$sock" \
	--set daemon.socket_group= --set output.dryrun_file="$tmp/pulses.csv" ) >"$tmp/log" 2>&1 &
pid=$!
out=$(build/bin/ogate-client -s "$sock" --wait 20 status 2>&1); r=$?
[ $r -eq 0 ] && grep -qE '^state=(running|stopped)$' <<<"$out"
res $? wait_answers_once_the_daemon_has_started
[ $r -eq 0 ] || { echo "#   exit $r: $out"; sed 's/^/#   /' "$tmp/log"; }
exit $rc
