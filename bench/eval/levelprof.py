#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibrated phase's level error by true position, and at the wrap (a diagnostic, not part
of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/levelprof.py /tmp/ev [linear|kalman] [ROW]

positions.py and decbias.py measure the matching error: a frame's measured reference position
against the true phase of that position. A predictor needs something else: a phase that is linear
in time and equals the target's phase when the heart truly reaches the target. For a locked frame
k of the first reference (from two periods after it was taken), with calibrated phase phi_k
(frames.csv phase_rad: after the calibration table, its pin and the common-offset correction),
    level_k = -(phi_k - theta_t - (psi_k - psi(u_t))) / rate_k   (ms, wrapped to +-pi first)
(psi(u_t) as ogate-emulate scores: the true phase at frame index ref_first_frame + u_t) is the trigger error a predictor that copied that frame's level (and had the true rate) would make
(+ = late). It holds the matching error and also what the table learnt of the reference beat's map
N and the pin's level (docs/accuracy-log.md, cause 7). Per row:
  all      mean level over the frames
  dec5     over each trigger's decision frame and the 4 frames before it
  pre      frames whose true position is within 1 frame before the reference's end (P)
  post     frames within 1 frame after its start
  tgt      frames within 1 frame of the target position
  obs      the row's trigger mean (triggers.csv error_s)
A level that is the same before and after the wrap (pre ~ post ~ all) is an offset of the whole
calibrated phase (the pin), not an error of the wrap. With ROW (a substring of a row's name) the
row's profile is printed too, one line per frame of true position.
"""
import math, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
want = sys.argv[3] if len(sys.argv) > 3 else None
mean = lambda v: sum(v) / len(v) if v else float("nan")
print(f"{'stream':26s} {'all':>7s} {'dec5':>7s} {'pre':>7s} {'post':>7s} {'tgt':>7s} {'obs':>7s}  (ms, + = late)")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if want and want not in name:
        continue
    first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
    tu, th = float(trig[0]["target_u"]), float(trig[0]["target_phase_rad"])
    pidx = evalrun.ref_phase(psi, tt, first, P)
    # the scorer's target: the true phase at frame index first + tu (ogate-emulate), not at the
    # time the library places u_t at (they differ by a frame's timestamp jitter)
    i = int(math.floor(first + tu))
    p0, pt = pidx(0), psi[i] + (first + tu - i) * ((psi[i + 1] - psi[i] + math.pi) % (2 * math.pi) - math.pi)
    lev, pos = {}, {}
    for r in fr:
        k = int(r["frame"])
        if r["phase_rad"] in ("", "nan") or k < first + 2 * P or not 0 < k < len(psi) - 1:
            continue
        e = (float(r["phase_rad"]) - th - (psi[k] - pt) + math.pi) % (2 * math.pi) - math.pi
        rate = (psi[k + 1] - psi[k - 1]) / (tt[k + 1] - tt[k - 1])
        lev[k] = -e / rate * 1e3
        pos[k] = ((psi[k] - p0) % (2 * math.pi)) / (2 * math.pi) * P
    if not lev:
        continue
    dec = []
    for t in trig:
        if t["ref_id"] != trig[0]["ref_id"]:
            continue
        kd = int(t["decided_at_frame"])
        dec += [lev[j] for j in range(kd - 4, kd + 1) if j in lev]
    sel = lambda f: [lev[k] for k in lev if f(pos[k])]
    circ = lambda u, a: abs((u - a + P / 2) % P - P / 2)
    obs = mean([float(t["error_s"]) * 1e3 for t in trig if t.get("error_s")])
    cols = (mean(list(lev.values())), mean(dec), mean(sel(lambda u: u >= P - 1)), mean(sel(lambda u: u < 1)),
            mean(sel(lambda u: circ(u, tu) < 1)), obs)
    print(f"{name:26s} " + " ".join(f"{v:+7.3f}" for v in cols))
    if want:
        for b in range(int(math.ceil(P))):
            v = sel(lambda u: b <= u < b + 1)
            if v:
                print(f"  u {b:4d}..{b + 1:<4d} n {len(v):4d} level {mean(v):+7.3f}")
