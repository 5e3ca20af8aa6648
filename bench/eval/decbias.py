#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Each row's trigger mean against the matching error at its decision frames, for both predictors
(a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/decbias.py /tmp/ev

A trigger decided at frame k and forecast from a perfect level and rate is off by what the phase
measurement was off there: a frame matched e frames late (measured ahead of the truth) fires
e x the frame interval early. So -e x interval, averaged over a row's triggers, is the bias the
phase measurement hands the predictor; what a predictor's mean differs from it by is its own.
Per row (ms, the first reference's triggers only, as positions.py):
  linear, kalman  the row's trigger mean with each predictor
  dec             -e x interval at the decision frame
  dec5            the same over the decision frame and the 4 frames before it (the frames
                  whose errors a predictor's level carries most)
  K-dec5, L-dec5  what each predictor adds
and over the rows: the mean and mean |.| of each column, and the standard deviation of the row
means (the part that changes with psi0 from stream to stream).
"""
import math, sys

import evalrun

d = sys.argv[1]
rows = {}
for pred in ("linear", "kalman"):
    for name, psi, tt, trig, fr in evalrun.runs(d, pred):
        first, P, _, pidx = evalrun.first_reference(trig, psi, tt)
        E = {k: e for k, _, e in evalrun.frame_errors(fr, psi, first, P, pidx, with_frame=True)}
        ivl = 1e3 * (tt[-1] - tt[0]) / (len(tt) - 1)
        te, d0, d5 = [], [], []
        for r in trig:
            if r["error_s"] == "" or r["ref_id"] != trig[0]["ref_id"]:
                continue
            k = int(r["decided_at_frame"])
            if k not in E:
                continue
            w = [E[j] for j in range(k - 4, k + 1) if j in E]
            te.append(1e3 * float(r["error_s"]))
            d0.append(-E[k] * ivl)
            d5.append(-sum(w) / len(w) * ivl)
        if te:
            m = lambda v: sum(v) / len(v)
            rows.setdefault(name, {})[pred] = (m(te), m(d0), m(d5))
cols = ("linear", "kalman", "dec", "dec5", "K-dec5", "L-dec5")
print(f"{'stream':34s}" + "".join(f"{c:>8s}" for c in cols) + "  (ms)")
tab = []
for name, v in sorted(rows.items()):
    if "linear" not in v or "kalman" not in v:
        continue
    L, K, (_, d0, d5) = v["linear"][0], v["kalman"][0], v["kalman"]
    r = (L, K, d0, d5, K - d5, L - d5)
    tab.append(r)
    print(f"{name:34s}" + "".join(f"{x:+8.3f}" for x in r))
if tab:
    n = len(tab)
    mean = [sum(r[i] for r in tab) / n for i in range(len(cols))]
    print(f"{'mean':34s}" + "".join(f"{x:+8.3f}" for x in mean))
    print(f"{'mean |.|':34s}" + "".join(f"{sum(abs(r[i]) for r in tab) / n:8.3f}" for i in range(len(cols))))
    print(f"{'sd over rows':34s}" + "".join(
        f"{math.sqrt(max(0.0, sum(r[i] ** 2 for r in tab) / n - mean[i] ** 2)):8.3f}" for i in range(len(cols))))
