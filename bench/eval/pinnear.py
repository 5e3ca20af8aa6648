#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The live frames near the target by measured sub-frame offset, and their error against the truth
before and after the calibration (a diagnostic, not part of make check; docs/accuracy-log.md,
"The pin at the live frames' offsets").

usage: git apply bench/eval/caldump.patch; make build/bin/ogate-emulate (as calerr.py)
       OGATE_CALDUMP=RUN.cal build/bin/ogate-emulate S.npy ... --out RUN
       bench/eval/pinnear.py RUN S_truth.csv [RUN2 ...]   (RUNs of one stream share its truth)

For the frames of the first reference (from two periods after it) whose raw position lies within
one frame of the target's, weighted 1 - the distance (as sync_calib.c's pin at those offsets),
prints the share of each measured quarter offset (x = the frame's offset from the reference frame
before it; dumped by the patch) and their weighted mean e_raw and e_cal (frames, + = measured
late = trigger early); then e_cal by quarter, and the same means over every frame.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import calerr  # noqa: E402


def offsets(run):
    out = {}
    for line in open(run + ".cal"):
        v = line.split()
        out[round(int(v[0]) / 1e9 - 1.0, 6)] = float(v[5])
    return out


def main():
    truth = sys.argv[2]
    for run in [sys.argv[1]] + sys.argv[3:]:
        rows, P, tu = calerr.load(run, truth)
        import csv
        tt = [float(r["t_s"]) for r in csv.DictReader(open(truth))]
        off = offsets(run)
        h = [0.0] * 4
        er = [0.0] * 4
        ec = [0.0] * 4
        W = 0
        for k, w, e_raw, e_cal, _, _ in rows:
            d = (w - tu + P / 2) % P - P / 2
            wt = 1 - abs(d)
            if wt <= 0:
                continue
            x = off.get(round(tt[k], 6), math.nan)
            if math.isnan(x):
                continue
            b = int(math.floor(x * 4 + 0.5)) % 4
            h[b] += wt
            er[b] += wt * e_raw
            ec[b] += wt * e_cal
            W += wt
        allr = sum(r[2] for r in rows) / len(rows)
        allc = sum(r[3] for r in rows) / len(rows)
        print(f"{os.path.basename(run)}: P {P:.2f} u_t {tu:.2f} near {W:.0f} | offsets "
              + " ".join(f"{v / W:.2f}" for v in h)
              + f" | near e_raw {sum(er) / W:+.4f} e_cal {sum(ec) / W:+.4f}"
              + " | e_cal by quarter " + " ".join(f"{c / n:+.3f}" if n else "   .  " for c, n in zip(ec, h))
              + f" | all e_raw {allr:+.4f} e_cal {allc:+.4f}")


if __name__ == "__main__":
    main()
