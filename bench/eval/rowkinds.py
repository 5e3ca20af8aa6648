#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A candidate against the base, split by the rows' kind: which kinds of heart a change helps.

Usage: rowkinds.py LOGDIR [--base def] [--cand q] [--rows]

LOGDIR holds candrun.sh's logs, SET-SEED-CAND.log (combotable.py's layout). Every row run of every
set and seed with both logs is classed by its matrix line (bench/eval/SET.txt): model (blob / real),
frames a beat (fps x period: < 16, 16-20, >= 20) and drift (any --xy-drift or none). Per predictor
and class: the row runs, the geometric mean of the RMS ratio cand / base, the rows more than 10 %
worse and the mean shift (ms). --rows lists every row run as well. docs/accuracy-log.md, "A
frames-a-beat gate for the quartic".
"""
import argparse
import glob
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from combotable import parse_log  # noqa: E402


def matrix_rows(path):
    out = {}
    for line in open(path):
        w = line.split()
        if line.startswith("#") or len(w) < 13:
            continue
        out[w[0]] = w
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("--base", default="def")
    ap.add_argument("--cand", default="q")
    ap.add_argument("--rows", action="store_true")
    a = ap.parse_args()
    runs = []
    for f in sorted(glob.glob(os.path.join(a.logdir, "*-%s.log" % a.base))):
        stem = os.path.basename(f)[: -len("-%s.log" % a.base)]
        g = os.path.join(a.logdir, "%s-%s.log" % (stem, a.cand))
        s, _ = stem.rsplit("-", 1)
        mat = os.path.join(HERE, s + ".txt")
        if not os.path.exists(g) or not os.path.exists(mat):
            continue
        feat = matrix_rows(mat)
        A, B = parse_log(f), parse_log(g)
        for p in A:
            for r, (rms, mean, _) in A[p].items():
                if r not in B.get(p, {}) or r not in feat:
                    continue
                w = feat[r]
                fpb = float(w[3]) * float(w[4])
                drift = abs(float(w[8])) + abs(float(w[9])) > 0
                rms2, mean2, _ = B[p][r]
                runs.append((stem, p, r, w[1], fpb, drift, rms, rms2, mean, mean2))
    if a.rows:
        for st, p, r, m, fpb, d, r1, r2, m1, m2 in runs:
            print("%-16s %-7s %-32s %-4s %5.1f %-5s RMS %.3f -> %.3f (%.2f)%s mean %+.3f -> %+.3f" % (
                st, p, r, m, fpb, "drift" if d else "-", r1, r2, r2 / r1, "*" if r2 > 1.1 * r1 else " ",
                m1, m2))
    print("%-8s %-6s %-8s %-6s %5s %10s %7s %10s" % ("pred", "model", "fpb", "drift", "runs", "RMS ratio",
                                                    "> 10 %", "mean ms"))
    for p in sorted({x[1] for x in runs}):
        for m in ("blob", "real"):
            for lo, hi, name in ((0, 16, "<16"), (16, 20, "16-20"), (20, 1e9, ">=20")):
                for d in (False, True):
                    S = [x for x in runs if x[1] == p and x[3] == m and lo <= x[4] < hi and x[5] == d]
                    if not S:
                        continue
                    gm = math.exp(sum(math.log(x[7] / x[6]) for x in S) / len(S))
                    bad = sum(1 for x in S if x[7] > 1.1 * x[6])
                    dm = sum(x[9] - x[8] for x in S) / len(S)
                    print("%-8s %-6s %-8s %-6s %5d %10.3f %7d %+10.3f" % (p, m, name, "drift" if d else "-",
                                                                       len(S), gm, bad, dm))


if __name__ == "__main__":
    main()
