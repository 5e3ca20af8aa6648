#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""How far back the Kalman filter's level reaches, and the bias its reach hands it, against the
line's (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev bench/eval/eval.sh; bench/eval/levelreach.py /tmp/ev [rows-regex]

Both predictors are linear in the measured phases once their gains are fixed: at a decision frame
the filter's level is sum_j h_j z_j and its rate sum_j r_j z_j over every frame it has used, the
line's likewise over its window. The filter is replayed as kalmanlab.py replays it (every noise
scale 1, started from the reference's rate), its gains recorded, and the weights h_j, r_j of each
decision are read back through them (the state's recursion run backwards); the line's are
those of the unweighted least-squares line through kalmanlab.py's window. Each frame's matching
error is its unwrapped phase less the true phase, carried into the coordinates in which the target
is the one the library aims at (the truth at the target's frames, as ogate-emulate --truth scores);
through (h_j + wait x r_j) it gives the part of each trigger's error (- error / rate, + = late)
that the matching hands that predictor. Per row (ms unless said), over the first reference's
decisions from 2 periods on:
  K90, Kage  the age (beats) within which 90 % of sum |h_j| lies, and the mean age of |h_j|
             (frames)
  Lage       the same mean age for the line (frames)
  K pred/act the filter's trigger mean from the matching errors through its weights / the replay's
             own mean against truth (their difference: the rest, lag behind the modulation)
  L pred/act the same for the line
  K old      the part of K pred from frames more than half a beat old
  beat, tgt  the matching error as a trigger error, averaged over the last beat's frames alike /
             over the frames of that beat within half a frame of the target's phase
  lambda     the filter's tracking index at the end, kappa sqrt(frame interval) / its matching
             noise (frames): the ratio of the rate's random walk in a frame to the phase noise
and over the rows mean |.|, the standard deviation of the row means, the correlation of pred
with act, and Kage x sqrt(lambda) (the level's memory is lambda^(-1/2) frames).
"""
import json, math, os, re, sys

import evalrun
import kalmanlab as kl


def weights(log, c):
    """the weights of the observations (by time) in c . state at the last logged step"""
    h = {}
    r0, r1 = c
    for ent in reversed(log):
        if ent[0] == "start":
            for tt in ent[1]:
                h[tt] = h.get(tt, 0.0) + r0 / len(ent[1])
            break
        _, t, dt, g0, g1 = ent
        if g0 or g1:
            h[t] = h.get(t, 0.0) + r0 * g0 + r1 * g1
        # r . (I - g e0^T) F: first (r0 - r.g) at the phase, then F's transpose
        a0 = r0 - (r0 * g0 + r1 * g1)
        r0, r1 = a0, a0 * dt + r1
    return h


def main():
    d = sys.argv[1]
    rx = re.compile(sys.argv[2] if len(sys.argv) > 2 else ".")
    rows = []
    print(f"{'stream':34s} {'K90':>5s} {'Kage':>6s} {'Lage':>6s} {'K pred':>7s} {'K act':>7s} {'L pred':>7s} {'L act':>7s} {'K old':>7s} {'beat':>7s} {'lambda':>6s} {'tgt':>7s}")
    for name, psi, tt, trig, fr in evalrun.runs(d, "kalman"):
        if not rx.search(name):
            continue
        try:
            S = json.load(open(f"{d}/run_kalman_{name}/summary.json"))
            par = json.load(open(os.path.realpath(f"{d}/{name}_truth.csv")[:-len("_truth.csv")] + "_params.json"))
        except (OSError, ValueError):
            continue
        if "reference" not in S:
            continue
        psi_l, rate_l = kl.law(par)
        first, P = int(trig[0]["ref_first_frame"]), float(trig[0]["ref_period_frames"])
        trig = [t for t in trig if t["error_s"] and int(t["ref_first_frame"]) == first]
        dec = {int(t["decided_at_frame"]): t for t in trig}
        ts = [float(r["t_s"]) for r in fr]
        ivl = sorted(b - a for a, b in zip(ts, ts[1:]))[len(ts) // 2]
        bar = S["reference"]["barrier"]
        nmin = max(3, kl.fit_min_frames(1.6 + 0.015 / ivl))
        unw = lambda j: None if fr[j]["unwrapped_rad"] in ("", "nan") else float(fr[j]["unwrapped_rad"])
        f = kl.Kalman(2 * math.pi / (P * ivl), 0.015)
        f.log = []
        frame_at = {}
        k90, kage, lage, kp, ka, lp, la, bt, old, at = [], [], [], [], [], [], [], [], [], []
        for k in range(len(fr)):
            z = unw(k)
            if z is None or fr[k]["state"] != "locked":
                continue
            frame_at[ts[k]] = k
            f.observe(ts[k], z)
            if k not in dec or k < first + 2 * P:
                continue
            s = f.state()
            t = dec[k]
            if s is None:
                continue
            tgt = float(t["target_phase_rad"])
            x = first + float(t["target_u"])
            i = int(math.floor(x))
            tgt_true = psi_l(tt[i]) + (x - i) * (psi_l(tt[i + 1]) - psi_l(tt[i]))
            score = lambda tp: (tp - kl.crossing(psi_l, rate_l, tgt_true, tp)) * 1e3
            # each frame's matching error in the unwrapped phase, against the truth carried into
            # the coordinates in which the target is tgt (trigger + = late: -error / rate)
            c = tgt - tgt_true
            err = lambda j: (unw(j) - psi[j] - c + math.pi) % (2 * math.pi) - math.pi
            # the filter's weights on the level and the rate at this decision
            w = kl.wait(s[0], s[1], tgt)
            h0 = weights(f.log, (1.0, 0.0))
            h1 = weights(f.log, (0.0, 1.0))
            tot = sum(abs(v) for v in h0.values())
            ages = sorted(((ts[k] - tq) / (2 * math.pi / s[1]), abs(v)) for tq, v in h0.items())
            acc, a90 = 0.0, 0.0
            for a, v in ages:
                acc += v
                if acc >= 0.9 * tot:
                    a90 = a
                    break
            k90.append(a90)
            kage.append(sum(abs(v) * (ts[k] - tq) for tq, v in h0.items()) / tot / ivl)
            kp.append(-1e3 / s[1] * sum((h0.get(tq, 0.0) + w * h1.get(tq, 0.0)) * err(frame_at[tq])
                                        for tq in set(h0) | set(h1)))
            ka.append(score(ts[k] + w))
            # the same error over the last whole beat, every frame alike, and the filter's
            # share from frames older than half a beat
            back = [j for j in range(k - int(round(P)) + 1, k + 1) if unw(j) is not None]
            near = [j for j in back if abs((unw(j) - tgt + math.pi) % (2 * math.pi) - math.pi) < math.pi / P]
            if near:
                at.append(-1e3 / s[1] * sum(err(j) for j in near) / len(near))
            bt.append(-1e3 / s[1] * sum(err(j) for j in back) / len(back))
            old.append(-1e3 / s[1] * sum((h0.get(tq, 0.0) + w * h1.get(tq, 0.0)) * err(frame_at[tq])
                                         for tq in set(h0) | set(h1) if ts[k] - tq > math.pi / s[1]))
            # the line through kalmanlab.py's window
            ub = z - (float(fr[k]["phase_rad"]) - 2 * math.pi * bar / P) % (2 * math.pi)
            W = kl.line_window(k, ub, unw, nmin)
            n = len(W)
            tm = sum(ts[j] for j in W) / n
            sxx = sum((ts[j] - tm) ** 2 for j in W)
            pm = sum(unw(j) for j in W) / n
            wl = sum((ts[j] - tm) * (unw(j) - pm) for j in W) / sxx
            if not wl > 0:
                continue
            wL = kl.wait(pm + wl * (ts[k] - tm), wl, tgt)
            hl = {j: 1 / n + (ts[j] - tm) * (ts[k] - tm) / sxx + wL * (ts[j] - tm) / sxx for j in W}
            lage.append(sum(abs(1 / n + (ts[j] - tm) * (ts[k] - tm) / sxx) * (ts[k] - ts[j]) for j in W) /
                        sum(abs(1 / n + (ts[j] - tm) * (ts[k] - tm) / sxx) for j in W) / ivl)
            lp.append(-1e3 / wl * sum(v * err(j) for j, v in hl.items()))
            la.append(score(ts[k] + wL))
        if not kp or not lp:
            continue
        m = lambda v: sum(v) / len(v)
        lam = f.kap() * math.sqrt(ivl) / math.sqrt(max(f.sf ** 2, f.rs / f.rn if f.rn else 0))
        r = (m(k90), m(kage), m(lage), m(kp), m(ka), m(lp), m(la), m(old), m(bt), lam, m(at) if at else 0.0)
        rows.append(r)
        print(f"{name:34s} {r[0]:5.2f} {r[1]:6.1f} {r[2]:6.1f} {r[3]:+7.3f} {r[4]:+7.3f} {r[5]:+7.3f} {r[6]:+7.3f}"
              f" {r[7]:+7.3f} {r[8]:+7.3f} {r[9]:6.3f} {r[10]:+7.3f}")
    if len(rows) > 2:
        n = len(rows)

        def corr(a, b):
            xa, xb = [r[a] for r in rows], [r[b] for r in rows]
            ma, mb = sum(xa) / n, sum(xb) / n
            c = sum((p - ma) * (q - mb) for p, q in zip(xa, xb))
            return c / math.sqrt(sum((p - ma) ** 2 for p in xa) * sum((q - mb) ** 2 for q in xb))

        print(f"{'mean |.|':34s}" + "".join(f" {sum(abs(r[i]) for r in rows) / n:{w}.3f}"
                                            for i, w in zip(range(11), (5, 6, 6, 7, 7, 7, 7, 7, 7, 6, 7))))
        sd = lambda i: math.sqrt(sum(r[i] ** 2 for r in rows) / n - (sum(r[i] for r in rows) / n) ** 2)
        print(f"{'sd over rows':34s}" + "".join(f" {sd(i):{w}.3f}" for i, w in zip(range(9), (5, 6, 6, 7, 7, 7, 7, 7, 7))))
        print(f"correlation pred/act over {n} rows: filter {corr(3, 4):.3f}, line {corr(5, 6):.3f}")
        ratio = [r[1] * math.sqrt(r[9]) for r in rows]
        print(f"Kage x sqrt(lambda): mean {sum(ratio) / n:.2f}, range {min(ratio):.2f}..{max(ratio):.2f}")


if __name__ == "__main__":
    main()
