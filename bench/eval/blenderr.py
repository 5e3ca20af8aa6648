#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The V fit's error by sub-frame offset: the truth against the reference's own blends.

docs/accuracy-log.md, "The sub-frame fit's shared error". Reads a kept stream (EVAL_STREAMS:
NAME.npy, 8-bit, and NAME_truth.csv) and a reference of L padded frames starting at frame r0
(raw frames, no smoothing). truth: frames j0..j1 (every step-th) matched against the reference
with the V fit at their SAD minimum, the error binned by the true offset from the reference frame
before them (8 bins). blends: every reference frame b mixed with b+1 at offset o ((1-o) F_b +
o F_b+1, Gaussian noise of sd sqrt(1 - (1-o)^2 - o^2) sigma added back, sigma the stream's
noise), matched the same way: what a ground-truth-free measurement from the reference would give.
Each bin prints offset:mean error (frames, + = matched late)(count).

usage: blenderr.py STREAMS NAME r0 L truth j0 j1 [step]
       blenderr.py STREAMS NAME r0 L blends [sigma]
Pure Python (no numpy): seconds at 96^2, about 10 s for 600 frames at 128^2.
"""
import ast
import csv
import math
import random
import struct
import sys

B = 8


def vfit(s0, s1, s2):
    if s0 >= s2:
        return (s0 - s2) / (2 * (s0 - s1)) if s0 > s1 else 0
    return (s0 - s2) / (2 * (s2 - s1)) if s2 > s1 else 0


def main():
    a = sys.argv[1:]
    if len(a) < 5 or a[4] not in ('truth', 'blends'):
        sys.exit(__doc__)
    d0, name, r0, L, mode = a[0], a[1], int(a[2]), int(a[3]), a[4]
    upto = int(a[6]) + 5 if mode == 'truth' else r0 + L + 2
    f = open(f'{d0}/{name}.npy', 'rb')
    f.read(8)
    hl = struct.unpack('<H', f.read(2))[0]
    hdr = ast.literal_eval(f.read(hl).decode())
    fs = hdr['shape'][1] * hdr['shape'][2]
    raw = f.read(fs * min(hdr['shape'][0], upto))

    def fr(i):
        return raw[i * fs:(i + 1) * fs]

    def place(x, lo, hi):  # the V fit of pixels x among reference frames lo..hi
        row = {c: sum(abs(p - q) for p, q in zip(x, fr(r0 + c))) for c in range(lo, hi + 1)}
        m = min(row, key=row.get)
        if m in (lo, hi):
            return None
        return m + vfit(row[m - 1], row[m], row[m + 1])

    S, C = [0.0] * B, [0] * B
    if mode == 'truth':
        psi = [float(r['psi_rad']) for r in csv.DictReader(open(f'{d0}/{name}_truth.csv'))]
        j0, j1 = int(a[5]), int(a[6])
        step = int(a[7]) if len(a) > 7 else 1

        def pos_of(ph):
            k = ph - 2 * math.pi * math.floor((ph - psi[r0]) / (2 * math.pi))
            for u in range(L - 1):
                lo, hi = psi[r0 + u], psi[r0 + u + 1]
                for kk in (k, k + 2 * math.pi):
                    if lo <= kk < hi:
                        return u + (kk - lo) / (hi - lo)
            return None
        for j in range(j0, j1, step):
            u = pos_of(psi[j])
            if u is None or u < 3 or u > L - 4:
                continue
            b0 = round(u)
            x = place(fr(j), b0 - 2, b0 + 2)
            if x is None:
                continue
            k = int((u - math.floor(u)) * B) % B
            S[k] += x - u
            C[k] += 1
    else:
        sigma = float(a[5]) if len(a) > 5 else 0
        random.seed(1)
        for k in range(B):
            o = (k + 0.5) / B
            extra = math.sqrt(max(0.0, 1 - (1 - o) ** 2 - o ** 2)) * sigma
            for b in range(3, L - 4):
                x = [(1 - o) * p + o * q + (random.gauss(0, extra) if extra > 0 else 0)
                     for p, q in zip(fr(r0 + b), fr(r0 + b + 1))]
                y = place(x, b - 1, b + 2)
                if y is not None:
                    S[k] += y - (b + o)
                    C[k] += 1
    print(name, mode, ' '.join(f'{(k + 0.5) / B:.3f}:{S[k] / C[k] if C[k] else 0:+.3f}({C[k]})'
                               for k in range(B)))


if __name__ == '__main__':
    main()
