#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration's correction against the raw error it corrects, by raw position (a diagnostic,
not part of make check; docs/accuracy-log.md, "The large-frame bias").

usage: EVAL_DIR=/tmp/a bench/eval/eval.sh
       EVAL_DIR=/tmp/b EVAL_SET=sync.calibrate=0 bench/eval/eval.sh   (the same streams: EVAL_STREAMS)
       bench/eval/calcorr.py /tmp/a /tmp/b ROW [SECONDS]

For the row's locked frames whose raw position (the calibration table's index) lies in the 8
frames before the target, in 1/4-frame bins and stretches of SECONDS (default 10) of stream time:
the raw error (measured with sync.calibrate=0 - true, frames), the correction (the two runs'
positions' difference) and the calibrated error (measured - true), and the number of frames.
Matching does not depend on the calibration, so the two runs match every frame alike; a
correction that approaches the raw error as the bin's frames come in is a table learning at the
rate of its samples.
"""
import math
import sys

import evalrun

da, db, row = sys.argv[1], sys.argv[2], sys.argv[3]
STEP = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0


def load(d):
    for name, psi, tt, trig, fr in evalrun.runs(d, "kalman"):
        if name == row:
            return psi, tt, trig, fr
    sys.exit(f"calcorr: no row {row} in {d}")


psi, tt, trig, fra = load(da)
_, _, trigb, frb = load(db)
first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
if first != int(trigb[0]["ref_first_frame"]) or abs(P - float(trigb[0]["ref_period_frames"])) > 1e-9:
    sys.exit("calcorr: the two runs took different references")
tu = float(trig[0]["target_u"])
pidx = evalrun.ref_phase(psi, tt, first, P)
ea = {k: (u, e) for k, u, e in evalrun.frame_errors(fra, psi, first, P, pidx, True)}
eb = {k: (u, e) for k, u, e in evalrun.frame_errors(frb, psi, first, P, pidx, True)}
nw = int(tt[-1] // STEP) + 1
lo = tu - 8
cells = {}
for k, (ub, rb) in eb.items():
    if k not in ea:
        continue
    ua, ra = ea[k]
    r = (ub - lo) % P + lo
    if r > tu:
        continue
    c = cells.setdefault(math.floor(r * 4) / 4, [[0.0, 0.0, 0.0, 0] for _ in range(nw)])[int(tt[k] // STEP)]
    c[0] += rb
    c[1] += (ub - ua + P / 2) % P - P / 2
    c[2] += ra
    c[3] += 1
print(f"{row}: raw error, correction, calibrated error (frames) and frames, by raw position (frames from the target)")
print(f"{'':7s}" + "".join(f"{'%g-%g s' % (w * STEP, (w + 1) * STEP):>27s}" for w in range(nw)))
for b in sorted(cells):
    out = []
    for s in cells[b]:
        out.append(f"{s[0] / s[3]:+7.3f}{s[1] / s[3]:+7.3f}{s[2] / s[3]:+7.3f} ({s[3]:2d})" if s[3] else " " * 27)
    print(f"{b - tu:+6.2f} " + "".join(out))
