#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Stream D's trigger error by source, and the acceleration filter offline (issue 9, slow60; a
diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/dsource.py [--accel] ROWS DIR...
ROWS: row names, comma-separated; every DIR (an EVAL_DIR: run_kalman_<row>/ and <row>_truth.csv)
adds its runs. The Kalman filter of kalmanlab.py is replayed on each run's frames.csv (first
reference only) and scored at the library's decision frames against the true phase law, as
kalmanlab.py does, by trigger index (0-1, 2-7, 8-15, 16+), mean / RMS in ms. Each frame's matching
error is known from the truth (the true phase of the reference position it was matched to, minus
its own), and its position (32 bins of the reference). Variants:
  lib     the library's own triggers
  K       the replay with every noise scale 1 (frames.csv has no per-frame scale)
  Kns     the replay with each frame's noise scale from its position's RMS matching error over
          the run (an oracle of sync_hist_weight; the library does as well as this)
  Ktrue   the replay on the true phases: what the filter's model alone costs (its lag behind the
          rate's change)
  Kwhite  the measured phases less their position's mean error over the run: the white noise
  Krep    the true phases plus their position's mean error: the repeated pattern alone
  Kpsi    the true phase law itself, psi(t), and the target's true phase: Ktrue without the
          reference's map. Ktrue feeds each frame's true *position* in the library's coordinates,
          2 pi u / P; where the reference's P frames are not one true beat (P - P_true = dP) that
          map carries a sawtooth (a jump of 2 pi dP / P at the wrap), and a filter whose memory
          spans beats fires late by dP (1/2 - target_u / P) frames (session 20, truelag); its
          forecast is taken at the crossing nearest the library's trigger time (the same beat)
With --accel: Kns against a filter on (phase, rate, acceleration) with a white jerk of fixed
density (lambda x rate)^2, lambda 0.001-0.1 (CA<lambda>), the same noise scales; the library's
prediction.predictor = kalman-acc measures lambda from the beats instead.
"""
import csv, json, math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kalmanlab as KL  # noqa: E402

NB = 32


def mm(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


class CA:
    """(phase, rate, acceleration), white jerk lam^2 w^2, R = (sf ns w dt)^2 measured from its own
    innovations as the library measures the two-state filter's"""

    def __init__(self, rate0, rel_sd, lam=0.01, sf=0.1, gate=4.0):
        self.rate0, self.sd0, self.lam, self.sf, self.gate = rate0, rel_sd * rate0, lam, sf, gate
        self.n, self.buf, self.rs, self.rn, self.dt = 0, [], 0.0, 0, 0.0

    def observe(self, t, z, ns=1.0):
        self.tl = t
        if self.n < KL.START:
            if self.buf and t <= self.buf[-1][0]:
                return
            self.buf.append((t, z))
            self.n += 1
            if self.n < KL.START:
                return
            w, S = self.rate0, KL.START
            self.dt = min(b[0] - a[0] for a, b in zip(self.buf, self.buf[1:]))
            m = sum(zz - w * (tt - t) for tt, zz in self.buf) / S
            tb = sum(t - tt for tt, _ in self.buf) / S
            v = sum(((zz - w * (tt - t) - m) / (w * self.dt)) ** 2 for tt, zz in self.buf) / (S - 1)
            self.rs, self.rn = self.rs + (S - 1) * v, self.rn + S - 1
            u, p11 = w * self.dt, self.sd0 ** 2
            self.t, self.x = t, [m, w, 0.0]
            self.P = [[max(v, self.sf ** 2) * u * u / S + tb * tb * p11, tb * p11, 0], [tb * p11, p11, 0], [0, 0, (0.02 * w) ** 2]]
            return
        dt = t - self.t
        if not dt > 0:
            return
        self.dt = (0.9 * self.dt + 0.1 * dt) if dt < 3 * self.dt else self.dt
        w = max(self.x[1], 0)
        F = [[1, dt, dt * dt / 2], [0, 1, dt], [0, 0, 1]]
        q = (self.lam * w) ** 2
        Q = [[q * dt ** 5 / 20, q * dt ** 4 / 8, q * dt ** 3 / 6], [q * dt ** 4 / 8, q * dt ** 3 / 3, q * dt * dt / 2], [q * dt ** 3 / 6, q * dt * dt / 2, q * dt]]
        x = [self.x[0] + self.x[1] * dt + self.x[2] * dt * dt / 2, self.x[1] + self.x[2] * dt, self.x[2]]
        P = mm(mm(F, self.P), [list(r) for r in zip(*F)])
        P = [[P[i][j] + Q[i][j] for j in range(3)] for i in range(3)]
        unit = ns * w * self.dt
        R = max(self.sf ** 2, self.rs / self.rn if self.rn else 0) * unit * unit
        nu, S = z - x[0], P[0][0] + R
        self.t = t
        if nu * nu > self.gate ** 2 * S:
            self.x, self.P = x, P
            return
        if P[0][0] < R:
            if nu * nu > 4 * S:
                nu = math.copysign(2 * math.sqrt(S), nu)
            self.rs, self.rn = self.rs + (nu * nu / 0.9205 - P[0][0]) / (unit * unit), self.rn + 1
        g = [P[i][0] / S for i in range(3)]
        self.x = [x[i] + g[i] * nu for i in range(3)]
        self.P = [[P[i][j] - g[i] * P[0][j] for j in range(3)] for i in range(3)]
        self.n += 1

    def state(self):
        if self.n < KL.START or not self.x[1] > 0:
            return None
        return self.x[0] + self.x[1] * max(self.tl - self.t, 0), self.x[1]


def observe(f, t, z, ns):
    if isinstance(f, CA):
        return f.observe(t, z, ns)
    if f.n < KL.START:  # kalmanlab's filter: R's unit is rate x dt; scale dt by ns for this frame
        return f.observe(t, z)
    d0, tp = f.dt, f.t
    f.dt = d0 * ns
    f.observe(t, z)
    dtn = t - tp
    f.dt = (0.9 * d0 + 0.1 * dtn) if (0 < dtn < 3 * d0) else d0


def run(d, name, variants):
    rd = f"{d}/run_kalman_{name}/"
    fr = list(csv.DictReader(open(rd + "frames.csv")))
    trig = [t for t in csv.DictReader(open(rd + "triggers.csv")) if t.get("error_s")]
    par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
    psi, rate = KL.law(par)
    ttrue = [float(r["t_s"]) for r in csv.DictReader(open(f"{d}/{name}_truth.csv"))]
    ts = [float(r["t_s"]) for r in fr]
    ivl = sorted(b - a for a, b in zip(ts, ts[1:]))[len(ts) // 2]
    first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
    dec = {int(t["decided_at_frame"]): t for t in trig if int(t["ref_first_frame"]) == first}

    def ptrue(x):
        i = int(math.floor(x))
        return psi(ttrue[i]) + (x - i) * (psi(ttrue[i + 1]) - psi(ttrue[i]))
    err, pos = {}, {}
    for k, r in enumerate(fr):
        if r["state"] != "locked" or r["phase_rad"] in ("", "nan") or k + 2 >= len(ttrue) or int(r["frame"]) != k:
            continue
        u = float(r["phase_rad"]) / (2 * math.pi) * P
        e = ptrue(first + u) - psi(ttrue[k])
        err[k], pos[k] = (e + math.pi) % (2 * math.pi) - math.pi, int(u / P * NB) % NB
    bins = {b: [err[k] for k in err if pos[k] == b] for b in range(NB)}
    brms = {b: math.sqrt(sum(x * x for x in v) / len(v)) if v else 1 for b, v in bins.items()}
    bmean = {b: sum(v) / len(v) if v else 0 for b, v in bins.items()}
    med = sorted(brms.values())[NB // 2]
    filt = {v: (CA(2 * math.pi / (P * ivl), 0.015, lam=c["lam"]) if "lam" in c else KL.Kalman(2 * math.pi / (P * ivl), 0.015))
            for v, c in variants.items()}
    res = {v: [] for v in list(variants) + ["lib"]}
    for k in range(len(fr)):
        if k not in err:
            continue
        z = float(fr[k]["unwrapped_rad"])
        for v, f in filt.items():
            c = variants[v]
            zz = {"meas": z, "true": z - err[k], "white": z - bmean[pos[k]], "rep": z - err[k] + bmean[pos[k]],
                  "psi": psi(ttrue[k])}[c.get("z", "meas")]
            observe(f, ts[k], zz, brms[pos[k]] / med if c.get("ns") else 1.0)
        if k not in dec:
            continue
        t = dec[k]
        tgt, tgt_true = float(t["target_phase_rad"]), ptrue(first + float(t["target_u"]))
        i = int(t["trigger"])
        for v, f in filt.items():
            s = f.state()
            if s and variants[v].get("z") == "psi":  # the crossing of the beat the library aims at
                tl = float(t["trigger_time_s"])
                d = tgt_true - s[0]
                tp = ts[k] + (d + 2 * math.pi * round((s[1] * (tl - ts[k]) - d) / (2 * math.pi))) / s[1]
                res[v].append((i, (tp - KL.crossing(psi, rate, tgt_true, tp)) * 1e3))
            elif s:
                tp = ts[k] + KL.wait(s[0], s[1], tgt)
                res[v].append((i, (tp - KL.crossing(psi, rate, tgt_true, tp)) * 1e3))
        res["lib"].append((i, float(t["error_s"]) * 1e3))
    return res


def main(argv):
    accel = len(argv) > 1 and argv[1] == "--accel"
    argv = argv[1:] if accel else argv
    if len(argv) < 3:
        sys.exit(__doc__)
    if accel:
        variants = {"Kns": {"ns": 1}}
        variants.update({"CA%g" % lam: {"ns": 1, "lam": lam} for lam in (0.001, 0.003, 0.01, 0.03, 0.1)})
    else:
        variants = {"K": {}, "Kns": {"ns": 1}, "Ktrue": {"z": "true"}, "Kwhite": {"z": "white", "ns": 1}, "Krep": {"z": "rep"}, "Kpsi": {"z": "psi"}}
    for row in argv[1].split(","):
        acc = {}
        for d in argv[2:]:
            if os.path.isdir(f"{d}/run_kalman_{row}"):
                for v, l in run(d, row, variants).items():
                    acc.setdefault(v, []).extend(l)

        def f(l, lo, hi):
            x = [min(abs(e), 99) * (1 if e > 0 else -1) for i, e in l if lo <= i < hi]
            return "%+7.3f/%6.3f" % (sum(x) / len(x), math.sqrt(sum(e * e for e in x) / len(x))) if x else " " * 14
        print("%s (%d runs; mean/RMS ms by trigger index)" % (row, len(argv) - 2))
        print("  %-7s %14s %14s %14s %14s %14s" % ("", "all", "0-1", "2-7", "8-15", "16+"))
        for v, l in acc.items():
            print("  %-7s %s %s %s %s %s" % (v, f(l, 0, 1 << 30), f(l, 0, 2), f(l, 2, 8), f(l, 8, 16), f(l, 16, 1 << 30)))


if __name__ == "__main__":
    main(sys.argv)
