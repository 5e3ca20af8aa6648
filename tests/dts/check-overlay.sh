#!/usr/bin/env bash
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
echo "1..9"
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
exit $fail
