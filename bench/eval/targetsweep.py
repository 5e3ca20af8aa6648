#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Target-phase matrix: every row at K target phases evenly over the beat, both predictors.

  targetsweep.py --matrix bench/eval/targetphase.txt --dir DIR [--seed S] [--bin BIN] [--k 8]
                 [--jobs J] [--set key=value ...] [--reuse]

The matrix is sweep.py's format, its columns sweep.py's NEW_COLS (column 15, the row's own target,
is ignored; 16 = ogate-synth --drift and 17 = --mod-phase as sweep.py reads them, absent: synth's
0.03 and 0), plus an optional 18th, the row's ogate-synth seed (absent: --seed, default 7). Before
session 18 the seed was column 16, where sweep.py and eval.sh read --drift: such a row is refused.
Each stream is synthesised once and gated at the targets 2 pi j / K, j = 0..K-1. Prints, per
predictor, the trigger mean (ms) per row and target, the row's spread (largest minus smallest mean)
and the mean |mean| / RMS over all cells.
"""
import argparse
import concurrent.futures as cf
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep import NEW_COLS, emulate, rows_of, summary, synth_row  # noqa: E402

COLS = NEW_COLS + ["seed"]  # the 18th, the row's synth seed, is this tool's only


def synth(r, a):
    return synth_row(r, a, r[17] if len(r) > 17 else str(a.seed))


def check(rows):
    """Refuses a row in the old layout (16 columns, the 16th a seed): sweep.py would read it as a
    rate drift of thousands of per cent."""
    for r in rows:
        if len(r) == 16 and r[15].isdigit() and int(r[15]) > 1:
            sys.exit("targetsweep.py: %s: column 16 is ogate-synth --drift (%s), the seed column 18 or "
                     "--seed; columns: %s" % (r[0], r[15], " ".join(COLS)))


def emu(job, a):
    s, name, p, j = job
    tgt = 2 * math.pi * j / a.k
    out = os.path.join(a.dir, "run_%s_%s_t%d" % (p, name, j))
    if a.reuse:
        return summary(out)
    return emulate(a, s, out, p, "%.6f" % tgt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--matrix", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--seed", type=int, default=7, help="ogate-synth's seed for rows without column 18")
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--predictors", default="kalman linear")
    ap.add_argument("--reuse", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rows = rows_of(a.matrix)
    check(rows)
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        streams = list(ex.map(lambda r: synth(r, a), rows))
    jobs = [(s, r[0], p, j) for s, r in zip(streams, rows) for p in a.predictors.split() for j in range(a.k)]
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        res = dict(zip([(n, p, j) for _, n, p, j in jobs], ex.map(lambda jb: emu(jb, a), jobs)))
    for p in a.predictors.split():
        print("## %s: trigger mean ms at target 2 pi j / %d (cov < 98 %% marked *)" % (p, a.k))
        print("%-28s " % "row" + " ".join("%7d" % j for j in range(a.k)) + "  spread  |mean|    rms")
        am, ar, nc = 0.0, 0.0, 0
        for r in rows:
            cells, line = [], "%-28s " % r[0]
            rr = []
            for j in range(a.k):
                sj = res[(r[0], p, j)]
                if not sj or not sj.get("locked"):
                    line += "%7s " % "NOLOCK"
                    continue
                te = sj["trigger_error"]
                cov = sj["coverage"]["share"]
                cells.append(te["mean_ms"])
                rr.append(te["rms_ms"])
                line += "%+6.2f%s " % (te["mean_ms"], "*" if cov < 0.98 else " ")
            if cells:
                m = sum(abs(c) for c in cells) / len(cells)
                rm = sum(rr) / len(rr)
                am += sum(abs(c) for c in cells)
                ar += sum(rr)
                nc += len(cells)
                line += " %6.2f  %6.3f %6.3f" % (max(cells) - min(cells), m, rm)
            print(line)
        if nc:
            print("%-28s mean |mean| %.3f ms, mean RMS %.3f ms over %d runs" % ("all", am / nc, ar / nc, nc))


if __name__ == "__main__":
    main()
