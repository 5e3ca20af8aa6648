#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The pin's beat model N (trend k, delta d) against the truth, for one run (a diagnostic, not part
of make check; docs/accuracy-log.md, "The pin's level on the unseen sweep's rows").

usage: git apply bench/eval/pindbg.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_BMDBG=1 build/bin/ogate-emulate S.npy --timestamps S_timestamps.csv --truth S_truth.csv \
           --out RUN ... 2> RUN.log
       bench/eval/pintruth.py RUN S_truth.csv

Reads the first reference's AN lines (update_anchor: k, d, P, the target's position, whether the
reference was moved, cal_ivl_ns: 0 once the beats after it are dropped) and prints the model's
k and d against the true ones (bmtruth.py's: the true beat the reference held from psi, a line
through the true beat lengths over the reference's beat), the trigger bias N's miss predicts at
the target, ivl x (dN(u_t) - mean dN over the reference frames), dN = true - model (+ = late),
for the model at lock (first) and at the end (last), and what the truth's own k and d would
leave (the part outside N's family, a line plus a parabola), against the first reference's
trigger mean; then N's level at the target (N(u_t) - mean N, frames), true and modelled.
It predicts the bias only where the pin takes N whole (beat_map's learnt share near 1: up to
~100 frames a beat).
"""
import csv, math, sys
from truthlaw import Truth
d, tp = sys.argv[1], sys.argv[2]
truth = Truth(tp)
T, S, psi, tof = truth.T, truth.S, truth.psi, truth.tof
tg = list(csv.DictReader(open(d + '/triggers.csv')))
rid = tg[0]['ref_id']
rf = int(tg[0]['ref_first_frame']); tu = float(tg[0]['target_u'])
an = []
for l in open(d + '.log'):
    if l.startswith('AN '):
        w = l.split(); an.append({w[i]: float(w[i+1]) for i in range(1, len(w) - 1, 2)})
# the first reference's lines: until P changes
P0 = an[0]['P']; an1 = [a for a in an if a['P'] == P0]
first = an1[0]; last = an1[-1]
P = last['P']
ivl = first['ivl'] * 1e-9 if first['ivl'] > 0 else (T[rf + 40] - T[rf]) / 40
t0 = T[rf]
def tbeat(tm):
    return truth.beat(tm, P, ivl)
dtrue = (tof(S[rf] + 2*math.pi) - t0) / ivl - P
xs = [P * (i/10 - 0.5) for i in range(11)]
ys = [tbeat(t0 + (x + P/2) * ivl) for x in xs]
xm = sum(xs)/len(xs); ym = sum(ys)/len(ys)
ktrue = sum((x-xm)*(y-ym) for x,y in zip(xs,ys)) / sum((x-xm)**2 for x in xs)
def Nmod(u, k, dd): return dd * u / (P + dd) + k * u * (u - P) / (2 * P)
def Ntrue(u): return u - P * (psi(t0 + u * ivl) - S[rf]) / (2*math.pi)
js = list(range(int(math.floor(P)) + 1))
def nb(k, dd):
    dN = lambda u: Ntrue(u) - Nmod(u, k, dd)
    mb = sum(dN(j) for j in js) / len(js)
    return (dN(tu) - mb) * ivl * 1e3
# true-N bias with model 0 and with the truth's own line+parabola
e = [float(r['error_s'])*1e3 for r in tg if r['ref_id'] == rid]
print('%s P %.3f ivl %.2fms tu %.2f | k %+.4f/%+.4f d %+.4f/%+.4f (model/true) moved %d | Nbias first %+.2f last %+.2f  true-model %+.2f | trig(ref1) %+.2f n %d' % (
    d.split('/')[-1], P, ivl*1e3, tu, last['k'], ktrue, last['d'], dtrue, last['moved'], nb(first['k'], first['d']), nb(last['k'], last['d']), nb(ktrue, dtrue), sum(e)/len(e), len(e)))
mt = sum(Ntrue(j) for j in js) / len(js)
mm = sum(Nmod(j, last['k'], last['d']) for j in js) / len(js)
print('   level at target (N(ut) - mean N, frames): true %+.4f  model %+.4f' % (Ntrue(tu) - mt, Nmod(tu, last['k'], last['d']) - mm))
