#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Summarise eval.sh outputs by jitter level: rows named ..._jX (bench/eval/jitbias.txt,
jitter.txt) grouped by predictor and X, over every file given (e.g. two seeds): mean |mean|,
mean RMS and the signed mean of the rows. A bias that grows with capture jitter shows as a
signed mean or a mean |mean| that grows with X (docs/accuracy-log.md, "A bias that grows with
capture jitter").
usage: jitsum.py EVAL_OUTPUT...
"""
import collections, re, sys

acc = collections.defaultdict(list)
for fn in sys.argv[1:]:
    pred = None
    for line in open(fn):
        m = re.match(r"predictor: (\w+)", line)
        if m:
            pred = m.group(1)
            continue
        f = line.split()
        if pred and len(f) > 6 and re.search(r"_j\d+$", f[0]):
            try:
                acc[(pred, f[0].rsplit("_", 1)[1])].append((float(f[5]), float(f[4])))
            except ValueError:
                pass
for (p, t), v in sorted(acc.items()):
    n = len(v)
    print("%-7s %-4s rows %2d  mean |mean| %.3f  mean RMS %.3f  signed mean %+.3f ms" % (
        p, t, n, sum(abs(a) for a, _ in v) / n, sum(b for _, b in v) / n, sum(a for a, _ in v) / n))
