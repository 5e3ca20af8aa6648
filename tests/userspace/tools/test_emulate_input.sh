#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ogate-emulate as a new user meets it: odd input files, mismatched timestamps and truth, bad
# targets, crafted and cut-short TIFFs are refused with one line naming the value and what is
# allowed (exit 1 for files, 2 for options); a 4-D .npy with a size-1 axis is read as frames and
# said so; the plots have round ticks, a labelled target and the sign convention; the summary
# rates the error. Prints TAP. OGATE_BIN picks the programs (default build/bin).
set -u
cd "$(dirname "$0")/../../.." || exit 1
. tests/userspace/tools/emulate_tap.sh
# run EMULATE-ARGS...: sets $err (stderr) and $rc
run() { err=$("$EMU" "$@" 2>&1 >/dev/null); rc=$?; }

echo "1..17"
$BIN/ogate-synth --out "$tmp/s" --size 48 --fps 80 --n-frames 400 --period 0.42 --tif >/dev/null || exit 1
$BIN/ogate-synth --out "$tmp/l" --size 48 --fps 80 --n-frames 800 --period 0.42 >/dev/null || exit 1
$BIN/ogate-synth --out "$tmp/one" --size 48 --fps 80 --n-frames 1 --period 0.42 >/dev/null || exit 1

# le16 N / le32 N: little-endian bytes as printf escapes
le16() { printf '\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)); }
le32() { printf '%s%s' "$(le16 $(($1 & 65535)))" "$(le16 $((($1 >> 16) & 65535)))"; }
# npy_reshape SRC DST SHAPE: SRC's uint8 pixels under a new header shape
npy_reshape() {
	local hl dict pad
	hl=$(od -An -tu2 -j8 -N2 "$1" | tr -d ' ')
	dict="{'descr': '|u1', 'fortran_order': False, 'shape': $3, }"
	pad=$(( (64 - (10 + ${#dict} + 1) % 64) % 64 ))
	{ printf '\x93NUMPY\x01\x00'; printf "$(le16 $((${#dict} + pad + 1)))"; printf '%s%*s\n' "$dict" $pad ''
	  tail -c +$((10 + hl + 1)) "$1"; } > "$2"
}

npy_reshape "$tmp/s.npy" "$tmp/s4.npy" "(400, 1, 48, 48)"
run "$tmp/s4.npy" --fps 80 --out "$tmp/o4" --quiet --plots none
check four_d_npy_with_a_size1_axis_is_read_as_frames_and_said_so \
	"[ $rc = 0 ] && [[ \"\$err\" == *'(400, 1, 48, 48)'*'400 frames of 48 x 48'* ]] && grep -q '\"size\": \[48, 48\]' $tmp/o4/summary.json" "$err"
npy_reshape "$tmp/s.npy" "$tmp/s5.npy" "(4, 100, 48, 48)"
run "$tmp/s5.npy" --fps 80 --out "$tmp/o5" --quiet
check four_d_npy_with_two_real_axes_is_refused_naming_the_shape \
	"[ $rc = 1 ] && [[ \"\$err\" == *'(4, 100, 48, 48) has 4 axes'* ]]" "$err"

run "$tmp/one.npy" --fps 80 --out "$tmp/o1" --quiet
check one_frame_input_names_the_frame_count_not_the_plots \
	"[ $rc = 1 ] && [[ \"\$err\" == *'1 frame'* ]] && [[ \"\$err\" != *plots* ]]" "$err"

size=$(stat -c %s "$tmp/s.tif")
head -c $((size / 2)) "$tmp/s.tif" > "$tmp/half.tif"
run "$tmp/half.tif" --fps 80 --out "$tmp/oh" --quiet
check tiff_cut_in_the_middle_says_truncated_and_fails \
	"[ $rc = 1 ] && [[ \"\$err\" == *half.tif*truncated* ]] && [ ! -e $tmp/oh/summary.json ]" "$err"

run "$tmp/s.npy" --fps 80 --truth "$tmp/l_truth.csv" --out "$tmp/ot" --quiet
check truth_with_more_rows_than_frames_is_refused_with_both_counts \
	"[ $rc = 1 ] && [[ \"\$err\" == *'800 truth rows for 400 frames'* ]]" "$err"
head -301 "$tmp/s_truth.csv" > "$tmp/t300.csv"
run "$tmp/s.npy" --fps 80 --truth "$tmp/t300.csv" --out "$tmp/ot" --quiet
check truth_with_fewer_rows_than_frames_is_refused_with_both_counts \
	"[ $rc = 1 ] && [[ \"\$err\" == *'300 truth rows for 400 frames'* ]]" "$err"
run "$tmp/s.npy" --timestamps "$tmp/l_timestamps.csv" --out "$tmp/ot" --quiet
check timestamps_with_more_rows_than_frames_are_refused_with_both_counts \
	"[ $rc = 1 ] && [[ \"\$err\" == *'800 timestamps for 400 frames'* ]]" "$err"

run "$tmp/s.npy" --fps 80 --target-phase -0.5 --out "$tmp/op" --quiet
check negative_target_phase_is_refused_naming_the_value_and_range \
	"[ $rc = 2 ] && [[ \"\$err\" == *'-0.5'*'[0, 6.283185)'* ]]" "$err"
run "$tmp/s.npy" --fps 80 --target-phase 1 --target-frame 3 --out "$tmp/op" --quiet
check target_phase_and_target_frame_together_are_refused \
	"[ $rc = 2 ] && [[ \"\$err\" == *'--target-phase 1 and --target-frame 3'* ]]" "$err"
run "$tmp/s.npy" --fps 80 --target-frame 40 --out "$tmp/op" --quiet
check target_frame_beyond_the_reference_period_is_refused_naming_the_range \
	"[ $rc = 2 ] && [[ \"\$err\" == *'target frame 40'*'allowed [0, 3'*' frames'* ]] && [ ! -e $tmp/op/summary.json ]" "$err"

# 8 directories of 2^30 x 2^30 16-bit PackBits frames over one 1 KiB strip (1.9 KB in all)
{
	printf 'II*\0'; printf "$(le32 1032)"
	for ((i = 0; i < 512; i++)); do printf '\xc1\x00'; done
	for ((d = 0; d < 8; d++)); do
		printf "$(le16 9)"
		for e in "256 4 1073741824" "257 4 1073741824" "258 3 16" "259 3 32773" "262 3 1" "273 4 8" \
			 "277 3 1" "278 4 1073741824" "279 4 1024"; do
			set -- $e
			printf "$(le16 $1)$(le16 $2)$(le32 1)$(le32 $3)"
		done
		printf "$(le32 $((d < 7 ? 1032 + (d + 1) * 114 : 0)))"
	done
} > "$tmp/crafted.tif"
run "$tmp/crafted.tif" --fps 80 --out "$tmp/oc" --quiet
check crafted_tiff_with_wrapping_sizes_is_refused_without_a_crash \
	"[ $(stat -c %s $tmp/crafted.tif) = 1944 ] && [ $rc = 1 ] && [[ \"\$err\" == *'memory bound'* ]]" "rc=$rc $err"

run "$tmp/missing.tif" --fps 80 --out "$tmp/om" --quiet
check missing_tiff_says_so "[ $rc = 1 ] && [[ \"\$err\" == *'missing.tif: No such file or directory'* ]]" "$err"
mkdir "$tmp/dir.tif"
run "$tmp/dir.tif" --fps 80 --out "$tmp/om" --quiet
check directory_named_tiff_says_so "[ $rc = 1 ] && [[ \"\$err\" == *'dir.tif: Is a directory'* ]]" "$err"

# plots and the rating
run "$tmp/l.npy" --timestamps "$tmp/l_timestamps.csv" --truth "$tmp/l_truth.csv" --out "$tmp/ol"
# round_steps FILE ANCHOR: the tick labels (text-anchor ANCHOR, plain numbers) step by 1, 2 or 5 x 10^k
round_steps() {
	grep -oE "text-anchor=\"$2\">-?[0-9.]+</text>" "$1" | sed -E 's/.*>(-?[0-9.]+)<.*/\1/' | awk '
		{ v[NR] = $1 }
		END {
			if (NR < 3) exit 1
			for (i = 2; i <= NR; i++) {
				d = v[i] - v[i - 1]; if (d < 0) d = -d
				if (i > 2 && (d - d0 > 1e-9 * d0 || d0 - d > 1e-9 * d0)) exit 1
				d0 = d
			}
			m = d0; while (m >= 10) m /= 10; while (m < 1) m *= 10
			exit !(m > 0.999999 && m < 1.000001 || m > 1.999999 && m < 2.000001 || m > 4.999999 && m < 5.000001)
		}'
}
check histogram_and_phase_ticks_step_by_round_numbers \
	"round_steps $tmp/ol/histogram.svg middle && round_steps $tmp/ol/phase.svg middle"
check histogram_count_ticks_are_whole_numbers \
	"grep -oE 'text-anchor=\"end\">[0-9.]+</text>' $tmp/ol/histogram.svg | grep -q . && ! grep -oE 'text-anchor=\"end\">[0-9.]+</text>' $tmp/ol/histogram.svg | grep -q '\.'"
check plots_label_the_target_and_the_sign_convention \
	"grep -q '>target [0-9.]* rad<' $tmp/ol/phase.svg && grep -q 'positive = late' $tmp/ol/histogram.svg && grep -q '0 = on target' $tmp/ol/histogram.svg"
check summary_rates_the_error_in_ms_and_degrees_of_the_cycle \
	"grep -qE '\"rating\": \{\"from\": \"truth\", \"rms_ms\": [0-9.]+, \"rms_deg\": [0-9.]+, \"cycle_ms\": [0-9.]+, \"verdict\": \"(good|fair|poor)\"' $tmp/ol/summary.json && [[ \"\$err\" == *'ms = '*' deg of the '*' ms heart cycle: '* ]]" "$err"
exit $fail
