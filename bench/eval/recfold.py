#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Sub-frame estimators on a heart's dense, noise-free path (issue 9, session 25, recfold; a diagnostic).

  recfold.py [--synth build/bin/ogate-synth] [--model ref --ref-tif FILE --ref-period P | --model blob|real]
             [--fpb 18] [--sub 8] [--noise 4] [--trials 600] [--seed 1]

Renders one noise-free beat of FPB camera frames at SUB samples a frame (ogate-synth at
fps = FPB * SUB / period, no modulation, drift or jitter), takes every SUB-th sample plus fresh
Gaussian noise (sd NOISE) as a reference frame and random samples plus fresh noise as live
frames, and places each live frame between its reference frames by: the V fit through its SADs
against b - 1, b, b + 1 (vfit); the parabola through its SSDs (ssdpar); the projection onto the
chord to the neighbour on the nearer side, x = 1/2 + (SSD_b - SSD_b+1) / (2 D^2), D^2 the two
reference frames' SSD, exact for any path whose SSD from a frame is a + b d + c d^2 (chord), and
the same with the reference pair's noise 2 NOISE^2 n taken out of D^2 (chord_nf). Prints each
one's RMS error (frames) and its mean error by the true offset from the reference frame before
(8 bins from 0; + = placed late). No ogate library code runs: the error profile of a path, not of
the library. docs/accuracy-log.md, "Recorded heartbeats at few frames a beat".
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synth", default="build/bin/ogate-synth")
    ap.add_argument("--model", default="ref")
    ap.add_argument("--ref-tif")
    ap.add_argument("--ref-period", type=float, default=34.282163)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--fpb", type=float, default=18.0)
    ap.add_argument("--sub", type=int, default=8)
    ap.add_argument("--noise", type=float, default=4.0)
    ap.add_argument("--trials", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.model == "ref" and not a.ref_tif:
        ap.error("--model ref needs --ref-tif")
    period = 0.5
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "path")
        cmd = [a.synth, "--out", out, "--model", a.model, "--size", str(a.size),
               "--fps", repr(a.fpb * a.sub / period), "--period", str(period),
               "--n-frames", str(int(a.fpb * a.sub) + a.sub + 1), "--mod-amp", "0", "--drift", "0",
               "--noise", "0", "--psi0", "0", "--ref-period", repr(a.ref_period)]
        if a.ref_tif:
            cmd += ["--ref-tif", a.ref_tif]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        A = np.load(out + ".npy").astype(float)
    rng = np.random.default_rng(a.seed)
    nref = (len(A) - 1) // a.sub
    R = [A[a.sub * j] + rng.normal(0, a.noise, A[0].shape) for j in range(nref)]
    D2 = [((R[j + 1] - R[j]) ** 2).sum() for j in range(nref - 1)]
    nf = 2 * a.noise ** 2 * A[0].size
    est = {k: [] for k in ("vfit", "ssdpar", "chord", "chord_nf")}
    offs = []
    for _ in range(a.trials):
        m = int(rng.integers(2 * a.sub, (nref - 3) * a.sub))
        u = m / a.sub
        b = int(round(u))
        L = A[m] + rng.normal(0, a.noise, A[0].shape)
        s = [np.abs(L - R[b + k]).sum() for k in (-1, 0, 1)]
        q = [((L - R[b + k]) ** 2).sum() for k in (-1, 0, 1)]
        est["vfit"].append((s[0] - s[2]) / (2 * (max(s[0], s[2]) - s[1])))
        est["ssdpar"].append(0.5 * (q[0] - q[2]) / (q[0] - 2 * q[1] + q[2]))
        j, lo = (b, 0.5) if q[2] < q[0] else (b - 1, -0.5)
        d = (q[1] - q[2]) if j == b else (q[0] - q[1])
        est["chord"].append(lo + d / (2 * D2[j]))
        est["chord_nf"].append(lo + d / (2 * (D2[j] - nf)))
        offs.append(u - b)
    offs = np.array(offs)
    o01 = offs - np.floor(offs)
    bins = np.minimum((o01 * 8).astype(int), 7)
    src = f"{a.model} {a.ref_tif or ''}".strip()
    print(f"{src}: {a.fpb:g} frames a beat, {a.sub} samples a frame, noise {a.noise:g}, {a.trials} live frames")
    for k, v in est.items():
        e = np.array(v) - offs
        prof = " ".join(f"{e[bins == i].mean():+.3f}" if (bins == i).any() else "   -  " for i in range(8))
        print(f"  {k:8s} rms {np.sqrt((e ** 2).mean()):.3f}  by true offset {prof}")


if __name__ == "__main__":
    main()
