#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration prior's level against the truth, per row (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/a bench/eval/eval.sh; EVAL_DIR=/tmp/b EVAL_SET=... bench/eval/eval.sh
       bench/eval/priorlevel.py /tmp/a /tmp/b [linear|kalman] [rows-regex]

Two runs of the same streams (e.g. sync.calibrate_prior=1 and 0, or two builds). Per row:
  whole/half  the density of the frames' sub-frame position (frac of the reference position,
              frames) within 1/8 frame of a whole reference position and of a half-way one,
              relative to a uniform spread: the calibration table's bins at the reference
              frames' own positions, which the pin reads (sync_calib.c, update_anchor), fill at
              whole/half the rate of the bins between them
  eps a/b     mean over the 20 frames before the target, by beats since the reference was
              taken (1-3, 3-6, 6-10, 10-20, 20-40), of each frame's position less the target's
              (frames) minus its true phase less the target's true phase (x P / 2 pi): 0 for a
              frame placed as a phase linear in the true phase with the target where it
              belongs; + = read ahead (triggers early). What the two runs' corrections do to
              the fit window, against the truth, while the table learns.
docs/accuracy-log.md, "The prior's level".
"""
import math, re, sys

import evalrun

da, db = sys.argv[1], sys.argv[2]
pred = sys.argv[3] if len(sys.argv) > 3 else "kalman"
rx = re.compile(sys.argv[4] if len(sys.argv) > 4 else ".")
GROUPS = [(1, 3), (3, 6), (6, 10), (10, 20), (20, 40)]
W = 20


def positions(fr, P):
    out = {}
    for r in fr:
        if r["phase_rad"] not in ("", "nan"):
            out[int(r["frame"])] = float(r["phase_rad"]) * P / (2 * math.pi)
    return out


B = {name: (trig, fr) for name, psi, tt, trig, fr in evalrun.runs(db, pred)}
print(f"{'stream':30s} {'whole':>5s} {'half':>5s}  eps a/b (frames) by beats " +
      " ".join(f"{a}-{b}" for a, b in GROUPS))
for name, psi, tt, trig, fr in evalrun.runs(da, pred):
    if not rx.search(name) or name not in B:
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    psit = pidx(tu)
    ua, ub = positions(fr, P), positions(B[name][1], P)
    n = whole = half = 0
    for u in ua.values():
        f = u - math.floor(u)
        n += 1
        whole += f < 0.125 or f >= 0.875
        half += 0.375 <= f < 0.625
    sums = [[0, 0.0, 0.0] for _ in GROUPS]
    wrap = lambda x: (x + P / 2) % P - P / 2
    for k, u in ua.items():
        if k not in ub or k >= len(psi) or not 0 < wrap(tu - u) < W:
            continue
        beat = (k - first) / P
        for g, (a, b) in enumerate(GROUPS):
            if a <= beat < b:
                tr = (psi[k] - psit) * P / (2 * math.pi)
                sums[g][0] += 1
                sums[g][1] += wrap(u - tu - tr)
                sums[g][2] += wrap(ub[k] - tu - tr)
    eps = " ".join(f"{s[1] / s[0]:+.3f}/{s[2] / s[0]:+.3f}" if s[0] else "      -      " for s in sums)
    print(f"{name:30s} {whole / n * 4:5.2f} {half / n * 4:5.2f}  {eps}")
