#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Does the live check see each row's bias? Per row of a sweep or eval directory, check vs truth.

usage: bench/eval/qarows.py DIR [linear|kalman ...] [--base OTHER_DIR]

DIR holds run_<predictor>_<row>/triggers.csv (bench/eval/sweep.py run --dir, or make eval with
EVAL_DIR). Per row, over the triggers both the check (qa_error_s) and the truth (error_s) have:
n, the check's correlation with the truth, the truth's mean (the row's bias), the check's mean
(the bias the check reports) and their difference (the bias the check does not see; ms). With
--base, the same for another run on the same streams (e.g. main's build, or another setting),
on the triggers both checked. Summary per predictor: the pooled correlation, the mean over rows
of |check - truth| (the unseen bias), the correlation over rows of the check's mean with the
truth's (1 = every row's bias seen at its size) and the rows whose unseen bias exceeds 1 ms.
The triggers themselves must be the same in both (the check does not steer them): compare
triggers.csv without its qa columns first.
"""
import math, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qacheck import checked, corr, parse_args, rows  # noqa: E402


def pairs(trig, keep):
    return [(1e3 * float(trig[k]["qa_error_s"]), 1e3 * float(trig[k]["error_s"])) for k in sorted(keep)]


def row_figures(p):
    mc = sum(x for x, _ in p) / len(p)
    mt = sum(y for _, y in p) / len(p)
    return corr(p), mt, mc, mc - mt


def summary(label, per):
    pooled = [q for p in per for q in p]
    figs = [row_figures(p) for p in per]
    unseen = [abs(f[3]) for f in figs]
    means = [(f[2], f[1]) for f in figs]
    return "%s pooled %.3f, mean |check - truth| %.2f ms, row means' correlation %.3f, rows > 1 ms %d of %d" % (
        label, corr(pooled), sum(unseen) / len(unseen), corr(means), sum(u > 1 for u in unseen), len(unseen))


def main():
    d, preds, base = parse_args(sys.argv[1:], __doc__)
    for pred in preds:
        R, B = rows(d, pred), rows(base, pred) if base else {}
        print(f"{pred}: ms; corr = check with truth; truth / check = the row's mean; unseen = check - truth")
        hdr = "%-28s %4s %6s %7s %7s %7s" % ("stream", "n", "corr", "truth", "check", "unseen")
        print(hdr + ("  | base %6s %7s %7s" % ("corr", "check", "unseen") if base else ""))
        per, per_b = [], []
        for name, trig in R.items():
            keep = checked(trig)
            if base:
                if name not in B:
                    continue
                keep &= checked(B[name])
            if len(keep) < 3:
                continue
            p = pairs(trig, keep)
            c, mt, mc, u = row_figures(p)
            line = "%-28s %4d %6.3f %+7.2f %+7.2f %+7.2f" % (name[:28], len(p), c, mt, mc, u)
            per.append(p)
            if base:
                pb = pairs(B[name], keep)
                cb, _, mcb, ub = row_figures(pb)
                line += "  |      %6.3f %+7.2f %+7.2f" % (cb, mcb, ub)
                per_b.append(pb)
            print(line)
        if per:
            print(summary(pred + ":", per))
            if base:
                print(summary(pred + " base:", per_b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
