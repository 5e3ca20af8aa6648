#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A slow heart's matching error split into its parts, per row of a sweep or eval dir (a diagnostic, not part of
make check; docs/accuracy-log.md, "Slow hearts filmed fast: the span fit under a drift, and the valley's own shape").

usage: bench/eval/slowfastdiag.py DIR PRED [ROW_REGEX]
DIR holds run_<PRED>_<row>/ and <row>_truth.csv (sweep.py run --dir; for make eval link the streams' truth files in).
Per row, over the first reference's locked frames from two periods after it was taken (evalrun.frame_errors; frames,
measured - true, negative = matched early): mean, RMS, white (the RMS of one frame's change / sqrt 2), prof48 (the RMS
over 48 bins of the true position of each bin's mean: what repeats every beat), slow25 (the RMS of a 25-frame running
mean once the profile is taken off: what a predictor's memory keeps), the mean of the frames within P/16 of the target
by quarter of the run (a level that moves with time: a drift's), and the triggers' mean / RMS in frames.
"""
import math, re, sys

import evalrun


def rms(v):
    return math.sqrt(sum(x * x for x in v) / len(v)) if v else float("nan")


d, pred = sys.argv[1], sys.argv[2]
rx = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
print("row                         P     n   mean   rms white prof48 slow25  near-target by quarter    trig mean/rms")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if not rx.search(name):
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    fe = list(evalrun.frame_errors(fr, psi, first, P, pidx, with_frame=True))
    if len(fe) < 100:
        continue
    ks = [k for k, u, e in fe]
    es = [e for k, u, e in fe]
    n, m = len(es), sum(es) / len(es)
    white = rms([es[i] - es[i - 1] for i in range(1, n) if ks[i] == ks[i - 1] + 1]) / math.sqrt(2)
    bins = [[] for _ in range(48)]
    for k, u, e in fe:
        bins[int(((u - e) % P) / P * 48) % 48].append(e)
    bm = [sum(b) / len(b) if b else m for b in bins]
    prof = rms([x - m for x in bm])
    res = [e - bm[int(((u - e) % P) / P * 48) % 48] for k, u, e in fe]
    slow = rms([sum(res[i - 12:i + 13]) / 25 for i in range(12, n - 12)])
    near = []
    for q in range(4):
        part = fe[q * n // 4:(q + 1) * n // 4]
        v = [e for k, u, e in part if abs(((u - e) - tu + P / 2) % P - P / 2) < P / 16]
        near.append(sum(v) / len(v) if v else float("nan"))
    ivl = (tt[-1] - tt[0]) / (len(tt) - 1)
    tf = [float(t["error_s"]) / ivl for t in trig if t["error_s"] not in ("", "nan")]
    print(f"{name:26s} {P:5.0f} {n:5d} {m:+6.2f} {rms(es):5.2f} {white:5.2f} {prof:6.2f} {slow:6.2f}  "
          + " ".join(f"{x:+5.2f}" for x in near) + f"   {sum(tf) / len(tf):+6.2f} / {rms(tf):5.2f}")
