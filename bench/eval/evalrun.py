# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The eval diagnostics' shared reading of an EVAL_DIR (offsets.py, positions.py) and of one run.

runs(d, pred)         each row run with predictor pred that triggered:
                      (name, psi, tt, trig, fr) = its true phases and times, triggers.csv and
                      frames.csv rows
first_reference(...)  the run's first reference from its first trigger: (first, P, tu, pidx) = its
                      first frame, period in frames, target position and ref_phase
ref_phase(...)        the true phase at a reference position: a position is a time, as the
                      library places reference frames (ogate_reference_positions)
reference_truth(...)  one row run's first reference (its summary.json) and the true phase law:
                      (run, tt, U, P, first, ivl, t0, Ut, tU) = the run's path, the true
                      times and unwrapped phases, the period and first frame, the reference's
                      mean interval and first frame's time, and the phase at a time
                      and the time at a phase, interpolated (beatsamples.py, curvesamples.py)
frame_errors(...)     each locked frame of the first reference (from two periods after it was
                      taken): its measured position u and the error of it against truth, in
                      frames (measured - true, negative = matched early); with_frame=True
                      yields (frame, u, error)
vfit(a, b, c)         ogate_vfit's offset through three SADs (the slope the larger side's)
quartic_offset(s)     ogate_quartic_offset's: the minimum of the quartic through five SSDs
                      s[0..4] at -2..2, None where it has none within a frame (livefit.py,
                      livelevel.py)

One run (offsetprof.py, srcgrid.py):
rows(path)            a CSV file's rows, as dicts
run_truth(s, run)     stream s's truth (s_truth.csv) and run directory run's first reference (its
                      triggers.csv): (psi, ts, rf, P, tu) = the true phase and time per frame, the
                      reference's first frame, period in frames and target position
truth_map(psi, rf, P) the truth's phase against the position u in the reference taken at frame rf:
                      (at, u_of, p0, Pt) = at(x) the true phase at fractional frame x (linear
                      between frames), u_of(th) the position whose phase less p0 is th (linear on a
                      0.005-frame grid over 0..P + 1.5), p0 = psi[rf], and Pt = u_of(2 pi), the
                      true beat the reference held
hw_log(path)          the per-frame lines of an ogate-emulate built with bench/eval/hwdbg.patch
                      (OGATE_HWDBG=1, 'HW seq w unw cal c2 off'): (seq, w, unw, c2, off) lists
"""
import bisect, csv, glob, json, math


def vfit(a, b, c):
    den = a - b if c <= a else c - b
    return 0 if den <= 0 else 0.5 * (a - c) / den


def quartic_offset(s):
    e1 = 0.5 * (s[1] + s[3]) - s[2]; e2 = 0.5 * (s[0] + s[4]) - s[2]
    o1 = 0.5 * (s[3] - s[1]); o2 = 0.5 * (s[4] - s[0])
    a3 = (e2 - 4 * e1) / 12; a1 = e1 - a3; a2 = (o2 - 2 * o1) / 6; a0 = o1 - a2
    sl = lambda x: a0 + x * (2 * a1 + x * (3 * a2 + x * 4 * a3))
    if not (sl(-1) < 0 and sl(1) > 0):
        return None
    lo, hi = -1.0, 1.0
    for _ in range(60):
        m = 0.5 * (lo + hi)
        if sl(m) < 0: lo = m
        else: hi = m
    x = 0.5 * (lo + hi)
    return x if 2 * a1 + x * (6 * a2 + x * 12 * a3) > 0 else None


def runs(d, pred):
    for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
        name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
        try:
            tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
            trig = list(csv.DictReader(open(run + "triggers.csv")))
            fr = list(csv.DictReader(open(run + "frames.csv")))
        except (OSError, ValueError):
            continue
        if not trig:
            continue
        yield name, [float(r["psi_rad"]) for r in tr], [float(r["t_s"]) for r in tr], trig, fr


def ref_phase(psi, tt, first, P):
    """pidx(x): the true phase at reference position x (relative to first): t[first] + x * the
    mean interval over the padded reference (floor(P) + 1 + 2 * 2 frames from first - 2)"""
    L = int(math.floor(P)) + 5
    ivl = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)

    def pidx(x):
        t = tt[first] + x * ivl
        i = max(0, min(len(psi) - 2, first + int(math.floor(x))))
        while i > 0 and tt[i] > t:
            i -= 1
        while i < len(psi) - 2 and tt[i + 1] < t:
            i += 1
        return psi[i] + (t - tt[i]) * (psi[i + 1] - psi[i]) / (tt[i + 1] - tt[i])

    return pidx


def first_reference(trig, psi, tt):
    t = trig[0]
    first, P = int(t["ref_first_frame"]), float(t["ref_period_frames"])
    return first, P, float(t["target_u"]), ref_phase(psi, tt, first, P)


def frame_errors(fr, psi, first, P, pidx, with_frame=False):
    base = pidx(0)
    for r in fr:
        k = int(r["frame"])
        if r["phase_rad"] in ("", "nan") or k < first + 2 * P or not 0 < k < len(psi) - 1:
            continue
        u = float(r["phase_rad"]) * P / (2 * math.pi)
        dph = ((psi[k] - base) % (2 * math.pi) - (pidx(u) - base) + math.pi) % (2 * math.pi) - math.pi
        e = -dph / ((psi[k + 1] - psi[k - 1]) / 2)
        yield (k, u, e) if with_frame else (u, e)


def reference_truth(d, name, pred):
    run = f"{d}/run_{pred}_{name}"
    R = json.load(open(run + "/summary.json"))["reference"]
    tr = list(csv.DictReader(open(f"{d}/{name}_truth.csv")))
    tt = [float(r["t_s"]) for r in tr]
    psi = [float(r["psi_rad"]) for r in tr]
    U = [psi[0]]
    for k in range(1, len(psi)):
        U.append(U[-1] + ((psi[k] - psi[k - 1] + math.pi) % (2 * math.pi) - math.pi))
    P, first = R["period_frames"], R["first_frame"]
    L = int(math.floor(P)) + 1 + 4
    ivl = (tt[first - 2 + L - 1] - tt[first - 2]) / (L - 1)  # positions as times, as ref_phase

    def Ut(t):
        i = min(max(bisect.bisect_right(tt, t) - 1, 0), len(tt) - 2)
        return U[i] + (t - tt[i]) * (U[i + 1] - U[i]) / (tt[i + 1] - tt[i])

    def tU(u):
        i = min(max(bisect.bisect_right(U, u) - 1, 0), len(U) - 2)
        return tt[i] + (u - U[i]) * (tt[i + 1] - tt[i]) / (U[i + 1] - U[i])

    return run, tt, U, P, first, ivl, tt[first], Ut, tU


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def run_truth(stream, rundir):
    tr = rows(stream + "_truth.csv")
    tg = rows(rundir + "/triggers.csv")
    return ([float(r["psi_rad"]) for r in tr], [float(r["t_s"]) for r in tr], int(tg[0]["ref_first_frame"]),
            float(tg[0]["ref_period_frames"]), float(tg[0]["target_u"]))


def truth_map(psi, rf, P):
    def at(x):
        i = int(math.floor(x))
        return psi[i] + (x - i) * (psi[i + 1] - psi[i])

    p0 = psi[rf]
    ug = [k * 0.005 for k in range(int((P + 1.5) / 0.005))]
    thg = [at(rf + u) - p0 for u in ug]

    def u_of(th):
        j = min(max(bisect.bisect_left(thg, th), 1), len(thg) - 1)
        return ug[j - 1] + (th - thg[j - 1]) * (ug[j] - ug[j - 1]) / (thg[j] - thg[j - 1])

    return at, u_of, p0, u_of(2 * math.pi - 1e-9)


def hw_log(path):
    H = [ln.split() for ln in open(path) if ln.startswith("HW ")]
    return ([int(h[1]) for h in H], [float(h[2]) for h in H], [float(h[3]) for h in H], [float(h[5]) for h in H],
            [float(h[6]) for h in H])


def variant_means(d, pred, keep):
    """{row: {variant: (mean_ms, se_ms, rms_ms)}} from the locked runs DIR/run_PRED_ROW_VARIANT
    (summary.json) whose VARIANT keep(variant) accepts (attrib.py, realsynth.py)."""
    import os
    out = {}
    pre = "run_%s_" % pred
    for e in os.listdir(d):
        if not e.startswith(pre) or not os.path.isdir(os.path.join(d, e)):
            continue
        try:
            sj = json.load(open(os.path.join(d, e, "summary.json")))
        except (OSError, ValueError):
            continue
        row, _, var = e[len(pre):].rpartition("_")
        if not var or not keep(var) or not sj.get("locked"):
            continue
        te = sj["trigger_error"]
        n = max(te["n"], 1)
        se = math.sqrt(max(te["rms_ms"] ** 2 - te["mean_ms"] ** 2, 0) / n)
        out.setdefault(row, {})[var] = (te["mean_ms"], se, te["rms_ms"])
    return out
