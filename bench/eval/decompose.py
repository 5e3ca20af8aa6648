#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Split each eval row's trigger bias into its parts (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/decompose.py /tmp/ev [linear|kalman]

Per row (needs the row's *_truth.csv and run_<pred>_<row>/ from the same EVAL_DIR):
  P err     the reference's period (frames) minus the true length of the beat the reference
            holds (the true phase at ref_first_frame + P minus that at ref_first_frame, = 2 pi);
            a position error that jumps by this much where the measured phase wraps
  frame     per-frame error of the measured phase, in ms (true phase at the frame minus the true
            phase of the reference position it was matched to, over the local rate; + = the
            measured phase lags, which makes triggers late), mean over all locked frames
  window    the same errors over each trigger's fit window (frames since the barrier, at most
            32, and at least ogate_fit_min_frames(1.6 + 0.015 / interval) with the default
            settings, rebuilt as sync_timing.c does), extrapolated by their own line to the trigger
            time: what the phase measurement alone contributes to that trigger's error
  trigger   the trigger-time error against truth (as ogate-emulate --truth)
  rest      trigger minus window: what the prediction itself adds (rate change inside the
            window, the line's extrapolation)
With DECOMPOSE_TRIGGERS=FILE each trigger's window and trigger error (ms) are also appended to
FILE as "row,trigger,window_ms,trigger_ms" (bench/eval/startsplit.py --window reads them by index).
A measured reference position u is the time t[ref_first_frame] + u * the reference's mean frame
interval, as the library places positions (ogate_reference_positions); a trigger's target_u is a
frame index (ref_first_frame + target_u, as ogate-emulate scores it). Before this distinction the
"frame" column carried the timestamp jitter of one reference frame as a constant (0.07 frame on
the 1 ms jitter row).
"""
import csv, glob, json, math, os, sys

d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "linear"
MAXFIT = 32


def fit_min_frames(d):	# ogate_fit_min_frames()
    n = 2
    while 1 / n + (d + (n - 1) / 2) ** 2 / (n * (n * n - 1) / 12) > 1:
        n += 1
    return n

print(f"{'stream':26s} {'P err':>7s} {'frame':>7s} {'window':>7s} {'trigger':>8s} {'rest':>7s}  (ms, mean over triggers)")
for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
    name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
    try:
        S = json.load(open(run + "summary.json"))
        tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
    except (OSError, ValueError):
        continue
    if "reference" not in S:
        continue
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    fr = {int(r["frame"]): r for r in csv.DictReader(open(run + "frames.csv"))}
    trig = [t for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
    if not trig:
        continue
    bar = S["reference"]["barrier"]
    ivl = sorted(tt[k + 1] - tt[k] for k in range(len(tt) - 1))[len(tt) // 2]
    nmin = max(3, fit_min_frames(1.6 + 0.015 / ivl))

    def pidx(x):
        i = max(0, min(len(psi) - 2, int(math.floor(x))))
        return psi[i] + (x - i) * (psi[i + 1] - psi[i])

    def ppos(first, P, u):
        """true phase at reference position u: a position is a time, t[first] + u * the mean
        interval over the padded reference (ogate_reference_positions), not a frame index"""
        L = int(math.floor(P)) + 5
        iv = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)
        t = tt[first] + u * iv
        i = max(0, min(len(psi) - 2, first + int(math.floor(u))))
        while i > 0 and tt[i] > t:
            i -= 1
        while i < len(psi) - 2 and tt[i + 1] < t:
            i += 1
        return psi[i] + (t - tt[i]) * (psi[i + 1] - psi[i]) / (tt[i + 1] - tt[i])

    def ferr(i, first, P):
        u = float(fr[i]["phase_rad"]) * P / (2 * math.pi)
        base = pidx(first)
        dph = ((psi[i] - base) % (2 * math.pi) - (ppos(first, P, u) - base) + math.pi) % (2 * math.pi) - math.pi
        j0, j1 = max(i - 1, 0), min(i + 1, len(psi) - 1)
        return dph / ((psi[j1] - psi[j0]) / (tt[j1] - tt[j0])) * 1e3

    first = int(trig[0]["ref_first_frame"])
    P = float(trig[0]["ref_period_frames"])
    g = psi[first] + 2 * math.pi
    i = first
    while psi[i + 1] < g:
        i += 1
    perr = P - (i + (g - psi[i]) / (psi[i + 1] - psi[i]) - first)
    fe = [ferr(k, first, P) for k, r in fr.items()
          if r["phase_rad"] not in ("", "nan") and k >= first + 2 * P and 0 < k < len(psi) - 1]
    win, err = [], []
    dump = open(os.environ["DECOMPOSE_TRIGGERS"], "a") if os.environ.get("DECOMPOSE_TRIGGERS") else None
    for t in trig:
        if int(t["ref_first_frame"]) != first:
            continue	# refreshed reference: not decomposed
        k = int(t["decided_at_frame"])
        phib = 2 * math.pi * bar / P
        ub = float(fr[k]["unwrapped_rad"]) - (float(fr[k]["phase_rad"]) - phib) % (2 * math.pi)
        W = []
        j = k
        while len(W) < MAXFIT and j > 0 and fr[j]["unwrapped_rad"] not in ("", "nan"):
            if len(W) >= nmin and float(fr[j]["unwrapped_rad"]) < ub:
                break
            W.append(j)
            j -= 1
        es = [ferr(x, first, P) for x in W]
        ts = [tt[x] for x in W]
        n = len(W)
        tm, em = sum(ts) / n, sum(es) / n
        sxx = sum((x - tm) ** 2 for x in ts)
        b = sum((x - tm) * (e - em) for x, e in zip(ts, es)) / sxx if sxx > 0 else 0
        win.append(em + b * (float(t["trigger_time_s"]) - tm))
        err.append(float(t["error_s"]) * 1e3)
        if dump:
            dump.write(f"{name},{t['trigger']},{win[-1]:.4f},{err[-1]:.4f}\n")
    if dump:
        dump.close()
    if not err:
        continue
    m = lambda v: sum(v) / len(v)
    print(f"{name:26s} {perr:+7.3f} {m(fe):+7.3f} {m(win):+7.3f} {m(err):+8.3f} {m(err) - m(win):+7.3f}")
