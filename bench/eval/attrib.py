#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""One-factor-removed variants of unseen-sweep rows: which stream factor carries a row's bias.

  attrib.py gen --matrix bench/eval/unseen-104.txt --rows u07,u53,... --out FILE
        write, per row, the row as drawn (_all) and one variant per factor set to neutral:
        _m0 mod_amp 0, _j0 jitter 0, _d0 dy dx 0 (no pixel drift), _n05 noise 0.5 grey levels,
        _r0 ogate-synth --drift 0 (the 3 % linear rate change over the run every sweep row has),
        _t target phase changed (explicit -> automatic, automatic -> 3.14), _c all of m0 j0 d0 n05 r0
        at once (what is left: size, fps, period, model, psi0, target); a variant equal to _all
        is left out. Run it: bench/eval/sweep.py run --matrix FILE --seed S --dir D --jobs 1
        --predictors kalman-acc
  attrib.py table --dir D [--dir D2 ...] [--pred kalman-acc]
        per row and variant the trigger mean (ms) of every DIR (one per synth seed) from the
        summary.json files sweep.py left (partial runs too), then per factor: rows whose bias it
        carries (removing it takes |mean| < 0.3 ms, or below half) and the share of the rows' summed
        |mean| that its removal takes away.
  attrib.py gen --psi0 K ... ; attrib.py law --all D --dir D2
        the rows with psi0 moved by j 2 pi / K (j = 1 .. K - 1): the same factors, the heart's phase
        against the rate law's (every synth stream's modulation starts at phase 0, at every seed);
        law: per row the bias as drawn, at each shift, their mean and spread.

Beware: jitter and pixel noise share ogate-synth's random stream, so _j0 also draws other noise.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep import rows_of  # noqa: E402
from evalrun import variant_means  # noqa: E402

VARS = ("all", "m0", "j0", "d0", "n05", "r0", "t", "c")


def factor_variants(r):
    """row r (16+ columns) with ONE stream factor neutralised, where the row has it (m0 modulation,
    j0 jitter, d0 xy drift, n05 noise to 0.5), and c: all of them and synth's rate drift
    (column 16) to 0 (also realsynth.py's)"""
    v = {}
    if float(r[5]) != 0:
        v["m0"] = r[:5] + ["0.0"] + r[6:]
    if float(r[7]) != 0:
        v["j0"] = r[:7] + ["0.0"] + r[8:]
    if float(r[8]) != 0 or float(r[9]) != 0:
        v["d0"] = r[:8] + ["0.0", "0.0"] + r[10:]
    if float(r[10]) > 0.5:
        v["n05"] = r[:10] + ["0.5"] + r[11:]
    c = list(r)
    c[5], c[7], c[8], c[9], c[10], c[15] = "0.0", "0.0", "0.0", "0.0", min(c[10], "0.5", key=float), "0.0"
    v["c"] = c
    return v


def full_row(r):
    """row r with columns 15-16 always present (target phase, ogate-synth --drift: -1.0 and synth's
    0.03 where absent) and column 17 (--mod-phase) kept where the row has it, as eval.sh and
    sweep.py read them"""
    r = list(r) + (["-1.0"] if len(r) < 15 else [])
    return r[:15] + (r[15:16] or ["0.03"]) + r[16:17]


def variants(r):
    r = full_row(r)
    v = {"all": list(r)}
    v.update(factor_variants(r))
    v["r0"] = r[:15] + ["0.0"] + r[16:]
    v["t"] = r[:14] + (["-1.0"] if float(r[14]) >= 0 else ["3.14"]) + r[15:]
    out = []
    for k in VARS:
        if k in v:
            x = list(v[k])
            x[0] = "%s_%s" % (r[0].split("_")[0], k)
            out.append(x)
    return out


def psi0s(r, k):
    """row r with psi0 moved by j * 2 pi / k, j = 1 .. k - 1 (the heart's phase against the rate law's)"""
    r = full_row(r)
    out = []
    for j in range(1, k):
        x = list(r)
        x[0] = "%s_p%d" % (r[0].split("_")[0], j)
        x[11] = "%.2f" % ((float(r[11]) + 2 * math.pi * j / k) % (2 * math.pi))
        out.append(x)
    return out


def gen(a):
    want = a.rows.split(",")
    have = {r[0].split("_")[0]: r for r in rows_of(a.matrix)}
    rows = [have[w] for w in want if w in have]
    with open(a.out, "w") as f:
        if a.psi0:
            f.write("# bench/eval/attrib.py gen --psi0 %d --matrix %s --rows %s: each row with psi0 moved\n"
                    "# by j 2 pi / %d (_pj): the same stream factors, the heart's phase moved against the rate\n"
                    "# law's (the modulation starts at phase 0 at t = 0 in every synth stream, the same at every\n"
                    "# synth seed). The row as drawn is _all in attrib-104.txt. Run as that file (sweep.py run).\n"
                    "# name model size fps period mod_amp mod_period jitter dy dx noise psi0 secs src target "
                    "rate_drift\n" % (a.psi0, a.matrix, a.rows, a.psi0))
        else:
            f.write("# bench/eval/attrib.py gen --matrix %s --rows %s: each row as drawn (_all) and with ONE\n"
                    "# stream factor neutralised (_m0 mod_amp 0, _j0 jitter 0, _d0 dy dx 0, _n05 noise 0.5, _r0\n"
                "# ogate-synth --drift 0, _t target auto <-> 3.14; _c all five at once). Rows: the kalman-acc\n"
                "# MEAN-flagged rows of unseen-104 at synth seeds 104 and 1104 (docs/accuracy-log.md, \"Where the\n"
                "# random hearts' bias comes from\"). Run: bench/eval/sweep.py run --matrix THIS --seed 104\n"
                "# --dir DIR --jobs 1 --predictors kalman-acc; then bench/eval/attrib.py table --dir DIR ...\n"
                "# name model size fps period mod_amp mod_period jitter dy dx noise psi0 secs src target rate_drift\n"
                % (a.matrix, a.rows))
        for r in rows:
            f.write("# %s\n" % r[0])
            for v in (psi0s(r, a.psi0) if a.psi0 else variants(r)):
                f.write(" ".join(v) + "\n")


def load(d, pred):
    return variant_means(d, pred, lambda v: v in VARS or v[0] == "p" and v[1:].isdigit())


def table(a):
    runs = [load(d, a.pred) for d in a.dir]
    rows = sorted(set().union(*[set(r) for r in runs]))
    print("trigger mean ms per synth seed (dirs: %s), '.' = variant equals _all; se in () for _all" %
          ", ".join(a.dir))
    print("%-5s " % "row" + " ".join("%-*s" % (12 * len(runs) - 1, v) for v in VARS))
    for row in rows:
        cells = []
        for v in VARS:
            c = []
            for r in runs:
                x = r.get(row, {}).get(v)
                if x is None:
                    c.append("    .   " if "c" in r.get(row, {}) else "    ?   ")  # c: the row's last
                elif v == "all":
                    c.append("%+5.2f(%3.2f)" % (x[0], x[1]))
                else:
                    c.append("%+5.2f" % x[0])
            cells.append(" ".join("%-11s" % s for s in c))
        print("%-5s " % row + " ".join(cells))
    # per factor: rows it carries and share of summed |mean| removed (rows where both exist, mean over seeds)
    print("\nper factor (over rows and seeds where both _all and the variant ran; /sweep: removed over "
          "%d sweep rows and the seeds, ms of the sweep's mean |bias|):" % a.sweep_rows)
    print("%-4s %5s %8s %8s %8s %6s %7s  %s" % ("var", "n", "sum|all|", "sum|var|", "removed", "share", "/sweep",
                                                 "rows it carries (|var| < 0.3 or < |all|/2, every seed)"))
    for v in VARS[1:]:
        n = 0
        sa = sv = 0.0
        carry = []
        for row in rows:
            ok = True
            got = 0
            for r in runs:
                x = r.get(row, {})
                if "all" in x and v in x:
                    n += 1
                    got += 1
                    sa += abs(x["all"][0])
                    sv += abs(x[v][0])
                    if not (abs(x[v][0]) < 0.3 or abs(x[v][0]) < abs(x["all"][0]) / 2):
                        ok = False
            if got and ok:
                carry.append(row)
        if n:
            print("%-4s %5d %8.2f %8.2f %+8.2f %5.0f%% %7.3f  %s" % (
                v, n, sa, sv, sa - sv, 100 * (sa - sv) / sa, (sa - sv) / (a.sweep_rows * len(runs)),
                " ".join(carry)))


def law(a):
    """per row: the bias as drawn (from --all) and at the psi0 shifts (from --dir), their mean and spread"""
    base = load(a.all, a.pred)
    sh = load(a.dir[0], a.pred)
    rows = [r for r in sorted(sh) if r in base and "all" in base[r]]
    print("trigger mean ms: as drawn (run se), then psi0 moved by j 2 pi / K; mean over all, its se from the spread")
    tot = {"all": 0.0, "avg": 0.0, "n": 0}
    for row in rows:
        v = [base[row]["all"][0]] + [sh[row][k][0] for k in sorted(sh[row]) if k[0] == "p"]
        m = sum(v) / len(v)
        sd = math.sqrt(sum((x - m) ** 2 for x in v) / max(len(v) - 1, 1))
        print("%-5s %+5.2f(%4.2f) | %s | mean %+5.2f se %4.2f  sd %4.2f  mean|.| %4.2f" % (
            row, v[0], base[row]["all"][1], " ".join("%+5.2f" % x for x in v[1:]), m, sd / math.sqrt(len(v)),
            sd, sum(abs(x) for x in v) / len(v)))
        tot["all"] += abs(v[0])
        tot["avg"] += abs(m)
        tot["n"] += 1
    if tot["n"]:
        print("rows %d: mean |bias| as drawn %.3f ms; mean |bias averaged over psi0| %.3f ms" % (
            tot["n"], tot["all"] / tot["n"], tot["avg"] / tot["n"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("gen")
    g.add_argument("--matrix", required=True)
    g.add_argument("--rows", required=True, help="comma-separated row prefixes (u07,u53,...)")
    g.add_argument("--out", required=True)
    g.add_argument("--psi0", type=int, default=0, help="K: write K - 1 rows a row with psi0 moved by "
                   "j 2 pi / K instead of the factor variants (the row as drawn is _all of the other file)")
    t = sp.add_parser("table")
    t.add_argument("--dir", action="append", required=True, help="a sweep.py run --dir (one per seed)")
    t.add_argument("--pred", default="kalman-acc")
    t.add_argument("--sweep-rows", type=int, default=72, help="rows of the sweep the rows came from")
    w = sp.add_parser("law")
    w.add_argument("--all", required=True, help="the sweep.py run --dir of attrib-104.txt (its _all rows)")
    w.add_argument("--dir", action="append", required=True, help="the run --dir of attrib-psi0-104.txt")
    w.add_argument("--pred", default="kalman-acc")
    a = ap.parse_args()
    {"gen": gen, "table": table, "law": law}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
