#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Random sweep over issue 9's stream ranges: hearts nobody tuned on (lock, coverage, outliers).

  sweep.py gen --seed S --n N --out FILE      draw N random rows into a matrix file
  sweep.py run --matrix FILE --dir DIR [--seed S] [--bin BIN] [--jobs J] [--fails FILE]
               [--synth "--xy-interp lanczos"]
                                              synth + emulate every row with both predictors at
                                              DEFAULT settings, print one table per predictor,
                                              flag the failures and write the failing rows to FILE
                                              (--synth: more ogate-synth arguments for every row)

The matrix is bench/eval/matrix.txt's format (eval.sh reads it: EVAL_MATRIX=FILE make eval) plus a
15th column, the target phase in rad (< 0 = the automatic target heuristic), passed as
--target-phase. An optional 16th column is ogate-synth's --drift (the linear rate change over the
run; without it, synth's 0.03), an optional 17th its --mod-phase (the rate modulation's phase at
t = 0 in rad; without it, 0: every run starts with the rate rising, so every heart locks at the
same point of its modulation). eval.sh reads columns 15-17 the same way (since session 18; before,
it ignored them: EVAL_OLD_COLS=1), so both tools make and gate the same streams. Text after a #
is a comment.

Ranges drawn (issue 9's unseen streams A-D): size 48-512 px (log-uniform, multiples of 16), period
0.2-3 s (log-uniform), 30-200 fps (log-uniform, raised to >= 6 frames a beat), rate modulation
0-0.12 over 3-25 s, timestamp jitter 0 or 0.1-15 % of a frame interval, no / sub-pixel / pixel
drift (<= 12 px over the run), noise 0-8 grey levels, cartoon (blob) or real model (source beat
25-40 frames), psi0 and the target phase uniform (a third of the rows use the automatic target),
the modulation's phase uniform in [0, 2 pi) (columns 16-17: gen writes the drift, synth's 0.03, and
the phase; the phases come from a second generator, so columns 1-15 of `gen --seed S` are the rows
gen drew before the phase existed, and older files without the columns run as they always did).
Each run lasts >= 25 beats and >= 8 s; a run over BUDGET pixels (frames x size^2) gets a smaller
frame size instead of fewer beats.

Flags per row and predictor: NOLOCK, LATE (lock after > 8 beats), COV (coverage < 98 %), OFF10
(triggers > 10 % of a period off), MEAN (|mean| > 0.3 ms and > 3 standard errors: a 25-beat run's
mean has se ~ RMS / 5, so a smaller one is chance), RMS (RMS in frame intervals > 3x the sweep's
median for that predictor). --reuse reads the summaries a previous run left in DIR (no synth, no
emulate) to reprint the tables and rewrite --fails.
"""
import argparse
import concurrent.futures as cf
import json
import math
import os
import random
import statistics
import subprocess
import sys

BUDGET = 120e6  # pixels per stream (8-bit: bytes), keeps synth + emulate ~10 s per row
COLS = ("name model size fps period mod_amp mod_period jitter dy dx noise psi0 secs src target").split()
NEW_COLS = COLS + ["drift", "mod_phase"]  # what gen writes since the modulation's phase is drawn


def draw(rng, i):
    model = rng.choice(["blob", "real"])
    per = math.exp(rng.uniform(math.log(0.2), math.log(3.0)))
    fps = math.exp(rng.uniform(math.log(30), math.log(200)))
    fps = min(200.0, max(fps, 6.0 / per))
    fps = float(round(fps))
    size = int(round(math.exp(rng.uniform(math.log(48), math.log(512))) / 16) * 16)
    size = max(48, min(512, size))
    secs = max(25 * per, 8.0)
    nfr = fps * secs
    while size > 48 and nfr * size * size > BUDGET:
        size -= 16
    ma = 0.0 if rng.random() < 0.2 else round(rng.uniform(0.005, 0.12), 3)
    mp = round(rng.uniform(3, 25), 1)
    jit = 0.0 if rng.random() < 0.5 else round(rng.uniform(0.001, 0.15) / fps, 5)
    kind = rng.choice(["none", "sub", "pix"])
    if kind == "none":
        dy = dx = 0.0
    elif kind == "sub":
        dy, dx = round(rng.uniform(-1, 1), 2), round(rng.uniform(-1, 1), 2)
    else:
        dy, dx = round(rng.uniform(-12, 12), 1), round(rng.uniform(-12, 12), 1)
    noise = round(rng.uniform(0, 8), 1)
    psi0 = round(rng.uniform(0, 2 * math.pi), 2)
    src = round(rng.uniform(25, 40), 2) if model == "real" else 34.28
    target = -1.0 if rng.random() < 1 / 3 else round(rng.uniform(0, 2 * math.pi), 2)
    name = "u%02d_%s%d_%.2fs_%dfps" % (i, model, size, per, fps)
    return [name, model, size, int(fps), round(per, 3), ma, mp, jit, dy, dx, noise, psi0,
            round(secs, 1), src, target]


def gen(a):
    rng = random.Random(a.seed)
    # its own generator: columns 1-15 stay the draws of gen before this column existed
    prng = random.Random("mod-phase %d" % a.seed)
    with open(a.out, "w") as f:
        f.write("# sweep.py gen --seed %d --n %d: random rows over issue 9's ranges (eval.sh format;\n"
                "# column 15 = target phase rad, -1 = automatic; 16 = ogate-synth --drift, 17 = --mod-phase\n"
                "# rad; `sweep.py run` and eval.sh use 15-17)\n"
                "# %s\n" % (a.seed, a.n, " ".join(NEW_COLS)))
        for i in range(a.n):
            row = draw(rng, i) + [0.03, round(prng.uniform(0, 2 * math.pi), 2)]
            f.write(" ".join(str(x) for x in row) + "\n")


def rows_of(path):
    out = []
    for ln in open(path):
        ln = ln.split("#")[0].split()
        if len(ln) >= 13:
            out.append(ln)
    return out


def summary(out):
    """A run's summary.json, None if it has none."""
    try:
        return json.load(open(os.path.join(out, "summary.json")))
    except (OSError, ValueError):
        return None


def synth_row(r, a, seed):
    """Row r's stream under a.dir (synthesised with a.bin's ogate-synth unless it is there):
    its path without the extension. Also targetsweep.py's."""
    name, model, size, fps, per, ma, mp, jit, dy, dx, noise, psi0, secs = r[:13]
    src = r[13] if len(r) > 13 else "34.282163"
    rate = ["--drift", r[15]] if len(r) > 15 else []  # optional 16th column: ogate-synth --drift
    if len(r) > 16:  # optional 17th: the modulation's phase (absent: synth's 0)
        rate += ["--mod-phase", r[16]]
    n = int(float(fps) * float(secs))
    s = os.path.join(a.dir, name)
    if not os.path.exists(s + "_truth.csv") or not os.path.exists(s + ".npy"):
        subprocess.run([os.path.join(a.bin, "ogate-synth"), "--out", s, "--model", model, "--size", size,
                        "--fps", fps, "--n-frames", str(n), "--period", per, "--mod-amp", ma,
                        "--mod-period", mp, "--ts-jitter", jit, "--xy-drift", dy, dx, "--noise", noise,
                        "--psi0", psi0, "--ref-period", src, "--seed", str(seed)]
                       + rate + getattr(a, "synth", "").split(),
                       check=True, stdout=subprocess.DEVNULL)
    return s


def emulate(a, s, out, p, target):
    """ogate-emulate on stream s into out with predictor p, target phase target (a string; None:
    the automatic target) and a.set; its summary. Also targetsweep.py's."""
    cmd = [os.path.join(a.bin, "ogate-emulate"), s + ".npy", "--timestamps", s + "_timestamps.csv",
           "--truth", s + "_truth.csv", "--out", out, "--predictor", p, "--plots", "none", "--quiet"]
    if target is not None:
        cmd += ["--target-phase", target]
    for kv in a.set:
        cmd += ["--set", kv]
    with open(out + ".log", "w") as lg:
        subprocess.run(cmd, stderr=lg, stdout=subprocess.DEVNULL)
    return summary(out)


def one(r, a):
    name = r[0]
    target = float(r[14]) if len(r) > 14 else -1.0
    res = {}
    if a.reuse:
        for p in a.predictors.split():
            res[p] = summary(os.path.join(a.dir, "run_%s_%s" % (p, name)))
        return r, res
    s = synth_row(r, a, a.seed)
    for p in a.predictors.split():
        out = os.path.join(a.dir, "run_%s_%s" % (p, name))
        res[p] = emulate(a, s, out, p, str(target) if target >= 0 else None)
    if not a.keep:
        try:
            os.remove(s + ".npy")
        except OSError:
            pass
    return r, res


def flags(r, sj, med):
    per, fps = float(r[4]), float(r[3])
    if sj is None:
        return ["FAILED"], {}
    if not sj.get("locked"):
        return ["NOLOCK"], {}
    te, cov = sj["trigger_error"], sj["coverage"]
    v = {"lock_b": sj["lock_time_s"] / per, "trig": sj["counts"]["triggers"], "rms": te["rms_ms"],
         "mean": te["mean_ms"], "worst": te["max_abs_ms"], "cov": 100 * cov["share"],
         "off": te["beyond_10pct_period"], "rmsf": te["rms_ms"] / (1000 / fps),
         "refs": sj["counts"]["references"], "gaps": sj["counts"]["gaps"]}
    f = []
    if v["lock_b"] > 8:
        f.append("LATE")
    if v["cov"] < 98:
        f.append("COV")
    if v["off"] > 0:
        f.append("OFF10")
    n = max(te["n"], 1)
    se = math.sqrt(max(v["rms"] ** 2 - v["mean"] ** 2, 0) / n)
    if abs(v["mean"]) > 0.3 and abs(v["mean"]) > 3 * se:
        f.append("MEAN")
    if med and v["rmsf"] > 3 * med:
        f.append("RMS")
    return f, v


def run(a):
    rows = rows_of(a.matrix)
    os.makedirs(a.dir, exist_ok=True)
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        done = list(ex.map(lambda r: one(r, a), rows))
    failing = set()
    for p in a.predictors.split():
        rf = [flags(r, res[p], 0)[1].get("rmsf") for r, res in done]
        rf = [x for x in rf if x is not None]
        med = statistics.median(rf) if rf else 0
        print("\npredictor: %s (median RMS %.3f frame intervals)" % (p, med))
        print("%-30s %6s %4s %5s %6s %5s %7s %7s %7s %6s %4s %5s %4s  %s" % (
            "stream", "per_s", "fps", "size", "lock_b", "trig", "rms_ms", "mean_ms", "worst", "cov_%",
            ">10%", "rmsf", "refs", "flags"))
        nf = 0
        for r, res in done:
            f, v = flags(r, res[p], med)
            if not v:
                print("%-30s %6s %4s %5s  %s" % (r[0], r[4], r[3], r[2], " ".join(f)))
            else:
                print("%-30s %6.3f %4s %5s %6.1f %5d %7.3f %+7.3f %7.3f %6.1f %4d %5.3f %4d  %s" % (
                    r[0], float(r[4]), r[3], r[2], v["lock_b"], v["trig"], v["rms"], v["mean"], v["worst"],
                    v["cov"], v["off"], v["rmsf"], v["refs"], " ".join(f)))
            if f:
                nf += 1
                failing.add(r[0])
        print("%s: %d of %d rows flagged" % (p, nf, len(done)))
    if a.fails:
        with open(a.fails, "w") as fo:
            fo.write("# rows of %s (seed %d) flagged by sweep.py run; rerun: bench/eval/sweep.py run "
                     "--matrix THIS --seed %d --dir DIR\n# %s\n" % (a.matrix, a.seed, a.seed, " ".join(NEW_COLS)))
            for r, _ in done:
                if r[0] in failing:
                    fo.write(" ".join(r) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)
    g = sp.add_parser("gen")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--n", type=int, default=50)
    g.add_argument("--out", required=True)
    r = sp.add_parser("run")
    r.add_argument("--matrix", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--seed", type=int, default=7, help="ogate-synth's seed")
    r.add_argument("--bin", default="build/bin")
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--predictors", default="linear kalman kalman-acc")
    r.add_argument("--set", action="append", default=[], help="KEY=VALUE setting (repeatable)")
    r.add_argument("--keep", action="store_true", help="keep the .npy stacks")
    r.add_argument("--synth", default="", help="more ogate-synth arguments, e.g. '--xy-interp lanczos'")
    r.add_argument("--fails", help="write the flagged rows here")
    r.add_argument("--reuse", action="store_true", help="only read the summaries already in DIR")
    a = ap.parse_args()
    gen(a) if a.cmd == "gen" else run(a)


if __name__ == "__main__":
    sys.exit(main())
