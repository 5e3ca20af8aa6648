#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The acceptance rule for bundles of settings, from make eval logs (bench/eval/combo19.sh).

Usage: combo19.py LOGDIR [--set matrix] [--base def] [--cands L,LR,...] [--worse 0.10] [--top 3]

LOGDIR holds SET-SEED-BUNDLE.log (make eval's output; BUNDLE `def` = the defaults), every bundle
run on the same kept streams. Per bundle, seed and predictor (those in the logs, e.g. kalman-acc
and linear): mean |mean| / mean RMS over the rows (ms), rows within the targets, the rows whose RMS
is more than --worse worse than the base's, and the --top largest |mean| losses (base → bundle, with
the bundle's se). Then the rule per bundle: both predictors' mean |mean| and mean RMS better or
equal on every seed and no row more than --worse worse (other sets are judged separately).
"""
import argparse
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from combotable import parse_log, summary as means  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("--set", default="matrix")
    ap.add_argument("--base", default="def")
    ap.add_argument("--cands", default="")
    ap.add_argument("--worse", type=float, default=0.10)
    ap.add_argument("--top", type=int, default=3)
    a = ap.parse_args()
    logs = {}
    for p in glob.glob(os.path.join(a.logdir, a.set + "-*-*.log")):
        m = re.match(re.escape(a.set) + r"-(\d+)-(\w+)\.log$", os.path.basename(p))
        if m:
            logs.setdefault(int(m.group(1)), {})[m.group(2)] = parse_log(p)
    seeds = sorted(s for s in logs if a.base in logs[s])
    cands = [c for c in a.cands.split(",") if c] or sorted(
        {c for s in seeds for c in logs[s] if c != a.base})
    preds = list(logs[seeds[0]][a.base])
    print("%s, seeds %s; per cell mean |mean| / mean RMS ms (rows within), ! = worse than %s"
          % (a.set, " ".join(map(str, seeds)), a.base))
    print("| bundle | " + " | ".join("%s %d" % (p, s) for p in preds for s in seeds)
          + " | rows > %d %% worse in RMS | rule |" % round(100 * a.worse))
    print("|---" * (3 + len(preds) * len(seeds)) + "|")
    detail = []
    for c in [a.base] + cands:
        cells, worse, ok = [], [], True
        for p in preds:
            for s in seeds:
                b = logs[s][a.base].get(p, {})
                x = logs[s].get(c, {}).get(p, {})
                x = {r: x[r] for r in b if r in x}
                if len(x) < len(b):
                    cells.append("missing")
                    ok = False
                    continue
                mb, mx = means(b), means(x)
                bad = mx[0] > mb[0] + 5e-4 or mx[1] > mb[1] + 5e-4
                ok = ok and not bad
                cells.append("%.3f / %.3f (%d)%s" % (mx[0], mx[1], mx[2], " !" if bad else ""))
                for r in b:
                    if x[r][0] > (1 + a.worse) * b[r][0]:
                        worse.append("%s %s %d %+.0f%%" % (r, p, s, 100 * (x[r][0] / b[r][0] - 1)))
                        ok = False
                loss = sorted(((abs(x[r][1]) - abs(b[r][1]), r) for r in b), reverse=True)[:a.top]
                detail.append("%s %s %d: " % (c, p, s) + ", ".join(
                    "%s %+.3f → %+.3f (se %.3f)" % (r, b[r][1], x[r][1], x[r][3])
                    for d, r in loss if d > 0))
        print("| %s | %s | %s | %s |" % (c, " | ".join(cells), "; ".join(worse) or "0",
                                         "pass" if ok and c != a.base else ("-" if c == a.base else "fail")))
    print("\nlargest |mean| losses per bundle, predictor and seed (ms, base → bundle):")
    for d in detail:
        if not d.startswith(a.base + " "):
            print("  " + d)


if __name__ == "__main__":
    main()
