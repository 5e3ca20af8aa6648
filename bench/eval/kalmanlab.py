#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Replay the Kalman predictor offline against the line at the same decision frames (a
diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/kalmanlab.py /tmp/ev [kalman|linear] [rows-regex]

For every row's first reference, the filter of userspace/lib/predictor_kalman.c is run again on
the measured unwrapped phases of frames.csv (started from the reference's rate, 2 pi / (P x the
median frame interval), as sync.c hands it at lock), in variants; at each trigger's decision
frame its forecast is scored against the stream's true phase law (_params.json), like
ogate-emulate --truth, and so is an unweighted line through the library's window (the frames
since the barrier, at least fit_min_frames, at most 32, as predlab.py's "cur"). frames.csv does
not record each frame's noise scale (1 / sqrt of its fit weight), so the replay takes every
frame with scale 1: no quiet-interval skip, no per-frame R, i.e. the filter as it was before it
weighed frames as the line does (on the rows without a quiet interval it then followed the
library's filter within a few per cent); the "lib" column is the run's own triggers. The
variants are to be compared with K, not with lib. Columns, mean / RMS over the row's triggers
(ms):
  lib     the library's own triggers
  L       the line through the library's window
  K       the replayed filter (defaults: 4-sigma gate, the rate noise from the beats)
  K-L lev, rate  the mean of K's trigger time minus L's, split into the part from the phase at
          the decision frame (-(phi_K - phi_L) / rate) and the rest (the rates)
  nogate  K without the outlier gate
  clip1   K with innovations beyond the gate but within one frame clipped to the gate
  k/3, k*3  K with the rate noise from the beats divided / multiplied by 3 (a longer / shorter
          memory)
  clk     K fed the frame clock instead of each frame's timestamp: the least-squares line of the
          timestamps so far against the frame number (from 20 frames on), and the forecast made
          from it; right where the captures are regular and their timestamps wrong (tsnoise.py),
          wrong where the captures themselves are uneven (ogate-synth --ts-jitter)
KL_SET=memory replaces the variants by K's memory (docs/accuracy-log.md, "The Kalman filter at many
frames a beat"): k*3, k*10 (the rate noise times 3 / 10: a memory 1.7 / 3.2 times shorter) and
r30, r60, r100 (the measurement noise per unit time instead of per frame: R times the frames per
1/30, 1/60, 1/100 s, a filter that counts consecutive frames as one where they are denser).
KL_INPUT=slow|white|true feeds every filter and the line other phases than the measured ones, to
split the error: the true phase plus the run's mean matching error at the frame's true position in
the beat (48 bins: the error that repeats every beat, "slow"), the true phase plus the rest
("white"), or the true phase alone; all with the run's median offset, so the scores are comparable
between inputs but not to 0 ("true" scores the offset of the target's own position).
KL_MEM=1 prints, per row, K's final frame interval, measurement noise (frames), rate noise kappa
and memory (R dt / q)^(1/4), the steady-state time constant of a phase-rate filter on dense samples.
The target's true phase is read at the frames' true times (_truth.csv), so that streams whose
timestamps are wrong (tsnoise.py) are scored like ogate-emulate --truth scores them.
"""
import csv, glob, json, math, os, re, sys

MAXFIT, GATE, RESTART, LEVELS, MIN_BEATS, START = 32, 4.0, 3, 4, 3, 5


def law(p):
    f0, A, Tm, dr, T, p0 = 1 / p["period_s"], p["mod_amp"], p["mod_period_s"], p["drift"], p["T_run"], p["psi0"]
    psi = lambda t: p0 + 2 * math.pi * f0 * (t + dr * t * t / (2 * T) + A * Tm / (2 * math.pi) * (1 - math.cos(2 * math.pi * t / Tm)))
    rate = lambda t: 2 * math.pi * f0 * (1 + dr * t / T + A * math.sin(2 * math.pi * t / Tm))
    return psi, rate


def crossing(psi, rate, target, t0):
    m = round((psi(t0) - target) / (2 * math.pi))
    g, t = target + 2 * math.pi * m, t0
    for _ in range(30):
        t -= (psi(t) - g) / rate(t)
    return t


def wait(phi, w, target):
    m = math.floor(phi / (2 * math.pi))
    dd = target + 2 * math.pi * m - phi
    while dd < 0:
        dd += 2 * math.pi
    return dd / w


class Kalman:
    """predictor_kalman.c with every noise scale 1 (see the module's doc)"""

    def __init__(self, rate0, rel_sd, gate=GATE, clip=0.0, kscale=1.0, kappa=0.05, sf=0.1, rfps=0.0):
        self.rfps = rfps
        self.rate0, self.sd0, self.gate, self.clip, self.ks, self.kappa, self.sf = rate0, rel_sd * rate0, gate, clip, kscale, kappa, sf
        self.n, self.rej, self.dt, self.rs, self.rn = 0, 0, 0.0, 0.0, 0
        self.zc = None
        self.lv = [None] * LEVELS  # (t, m, rate or None)
        self.vs, self.vt, self.vn = 0.0, 0.0, 0
        self.buf = []
        self.log = None  # levelreach.py: a list to record each observation's effect on the state

    def beats(self, t, z):
        if self.zc and t <= self.zc[0]:
            return
        near = self.zc and (not self.dt > 0 or t - self.zc[0] < 3 * self.dt)
        t0, u0 = (self.zc[0], self.zc[1] * LEVELS / (2 * math.pi)) if self.zc else (0, 0)
        u = z * LEVELS / (2 * math.pi)
        self.zc = (t, z)
        c = math.floor(u)
        if not near or not c > math.floor(u0) or not u > u0:
            return
        m = math.floor(c / LEVELS)
        tc = t - (u - c) / (u - u0) * (t - t0)
        j = int(c - m * LEVELS)
        l = self.lv[j]
        if l and m == l[1]:
            return
        r = None
        if l and m == l[1] + 1 and tc > l[0]:
            T = tc - l[0]
            r = 2 * math.pi / T
            if l[2]:
                dd = (r - l[2]) / l[2]
                self.vs, self.vt, self.vn = self.vs + dd * dd, self.vt + T, self.vn + 1
        self.lv[j] = (tc, m, r)

    def kap(self):
        return self.kappa if self.vn < MIN_BEATS else math.sqrt(1.5 * self.vs / self.vt) * self.ks

    def observe(self, t, z):
        self.tl = t
        self.beats(t, z)
        if self.n < START:
            if self.buf and t <= self.buf[-1][0]:
                return
            self.buf.append((t, z))
            self.n += 1
            if self.n < START:
                return
            w = self.rate0
            dt = min(b[0] - a[0] for a, b in zip(self.buf, self.buf[1:]))
            self.dt = self.dt or dt
            m = sum(zz - w * (tt - t) for tt, zz in self.buf) / START
            tb = sum(t - tt for tt, _ in self.buf) / START
            v = sum(((zz - w * (tt - t) - m) / (w * self.dt)) ** 2 for tt, zz in self.buf) / (START - 1)
            sf2 = max(v, self.sf ** 2)
            self.rs += (START - 1) * v
            self.rn += START - 1
            u = w * self.dt
            self.t, self.x0, self.x1 = t, m, w
            self.p11 = self.sd0 ** 2
            self.p00 = sf2 * u * u / START + tb * tb * self.p11
            self.p01 = tb * self.p11
            if self.log is not None:
                self.log.append(("start", [tt for tt, _ in self.buf], t, w))
            self.buf = []
            return
        dt = t - self.t
        if not dt > 0:
            return
        self.dt = (0.9 * self.dt + 0.1 * dt) if dt < 3 * self.dt else self.dt
        w = max(self.x1, 0)
        q = (self.kap() * w) ** 2
        x0 = self.x0 + self.x1 * dt
        p00 = self.p00 + 2 * dt * self.p01 + dt * dt * self.p11 + q * dt ** 3 / 3
        p01 = self.p01 + dt * self.p11 + q * dt * dt / 2
        p11 = self.p11 + q * dt
        unit = w * self.dt
        sf2 = max(self.sf ** 2, self.rs / self.rn if self.rn else 0)
        R = sf2 * unit * unit
        if self.rfps:  # per unit time: the frames within 1 / rfps count as one
            R *= max(1.0, 1 / (self.dt * self.rfps))
        nu, S = z - x0, p00 + R
        self.t = t
        if nu * nu > self.gate ** 2 * S:
            if abs(nu) < self.clip * unit:
                nu = math.copysign(self.gate * math.sqrt(S), nu)
            else:
                self.x0, self.p00, self.p01, self.p11 = x0, p00, p01, p11
                if self.log is not None:
                    self.log.append(("rej", t, dt, 0.0, 0.0))
                self.rej += 1
                if self.rej >= RESTART:
                    if self.x1 > 0:
                        self.sd0 *= self.x1 / self.rate0
                        self.rate0 = self.x1
                    self.n, self.rej, self.buf = 0, 0, []
                    self.observe(t, z)
                return
        self.rej = 0
        if unit > 0 and p00 < R:
            self.rs += (nu * nu - p00) / (unit * unit)
            self.rn += 1
        g0, g1 = p00 / S, p01 / S
        if self.log is not None:
            self.log.append(("upd", t, dt, g0, g1))
        self.x0, self.x1 = x0 + g0 * nu, self.x1 + g1 * nu
        self.p00, self.p01, self.p11 = (1 - g0) * p00, (1 - g0) * p01, p11 - g1 * p01
        self.n += 1

    def state(self):
        if self.n < START or not self.x1 > 0:
            return None
        return self.x0 + self.x1 * max(self.tl - self.t, 0), self.x1


def line_window(k, ub, unw, nmin):
    """The library's fit window at frame k, newest first: frames back while their unwrapped phase
    is at or above the barrier ub, at least nmin and at most MAXFIT of them, stopping at a frame
    without a phase (also levelreach.py's line)."""
    W, j = [], k
    while len(W) < MAXFIT and j > 0 and unw(j) is not None:
        if len(W) >= nmin and unw(j) < ub:
            break
        W.append(j)
        j -= 1
    return W


def fit_min_frames(dd):
    n = 2
    while 1 / n + (dd + (n - 1) / 2) ** 2 / (n * (n * n - 1) / 12) > 1:
        n += 1
    return n


def main():
    d = sys.argv[1]
    pred = sys.argv[2] if len(sys.argv) > 2 else "kalman"
    rx = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
    VARIANTS = {"K": {}, "nogate": {"gate": 1e9}, "clip1": {"clip": 1.0}, "k/3": {"kscale": 1 / 3}, "k*3": {"kscale": 3}}
    CLOCKED = {"clk"}  # variants fed the frame clock
    VARIANTS["clk"] = {}
    if os.environ.get("KL_SET") == "memory":
        VARIANTS = {"K": {}, "k*3": {"kscale": 3}, "k*10": {"kscale": 10}, "r30": {"rfps": 30}, "r60": {"rfps": 60}, "r100": {"rfps": 100}}
    fmt = lambda v: f"{sum(v) / len(v):+7.3f}/{math.sqrt(sum(x * x for x in v) / len(v)):6.3f}" if v else " " * 14
    print(f"{'stream':28s} {'lib':>14s} {'L':>14s} " + " ".join(f"{k:>14s}" for k in VARIANTS) + f" {'K-L lev':>8s} {'rate':>7s}")
    tot = {k: [] for k in ["lib", "L"] + list(VARIANTS)}
    for run in sorted(glob.glob(f"{d}/run_{pred}_*/")):
        name = run.rstrip("/").split(f"run_{pred}_", 1)[1]
        if not rx.search(name):
            continue
        try:
            S = json.load(open(run + "summary.json"))
            fr = [r for r in csv.DictReader(open(run + "frames.csv"))]
            trig = [t for t in csv.DictReader(open(run + "triggers.csv")) if t.get("error_s")]
            par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
        except (OSError, ValueError):
            continue
        if not trig or "reference" not in S:
            continue
        psi, rate = law(par)
        ttrue = [float(r["t_s"]) for r in csv.DictReader(open(f"{d}/{name}_truth.csv"))]
        bar = S["reference"]["barrier"]
        ts = [float(r["t_s"]) for r in fr]
        ivl = sorted(b - a for a, b in zip(ts, ts[1:]))[len(ts) // 2]
        nmin = max(3, fit_min_frames(1.6 + 0.015 / ivl))
        first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
        trig = [t for t in trig if int(t["ref_first_frame"]) == first]
        dec = {int(t["decided_at_frame"]): t for t in trig}
        unw0 = lambda j: None if fr[j]["unwrapped_rad"] in ("", "nan") else float(fr[j]["unwrapped_rad"])
        mode, NB = os.environ.get("KL_INPUT", "meas"), 48
        ok = [j for j in range(len(fr)) if unw0(j) is not None and fr[j]["state"] == "locked"]
        off = sorted(unw0(j) - psi(ttrue[j]) for j in ok)[len(ok) // 2] if ok else 0.0
        pb = lambda j: int((psi(ttrue[j]) % (2 * math.pi)) / (2 * math.pi) * NB) % NB
        prof = [[0.0, 0] for _ in range(NB)]
        for j in ok:
            prof[pb(j)][0] += unw0(j) - psi(ttrue[j]) - off
            prof[pb(j)][1] += 1
        prof = [a / n if n else 0.0 for a, n in prof]

        def unw(j):
            z = unw0(j)
            if z is None or mode == "meas":
                return z
            slow = psi(ttrue[j]) + off + prof[pb(j)]
            return {"slow": slow, "white": z - slow + psi(ttrue[j]) + off}.get(mode, psi(ttrue[j]) + off)
        filt = {k: Kalman(2 * math.pi / (P * ivl), 0.015, **v) for k, v in VARIANTS.items()}
        res = {k: [] for k in tot}
        cs = [0.0] * 5  # the frame clock: n, sum k, sum t, sum k^2, sum k t over the frames so far

        def clock(k):
            n, sk_, st, skk, skt = cs
            if n < 20:
                return ts[k]
            return st / n + (skt - sk_ * st / n) / (skk - sk_ * sk_ / n) * (k - sk_ / n)

        lev, rat = [], []
        for k in range(len(fr)):
            cs[0] += 1
            cs[1] += k
            cs[2] += ts[k]
            cs[3] += k * k
            cs[4] += k * ts[k]
            z = unw(k)
            if z is None or fr[k]["state"] != "locked":
                continue
            for name_v, f in filt.items():
                f.observe(clock(k) if name_v in CLOCKED else ts[k], z)
            if k not in dec:
                continue
            t = dec[k]
            tgt = float(t["target_phase_rad"])
            x = first + float(t["target_u"])
            i = int(math.floor(x))
            tgt_true = psi(ttrue[i]) + (x - i) * (psi(ttrue[i + 1]) - psi(ttrue[i]))
            score = lambda tp: (tp - crossing(psi, rate, tgt_true, tp)) * 1e3
            ub = z - (float(fr[k]["phase_rad"]) - 2 * math.pi * bar / P) % (2 * math.pi)
            W = line_window(k, ub, unw, nmin)
            n = len(W)
            tm = sum(ts[j] for j in W) / n
            pm = sum(unw(j) for j in W) / n
            wl = sum((ts[j] - tm) * (unw(j) - pm) for j in W) / sum((ts[j] - tm) ** 2 for j in W)
            phl = pm + wl * (ts[k] - tm)
            sk = filt["K"].state()
            if sk is None or not wl > 0:
                continue
            res["lib"].append(float(t["error_s"]) * 1e3)
            eL = score(ts[k] + wait(phl, wl, tgt))
            res["L"].append(eL)
            for name_v, f in filt.items():
                s = f.state()
                if s:
                    res[name_v].append(score((clock(k) if name_v in CLOCKED else ts[k]) + wait(s[0], s[1], tgt)))
            T = 2 * math.pi / sk[1]
            dT = wait(sk[0], sk[1], tgt) - wait(phl, wl, tgt)
            dT -= T * round(dT / T)
            lv = -(sk[0] - phl) / sk[1]
            lev.append(lv * 1e3)
            rat.append((dT - lv) * 1e3)
        if not res["K"]:
            continue
        if os.environ.get("KL_MEM"):
            f = filt["K"]
            sf = math.sqrt(max(f.sf ** 2, f.rs / f.rn if f.rn else 0))
            tau = (sf * sf * f.dt ** 3 / f.kap() ** 2) ** 0.25
            print(f"  {name}: frame {f.dt * 1e3:.2f} ms, noise {sf:.3f} frames, kappa {f.kap():.4f}, memory {tau * 1e3:.0f} ms = {tau / f.dt:.1f} frames")
        for key in tot:
            if res[key]:
                tot[key].append((abs(sum(res[key]) / len(res[key])), math.sqrt(sum(x * x for x in res[key]) / len(res[key]))))
        print(f"{name:28s} {fmt(res['lib'])} {fmt(res['L'])} " + " ".join(fmt(res[k]) for k in VARIANTS) +
              f" {sum(lev) / len(lev):+8.3f} {sum(rat) / len(rat):+7.3f}")
    print(f"{'mean |mean| / mean RMS':28s} " + " ".join(
        f"{sum(a for a, _ in v) / len(v):7.3f}/{sum(b for _, b in v) / len(v):6.3f}" if v else " " * 14 for v in tot.values()))


if __name__ == "__main__":
    main()
