#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""A run's trigger bias split into the forecast's level and rate parts, for the run's predictor and
the plain line through the same window, and the phases' errors by true sub-frame offset (a
diagnostic, not part of make check; docs/accuracy-log.md, "The late bias at few frames a beat").

usage: OGATE_DIAG_PRED=D.csv ogate-emulate ... --out RUN (a build with bench/eval/lowfpb-diag.patch)
       bench/eval/predsplit.py RUN TRUTH.csv D.csv

Per fired (standard) trigger, at its decision frame, for the run's predictor (pred) and the line:
  tot   the forecast's error (ms, + = late); for pred it is the trigger's error
  lev   the part from the phase at the decision frame: the phase still to travel to the target
        against the truth's, at the true rate (+ = the phase lags)
  rate  tot - lev: the rate's part, over the wait
The truth's phase is mapped to the library's through each trigger's target (its true time, from
error_s), so a frame's error is exact at the target and carries the reference's P error elsewhere.
Then over every frame with a forecast after the first trigger: the mean lag (ms) of the calibrated
phase and of both forecasts' phase_now; the calibrated error (frames, + = ahead) by true position;
the uncalibrated (raw) and calibrated errors by true sub-frame offset (eighths from a reference
frame); and the calibrated level against the raw error of the frames measured within 1/16 frame of
a reference frame (what the pin reads) and of those truly there (its premise).
"""
import bisect
import collections
import csv
import math
import sys

BASE_S = 1.0  # ogate-emulate's timestamp origin (base_ns), which triggers.csv leaves out
NB = 8


def main():
    run, truth, diag = sys.argv[1:4]
    tt, tp = [], []
    for r in csv.DictReader(open(truth)):
        tt.append(float(r['t_s']))
        tp.append(float(r['psi_rad']))

    def psi(t):
        i = max(0, min(bisect.bisect_right(tt, t) - 1, len(tt) - 2))
        return tp[i] + (tp[i + 1] - tp[i]) * (t - tt[i]) / (tt[i + 1] - tt[i])

    D = {}
    for line in open(diag):
        v = [float(x) for x in line.strip().split(',')]
        D[round(v[0] - BASE_S, 6)] = v
    trig = list(csv.DictReader(open(run + '/triggers.csv')))
    rows, maps = [], []
    for r in trig:
        if r['error_s'] == '':
            continue
        err = float(r['error_s'])
        t_true = float(r['fire_time_s']) - err
        tgt = float(r['target_phase_rad'])
        td = float(r['decided_at_s'])
        maps.append((td, tgt - psi(t_true), float(r['ref_period_frames'])))
        d = D.get(round(td, 6))
        if d is None or int(r['reason']) != 1:
            continue
        dpsi = psi(t_true) - psi(td)
        w_true = (psi(t_true) - psi(t_true - 0.001)) / 0.001
        per = 2 * math.pi / w_true
        parts = []
        for ph, rate in ((d[2], d[3]), (d[5], d[6])):
            togo = tgt - ph
            togo -= 2 * math.pi * math.floor(togo / (2 * math.pi))
            lev = (togo - dpsi) / w_true
            lev -= per * round(lev / per)
            tot = td + togo / rate - t_true
            tot -= per * round(tot / per)
            parts.append((tot * 1e3, lev * 1e3, (tot - lev) * 1e3))
        rows.append((td, err * 1e3, parts, d[7]))
    if not rows:
        sys.exit('predsplit: no standard trigger matched a forecast line')
    n = len(rows)

    def m(f):
        return sum(f(r) for r in rows) / n

    print(f"triggers {n}  mean {m(lambda r: r[1]):+.3f} ms  "
          f"pred tot/lev/rate {m(lambda r: r[2][0][0]):+.3f} {m(lambda r: r[2][0][1]):+.3f} "
          f"{m(lambda r: r[2][0][2]):+.3f}  line {m(lambda r: r[2][1][0]):+.3f} "
          f"{m(lambda r: r[2][1][1]):+.3f} {m(lambda r: r[2][1][2]):+.3f}  window {m(lambda r: r[3]):.1f}")

    mt = [x[0] for x in maps]
    lag = {'phase': [], 'pred': [], 'line': []}
    bypos = collections.defaultdict(list)
    byoff = {'raw': collections.defaultdict(list), 'cal': collections.defaultdict(list)}
    g_cal, g_meas, g_true = [], [], []

    def err(ph, tru, P):  # frames, + = ahead
        e = ph - tru
        return (e - 2 * math.pi * round(e / (2 * math.pi))) * P / (2 * math.pi)

    for t, d in sorted(D.items()):
        if t < rows[0][0]:
            continue
        i = min(max(bisect.bisect_left(mt, t), 0), len(maps) - 1)
        c, P = maps[i][1], maps[i][2]
        tru = psi(t) + c
        w = (psi(t + 0.0005) - psi(t - 0.0005)) / 0.001
        for key, ph in (('phase', d[1]), ('pred', d[2]), ('line', d[5])):
            lag[key].append(-err(ph, tru, P) * 2 * math.pi / P / w * 1e3)
        ut = (tru % (2 * math.pi)) * P / (2 * math.pi)
        ur = (d[9] % (2 * math.pi)) * P / (2 * math.pi)
        ec, er = err(d[1], tru, P), err(d[9], tru, P)
        bypos[int(ut)].append(ec)
        ob = int((ut - math.floor(ut)) * NB)
        byoff['cal'][ob].append(ec)
        byoff['raw'][ob].append(er)
        g_cal.append(ec)
        if abs(ur - round(ur)) < 1 / 16 and round(ur) < P - 0.5:
            g_meas.append(er)
        if abs(ut - round(ut)) < 1 / 16 and round(ut) < P - 0.5:
            g_true.append(er)

    def mean(v):
        return sum(v) / max(1, len(v))

    print('mean lag over the frames (ms): ' + '  '.join(f"{k} {mean(v):+.3f}" for k, v in lag.items()))
    print('calibrated error by true position (frames): ' +
          ' '.join(f"{u}:{mean(bypos[u]):+.3f}" for u in sorted(bypos)))
    for key in ('raw', 'cal'):
        allv = sum(byoff[key].values(), [])
        print(f"{key} error (frames, + = ahead) mean {mean(allv):+.4f}, by true offset: " +
              ' '.join(f"{mean(byoff[key][b]):+.3f}" for b in range(NB)))
    print(f"calibrated level {mean(g_cal):+.4f}; raw error measured within 1/16 of a reference frame "
          f"{mean(g_meas):+.4f} ({len(g_meas)}), truly there {mean(g_true):+.4f} ({len(g_true)})")


if __name__ == '__main__':
    main()
