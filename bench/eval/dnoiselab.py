#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Split the Kalman filter's trigger error on small slow noisy hearts into the per-frame phase
noise, the filter's response and the phase's own bias (a diagnostic, not part of make check;
docs/accuracy-log.md, "Stream D: the Kalman filter on small slow noisy hearts").

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/dnoiselab.py /tmp/ev [kalman|linear] [rows-regex]

Per row (its first reference), from frames.csv and the stream's truth:
  e sd, mad   each locked frame's matching error against truth (evalrun.frame_errors, frames):
              its standard deviation and the one from its median absolute deviation (x 1.4826);
              kurt its kurtosis (3 for a normal error), ac1 the correlation of consecutive frames'
              errors, rep the share of its variance that repeats every beat at a reference
              position (the covariance of the per-position means of even and odd beats)
  lib         the library's own triggers (mean/RMS, ms)
  K           kalmanlab.py's replay of the filter (every frame's noise scale 1) on the measured
              phases; Ktrue the same filter fed the TRUE phases in the reference's coordinates
              (measured minus its error): the response alone (lag, start), no noise
  k/3, k*3    K with the rate noise from the beats divided / multiplied by 3 (longer / shorter memory)
  lev, rate   K's trigger error split: the phase at the decision frame against the true one
              (-(phi_K - phi_true) / rate) and the rest, the rate's error over the wait
"""
import json, math, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import evalrun  # noqa: E402

# kalmanlab.py's filter, law(), crossing() and wait() (its code before the variants it runs)
argv, sys.argv = sys.argv, [sys.argv[0], "/nonexistent"]
exec(open(os.path.join(here, "kalmanlab.py")).read().split("VARIANTS = {")[0])
sys.argv = argv
d = sys.argv[1]
pred = sys.argv[2] if len(sys.argv) > 2 else "kalman"
rx = re.compile(sys.argv[3] if len(sys.argv) > 3 else ".")
VAR = {"K": ({}, False), "Ktrue": ({}, True), "k/3": ({"kscale": 1 / 3}, False), "k*3": ({"kscale": 3}, False)}
fmt = lambda v: f"{sum(v) / len(v):+6.2f}/{math.sqrt(sum(x * x for x in v) / len(v)):5.2f}" if v else " " * 12
print(f"{'row':26s} {'e sd':>5s} {'mad':>5s} {'kurt':>5s} {'ac1':>5s} {'rep':>5s} {'lib':>12s} "
      + " ".join(f"{k:>12s}" for k in VAR) + f" {'lev':>12s} {'rate':>12s}")
tot = {k: [] for k in ["lib"] + list(VAR)}
for name, psi, tt, trig, fr in evalrun.runs(d, pred):
    trig = [t for t in trig if t.get("error_s")]
    if not rx.search(name) or not trig:
        continue
    par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
    law_psi, law_rate = law(par)
    first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
    trig = [t for t in trig if int(t["ref_first_frame"]) == first]
    pidx = evalrun.ref_phase(psi, tt, first, P)
    UE = {k: (u, e) for k, u, e in evalrun.frame_errors(fr, psi, first, P, pidx, with_frame=True)}
    if len(UE) < 10:
        continue
    es = [e for _, e in UE.values()]
    m = sum(es) / len(es)
    v = sum((x - m) ** 2 for x in es) / len(es)
    kurt = sum((x - m) ** 4 for x in es) / len(es) / v / v
    med = sorted(es)[len(es) // 2]
    mad = sorted(abs(x - med) for x in es)[len(es) // 2] * 1.4826
    pr = [(UE[k][1] - m) * (UE[k + 1][1] - m) for k in UE if k + 1 in UE]
    ac1 = sum(pr) / len(pr) / v
    half = ({}, {})
    for k, (u, e) in UE.items():
        half[int((k - first) / P) % 2].setdefault(int(u) % max(1, int(P)), []).append(e)
    bs = [b for b in half[0] if b in half[1]]
    a = [sum(half[0][b]) / len(half[0][b]) for b in bs]
    c = [sum(half[1][b]) / len(half[1][b]) for b in bs]
    rep = sum((x - sum(a) / len(a)) * (y - sum(c) / len(c)) for x, y in zip(a, c)) / len(a) / v
    ts = [float(r["t_s"]) for r in fr]
    ivl = sorted(b - a for a, b in zip(ts, ts[1:]))[len(ts) // 2]
    dec = {int(t["decided_at_frame"]): t for t in trig}
    unw = lambda j: None if fr[j]["unwrapped_rad"] in ("", "nan") else float(fr[j]["unwrapped_rad"])
    filt = {k: Kalman(2 * math.pi / (P * ivl), 0.015, **o) for k, (o, _) in VAR.items()}
    res = {k: [] for k in tot}
    lev, rat = [], []
    for k in range(len(fr)):
        z = unw(k)
        if z is None or fr[k]["state"] != "locked":
            continue
        e = UE[k][1] if k in UE else None
        for nv, f in filt.items():
            if not VAR[nv][1]:
                f.observe(ts[k], z)
            elif e is not None:
                f.observe(ts[k], z - e * 2 * math.pi / P)
        if k not in dec or e is None:
            continue
        t = dec[k]
        tgt = float(t["target_phase_rad"])
        x = first + float(t["target_u"])
        i = int(math.floor(x))
        tgt_true = psi[i] + (x - i) * (psi[i + 1] - psi[i])
        score = lambda tp: (tp - crossing(law_psi, law_rate, tgt_true, tp)) * 1e3
        s = filt["K"].state()
        if s is None:
            continue
        res["lib"].append(float(t["error_s"]) * 1e3)
        for nv, f in filt.items():
            st = f.state()
            if st:
                res[nv].append(score(ts[k] + wait(st[0], st[1], tgt)))
        lev.append(-(s[0] - (z - e * 2 * math.pi / P)) / s[1] * 1e3)
        rat.append(res["K"][-1] - lev[-1])
    if not res["K"]:
        continue
    for key in tot:
        if res[key]:
            tot[key].append((abs(sum(res[key]) / len(res[key])), math.sqrt(sum(x * x for x in res[key]) / len(res[key]))))
    print(f"{name:26s} {math.sqrt(v):5.3f} {mad:5.3f} {kurt:5.1f} {ac1:+5.2f} {rep:+5.2f} {fmt(res['lib'])} "
          + " ".join(fmt(res[k]) for k in VAR) + f" {fmt(lev)} {fmt(rat)}")
print(f"{'mean |mean| / mean RMS':56s} " + " ".join(
    f"{sum(a for a, _ in v) / len(v):6.3f}/{sum(b for _, b in v) / len(v):5.3f}" if v else " " * 12 for v in tot.values()))
