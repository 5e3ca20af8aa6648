#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A real-model run's matching error: by the offset from the reference frames, or on the source grid?
(issue 9, session 17, halfoff; a diagnostic.)

  srcgrid.py STREAM RUNDIR HWLOG [--source-period 34.282163] [--lam 0.1]

STREAM is the stream's path without extension (STREAM_truth.csv), RUNDIR an ogate-emulate --out
directory (one reference), HWLOG the stderr of an ogate-emulate built with bench/eval/hwdbg.patch and
run with OGATE_HWDBG=1. ogate-synth's real model renders phase psi as a linear blend of two of its
source frames (2 + source_period psi / 2 pi; each with its own static noise), so a frame also has an
offset on that source grid. Per locked frame of the run's second half: the raw matching error m
(raw position w less the true position u) and the calibrated error e (the phase without the
common correction less the truth's, in frames; its level is arbitrary), then
  1. m and e by the true offset from the reference frame before (eighths): mean / tilt over the beat
     (the slope on u times P: how much the error at one offset changes from u = 0 to u = P);
  2. the share of m's and e's variance explained by the reference offset, the source-grid offset,
     and both (8 x 8 cells);
  3. a replica of sync_calib_common.c's least squares (lines through the last two beat lengths,
     differenced at their boundary) on the run's phases, with levels only (the library) and with
     levels plus a tilt per offset bin, on true and measured offsets and positions.
docs/accuracy-log.md, "The halfway error is on ogate-synth's source grid".
"""
import argparse
import collections
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evalrun import hw_log, run_truth, truth_map  # noqa: E402


def solve(g, v):
    nn = len(v)
    a = [g[i][:] + [v[i]] for i in range(nn)]
    for c in range(nn):
        p = max(range(c, nn), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(nn):
            if r != c:
                m = a[r][c] / a[c][c]
                for k in range(c, nn + 1):
                    a[r][k] -= m * a[c][k]
    return [a[i][nn] / a[i][i] for i in range(nn)]


def common_ls(t, seq, phase, offs, pos, P, tilts, lam):
    """c(1/4, 1/2, 3/4) - c(0) [and a tilt (error at u = P less at u = 0) per bin 0..3]"""
    M = int(round(P))
    nu = 7 if tilts else 3
    g = [[0.0] * nu for _ in range(nu)]
    vv = [0.0] * nu
    for i in range(2 * M, len(t) + 1):
        if any(seq[k + 1] - seq[k] != 1 for k in range(i - 2 * M, i - 1)):
            continue
        tb = 0.5 * (t[i - M - 1] + t[i - M])
        v = [0.0] * 8
        vals = []
        for lo, sg in ((i - M, 1), (i - 2 * M, -1)):
            tt, pp = t[lo:lo + M], phase[lo:lo + M]
            tm, pm = sum(tt) / M, sum(pp) / M
            sxx = sum((x - tm) ** 2 for x in tt)
            vals.append(pm + sum((x - tm) * (y - pm) for x, y in zip(tt, pp)) / sxx * (tb - tm))
            for k in range(M):
                wt = 1.0 / M + (tt[k] - tm) * (tb - tm) / sxx
                x = (offs[lo + k] % 1) * 4
                fl = math.floor(x)
                f = x - fl
                b0 = int(fl) % 4
                b1 = (b0 + 1) % 4
                q = pos[lo + k] / P - 0.5
                v[b0] += sg * (1 - f) * wt
                v[b1] += sg * f * wt
                v[4 + b0] += sg * (1 - f) * wt * q
                v[4 + b1] += sg * f * wt * q
        d = (vals[0] - vals[1]) * P / (2 * math.pi)
        if abs(d) > 1:
            continue
        x = v[1:4] + v[4:8] if tilts else v[1:4]
        for a in range(nu):
            vv[a] += x[a] * d
            for b in range(nu):
                g[a][b] += x[a] * x[b]
    for a in range(nu):
        g[a][a] += lam
    return solve(g, vv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stream")
    ap.add_argument("rundir")
    ap.add_argument("hw")
    ap.add_argument("--source-period", type=float, default=34.282163)
    ap.add_argument("--lam", type=float, default=0.1, help="regularisation, in beats' worth of samples")
    a = ap.parse_args()
    psi, ts, rf, P, _ = run_truth(a.stream, a.rundir)
    seq, w, unw, c2, off = hw_log(a.hw)
    _, u_of, p0, Pt = truth_map(psi, rf, P)
    n = len(seq)
    h = n // 2
    um = [u_of((psi[i] - p0) % (2 * math.pi)) for i in seq]
    xt = [u % 1 for u in um]
    xs = [(2 + a.source_period * (psi[i] % (2 * math.pi)) / (2 * math.pi)) % 1 for i in seq]
    tru = [psi[i] - p0 for i in seq]
    e = [(x + 2 * math.pi * c / P - b) * P / (2 * math.pi) for x, c, b in zip(unw, c2, tru)]
    e = [x - P * round((x - e[h]) / P) for x in e]
    e = [x - e[h] for x in e]
    m = [(w[i] - um[i] + Pt / 2) % Pt - Pt / 2 for i in range(n)]
    K = 8
    print("P %.3f (true beat %.3f), source grid %.3f frames a beat; second half, %d frames" %
          (P, Pt, a.source_period, n - h))

    def prof(arr, key):
        out = []
        for k in range(K):
            idx = [i for i in range(h, n) if int(key[i] * K) % K == k]
            if len(idx) < 20:
                out.append("      .      ")
                continue
            xx = [um[i] for i in idx]
            yy = [arr[i] for i in idx]
            mx, my = sum(xx) / len(xx), sum(yy) / len(yy)
            sl = sum((p - mx) * (q - my) for p, q in zip(xx, yy)) / sum((p - mx) ** 2 for p in xx)
            out.append("%+.3f/%+.3f" % (my, sl * P))
        return " ".join(out)

    def share(arr, keyf):
        grp = collections.defaultdict(list)
        for i in range(h, n):
            grp[keyf(i)].append(arr[i])
        mu = sum(arr[h:n]) / (n - h)
        tot = sum((x - mu) ** 2 for x in arr[h:n])
        return sum(len(g) * (sum(g) / len(g) - mu) ** 2 for g in grp.values()) / tot

    for name, arr in (("raw m", m), ("calibrated e", e)):
        print("%s by reference offset (eighths), mean/tilt:    %s" % (name, prof(arr, xt)))
        print("%s by source-grid offset (eighths), mean/tilt:  %s" % (name, prof(arr, xs)))
        print("  variance explained: reference offset %.3f, source offset %.3f, both (64 cells) %.3f" %
              (share(arr, lambda i: int(xt[i] * 8)), share(arr, lambda i: int(xs[i] * 8)),
               share(arr, lambda i: (int(xt[i] * 8), int(xs[i] * 8)))))
    t = [ts[i] for i in seq]
    ph = [tru[i] + 2 * math.pi * e[i] / P for i in range(n)]
    wp = [x % P for x in w]
    lam = a.lam * P
    fmt = lambda x: " ".join("%+.4f" % v for v in x)
    print("replica: c(1/4, 1/2, 3/4) - c(0) [tilts at 0, 1/4, 1/2, 3/4]")
    print("  levels only, true offsets   %s" % fmt(common_ls(t, seq, ph, xt, um, P, False, lam)))
    print("  levels only, measured       %s" % fmt(common_ls(t, seq, ph, off, wp, P, False, lam)))
    print("  levels + tilts, true        %s" % fmt(common_ls(t, seq, ph, xt, um, P, True, lam)))
    print("  levels + tilts, measured    %s" % fmt(common_ls(t, seq, ph, off, wp, P, True, lam)))


if __name__ == "__main__":
    main()
