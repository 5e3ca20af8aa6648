#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Matching error's mean, spread and count by sub-frame offset, true and measured (a diagnostic,
not part of make check; docs/accuracy-log.md, "Cause 6's level at a whole-and-a-half frames a
beat").

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/offspread.py /tmp/ev [linear|kalman] [bins]

For every locked frame of each row's first reference (from two periods after it was taken), the
error of the output position against truth (measured minus true, frames, as offsets.py), binned
(default 8 bins) twice: by where the frame truly lies between two reference frames (x = 0 at a
reference frame) and by where it was measured (m, the offset cause 6 learns and corrects by).
Per bin: mean error, its standard deviation and the frame count. Which offsets a stream visits
(a period of a whole and a half frames visits only 0 and 1/2 unless the rate moves), and how much
wider the spread is half-way than at a reference frame, are what set cause 6's level
(sync_calib_common_level: a frame at a reference frame takes c at its neighbours' offsets in
shares set by its spread).
"""
import math, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
NB = int(sys.argv[3]) if len(sys.argv) > 3 else 8


def table(name, label, pairs):
    s1, s2, c = [0.0] * NB, [0.0] * NB, [0] * NB
    for x, e in pairs:
        b = int(x * NB + 0.5) % NB
        s1[b] += e
        s2[b] += e * e
        c[b] += 1
    cells = []
    for b in range(NB):
        if not c[b]:
            cells.append(" " * 19)
            continue
        m = s1[b] / c[b]
        cells.append(f"{m:+.3f} {math.sqrt(max(s2[b] / c[b] - m * m, 0)):.3f} {c[b]:5d}")
    print(f"{name:26s} {label:4s} " + " | ".join(cells))


print(f"{'stream':26s} by   " + " | ".join(f"x~{b / NB:5.3f} mean sd    n" for b in range(NB)))
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    first, P, _, pidx = evalrun.first_reference(trig, psi, tt)
    rows = list(evalrun.frame_errors(fr, psi, first, P, pidx))
    if not rows:
        continue
    table(name, "true", [((u - e) % 1.0, e) for u, e in rows])
    table(name, "meas", [(u % 1.0, e) for u, e in rows])
