#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The live frames' sub-frame error by true phase, per fit (a diagnostic, not part of make check).

docs/accuracy-log.md, "The live frames' sub-frame fit". usage: build with bench/eval/livedump.patch,
run ogate-emulate on a kept stream with OGATE_LIVEDUMP=DUMP, then
    bench/eval/livefit.py RUNDIR TRUTH.csv DUMP [NB]
For every frame after two periods of the first reference, each fit's offset from b (vfit_sad: the
V fit through the SADs at b-1..b+1, as main; quart_sad: the quartic through the five SADs;
para_ssd: the parabola through three SSDs; quart_ssd: the quartic through five SSDs, ogate_quartic_offset;
vfit_ssd, lsq5_ssd: the V fit on SSDs, the least-squares parabola through five) is mapped to a
reference position as main does and scored against the truth (frames, + = late), binned by the
frame's true phase in NB bins (default 8): mean = the mean over the bins (an error common to every
phase), sys = the RMS of the bins' means about it, rms = all frames. Then by the fraction of the
MEASURED position in bins of 1/8 centred on 0, 1/8, ..: L, the bin at 0, is the error of frames
measured at a reference frame, the level the calibration's pin leaves (its mean at the reference
frames pinned to 0); then by the TRUE fraction.
"""
import math, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import evalrun, livedump
run, truth, dump = sys.argv[1:4]
NB = int(sys.argv[4]) if len(sys.argv) > 4 else 8
ld = livedump.LiveDump(run, truth)
P = ld.P
vfit2 = evalrun.vfit
def para(a, b, c):
    d = a - 2 * b + c
    return 0.5 * (a - c) / d if d > 0 else 0
quart = evalrun.quartic_offset
def qpara5(s):
    # least-squares parabola through 5
    c1 = (-2*s[0]-s[1]+s[3]+2*s[4])/10
    c2 = (2*s[0]-s[1]-2*s[2]-s[3]+2*s[4])/14
    return -c1/(2*c2) if c2>0 else 0
meth = ['vfit_sad', 'quart_sad', 'para_ssd', 'quart_ssd', 'vfit_ssd','lsq5_ssd']
acc = {m: [[0, 0, 0.0] for _ in range(NB)] for m in meth}
fb = {m: [[0, 0.0] for _ in range(8)] for m in meth}
ft = {m: [[0, 0.0] for _ in range(8)] for m in meth}
n = 0
for f in ld.frames(dump):
    PP, S, T = f.P, f.S, f.T
    xs = {'vfit_sad': vfit2(S[1], S[2], S[3]), 'quart_sad': quart(S), 'para_ssd': para(T[1], T[2], T[3]),
          'quart_ssd': quart(T), 'vfit_ssd': vfit2(T[1],T[2],T[3]), 'lsq5_ssd': qpara5(T)}
    ut = None
    for m in meth:
        x = xs[m]
        if x is None: x = xs['vfit_sad']
        u, e = ld.error(f, x)
        if ut is None: ut = (u - e) % PP
        bb = int(ut / PP * NB) % NB
        a = acc[m][bb]; a[0] += 1; a[1] += e; a[2] += e * e
        q = fb[m][int(((u + 1/16) % 1) * 8) % 8]; q[0] += 1; q[1] += e
        q = ft[m][int(((u - e + 1/16) % 1) * 8) % 8]; q[0] += 1; q[1] += e
    n += 1
print(f"{run.split('/')[-1]}: {n} frames, P {P:.2f}; error (frames, + = late) by true phase bin; mean over bins (uniform), RMS of bin means about it")
for m in meth:
    means = [a[1] / a[0] if a[0] else float('nan') for a in acc[m]]
    ok = [x for x in means if x == x]
    mu = sum(ok) / len(ok)
    sysv = math.sqrt(sum((x - mu) ** 2 for x in ok) / len(ok))
    tot = sum(a[0] for a in acc[m]); rms = math.sqrt(sum(a[2] for a in acc[m]) / tot)
    print(f"  {m:10s} mean {mu:+.4f} sys {sysv:.4f} rms {rms:.4f} | " + ' '.join(f"{x:+.3f}" for x in means))
print("  by MEASURED fraction (bins of 1/8 centred on 0, 1/8, ..): L = the bin at 0 (what the pin leaves); then by TRUE fraction")
for m in meth:
    mm = [q[1]/q[0] if q[0] else float('nan') for q in fb[m]]
    tm = [q[1]/q[0] if q[0] else float('nan') for q in ft[m]]
    print(f"  {m:10s} L {mm[0]:+.4f} | " + ' '.join(f"{x:+.3f}" for x in mm) + ' || ' + ' '.join(f"{x:+.3f}" for x in tm))
