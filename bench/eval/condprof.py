#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibrated matching error per position, conditioned on the TRUE position and on the
MEASURED one, and what the spread of the error predicts for the difference (a diagnostic, not
part of make check).

usage: bench/eval/condprof.py EVAL_DIR [ROW-REGEX] [linear|kalman] [SPAN] [STEP]

The calibration (sync_calib.c) learns, at each measured (raw) position x, the mean residual of
the frames measured there: E[err | measured = x]. The line fitted before a trigger is pulled by
the error at each TRUE position: E[err | true = t]. With a random error of sd s(t) the two
differ: a frame measured at x came from true positions x - err, and more of them came from
where s is large, so E[err | true] - E[err | measured] ~ d(s^2)/dt (in frames, to first order).
This prints, over the SPAN (44) frames before the target in STEP (4) frame cells: the mean
error by true position, by measured position, the random sd s by true position, the
prediction d(s^2)/dt (central difference over the cells), and mean N - N(u): the error a table
that learnt the reference's own position-to-phase map N fully leaves after the mean pin
(bench/eval/pinramp.py; a rate changing inside the reference's beat curves N).
"""
import math
import re
import sys

import evalrun

d = sys.argv[1]
rx = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")
pred = sys.argv[3] if len(sys.argv) > 3 else "linear"
SPAN = int(sys.argv[4]) if len(sys.argv) > 4 else 44
STEP = int(sys.argv[5]) if len(sys.argv) > 5 else 4
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if not rx.search(name):
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    nb = int(math.ceil(P))
    st, ct, s2, sm, cm = [0.0] * nb, [0] * nb, [0.0] * nb, [0.0] * nb, [0] * nb
    for u, e in evalrun.frame_errors(fr, psi, first, P, pidx):
        b = int(((u - e) % P) + 0.5) % nb
        st[b] += e
        s2[b] += e * e
        ct[b] += 1
        b = int((u % P) + 0.5) % nb
        sm[b] += e
        cm[b] += 1

    def cell(arr, cnt, k):
        b0 = int(round(tu + k))
        ss = sum(arr[(b0 + i) % nb] for i in range(STEP))
        cc = sum(cnt[(b0 + i) % nb] for i in range(STEP))
        return ss / cc if cc else float("nan")

    ks = list(range(-SPAN, 1, STEP))
    mt = [cell(st, ct, k) for k in ks]
    mm = [cell(sm, cm, k) for k in ks]
    var = [cell(s2, ct, k) - cell(st, ct, k) ** 2 for k in ks]
    # the profile a table that learnt the reference's own map fully would leave (pinramp.py):
    # mean N - N(u), N(u) = u - P (psi(u) - psi(0)) / 2 pi over the reference frames
    def nl(u):
        u %= P
        return u - P * ((pidx(u) - pidx(0)) % (2 * math.pi)) / (2 * math.pi)

    nbar = sum(nl(j) for j in range(int(math.floor(P)) + 1)) / (int(math.floor(P)) + 1)
    npro = [nbar - sum(nl(tu + k + i) for i in range(STEP)) / STEP for k in ks]
    pr = []
    for i in range(len(ks)):
        a, b = max(0, i - 1), min(len(ks) - 1, i + 1)
        pr.append((var[b] - var[a]) / ((b - a) * STEP) if b > a else float("nan"))
    print(f"{name} ({sum(ct)} frames; frames before the target, error in frames)")
    print(f"  {'':14s} " + " ".join(f"{k:+7d}" for k in ks))
    for lab, row in (("E[e|true]", mt), ("E[e|measured]", mm), ("sd by true", [math.sqrt(max(v, 0)) for v in var]),
                     ("true-measured", [a - b for a, b in zip(mt, mm)]), ("d(sd^2)/dt", pr), ("mean N - N(u)", npro)):
        print(f"  {lab:14s} " + " ".join(f"{v:+7.3f}" for v in row))
