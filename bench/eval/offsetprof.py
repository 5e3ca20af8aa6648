#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A run's phase error by the true sub-frame offset (issue 9, session 17, tgtphase; a diagnostic).

  offsetprof.py STREAM RUNDIR [--bins 8] [--hw FILE]

STREAM is the stream's path without extension (STREAM_truth.csv), RUNDIR an ogate-emulate --out
directory (frames.csv, triggers.csv; one reference). Per locked frame of the run's second half:
u_true = the reference position whose truth phase equals the frame's (the emulator's truth,
psi(ref_first + u) - psi(ref_first)), and e = the calibrated position (phase_rad P / 2 pi) less
u_true less N's shift (N_true(u_t) - N_true(u_true), N_true(u) = u - P (psi(ref_first + u) -
psi(ref_first)) / 2 pi), in frames (+ = the phase ahead: a trigger early). A trigger on time needs
e = 0 at the target; the pin makes it 0 for frames truly at a reference frame, so e's profile by
the true offset (frac u_true) is the matching error common to an offset that is left after the
calibration. Also prints the true beat the reference held (P + delta) and N_true.

--hw FILE: stderr of an ogate-emulate built with bench/eval/hwdbg.patch (OGATE_HWDBG=1: per locked
frame the raw position w, the unwrapped phase, the correction and the common correction c2 and
the offset), for the raw matching error w - u_true by true and by measured offset, and a replica
of sync_calib_common.c's least squares (lines through consecutive beats at their boundary) on
the run's phases, on the true offsets, and on the truth's phase with a planted c = -0.05 sin^2
(pi x): docs/accuracy-log.md, "The bias against the target phase on clean hearts".
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evalrun import hw_log, rows, run_truth, truth_map  # noqa: E402


def solve3(g, v):
    a = [g[i][:] + [v[i]] for i in range(3)]
    for c in range(3):
        for r in range(c + 1, 3):
            m = a[r][c] / a[c][c]
            for k in range(c, 4):
                a[r][k] -= m * a[c][k]
    x = [0.0] * 3
    for i in (2, 1, 0):
        x[i] = (a[i][3] - sum(a[i][k] * x[k] for k in range(i + 1, 3))) / a[i][i]
    return x


def common_ls(t, phase, offs, P, seq):
    """sync_calib_common_update's normal equations over every frame: c(1/4, 1/2, 3/4) - c(0)"""
    M = int(round(P))
    g = [[0.0] * 3 for _ in range(3)]
    v3 = [0.0] * 3
    for i in range(2 * M, len(t) + 1):
        if any(seq[k + 1] - seq[k] != 1 for k in range(i - 2 * M, i - 1)):
            continue
        tb = 0.5 * (t[i - M - 1] + t[i - M])
        v = [0.0] * 4
        vals = []
        for lo, sg in ((i - M, 1), (i - 2 * M, -1)):
            tt, pp = t[lo:lo + M], phase[lo:lo + M]
            tm, pm = sum(tt) / M, sum(pp) / M
            sxx = sum((x - tm) ** 2 for x in tt)
            b = sum((x - tm) * (y - pm) for x, y in zip(tt, pp)) / sxx
            vals.append(pm + b * (tb - tm))
            for k in range(M):
                wt = 1.0 / M + (tt[k] - tm) * (tb - tm) / sxx
                x = (offs[lo + k] % 1) * 4
                fl = math.floor(x)
                f = x - fl
                b0 = int(fl) % 4
                v[b0] += sg * (1 - f) * wt
                v[(b0 + 1) % 4] += sg * f * wt
        d = (vals[0] - vals[1]) * P / (2 * math.pi)
        if abs(d) > 1:
            continue
        for a in range(3):
            v3[a] += v[a + 1] * d
            for b in range(3):
                g[a][b] += v[a + 1] * v[b + 1]
    for a in range(3):
        g[a][a] += P
    return solve3(g, v3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stream")
    ap.add_argument("rundir")
    ap.add_argument("--bins", type=int, default=8)
    ap.add_argument("--hw")
    a = ap.parse_args()
    psi, ts, rf, P, tu = run_truth(a.stream, a.rundir)
    at, u_of, p0, Pt = truth_map(psi, rf, P)

    def N(u):
        return u - P * (at(rf + u) - p0) / (2 * math.pi)

    print("P %.4f, the true beat the reference held %.4f (delta %+.4f); N_true at u = P/4, P/2, 3P/4: "
          "%+.4f %+.4f %+.4f; target u %.3f" % (P, Pt, Pt - P, N(P / 4), N(P / 2), N(3 * P / 4), tu))
    nb = a.bins

    def prof(xs, es):
        s, n = [0.0] * nb, [0] * nb
        for x, e in zip(xs, es):
            k = int((x % 1) * nb) % nb
            s[k] += e
            n[k] += 1
        return " ".join("%+.4f" % (s[k] / n[k]) if n[k] else "    .  " for k in range(nb))

    fr = [r for r in rows(a.rundir + "/frames.csv") if r["state"] == "locked" and r["phase_rad"]]
    fr = fr[len(fr) // 2:]
    Nt = N(tu)
    ut, es = [], []
    for r in fr:
        i = int(r["frame"])
        u = u_of((psi[i] - p0) % (2 * math.pi))
        e = (float(r["phase_rad"]) * P / (2 * math.pi) - u + P / 2) % P - P / 2 - (Nt - N(u))
        ut.append(u)
        es.append(e)
    em = sum(es) / len(es)
    print("calibrated e, second half: mean %+.4f frame; by true offset (%d bins from 0):" % (em, nb))
    print("  " + prof(ut, es))
    if not a.hw:
        return
    seq, w, unw, c2, off = hw_log(a.hw)
    uh = [u_of((psi[i] - p0) % (2 * math.pi)) for i in seq]
    m = [(x - u + P / 2) % P - P / 2 for x, u in zip(w, uh)]
    print("raw matching error w - u_true by true offset:     " + prof(uh, m))
    print("raw matching error w - u_true by measured offset: " + prof(w, m))
    t = [ts[i] for i in seq]
    ph = [x + 2 * math.pi * c / P for x, c in zip(unw, c2)]
    fmt = lambda x: " ".join("%+.4f" % v for v in x)
    print("common table replica c(1/4, 1/2, 3/4) - c(0): run's phases, measured offsets %s" %
          fmt(common_ls(t, ph, off, P, seq)))
    print("  the same on the true offsets                                   %s" % fmt(common_ls(t, ph, uh, P, seq)))
    tru = [psi[i] - p0 for i in seq]
    cp = [-0.05 * math.sin(math.pi * (u % 1)) ** 2 for u in uh]
    print("  the truth's phase + planted -0.05 sin^2(pi x) (-0.025 -0.05 -0.025) %s" %
          fmt(common_ls(t, [x + 2 * math.pi * c / P for x, c in zip(tru, cp)], uh, P, seq)))


if __name__ == "__main__":
    main()
