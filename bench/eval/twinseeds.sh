#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Is the automatic target's choice stable? A diagnostic, not part of make check.
#
# usage: bench/eval/twinseeds.sh ROW SEED...      (ROW: a row name of any bench/eval/*.txt)
#   BIN=DIR      the ogate-synth and ogate-emulate to use (default build/bin)
#   PREDICTORS   default "kalman linear"
#
# For each seed: the row's stream and its noise-free twin (same seed, --noise 0: the same heart,
# drift and start phase), both run with default settings. Prints, per seed, the true heart phase
# of the noisy run's target minus the twin's in frames of the beat (the twin's one-frame change
# profile is the reference choice: where the image changes fastest), and the trigger RMS of each
# run (ms). A shift of many frames on some seeds means the noise chose the target there
# (docs/accuracy-log.md, "Small noisy slow hearts" and "Two change peaks").
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
PREDS=${PREDICTORS:-kalman linear}
[ $# -ge 2 ] || { sed -n 2,12p "$0" >&2; exit 2; }
name=$1; shift
row=$(grep -h "^$name " bench/eval/*.txt | head -1 | sed 's/#.*//')
[ -n "$row" ] || { echo "twinseeds: no row $name in bench/eval/*.txt" >&2; exit 2; }
seeds=("$@")
# shellcheck disable=SC2086
set -- $row
model=$2 size=$3 fps=$4 per=$5 ma=$6 mp=$7 jit=$8 dy=$9 dx=${10} noise=${11} psi0=${12} secs=${13}
src=${14:-34.282163}	# the real model's source period, as eval.sh
# columns 16-17 (synth's --drift, --mod-phase) as eval.sh reads them; column 15 (an explicit target)
# is left out: this script studies the automatic target
rate=()
[ $# -gt 15 ] && rate=(--drift "${16}")
[ $# -gt 16 ] && rate+=(--mod-phase "${17}")
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
n=$(awk -v f="$fps" -v s="$secs" 'BEGIN { printf "%d", f * s }')
printf '%-6s %8s' seed shift_fr
for p in $PREDS; do printf ' %9s %9s' "${p}_ms" twin_ms; done
echo
for seed in "${seeds[@]}"; do
	for nz in "$noise" 0; do
		o=$dir/s${seed}_$nz
		"$BIN/ogate-synth" --out "$o" --model "$model" --size "$size" --fps "$fps" --n-frames "$n" \
			--period "$per" --mod-amp "$ma" --mod-period "$mp" --ts-jitter "$jit" \
			--xy-drift "$dy" "$dx" --noise "$nz" --psi0 "$psi0" --ref-period "$src" "${rate[@]}" \
			--seed "$seed" >/dev/null
		for p in $PREDS; do
			"$BIN/ogate-emulate" "$o.npy" --timestamps "${o}_timestamps.csv" --truth "${o}_truth.csv" \
				--out "${o}_$p" --predictor "$p" --plots none --quiet 2>/dev/null ||
				echo "twinseeds: seed $seed noise $nz ($p) failed" >&2
		done
		rm -f "$o.npy"
	done
	# shellcheck disable=SC2086
	python3 - "$dir" "$seed" "$noise" $PREDS <<'PY'
import csv, json, math, sys
d, seed, noise, preds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def place(o, p):
    s = json.load(open(f"{o}_{p}/summary.json"))
    if not s.get("locked"):
        return None
    r = s["reference"]
    psi = [float(x["psi_rad"]) for x in csv.DictReader(open(f"{o}_truth.csv"))]
    x = r["first_frame"] + r["target_u"]
    i = int(x)
    return psi[i] + (x - i) * (psi[i + 1] - psi[i]), r["period_frames"], s["trigger_error"]["rms_ms"]
wrap = lambda a, P: ((a + math.pi) % (2 * math.pi) - math.pi) * P / (2 * math.pi)
a, b = place(f"{d}/s{seed}_{noise}", preds[0]), place(f"{d}/s{seed}_0", preds[0])
line = f"{seed:6s} " + (f"{wrap(a[0] - b[0], a[1]):+8.1f}" if a and b else f"{'-':>8s}")
for p in preds:
    a, b = place(f"{d}/s{seed}_{noise}", p), place(f"{d}/s{seed}_0", p)
    line += f" {a[2] if a else float('nan'):9.2f} {b[2] if b else float('nan'):9.2f}"
print(line)
PY
done
