#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Where the Kalman filter's early forecasts come from (issue 9, kalhybrid; a diagnostic, not part
of make check).

usage: kalattr.py [--nw 29] [--rows REGEX] DIR...
  DIR: an EVAL_DIR of a build with bench/eval/kaltrace.patch, run with OGATE_KALMAN_TRACE=1
  EVAL_PREDICTORS=kalman (and EVAL_STREAMS, so that DIR/<row>_truth.csv leads to _params.json).

The observations each run_kalman_<row>.log traces ("KO t z ns", every call of
ogate_predictor_observe) are replayed through this tree's userspace/lib/predictor*.c (a small
harness built with cc into a temporary directory; on dstartflat.txt it gave the library's rate
at every decision to 6e-7), and at each of the first triggers' decision frames the state
(phase at the newest frame, rate) is scored against the stream's truth plus the run's offset
(the median of observed - true phase after 10 s):
  logged            the observations as traced (the library's own state)
  exact before win  the observations before the last NW used frames replaced by the truth
  exact in win      the last NW used frames (about the line's window) replaced by the truth
  all exact         every observation replaced
Rate in % of the true rate, level in ms (+: the filter's phase ahead, an early trigger). Then
the profile of the matching error (observed - true - offset, ms) of the used frames (noise
scale <= 3) by how many used frames before the decision frame, for triggers 0-1 and 2-15:
the systematic errors by position before the target that a short memory turns into a slope.
"""
import csv, json, math, os, re, statistics, subprocess, sys, tempfile

HARNESS = r"""
#include <stdio.h>
#include "ogate/predictor.h"
int main(void)
{
	struct ogate_predictor *p;
	char c;
	double a, b, d;
	if (ogate_predictor_new(&p, "kalman"))
		return 1;
	while (scanf(" %c", &c) == 1) {
		if (c == 'R' && scanf("%lf %lf", &a, &b) == 2)
			ogate_predictor_expect_rate(p, a, b);
		else if (c == 'O' && scanf("%lf %lf %lf", &a, &b, &d) == 3)
			ogate_predictor_observe(p, a, b, d);
		else if (c == 'Q' && scanf("%lf", &a) == 1) {
			struct ogate_prediction pr;
			if (ogate_predictor_predict(p, NULL, NULL, 0, 0, &pr))
				printf("%.9f nan nan\n", a);
			else
				printf("%.9f %.12f %.12f\n", a, pr.phase_now, pr.rate);
		}
	}
	ogate_predictor_free(p);
	return 0;
}
"""


def build(tmp):
    lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "userspace", "lib")
    src = os.path.join(tmp, "kh.c")
    open(src, "w").write(HARNESS)
    exe = os.path.join(tmp, "kh")
    subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-I" + lib + "/include", "-I" + lib, "-o", exe, src]
                   + [os.path.join(lib, f) for f in ("predictor.c", "predictor_linear.c", "predictor_kalman.c")]
                   + ["-lm"], check=True)
    return exe


def replay(exe, obs, rate0, queries):
    inp, qs = ["R %.12f 0.015" % rate0], set(queries)  # reference.agree_tolerance / 2
    for t, z, ns in obs:
        inp.append("O %.9f %.12f %.6f" % (t, z, ns))
        if round(t, 6) in qs:
            inp.append("Q %.9f" % t)
            qs.discard(round(t, 6))
    env = {k: v for k, v in os.environ.items() if k != "OGATE_KALMAN_TRACE"}
    out = subprocess.run([exe], input="\n".join(inp), capture_output=True, text=True, env=env).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if f[1] != "nan":
            res[round(float(f[0]), 6)] = (float(f[1]), float(f[2]))
    return res


def run_rows(d, rx):
    for f in sorted(os.listdir(d)):
        if f.startswith("run_kalman_") and f.endswith(".log") and rx.search(f[11:-4]):
            yield f[11:-4]


def main(argv):
    nw, rx, dirs = 29, re.compile("."), []
    i = 1
    while i < len(argv):
        if argv[i] == "--nw":
            nw, i = int(argv[i + 1]), i + 2
        elif argv[i] == "--rows":
            rx, i = re.compile(argv[i + 1]), i + 2
        else:
            dirs.append(argv[i])
            i += 1
    if not dirs:
        sys.exit(__doc__)
    tmp = tempfile.mkdtemp()
    exe = build(tmp)
    att, prof = {}, {}
    for d in dirs:
        for name in run_rows(d, rx):
            truth = os.path.join(d, name + "_truth.csv")
            par = json.load(open(os.path.realpath(truth)[:-len("_truth.csv")] + "_params.json"))
            tr = {round(float(r["t_s"]), 6): float(r["psi_rad"]) for r in csv.DictReader(open(truth))}
            obs = []
            for line in open(os.path.join(d, "run_kalman_%s.log" % name)):
                if line.startswith("KO "):
                    f = line.split()
                    obs.append((float(f[1]), float(f[2]), float(f[3])))
            trig = [t for t in csv.DictReader(open(os.path.join(d, "run_kalman_" + name, "triggers.csv")))
                    if t.get("error_s")]
            if not obs or not trig:
                continue
            fps = par["fps"]
            rate0 = 2 * math.pi * fps / float(trig[0]["ref_period_frames"])
            c = statistics.median([z - tr[round(t, 6)] for t, z, _ in obs if t > 10])
            ex = lambda t: tr[round(t, 6)] + c
            rt = lambda t: 2 * math.pi / par["period_s"] * (1 + par["drift"] * t / par["T_run"] + par["mod_amp"] *
                                                           math.sin(2 * math.pi * t / par["mod_period_s"]))
            used = []
            for t, z, ns in obs:
                if ns <= 3 and (not used or t > used[-1][0]):
                    used.append((t, z - tr[round(t, 6)] - c))
            early = [t for t in trig if int(t["trigger"]) <= 3]
            tds = [round(float(t["decided_at_s"]), 6) for t in early]
            base = replay(exe, obs, rate0, tds)
            for k, td in zip((int(t["trigger"]) for t in early), tds):
                past = [u for u in used if u[0] <= td + 1e-9]
                if td not in base or len(past) < nw + 2:
                    continue
                tw = past[-nw][0]
                res = [base[td]]
                for v in ([(t, ex(t) if t < tw else z, ns) for t, z, ns in obs],
                          [(t, ex(t) if t >= tw else z, ns) for t, z, ns in obs],
                          [(t, ex(t), ns) for t, z, ns in obs]):
                    res.append(replay(exe, v, rate0, [td]).get(td, (math.nan, math.nan)))
                row = []
                for ph, ra in res:
                    row += [(ra / rt(td) - 1) * 100, (ph - ex(td)) / rt(td) * 1e3]
                att.setdefault(k, []).append(row)
            for t in trig:
                k = int(t["trigger"])
                if k > 15:
                    break
                td = float(t["decided_at_s"])
                past = [u for u in used if u[0] <= td + 1e-9][-40:]
                for j, u in enumerate(reversed(past)):
                    prof.setdefault((k >= 2, j), []).append(u[1] / rt(u[0]) * 1e3)
    ms = lambda v, j: (sum(x[j] for x in v) / len(v),
                       math.sqrt(sum((x[j] - sum(y[j] for y in v) / len(v)) ** 2 for x in v) / max(1, len(v) - 1) / len(v)))
    print("trigger  runs  rate % / level ms (+ ahead), mean +- se: logged | exact before win | exact in win | all exact")
    for k in sorted(att):
        v = att[k]
        print("%7d %5d  " % (k, len(v)) + " | ".join("%+.3f±%.3f %+.3f±%.3f" % (*ms(v, j), *ms(v, j + 1)) for j in (0, 2, 4, 6)))
    print("\nused frames before the decision frame: matching error (ms, + ahead), mean +- se")
    print("%6s %16s %16s" % ("frames", "triggers 0-1", "triggers 2-15"))
    for j in range(40):
        cols = []
        for g in (False, True):
            v = [[x] for x in prof.get((g, j), [])]
            cols.append("%+.3f±%.3f" % ms(v, 0) if len(v) > 1 else "-")
        print("%6d %16s %16s" % (j, *cols))


if __name__ == "__main__":
    main(sys.argv)
