#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Copy kept eval streams with noise added to their timestamps only (a diagnostic, not part of
make check): timestamp ERRORS, the other reading of "timestamp jitter".

usage: tsnoise.py SRC_STREAMS DST_STREAMS SIGMA_S [SEED]
then:  EVAL_STREAMS=DST_STREAMS EVAL_MATRIX=... bench/eval/eval.sh  (same matrix and seed as SRC)

ogate-synth --ts-jitter moves the capture times themselves: each frame shows the heart at its
(irregular) timestamp, so the timestamps are exact and only the sampling is uneven. A camera
whose timestamps are taken late or early by a random amount captures regularly but REPORTS the
time wrongly: the image is the heart at the true time, its timestamp is that time + noise. This
writes, for every *_timestamps.csv in SRC, a copy in DST with Gaussian noise of SIGMA_S seconds
added (kept strictly increasing), and links the stacks, truth and params, so that ogate-emulate
--truth still scores against the true times. Seeded per file name (SEED, default 1).
"""
import glob, hashlib, os, random, sys

src, dst, sigma = sys.argv[1], sys.argv[2], float(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
os.makedirs(dst, exist_ok=True)
for f in sorted(glob.glob(os.path.join(src, "*"))):
    b = os.path.basename(f)
    out = os.path.join(dst, b)
    if os.path.lexists(out):
        os.remove(out)
    if not b.endswith("_timestamps.csv"):
        os.symlink(os.path.realpath(f), out)
        continue
    h = int(hashlib.sha256(f"{seed}:{b}".encode()).hexdigest()[:12], 16)
    r = random.Random(h)
    lines = open(f).read().split("\n")
    rows, prev = [lines[0]], -1e9
    for line in lines[1:]:
        if not line:
            continue
        i, t = line.split(",")
        t = float(t) + sigma * r.gauss(0, 1)
        if t <= prev:
            t = prev + 1e-6
        prev = t
        rows.append(f"{i},{t:.9f}")
    open(out, "w").write("\n".join(rows) + "\n")
