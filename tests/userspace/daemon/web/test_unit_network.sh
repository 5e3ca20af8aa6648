#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# systemd/ogated.service lets the web page listen and nothing more: Internet
# sockets allowed, IP traffic to and from loopback only; no privileged system
# calls (the control socket takes its group from Group=, without chown); and
# the unit's exposure (systemd-analyze security) no worse than 1.6, as before
# the web interface. TAP; run from the top of the tree.
set -u
unit=systemd/ogated.service
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; }
echo "1..6"
fams=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
if [[ " $fams " == *" AF_INET "* && " $fams " == *" AF_INET6 "* && " $fams " != *"AF_PACKET"* ]]; then
	ok "the unit allows AF_INET and AF_INET6 for the web page, and no raw sockets"
else not_ok "the unit allows AF_INET and AF_INET6 for the web page, and no raw sockets" "$fams"; fi
if grep -qx 'IPAddressDeny=any' "$unit"; then ok "IP traffic is denied by default"
else not_ok "IP traffic is denied by default"; fi
allow=$(sed -n 's/^IPAddressAllow=//p' "$unit" | tr '\n' ' ')
if [ "$allow" = "localhost " ]; then ok "only loopback is allowed (a drop-in widens it)"
else not_ok "only loopback is allowed (a drop-in widens it)" "IPAddressAllow: $allow"; fi
if grep -qx 'SystemCallFilter=~@privileged' "$unit"; then ok "privileged system calls (chown...) are refused"
else not_ok "privileged system calls (chown...) are refused"; fi
group=$(sed -n 's/^Group=//p' "$unit")
sock_group=$(sed -n 's/^socket_group *= *//p' systemd/ogated.conf.example)
if [ -n "$group" ] && [ "$group" = "$sock_group" ]; then
	ok "the service's group ($group) is the control socket's: no chown needed"
else not_ok "the service's group is the control socket's: no chown needed" "Group=$group, socket_group=$sock_group"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|@BINDIR@|/usr/bin|g" "$unit" > "$tmp/ogated.service"
if ! out=$(systemd-analyze security --offline=true "$tmp/ogated.service" 2>&1); then
	n=$((n + 1)); echo "ok $n - exposure at most 1.6 # SKIP systemd-analyze security --offline unavailable"
else
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for ogated.service: \([0-9.]*\).*/\1/p')
	if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 1.6) }'; then
		ok "exposure $level (at most 1.6)"
	else not_ok "exposure at most 1.6" "systemd-analyze says: ${level:-$(echo "$out" | tail -1)}"; fi
fi
