#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Where the library put the target, against a noise-free twin (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev EVAL_MATRIX=M make eval
       grep -v '^#' M | awk 'NF >= 13 { $11 = 0; print }' > /tmp/M0     (noise column set to 0)
       EVAL_DIR=/tmp/ev0 EVAL_MATRIX=/tmp/M0 make eval                  (same EVAL_SEED)
       bench/eval/targetshift.py /tmp/ev /tmp/ev0 [linear|kalman]

The target (P/3 after the largest successive-frame change of the reference beat) and the barrier
are chosen on one beat's frame-to-frame SADs. The twin has the same heart (same seed) without
camera noise. Per row: the true heart phase of the target and of the barrier in the noisy run
minus the twin's, in frames of the beat, and both runs' trigger RMS (ms). A shift of many frames
means the noise, not the heart, chose the target (docs/accuracy-log.md, "Small noisy slow hearts").
"""
import csv, glob, json, math, sys


def place(d, name, pred):
    s = json.load(open(f"{d}/run_{pred}_{name}/summary.json"))
    if not s.get("locked"):
        return None
    r = s["reference"]
    psi = [float(x["psi_rad"]) for x in csv.DictReader(open(f"{d}/{name}_truth.csv"))]
    x = r["first_frame"] + r["target_u"]
    i = int(x)
    tgt = psi[i] + (x - i) * (psi[i + 1] - psi[i])
    return tgt, psi[r["first_frame"] + r["barrier"]], r["period_frames"], s["trigger_error"]["rms_ms"]


noisy, clean = sys.argv[1], sys.argv[2]
pred = sys.argv[3] if len(sys.argv) > 3 else "linear"
wrap = lambda a, P: ((a + math.pi) % (2 * math.pi) - math.pi) * P / (2 * math.pi)
print(f"{'stream':28s} {'P':>6s} {'target':>7s} {'barrier':>7s} {'rms':>7s} {'rms_0':>6s}  (frames, ms)")
for run in sorted(glob.glob(f"{noisy}/run_{pred}_*/")):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    try:
        a, b = place(noisy, name, pred), place(clean, name, pred)
    except (OSError, KeyError, ValueError):
        continue
    if a and b:
        print(f"{name:28s} {a[2]:6.1f} {wrap(a[0] - b[0], a[2]):+7.1f} {wrap(a[1] - b[1], a[2]):+7.1f} "
              f"{a[3]:7.2f} {b[3]:6.2f}")
