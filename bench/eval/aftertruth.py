#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The beats after the reference and the lags at lock against the truth, for one run (a
diagnostic, not part of make check; docs/accuracy-log.md, "The beats after a drifting reference").

usage: git apply bench/eval/afterdbg.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_BMDBG=1 build/bin/ogate-emulate S.npy --timestamps S_timestamps.csv --truth S_truth.csv \\
           --out RUN ... 2> RUN.log
       bench/eval/aftertruth.py RUN S_truth.csv [-v]

Each BD line (a beat after the reference: y frames centred x frames from the reference's middle)
against the true beat centred there (truthlaw.Truth.beat); their mean error (frames, measured
minus true); and the lags at lock's mean (the first BM line's xm, ym) against the true beat at
their mean middle. With -v every beat. Where no beat after was measured (dropped under drift)
there are no BD lines.
"""
import csv, sys
from truthlaw import Truth
d, tp = sys.argv[1], sys.argv[2]
verbose = '-v' in sys.argv[3:]
tr = Truth(tp)
tg = list(csv.DictReader(open(d + '/triggers.csv')))
rf = int(tg[0]['ref_first_frame'])
an = [l for l in open(d + '.log') if l.startswith('AN ')]
w = an[0].split()
a = {w[i]: float(w[i + 1]) for i in range(1, len(w) - 1, 2)}
P, ivl, t0 = a['P'], a['ivl'] * 1e-9, tr.T[rf]
if not ivl > 0:
    ivl = (tr.T[rf + 40] - tr.T[rf]) / 40
errs = []
for l in open(d + '.log'):
    if not l.startswith('BD '):
        continue
    w = l.split()
    b = {w[i]: w[i + 1] for i in range(1, len(w) - 1, 2)}
    x, y = float(b['x']), float(b['y'])
    yt = tr.beat(t0 + (x + P / 2) * ivl, P, ivl)
    errs.append(y - yt)
    if verbose:
        print('x %7.2f y %8.3f true %8.3f err %+.3f fdx %s fdy %s' % (x, y, yt, y - yt, b['fdx'], b['fdy']))
n = len(errs)
print('%s P %.3f: %d beats after, mean error %+.3f frame' % (d.split('/')[-1], P, n, sum(errs) / n if n else 0))
bm = [l for l in open(d + '.log') if l.startswith('BM ')]
if bm:
    w = bm[0].split()
    b = {w[i]: float(w[i + 1]) for i in range(len(w) - 1) if w[i] in ('xm', 'ym')}
    yt = tr.beat(t0 + (b['xm'] + P / 2) * ivl, P, ivl)
    print('   lags at lock: mean middle %+.2f, length %.3f, true %.3f, error %+.3f; the true beat at the middle %.3f'
          % (b['xm'], b['ym'], yt, b['ym'] - yt, tr.beat(t0 + P / 2 * ivl, P, ivl)))
