#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The reference's period error and the trigger level it predicts (issue 9, session 20, truelag; a
diagnostic, not part of make check).

usage: bench/eval/refper.py PREDICTOR DIR...   (DIR: an EVAL_DIR of eval.sh, its runs and truths)

The library's phase of a frame matched at reference position u is 2 pi u / P, P the reference's
period in frames; the true phase there is psi(t_first+u) - psi(t_first). Where the P frames are not
one true beat the map's error e(u) = 2 pi u / P - (psi(t_first+u) - psi(t_first)) is a sawtooth
(for a steady heart 2 pi u dP / (P P_true), dP = P - P_true, jumping back at the wrap). A filter
whose memory spans beats holds the mean of e over the beat, the target sits at e(target_u): it
fires late by (e(target_u) - mean e) / rate, i.e. dP (1/2 - target_u / P) frames on a steady
heart. Per run: P, the true period at the reference (the frames over which psi advances 2 pi from
t_first), dP, target_u / P, that prediction (pred, ms) and the run's trigger mean (lib: all
triggers of the first reference; lib16: from trigger 16 on), and over the runs the correlation and
the mean |lib| before and after pred is taken off.
"""
import csv, glob, json, math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kalmanlab as KL  # noqa: E402


def one(d, pred, run):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    try:
        trig = [t for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
        par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
        ttrue = [float(r["t_s"]) for r in csv.DictReader(open(f"{d}/{name}_truth.csv"))]
    except (OSError, ValueError):
        return None
    if not trig:
        return None
    psi, rate = KL.law(par)
    if par.get("mod_phase"):  # ogate-synth --mod-phase: kalmanlab's law has none; do not guess
        if par["mod_amp"] and abs(par["mod_phase"]) > 0:
            return None
    first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
    trig = [t for t in trig if int(t["ref_first_frame"]) == first]
    tu = float(trig[0]["target_u"])
    if first + P + 2 >= len(ttrue):
        return None

    def ptrue(x):
        i = int(math.floor(x))
        return psi(ttrue[i]) + (x - i) * (psi(ttrue[i + 1]) - psi(ttrue[i]))
    p0 = ptrue(first)
    e = lambda u: 2 * math.pi * u / P - (ptrue(first + u) - p0)
    n = 400
    em = sum(e((j + 0.5) * P / n) for j in range(n)) / n
    lo, hi = 0.0, 2 * P  # the true period at the reference: psi(first + Pt) - psi(first) = 2 pi
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ptrue(first + mid) - p0 < 2 * math.pi else (lo, mid)
    ttgt = [float(t["trigger_time_s"]) for t in trig]
    w = sum(rate(x) for x in ttgt) / len(ttgt)
    pr = (e(tu) - em) / w * 1e3
    lib = [float(t["error_s"]) * 1e3 for t in trig]
    l16 = [float(t["error_s"]) * 1e3 for t in trig if int(t["trigger"]) >= 16]
    return name, P, lo, tu / P, pr, sum(lib) / len(lib), (sum(l16) / len(l16) if l16 else float("nan"))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    pred = argv[1]
    rows = []
    print(f"{'stream':30s} {'P':>9s} {'P_true':>9s} {'dP':>7s} {'tu/P':>5s} {'pred':>7s} {'lib':>7s} {'lib16':>7s}")
    for d in argv[2:]:
        for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
            r = one(d, pred, run)
            if r is None:
                continue
            rows.append(r)
            n, P, Pt, th, pr, lib, l16 = r
            print(f"{n:30s} {P:9.4f} {Pt:9.4f} {P - Pt:+7.4f} {th:5.3f} {pr:+7.3f} {lib:+7.3f} {l16:+7.3f}")
    if len(rows) > 2:
        x, y = [r[4] for r in rows], [r[5] for r in rows]
        mx, my = sum(x) / len(x), sum(y) / len(y)
        sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
        sxx, syy = sum((a - mx) ** 2 for a in x), sum((b - my) ** 2 for b in y)
        c = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")
        print(f"{len(rows)} runs: mean |pred| {sum(abs(a) for a in x) / len(x):.3f} ms, corr(pred, lib) {c:+.3f}, "
              f"slope {sxy / sxx if sxx else float('nan'):+.3f}; mean |lib| {sum(abs(b) for b in y) / len(y):.3f} -> "
              f"mean |lib - pred| {sum(abs(b - a) for a, b in zip(x, y)) / len(y):.3f} ms")


if __name__ == "__main__":
    main(sys.argv)
