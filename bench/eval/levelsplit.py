#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A long run's trigger bias split into the calibrated phase's level and the pin's parts, over time
(a diagnostic, not part of make check; docs/accuracy-log.md, "A slow heart's long-run bias").

usage: git apply bench/eval/linepin.patch; make build/bin/ogate-emulate   (diagnostic build)
       OGATE_CALDUMP=RUN.cal build/bin/ogate-emulate S.npy --timestamps S_timestamps.csv \\
           --truth S_truth.csv --out RUN ...
       bench/eval/levelsplit.py RUN S_truth.csv [--bins N]

Frames in frames (+ = measured late, which makes a trigger early), as calerr.py; the first reference
from two periods after it. Per time bin (N, default 10) and over the run:
  anchor      the pin's level (cal_anchor)
  raw, cal    e_raw and e_cal over every frame, and over the frames truly within 8 frames before the
              target (near; in ms as the trigger it would make, -e_cal x the frame interval)
  trig        the triggers' mean error (ms)
Then the pin's premise over the run: e_raw and e_cal of the frames truly within 1/16 frame of a
reference frame (the pin assumes e_raw 0 there) and of those measured there (where the table is read);
the correction the frames truly there get (e_raw - e_cal; the pin it should have moves the level by
minus this), and, with the patch's two last dump columns, the mean residual of the calibration's samples
whose beat line lies within 1/8 frame of a reference frame less that of those measured there (the
line-conditioned pin's move, OGATE_DIAG_LINEPIN=50 applies it).
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import calerr  # noqa: E402


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("truth")
    ap.add_argument("--bins", type=int, default=10)
    a = ap.parse_args()
    rows, P, tu = calerr.load(a.run, a.truth)
    tt = [float(r["t_s"]) for r in csv.DictReader(open(a.truth))]
    ivl = sorted(tt[k + 1] - tt[k] for k in range(len(tt) - 1))[len(tt) // 2] * 1e3
    dump = [ln.split() for ln in open(a.run + ".cal")]
    trig = [x for x in csv.DictReader(open(a.run + "/triggers.csv")) if x.get("error_s")]
    T = tt[-1]
    print(f"{a.run}: P {P:.3f} target_u {tu:.2f}, frame {ivl:.2f} ms, {len(rows)} frames, {len(trig)} triggers")
    print(f"{'t0_s':>6s} {'anchor':>8s} {'raw':>8s} {'cal':>8s} | {'near raw':>8s} {'cal':>8s} {'(ms)':>7s} | {'trig ms':>7s}")

    def line(label, r, d, tr):
        near = [x for x in r if tu - 8 < x[5] % P <= tu]
        ec = mean([x[3] for x in near])
        print(f"{label:>6s} {mean([float(x[6]) for x in d]):+8.4f} {mean([x[2] for x in r]):+8.4f} "
              f"{mean([x[3] for x in r]):+8.4f} | {mean([x[2] for x in near]):+8.4f} {ec:+8.4f} "
              f"{-ec * ivl:+7.3f} | {mean([float(x['error_s']) * 1e3 for x in tr]):+7.3f}")

    for b in range(a.bins):
        t0, t1 = b * T / a.bins, (b + 1) * T / a.bins
        line(f"{t0:.0f}", [x for x in rows if t0 <= tt[x[0]] < t1],
             [x for x in dump if t0 <= int(x[0]) / 1e9 - 1.0 < t1],
             [x for x in trig if t0 <= float(x["trigger_time_s"]) < t1])
    line("all", rows, dump, trig)
    frac = calerr.frac
    truly = [x for x in rows if min(frac(x[5]), 1 - frac(x[5])) < 0.0625]
    meas = [x for x in rows if min(frac(x[1]), 1 - frac(x[1])) < 0.0625]
    print(f"truly at a reference frame ({len(truly)}): e_raw {mean([x[2] for x in truly]):+.4f} "
          f"e_cal {mean([x[3] for x in truly]):+.4f} correction {mean([x[4] for x in truly]):+.4f}; "
          f"measured there ({len(meas)}): e_raw {mean([x[2] for x in meas]):+.4f} e_cal {mean([x[3] for x in meas]):+.4f}")
    if len(dump[-1]) >= 11:
        pl, pm = float(dump[-1][9]), float(dump[-1][10])
        print(f"samples' mean residual, beat line at a reference frame {pl:+.4f}, measured there {pm:+.4f}: "
              f"line-conditioned pin moves the anchor by {pl - pm:+.4f}")


if __name__ == "__main__":
    main()
