#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Per-frame matching error, mean and RMS by sub-frame offset, of two runs side by side (a
diagnostic, not part of make check).

usage: bench/eval/offrms.py EVAL_DIR_A EVAL_DIR_B [linear|kalman]

The frames and bins of offsets.py (the first reference's locked frames, binned by where each truly
lies between two reference frames, quarters; frames, measured - true), with the RMS of each bin and
of the row: the spread a sub-frame fit adds, which offsets.py's means do not show. Rows of A, their
RMS A -> B, then each bin's mean/RMS for A | B.
"""
import math, sys

import evalrun

NB = 4


def stats(d, pred):
    out = {}
    for name, psi, tt, trig, fr in evalrun.runs(d, pred):
        first, P, _, pidx = evalrun.first_reference(trig, psi, tt)
        s, q, c = [0.0] * NB, [0.0] * NB, [0] * NB
        for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
            b = int(((u - e) % 1.0) * NB + 0.5) % NB
            s[b] += e
            q[b] += e * e
            c[b] += 1
        out[name] = (s, q, c)
    return out


def cells(t):
    s, q, c = t
    txt = " ".join(f"{s[i] / c[i]:+.3f}/{math.sqrt(q[i] / c[i]):.3f}" if c[i] else "-" for i in range(NB))
    return txt, math.sqrt(sum(q) / max(1, sum(c)))


pred = sys.argv[3] if len(sys.argv) > 3 else "kalman"
a, b = stats(sys.argv[1], pred), stats(sys.argv[2], pred)
print(f"{'stream':26s} per-frame error (frames): row RMS A -> B; mean/RMS at x~0, 1/4, 1/2, 3/4: A | B")
for n in sorted(a):
    if n in b:
        fa, ra = cells(a[n])
        fb, rb = cells(b[n])
        print(f"{n:26s} rms {ra:.4f} -> {rb:.4f}   {fa} | {fb}")
