#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A row's trigger bias as the fit window's line through the per-frame phase errors (a diagnostic).

  windowline.py DIR ROW [--pred linear] [--src P_SRC] [--back 12]

DIR is an EVAL_DIR of `make eval` (run_<pred>_<ROW>/ and <ROW>_truth.csv). Per locked frame,
e = measured phase - (truth - truth at the reference's first frame) - (target phase - truth at
the target's reference position), in ms (+ = the measured phase ahead: a trigger early), so e = 0
at the target is a trigger on time (targetdecomp.py's e less its map). Prints:
  level    map - e_mean in targetdecomp.py's sense: the phases' mean level at the target (0: the
           truth's phase at a reference position is what the library assumes there)
  forecast the line through e over the frames since the barrier (at most 32, as sync_timing.c
           builds the fit window) ending at the decision frame + o, extrapolated to the trigger
           time, o = -3..+2, in ms (+ = late, as the trigger error); the decision frame's own
           against its neighbours' is the first-passage selection (the frame that commits being
           the one whose forecast came early); the linear predictor's trigger error is o = 0's
  back     e (+ = late) by frames back from the decision frame: a pattern fixed in the
           reference's positions (the decision frame sits within a frame of target - lead, so
           the frames before it sample fixed positions) that the line extrapolates
  frac     e by the measured position's fraction (16 bins over a reference frame interval)
  src      with --src P (the real model's source beat in frames, the matrix's last column): e by
           the fraction of the source frame the truth sits in (ogate-synth's real model
           interpolates linearly between P source frames, a kink at each)
docs/accuracy-log.md, "The real rows' early bias".
"""
import argparse
import csv
import json
import math


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("row")
    ap.add_argument("--pred", default="linear")
    ap.add_argument("--src", type=float, default=0)
    ap.add_argument("--back", type=int, default=12)
    a = ap.parse_args()
    tr = list(csv.DictReader(open(f"{a.dir}/{a.row}_truth.csv")))
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    run = f"{a.dir}/run_{a.pred}_{a.row}/"
    fr = {int(r["frame"]): r for r in csv.DictReader(open(run + "frames.csv"))}
    tg = [t for t in csv.DictReader(open(run + "triggers.csv")) if t["error_s"]]
    if not tg:
        print(f"{a.row} {a.pred}: no scored triggers")
        return
    rf, P = int(tg[0]["ref_first_frame"]), float(tg[0]["ref_period_frames"])
    tu, pt, rid = float(tg[0]["target_u"]), float(tg[0]["target_phase_rad"]), tg[0]["ref_id"]
    tg = [t for t in tg if t["ref_id"] == rid]  # the first reference's triggers
    bar = json.load(open(run + "summary.json"))["reference"]["barrier"]
    p0 = psi[rf]
    fi = rf + tu
    i0 = int(fi)
    ptgt = psi[i0] + (fi - i0) * (psi[i0 + 1] - psi[i0]) - p0

    def wrap(x):
        return (x + math.pi) % (2 * math.pi) - math.pi

    def m(v):
        return sum(v) / len(v) if v else float("nan")

    off = wrap(pt - ptgt)
    per = (tt[-1] - tt[0]) / ((psi[-1] - psi[0]) / (2 * math.pi))
    E, lev = {}, []
    for k, r in fr.items():
        if r["state"] != "locked" or r["phase_rad"] in ("", "nan") or not 0 < k < len(psi) - 1:
            continue
        rate = (psi[k + 1] - psi[k - 1]) / (tt[k + 1] - tt[k - 1])
        E[k] = wrap(float(r["phase_rad"]) - (psi[k] - p0) - off) / rate * 1e3
        lev.append(wrap(float(r["phase_rad"]) - (psi[k] - p0)))
    level = wrap(off + 0) * per / (2 * math.pi) * 1e3 - m(lev) * per / (2 * math.pi) * 1e3
    wsrc = ""
    if a.src:
        wsrc = "; source wrap at u %.2f" % (((-p0) % (2 * math.pi)) / (2 * math.pi) * P)

    def line(k0, k, T):
        xs = [j for j in range(max(k0, k - 31), k + 1) if j in E]
        n = len(xs)
        tm, em = sum(tt[j] for j in xs) / n, sum(E[j] for j in xs) / n
        sxx = sum((tt[j] - tm) ** 2 for j in xs)
        b = sum((tt[j] - tm) * (E[j] - em) for j in xs) / sxx if sxx > 0 else 0
        return -(em + b * (T - tm))

    fc = {o: [] for o in range(-3, 3)}
    back = {i: [] for i in range(a.back)}
    nwin = []
    for t in tg:
        k, T = int(t["decided_at_frame"]), float(t["trigger_time_s"])
        if k not in E:
            continue
        ub = float(fr[k]["unwrapped_rad"]) - (float(fr[k]["phase_rad"]) - 2 * math.pi * bar / P) % (2 * math.pi)
        j = k
        while j - 1 in E and float(fr[j - 1]["unwrapped_rad"]) >= ub:
            j -= 1
        nwin.append(min(k - j + 1, 32))
        for o in fc:
            if k + o - j >= 5 and all(x in E for x in range(j, k + o + 1)):
                fc[o].append(line(j, k + o, T))
        for i in back:
            if k - i in E:
                back[i].append(-E[k - i])
    print(f"{a.row} {a.pred}: P {P:.2f} frames, target u {tu:.2f}, barrier {bar}{wsrc}; "
          f"{len(tg)} triggers, mean {m([float(t['error_s']) * 1e3 for t in tg]):+.3f} ms; window {m(nwin):.1f} frames")
    print(f"  level (map - e_mean) {level:+.3f} ms")
    print("  forecast (+late) from decision+o: " + " ".join(f"{o:+d}:{m(v):+.3f}" for o, v in fc.items()))
    print("  back (+late): " + " ".join(f"{i}:{m(v):+.2f}" for i, v in back.items()))
    nb = 16
    sb, cb = [0.0] * nb, [0] * nb
    for k, e in E.items():
        u = float(fr[k]["phase_rad"]) / (2 * math.pi) * P
        b = int((u % 1) * nb) % nb
        sb[b] += e
        cb[b] += 1
    print("  frac (+early): " + " ".join(f"{sb[b] / cb[b]:+.2f}" if cb[b] else "." for b in range(nb)))
    if a.src:
        sb, cb = [0.0] * 5, [0] * 5
        for k, e in E.items():
            x = 2 + a.src * (psi[k] % (2 * math.pi)) / (2 * math.pi)
            b = int((x % 1) * 5)
            sb[b] += e
            cb[b] += 1
        print("  src fifths (+early): " + " ".join(f"{sb[b] / cb[b]:+.2f}" if cb[b] else "." for b in range(5)))


if __name__ == "__main__":
    main()
