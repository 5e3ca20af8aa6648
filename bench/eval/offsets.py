#!/usr/bin/env python3
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
import csv, glob, json, math, sys

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
NB = 4
print(f"{'stream':26s} " + " ".join(f"x~{b / NB:4.2f}" for b in range(NB)) + "    mean  (frames, measured - true)")
for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    try:
        tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
        trig = [t for t in csv.DictReader(open(run + "triggers.csv"))]
        fr = list(csv.DictReader(open(run + "frames.csv")))
    except (OSError, ValueError):
        continue
    if not trig:
        continue
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
    # a reference position is a time (ogate_reference_positions): t[first] + u * the mean
    # interval over the padded reference (floor(P) + 1 + 2 * 2 frames from first - 2)
    L = int(math.floor(P)) + 5
    ivl = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)

    def pidx(x):	# true phase at reference position x (relative to first)
        t = tt[first] + x * ivl
        i = first + int(math.floor(x))
        i = max(0, min(len(psi) - 2, i))
        while i > 0 and tt[i] > t:
            i -= 1
        while i < len(psi) - 2 and tt[i + 1] < t:
            i += 1
        return psi[i] + (t - tt[i]) * (psi[i + 1] - psi[i]) / (tt[i + 1] - tt[i])

    base = pidx(0)
    sums, cnts = [0.0] * NB, [0] * NB
    for r in fr:
        k = int(r["frame"])
        if r["phase_rad"] in ("", "nan") or k < first + 2 * P or not 0 < k < len(psi) - 1:
            continue
        u = float(r["phase_rad"]) * P / (2 * math.pi)
        dph = ((psi[k] - base) % (2 * math.pi) - (pidx(u) - base) + math.pi) % (2 * math.pi) - math.pi
        e = -dph / ((psi[k + 1] - psi[k - 1]) / 2)
        x = (u - e) % 1.0
        b = int(x * NB + 0.5) % NB
        sums[b] += e
        cnts[b] += 1
    n = sum(cnts)
    if not n:
        continue
    cells = " ".join(f"{sums[b] / cnts[b]:+7.3f}" if cnts[b] else "      -" for b in range(NB))
    print(f"{name:26s} {cells}  {sum(sums) / n:+7.3f}")
