#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Mean matching error per reference position before the target (a diagnostic, not part of
make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/winprofile.py /tmp/ev [ROW-REGEX] [linear|kalman]

For every locked frame of each row's first reference (as positions.py), the error of the
measured (calibrated) reference position against truth in frames (measured - true, positive =
matched late in the beat, which makes the line's phase run ahead and triggers early), averaged
over the frames whose TRUE position lies in each 4-frame stretch from 44 frames before the
target position to the target. positions.py's `win` is the RMS of such means; this prints the
profile itself, whose slope across the fit window the line carries to the trigger (the part of
a row's bias that decompose.py puts in `window`). docs/accuracy-log.md, "Smoothing the reference",
compares blob128_slow2s_80fps with and without reference.smooth this way.
"""
import math
import re
import sys

import evalrun

d = sys.argv[1]
rx = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")
pred = sys.argv[3] if len(sys.argv) > 3 else "linear"
SPAN, STEP = 44, 4
print(f"{'stream':26s} " + " ".join(f"{k:+7d}" for k in range(-SPAN, 1, STEP)) + "  (frames before the target)")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if not rx.search(name):
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    nb = int(math.ceil(P))
    s, c = [0.0] * nb, [0] * nb
    for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
        b = int(((u - e) % P) + 0.5) % nb
        s[b] += e
        c[b] += 1
    cells = []
    for k in range(-SPAN, 1, STEP):
        b0 = int(round(tu + k))
        ss = sum(s[(b0 + i) % nb] for i in range(STEP))
        cc = sum(c[(b0 + i) % nb] for i in range(STEP))
        cells.append(f"{ss / cc:+7.3f}" if cc else f"{'-':>7s}")
    print(f"{name:26s} " + " ".join(cells))
