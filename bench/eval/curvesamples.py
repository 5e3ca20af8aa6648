#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration's delta and trend against the truth, from the lags at lock and the beats measured
after the reference (a diagnostic, not part of make check; docs/accuracy-log.md, "The reference
beat's length under a curving rate").

usage: git apply bench/eval/curvesamples.patch && make build/bin/ogate-emulate   (diagnostic build)
       CALDBG=1 EVAL_DIR=/tmp/ev EVAL_MATRIX=bench/eval/modmap.txt EVAL_SEED=41 bench/eval/eval.sh
       bench/eval/curvesamples.py /tmp/ev mm_blob192_1.0s_120fps_m6 [kalman|linear]
       (git checkout userspace/lib afterwards)

The patch prints the lags refine_period keeps at lock (LAG: time, x = beat middle less the
reference's middle, lag, frames; LAGFIT), each sample beat_after_reference adds (SAMP) and its
result (FIT: k, delta, the curvature's share). Printed here, frames:
  delta_true      the reference beat's length less P, from the truth
  lags / after    each group's mean error against the true beat length at its frames, and the line
                  through it measured (b, d0: its value at the middle less P) and true
  all meas/true   the line through both groups, measured and with the true lengths: where the true
                  line misses delta_true the line itself (a chord of a curving length) is the cause
"""
import bisect, math, sys

import evalrun

d, name = sys.argv[1], sys.argv[2]
pred = sys.argv[3] if len(sys.argv) > 3 else "kalman"
run, tt, U, P, first, ivl, t0, Ut, tU = evalrun.reference_truth(d, name, pred)
BASE = 1.0

def fidx(t):  # fractional frame index at time t
    i = min(max(bisect.bisect_right(tt, t) - 1, 0), len(tt) - 2)
    return i + (t - tt[i]) / (tt[i + 1] - tt[i])

def fit(pts):
    m = len(pts)
    xm, ym = sum(p[0] for p in pts) / m, sum(p[1] for p in pts) / m
    sxx = sum((p[0] - xm) ** 2 for p in pts)
    b = sum((p[0] - xm) * (p[1] - ym) for p in pts) / sxx
    return b, ym - b * xm - P, xm

tend = tU(U[first] + 2 * math.pi)
dtrue = (tend - t0) / ivl - P
lags, samps, lagfit, fitl, reset = [], [], "", "", None
cur = []
for line in open(run + ".log"):
    f = line.split()
    if not f:
        continue
    if f[0] == "LAG":
        if reset is None:
            if cur and cur[-1][0] >= float(f[1]) - BASE:
                cur = []
            cur.append((float(f[1]) - BASE, float(f[2]), float(f[3])))
    elif f[0] == "LAGFIT" and reset is None:
        lagfit = line.strip(); lags = cur; cur = []
    elif f[0] == "SAMP":
        reset = reset or "after lock"
        samps.append(tuple(float(v) for v in f[1:5]))
    elif f[0] == "FIT":
        fitl = line.strip()
mid_t = t0 + P / 2 * ivl
# lags: x (frames from mid), lag (frames); true: the beat ending at t
L1 = []
for t, x, lag in lags:
    ts = tU(Ut(t) - 2 * math.pi)
    tl = fidx(t) - fidx(ts)
    tx = ((t + ts) / 2 - mid_t) / ivl
    L1.append((x, lag, tx, tl))
S1 = []
for t, w, x, y in samps:
    t -= BASE
    tp = tU(Ut(t) - 2 * math.pi)
    S1.append((x, y, ((t - t0) + (tp - t0)) / (2 * ivl) - P / 2, (t - tp) / ivl))
out = [f"{name}: P {P:.3f} delta_true {dtrue:+.4f}"]
if L1:
    e = [a[1] - a[3] for a in L1]
    ex = [a[0] - a[2] for a in L1]
    bm, dm, xm = fit([(a[0], a[1]) for a in L1])
    bt, dt, _ = fit([(a[2], a[3]) for a in L1])
    out.append(f"  lags n {len(L1)} x {min(a[0] for a in L1):.1f}..{max(a[0] for a in L1):.1f} lagerr mean {sum(e)/len(e):+.4f} xerr {sum(ex)/len(ex):+.3f}; line meas b {bm:+.5f} d0 {dm:+.4f}; true b {bt:+.5f} d0 {dt:+.4f}")
if S1:
    e = [a[1] - a[3] for a in S1]
    bm, dm, _ = fit([(a[0], a[1]) for a in S1]) if len(S1) > 2 else (0, 0, 0)
    bt, dt, _ = fit([(a[2], a[3]) for a in S1]) if len(S1) > 2 else (0, 0, 0)
    out.append(f"  after n {len(S1)} yerr mean {sum(e)/len(e):+.4f}; line meas b {bm:+.5f} d0 {dm:+.4f}; true b {bt:+.5f} d0 {dt:+.4f}")
if L1 and S1:
    A = [(a[0], a[1]) for a in L1] + [(a[0], a[1]) for a in S1]
    T = [(a[2], a[3]) for a in L1] + [(a[2], a[3]) for a in S1]
    Mx = [(a[0], a[3]) for a in L1] + [(a[0], a[3]) for a in S1]
    Lt = [(a[2], a[3]) for a in L1] + [(a[0], a[1]) for a in S1]
    St = [(a[0], a[1]) for a in L1] + [(a[2], a[3]) for a in S1]
    for lab, pts in (("all meas", A), ("all true", T), ("lags true", Lt), ("after true", St)):
        b, dd, _ = fit(pts)
        out.append(f"  {lab:10s} b {b:+.5f} delta {dd:+.4f}")
out.append("  " + lagfit)
out.append("  " + fitl)
print("\n".join(out))
