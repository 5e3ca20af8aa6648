#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# systemd/ogated.service: systemd-analyze verify accepts it (with its
# Documentation= man pages resolved from man/), it keeps the directives real
# time and the devices need, and `make install-daemon-ctl` installs the unit,
# the client, the man pages and the example config without overwriting an
# edited one. TAP output; run from the top of the tree.
set -u
unit=systemd/ogated.service
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- systemd-analyze verify
mkdir -p "$tmp/bin" "$tmp/man/man1" "$tmp/man/man5" "$tmp/man/man8" "$tmp/units"
printf '#!/bin/sh\nexit 0\n' > "$tmp/bin/ogated"
chmod 0755 "$tmp/bin/ogated"
cp man/ogate-client.1 "$tmp/man/man1/"
cp man/ogated.conf.5 "$tmp/man/man5/"
cp man/ogated.8 "$tmp/man/man8/"
sed "s|@BINDIR@|$tmp/bin|g" "$unit" > "$tmp/units/ogated.service"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' > "$tmp/units/probe.service"
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify accepts the unit" "systemd-analyze not installed (package systemd)"
elif ! out=$(systemd-analyze verify --man=no "$tmp/units/probe.service" 2>&1); then
	skip "systemd-analyze verify accepts the unit" \
		"systemd-analyze cannot verify even a trivial unit here: $(echo "$out" | head -1)"
elif out=$(MANPATH="$tmp/man" systemd-analyze verify "$tmp/units/ogated.service" 2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify accepts the unit and finds its man pages"
else
	mapfile -t lines <<< "$out"
	not_ok "systemd-analyze verify accepts the unit and finds its man pages" "${lines[@]}"
fi

# ---- directives that must be there, and those that must not
want=(
	"Type=notify" "Restart=on-failure" "RuntimeDirectory=ogate" "StateDirectory=ogate"
	"SupplementaryGroups=gpio video" "DeviceAllow=/dev/ogate0 rw" "DeviceAllow=char-gpiochip rw"
	"DeviceAllow=char-video4linux rw" "DeviceAllow=char-media rw" "DeviceAllow=char-dma_heap rw"
	"LimitMEMLOCK=infinity" "LimitRTPRIO=98" "ProtectSystem=strict" "ProtectHome=yes"
	"PrivateTmp=yes" "NoNewPrivileges=yes"
	"ExecStart=@BINDIR@/ogated --config /etc/ogate/ogated.conf"
)
for w in "${want[@]}"; do
	if grep -qxF "$w" "$unit"; then ok "unit has $w"; else not_ok "unit has $w"; fi
done
if grep -qE '^WatchdogSec=[1-9]' "$unit"; then ok "unit has a WatchdogSec"; else not_ok "unit has a WatchdogSec"; fi
for bad in '^RestrictRealtime=(yes|true|1)' '^PrivateDevices=(yes|true|1)' \
	   '^CPUSchedulingPolicy=(idle|batch)'; do
	if grep -qE "$bad" "$unit"; then not_ok "unit has no ${bad#^}" "$(grep -E "$bad" "$unit")"
	else ok "unit has no ${bad#^}"; fi
done

# ---- make install-daemon-ctl into a staging root, twice
dest="$tmp/root"
if ! out=$(make --no-print-directory install-daemon-ctl DESTDIR="$dest" PREFIX=/usr/local 2>&1); then
	mapfile -t lines <<< "$out"
	not_ok "install-daemon-ctl runs" "${lines[@]}"
else
	ok "install-daemon-ctl runs"
	for f in usr/local/bin/ogate-client usr/local/lib/systemd/system/ogated.service \
		 usr/local/share/man/man1/ogate-client.1 usr/local/share/man/man5/ogated.conf.5 \
		 usr/local/share/man/man8/ogated.8 etc/ogate/ogated.conf; do
		if [ -f "$dest/$f" ]; then ok "installs /$f"; else not_ok "installs /$f"; fi
	done
	if grep -qxF "ExecStart=/usr/local/bin/ogated --config /etc/ogate/ogated.conf" \
		"$dest/usr/local/lib/systemd/system/ogated.service" 2>/dev/null; then
		ok "installed unit runs /usr/local/bin/ogated"
	else
		not_ok "installed unit runs /usr/local/bin/ogated"
	fi
	echo "# edited by the operator" >> "$dest/etc/ogate/ogated.conf"
	make --no-print-directory install-daemon-ctl DESTDIR="$dest" PREFIX=/usr/local >/dev/null 2>&1
	if tail -1 "$dest/etc/ogate/ogated.conf" | grep -q "edited by the operator"; then
		ok "a second install keeps an existing /etc/ogate/ogated.conf"
	else
		not_ok "a second install keeps an existing /etc/ogate/ogated.conf"
	fi
fi
echo "1..$n"
exit $failed
