#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibrated phase's level against the level the pin's model of N predicts (a diagnostic, not
part of make check).

usage: git apply bench/eval/pinlevel.patch; make; EVAL_DIR=/tmp/ev BIN=build/bin bench/eval/eval.sh
       bench/eval/pinlevel.py /tmp/ev [linear|kalman] [rows-regex] [first-beat]

The pin (sync_calib.c, update_anchor) sets the table's mean over the reference frames to N's
MODEL level at the target: N^(u_t) - mean_j N^(j), N^ the reference beat's map from the trend k^
and delta^ (sync_beat_model), where the table converged holds the true N less its mean. The
corrected phase's level is then off by the model's error at the target against its mean,
    pred = (N^ - N)(u_t) - mean_j (N^ - N)(j)      (frames; + = ahead, triggers early)
N(u) = u - P (psi(u) - psi(0)) / 2 pi from the truth (pinramp.py). Per row:
  khat dhat  the library's trend and delta (the last "DIAG k K d D" line of run_<pred>_<row>.log)
  k_fit      the trend of a parabola k u (u - P) / 2P through N less delta's ramp at the reference
             frames; d_true the reference beat's true length less P (pinramp.py's k and dP)
  pred       as above, with khat and dhat; predfit with k_fit and d_true (what is not a parabola)
  predW      pred with the mean over the reference frames within P/4 of the target only
             (bench/eval/pinwindow.patch): the model's error where it is smooth across the target
  lvl        the corrected phase's level, frames, mean over the locked frames of the first
             reference from first-beat beats after it (default 10): the frame's position less the
             target's, less its true phase less the target's true phase (x P / 2 pi), wrapped
             (priorlevel.py's eps over the whole beat; + = ahead)
  obs        the row's trigger mean, ms (+ = late)
docs/accuracy-log.md, "The modulated rows' late bias: the pin's model of N at the target".
"""
import math, re, sys

import evalrun

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "kalman"
rx = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
B0 = float(sys.argv[4]) if len(sys.argv) > 4 else 10


def model(P, k, dd, u):  # sync_beat_model
    if k == 0 and dd == 0:
        return 0
    u = u % P
    return dd * u / (P + dd) + k * u * (u - P) / (2 * P)


print(f"{'stream':28s} {'khat':>8s} {'dhat':>7s} {'k_fit':>8s} {'d_true':>7s} {'pred':>7s} "
      f"{'predfit':>7s} {'predW':>7s} {'lvl':>7s} {'obs':>7s}  (frames but obs, ms)")
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    if not rx.search(name):
        continue
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    p0 = pidx(0)
    N = lambda x: x - P * (pidx(x) - p0) / (2 * math.pi)
    kh = dh = 0.0
    try:
        for line in open(f"{d}/run_{pred}_{name}.log"):
            if line.startswith("DIAG k "):
                kh, dh = float(line.split()[2]), float(line.split()[4])
    except OSError:
        pass
    dtrue = P * 2 * math.pi / (pidx(P) - p0) - P
    J = [j for j in range(int(math.floor(P)) + 1) if j < P]
    num = den = 0.0
    for j in J:
        g = j * (j - P) / (2 * P)
        num += g * (N(j) - dtrue * j / (P + dtrue))
        den += g * g
    kf = num / den
    near = [j for j in J if abs((j - tu + P / 2) % P - P / 2) <= P / 4]

    def lv(k, dd, js):
        diff = lambda x: model(P, k, dd, x) - N(x)
        return diff(tu) - sum(diff(j) for j in js) / len(js)

    psit = pidx(tu)
    wrap = lambda x: (x + P / 2) % P - P / 2
    s = c = 0
    for r in fr:
        if r["phase_rad"] in ("", "nan"):
            continue
        k = int(r["frame"])
        if k + 1 >= len(psi) or (k - first) / P < B0:
            continue
        u = float(r["phase_rad"]) * P / (2 * math.pi)
        s += wrap(u - tu - (psi[k] - psit) * P / (2 * math.pi))
        c += 1
    errs = [float(t["error_s"]) * 1e3 for t in trig if t.get("error_s")]
    obs = sum(errs) / len(errs) if errs else float("nan")
    lvl = f"{s / c:+.4f}" if c else "      -"
    print(f"{name:28s} {kh:+.5f} {dh:+.4f} {kf:+.5f} {dtrue:+.4f} {lv(kh, dh, J):+.4f} "
          f"{lv(kf, dtrue, J):+.4f} {lv(kh, dh, near):+.4f} {lvl} {obs:+.3f}")
