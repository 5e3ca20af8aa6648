#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Install the Debian packages ogate needs to build, test and run its VM suite,
# but only those that are missing. Lists live in scripts/deps/*.txt (one package
# per line, '#' comments), one file per component, so each part states its own needs.
#   scripts/install-deps.sh [all]   every list (what `make check` needs)
#   scripts/install-deps.sh demo    only what `make demo` needs: base.txt and analysis.txt
set -eu
cd "$(dirname "$0")/.."
case "${1:-all}" in
all) lists=" $(echo scripts/deps/*.txt) " ;;
demo) lists=" scripts/deps/base.txt scripts/deps/analysis.txt " ;;
*) echo "usage: scripts/install-deps.sh [all|demo]" >&2; exit 2 ;;
esac
arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
want=()
foreign=()
for f in scripts/deps/*.txt; do
	[[ "$lists" == *" $f "* ]] || continue
	while read -r pkg arches; do
		case "$pkg" in ''|'#'*) continue ;; esac
		# "@foreign-architecture ARCH": apt must know ARCH (to download its packages)
		if [ "$pkg" = @foreign-architecture ]; then foreign+=("$arches"); continue; fi
		# optional second column: architectures the package applies to
		if [ -n "${arches:-}" ] && [[ " $arches " != *" $arch "* ]]; then continue; fi
		want+=("$pkg")
	done < "$f"
done
# Add each foreign architecture once (idempotent), then refresh apt's lists.
added=()
for a in ${foreign[@]+"${foreign[@]}"}; do
	[ "$a" = "$arch" ] && continue
	dpkg --print-foreign-architectures | grep -qx "$a" || added+=("$a")
done
if [ ${#added[@]} -gt 0 ]; then
	echo "install-deps: adding foreign architecture(s) ${added[*]}"
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	for a in "${added[@]}"; do $sudo dpkg --add-architecture "$a"; done
	$sudo apt-get -o DPkg::Lock::Timeout=900 update -q
fi
missing=()
for pkg in "${want[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then sudo=sudo; else
		echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
