#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The trigger bias the calibration's pin leaves from the reference's own position-to-phase map
(a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/pinramp.py /tmp/ev [linear|kalman]

A reference position u is a time (ogate_reference_positions); the heart's TRUE phase there,
psi(u), is not 2 pi u / P: the beat the reference holds is P + delta frames long (delta = the
period's error against that beat, "dP"), and a rate that changes inside that beat curves the
map. The calibration table (sync_calib.c) learns, besides the matching errors, the
non-linearity N(u) = u - P (psi(u) - psi(0)) / 2 pi (a sawtooth ramp of delta plus the
curvature), because it makes the corrected phase linear in time; its pin then sets N's mean
over the reference frames to 0, where the target needs N at the target position u_t. With
perfect matching the trigger error from that is (N(u_t) - mean N) x the frame interval. Per row:
  dP        delta, frames (the reference's beat length minus its period P)
  tu/P      where the target lies in the reference
  pin       (N(u_t) - mean N) x interval, ms: the bias the mean pin leaves (+ = late)
  ramp      the part of it a straight line through N at the reference frames explains (delta's
            sawtooth and the linear part of the curvature); pin - ramp is the curvature's rest
  k         the beat length's trend inside the reference's beat the curvature implies (frames per
            frame): 2 P x the quadratic coefficient of a parabola through N at the reference frames,
            N(u) = k u (u - P) / 2P for a beat length linear in time (sync_calib.c, beat_map);
            with OGATE_TREND_LOG=FILE lines "name k" (the library's shrunk lag trend at lock,
            as printed by a diagnostic build) a column klib is added
  obs       the row's trigger mean, ms (triggers.csv, error_s)
  rest      obs - pin: what other causes add
"""
import csv, glob, json, math, sys

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
print(f"{'stream':26s} {'dP':>7s} {'tu/P':>5s} {'pin':>7s} {'ramp':>7s} {'k':>7s} {'obs':>7s} {'rest':>7s}  (ms but dP, tu/P, k)")
for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    try:
        S = json.load(open(run + "summary.json"))
        tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
        trig = [float(t["error_s"]) * 1e3 for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
    except (OSError, ValueError):
        continue
    if "reference" not in S or not trig:
        continue
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    R = S["reference"]
    P, first, tu = R["period_frames"], R["first_frame"], R["target_u"]
    U = [psi[0]]
    for k in range(1, len(psi)):
        U.append(U[-1] + ((psi[k] - psi[k - 1] + math.pi) % (2 * math.pi) - math.pi))
    N = int(math.floor(P)) + 1
    L = N + 4
    ivl = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)  # positions as times, as evalrun.py

    def Ut(t):  # true unwrapped phase at time t
        i = first
        while i > 0 and tt[i] > t:
            i -= 1
        while i < len(tt) - 2 and tt[i + 1] < t:
            i += 1
        return U[i] + (t - tt[i]) * (U[i + 1] - U[i]) / (tt[i + 1] - tt[i])

    def nl(u):
        return u - P * (Ut(tt[first] + u * ivl) - U[first]) / (2 * math.pi)

    pos = [(tt[first + j] - tt[first]) / ivl for j in range(N)]
    v = [nl(u) for u in pos]
    um, vm = sum(pos) / N, sum(v) / N
    b = sum((u - um) * (x - vm) for u, x in zip(pos, v)) / sum((u - um) ** 2 for u in pos)
    dP = P * 2 * math.pi / (Ut(tt[first] + P * ivl) - U[first]) - P
    pin = (nl(tu) - vm) * ivl * 1e3
    # least-squares parabola through (u, N(u)): its u^2 coefficient, by normal equations
    S = [[sum(u ** (i + j) for u in pos) for j in range(3)] for i in range(3)]
    rhs = [sum(u ** i * x for u, x in zip(pos, v)) for i in range(3)]
    for c in range(3):  # Gauss-Jordan
        for r in range(3):
            if r != c:
                f = S[r][c] / S[c][c]
                S[r] = [a - f * b for a, b in zip(S[r], S[c])]
                rhs[r] -= f * rhs[c]
    kt = 2 * P * rhs[2] / S[2][2]
    ramp = b * (tu - um) * ivl * 1e3
    obs = sum(trig) / len(trig)
    print(f"{name:26s} {dP:+7.3f} {tu / P:5.2f} {pin:+7.3f} {ramp:+7.3f} {kt:+7.4f} {obs:+7.3f} {obs - pin:+7.3f}")
