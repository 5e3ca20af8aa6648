#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Decompose a targetsweep.py run's trigger bias by target: the per-frame phase error against truth.

  targetdecomp.py DIR ROW [--pred kalman] [--k 8] [--bins 16]

For every run of ROW in DIR (run_<pred>_<ROW>_t<j>): e = measured phase - (truth - truth at the
reference's first frame), per locked frame, in rad, wrapped (runs with one reference: a refresh
moves the origin); printed in ms (e / the mean true rate) as its mean per truth-phase bin, its mean
over the run (e_mean), its bin at the target (e_tgt), and map = the target phase less the truth at
the target's reference position (the emulator's truth: psi(ref_first + target_u) - psi(ref_first)),
which is what e must be at the target for a trigger on time. A frame-phase error e that is flat
over the beat moves the trigger by map - e_mean (+ = late): that column against trig_mean (the
first reference's triggers) shows how much of the bias is the phases' level and how much the
predictor's. docs/accuracy-log.md, "The bias that moves with the target phase".
"""
import argparse
import csv
import math
import os


def col(path, names):
    with open(path) as f:
        rd = csv.DictReader(f)
        return [[r[n] for n in names] for r in rd]


def wrap(x):
    return (x + math.pi) % (2 * math.pi) - math.pi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("row")
    ap.add_argument("--pred", default="kalman")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--bins", type=int, default=16)
    a = ap.parse_args()
    tr = col(os.path.join(a.dir, a.row + "_truth.csv"), ["t_s", "psi_rad"])
    psi = [float(r[1]) for r in tr]
    tt = [float(r[0]) for r in tr]
    per = (tt[-1] - tt[0]) / ((psi[-1] - psi[0]) / (2 * math.pi))
    print("%s %s: mean true period %.2f ms; e per truth-phase bin (ms, + = measured phase ahead: trigger early)" %
          (a.row, a.pred, per * 1e3))
    print("tgt  " + " ".join("%5d" % b for b in range(a.bins)) + "   e_mean  e_tgt  map  map-e_mean  trig_mean")
    for j in range(a.k):
        d = os.path.join(a.dir, "run_%s_%s_t%d" % (a.pred, a.row, j))
        try:
            tg = col(os.path.join(d, "triggers.csv"), ["ref_first_frame", "target_u", "error_s", "ref_id",
                                                    "target_phase_rad"])
            fr = col(os.path.join(d, "frames.csv"), ["frame", "state", "phase_rad"])
        except OSError:
            continue
        if not tg:
            continue
        rf, tu, rid, pt = int(tg[0][0]), float(tg[0][1]), tg[0][3], float(tg[0][4])
        tg = [r for r in tg if r[3] == rid]  # the first reference's triggers only
        tmean = sum(float(r[2]) for r in tg) / len(tg)
        # truth at the reference's first frame = the phase origin (emulator: psi(ref_first + u))
        p0 = psi[rf]
        fi = rf + tu
        i0 = int(math.floor(fi))
        ptgt = psi[i0] + (fi - i0) * (psi[min(i0 + 1, len(psi) - 1)] - psi[i0]) - p0
        sb = [0.0] * a.bins
        nb = [0] * a.bins
        es, n = 0.0, 0
        for fno, st, ph in fr:
            if st != "locked" or ph == "":
                continue
            i = int(fno)
            th = (psi[i] - p0) % (2 * math.pi)
            e = wrap(float(ph) - th)
            b = int(th / (2 * math.pi) * a.bins) % a.bins
            sb[b] += e
            nb[b] += 1
            es += e
            n += 1
        ms = lambda x: x / (2 * math.pi) * per * 1e3
        em = es / max(n, 1)
        bt = int((ptgt % (2 * math.pi)) / (2 * math.pi) * a.bins) % a.bins
        et = sb[bt] / max(nb[bt], 1)
        print("t%d   " % j + " ".join("%+5.2f" % ms(sb[b] / nb[b]) if nb[b] else "    ." for b in range(a.bins)) +
              "   %+5.2f  %+5.2f  %+5.2f  %+5.2f     %+6.2f" % (ms(em), ms(et), ms(wrap(pt - ptgt)),
                                                             ms(wrap(pt - ptgt) - em), tmean * 1e3))


if __name__ == "__main__":
    main()
