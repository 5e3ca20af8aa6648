#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Per trigger, the phase error's level over the frames before its decision against the target's
map (a diagnostic; docs/accuracy-log.md, "The pin's level on the unseen sweep's rows").

  winlevel.py RUNDIR TRUTH      (a sweep.py / eval.sh run dir with frames.csv and triggers.csv)

e = measured phase - (truth - truth at the reference's first frame), per locked frame, as
targetdecomp.py; map = the target phase less the truth at the target's reference position. A
predictor extrapolating phases that are e off fires (map - e) late: printed with e averaged over
the beat before each decision (window) and over its last 3 frames (last3), against the first
reference's trigger mean; their difference is the predictor's own part. Where e is not flat over
the beat, last3 is the closer one (the phases' level near the target).
"""
import csv, math, sys
d, tp = sys.argv[1], sys.argv[2]
tr = list(csv.DictReader(open(tp))); psi = [float(r['psi_rad']) for r in tr]; tt = [float(r['t_s']) for r in tr]
per = (tt[-1] - tt[0]) / ((psi[-1] - psi[0]) / (2 * math.pi))
wrap = lambda x: (x + math.pi) % (2 * math.pi) - math.pi
fr = {int(r['frame']): r for r in csv.DictReader(open(d + '/frames.csv'))}
tg = list(csv.DictReader(open(d + '/triggers.csv'))); rid = tg[0]['ref_id']; tg = [r for r in tg if r['ref_id'] == rid]
rf = int(tg[0]['ref_first_frame']); tu = float(tg[0]['target_u']); pt = float(tg[0]['target_phase_rad']); P = float(tg[0]['ref_period_frames'])
p0 = psi[rf]; fi = rf + tu; i0 = int(fi); ptgt = psi[i0] + (fi - i0) * (psi[i0 + 1] - psi[i0]) - p0
mp = wrap(pt - ptgt)
ms = lambda x: x / (2 * math.pi) * per * 1e3
imp, err, last = [], [], []
M = int(round(P))
for t in tg:
    f = int(t['decided_at_frame']); es = []
    for k in range(f - M + 1, f + 1):
        r = fr.get(k)
        if r and r['state'] == 'locked' and r['phase_rad'] != '':
            es.append(wrap(float(r['phase_rad']) - (psi[k] - p0)))
    if not es: continue
    imp.append(ms(mp - sum(es) / len(es))); last.append(ms(mp - sum(es[-3:]) / len(es[-3:]))); err.append(float(t['error_s']) * 1e3)
n = len(err)
print('%-28s map %+.2f  implied(window) %+.2f  implied(last3) %+.2f  trig %+.2f  -> predictor part %+.2f' % (d.split('_', 2)[-1], ms(mp), sum(imp)/n, sum(last)/n, sum(err)/n, sum(err)/n - sum(imp)/n))
