#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The beat-length trend k at lock against the truth, row by row (a diagnostic, not part of make
check; docs/accuracy-log.md, "The beat-length trend at lock: what the span share stood for").

usage: git apply bench/eval/slowk.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_SLOWK_DEBUG=1 EVAL_DIR=/tmp/ev EVAL_PREDICTORS=kalman bench/eval/eval.sh
       bench/eval/ktrend.py /tmp/ev [kalman|linear]

For every row of the run: the true slope of the beat length over beats centred across the
reference's beat (k_true, from beatsamples.py's T(c)), and the library's last line fit (SLOWK
line of the run's log): its raw slope b, significance t^2/(t^2+1), the span share, the number of
samples and the span in frames, and k as main uses it (share x sig x b) and without the span
share (V3: sig x b). The last lines sum |k - k_true| P / 8 (frames: the error of the curvature
N's amplitude, k P / 8 at mid-beat) over the rows, drifting rows (name has "drift") apart.
"""
import glob, math, os, subprocess, sys

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "kalman"
here = os.path.dirname(os.path.abspath(__file__))
tot = {}
for log in sorted(glob.glob(f"{d}/run_{pred}_*.log")):
    name = os.path.basename(log)[len(f"run_{pred}_"):-4]
    fit = [ln.split() for ln in open(log) if ln.startswith("SLOWK")]
    if not fit or not os.path.exists(f"{d}/{name}_truth.csv"):
        continue
    out = subprocess.run([sys.executable, f"{here}/beatsamples.py", d, name, pred],
                         capture_output=True, text=True).stdout.split("\n")[0].split()
    if len(out) < 7:
        continue
    P, kt = float(out[2]), float(out[6])
    g = fit[-1]
    n, b, sig, share = float(g[4]), float(g[12]), float(g[14]), float(g[16])
    km, k3 = share * sig * b, sig * b
    print(f"{name:32} P {P:7.2f} n {n:4.0f} span {share * P:6.1f} k_true {kt:+.5f} "
          f"b {b:+.5f} sig {sig:.3f} share {share:.3f}  main {km:+.5f}  V3 {k3:+.5f}")
    t = tot.setdefault("drift" if "drift" in name else "other", [0, 0, 0, 0])
    t[0] += abs(km - kt) * P / 8
    t[1] += abs(k3 - kt) * P / 8
    t[2] += abs(k3 - kt) < abs(km - kt)
    t[3] += 1
for g, t in tot.items():
    print(f"{g}: {t[3]} rows, sum |k - k_true| P/8 main {t[0]:.3f} V3 {t[1]:.3f} frames; "
          f"V3 closer on {t[2]}")
