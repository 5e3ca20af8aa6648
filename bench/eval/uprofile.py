#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Matching error by true reference position, one row, several runs side by side (a diagnostic,
not part of make check).

usage: bench/eval/uprofile.py ROW [--pred kalman|linear] [--width W] EVAL_DIR [EVAL_DIR ...]

For ROW's first reference in each EVAL_DIR (e.g. the same streams gated with and without a
setting), the mean error of the measured (calibrated) reference position against truth, in
frames (measured - true: negative = matched early, which makes triggers late), binned by the
frame's TRUE position u in bins of W frames (default 4), one column per EVAL_DIR. Where
positions.py gives one figure per row, this shows the shape along the beat: a constant offset
(which the calibration's pin cannot see) against a tilt (an error that grows along the
reference), and where the row's target sits on it (the fit windows lie just before target_u).
"""
import math, sys

import evalrun

args = sys.argv[1:]
pred, width = "kalman", 4.0
while args and args[0].startswith("--") or len(args) > 1 and args[1].startswith("--"):
    i = 0 if args[0].startswith("--") else 1
    key, val = args.pop(i), args.pop(i)
    if key == "--pred":
        pred = val
    elif key == "--width":
        width = float(val)
    else:
        sys.exit(f"uprofile: unknown option {key}")
if len(args) < 2:
    sys.exit(__doc__)
row, dirs = args[0], args[1:]
cols, fits, P, tu = [], [], None, None
for d in dirs:
    for name, psi, tt, trig, fr in evalrun.runs(d, pred):
        if name != row:
            continue
        first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
        nb = int(math.ceil(P / width))
        s, c, xs, ys = [0.0] * nb, [0] * nb, [], []
        for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
            x = (u - e) % P
            b = int(x / width) % nb
            s[b] += e
            c[b] += 1
            if 2 <= x <= P - 2:
                xs.append(x - P / 2)
                ys.append(e)
        n = len(xs)
        mx, my = sum(xs) / max(n, 1), sum(ys) / max(n, 1)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
        fits.append((my, slope * P, my + slope * (tu - P / 2 - mx)))
        cols.append([s[b] / c[b] if c[b] else float("nan") for b in range(nb)])
if not cols:
    sys.exit(f"uprofile: no run of {row} ({pred}) in {' '.join(dirs)}")
print(f"{row} ({pred}): P {P:.1f} frames, target_u {tu:.1f}; columns: {' '.join(dirs)}")
for b in range(max(len(c) for c in cols)):
    lo = b * width
    mark = "  <- target" if lo <= tu < lo + width else ""
    vals = " ".join(f"{c[b]:+7.3f}" if b < len(c) else "    nan" for c in cols)
    print(f"u {lo:5.1f}-{lo + width:5.1f} {vals}{mark}")
for label, k in (("mean", 0), ("tilt", 1), ("at target", 2)):
    print(f"{label:13s} " + " ".join(f"{f[k]:+7.3f}" for f in fits))
