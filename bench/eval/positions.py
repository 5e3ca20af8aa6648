#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Per-frame matching error by true reference position (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/positions.py /tmp/ev [linear|kalman]

For every locked frame of each row's first reference (from two periods after it was taken), the
error of the measured (calibrated) reference position against truth in frames (measured - true,
negative = matched early), binned by the frame's TRUE position at 1/4 frame. Per row:
  mean   the mean error over all frames: an error common to every position, which no
         ground-truth-free calibration can see (what the calibration's pin sets)
  sys    RMS over the bins of each bin's mean error (weighted by frames): the error that
         repeats every beat at the same phase; on short streams it includes the bins' noise
  win    the same over the 12 frames before the target, where the fit windows lie
  rms    RMS of all frames' errors (systematic and random)
and the averages over the rows. A change to the phase measurement should lower mean, sys and
win without raising rms; whether the triggers follow is another matter (the predictor weighs
the window's frames and extrapolates them, docs/accuracy-log.md, "The bias").
"""
import math, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
NB = 4
tot = {"mean": [], "sys": [], "win": [], "rms": []}
print(f"{'stream':26s} {'mean':>8s} {'sys':>7s} {'win':>7s} {'rms':>7s}  (frames)")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    nb = int(math.ceil(P * NB))
    s, c, s2 = [0.0] * nb, [0] * nb, 0.0
    for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
        b = int(((u - e) % P) * NB + 0.5) % nb
        s[b] += e
        c[b] += 1
        s2 += e * e
    n = sum(c)
    if not n:
        continue
    means = [s[b] / c[b] if c[b] else 0 for b in range(nb)]
    sysr = math.sqrt(sum(c[b] * means[b] ** 2 for b in range(nb)) / n)
    wb = [b for b in range(nb) if c[b] and 0 <= ((tu - b / NB) % P) <= 12]
    wn = sum(c[b] for b in wb)
    win = math.sqrt(sum(c[b] * means[b] ** 2 for b in wb) / wn) if wn else 0
    mean, rms = sum(s) / n, math.sqrt(s2 / n)
    for key, v in (("mean", abs(mean)), ("sys", sysr), ("win", win), ("rms", rms)):
        tot[key].append(v)
    print(f"{name:26s} {mean:+8.4f} {sysr:7.4f} {win:7.4f} {rms:7.4f}")
if tot["rms"]:
    m = lambda v: sum(v) / len(v)
    print(f"{'average (|mean|)':26s} {m(tot['mean']):8.4f} {m(tot['sys']):7.4f} {m(tot['win']):7.4f} {m(tot['rms']):7.4f}")
