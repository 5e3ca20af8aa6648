#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Replay each trigger's prediction offline with other windows and fits (a diagnostic, not part
of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/predlab.py /tmp/ev [linear|kalman] [rows-regex]

For every trigger of a row (its first reference only) the decision frame k, the measured
unwrapped phases of the frames up to k and their times are read back from frames.csv; the true
phase law from the stream's _params.json. Each variant below builds a window ending at k, fits
it, and solves for the time its fit reaches the trigger's target (as ogate_forecast_wait does);
the error is that time minus the nearest true crossing of the target's true phase (the true
phase at stream frame ref_first_frame + target_u, as ogate-emulate scores it). Columns, RMS and
mean over the row's triggers (ms):
  lib      the library's own trigger (error_s), for reference
  cur      the library's window (frames since the barrier, at least fit_min_frames, at most 32),
           unweighted line: should be close to lib (lib weights each frame by its precision)
  true     the same window and line through the TRUE phases: what the line alone costs
           (curvature of the phase over the window and the extrapolation)
  meas     cur minus true: what the measurement errors alone cost
  Nxx      a window of exactly xx frames, measured phases
  q        a parabola through the frames of the last beat, measured phases
and on a second line (RMS/mean):
  Rxx{w,h,b}  the level from a window (w: the library's, h: at least half a beat, b: one beat)
              with the rate from elsewhere: Rtrue the true rate at the decision frame, R1/R2 a
              line through the last 1/2 beats, Rq2/Rq3 the slope at the decision frame of a
              parabola through the last 2/3 beats (with its curvature)
  MNL      the window length n chosen by the predicted error of the extrapolated phase,
           s^2 x the line's variance factor + (c2^2 - var c2) x the line's curvature bias, s^2 and
           c2 from a parabola through the last NL frames (NL = 48, 64, 96; nNL: mean n chosen)
  CNL{w,a,m}  a line through phi - c2 (t - tk)^2 (c2 as for MNL), extrapolated with the curvature
              added back: over the library's window (w), all NL frames (a) or the n minimising the
              same error with var c2 in place of the curvature (m)
  Kk, Kkq  the library's window plus k whole beats: a line, or a parabola (q)
  Bk{w,2w,g} the library's window (or twice it) with the curvature of a parabola through the
           last k whole beats subtracted before the line and added back after it (g: only where
           that curvature is beyond 2 standard errors)
  D, Dg    the same with the curvature from the change of the rate between the last two whole
           beats (a line through each); Dgon, G2, G3: the share of triggers the gate let through
  Rbeat    the level from the library's window with the rate from the beat before, measured at
           the window's own positions (the time since the heart last passed each window frame's
           phase, so the errors repeated every beat cancel); Rcomb: that rate and the window's
           slope combined by inverse variance; Rgate: Rbeat only where the beat before and the
           one before it took equally long (within 2 standard errors; Gsteady: share of triggers)
All fits here are unweighted (frames.csv does not record each match's precision, which the
library's line uses), so long windows look worse here than they are in the library.
"""
import csv, glob, json, math, os, re, sys

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
rx = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
MAXFIT = 32


def fit_min_frames(dd):
    n = 2
    while 1 / n + (dd + (n - 1) / 2) ** 2 / (n * (n * n - 1) / 12) > 1:
        n += 1
    return n


def law(p):
    f0, A, Tm, dr, T, p0 = 1 / p["period_s"], p["mod_amp"], p["mod_period_s"], p["drift"], p["T_run"], p["psi0"]

    def psi(t):
        return p0 + 2 * math.pi * f0 * (t + dr * t * t / (2 * T) + A * Tm / (2 * math.pi) * (1 - math.cos(2 * math.pi * t / Tm)))

    def rate(t):
        return 2 * math.pi * f0 * (1 + dr * t / T + A * math.sin(2 * math.pi * t / Tm))
    return psi, rate


def crossing(psi, rate, target, t0):
    """the time nearest t0 at which psi(t) = target (mod 2 pi)"""
    m = round((psi(t0) - target) / (2 * math.pi))
    g = target + 2 * math.pi * m
    t = t0
    for _ in range(30):
        t -= (psi(t) - g) / rate(t)
    return t


def polyfit(ts, ys, deg, ws=None):
    """weighted least squares polynomial (deg 1 or 2) in centred time; returns coefficients c
    and the centre: y = c0 + c1 (t - tc) + c2 (t - tc)^2"""
    n = len(ts)
    ws = ws or [1.0] * n
    sw = sum(ws)
    tc = sum(w * t for w, t in zip(ws, ts)) / sw
    k = deg + 1
    A = [[0.0] * k for _ in range(k)]
    b = [0.0] * k
    for t, y, w in zip(ts, ys, ws):
        x = [(t - tc) ** j for j in range(k)]
        for i in range(k):
            b[i] += w * x[i] * y
            for j in range(k):
                A[i][j] += w * x[i] * x[j]
    # solve (small Gauss)
    for i in range(k):
        pv = A[i][i]
        if abs(pv) < 1e-300:
            return None, tc
        for j in range(i + 1, k):
            f = A[j][i] / pv
            for m in range(i, k):
                A[j][m] -= f * A[i][m]
            b[j] -= f * b[i]
    c = [0.0] * k
    for i in reversed(range(k)):
        c[i] = (b[i] - sum(A[i][m] * c[m] for m in range(i + 1, k))) / A[i][i]
    return c, tc


def solve_time(c, tc, tk, target):
    """first time >= tk at which the fitted polynomial reaches the target (unwrapped so that it
    lies ahead of the fit's phase at tk, as ogate_forecast_wait)"""
    def f(t):
        x = t - tc
        return sum(cj * x ** j for j, cj in enumerate(c))

    def fd(t):
        x = t - tc
        return sum(j * cj * x ** (j - 1) for j, cj in enumerate(c) if j)
    now = f(tk)
    r = fd(tk)
    if not r > 0:
        return None
    m = math.floor(now / (2 * math.pi))
    dd = target + 2 * math.pi * m - now
    while dd < 0:
        dd += 2 * math.pi
    t = tk + dd / r
    for _ in range(20):
        rr = fd(t)
        if not rr > 0:
            return tk + dd / r
        t -= (f(t) - (now + dd)) / rr
    return t


NS = [4, 6, 8, 12, 16, 24, 32, 48, 64]
hdr = f"{'stream':26s} {'lib':>13s} {'cur':>13s} {'true':>13s} {'meas':>13s}"
for n in NS:
    hdr += f" {'N' + str(n):>6s}"
hdr += f" {'q':>6s}"
print(hdr + "   (RMS/mean ms; Nxx, q: RMS)")
for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    if not rx.search(name):
        continue
    try:
        S = json.load(open(run + "summary.json"))
        fr = {int(r["frame"]): r for r in csv.DictReader(open(run + "frames.csv"))}
        trig = [t for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
        # the stream's parameters sit beside its truth (eval.sh links the truth when it keeps streams)
        par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
    except (OSError, ValueError):
        continue
    if not trig or "reference" not in S or not par:
        continue
    psi, rate = law(par)
    bar = S["reference"]["barrier"]
    ts = {k: float(r["t_s"]) for k, r in fr.items()}
    ivl = sorted(ts[k + 1] - ts[k] for k in range(len(ts) - 1))[len(ts) // 2]
    nmin = max(3, fit_min_frames(1.6 + 0.015 / ivl))
    first = int(trig[0]["ref_first_frame"])
    P = float(trig[0]["ref_period_frames"])
    res = {k: [] for k in ["lib", "cur", "true", "meas", "q"] + [f"N{n}" for n in NS]}

    def unw(j):
        v = fr[j]["unwrapped_rad"]
        return None if v in ("", "nan") else float(v)

    for t in trig:
        if int(t["ref_first_frame"]) != first:
            continue
        k = int(t["decided_at_frame"])
        tu = float(t["target_u"])
        tgt = float(t["target_phase_rad"])
        # the true phase of the target: the true phase at stream frame first + target_u
        x = first + tu
        i = int(math.floor(x))
        tgt_true = psi(ts[i]) + (x - i) * (psi(ts[i + 1]) - psi(ts[i]))
        ttrig = float(t["trigger_time_s"])
        tc_true = crossing(psi, rate, tgt_true, ttrig)
        res["lib"].append(float(t["error_s"]) * 1e3)
        phib = 2 * math.pi * bar / P
        uk = unw(k)
        ub = uk - (float(fr[k]["phase_rad"]) - phib) % (2 * math.pi)
        W = []
        j = k
        while len(W) < MAXFIT and j > 0 and unw(j) is not None:
            if len(W) >= nmin and unw(j) < ub:
                break
            W.append(j)
            j -= 1
        tw = [ts[j] for j in W]

        def err(win, deg=1, true=False):
            if len(win) < deg + 2 or any(unw(j) is None for j in win):
                return None
            tt_ = [ts[j] for j in win]
            if true:	# true phases shifted to the measured scale at k (only their shape matters)
                off = uk - psi(ts[k])
                ys = [psi(ts[j]) + off for j in win]
                tg = tgt_true + off
            else:
                ys = [unw(j) for j in win]
                tg = tgt
            c, tc = polyfit(tt_, ys, deg)
            if c is None:
                return None
            tp = solve_time(c, tc, ts[k], tg)
            if tp is None:
                return None
            # compare with the true crossing nearest the predicted time
            return (tp - crossing(psi, rate, tgt_true, tp)) * 1e3

        e_cur = err(W)
        e_true = err(W, true=True)
        if e_cur is None or e_true is None:
            continue
        res["cur"].append(e_cur)
        res["true"].append(e_true)
        res["meas"].append(e_cur - e_true)
        for n in NS:
            e = err([k - m for m in range(n)])
            if e is not None:
                res[f"N{n}"].append(e)
        e = err([k - m for m in range(int(round(P)))], deg=2)
        if e is not None:
            res["q"].append(e)
        # level from a window, rate from elsewhere
        def lvl(win, om, acc=0.0):
            if any(unw(j) is None for j in win):
                return None
            phk = sum(unw(j) - om * (ts[j] - ts[k]) - 0.5 * acc * (ts[j] - ts[k]) ** 2 for j in win) / len(win)
            c = [phk, om, 0.5 * acc]
            tp = solve_time(c, ts[k], ts[k], tgt)
            return None if tp is None else (tp - crossing(psi, rate, tgt_true, tp)) * 1e3
        Pn = int(round(P))
        def slope(n, deg=1):
            win = [k - m for m in range(n)]
            if any(j < 0 or unw(j) is None for j in win):
                return None
            c, tc = polyfit([ts[j] for j in win], [unw(j) for j in win], deg)
            if c is None:
                return None
            if deg == 1:
                return c[1], 0.0
            return c[1] + 2 * c[2] * (ts[k] - tc), 2 * c[2]
        # window chosen by the predicted error of the extrapolated phase: noise x variance
        # factor of the line, plus the curvature (from a parabola over the longest window) x its bias
        for NL in (48, 64, 96):
            win = [k - m for m in range(NL)]
            if any(j < 0 or unw(j) is None for j in win):
                continue
            tx = [ts[j] - ts[k] for j in win]
            ys = [unw(j) for j in win]
            c, tc = polyfit(tx, ys, 2)
            rs = [y - (c[0] + c[1] * (x - tc) + c[2] * (x - tc) ** 2) for x, y in zip(tx, ys)]
            s2 = sum(r * r for r in rs) / (NL - 3)
            # var(c2): (X'X)^-1 [2][2] s2, numerically
            import itertools
            X = [[1, x - tc, (x - tc) ** 2] for x in tx]
            M = [[sum(X[i][a] * X[i][b] for i in range(NL)) for b in range(3)] for a in range(3)]
            det = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0])
                   + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]))
            inv22 = (M[0][0] * M[1][1] - M[0][1] * M[1][0]) / det
            c2sq = max(0.0, c[2] ** 2 - inv22 * s2)
            dd = (1.6 + 0.015 / ivl) * ivl
            best, bn = None, None
            for n in range(max(3, nmin), NL + 1):
                xs = tx[:n]
                xm = sum(xs) / n
                sxx = sum((x - xm) ** 2 for x in xs)
                V = 1 / n + (dd - xm) ** 2 / sxx
                # line through x^2 evaluated at dd
                ym = sum(x * x for x in xs) / n
                b = sum((x - xm) * (x * x - ym) for x in xs) / sxx
                G = dd * dd - (ym + b * (dd - xm))
                mse = s2 * V + c2sq * G * G
                if best is None or mse < best:
                    best, bn = mse, n
            e = err(win[:bn])
            if e is not None:
                res.setdefault(f"M{NL}", []).append(e)
                res.setdefault(f"n{NL}", []).append(bn)
            # curvature-corrected lines: c2 from the parabola over the NL frames, a line through
            # phi - c2 (t - tk)^2 over n frames, extrapolated with the curvature added back
            def corr(n):
                xs = tx[:n]
                ys2 = [y - c[2] * x * x for x, y in zip(xs, ys[:n])]
                cc, tcc = polyfit(xs, ys2, 1)
                if cc is None:
                    return None
                # phase(x) = cc0 + cc1 (x - tcc) + c2 x^2, x = t - tk
                cq = [cc[0] - cc[1] * tcc, cc[1], c[2]]
                tp = solve_time(cq, 0.0, 0.0, tgt)
                return None if tp is None else (ts[k] + tp - crossing(psi, rate, tgt_true, ts[k] + tp)) * 1e3
            bestc, bnc = None, None
            for n in range(max(3, nmin), NL + 1):
                xs = tx[:n]
                xm = sum(xs) / n
                sxx = sum((x - xm) ** 2 for x in xs)
                V = 1 / n + (dd - xm) ** 2 / sxx
                ym = sum(x * x for x in xs) / n
                b = sum((x - xm) * (x * x - ym) for x in xs) / sxx
                G = dd * dd - (ym + b * (dd - xm))
                mse = s2 * V + inv22 * s2 * G * G
                if bestc is None or mse < bestc:
                    bestc, bnc = mse, n
            for key, n in ((f"C{NL}w", len(W)), (f"C{NL}a", NL), (f"C{NL}m", bnc)):
                e = corr(min(n, NL))
                if e is not None:
                    res.setdefault(key, []).append(e)
        # the library's window plus k whole beats (each position then appears k or k + 1 times)
        for kb in (1, 2, 3):
            e = err([k - m for m in range(len(W) + kb * int(round(P)))])
            if e is not None:
                res.setdefault(f"K{kb}", []).append(e)
            e = err([k - m for m in range(len(W) + kb * int(round(P)))], deg=2)
            if e is not None:
                res.setdefault(f"K{kb}q", []).append(e)
        # the library's window with the curvature of a parabola through the last kb whole beats
        # subtracted before the line and added back after it
        for kb in (2, 3):
            nb = kb * int(round(P))
            wb = [k - m for m in range(nb)]
            if any(j < 0 or unw(j) is None for j in wb):
                continue
            xb = [ts[j] - ts[k] for j in wb]
            cb, tcb = polyfit(xb, [unw(j) for j in wb], 2)
            if cb is None:
                continue
            a2 = cb[2]
            # its standard error: residual variance x (X'X)^-1 [2][2], by a small inversion
            rb = [unw(j) - (cb[0] + cb[1] * (x - tcb) + cb[2] * (x - tcb) ** 2) for j, x in zip(wb, xb)]
            s2b = sum(r * r for r in rb) / (len(wb) - 3)
            Mb = [[sum((x - tcb) ** (a + c) for x in xb) for c in range(3)] for a in range(3)]
            detb = (Mb[0][0] * (Mb[1][1] * Mb[2][2] - Mb[1][2] * Mb[2][1]) - Mb[0][1] * (Mb[1][0] * Mb[2][2] - Mb[1][2] * Mb[2][0])
                    + Mb[0][2] * (Mb[1][0] * Mb[2][1] - Mb[1][1] * Mb[2][0]))
            se2 = math.sqrt(max(0.0, (Mb[0][0] * Mb[1][1] - Mb[0][1] * Mb[1][0]) / detb * s2b))
            for nm, win, aa in (("g", W, a2 if abs(a2) > 2 * se2 else 0.0),):
                xs = [ts[j] - ts[k] for j in win]
                cc, tcc = polyfit(xs, [unw(j) - aa * x * x for j, x in zip(win, xs)], 1)
                tp = solve_time([cc[0] - cc[1] * tcc, cc[1], aa], 0.0, 0.0, tgt)
                if tp is not None:
                    res.setdefault(f"B{kb}{nm}", []).append((ts[k] + tp - crossing(psi, rate, tgt_true, ts[k] + tp)) * 1e3)
                res.setdefault(f"G{kb}", []).append(1.0 if aa else 0.0)
            for nm, win in (("w", W), ("2w", [k - m for m in range(2 * len(W))])):
                if any(j < 0 or unw(j) is None for j in win):
                    continue
                xs = [ts[j] - ts[k] for j in win]
                cc, tcc = polyfit(xs, [unw(j) - a2 * x * x for j, x in zip(win, xs)], 1)
                tp = solve_time([cc[0] - cc[1] * tcc, cc[1], a2], 0.0, 0.0, tgt)
                if tp is not None:
                    res.setdefault(f"B{kb}{nm}", []).append((ts[k] + tp - crossing(psi, rate, tgt_true, ts[k] + tp)) * 1e3)
        # the rate from the beat before: for each window frame, the time since the previous beat
        # passed the same phase (2 pi less, interpolated): the same positions, so the errors they
        # repeat every beat cancel; combined with the window's own slope by inverse variance
        def t_at(phi, jhi):
            j = jhi
            while j > 1 and unw(j - 1) is not None and unw(j - 1) > phi:
                j -= 1
            if j < 1 or unw(j - 1) is None or unw(j) is None or not unw(j - 1) <= phi <= unw(j):
                return None
            return ts[j - 1] + (phi - unw(j - 1)) * (ts[j] - ts[j - 1]) / (unw(j) - unw(j - 1))
        Ds, Ds2 = [], []
        for j in W:
            tp_ = t_at(unw(j) - 2 * math.pi, j - int(0.8 * P))
            if tp_ is not None:
                Ds.append(ts[j] - tp_)
                jj = int(round(j - P))
                tp2 = t_at(unw(j) - 4 * math.pi, jj - int(0.8 * P)) if jj > P else None
                if tp2 is not None:
                    Ds2.append(tp_ - tp2)
        if len(Ds) >= 3 and len(Ds2) == len(Ds):
            dd_ = [a - b for a, b in zip(Ds, Ds2)]
            dm = sum(dd_) / len(dd_)
            sed = math.sqrt(sum((x - dm) ** 2 for x in dd_) / (len(dd_) - 1) / len(dd_))
            steady = abs(dm) < 2 * sed
            res.setdefault("Gsteady", []).append(1.0 if steady else 0.0)
            if steady:
                Dm_ = sum(Ds) / len(Ds)
                e = lvl(W, 2 * math.pi / Dm_)
            else:
                e = res["cur"][-1]
            if e is not None:
                res.setdefault("Rgate", []).append(e)
        if len(Ds) >= 3:
            Dm = sum(Ds) / len(Ds)
            vD = sum((x - Dm) ** 2 for x in Ds) / (len(Ds) - 1) / len(Ds)
            wb_ = 2 * math.pi / Dm
            vb = (2 * math.pi / Dm ** 2) ** 2 * vD
            xs = [ts[j] - ts[k] for j in W]
            cc, tcc = polyfit(xs, [unw(j) for j in W], 1)
            rs = [unw(j) - cc[0] - cc[1] * (x - tcc) for j, x in zip(W, xs)]
            sxx = sum((x - tcc) ** 2 for x in xs)
            vw = sum(r * r for r in rs) / max(1, len(W) - 2) / sxx
            for nm, om in (("Rbeat", wb_), ("Rcomb", (cc[1] / vw + wb_ / vb) / (1 / vw + 1 / vb))):
                e = lvl(W, om)
                if e is not None:
                    res.setdefault(nm, []).append(e)
        # curvature from the change of the rate between the last two whole beats (a line through
        # each: the per-position errors bias both slopes alike, so the difference drops them)
        Pn = int(round(P))
        b1 = [k - m for m in range(Pn)]
        b2 = [k - Pn - m for m in range(Pn)]
        if all(j >= 0 and unw(j) is not None for j in b1 + b2):
            fits = []
            for bw in (b1, b2):
                xb = [ts[j] for j in bw]
                cb, tcb = polyfit(xb, [unw(j) for j in bw], 1)
                rb = [unw(j) - cb[0] - cb[1] * (x - tcb) for j, x in zip(bw, xb)]
                sxx = sum((x - tcb) ** 2 for x in xb)
                fits.append((cb[1], tcb, sum(r * r for r in rb) / (len(bw) - 2) / sxx))
            a = (fits[0][0] - fits[1][0]) / (fits[0][1] - fits[1][1])
            sea = math.sqrt(fits[0][2] + fits[1][2]) / (fits[0][1] - fits[1][1])
            for nm, aa in (("D", a), ("Dg", a if abs(a) > 2 * sea else 0.0)):
                xs = [ts[j] - ts[k] for j in W]
                cc, tcc = polyfit(xs, [unw(j) - 0.5 * aa * x * x for j, x in zip(W, xs)], 1)
                tp = solve_time([cc[0] - cc[1] * tcc, cc[1], 0.5 * aa], 0.0, 0.0, tgt)
                if tp is not None:
                    res.setdefault(nm, []).append((ts[k] + tp - crossing(psi, rate, tgt_true, ts[k] + tp)) * 1e3)
            res.setdefault("Dgon", []).append(1.0 if abs(a) > 2 * sea else 0.0)
        for key, rr in (("Rtrue", (rate(ts[k]), 0.0)), ("R1", slope(Pn)), ("R2", slope(2 * Pn)),
                        ("Rq2", slope(2 * Pn, 2)), ("Rq3", slope(3 * Pn, 2))):
            if rr is None:
                continue
            for wn, win in (("w", W), ("h", [k - m for m in range(max(len(W), Pn // 2))]),
                            ("b", [k - m for m in range(Pn)])):
                e = lvl(win, rr[0], rr[1])
                if e is not None:
                    res.setdefault(key + wn, []).append(e)

    def rm(v):
        if not v:
            return "     -       "
        return f"{math.sqrt(sum(x * x for x in v) / len(v)):6.3f}/{sum(v) / len(v):+6.3f}"

    def r(v):
        return f"{math.sqrt(sum(x * x for x in v) / len(v)):6.3f}" if v else "     -"
    line = f"{name:26s} {rm(res['lib'])} {rm(res['cur'])} {rm(res['true'])} {rm(res['meas'])}"
    for n in NS:
        line += f" {r(res[f'N{n}'])}"
    line += f" {r(res['q'])}"
    print(line, flush=True)
    extra = sorted(k for k in res if k[0] in "RMCKBDG")
    extra_n = " ".join(f"{k}:{sum(res[k]) / len(res[k]):.1f}" for k in sorted(res) if k[0] == "n")
    print(f"{'':26s} " + " ".join(f"{k}:{rm(res[k]).strip()}" for k in extra) + "  mean n " + extra_n, flush=True)
