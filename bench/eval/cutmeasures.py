#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""What a stream says about the noise cuts, measured at lock (a diagnostic, not part of make check).

usage: bench/eval/cutmeasures.py PREFIX...
  PREFIX  an ogate-synth stream (PREFIX.npy, 8-bit, PREFIX_params.json, PREFIX_truth.csv), e.g. one kept by
          EVAL_STREAMS=DIR make eval

From one beat of the stream from 3 s in (the reference: the frames of one true beat, from
PREFIX_truth.csv) and the beat before it (as the determination buffer holds it; each reference
frame's pixel one true period earlier), as the library measures them
(docs/accuracy-log.md, "A noise cut chosen by the stream"):
  sigma2  the pixel noise variance: (median |second difference| / 0.6745)^2 / 6 at the position
          where that median is smallest (reference.smooth's estimate)
  cand    the share of pixels reference.smooth would replace
  M       sum D^4 / sum D^2 / s^2 over every pixel and consecutive frame pair of the beat, D the
          noise-free one-frame change (unbiased: d^2 - s^2, d^4 - 6 s^2 d^2 + 3 s^4; s^2 = 2 sigma2
          + 1/6): the energy-weighted one-frame change against the noise of a frame difference.
          The SAD is quadratic in D below s and linear above; its local exponent is 1.5 at
          D^2 / s^2 = 5.3 (the rule tried for sync.metric: ssd where M < 5.3; not kept;
          reference.smooth = auto smooths only where M < 5.3, the library's change_m)
  z       reference.smooth = auto's statistic: over the candidate pixels, g = (r_j - r_{j-1})
          (p_j - p_{j-1}), p the same pixel one period earlier (linear between the two frames
          around it); z = sum g / sqrt(sum g^2 + 2 sum g g'), g' the same pixel's previous g.
          A camera's noise does not repeat (|z| < 3); a pattern that repeats every beat does
"""
import array, ast, json, math, sys


def stream(pre):
    """the frames from one beat before the reference to its end, the reference's first index
    among them, L, and per reference frame the (fractional) index one true beat earlier"""
    psi = []
    for line in open(pre + "_truth.csv"):
        if line[0].isdigit():
            v = float(line.split(",")[2])
            while psi and v < psi[-1] - math.pi:
                v += 2 * math.pi
            psi.append(v)
    with open(pre + ".npy", "rb") as f:
        f.read(8)
        hl = int.from_bytes(f.read(2), "little")
        hdr = ast.literal_eval(f.read(hl).decode())
        if hdr["descr"] not in ("|u1", "<u1"):
            sys.exit("cutmeasures.py: 8-bit streams only")
        n, h, w = hdr["shape"][:3]
        par = json.load(open(pre + "_params.json"))
        a = int(3 * par["fps"])
        while a < n and psi[a] - psi[0] < 2 * math.pi + 0.1:
            a += 1
        e = a
        while e < n and psi[e] < psi[a] + 2 * math.pi:
            e += 1
        if e >= n:
            sys.exit("cutmeasures.py: %s needs two beats" % pre)
        L = e - a + 1
        first = a
        while psi[first] > psi[a] - 2 * math.pi:
            first -= 1
        back = []
        for j in range(a, a + L):
            k = first
            while k + 1 < a and psi[k + 1] <= psi[j] - 2 * math.pi:
                k += 1
            back.append(k - first + (psi[j] - 2 * math.pi - psi[k]) / (psi[k + 1] - psi[k]))
        f.seek(f.tell() + first * h * w)
        fr = [array.array("B", f.read(h * w)) for _ in range(a + L - first)]
    return fr, a - first, L, back, h * w


def measures(pre):
    fr, a, L, back, N = stream(pre)
    ref = fr[a:a + L]
    med = math.inf
    for j in range(1, L - 1):  # grouped median: integer k stands for [k - 1/2, k + 1/2)
        hist = {}
        for p in range(N):
            k = abs(ref[j - 1][p] - 2 * ref[j][p] + ref[j + 1][p])
            hist[k] = hist.get(k, 0) + 1
        cum = 0
        for k in sorted(hist):
            if cum + hist[k] >= N / 2:
                m = (k - 0.5 if k else 0) + (N / 2 - cum) / hist[k] * (1 if k else 0.5)
                break
            cum += hist[k]
        med = min(med, m)
    s2 = (med / 0.6744897501960817) ** 2 / 6
    sd2 = 2 * s2 + 1 / 6
    cand = []
    for p in range(N):
        x = [r[p] for r in ref]
        mu = sum(x) / L
        cand.append(sum((v - mu) ** 2 for v in x) / L < s2 * (2 - 2 / L) - 1 / 12)
    d2 = d4 = 0.0
    for j in range(L - 1):
        r0, r1 = ref[j], ref[j + 1]
        for p in range(N):
            d = r1[p] - r0[p]
            d2 += d * d - sd2
            d4 += d ** 4 - 6 * sd2 * d * d + 3 * sd2 * sd2
    acc = [0.0, 0.0, 0.0]
    cp = [p for p in range(N) if cand[p]]
    glast = {}
    prev = None
    for j in range(L):
        t = back[j]
        k = int(math.floor(t))
        w = t - k
        if k < 0 or k + 1 >= len(fr):
            prev = None
            continue
        cur = {p: (ref[j][p], (1 - w) * fr[k][p] + w * fr[k + 1][p]) for p in cp}
        if prev is not None:
            for p in cp:
                g = (cur[p][0] - prev[p][0]) * (cur[p][1] - prev[p][1])
                acc[0] += g
                acc[1] += g * g
                if p in glast:
                    acc[2] += g * glast[p]
                glast[p] = g
        prev = cur
    v = max(acc[1] + 2 * acc[2], acc[1] / 4)
    z = acc[0] / math.sqrt(v) if acc[1] > 0 else float("nan")
    M = d4 / d2 / sd2 if d2 > 0 else float("nan")
    return s2, len(cp) / N, M, z


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("%-32s %8s %6s %8s %8s" % ("stream", "sigma2", "cand", "M", "z"))
    for pre in sys.argv[1:]:
        s2, c, M, z = measures(pre)
        print("%-32s %8.3f %6.3f %8.2f %8.2f" % (pre.split("/")[-1], s2, c, M, z))
