# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The emulator's ground truth (S_truth.csv: t_s, psi_rad) as functions of time, and the true beat
model N at a reference against the fitted one, for the diagnostic scripts that hold a run against
it (bmtruth.py, pintruth.py)."""
import bisect, csv, math


class Truth:
    def __init__(self, path):
        rows = list(csv.DictReader(open(path)))
        self.T = [float(r['t_s']) for r in rows]
        self.S = [float(r['psi_rad']) for r in rows]

    def psi(self, t):
        """the true phase at time t (s), linear between the truth's rows"""
        T, S = self.T, self.S
        i = max(0, min(bisect.bisect_right(T, t) - 1, len(T) - 2))
        return S[i] + (S[i+1]-S[i]) * (t - T[i]) / (T[i+1]-T[i])

    def tof(self, p):
        """the time where the true phase is p"""
        T, S = self.T, self.S
        i = max(0, min(bisect.bisect_right(S, p) - 1, len(S) - 2))
        return T[i] + (T[i+1]-T[i]) * (p - S[i]) / (S[i+1]-S[i])

    def beat(self, tm, P, ivl):
        """the true beat centred at time tm, in intervals of ivl s: psi(tm + L/2) - psi(tm - L/2)
        = 2 pi solved by Newton's method from L = P intervals"""
        psi, L = self.psi, P * ivl
        for _ in range(30):
            f = psi(tm + L/2) - psi(tm - L/2) - 2*math.pi
            dr = (psi(tm + L/2 + 1e-5) - psi(tm - L/2 - 1e-5) - psi(tm + L/2) + psi(tm - L/2)) / 2e-5
            L -= f / dr
        return L / ivl


def n_model(u, P, k, d):
    """the beat model N(u) (frames) of a P-frame reference with trend k and delta d"""
    return d * u / (P + d) + k * u * (u - P) / (2 * P)


class RefBeat:
    """The truth at a reference that starts at the truth's row rf and holds P frame intervals of
    ivl s: its true delta d (the true beat from there, less P) and trend k (a line through the
    true beat lengths centred over the reference's beat, x in [-P/2, P/2]), true N, and the
    trigger bias a model N's miss predicts."""

    def __init__(self, truth, rf, P, ivl):
        self.truth, self.P, self.ivl = truth, P, ivl
        self.t0, self.psi0 = truth.T[rf], truth.S[rf]
        self.js = list(range(int(math.floor(P)) + 1))  # the reference's frames
        self.d = (truth.tof(self.psi0 + 2*math.pi) - self.t0) / ivl - P
        xs = [P * (i/10 - 0.5) for i in range(11)]
        ys = [self.beat(x) for x in xs]
        xm = sum(xs)/len(xs); ym = sum(ys)/len(ys)
        self.k = sum((x-xm)*(y-ym) for x,y in zip(xs,ys)) / sum((x-xm)**2 for x in xs)

    def beat(self, x):
        """the true beat length (intervals) centred x intervals after the reference's middle"""
        return self.truth.beat(self.t0 + (x + self.P/2) * self.ivl, self.P, self.ivl)

    def n(self, u):
        """true N(u) = u - P (psi(t0 + u ivl) - psi0) / 2 pi"""
        return u - self.P * (self.truth.psi(self.t0 + u * self.ivl) - self.psi0) / (2*math.pi)

    def mean(self, f):
        """f's mean over the reference's frames"""
        return sum(f(j) for j in self.js) / len(self.js)

    def dn(self, u, k, d):
        """dN = true - model at u (frames)"""
        return self.n(u) - n_model(u, self.P, k, d)

    def bias_ms(self, u, k, d):
        """the trigger bias at target u that the model's miss predicts: ivl x (dN(u) - mean dN),
        ms, + = late"""
        return (self.dn(u, k, d) - self.mean(lambda j: self.dn(j, k, d))) * self.ivl * 1e3
