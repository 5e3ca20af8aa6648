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
import csv, sys
from truthlaw import RefBeat, Truth, n_model
d, tp = sys.argv[1], sys.argv[2]
truth = Truth(tp)
T = truth.T
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
rb = RefBeat(truth, rf, P, ivl)
# true-N bias with model 0 and with the truth's own line+parabola
e = [float(r['error_s'])*1e3 for r in tg if r['ref_id'] == rid]
print('%s P %.3f ivl %.2fms tu %.2f | k %+.4f/%+.4f d %+.4f/%+.4f (model/true) moved %d | Nbias first %+.2f last %+.2f  true-model %+.2f | trig(ref1) %+.2f n %d' % (
    d.split('/')[-1], P, ivl*1e3, tu, last['k'], rb.k, last['d'], rb.d, last['moved'], rb.bias_ms(tu, first['k'], first['d']), rb.bias_ms(tu, last['k'], last['d']), rb.bias_ms(tu, rb.k, rb.d), sum(e)/len(e), len(e)))
mt = rb.mean(rb.n)
mm = rb.mean(lambda j: n_model(j, P, last['k'], last['d']))
print('   level at target (N(ut) - mean N, frames): true %+.4f  model %+.4f' % (rb.n(tu) - mt, n_model(tu, P, last['k'], last['d']) - mm))
