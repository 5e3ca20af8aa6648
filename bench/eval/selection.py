#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The decision frame's own matching error against its position's (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/selection.py /tmp/ev [linear|kalman]

A trigger is decided on the first frame whose forecast says the next frame would come too late.
Where a forecast's noise is larger than a frame interval, that first frame is chosen BY its noise:
a frame matched late (positive error, the phase ahead) makes the forecast fire a frame or more
before the true last frame, early. Per row, over the triggers decided on the first reference (from
two periods after it was taken): dec = the mean matching error of the decision frames (frames,
measured - true); pos = the mean error of all frames at the same true positions (1-frame bins over
every beat, the error that repeats there, which a frame chosen at random would carry); sel = dec -
pos, with its standard error; rms = the frames' error at those positions; trig = the triggers'
mean error (ms). sel >> se is the selection; its share of the trigger error depends on the
predictor's weight on the newest frame.
"""
import math, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
print(f"{'stream':26s} {'n':>4s} {'dec':>7s} {'pos':>7s} {'sel':>7s} {'se':>6s} {'rms':>6s} {'trig_ms':>8s}")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    first, P, _, pidx = evalrun.first_reference(trig, psi, tt)
    nb = int(math.ceil(P))
    s, c, s2 = [0.0] * nb, [0] * nb, [0.0] * nb
    errs = {}
    for k, u, e in evalrun.frame_errors(fr, psi, first, P, pidx, with_frame=True):
        b = int((u - e) % P) % nb
        s[b] += e
        c[b] += 1
        s2[b] += e * e
        errs[k] = (b, e)
    dec, pos, r2, te = [], [], [], []
    for t in trig:
        k = int(t["decided_at_frame"])
        if k not in errs or int(t["ref_id"]) != int(trig[0]["ref_id"]) or t["error_s"] == "":
            continue
        b, e = errs[k]
        if c[b] < 2:
            continue
        dec.append(e)
        pos.append(s[b] / c[b])
        r2.append(s2[b] / c[b])
        te.append(1000 * float(t["error_s"]))
    n = len(dec)
    if n < 2:
        continue
    sel = [a - b for a, b in zip(dec, pos)]
    m = sum(sel) / n
    se = math.sqrt(sum((x - m) ** 2 for x in sel) / (n - 1) / n)
    print(f"{name:26s} {n:4d} {sum(dec) / n:+7.3f} {sum(pos) / n:+7.3f} {m:+7.3f} {se:6.3f} "
          f"{math.sqrt(sum(r2) / n):6.3f} {sum(te) / n:+8.2f}")
