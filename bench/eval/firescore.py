#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Panic triggers and the two scores of ogate-emulate, over kept runs.

  firescore.py [--latency S] DIR...

Every DIR/run_<predictor>_<row>/triggers.csv (DIR an EVAL_DIR of make eval, or a sweep.py --dir) is
one run. A trigger is short when it was requested less than the latency budget after its frame
(lead_s < S, prediction.latency_s, default 0.015): a "panic" commit sent for its forecast
(trigger.panic_at_latency = 0, or a library before session 13). Prints the short and panic triggers
(reason 2 where triggers.csv has it; row, predictor, index, lead, error where it fires and as
requested), then per predictor and DIR the
mean |mean| and mean RMS over the runs, scored where each trigger fires (max(requested, frame +
S)) and as requested, which make eval's table gives with --score fired and --score requested.
Runs of an emulator before session 13 have neither fire_time_s nor error_requested_s: the fired
error is then the requested one plus the shortfall (the truth's rate taken as constant over it).
"""
import argparse
import csv
import glob
import math
import os
import re


def run_errors(path, lat):
    """(fired errors, requested errors, short triggers as (index, lead, fired, requested)), s"""
    fired, req, short = [], [], []
    for t in csv.DictReader(open(path)):
        if not t.get("error_s"):
            continue
        lead = float(t["lead_s"])
        if t.get("error_requested_s"):  # as ogate-emulate scored it (--score fired: where it fires)
            ef, er = float(t["error_s"]), float(t["error_requested_s"])
        else:
            er = float(t["error_s"])
            ef = er + max(0.0, lat - lead)
        fired.append(ef)
        req.append(er)
        if lead < lat - 1e-9 or t.get("reason") == "2":
            short.append((int(t["trigger"]), lead, ef, er))
    return fired, req, short


def stats(v):
    n = len(v)
    if not n:
        return math.nan, math.nan
    return sum(v) / n, math.sqrt(sum(x * x for x in v) / n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.015, help="prediction.latency_s (s)")
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    print("%-10s %-8s %-30s %5s %8s %9s %9s" % ("dir", "pred", "row", "trig", "lead_ms", "fired_ms", "req_ms"))
    summary = []
    for d in a.dirs:
        per = {}
        for p in sorted(glob.glob(os.path.join(d, "run_*", "triggers.csv"))):
            m = re.match(r"run_([a-z-]+?)_(.*)$", os.path.basename(os.path.dirname(p)))
            if not m:
                continue
            pred, row = m.group(1), m.group(2)
            fired, req, short = run_errors(p, a.latency)
            if not fired:
                continue
            for k, lead, ef, er in short:
                print("%-10s %-8s %-30s %5d %8.2f %+9.2f %+9.2f" % (os.path.basename(d.rstrip("/"))[:10], pred,
                                                                 row[:30], k, lead * 1e3, ef * 1e3, er * 1e3))
            s = per.setdefault(pred, [0, 0, 0.0, 0.0, 0.0, 0.0, 0])
            mf, rf = stats(fired)
            mr, rr = stats(req)
            s[0] += 1
            s[1] += len(fired)
            s[2] += abs(mf)
            s[3] += rf
            s[4] += abs(mr)
            s[5] += rr
            s[6] += len(short)
        for pred, s in sorted(per.items()):
            summary.append((d, pred, s))
    print()
    print("%-34s %-8s %5s %6s %6s  %-15s %-15s" % ("dir", "pred", "runs", "trig", "panic", "fired |m|/RMS",
                                                   "requested (ms)"))
    for d, pred, s in summary:
        n = s[0]
        print("%-34s %-8s %5d %6d %6d  %.3f / %.3f    %.3f / %.3f" % (d[-34:], pred, n, s[1], s[6], s[2] / n * 1e3,
                                                                     s[3] / n * 1e3, s[4] / n * 1e3, s[5] / n * 1e3))


if __name__ == "__main__":
    main()
