#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""How fast the calibration removes the matching error before the target (a diagnostic, not part
of make check; docs/accuracy-log.md, "The large-frame bias").

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/calconv.py /tmp/ev [ROW-REGEX] [linear|kalman] [SECONDS]

Per row: the mean trigger error in stretches of SECONDS (default 10) of stream time, and the mean
matching error (measured - true reference position, frames, as positions.py) of the frames whose
TRUE position is each of the 14 whole frames before the target, in the same stretches. Run it on
the same streams with --set sync.calibrate=0 to see the raw error the calibration starts from:
a profile that shrinks with time while the raw one does not is the calibration still learning,
and the triggers' mean follows it.
"""
import math
import re
import sys

import evalrun

d = sys.argv[1]
rx = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")
pred = sys.argv[3] if len(sys.argv) > 3 else "linear"
STEP = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
SPAN = 14
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if not rx.search(name):
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    nb = int(math.ceil(P))
    nw = int(tt[-1] // STEP) + 1
    s = [[0.0] * nb for _ in range(nw)]
    c = [[0] * nb for _ in range(nw)]
    for k, u, e in evalrun.frame_errors(fr, psi, first, P, pidx, True):
        w, b = int(tt[k] // STEP), int(((u - e) % P) + 0.5) % nb
        s[w][b] += e
        c[w][b] += 1
    te = [[] for _ in range(nw)]
    for t in trig:
        if t.get("error_s"):
            te[min(nw - 1, int(float(t["decided_at_s"]) // STEP))].append(float(t["error_s"]) * 1e3)
    print(f"{name}  (P {P:.3f} frames, target_u {tu:.2f}; matching error in frames at k frames before the target)")
    print(f"  {'s':>9s} {'trig ms':>8s} {'n':>3s}  " + " ".join(f"{k:+6d}" for k in range(-SPAN, 1)))
    for w in range(nw):
        cells = []
        for k in range(-SPAN, 1):
            b = int(round(tu + k)) % nb
            cells.append(f"{s[w][b] / c[w][b]:+6.3f}" if c[w][b] else f"{'-':>6s}")
        m = f"{sum(te[w]) / len(te[w]):+8.3f}" if te[w] else f"{'-':>8s}"
        print(f"  {w * STEP:4.0f}-{(w + 1) * STEP:<4.0f} {m} {len(te[w]):3d}  " + " ".join(cells))
