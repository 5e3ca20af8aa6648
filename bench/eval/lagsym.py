#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The lags at lock read one way and both ways, against the truth (a diagnostic, not part of make check).

usage: bench/eval/lagsym.py PREFIX [FIRST [LAST]]
  PREFIX   an ogate-synth stream (PREFIX.npy 8-bit, PREFIX_truth.csv), e.g. one kept by
           EVAL_STREAMS; frames FIRST..LAST-1 (default: from a beat and 6 frames in, 200 frames)

For each frame i, as sync_sadrow.c does on frames small enough to compare whole (row step 1):
  vfit  the V fit's lag near one beat (b the least SAD of the five around the beat)
  fwd   frame i placed through the curve around frame m = i - b (ogate_curve_offset, compiled
        from userspace/lib/subframe.c into a temporary shared object)
  rev   frame m placed through the curve around its match c a beat later (reference.lag_sym)
  sym   their mean (the default since session 24)
each minus the true lag from the truth's phase (frames), as mean and sd over the frames, the sd
of the means of 6 consecutive frames (what the few lags at lock average) and the correlation of
fwd's and rev's errors. Needs numpy and a C compiler; ~10 s for 200 frames at 96^2.
"""
import ctypes
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def curve_lib():
    out = os.path.join(tempfile.gettempdir(), f"ogate-lagsym-{os.getuid()}.so")
    lib = os.path.join(ROOT, "userspace", "lib")
    srcs = [os.path.join(lib, "subframe.c"), os.path.join(lib, "analysis.c")]
    if not os.path.exists(out) or any(os.path.getmtime(s) > os.path.getmtime(out) for s in srcs):
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-I" + lib, "-I" + os.path.join(lib, "include"),
                        "-o", out] + srcs + ["-lm"], check=True)
    so = ctypes.CDLL(out)
    so.ogate_curve_offset.restype = ctypes.c_double
    so.ogate_curve_offset.argtypes = [ctypes.POINTER(ctypes.c_double)] * 2
    return so


LIB = None


def curve(S, e):
    return LIB.ogate_curve_offset((ctypes.c_double * 3)(*S), (ctypes.c_double * 4)(*e))


def vfit(y1, y2, y3):
    den = (y1 - y2) if y1 > y3 else (y3 - y2)
    return 0.0 if den == 0 else 0.5 * (y1 - y3) / den


def analyse(pre, first=None, last=None):
    global LIB
    LIB = LIB or curve_lib()
    fr = np.load(pre + ".npy")
    if fr.dtype != np.uint8:
        sys.exit("lagsym: 8-bit streams only")
    fr = fr.reshape(fr.shape[0], -1).astype(np.int32)
    psi = np.array([float(r["psi_rad"]) for r in csv.DictReader(open(pre + "_truth.csv"))])
    N = len(fr)
    cache = {}

    def sad(a, b):
        k = (min(a, b), max(a, b))
        if k not in cache:
            cache[k] = float(np.abs(fr[a] - fr[b]).sum())
        return cache[k]

    def at_phase(p):  # the fractional frame index where the truth's phase is p
        m = int(np.searchsorted(psi, p, side="right")) - 1
        return m + (p - psi[m]) / (psi[m + 1] - psi[m])

    c = int(round(2 * math.pi / np.median(np.diff(psi))))
    first = c + 6 if first is None else first
    last = min(N - 4, first + 200) if last is None else min(N - 4, last)
    rows = []
    for i in range(first, last):
        b = min(range(c - 2, c + 3), key=lambda d: sad(i, i - d))
        if b in (c - 2, c + 2):
            continue
        m = i - b
        S = [sad(i, m - 1), sad(i, m), sad(i, m + 1)]
        e = [sad(m, m - 2), sad(m, m - 1), sad(m + 1, m), sad(m + 2, m)]
        x = curve(S, e)
        lf = b - x if not math.isnan(x) else b - vfit(*S)
        j = min((i - 1, i, i + 1), key=lambda d: sad(m, d))
        S2 = [sad(m, j - 1), sad(m, j), sad(m, j + 1)]
        e2 = [sad(j, j - 2), sad(j, j - 1), sad(j + 1, j), sad(j + 2, j)]
        x2 = curve(S2, e2) if min(S2) == S2[1] else math.nan
        lr = j - m + x2 if not math.isnan(x2) else j - m + vfit(*S2)
        L = i - at_phase(psi[i] - 2 * math.pi)
        Lr = at_phase(psi[m] + 2 * math.pi) - m
        rows.append((b - vfit(*S) - L, lf - L, lr - Lr, 0.5 * (lf - L + lr - Lr)))
    a = np.array(rows)
    print(f"{pre}: {c} frames a beat, frames {first}-{last - 1}, {len(a)} lags")
    for k, name in enumerate(("vfit", "fwd", "rev", "sym")):
        err = a[:, k]
        w = np.array([err[s:s + 6].mean() for s in range(len(err) - 5)])
        print(f"  {name:5s} mean {err.mean():+.4f}  sd {err.std():.4f}  6-frame means: sd {w.std():.4f}, "
              f"largest {np.abs(w).max():.4f}")
    print(f"  corr(fwd, rev) {np.corrcoef(a[:, 1], a[:, 2])[0, 1]:+.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    analyse(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None,
            int(sys.argv[3]) if len(sys.argv) > 3 else None)
