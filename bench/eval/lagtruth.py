#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The period determination's per-frame lags against the truth (a diagnostic, not part of make check).

usage: bench/eval/lagtruth.py PREFIX [FIRST [LAST]]
  PREFIX   an ogate-synth stream (PREFIX.npy 8-bit, PREFIX_truth.csv), e.g. one kept by
           EVAL_STREAMS; frames FIRST..LAST-1 (default 100..200) are examined, FIRST must be more
           than two beats (plus 3 frames) into the stream

For each frame i it computes the SAD row against the frames around one and two beats back (the
whole frame, as sync_determine.c does on small frames) and the V fit's sub-frame lag, as the
library's refinement does (sync_determine.c, frame_lag), and compares with the true beat length
from the truth's phase:
  lag1       the lag near one beat, minus the true one (frames)
  lag2/2     half the lag near two beats, minus half the true one: a bias that scales with the
             lag (as the drift's, docs/accuracy-log.md "The period found at lock") stays the same
  lag2-lag1  the beat between them: a bias that is constant in the lag cancels
  T          the lag in time (the match placed between the two frames it lies between, as
             refine_period does), minus the true beat length (ms)
Each as mean and standard deviation over the frames. Pure Python: ~1 min for 100 frames at 96^2.
"""
import csv, math, re, struct, sys

pre = sys.argv[1]
first = int(sys.argv[2]) if len(sys.argv) > 2 else 100
last = int(sys.argv[3]) if len(sys.argv) > 3 else 200
raw = open(pre + ".npy", "rb").read()
hl = struct.unpack("<H", raw[8:10])[0]
hdr = raw[10:10 + hl].decode()
if "u1" not in hdr:
    sys.exit("lagtruth: 8-bit streams only")
off = 10 + hl
shape = [int(x) for x in re.search(r"\(([^)]*)\)", hdr).group(1).split(",") if x.strip()]
h, w = shape[1], shape[2]
fr = [raw[off + k * h * w: off + (k + 1) * h * w] for k in range(last)]
tr = list(csv.DictReader(open(pre + "_truth.csv")))
psi = [float(r["psi_rad"]) for r in tr]
t = [float(r["t_s"]) * 1e3 for r in tr]


def sad(a, b):
    return sum(abs(x - y) for x, y in zip(a, b))


def vfit(y1, y2, y3):  # ogate_vfit's x
    den = (y1 - y2) if y1 > y3 else (y3 - y2)
    return 0.0 if den == 0 else 0.5 * (y1 - y3) / den


def true_back(i, k):  # the fractional frame index k beats before frame i
    target = psi[i] - 2 * math.pi * k
    m = max(j for j in range(i) if psi[j] <= target)
    return m + (target - psi[m]) / (psi[m + 1] - psi[m])


def lag_near(i, c):
    y = {d: sad(fr[i], fr[i - d]) for d in range(c - 3, c + 4)}
    b = min(range(c - 2, c + 3), key=lambda d: y[d])
    return b + vfit(y[b - 1], y[b], y[b + 1])


def time_at(m):
    k = math.floor(m)
    return t[k] + (m - k) * (t[k + 1] - t[k])


cols = {"lag1": [], "lag2/2": [], "lag2-lag1": [], "T (ms)": []}
for i in range(first, last):
    b1, b2 = true_back(i, 1), true_back(i, 2)
    l1, l2 = lag_near(i, round(i - b1)), lag_near(i, round(i - b2))
    cols["lag1"].append(l1 - (i - b1))
    cols["lag2/2"].append(l2 / 2 - (i - b2) / 2)
    cols["lag2-lag1"].append((l2 - l1) - (b1 - b2))
    cols["T (ms)"].append((t[i] - time_at(i - l1)) - (t[i] - time_at(b1)))
print(f"{pre}: frames {first}-{last - 1}")
for name, e in cols.items():
    n = len(e)
    mu = sum(e) / n
    sd = (sum((x - mu) ** 2 for x in e) / n) ** 0.5
    print(f"  {name:10s} mean {mu:+.3f}  sd {sd:.3f}")
