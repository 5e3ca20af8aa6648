#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Sub-frame fits over a span scored on a SAD dump against the truth (a diagnostic, not part of make check).

docs/accuracy-log.md, "The matching error of slow hearts filmed fast". usage: build with
bench/eval/saddump.patch, run ogate-emulate on a kept stream with OGATE_SADDUMP=DUMP, then
    bench/eval/spanfit.py RUNDIR TRUTH.csv DUMP NPIX
NPIX = the pixels the match compares (the frame's, or the region's under sync.roi). For every frame of
the first reference from two periods after it was taken, each fit's offset from b is mapped to a
reference position and scored against the truth (frames, + = late): v1 = the V fit through b-1, b,
b+1 (main), par<k> = the vertex of the least-squares parabola through b-k .. b+k, ad<z> = the library's
sync.subframe_span_z = z (par<k> with k the first span whose excess (S[b-k] + S[b+k]) / 2 - S[b]
stands z noise sds clear, sd = sqrt(pi/2 - 1) S[b] / sqrt(NPIX); v1 where k = 1; k <= min(12, P/16)).
Printed: mean, RMS, profile48 (the RMS over 48 bins of the true phase of each bin's mean: the error that
repeats every beat; it holds ~RMS / sqrt(frames / 48) of sampling noise) and the share beyond 3 frames.
"""
import bisect, csv, math, sys
sys.path.insert(0, __import__('os').path.dirname(__file__))
import evalrun
run, truth, dump, npix = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
W = 12
tr = list(csv.DictReader(open(truth)))
psi = [float(r['psi_rad']) for r in tr]; tt = [float(r['t_s']) for r in tr]
trig = list(csv.DictReader(open(run + '/triggers.csv')))
fr = list(csv.DictReader(open(run + '/frames.csv')))
first, P, tu, pidx = evalrun.first_reference(trig, psi, tt)
ref1 = trig[0]['ref_id']
lastk = max(int(t['decided_at_frame']) for t in trig if t['ref_id'] == ref1)
t2k = {round(float(r['t_s']), 6): int(r['frame']) for r in fr}
ts = sorted(t2k)
base = pidx(0)


def err_of(u, k):
    dph = ((psi[k] - base) % (2 * math.pi) - (pidx(u) - base) + math.pi) % (2 * math.pi) - math.pi
    return -dph / ((psi[k + 1] - psi[k - 1]) / 2)


rows = []
for line in open(dump):
    v = line.split()
    tns, b, L, PP, ph = int(v[0]), int(v[1]), int(v[2]), float(v[3]), float(v[4])
    pos = list(map(float, v[5:5 + 2 * W + 1])); S = list(map(float, v[5 + 2 * W + 1:5 + 4 * W + 2]))
    i = bisect.bisect_left(ts, tns / 1e9 - 1.0 - 1e-6)
    if i >= len(ts) or abs(ts[i] - (tns / 1e9 - 1.0)) > 2e-6:
        continue
    k = t2k[ts[i]]
    if k < first + 2 * P or k > lastk or not 0 < k < len(psi) - 1:
        continue
    rows.append((k, ph * PP / (2 * math.pi), pos, S, PP))


def position(pos, x):
    i = max(-W, min(W - 1, int(math.floor(x))))
    return pos[W + i] + (x - i) * (pos[W + i + 1] - pos[W + i])


def par(S, k):
    x = list(range(-k, k + 1)); y = S[W - k:W + k + 1]; n = len(x)
    sx2 = sum(a * a for a in x); sx4 = sum(a ** 4 for a in x)
    c1 = sum(a * b for a, b in zip(x, y)) / sx2
    c2 = (sum(a * a * b for a, b in zip(x, y)) - sx2 * sum(y) / n) / (sx4 - sx2 * sx2 / n)
    return None if c2 <= 0 else max(-k / 2, min(k / 2, -c1 / (2 * c2)))


def v1(S):
    return evalrun.vfit(S[W - 1], S[W], S[W + 1])


def ad(S, z, PP):
    kmax = min(12, int(PP / 16))
    if kmax < 2:
        return v1(S)
    thr = z * math.sqrt(math.pi / 2 - 1) * S[W] / math.sqrt(npix)
    k = 1
    while k < kmax and not 0.5 * (S[W - k] + S[W + k]) - S[W] >= thr:
        k += 1
    x = par(S, k) if k > 1 else None
    return v1(S) if x is None else x


meths = [('v1', lambda S, PP: v1(S))]
meths += [(f'par{k}', (lambda kk: lambda S, PP: par(S, kk))(k)) for k in (2, 3, 4, 6, 8)]
meths += [(f'ad{z:g}', (lambda zz: lambda S, PP: ad(S, zz, PP))(z)) for z in (1, 2, 3, 5)]
NB = 48
print(f"{run.rstrip('/').split('/')[-1]}: {len(rows)} frames, P {P:.2f}")
for name, fn in meths:
    es = []; acc = [[0, 0.0] for _ in range(NB)]
    for (k, uraw, pos, S, PP) in rows:
        x = fn(S, PP)
        e = err_of(position(pos, v1(S) if x is None else x), k)
        es.append(e)
        bb = int(((uraw - err_of(uraw, k)) % P) / P * NB) % NB
        acc[bb][0] += 1; acc[bb][1] += e
    means = [a[1] / a[0] for a in acc if a[0]]
    n = len(es)
    print(f"  {name:6s} mean {sum(es) / n:+.3f} rms {math.sqrt(sum(e * e for e in es) / n):.3f} "
          f"profile48 {math.sqrt(sum(m * m for m in means) / len(means)):.3f} |e|>3 {sum(abs(e) > 3 for e in es) * 100 / n:.1f}%")
