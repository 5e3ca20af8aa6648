#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The first beats after lock, split by trigger index over seeds (issue 9, dstart).

startsplit.py [--bins 0,4,8,16,24,38] ROWS DIR... : ROWS is a regular expression of row names;
every DIR/run_<pred>_<row>/triggers.csv (row matching ROWS, DIR an EVAL_DIR) is one run. Prints,
per predictor and per range of trigger indices, the error's mean over every trigger of every
run, the standard error of that mean from the runs' own means (the level's spread between runs),
the within-run sd about each run's mean (the scatter) and the RMS. Seeds of one row share the
heart's timing (truth and stamps are the same, only the images differ), so a pattern by trigger
index over seeds of one row is that timing's; rows with other start phases and modulation
(bench/eval/dstart.txt) tell a start transient from it. The level is what the calibration and the filter's start share across
seeds; the scatter is each frame's matching noise carried into the trigger.
"""
import csv
import math
import os
import re
import sys


def errors(path):
    out = []
    with open(path) as f:
        for r in csv.DictReader(f):
            if r.get("error_s"):
                out.append((int(r["trigger"]), 1000.0 * float(r["error_s"])))
    return out


def per_row(row, dirs):
    for pred in ("linear", "kalman"):
        acc = {}
        for d in dirs:
            for r in sorted(os.listdir(d)):
                p = os.path.join(d, r, "triggers.csv")
                if r.startswith("run_%s_" % pred) and re.search(row, r[len(pred) + 5:]) and os.path.exists(p):
                    e = errors(p)
                    a = [x for i, x in e if i < 6]
                    b = [x for i, x in e if i >= 8]
                    if a and b:
                        acc.setdefault(r[len(pred) + 5:], []).append((sum(a) / len(a), sum(b) / len(b)))
        print("%s (ms; runs)" % pred)
        for k, v in sorted(acc.items()):
            a, b = sum(x for x, _ in v) / len(v), sum(y for _, y in v) / len(v)
            print("%-32s %2d  first 6 %+7.3f  from 8 %+7.3f  start %+7.3f" % (k, len(v), a, b, a - b))


def main(argv):
    if len(argv) > 3 and argv[1] == "--rows":
        return per_row(argv[2], argv[3:])
    bins = [0, 4, 8, 16, 24, 38]
    if len(argv) > 2 and argv[1] == "--bins":
        bins = [int(x) for x in argv[2].split(",")]
        argv = argv[2:]
    if len(argv) < 3:
        sys.exit(__doc__)
    row, dirs = argv[1], argv[2:]
    for pred in ("linear", "kalman"):
        per = []  # per seed: {bin: [errors]}
        runs = []
        for d in dirs:
            for r in sorted(os.listdir(d)):
                if r.startswith("run_%s_" % pred) and re.search(row, r[len(pred) + 5:]):
                    p = os.path.join(d, r, "triggers.csv")
                    if os.path.exists(p):
                        runs.append(p)
        for p in runs:
            e = errors(p)
            by = {}
            for i, x in e:
                for b in range(len(bins) - 1):
                    if bins[b] <= i < bins[b + 1]:
                        by.setdefault(b, []).append(x)
            per.append(by)
        if not per:
            continue
        print("%s %s, %d runs (ms)" % (row, pred, len(per)))
        print("%-9s %5s %8s %7s %8s %7s" % ("triggers", "n", "mean", "se", "scatter", "rms"))
        for b in range(len(bins) - 1):
            xs = [x for by in per for x in by.get(b, [])]
            ms = [sum(by[b]) / len(by[b]) for by in per if by.get(b)]
            if not xs:
                continue
            m = sum(xs) / len(xs)
            se = (math.sqrt(sum((y - sum(ms) / len(ms)) ** 2 for y in ms) / (len(ms) - 1) / len(ms))
                  if len(ms) > 1 else 0.0)
            within = [x - sum(by[b]) / len(by[b]) for by in per if by.get(b) for x in by[b]]
            sc = math.sqrt(sum(w * w for w in within) / max(1, len(within) - len(ms)))
            rms = math.sqrt(sum(x * x for x in xs) / len(xs))
            print("%3d-%-5d %5d %+8.3f %7.3f %8.3f %7.3f" % (bins[b], bins[b + 1] - 1, len(xs), m, se, sc, rms))


if __name__ == "__main__":
    main(sys.argv)
