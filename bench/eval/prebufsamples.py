#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The beat-length samples of the calibration's line, each against the truth (a diagnostic, not
part of make check; docs/accuracy-log.md, "The fast rows' δ from the frames before the reference").

usage: git apply bench/eval/prebuf.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_DELTA_LOG=1 OGATE_PREBUF=1 EVAL_DIR=/tmp/ev EVAL_PREDICTORS=kalman bench/eval/eval.sh
       bench/eval/prebufsamples.py /tmp/ev [ROW_REGEX]
       (git checkout userspace/lib afterwards)

sync_calib.c's beat_after_reference fits a line through beat lengths y (frames) against x, the
beat's middle less the reference's middle, and reads delta (the reference beat's length less its
period P) off it at x = 0. The patch prints, to stderr (run_<pred>_<row>.log), one line per
sample of the first reference:
  LAG pos <frame position> x <x> y <y>        refine_lags (sync_determine.c) at lock, reg = 1:
                                              the position of frame i from the reference's frame 0
  BEFORE x <x> y <y> w <w> tf <tf>            a buffered frame older than the reference, matched
                                              against it (w), at tf frames from its frame 0
  AFTER x <x> y <y> w <w>                     beat_after_reference's sample of a locked frame
  LIVE tf <tf> w <w>                          every locked frame of the first reference
The last LAG block before the first BEFORE/AFTER line is the one at lock. Per row it prints the
true delta (dP, as pinramp.py), each group's mean error e = y - y_true (y_true: the truth's time
until the frame's phase recurs, or since it last occurred), and the line's delta from the groups
as measured, from their true y, and with each group's own mean error removed (an upper bound for
any correction of an error common to a group's sub-frame offset). Then the matching error of
positions (w less the true position of the frame's phase) by quarter of the reference: the
locked frames of the first and second beat after it, and the frames before it.
(On jittered rows the lags are printed before reference_period's scaling to the reference's
interval, so the measured delta here differs from the library's.)
"""
import bisect, csv, glob, json, math, re, sys


def fit(pts, P):
    n = len(pts)
    if n < 3:
        return float("nan")
    xm = sum(p[0] for p in pts) / n
    ym = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - xm) ** 2 for p in pts)
    if not sxx > 0:
        return float("nan")
    b = sum((p[0] - xm) * (p[1] - ym) for p in pts) / sxx
    return ym - b * xm - P


def row(d, pred, name):
    S = json.load(open(f"{d}/run_{pred}_{name}/summary.json"))
    tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    R = S["reference"]
    P, first = R["period_frames"], R["first_frame"]
    U = [psi[0]]
    for k in range(1, len(psi)):
        U.append(U[-1] + ((psi[k] - psi[k - 1] + math.pi) % (2 * math.pi) - math.pi))
    L = int(math.floor(P)) + 5
    ivl = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)  # positions as times, as evalrun.py
    t0 = tt[first]

    def u_at(t):
        i = max(0, min(len(tt) - 2, bisect.bisect_right(tt, t) - 1))
        return U[i] + (t - tt[i]) * (U[i + 1] - U[i]) / (tt[i + 1] - tt[i])

    def t_at(u):
        i = max(0, min(len(U) - 2, bisect.bisect_right(U, u) - 1))
        return tt[i] + (u - U[i]) * (tt[i + 1] - tt[i]) / (U[i + 1] - U[i])

    def w_err(tf, w):  # w less the true position nearest to it of the frame's phase
        u0 = u_at(t0 + tf * ivl)
        return min((w - (t_at(u0 + 2 * math.pi * k) - t0) / ivl for k in range(-6, 7)), key=abs)

    lags, rows, quart = {}, [], {}
    for line in open(f"{d}/run_{pred}_{name}.log"):
        f = line.split()
        if f and f[0] in ("LIVE", "BEFORE"):
            tf, w = (float(f[2]), float(f[4])) if f[0] == "LIVE" else (float(f[8]), float(f[6]))
            grp = "before" if f[0] == "BEFORE" else f"beat {int(tf // P)}"
            e = w_err(tf, w)
            if grp in ("before", "beat 1", "beat 2") and abs(e) < 1:
                quart.setdefault(grp, [[] for _ in range(4)])[min(3, int(4 * w / P))].append(e)
        if not f or f[0] not in ("LAG", "BEFORE", "AFTER"):
            continue
        if f[0] == "LAG":
            if any(r[0] != "LAG" for r in rows):
                continue
            ts = t0 + float(f[2]) * ivl
            lags[f[2]] = ("LAG", float(f[4]), float(f[6]), (ts - t_at(u_at(ts) - 2 * math.pi)) / ivl)
            continue
        x, y = float(f[2]), float(f[4])
        if not (-P / 2 <= x <= P / 2 and 0.5 * P <= y <= 1.5 * P):
            continue
        if f[0] == "BEFORE":
            ts = t0 + float(f[8]) * ivl
            yt = (t_at(u_at(ts) + 2 * math.pi) - ts) / ivl
        else:
            ts = t0 + (x + P / 2 + y / 2) * ivl
            yt = (ts - t_at(u_at(ts) - 2 * math.pi)) / ivl
        rows.append((f[0], x, y, yt))
    rows += list(lags.values())
    dP = (t_at(u_at(t0) + 2 * math.pi) - t0) / ivl - P
    out = [f"{name}: P {P:.3f} dP {dP:+.4f}"]
    mean_e = {}
    for g in ("LAG", "BEFORE", "AFTER"):
        r = [z for z in rows if z[0] == g]
        if not r:
            continue
        e = [z[2] - z[3] for z in r]
        mean_e[g] = sum(e) / len(e)
        sd = (sum((v - mean_e[g]) ** 2 for v in e) / max(1, len(e) - 1)) ** 0.5
        out.append(f"  {g:6s} n {len(r):2d} x {min(z[1] for z in r):+6.1f}..{max(z[1] for z in r):+6.1f}"
                   f"  mean e {mean_e[g]:+.4f} sd {sd:.3f}")

    def line(groups, how):
        pts = []
        for z in rows:
            if z[0] in groups:
                y = z[3] if how == "true" else z[2] - (mean_e[z[0]] if how == "oracle" else 0)
                pts.append((z[1], y))
        return fit(pts, P)

    for label, g in (("lags+after", ("LAG", "AFTER")), ("lags+before+after", ("LAG", "BEFORE", "AFTER")),
                     ("before+after", ("BEFORE", "AFTER"))):
        out.append(f"  delta {label:18s} measured {line(g, 'm'):+.4f}  true y {line(g, 'true'):+.4f}"
                   f"  group means removed {line(g, 'oracle'):+.4f}")
    for g in ("beat 1", "beat 2", "before"):
        if g in quart:
            out.append(f"  position error by quarter, {g:6s} " + " ".join(
                f"{sum(v) / len(v):+.3f} ({len(v)})" if v else "   -     " for v in quart[g]))
    return "\n".join(out)


d = sys.argv[1]
pat = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")
for log in sorted(glob.glob(f"{d}/run_*_*.log")):
    m = re.match(r"run_(linear|kalman)_(.+)\.log$", log.split("/")[-1])
    if not m or not pat.search(m.group(2)):
        continue
    try:
        print(row(d, m.group(1), m.group(2)))
    except (OSError, ValueError, KeyError, ZeroDivisionError) as ex:
        print(f"{m.group(2)}: skipped ({ex})")
