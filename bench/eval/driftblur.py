#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The drift rows' blur mismatch (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/b bench/eval/eval.sh; EVAL_DIR=/tmp/l EVAL_SYNTH="--xy-interp lanczos" \
       bench/eval/eval.sh; bench/eval/driftblur.py /tmp/b [/tmp/l] [linear|kalman]
       (same EVAL_MATRIX, EVAL_SEED and EVAL_ROWS for both; only the drift rows are printed)

ogate-synth's default drift shifts each frame bilinearly, which blurs it by the two-tap
average's variance f (1 - f) px^2 per axis, f = the drift's fractional part (0 at a whole
pixel, 0.25 at half a pixel). The reference is taken in the first beats, while the drift
starts from 0: its frames' blur grows along the beat, and the later frames are on average
blurrier (the mean of f (1 - f) over all fractions is 1/6 per axis). Against a blurrier frame
the later reference frames match better, so the match is pulled late (trigger early). Per row:
  v         drift speed, px/s
  ref0 ref1 blur (both axes, px^2) of the reference's first and last frame
  frames    mean blur of the frames after the lock
  bil       trigger mean, ms, first EVAL_DIR (bilinear drift)
  lan       the same from the second EVAL_DIR (band-limited drift, no blur): bil - lan is
            the blur's share of the bias; lan minus the row's no-drift bias is what else drift
            adds
"""
import csv, json, math, os, sys

args = [a for a in sys.argv[1:] if a not in ("linear", "kalman")]
pred = "kalman" if "kalman" in sys.argv[1:] else "linear"
dirs = args[:2]


def blur(f):
    f -= math.floor(f)
    return f * (1 - f)


def row(d, name):
    run = f"{d}/run_{pred}_{name}/"
    try:
        S = json.load(open(run + "summary.json"))
        trig = [float(t["error_s"]) * 1e3 for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
    except (OSError, ValueError):
        return None, None
    return S, (sum(trig) / len(trig) if trig else None)


print(f"{'stream':30s} {'v':>5s} {'ref0':>6s} {'ref1':>6s} {'frames':>6s} {'bil':>7s} {'lan':>7s}  (px/s, px^2, ms)")
for f in sorted(os.listdir(dirs[0])):
    if not f.endswith("_truth.csv"):
        continue
    name = f[: -len("_truth.csv")]
    prm = os.path.realpath(f"{dirs[0]}/{f}")[: -len("_truth.csv")] + "_params.json"
    try:
        p = json.load(open(prm))
        tt = [float(r["t_s"]) for r in csv.DictReader(open(f"{dirs[0]}/{f}"))]
    except (OSError, ValueError):
        continue
    dy, dx = p["xy_drift"]
    if dy == 0 and dx == 0:
        continue
    S, mb = row(dirs[0], name)
    if not S or "reference" not in S:
        continue
    ml = row(dirs[1], name)[1] if len(dirs) > 1 else None
    T = p["T_run"]

    def b(i):
        return blur(dy * tt[i] / T) + blur(dx * tt[i] / T)

    R = S["reference"]
    first, P = R["first_frame"], R["period_frames"]
    last = min(len(tt) - 1, first + int(P))
    lock = S.get("lock_frame", last)
    fb = [b(i) for i in range(lock, len(tt))]
    lan = f"{ml:+7.3f}" if ml is not None else f"{'-':>7s}"
    print(f"{name:30s} {math.hypot(dy, dx) / T:5.2f} {b(first):6.3f} {b(last):6.3f} "
          f"{sum(fb) / len(fb):6.3f} {mb:+7.3f} {lan}")
