#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The lags' error averaged over whole beats, against the truth (a diagnostic, not in make check).

usage: bench/eval/lagbeats.py PREFIX [FIRST [LAST]]
  PREFIX   an ogate-synth stream (PREFIX.npy 8-bit, PREFIX_truth.csv), e.g. one kept by
           EVAL_STREAMS; frames FIRST..LAST-1 (default 41..600; FIRST more than a beat in)

For each frame i, the V fit's sub-frame lag near one beat (whole-frame SAD, as refine_period's
lags; bench/eval/lagtruth.py does the same over fewer frames) minus the true length of the beat
that ends at i. Printed: the error's mean, its correlation with the beat length's change over a
beat (a rate trend), then the mean over each whole beat of consecutive frames from FIRST (what a
period at lock taken from a whole beat of lags would carry), their sd, lag-1 correlation
and the standard deviation of 5-beat means (docs/accuracy-log.md, "The period at lock from a
whole beat of lags"). Pure Python: ~1 min for 500 frames at 80^2.
"""
import csv, math, re, struct, sys

pre = sys.argv[1]
first = int(sys.argv[2]) if len(sys.argv) > 2 else 41
last = int(sys.argv[3]) if len(sys.argv) > 3 else 600
raw = open(pre + ".npy", "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
hdr = raw[10:10 + hl].decode()
if "u1" not in hdr:
    sys.exit("lagbeats: 8-bit streams only")
shape = [int(x) for x in re.search(r"\(([^)]*)\)", hdr).group(1).split(",") if x.strip()]
h, w = shape[1], shape[2]
off = 10 + hl
fr = [raw[off + k * h * w: off + (k + 1) * h * w] for k in range(last)]
psi = [float(r["psi_rad"]) for r in csv.DictReader(open(pre + "_truth.csv"))]


def true_back(i):  # the fractional frame index one beat before frame i
    target = psi[i] - 2 * math.pi
    m = max(j for j in range(max(0, i - 400), i) if psi[j] <= target)
    return m + (target - psi[m]) / (psi[m + 1] - psi[m])


def vfit(y1, y2, y3):  # ogate_vfit's x
    den = (y1 - y2) if y1 > y3 else (y3 - y2)
    return 0.0 if den == 0 else 0.5 * (y1 - y3) / den


def mean(v):
    return sum(v) / len(v)


E, B = [], []
for i in range(first, last):
    b1 = true_back(i)
    c = round(i - b1)
    y = {d: sum(abs(p - q) for p, q in zip(fr[i], fr[i - d])) for d in range(c - 3, c + 4)}
    b = min(range(c - 2, c + 3), key=lambda d: y[d])
    E.append(b + vfit(y[b - 1], y[b], y[b + 1]) - (i - b1))
    B.append(i - b1)
P = int(round(mean(B)))
dB = [B[j + P] - B[j] for j in range(len(B) - P)]  # the beat length's change over a beat
e = E[P:]
mx, my = mean(dB), mean(e)
sxx = sum((x - mx) ** 2 for x in dB)
sxy = sum((x - mx) * (v - my) for x, v in zip(dB, e))
syy = sum((v - my) ** 2 for v in e)
corr = sxy / (sxx * syy) ** 0.5 if sxx > 1e-9 and syy > 0 else float("nan")
print(f"{pre.split('/')[-1]}: frames {first}-{last - 1}, lag error mean {mean(E):+.4f} frame, "
      f"correlation with the beat length's change {corr:+.3f}")
W = [(mean(E[j:j + P]), first + j) for j in range(0, len(E) - P + 1, P)]
for v, j in W:
    print(f"  beat of frames {j}-{j + P - 1}: lag error {v:+.3f} (frames)")
n = len(W)
m = mean([v for v, _ in W])
sd = (sum((v - m) ** 2 for v, _ in W) / n) ** 0.5
c1 = sum((W[j][0] - m) * (W[j - 1][0] - m) for j in range(1, n)) / (n - 1)
c1 = c1 / sd / sd if sd > 0 else 0
w5 = [mean([v for v, _ in W[j:j + 5]]) for j in range(0, n - 4, 5)]
sd5 = (sum((v - m) ** 2 for v in w5) / len(w5)) ** 0.5 if w5 else float("nan")
print(f"  {n} beats: mean {m:+.4f} sd {sd:.4f} lag-1 corr {c1:+.2f}, "
      f"sd of 5-beat means {sd5:.4f} (frames)")
