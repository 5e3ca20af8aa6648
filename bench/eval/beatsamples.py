#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The beats the calibration measures after lock against the truth (a diagnostic, not part of
make check): what sync_calib.c's beat_after_reference sees, sample by sample.

usage: git apply bench/eval/beatsamples.patch && make build/bin/ogate-emulate   (diagnostic build)
       CALDBG=1 EVAL_DIR=/tmp/ev EVAL_ROWS=slow3s bench/eval/eval.sh
       bench/eval/beatsamples.py /tmp/ev blob64_slow3s_30fps [kalman|linear]
       (git checkout userspace/lib/sync_calib.c afterwards)

The patch prints, to the run's log, one SAMP line per frame of the half beat after the reference
(time, the position w it was matched to, the sample's x = beat middle less the reference's
middle and y = beat length, frames) and one FIT line per update (the line through the lags at
lock and these samples: raw slope b, its significance, the span share, k, delta raw and shrunk).
Printed here:
  delta_true   the reference beat's length less P (frames), from the truth
  k_true       the slope of the true beat length T(c) over beats centred across the reference
  werr         each sample's matching error (w less the true position of its phase)
  ytrue, T(x)  the sample's true beat length, and T at its x
  b, d0        the line through the samples alone (measured, then with the true positions): an
               error in the samples themselves shows as a difference between the two
"""
import math, sys

import evalrun

d, name = sys.argv[1], sys.argv[2]
pred = sys.argv[3] if len(sys.argv) > 3 else "kalman"
run, tt, U, P, first, ivl, t0, Ut, tU = evalrun.reference_truth(d, name, pred)
BASE = 1.0  # ogate-emulate stamps frame 0 at 1 s (base_ns)


def T(tc):  # the true length (frames) of the beat centred at time tc
    a = tc - P * ivl / 2
    for _ in range(30):
        b = tU(Ut(a) + 2 * math.pi)
        a += tc - (a + b) / 2
    return (b - a) / ivl


def fit(pts):
    m = len(pts)
    xm, ym = sum(p[0] for p in pts) / m, sum(p[1] for p in pts) / m
    b = sum((p[0] - xm) * (p[1] - ym) for p in pts) / sum((p[0] - xm) ** 2 for p in pts)
    return b, ym - b * xm - P


tend = tU(U[first] + 2 * math.pi)
tmid = t0 + (tend - t0) / 2
xs = [-P / 2 + P * i / 20 for i in range(21)]
kt, _ = fit([(x, T(tmid + x * ivl)) for x in xs])
print(f"{name}: P {P:.3f} delta_true {(tend - t0) / ivl - P:+.4f} k_true {kt:+.5f}")
rows, last = [], ""
for line in open(run + ".log"):
    f = line.split()
    if f and f[0] == "SAMP":
        t, w, x, y = float(f[1]) - BASE, float(f[2]), float(f[3]), float(f[4])
        tp = tU(Ut(t) - 2 * math.pi)
        rows.append((x, y, ((t - t0) + (tp - t0)) / (2 * ivl) - P / 2, (t - tp) / ivl, w, (tp - t0) / ivl))
    elif f and f[0] == "FIT":
        last = line.strip()
print("library:", last)
if len(rows) < 3:
    sys.exit("no SAMP lines: run the diagnostic build with CALDBG=1")
n = len(rows)
e = [r[4] - r[5] for r in rows]
print(f"{n} samples; werr mean {sum(e) / n:+.4f} sd {math.sqrt(sum(v * v for v in e) / n):.4f}")
for i in range(0, n, max(1, n // 12)):
    x, y, xt, yt, w, wt = rows[i]
    print(f"  w {w:7.2f} werr {w - wt:+.3f}  x {x:7.2f} y {y:8.3f} ytrue {yt:8.3f} T(x) {T(t0 + (x + P / 2) * ivl):8.3f}")
bm, dm = fit([(r[0], r[1]) for r in rows])
bt, dt = fit([(r[2], r[3]) for r in rows])
print(f"samples alone: measured b {bm:+.5f} d0 {dm:+.4f}; true positions b {bt:+.5f} d0 {dt:+.4f}")
