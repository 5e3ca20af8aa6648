#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Emulator throughput on a 4800-frame 128x128 stream (the issue's reference stream), and the
# trigger-time error ogate reaches on it (RMS, mean), and how well the live check follows it. Prints BENCH lines.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/bin/ogate-synth --out "$tmp/s" --size 128 --fps 80 --n-frames 4800 --period 0.42 --mod-period 7 >/dev/null
start=$(date +%s.%N)
build/bin/ogate-emulate "$tmp/s.npy" --timestamps "$tmp/s_timestamps.csv" --truth "$tmp/s_truth.csv" \
	--out "$tmp/o" --quiet --plots none
end=$(date +%s.%N)
j() { grep -oE "\"$1\": -?[0-9.]+" "$tmp/o/summary.json" | head -1 | awk '{print $2}'; }
echo "BENCH emulate.analysis_loop.128x128 $(j throughput_frames_per_s) frames/s"
awk -v a="$start" -v b="$end" 'BEGIN { printf "BENCH emulate.whole_run.128x128 %.0f frames/s\n", 4800 / (b - a) }'
echo "BENCH emulate.trigger_rms_error.T042 $(j rms_ms) ms"
mean=$(grep -oE '"trigger_error": \{[^}]*\}' "$tmp/o/summary.json" | grep -oE '"mean_ms": -?[0-9.]+' | awk '{print $2}')
echo "BENCH emulate.trigger_mean_error.T042 $mean ms"
echo "BENCH emulate.live_check_truth_correlation.T042 $(j live_check_truth_correlation) ratio"
