#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The lags at lock against the truth, and the matching error at the positions they cover.

docs/accuracy-log.md, "The sub-frame fit's shared error". Reads a kept stream (EVAL_STREAMS:
NAME.npy, 8-bit, and NAME_truth.csv) and, for buffered frames i in [i0, i1), the lag the
determination measures (sync_frame_lag: the V fit through the SADs of frame i against frames
i - d, d = c-2..c+2, whole frames) against the true beat length ending at i. With a reference
of L padded frames starting at frame r0 it also matches the frames j in [j0, j1) against that
reference (the V fit at their SAD minimum: raw frames, no smoothing) and bins their error by true
position (1/4 frame), then prints each lag's error beside -E at the position u + x its match
corresponds to (u = i - r0, x = the true match's offset from the frame before it, folded to the
nearest), and the means of both.

usage: lagerr.py STREAMS NAME i0 i1 c [r0 L j0 j1]
e.g.   lagerr.py /work/tmp/s7 blob64_slow3s_30fps 166 205 88 112 93 250 1500
Pure Python (no numpy): a few seconds for 64^2, about a minute for 128^2 and 1000 frames.
"""
import ast
import csv
import math
import struct
import sys


def load(d0, name, upto):
    f = open(f'{d0}/{name}.npy', 'rb')
    f.read(8)
    hl = struct.unpack('<H', f.read(2))[0]
    hdr = ast.literal_eval(f.read(hl).decode())
    n, h, w = hdr['shape'][:3]
    fs = h * w
    raw = f.read(fs * min(n, upto))
    psi = [float(r['psi_rad']) for r in csv.DictReader(open(f'{d0}/{name}_truth.csv'))]
    return raw, fs, psi


def vfit(s0, s1, s2):
    if s0 >= s2:
        return (s0 - s2) / (2 * (s0 - s1)) if s0 > s1 else 0
    return (s0 - s2) / (2 * (s2 - s1)) if s2 > s1 else 0


def main():
    a = sys.argv[1:]
    if len(a) not in (5, 9):
        sys.exit(__doc__)
    d0, name = a[0], a[1]
    i0, i1, c = int(a[2]), int(a[3]), int(a[4])
    ref = [int(v) for v in a[5:9]] if len(a) == 9 else None
    raw, fs, psi = load(d0, name, max(i1, ref[3] if ref else 0) + 5)

    def sad(p, q):
        return sum(abs(x - y) for x, y in zip(raw[p * fs:(p + 1) * fs], raw[q * fs:(q + 1) * fs]))

    def back(i):  # the fractional frame one true beat before frame i
        t, k = psi[i] - 2 * math.pi, i - 1
        while psi[k] > t:
            k -= 1
        return k + (t - psi[k]) / (psi[k + 1] - psi[k])

    E = {}
    if ref:
        r0, L, j0, j1 = ref

        def pos_of(ph):
            k = ph - 2 * math.pi * math.floor((ph - psi[r0]) / (2 * math.pi))
            for u in range(L - 1):
                lo, hi = psi[r0 + u], psi[r0 + u + 1]
                for kk in (k, k + 2 * math.pi):
                    if lo <= kk < hi:
                        return u + (kk - lo) / (hi - lo)
            return None
        for j in range(j0, j1):
            u = pos_of(psi[j])
            if u is None or u < 3 or u > L - 4:
                continue
            b0 = round(u)
            row = {b: sad(j, r0 + b) for b in range(b0 - 2, b0 + 3)}
            b = min(row, key=row.get)
            if b in (b0 - 2, b0 + 2):
                continue
            E.setdefault(math.floor(u * 4), []).append(b + vfit(row[b - 1], row[b], row[b + 1]) - u)
    Em = {k: sum(v) / len(v) for k, v in E.items()}
    se, sm, n, nm = 0, 0, 0, 0
    for i in range(i0, i1):
        row = {d: sad(i, i - d) for d in range(c - 2, c + 3)}
        b = min(row, key=row.get)
        if b in (c - 2, c + 2):
            continue
        lag = b + vfit(row[b - 1], row[b], row[b + 1])
        m = back(i)
        err = lag - (i - m)
        se += err
        n += 1
        line = f'i {i} lag {lag:.3f} true {i - m:.3f} err {err:+.3f}'
        if ref:
            mf = m - math.floor(m)
            w = (i - ref[0]) - mf if mf < 0.5 else (i - ref[0]) + 1 - mf
            e = Em.get(math.floor(w * 4))
            if e is not None:
                sm += -e
                nm += 1
                line += f'  -E({w:.2f}) {-e:+.3f}'
        print(line)
    print(f'lags {n}: mean error {se / max(n, 1):+.4f} frame', end='')
    print(f'; -E at their positions ({nm}): {sm / nm:+.4f}' if nm else '')


if __name__ == '__main__':
    main()
