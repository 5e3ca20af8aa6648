#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration table's fill at the reference frames against the target's, and the level it
moves between two runs of one stream (a diagnostic, not part of make check; docs/accuracy-log.md,
"blob512_30fps late: the reference frames' bins fill last at a whole number of frames a beat").

usage: git apply bench/eval/filldbg.patch && make build/bin/ogate-emulate   (diagnostic build)
       OGATE_CALDUMP=RUN.cal build/bin/ogate-emulate S.npy ... --out RUN [--set ...]
       bench/eval/fillshare.py RUN_A [RUN_B]

Each locked frame's line in RUN.cal (caldump.patch's: stamp, ref id, raw position w, the
position table's correction less the pin, ...) is followed by a D line: the target's bins'
weight w_t, their prior share p_t = 1 / (w + 1) (interpolated), the reference frames' mean prior
share p_j, N's model mean N̄ and N(u_t). Prints the raw positions' sub-frame offsets by eighths
(a whole number of frames a beat visits few offsets in a short run), and per third of the run
p_t, p_j and the mean trigger error. With RUN_B (the same stream under sync.calibrate_prior = 2
where RUN_A has 1): B - A per trigger, the correction's change over the 3 frames before each
decision and N̄ (p_j - p_t), the level the prior's -N̄ leaves at the target after the pin (ms).
"""
import csv, sys


def load(run):
    fr, last = {}, None
    for line in open(run + '.cal'):
        p = line.split()
        if p[0] == 'D':
            fr[last]['D'] = [float(x) for x in p[1:]]
        else:
            last = int(p[0])
            fr[last] = dict(w=float(p[2]), cal=float(p[3]), P=float(p[7]), rid=p[1])
    return fr


def near(ts, t):
    import bisect
    i = bisect.bisect_left(ts, t)
    c = [j for j in (i - 1, i) if 0 <= j < len(ts)]
    j = min(c, key=lambda j: abs(ts[j] - t))
    return j if abs(ts[j] - t) < 2e7 else None


A = load(sys.argv[1]); ta = list(csv.DictReader(open(sys.argv[1] + '/triggers.csv')))
B = load(sys.argv[2]) if len(sys.argv) > 2 else None
tb = list(csv.DictReader(open(sys.argv[2] + '/triggers.csv'))) if B else None
ts = sorted(A)
rid = ta[0]['ref_id']
P = A[ts[-1]]['P']
ivl = (ts[-1] - ts[0]) / (len(ts) - 1) / 1e6  # ms a frame
off = [0] * 8
for t in ts:
    if A[t]['rid'] == rid:
        off[int((A[t]['w'] % 1) * 8)] += 1
n = sum(off)
print('%s: offsets by eighths (share %%): %s' % (sys.argv[1], ' '.join('%.0f' % (100 * o / n) for o in off)))
rows = []
for k, x in enumerate(ta):
    if x['ref_id'] != rid:
        continue
    i = near(ts, float(x['decided_at_s']) * 1e9 + 1e9)  # ogate-emulate stamps from 1 s
    if i is None or 'D' not in A[ts[i]]:
        continue
    D = A[ts[i]]['D']
    r = [float(x['decided_at_s']), float(x['error_s']) * 1e3, D[1], D[2], D[3]]
    if B:
        y = tb[k]
        l3 = [q for q in ts[max(0, i - 2): i + 1] if q in B]
        DB = B[ts[i]].get('D', D)
        r += [(float(y['error_s']) - float(x['error_s'])) * 1e3,
              sum(B[q]['cal'] - A[q]['cal'] for q in l3) / len(l3) * ivl,
              DB[3] * (DB[2] - DB[1]) * ivl]
    rows.append(r)
T = rows[-1][0]
hdr = 'part     n  trig_A   p_t   p_j   Nbar' + ('   B-A  dcal3  Nbar(pj-pt)' if B else '')
print(hdr)
for a, b, name in ((0, T / 3, 'first'), (T / 3, 2 * T / 3, 'second'), (2 * T / 3, T + 1, 'third'), (0, T + 1, 'all')):
    s = [r for r in rows if a <= r[0] < b]
    if not s:
        continue
    m = [sum(r[j] for r in s) / len(s) for j in range(1, len(s[0]))]
    print('%-6s %3d %+7.3f %5.3f %5.3f %6.4f' % ((name, len(s)) + tuple(m[:4])) +
          (' %+6.3f %+6.3f %+6.3f' % tuple(m[4:]) if B else ''))
