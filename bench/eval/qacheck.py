#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""What the live check's own error is made of, per row of an EVAL_DIR (make eval with EVAL_DIR).

usage: bench/eval/qacheck.py EVAL_DIR [linear|kalman ...] [--base OTHER_EVAL_DIR]

For every row: the triggers checked, the correlation of the check (qa_error_s) with the true
error (error_s), the check's error (check - truth) split into its mean over the row (systematic:
the phase measurement's own error near the target, which the check shares with the prediction
and cannot see) and its standard deviation (random: the matching noise of the frames it reads),
the slope of the check on the truth (1 = reads the errors at their size), the truth's own mean and
spread (a row whose spread is small against the check's error cannot correlate, whatever its
offset), and "w/o": the pooled correlation over all rows but this one (a row far above the others'
figure drags the pooled figure down; compare it with the last line). Then the pooled
correlation over all rows, and what it would be without the rows' systematic parts (each row's
check shifted by its mean error): the gap between the two is what the systematic part costs.
With --base, the same triggers are compared with another run (e.g. another build on the same
streams, EVAL_STREAMS), on the triggers both checked.
"""
import csv, glob, math, sys


def corr(pairs):
    n = len(pairs)
    if n < 3:
        return float("nan")
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def rows(d, pred):
    out = {}
    for f in sorted(glob.glob(f"{d}/run_{pred}_*/triggers.csv")):
        name = f.split(f"run_{pred}_", 1)[1].rsplit("/", 1)[0]
        out[name] = list(csv.DictReader(open(f)))
    return out


def pairs(trig, keep=None):
    p = []
    for k, r in enumerate(trig):
        if r.get("qa_error_s") and r.get("error_s") and (keep is None or k in keep):
            p.append((float(r["qa_error_s"]), float(r["error_s"])))
    return p


def checked(trig):
    return {k for k, r in enumerate(trig) if r.get("qa_error_s") and r.get("error_s")}


def parse_args(argv, usage):
    """DIR [linear|kalman ...] [--base OTHER_DIR], the arguments of qacheck.py and qarows.py:
    (DIR, the predictors (both by default), OTHER_DIR or None); where no DIR is given, usage
    printed and exit status 2."""
    args = list(argv)
    base = None
    if "--base" in args:
        i = args.index("--base")
        base = args[i + 1]
        del args[i:i + 2]
    if not args:
        print(usage)
        sys.exit(2)
    return args[0], args[1:] or ["linear", "kalman"], base


def main():
    d, preds, base = parse_args(sys.argv[1:], __doc__)
    for pred in preds:
        R = rows(d, pred)
        B = rows(base, pred) if base else {}
        print(f"{pred}: ms; check error = check - truth; slope = check on truth")
        hdr = "%-26s %5s %6s %7s %6s %6s %7s %6s %6s" % (
            "stream", "n", "corr", "err_mean", "err_sd", "slope", "tr_mean", "tr_sd", "w/o")
        print(hdr + ("  %6s" % "base" if base else ""))
        pooled, shifted, pooled_b, per = [], [], [], {}
        for name, trig in R.items():
            keep = checked(trig)
            if base:
                keep &= checked(B.get(name, []))
            p = pairs(trig, keep)
            if len(p) < 3:
                continue
            e = [x - y for x, y in p]
            m = sum(e) / len(e)
            sd = math.sqrt(sum((v - m) ** 2 for v in e) / len(e))
            my = sum(y for _, y in p) / len(p)
            syy = sum((y - my) ** 2 for _, y in p)
            slope = sum((x - m - my) * (y - my) for x, y in p) / syy if syy > 0 else float("nan")
            pooled += p
            shifted += [(x - m, y) for x, y in p]
            tsd = math.sqrt(syy / len(p))
            line = "%-26s %5d %6.3f %+7.3f %6.3f %6.2f %+7.3f %6.3f" % (
                name[:26], len(p), corr(p), 1e3 * m, 1e3 * sd, slope, 1e3 * my, 1e3 * tsd)
            tail = ""
            if base:
                pb = pairs(B[name], keep)
                pooled_b += pb
                tail = "  %6.3f" % corr(pb)
            per[name] = (p, line, tail)
        for name, (p, line, tail) in per.items():
            rest = [q for n2, v in per.items() if n2 != name for q in v[0]]
            print(line + " %6.3f" % corr(rest) + tail)
        print(f"{pred}: pooled correlation {corr(pooled):.3f} over {len(pooled)} triggers"
              + (f" (base {corr(pooled_b):.3f} on the same triggers)" if base else "")
              + f"; without the rows' systematic parts {corr(shifted):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
