#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The live check's level replayed from a debug build's dump, against the truth (sync_qa.c).

usage: bench/eval/qatruth.py DIR [linear|kalman ...] [--rows] [--k K]

DIR holds run_<predictor>_<row>/triggers.csv and run_<predictor>_<row>.log (make eval with
EVAL_DIR, or bench/eval/sweep.py run --dir) and <row>_truth.csv, the runs made with a build whose
judge() (sync_qa.c) prints, after out->phase_error is set (levwas = s->qa_lev before qa_level):

  QAH t_s target_phase target_u ref_period_frames info.period_frames cal_trend cal_delta
      cal_ivl_ns c1 na nb qa_model_missed cal_level levwas qa_lev info.id ref_id
  QAF t_s raw unw w sync_hist_weight(e) qa_map(s, e->w)       (one line per window frame,
                                                                entries skip .. skip+na+nb-1)

on stderr when OGATE_QADUMP is set (times as the emulator stamps them: 1 s after the truth's).
Each check's uncalibrated level is recomputed in variants, put on the calibrated level as the
library does (the running mean over QA_LEV = 8 checks of the difference, restarted at a new
reference or target), and scored against the true error (triggers.csv error_s):
  lib      the library's own check (qa_error_s)
  replay   the library's rule recomputed (must equal lib: the replay's check)
  model    half a period a side, N's model out and its value at the target put back, everywhere
           (main before sync.qa_local)
  wstep    as model, with a step where the reference wraps, on the checks that take K frames a
           side (N's model not believed, beats of more than 64 frames)
  stepslow the library's, with that step also on slow beats whose model is believed
  each     the library's rule without the running mean (each check's own difference)
Per row (--rows) the mean check - truth (the unseen bias, ms) and the row's correlation of each;
then per row the decomposition of the library's unseen bias (ms, at the reference's interval)
into what its fit reads of the frames' true matching error (each frame's raw position less the
position whose true phase it shows, bench/eval/evalrun.py reference_truth):
  unseen   the library's check less the truth, mean over the row's checks
  fitK(e)  the errors through the level's own fit (K a side with the step where the library takes
           K frames, else half a period a side), read at the trigger
  beat(e)  the errors through half a period a side with the step, read at the trigger
  e@tu     the errors of the frames within 3 frames of the target's position
Summary per predictor: pooled correlation and mean |unseen| over rows of each variant.
"""
import math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evalrun  # noqa: E402
from qacheck import corr, rows  # noqa: E402

TP = 2 * math.pi
QA_K, QA_LEV = 32, 8
HK = "t tgt tu P Pinfo k d ivl c1 na nb missed cal levwas lev id refid".split()
VARS = ["lib", "replay", "model", "wstep", "stepslow", "each"]


def wrap(x):
    return (x + math.pi) % TP - math.pi


def solve(basis, ys, ws):
    """weighted least squares y = sum c_j b_j: c_0 (nan if singular)"""
    n = len(basis[0])
    a = [[0.0] * (n + 1) for _ in range(n)]
    for b, y, w in zip(basis, ys, ws):
        for j in range(n):
            for k in range(n):
                a[j][k] += w * b[j] * b[k]
            a[j][n] += w * b[j] * y
    for j in range(n):
        p = max(range(j, n), key=lambda r: abs(a[r][j]))
        a[j], a[p] = a[p], a[j]
        if abs(a[j][j]) < 1e-300:
            return float("nan")
        for r in range(n):
            if r != j:
                f = a[r][j] / a[j][j]
                for k in range(j, n + 1):
                    a[r][k] -= f * a[j][k]
    return a[0][n] / a[0][0]


def level_fit(frames, t0, tu, P, ys, step):
    """c0 of the weighted parabola in time (plus a step where the reference wraps, if step and
    both sides hold frames) through ys at frames"""
    st = [1.0 if abs(f[3] - tu) > 0.5 * P else 0.0 for f in frames]
    both = step and 0 < sum(st) < len(st)
    basis = [[1.0, f[0] - t0, (f[0] - t0) ** 2] + ([s] if both else []) for f, s in zip(frames, st)]
    return solve(basis, ys, [f[4] for f in frames])


def load(d, pred):
    for name, trig in rows(d, pred).items():
        checks, cur = [], None
        try:
            log = open(f"{d}/run_{pred}_{name}.log")
        except OSError:
            continue
        for line in log:
            if line.startswith("QAH"):
                cur = dict(zip(HK, [float(v) for v in line.split()[1:]]))
                cur["t"] -= 1.0
                cur["fr"] = []
                checks.append(cur)
            elif line.startswith("QAF"):
                v = [float(x) for x in line.split()[1:]]
                v[0] -= 1.0
                cur["fr"].append(v)  # t raw unw w weight map
        if checks:
            yield name, {round(float(r["trigger_time_s"]), 6): r for r in trig}, checks


def levels(c, K):
    """each variant's uncalibrated level (rad) for check c"""
    fr, na, nb, P, tu, t0 = c["fr"], int(c["na"]), int(c["nb"]), c["P"], c["tu"], c["t"]
    Pi, k, dd = c["Pinfo"], c["k"], c["d"]

    def N(u):
        return TP * (dd * u / (Pi + dd) + k * u * (u - Pi) / (2 * Pi)) / Pi if Pi > 0 else 0.0

    y0 = fr[0][1] - fr[0][5]
    ym = [f[1] - f[5] - y0 for f in fr]
    out = {"model": y0 + level_fit(fr, t0, tu, P, ym, False) + N(tu),
           "wstep": y0 + level_fit(fr, t0, tu, P, ym, True) + N(tu)}
    sel = fr[na - min(na, K):na + min(nb, K)]
    out["local"] = sel[0][1] + level_fit(sel, t0, tu, P, [f[1] - sel[0][1] for f in sel], True)
    return out, sel


def main():
    args = sys.argv[1:]
    per_row = "--rows" in args
    args = [a for a in args if a != "--rows"]
    K = QA_K
    if "--k" in args:
        i = args.index("--k")
        K = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        print(__doc__)
        return 2
    d, preds = args[0], args[1:] or ["linear", "kalman"]
    for pred in preds:
        pooled = {v: [] for v in VARS}
        unseen = {v: [] for v in VARS}
        decomp = []
        for name, trig, checks in load(d, pred):
            try:
                rt = evalrun.reference_truth(d, name, pred)
            except (OSError, KeyError, ValueError):
                rt = None
            got = {v: [] for v in VARS}
            dec = []
            key, hist = None, {}
            for c in checks:
                if (c["refid"], c["tgt"]) != key:
                    key, hist = (c["refid"], c["tgt"]), {}
                slow = math.ceil(0.5 * c["P"]) > QA_K
                loc = c["missed"] and slow
                L, sel = levels(c, K)
                lv = {"replay": L["local"] if loc else L["model"], "model": L["model"],
                      "wstep": L["wstep"] if loc else L["model"],
                      "stepslow": L["local"] if loc else (L["wstep"] if slow else L["model"])}
                cand = {}
                for v, x in lv.items():
                    n, m = hist.get(v, (0, 0.0))
                    n += n < QA_LEV
                    m += (wrap(x - c["cal"]) - m) / n
                    hist[v] = (n, m)
                    cand[v] = c["cal"] + m
                cand["each"] = lv["replay"]
                r = trig.get(round(c["t"], 6))
                if not r or not r["error_s"] or not r["qa_error_s"]:
                    continue
                tr = 1e3 * float(r["error_s"])
                got["lib"].append((1e3 * float(r["qa_error_s"]), tr))
                for v in VARS[1:]:
                    got[v].append((1e3 * wrap(cand[v] - c["tgt"]) / c["c1"], tr))
                if rt and abs(c["P"] - rt[3]) < 1e-6:
                    dec.append(errors(c, sel if loc else c["fr"], loc, rt, got["lib"][-1]))
            if not got["lib"]:
                continue
            for v in VARS:
                pooled[v] += got[v]
                unseen[v].append(sum(a - b for a, b in got[v]) / len(got[v]))
            if per_row:
                print("%-26s" % name[:26], " ".join(
                    "%s %+5.2f/%.2f" % (v, sum(a - b for a, b in got[v]) / len(got[v]), corr(got[v])) for v in VARS))
            if dec:
                decomp.append((name, [sum(x[j] for x in dec) / len(dec) for j in range(4)], len(dec)))
        if per_row and decomp:
            print(f"{pred}: the library's unseen bias and the frames' true matching error its fits read (ms)")
            print("%-30s %3s %7s %7s %7s %7s" % ("stream", "n", "unseen", "fitK(e)", "beat(e)", "e@tu"))
            for name, m, n in decomp:
                print("%-30s %3d %+7.2f %+7.2f %+7.2f %+7.2f" % (name[:30], n, *m))
        if len(decomp) >= 3:
            print("%s: over rows, unseen with fitK(e): correlation %.3f, mean |unseen| %.2f, mean |unseen - fitK(e)| "
                  "%.2f ms" % (pred, corr([(m[0], m[1]) for _, m, _ in decomp]),
                               sum(abs(m[0]) for _, m, _ in decomp) / len(decomp),
                               sum(abs(m[0] - m[1]) for _, m, _ in decomp) / len(decomp)))
        print(pred, "pooled:", " ".join("%s %.3f" % (v, corr(pooled[v])) for v in VARS))
        print(pred, "mean |unseen| ms:", " ".join(
            "%s %.2f" % (v, sum(abs(u) for u in unseen[v]) / max(1, len(unseen[v]))) for v in VARS))
    return 0


def errors(c, frames, loc, rt, lib_pair):
    """(unseen, fitK(e), beat(e), e@tu) of check c in ms: the frames' true matching errors
    through the level's own fit, through a whole beat, and near the target"""
    run, tt, U, P, first, ivl, t0, Ut, tU = rt
    u0 = Ut(tt[first])

    def e_of(f):
        u = (tU(u0 + (Ut(f[0]) - u0) % TP) - tt[first]) / ivl
        return ((f[3] - u + P / 2) % P) - P / 2

    ms = 1e3 * ivl
    fk = level_fit(frames, c["t"], c["tu"], P, [e_of(f) for f in frames], loc)
    fb = level_fit(c["fr"], c["t"], c["tu"], P, [e_of(f) for f in c["fr"]], True)
    near = [e_of(f) for f in c["fr"] if abs(f[3] - c["tu"]) < 3]
    en = sum(near) / len(near) if near else float("nan")
    return lib_pair[0] - lib_pair[1], ms * fk, ms * fb, ms * en


if __name__ == "__main__":
    sys.exit(main())
