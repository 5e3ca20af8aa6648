#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Matching error by sub-frame offset (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/offsets.py /tmp/ev [linear|kalman]

For every locked frame of each row's first reference (from two periods after it was taken),
the error of the measured reference position against truth (measured minus true, in frames:
negative = matched early, which makes triggers late), binned by where the frame truly lies
between two reference frames: x = 0 at a reference frame, 0.5 half-way. A constant over x is
an error of every position at once, which no ground-truth-free calibration can see; a profile
that dips at x = 0.5 is the V fit's error between reference frames. Reference frames are
placed at the times of their timestamps, as the library places them (ogate_reference_positions):
a position is a time, not a frame index, which matters under timestamp jitter.
"""
import math, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
NB = 4
print(f"{'stream':26s} " + " ".join(f"x~{b / NB:4.2f}" for b in range(NB)) + "    mean  (frames, measured - true)")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    first, P, _, pidx = evalrun.first_reference(trig, psi, tt)
    sums, cnts = [0.0] * NB, [0] * NB
    for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
        x = (u - e) % 1.0
        b = int(x * NB + 0.5) % NB
        sums[b] += e
        cnts[b] += 1
    n = sum(cnts)
    if not n:
        continue
    cells = " ".join(f"{sums[b] / cnts[b]:+7.3f}" if cnts[b] else "      -" for b in range(NB))
    print(f"{name:26s} {cells}  {sum(sums) / n:+7.3f}")
