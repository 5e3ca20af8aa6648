#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Replay the live phase-error check (sync_qa.c) offline from an EVAL_DIR's frames, in variants.

usage: bench/eval/qareplay.py EVAL_DIR [linear|kalman ...] [--rows]

Each checked trigger's check is recomputed from frames.csv (unwrapped phase, time) and scored
against the true error (triggers.csv error_s), pooled over the rows (--rows: per row too).
The replay is unweighted (the library weighs frames by their matching spread; its own figure,
qa_error_s, is given as "library"), so compare variants with "parabola", not with "library".
Variants (docs/accuracy-log.md, "The live check's own error with the Kalman predictor"):
  parabola      as the library: a parabola in time through 32 frames, or half a period, a side
  K24, K48      24 / 48 frames a side
  robust3/4     refit without the frames beyond 3 / 4 robust sd (1.4826 x median |residual|)
  after2        the frames after the trigger weighed twice
  nearres       + the running mean (32 checks) of the residuals of the frames within half a
                frame of the target phase (the position error at the target against the beat's)
  crossings     the target's measured crossings in 3 beats a side, a parabola in beat number
                through their times, read at the trigger's beat (no frames far from the target)
  gate90        "parabola" with the 10 % of checks whose own sd (from the residuals) is largest
                left out (pooled only: it selects rows)
"""
import bisect, math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evalrun  # noqa: E402
from qacheck import corr  # noqa: E402

TP = 2 * math.pi


def wrap(x):
    return (x + math.pi) % TP - math.pi


def pfit(x, y, w=None):
    """weighted least-squares parabola y = c0 + c1 x + c2 x^2 (Cramer's rule)"""
    w = w or [1.0] * len(x)
    m = [sum(wi * xi ** j for wi, xi in zip(w, x)) for j in range(5)]
    v = [sum(wi * xi ** j * yi for wi, xi, yi in zip(w, x, y)) for j in range(3)]
    M = [[m[0], m[1], m[2]], [m[1], m[2], m[3]], [m[2], m[3], m[4]]]

    def det(A):
        return (A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1])
                - A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0])
                + A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]))
    D = det(M)
    out = []
    for j in range(3):
        A = [row[:] for row in M]
        for i in range(3):
            A[i][j] = v[i]
        out.append(det(A) / D)
    return out


def window(T, U, tg, P, K):
    i0 = bisect.bisect_left(T, tg)
    h = max(K, int(math.ceil(P / 2)))
    lo, hi = i0 - h, i0 + h
    if lo < 0 or hi > len(T):
        return None
    y = U[lo:hi]
    if any(math.isnan(v) for v in y):
        return None
    return [t - tg for t in T[lo:hi]], [v - U[i0] for v in y], U[i0]


def parabola_check(x, yy, y0, tgt, K=32, thr=0.0, wa=1.0):
    w = [wa if xi > 0 else 1.0 for xi in x]
    c = pfit(x, yy, w)
    if thr:
        res = [v - (c[0] + c[1] * a + c[2] * a * a) for v, a in zip(yy, x)]
        s = sorted(abs(v) for v in res)
        sd = 1.4826 * s[len(s) // 2]
        w = [wi if abs(v) <= thr * sd else 0.0 for wi, v in zip(w, res)]
        c = pfit(x, yy, w)
    return wrap(y0 + c[0] - tgt) / c[1], c


def crossings(T, U, tgt):
    C = []
    for k in range(len(U) - 1):
        a, b = U[k], U[k + 1]
        if math.isnan(a) or math.isnan(b) or b <= a:
            continue
        na, nb = math.floor((a - tgt) / TP), math.floor((b - tgt) / TP)
        if nb == na + 1:
            C.append(T[k] + (tgt + TP * nb - a) / (b - a) * (T[k + 1] - T[k]))
    return C


def crossing_check(C, tg, per, B=3):
    js, cs = [], []
    for j in range(-B, B + 1):
        want = tg + j * per
        q = bisect.bisect_left(C, want)
        near = [C[i] for i in (q - 1, q) if 0 <= i < len(C)]
        if near:
            best = min(near, key=lambda v: abs(v - want))
            if abs(best - want) < 0.3 * per:
                js.append(float(j))
                cs.append(best - tg)
    if len(js) < 2 * B:
        return None
    return -pfit(js, cs)[0]


VARIANTS = ["library", "parabola", "K24", "K48", "robust3", "robust4", "after2", "nearres",
            "crossings", "gate90"]


def replay(d, pred, per_row):
    pooled = {v: [] for v in VARIANTS}
    sds = []
    for name, psi, tt, trig, fr in evalrun.runs(d, pred):
        T = [float(r["t_s"]) for r in fr]
        U = [float(r["unwrapped_rad"]) if r["unwrapped_rad"] not in ("", "nan") else float("nan")
             for r in fr]
        row = {v: [] for v in VARIANTS}
        C = crossings(T, U, float(trig[0]["target_phase_rad"]))
        near_mean, near_n = 0.0, 0
        for r in trig:
            if not (r["qa_error_s"] and r["error_s"]):
                continue
            tg, tgt = float(r["trigger_time_s"]), float(r["target_phase_rad"])
            P, truth = float(r["ref_period_frames"]), float(r["error_s"])
            win = window(T, U, tg, P, 32)
            w24, w48 = window(T, U, tg, P, 24), window(T, U, tg, P, 48)
            xc = crossing_check(C, tg, P * (T[1] - T[0]))
            if not (win and w24 and w48) or xc is None:
                continue
            x, yy, y0 = win
            base, c = parabola_check(x, yy, y0, tgt)
            res = [v - (c[0] + c[1] * a + c[2] * a * a) for v, a in zip(yy, x)]
            sel = [rr for rr, v in zip(res, yy) if abs(wrap(v + y0 - tgt)) < math.pi / P]
            if sel:
                near_n += 1
                near_mean += (sum(sel) / len(sel) - near_mean) / min(near_n, 32)
            sd = math.sqrt(2.25 * sum(v * v for v in res) / (len(res) - 3) / len(res)) / c[1]
            got = {
                "library": float(r["qa_error_s"]),
                "parabola": base,
                "K24": parabola_check(*w24, tgt)[0],
                "K48": parabola_check(*w48, tgt)[0],
                "robust3": parabola_check(x, yy, y0, tgt, thr=3.0)[0],
                "robust4": parabola_check(x, yy, y0, tgt, thr=4.0)[0],
                "after2": parabola_check(x, yy, y0, tgt, wa=2.0)[0],
                "nearres": wrap(y0 + c[0] + near_mean - tgt) / c[1],
                "crossings": xc,
                "gate90": base,
            }
            for v in VARIANTS:
                row[v].append((got[v], truth))
            sds.append(sd)
        for v in VARIANTS:
            pooled[v] += row[v]
        if per_row and row["parabola"]:
            print("%-28s n %3d " % (name[:28], len(row["parabola"]))
                  + " ".join("%s %.3f" % (v, corr(row[v])) for v in VARIANTS if v != "gate90"))
    cut = sorted(sds)[int(0.9 * len(sds))] if sds else 0
    pooled["gate90"] = [p for p, s in zip(pooled["gate90"], sds) if s < cut]
    print("%s pooled (%d checks): " % (pred, len(pooled["parabola"]))
          + " ".join("%s %.3f" % (v, corr(pooled[v])) for v in VARIANTS))


def main():
    args = [a for a in sys.argv[1:] if a != "--rows"]
    if not args:
        print(__doc__)
        return 2
    for pred in args[1:] or ["linear", "kalman"]:
        replay(args[0], pred, "--rows" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
