#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Compile the Raspberry Pi overlay with dtc, apply it to a minimal base tree
# with fdtoverlay, and check the properties the driver and firmware read.
set -u
cd "$(dirname "$0")/../.."
out=build/dts
mkdir -p "$out"
n=0 fail=0
check() { # name, command...
	local name=$1; shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then echo "ok $n $name"; else echo "not ok $n $name"; fail=1; fi
}
eq() { [ "$1" = "$2" ] || { echo "# expected '$2', got '$1'" >&2; return 1; }; }
if ! command -v dtc >/dev/null || ! command -v fdtoverlay >/dev/null; then
	echo "1..0 # SKIP dtc/fdtoverlay missing (install device-tree-compiler)"; exit 0
fi
# Debian's own Raspberry Pi device trees (from its arm64 6.12 kernel package,
# unpacked by tests/kernel/kernels.sh) when they can be had
pidtbs=""
if [ -z "${OGATE_NO_PI_DTBS:-}" ]; then
	# shellcheck source=tests/kernel/kernels.sh
	. tests/kernel/kernels.sh
	rel=$(kernels_release 6.12-arm64 2>/dev/null || true)
	if [ -n "$rel" ] && kernels_image "$rel" >/dev/null 2>&1; then
		pidtbs=$KERNELS_CACHE/$rel/usr/lib/linux-image-$rel/broadcom
	fi
fi
echo "1..13"
check overlay_compiles_without_warnings \
	bash -c "dtc -@ -q -I dts -O dtb -o $out/ogate.dtbo dts/ogate-overlay.dts 2>&1 | grep . && exit 1 || test -s $out/ogate.dtbo"
cat >"$out/base.dts" <<'DTS'
/dts-v1/;
/ { compatible = "brcm,bcm2711"; #address-cells = <1>; #size-cells = <1>;
    soc { gpio: gpio@7e200000 { compatible = "brcm,bcm2711-gpio"; reg = <0x7e200000 0xb4>;
          gpio-controller; #gpio-cells = <2>; }; }; };
DTS
dtc -@ -q -I dts -O dtb -o "$out/base.dtb" "$out/base.dts"
check overlay_applies_to_a_pi_base_tree fdtoverlay -i "$out/base.dtb" -o "$out/merged.dtb" "$out/ogate.dtbo"
gpio_ph=$(fdtget -t u "$out/merged.dtb" /soc/gpio@7e200000 phandle 2>/dev/null)
check node_is_compatible_ogate eq "$(fdtget "$out/merged.dtb" /ogate compatible)" "ogate,ogate"
check trigger_gpios_default_pins_17_and_22 eq "$(fdtget -t u "$out/merged.dtb" /ogate trigger-gpios)" "$gpio_ph 17 0 $gpio_ph 22 0"
check frame_gpios_default_pin_27 eq "$(fdtget -t u "$out/merged.dtb" /ogate frame-gpios)" "$gpio_ph 27 0"
check line_names_present eq "$(fdtget "$out/merged.dtb" /ogate trigger-names)" "laser camera"
check pinctrl_matches_pins eq "$(fdtget -t u "$out/merged.dtb" /soc/gpio@7e200000/ogate_pins brcm,pins)" "17 22 27"
ovr=$(fdtget -p "$out/ogate.dtbo" /__overrides__ | sort | tr '\n' ' ')
check overrides_declared eq "$ovr" "frame_falling_edge frame_pin frame_pull trigger2_pin trigger_active_low trigger_name trigger_pin "
# trigger_pin must patch the pin cell of trigger-gpios (byte offset 4) and brcm,pins[0]
check trigger_pin_override_targets_pin_cells \
	bash -c "fdtget -t s $out/ogate.dtbo /__overrides__ trigger_pin | tr '\0' '\n' | grep -q 'trigger-gpios:4'"
# The overlay on Debian's real Pi 4 and Pi 5 trees: trigger-gpios must point
# at the node the base tree labels "gpio".
applies_to() { # dtb, out
	fdtoverlay -i "$1" -o "$2" "$out/ogate.dtbo" &&
	gp=$(fdtget "$2" /__symbols__ gpio) &&
	ph=$(fdtget -t u "$2" "$gp" phandle) &&
	eq "$(fdtget -t u "$2" /ogate trigger-gpios)" "$ph 17 0 $ph 22 0" &&
	eq "$(fdtget "$2" /ogate compatible)" "ogate,ogate"
}
if [ -n "$pidtbs" ] && [ -f "$pidtbs/bcm2711-rpi-4-b.dtb" ]; then
	check overlay_applies_to_debian_bcm2711_rpi_4_b applies_to "$pidtbs/bcm2711-rpi-4-b.dtb" "$out/rpi4.dtb"
	check pi4_pins_muxed_in_the_soc_gpio_node \
		eq "$(fdtget -t u "$out/rpi4.dtb" "$(fdtget "$out/rpi4.dtb" /__symbols__ gpio)/ogate_pins" brcm,pins)" "17 22 27"
	# Debian's mainline 6.12 Pi 5 tree does not describe RP1, the Pi 5's
	# header GPIO, so it has no "gpio" label; Pi OS's firmware tree labels
	# RP1's GPIO block "gpio". Give the real tree that label (on its GPIO
	# node) and apply the overlay to everything else as it is.
	cp "$pidtbs/bcm2712-rpi-5-b.dtb" "$out/rpi5-base.dtb"
	check debian_bcm2712_rpi_5_b_has_no_rp1_gpio_label \
		bash -c "! fdtget $out/rpi5-base.dtb /__symbols__ gpio"
	fdtput -t s "$out/rpi5-base.dtb" /__symbols__ gpio "$(fdtget "$out/rpi5-base.dtb" /__symbols__ gio_aon)"
	check overlay_applies_to_debian_bcm2712_rpi_5_b_with_a_gpio_label applies_to "$out/rpi5-base.dtb" "$out/rpi5.dtb"
else
	for t in overlay_applies_to_debian_bcm2711_rpi_4_b pi4_pins_muxed_in_the_soc_gpio_node \
		debian_bcm2712_rpi_5_b_has_no_rp1_gpio_label overlay_applies_to_debian_bcm2712_rpi_5_b_with_a_gpio_label; do
		n=$((n + 1)); echo "ok $n $t # SKIP Debian's arm64 kernel package unavailable"
	done
fi
exit $fail
