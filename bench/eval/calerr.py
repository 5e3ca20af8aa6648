#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Each locked frame's position error against the truth, before and after the calibration (a
diagnostic, not part of make check; docs/accuracy-log.md, "The V fit's error the table leaves").

usage: git apply bench/eval/caldump.patch; make build/bin/ogate-emulate
       OGATE_CALDUMP=RUN.cal build/bin/ogate-emulate S.npy --timestamps S_timestamps.csv \\
           --truth S_truth.csv --out RUN ...
       bench/eval/calerr.py RUN S_truth.csv [--profile]

For every frame of the first reference from two periods after it was taken: w its raw position
(the sub-frame fit's, frames), e_raw = w - the true position and e_cal = (w - the correction) - the
true position (frames, + = measured late, which makes a trigger early; the true position of w is
the reference position whose true phase the frame has, as evalrun.frame_errors). Prints
  level    the mean of e_raw and e_cal over the frames; their means over frames truly within 1/16
           frame of a reference frame (what the pin assumes is 0) and over frames measured there
  twoway   e = g(j) + c(x) by least squares over cells (j = floor(w), x = w's fraction in eighths):
           c is the error common to every position at one measured offset (its mean over x is 0),
           g the position's own; sd of g and the cells' residual (frames measured at one raw
           position with different errors: drift, noise, a modulated rate)
  learnt   the correction against E[e_raw | w] (quarter-frame bins of w): its slope and intercept
           over the run's first and second halves (1: the table holds the whole error there)
  --profile e_raw, e_cal and the correction by true and by measured fraction (eighths)
"""
import argparse
import collections
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import evalrun  # noqa: E402


def load(run, truth):
    import csv
    tr = list(csv.DictReader(open(truth)))
    psi = [float(r["psi_rad"]) for r in tr]
    tt = [float(r["t_s"]) for r in tr]
    trig = list(csv.DictReader(open(run + "/triggers.csv")))
    first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
    rid = trig[0]["ref_id"]
    base = pidx(0)

    def err(k, u):
        dph = ((psi[k] - base) % (2 * math.pi) - (pidx(u) - base) + math.pi) % (2 * math.pi) - math.pi
        return -dph / ((psi[k + 1] - psi[k - 1]) / 2)

    t2k = {round(t, 6): i for i, t in enumerate(tt)}
    rows = []  # (frame, w, e_raw, e_cal, correction, true position)
    for line in open(run + ".cal"):
        v = line.split()
        k = t2k.get(round(int(v[0]) / 1e9 - 1.0, 6))  # ogate-emulate stamps from 1 s
        if k is None or v[1] != rid or k < first + 2 * P or k >= len(psi) - 1:
            continue
        w, cal = float(v[2]) % P, float(v[3]) + float(v[4])
        er = err(k, w)
        rows.append((k, w, er, err(k, (w - cal) % P), cal, w - er))
    return rows, P, tu


def frac(x):
    return x - math.floor(x)


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def twoway(rows, idx, nx=8):
    cells = collections.defaultdict(list)
    for r in rows:
        cells[(int(math.floor(r[1])), int(frac(r[1]) * nx))].append(r[idx])
    cm = {k: (mean(v), len(v)) for k, v in cells.items()}
    c = [0.0] * nx
    for _ in range(50):
        acc = collections.defaultdict(lambda: [0.0, 0])
        for (j, xb), (m, n) in cm.items():
            acc[j][0] += n * (m - c[xb])
            acc[j][1] += n
        g = {j: a[0] / a[1] for j, a in acc.items()}
        acc2 = [[0.0, 0] for _ in range(nx)]
        for (j, xb), (m, n) in cm.items():
            acc2[xb][0] += n * (m - g[j])
            acc2[xb][1] += n
        c = [a[0] / a[1] if a[1] else 0 for a in acc2]
        mc = mean(c)
        c = [v - mc for v in c]
    gv = list(g.values())
    sdg = math.sqrt(max(mean([v * v for v in gv]) - mean(gv) ** 2, 0))
    tot = sum(n for m, n in cm.values())
    res = math.sqrt(sum(n * (m - g[j] - c[xb]) ** 2 for (j, xb), (m, n) in cm.items()) / tot)
    return c, sdg, res


def learnt(rows, nb=4):
    ks = sorted(r[0] for r in rows)
    kmid = ks[len(ks) // 2]
    out = []
    for part in (lambda r: r[0] < kmid, lambda r: r[0] >= kmid):
        acc = collections.defaultdict(list)
        for r in rows:
            if part(r):
                acc[int(math.floor(r[1] * nb))].append(r)
        X, Y = [], []
        for L in acc.values():
            er = mean([r[2] for r in L])
            if len(L) >= 4 and abs(er) <= 0.3:  # not the fold's few bins
                X.append(er)
                Y.append(mean([r[4] for r in L]))
        mx, my = mean(X), mean(Y)
        sl = sum((x - mx) * (y - my) for x, y in zip(X, Y)) / sum((x - mx) ** 2 for x in X)
        out.append((sl, my - sl * mx))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("truth")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    rows, P, tu = load(a.run, a.truth)
    near = [r for r in rows if min(frac(r[5]), 1 - frac(r[5])) < 0.0625]
    nearr = [r for r in rows if min(frac(r[1]), 1 - frac(r[1])) < 0.0625]
    print(f"{a.run}: P {P:.3f} target_u {tu:.2f} frames {len(rows)}")
    print(f"  level    e_raw {mean([r[2] for r in rows]):+.4f} e_cal {mean([r[3] for r in rows]):+.4f}"
          f" | truly at a reference frame ({len(near)}): {mean([r[2] for r in near]):+.4f} /"
          f" {mean([r[3] for r in near]):+.4f} | measured there ({len(nearr)}):"
          f" {mean([r[2] for r in nearr]):+.4f} / {mean([r[3] for r in nearr]):+.4f}")
    for idx, name in ((2, "e_raw"), (3, "e_cal")):
        c, sdg, res = twoway(rows, idx)
        print(f"  twoway {name}: c(x) " + " ".join(f"{v:+.3f}" for v in c)
              + f"  sd g {sdg:.3f}  cell residual {res:.3f}")
    (s1, i1), (s2, i2) = learnt(rows)
    print(f"  learnt   correction = {s1:.3f} E[e_raw|w] {i1:+.4f} (first half), "
          f"{s2:.3f} E[e_raw|w] {i2:+.4f} (second)")
    if a.profile:
        for label, key in (("true", lambda r: frac(r[5])), ("measured", lambda r: frac(r[1]))):
            acc = collections.defaultdict(list)
            for r in rows:
                acc[int(key(r) * 8)].append(r)
            print(f"  by {label} fraction: bin n e_raw e_cal correction")
            for b in sorted(acc):
                L = acc[b]
                print(f"    {b / 8:5.3f} {len(L):5d} {mean([r[2] for r in L]):+.4f} "
                      f"{mean([r[3] for r in L]):+.4f} {mean([r[4] for r in L]):+.4f}")


if __name__ == "__main__":
    main()
