#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The level the calibration's pin sees under each live fit, and the SSD curve's shape (a diagnostic).

docs/accuracy-log.md, "The real rows' later level under the quartic". Same inputs as livefit.py
(a run of a build with bench/eval/livedump.patch, OGATE_LIVEDUMP=DUMP):
    bench/eval/livelevel.py RUNDIR TRUTH.csv DUMP NPIX
NPIX: the pixels the match reads (about the frame's side squared), for sync_match.c's gate
(the one-frame excess e1 = (SSD(b-1) + SSD(b+1)) / 2 - SSD(b) over 20 sqrt(2 / NPIX) SSD(b)).
Part 1, each fit's error (frames, + = late) by the MEASURED position's fraction in bins of 1/4
centred on 0, 1/4, 1/2, 3/4 (the calibration's bins; L = the bin at 0, what its pin assumes is 0)
and over all frames: V = the V fit through the SADs (main), Qg = the quartic through the SSDs
where the gate passes (sync.subframe = quartic), Qu = ungated, Qg3 = gated and the SSD curve's
even part closer to a parabola than to a V (e2 >= 3 e1, e2 = (SSD(b-2) + SSD(b+2)) / 2 - SSD(b):
4 e1 for SSD quadratic in the lag, 2-3 e1 for one linear in it, as where the texture decorrelates
within a frame's motion).
Part 2, gated frames by e2 / e1: count, mean and RMS error of V and Q.
"""
import math, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import evalrun, livedump


vfit = evalrun.vfit
quart = evalrun.quartic_offset


run, truth, dump, npix = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ld = livedump.LiveDump(run, truth)
M = ('V', 'Qg', 'Qu', 'Qg3')
acc = {m: [[0, 0.0] for _ in range(4)] for m in M}
allm = {m: [0, 0.0] for m in M}
edges = [2, 2.5, 3, 3.5, 4.5]
rb = [[] for _ in range(len(edges) + 1)]
for f in ld.frames(dump):
    PP, S, T = f.P, f.S, f.T
    e1 = 0.5 * (T[1] + T[3]) - T[2]; e2 = 0.5 * (T[0] + T[4]) - T[2]
    gate = PP >= 16 and e1 > 20 * math.sqrt(2.0 / npix) * T[2]
    xv = vfit(S[1], S[2], S[3]); xq = quart(T)
    xs = {'V': xv, 'Qu': xv if xq is None else xq, 'Qg': xq if gate and xq is not None else xv,
          'Qg3': xq if gate and xq is not None and e2 >= 3 * e1 else xv}
    for m, x in xs.items():
        u, e = ld.error(f, x)
        b4 = int(((u + 1 / 8) % 1) * 4) % 4
        acc[m][b4][0] += 1; acc[m][b4][1] += e
        allm[m][0] += 1; allm[m][1] += e
    if gate and xq is not None and e1 > 0:
        rb[sum(e2 / e1 > x for x in edges)].append((ld.error(f, xv)[1], ld.error(f, xq)[1]))
print(f"{run.rstrip('/').split('/')[-1]}: error (frames, + = late) by measured fraction 0, 1/4, 1/2, 3/4")
for m in M:
    mm = [q[1] / q[0] if q[0] else float('nan') for q in acc[m]]
    print(f"  {m:4s} L {mm[0]:+.4f} all {allm[m][1] / allm[m][0]:+.4f} | " + ' '.join(f"{x:+.3f}" for x in mm))
print("  gated frames by e2/e1: n, mean V, mean Q, rms V, rms Q")
for lab, bb in zip(['<2', '2-2.5', '2.5-3', '3-3.5', '3.5-4.5', '>4.5'], rb):
    if bb:
        n = len(bb)
        print(f"  {lab:8s} {n:6d} {sum(a for a, _ in bb) / n:+.4f} {sum(b for _, b in bb) / n:+.4f} "
              f"{math.sqrt(sum(a * a for a, _ in bb) / n):.4f} {math.sqrt(sum(b * b for _, b in bb) / n):.4f}")
