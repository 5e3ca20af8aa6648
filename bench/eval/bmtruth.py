#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration's beat model N (trend k, delta d) against the truth, for one run (a diagnostic,
not part of make check; docs/accuracy-log.md, "The beat model's trend against a prior").

usage: git apply bench/eval/bmdbg.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_BMDBG=1 build/bin/ogate-emulate S.npy --timestamps S_timestamps.csv --truth S_truth.csv \
           --out RUN ... 2> RUN.log
       bench/eval/bmtruth.py RUN S_truth.csv

Prints the model's k and d against the true ones (the true beat the reference held, from psi, in
its frame intervals; the true trend a line through the true beat lengths over the reference's
beat), the lags at lock and each beat after the reference against the true beat length there,
N(u) true and modelled over the beat (true N(u) = u - P (psi(t0 + u ivl) - psi0) / 2 pi), and the
trigger bias N's miss predicts at the run's target: ivl x (dN(u_t) - mean dN over the reference
frames), dN = true - model (+ = late).
"""
import csv, math, sys
from truthlaw import RefBeat, Truth, n_model
d, tp = sys.argv[1], sys.argv[2]
truth = Truth(tp)
tg = list(csv.DictReader(open(d + '/triggers.csv')))
rf = int(tg[0]['ref_first_frame']); Pref = float(tg[0]['ref_period_frames']); tu = float(tg[0]['target_u'])
lines = [l for l in open(d + '.log') if l.startswith('BM sample')]
def kv(l):
    w = l.split(); o = {}
    i = 2
    while i + 1 < len(w):
        try: o[w[i]] = float(w[i+1]); i += 2
        except ValueError: i += 1
    return o
samp = [kv(l) for l in lines]
if not samp:
    print('no samples'); sys.exit()
last = samp[-1]
P, ivl = last['P'], last['ivl'] * 1e-9
rb = RefBeat(truth, rf, P, ivl)
print('P %.4f  model k %+.4f d %+.4f   true k %+.4f d %+.4f  (Pref %.3f rf %d target_u %.2f)' % (P, last['k'], last['d'], rb.k, rb.d, Pref, rf, tu))
print('lags at lock: n %d xm %+.2f ym %.4f  true T there %.4f' % (last['n'], last['xm'], last['ym'], rb.beat(last['xm'])))
for s_ in samp:
    if 'x' in s_:
        print('  after: x %+.2f y %.4f true %.4f  err %+.4f | k %+.4f d %+.4f' % (s_['x'], s_['y'], rb.beat(s_['x']), s_['y'] - rb.beat(s_['x']), s_['k'], s_['d']))
us = [P * i / 8 for i in range(9)]
print('u     ' + ' '.join('%6.2f' % u for u in us))
print('Ntrue ' + ' '.join('%+6.3f' % rb.n(u) for u in us))
print('Nmod  ' + ' '.join('%+6.3f' % n_model(u, P, last['k'], last['d']) for u in us))
mb = rb.mean(lambda j: rb.dn(j, last['k'], last['d']))
print('N-bias at target: %+.3f ms (dN(ut) %+.4f, mean dN %+.4f frame, ivl %.3f ms)' % (rb.bias_ms(tu, last['k'], last['d']), rb.dn(tu, last['k'], last['d']), mb, ivl * 1e3))
