#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The real-model rows' bias on unseen-105: ogate-synth's source grid or ogate? (issue 9, session 18,
realsynth; a diagnostic.)

  realsynth.py gen --matrix bench/eval/unseen-105.txt --rows u33,u23,... --out FILE
        per row: as drawn (_all), the real model's source beat 10x finer (_f10: --ref-period x 10,
        so a camera frame is a blend of two source frames 1/10 as far apart), one stream factor
        neutralised (_m0 mod_amp 0, _j0 jitter 0, _d0 dy dx 0, _n05 noise 0.5), all of them and
        ogate-synth --drift 0 at once (_c), and _c and each one-factor variant with the finer grid
        (_cf10, _m0f, _j0f, _d0f, _n05f). Unlike attrib.py
        the 17th column (--mod-phase) is kept, so _all is the sweep's row. Run:
        bench/eval/sweep.py run --matrix FILE --seed S --dir D --jobs 1 --predictors kalman-acc
  realsynth.py table --dir D [--dir D2 ...] [--pred kalman-acc]
        per row and variant the trigger mean (ms) in every DIR (one per synth seed), then the mean
        |mean| over the rows per variant.
docs/accuracy-log.md, "The real-model rows of unseen-105".
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep import rows_of  # noqa: E402
from evalrun import variant_means  # noqa: E402
from attrib import factor_variants  # noqa: E402

VARS = ("all", "f10", "m0", "m0f", "j0", "j0f", "d0", "d0f", "n05", "n05f", "c", "cf10")


def variants(r):
    r = list(r)
    while len(r) < 17:
        r.append({14: "-1.0", 15: "0.03", 16: "0.0"}[len(r)])
    fine = "%.4f" % (10 * float(r[13]))
    v = {"all": list(r), "f10": r[:13] + [fine] + r[14:]}
    v.update(factor_variants(r))
    v["cf10"] = v["c"][:13] + [fine] + v["c"][14:]
    for k in ("m0", "j0", "d0", "n05"):
        if k in v:
            v[k + "f"] = v[k][:13] + [fine] + v[k][14:]
    out = []
    for k in VARS:
        x = list(v.get(k, []))
        if x:
            x[0] = "%s_%s" % (r[0].split("_")[0], k)
            out.append(x)
    return out


def gen(a):
    want = a.rows.split(",")
    have = {r[0].split("_")[0]: r for r in rows_of(a.matrix)}
    with open(a.out, "w") as f:
        f.write("# bench/eval/realsynth.py gen --matrix %s --rows %s: each row as drawn (_all), with the\n"
                "# real model's source beat 10x finer (_f10), ONE stream factor neutralised (_m0 _j0 _d0 _n05),\n"
                "# all of them and synth --drift 0 (_c); _cf10, _m0f, _j0f, _d0f, _n05f: the same on the finer grid;\n"
                "# column 17 kept.\n"
                "# docs/accuracy-log.md, \"The real-model rows of unseen-105\". Run: bench/eval/sweep.py run\n"
                "# --matrix THIS --seed 105 --dir DIR --jobs 1 --predictors kalman-acc\n"
                "# name model size fps period mod_amp mod_period jitter dy dx noise psi0 secs src target "
                "drift mod_phase\n" % (a.matrix, a.rows))
        for w in want:
            f.write("# %s\n" % have[w][0])
            for v in variants(have[w]):
                f.write(" ".join(v) + "\n")


def load(d, pred):
    return variant_means(d, pred, lambda v: v in VARS)


def table(a):
    runs = [load(d, a.pred) for d in a.dir]
    rows = sorted(set().union(*[set(r) for r in runs]))
    print("trigger mean ms (RMS) per synth seed (dirs: %s); se in [] for _all; '.' no such variant" %
          ", ".join(a.dir))
    print("%-5s " % "row" + " | ".join("%-*s" % (14 * len(runs) - 1, v) for v in VARS))
    tot = {}
    for row in rows:
        cells = []
        for v in VARS:
            c = []
            for r in runs:
                x = r.get(row, {}).get(v)
                if x is None:
                    c.append(".")
                else:
                    c.append("%+5.2f[%4.2f]" % (x[0], x[1]) if v == "all" else "%+5.2f(%4.2f)" % (x[0], x[2]))
                    tot.setdefault(v, []).append(abs(x[0]))
            cells.append(" ".join("%-13s" % s for s in c))
        print("%-5s " % row + " | ".join(cells))
    print("mean |mean| " + "  ".join("%s %.3f (%d)" % (v, sum(tot[v]) / len(tot[v]), len(tot[v]))
                                     for v in VARS if v in tot))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("gen")
    g.add_argument("--matrix", required=True)
    g.add_argument("--rows", required=True)
    g.add_argument("--out", required=True)
    t = sp.add_parser("table")
    t.add_argument("--dir", action="append", required=True)
    t.add_argument("--pred", default="kalman-acc")
    a = ap.parse_args()
    gen(a) if a.cmd == "gen" else table(a)


if __name__ == "__main__":
    main()
