#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The acceptance rule for candidate default settings, from make eval logs.

Usage: combotable.py LOGDIR [--base def] [--cands q,l,b] [--worse 0.10]

LOGDIR holds one `make eval` log per set, seed and candidate, named SET-SEED-CAND.log (CAND `def`
the defaults; run with the same BIN and EVAL_STREAMS so every candidate sees the same streams).
Prints, per set and seed, candidate and predictor: mean |mean| / mean RMS over the rows (ms) before
→ after, rows within the targets, and the rows whose RMS is more than 10 % worse, each tagged by
kind from its matrix line (bench/eval/SET.txt): R real model, F <= 30 fps, N noise >= 8, S period
>= 1.2 s. Then the rule per candidate: both predictors' means better or equal on every set and
seed, no row > 10 % worse. A set named `dproxy` (the stream D proxy, one row over many seeds) is
pooled: its RMS and mean averaged over the seeds.
"""
import argparse
import collections
import glob
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_log(path):
    """{predictor: {row: (rms, mean, within, se)}} from one make eval log (a predictor's name as
    printed, e.g. kalman-acc; bench/eval/combo19.py reads the same)."""
    out = {}
    pred = None
    for line in open(path):
        m = re.match(r"predictor: (\S+)", line)
        if m:
            pred = m.group(1)
            out[pred] = {}
            continue
        f = line.split()
        if pred and len(f) == 13 and f[-1] in ("yes", "NO"):
            try:
                out[pred][f[0]] = (float(f[4]), float(f[5]), f[-1] == "yes", float(f[6]))
            except ValueError:
                pass
    return out


def kinds(setname):
    """{row: tag string} from the set's matrix file."""
    path = os.path.join(HERE, setname + ".txt")
    if setname == "dproxy" or not os.path.exists(path):
        path = os.path.join(HERE, "matrix.txt")
    tags = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        if len(f) < 13:
            continue
        t = ""
        t += "R" if f[1].startswith("real") else ""
        t += "F" if float(f[3]) <= 30 else ""
        t += "N" if float(f[10]) >= 8 else ""
        t += "S" if float(f[4]) >= 1.2 else ""
        tags[f[0]] = t or "-"
    return tags


def summary(rows):
    n = len(rows)
    if not n:
        return (float("nan"),) * 2 + (0, 0)
    return (sum(abs(r[1]) for r in rows.values()) / n, sum(r[0] for r in rows.values()) / n,
            sum(r[2] for r in rows.values()), n)


def rows_over_seeds(logs, setname, base, cands, worse):
    """Per row of one set over its seeds: the RMS ratio and the mean's shift (ms), per candidate."""
    seeds = sorted(seed for s, seed in logs if s == setname and base in logs[(s, seed)])
    tags = kinds(setname)
    print("%s, seeds %s: per row, candidate / base RMS ratio per seed (* > %d %% worse) and mean ms base → cand"
          % (setname, " ".join(map(str, seeds)), round(100 * worse)))
    for pred in ("kalman", "linear"):
        names = list(logs[(setname, seeds[0])][base][pred])
        for c in cands:
            print("\n%s %s" % (pred, c))
            for r in names:
                ratios, means = [], []
                for seed in seeds:
                    b = logs[(setname, seed)][base][pred].get(r)
                    x = logs[(setname, seed)].get(c, {}).get(pred, {}).get(r)
                    if b and x:
                        ratios.append("%.2f%s" % (x[0] / b[0], "*" if x[0] > (1 + worse) * b[0] else ""))
                        means.append("%+.2f→%+.2f" % (b[1], x[1]))
                print("  %-30s %-4s %s   %s" % (r, tags.get(r, "?"), " ".join(ratios), " ".join(means)))


def compact(logs, base, cands, worse):
    """One line per set and seed: mean |mean| / mean RMS per predictor and candidate; a trailing !
    where a candidate's bias or RMS mean is worse than the base's; the rows > 10 % worse by kind."""
    preds = ("kalman", "linear")
    print("| set seed | " + " | ".join("%s %s" % (p[0].upper(), c) for p in preds for c in [base] + cands)
          + " | rows > %d %% worse (%s; K/L) |" % (round(100 * worse), " / ".join(cands)))
    print("|---" * (2 + len(preds) * (1 + len(cands))) + "|")
    for (s, seed) in sorted(logs, key=lambda k: (k[0] != "matrix", k[0], k[1])):
        bycand = logs[(s, seed)]
        if base not in bycand:
            continue
        tags = kinds(s)
        cells, worse_cells = [], []
        for p in preds:
            b = bycand[base].get(p, {})
            sb = summary(b)
            cells.append("%.3f/%.3f" % sb[:2])
            for c in cands:
                x = bycand.get(c, {}).get(p, {})
                sx = summary({r: x[r] for r in b if r in x})
                bad = sx[0] > sb[0] + 5e-4 or sx[1] > sb[1] + 5e-4
                cells.append("%.3f/%.3f%s" % (sx[0], sx[1], " !" if bad else ""))
        for c in cands:
            names = []
            for p in preds:
                b = bycand[base].get(p, {})
                x = bycand.get(c, {}).get(p, {})
                names += ["%s(%s %s)" % (r.split("@")[0], tags.get(r.split("@")[0], "?"), p[0].upper())
                          for r in b if r in x and x[r][0] > (1 + worse) * b[r][0]]
            worse_cells.append("%s: %s" % (c, ", ".join(names) or "0"))
        print("| %s %s | %s | %s |" % (s, seed or "101-109", " | ".join(cells), "; ".join(worse_cells)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("--base", default="def")
    ap.add_argument("--cands", default="q,l,b")
    ap.add_argument("--worse", type=float, default=0.10)
    ap.add_argument("--compact", action="store_true", help="one line per set and seed")
    ap.add_argument("--rows", metavar="SET", help="per row of SET over its seeds: RMS ratio and mean shift")
    a = ap.parse_args()
    cands = a.cands.split(",")
    logs = collections.defaultdict(dict)	# (set, seed) -> cand -> parsed
    for p in sorted(glob.glob(os.path.join(a.logdir, "*.log"))):
        m = re.match(r"(.+)-(\d+)-(\w+)\.log$", os.path.basename(p))
        if m and re.search(r"^kalman: .*rows within", open(p).read(), re.M):	# finished runs only
            logs[(m.group(1), int(m.group(2)))][m.group(3)] = parse_log(p)
    # pool the dproxy seeds into one set
    pooled = collections.defaultdict(lambda: collections.defaultdict(dict))
    for (s, seed), bycand in list(logs.items()):
        if s != "dproxy" or a.rows:
            continue
        for c, bypred in bycand.items():
            for pred, rows in bypred.items():
                for r, v in rows.items():
                    pooled[c][pred]["%s@%d" % (r, seed)] = v
        del logs[(s, seed)]
    if pooled:
        logs[("dproxy", 0)] = pooled
    if a.rows:
        return rows_over_seeds(logs, a.rows, a.base, cands, a.worse)
    if a.compact:
        return compact(logs, a.base, cands, a.worse)
    verdict = {c: [] for c in cands}
    print("| set seed | cand | pred | base |mean|/RMS | cand |mean|/RMS | within | rows > %d %% worse (RMS) |"
          % round(100 * a.worse))
    print("|---|---|---|---|---|---|---|")
    for (s, seed) in sorted(logs, key=lambda k: (k[0] != "matrix", k[0], k[1])):
        bycand = logs[(s, seed)]
        if a.base not in bycand:
            continue
        tags = kinds(s)
        for c in cands:
            if c not in bycand:
                continue
            for pred in ("kalman", "linear"):
                b = bycand[a.base].get(pred, {})
                x = bycand[c].get(pred, {})
                common = {r: b[r] for r in b if r in x}
                sb, sx = summary(common), summary({r: x[r] for r in common})
                worse = [r for r in common if x[r][0] > (1 + a.worse) * b[r][0]]
                names = ", ".join("%s %s %.3f→%.3f" % (r, tags.get(r.split("@")[0], "?"), b[r][0], x[r][0])
                                  for r in worse)
                ok_m, ok_r = sx[0] <= sb[0] + 5e-4, sx[1] <= sb[1] + 5e-4
                ok_means = ok_m and ok_r
                verdict[c].append((s, seed, pred, ok_means, len(worse)))
                print("| %s %s | %s | %s | %.3f/%.3f | %.3f/%.3f%s | %d→%d of %d | %s |" % (
                    s, seed or "101-109", c, pred, sb[0], sb[1], sx[0], sx[1], "" if ok_means else " (%s worse)" % ("bias" if ok_r else "RMS" if ok_m else "both"),
                    sb[2], sx[2], sx[3], names or "none"))
    print()
    for c in cands:
        v = verdict[c]
        bad_means = ["%s %s %s" % (s, seed or "pool", p) for s, seed, p, ok, _ in v if not ok]
        nworse = sum(w for *_, w in v)
        print("%s: means worse on %d of %d set/seed/predictor (%s); rows > %d %% worse: %d -> %s" % (
            c, len(bad_means), len(v), "; ".join(bad_means) or "none", round(100 * a.worse), nworse,
            "PASSES" if not bad_means and not nworse else "fails"))


if __name__ == "__main__":
    main()
