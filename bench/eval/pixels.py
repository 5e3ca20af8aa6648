#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Which pixels carry the heart's phase (a diagnostic, not part of make check).

usage: bench/eval/pixels.py PREFIX SIGMA
  PREFIX  an ogate-synth stream made with --noise 0 (PREFIX.npy, PREFIX_params.json), e.g.
          build/bin/ogate-synth --out /tmp/nf --size 64 --fps 60 --period 1.5 --n-frames 400 \\
                  --noise 0 --mod-amp 0
  SIGMA   the pixel noise the real stream would have (ogate-synth --noise)

Over one beat starting 2 s in: the share of pixels whose value varies by more than 0.5, 1, 2 and
4 SIGMA (sd over the beat), the share of the frame-to-frame change carried by the most changing
5-50 % of the pixels, and the bounding box of the pixels varying by more than SIGMA / 2. A pixel
that does not vary only adds noise to the SAD (docs/accuracy-log.md, "The matching noise").
"""
import array, ast, json, math, sys

pre, sigma = sys.argv[1], float(sys.argv[2])
with open(pre + ".npy", "rb") as f:
    f.read(8)
    hl = int.from_bytes(f.read(2), "little")
    hdr = ast.literal_eval(f.read(hl).decode())
    if hdr["descr"] not in ("|u1", "<u1"):
        sys.exit("pixels.py: 8-bit streams only")
    N, H, W = hdr["shape"][:3]
    par = json.load(open(pre + "_params.json"))
    nb = int(round(par["period_s"] * par["fps"]))
    start = int(2 * par["fps"])
    if start + nb + 1 > N:
        sys.exit("pixels.py: the stream needs 2 s and one beat")
    f.seek(f.tell() + start * H * W)
    fr = []
    for _ in range(nb + 1):
        a = array.array("B")
        a.frombytes(f.read(H * W))
        fr.append(a)
n = H * W
sd, step = [0.0] * n, [0.0] * n
for i in range(n):
    v = [fr[k][i] for k in range(nb)]
    m = sum(v) / nb
    sd[i] = math.sqrt(sum((x - m) ** 2 for x in v) / nb)
    step[i] = sum(abs(fr[k + 1][i] - fr[k][i]) for k in range(nb)) / nb
print(f"{pre}: {W}x{H}, {nb} frames per beat, sigma {sigma}")
for th in (0.5, 1, 2, 4):
    print(f"  sd over the beat > {th} sigma: {100 * sum(1 for x in sd if x > th * sigma) / n:.1f} % of pixels")
tot, ss = sum(step), sorted(step, reverse=True)
for q in (0.05, 0.1, 0.2, 0.3, 0.5):
    print(f"  the top {int(q * 100)} % of pixels carry {100 * sum(ss[:int(q * n)]) / tot:.1f} % of the frame-to-frame change")
on = [i for i in range(n) if sd[i] > 0.5 * sigma]
if on:
    ys, xs = [i // W for i in on], [i % W for i in on]
    box = (max(ys) - min(ys) + 1) * (max(xs) - min(xs) + 1)
    print(f"  box of sd > sigma/2: rows {min(ys)}..{max(ys)}, cols {min(xs)}..{max(xs)}: {100 * box / n:.1f} % of the frame")
