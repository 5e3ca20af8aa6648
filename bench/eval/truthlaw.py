# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The emulator's ground truth (S_truth.csv: t_s, psi_rad) as functions of time, for the
diagnostic scripts that hold a run against it (bmtruth.py, pintruth.py)."""
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
