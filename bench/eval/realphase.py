#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Each locked frame's phase against the truth, as a trigger-time error (issue 9, session 18,
realsynth; a diagnostic on sweep.py run directories, no patched build needed).

  realphase.py --dir D --rows u33_all,u33_f10,... [--pred kalman-acc] [--matrix FILE]

Per run (D/run_PRED_ROW/frames.csv, triggers.csv; D/ROW_truth.csv): every locked frame's phase
(frames.csv, the library's calibrated phase) is compared with its true phase relative to the
trigger's target, ψ(ref_first + target_u) (the point emulate scores against): e = wrap(φ − φ_t −
(ψ − ψ_t)), given as the time it would move a trigger, −e T / 2π in ms (negative: the phase runs
ahead, triggers early). Columns: the trigger mean (summary.json); the frames' mean over the whole
run, over the half beat before the target (what the predictor extrapolates from) and within one
frame of the target; the run's first and second half (before-target frames); "label": the
before-target frames' error if matching were perfect and the reference's frames were labelled
evenly, 2 pi u / P with the library's P (u: the reference position whose image the frame shows),
and "uneven" the same with the reference beat's true length (what the rate's change within that
beat leaves; timestamp jitter adds to both); then, when --matrix
gives the row's source period (column 14), the before-target frames' mean by the frame's offset
on ogate-synth's source grid (quarters of a source frame: 2 + src ψ / 2π) — flat if the grid
does not matter. trig − before = the predictor's share (its extrapolation), before = the phase's.
docs/accuracy-log.md, "The real-model rows of unseen-105".
"""
import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep import rows_of  # noqa: E402


def wrap(x):
    return (x + math.pi) % (2 * math.pi) - math.pi


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def one(d, name, pred, src):
    run = os.path.join(d, "run_%s_%s" % (pred, name))
    tr = list(csv.DictReader(open(os.path.join(d, name + "_truth.csv"))))
    psi = [float(r["psi_rad"]) for r in tr]
    ts = [float(r["t_s"]) for r in tr]
    tg = list(csv.DictReader(open(os.path.join(run, "triggers.csv"))))
    sj = json.load(open(os.path.join(run, "summary.json")))
    if not tg:
        return None
    # the reference in force at a frame: the last trigger decided at or before it names it
    refs = sorted({(int(t["decided_at_frame"]), int(t["ref_first_frame"]), float(t["target_u"]),
                    float(t["target_phase_rad"]), float(t["ref_period_frames"])) for t in tg})

    def at(x):
        i = min(int(math.floor(x)), len(psi) - 2)
        return psi[i] + (x - i) * (psi[i + 1] - psi[i])

    rows = []
    first = refs[0][0]
    for f in csv.DictReader(open(os.path.join(run, "frames.csv"))):
        if f["state"] != "locked" or not f["phase_rad"]:
            continue
        i = int(f["frame"])
        if i < first or i + 1 >= len(psi):
            continue
        ref = [r for r in refs if r[0] <= i][-1]
        _, rf, tu, ph_t, P = ref
        psi_t = at(rf + tu)
        e = wrap(float(f["phase_rad"]) - ph_t - (psi[i] - psi_t))
        # the reference position whose image frame i shows, and what uniform labels 2 pi u / P make of it
        goal = psi[rf] + (psi[i] - psi[rf]) % (2 * math.pi)
        lo, hi = float(rf), min(rf + P + 3.0, len(psi) - 1.001)
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if at(mid) < goal else (lo, mid)
        ui = lo - rf
        el = wrap(2 * math.pi * (ui - tu) / P - (psi[i] - psi_t))
        # the same with the reference beat's true length (what is left: the rate's change within it)
        lo, hi = float(rf), min(rf + P + 3.0, len(psi) - 1.001)
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if at(mid) < psi[rf] + 2 * math.pi else (lo, mid)
        Pt = lo - rf
        eu = wrap(2 * math.pi * (ui - tu) / Pt - (psi[i] - psi_t))
        T = 2 * math.pi * (ts[i + 1] - ts[i - 1]) / (psi[i + 1] - psi[i - 1])
        dt = wrap(psi[i] - psi_t)  # true phase from the target
        fpb = T / (ts[i + 1] - ts[i])
        xs = (2 + src * (psi[i] % (2 * math.pi)) / (2 * math.pi)) % 1 if src else None
        rows.append((i, -e * T / (2 * math.pi) * 1e3, dt, 2 * math.pi / fpb, xs, -el * T / (2 * math.pi) * 1e3,
                     -eu * T / (2 * math.pi) * 1e3))
    allv = [r[1] for r in rows]
    bef = [r for r in rows if -math.pi <= r[2] < 0]
    near = [r[1] for r in rows if abs(r[2]) <= r[3]]
    h = len(psi) // 2
    out = {"trig": sj["trigger_error"]["mean_ms"], "all": mean(allv), "before": mean([r[1] for r in bef]),
           "near": mean(near), "b1": mean([r[1] for r in bef if r[0] < h]),
           "b2": mean([r[1] for r in bef if r[0] >= h]), "label": mean([r[5] for r in bef]),
           "uneven": mean([r[6] for r in bef]),
           "lnear": mean([r[5] for r in rows if abs(r[2]) <= r[3]])}
    if src:
        out["xs"] = [mean([r[1] for r in bef if int(r[4] * 4) == k]) for k in range(4)]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--pred", default="kalman-acc")
    ap.add_argument("--matrix")
    a = ap.parse_args()
    src = {r[0]: float(r[13]) for r in rows_of(a.matrix)} if a.matrix else {}
    print("%-10s %7s %7s %7s %7s %7s %7s %7s %7s  %s" % ("run", "trig", "all", "before", "near", "1st", "2nd",
                                                 "label", "uneven",
                                                 "before by source offset 0 1/4 1/2 3/4" if src else ""))
    for name in a.rows.split(","):
        try:
            o = one(a.dir, name, a.pred, src.get(name))
        except OSError:
            o = None
        if o is None:
            print("%-10s (no run)" % name)
            continue
        print("%-10s %+7.2f %+7.2f %+7.2f %+7.2f %+7.2f %+7.2f %+7.2f %+7.2f  %s" % (
            name, o["trig"], o["all"], o["before"], o["near"], o["b1"], o["b2"], o["label"], o["uneven"],
            " ".join("%+6.2f" % x for x in o.get("xs", []))))


if __name__ == "__main__":
    main()
