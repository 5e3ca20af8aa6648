#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Two settings' trigger means row by row, ordered by frames a beat (issue 9, session 20, pinband;
docs/accuracy-log.md, "Does the pin at the live offsets hold at many frames a beat").

  fpbcmp.py logs MATRIX OFF.log ON.log [OFF2.log ON2.log ...]
      eval.sh logs (one pair per seed): a markdown table, each row's frames a beat (fps x period)
      and its mean (ms) per seed, off -> on, for kalman-acc and linear
  fpbcmp.py sweep MATRIX DIR_OFF DIR_ON [PREDICTOR ...]
      sweep.py run directories: the rows whose mean moves by >= 0.05 ms, then mean |mean| / mean
      RMS off -> on and the rows better / worse by > 0.01 ms, in bands of frames a beat
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import combotable  # noqa: E402

BANDS = [(0, 13), (13, 20), (20, 30), (30, 45), (45, 70), (70, float("inf"))]


def rows(matrix):
    out = {}
    for line in open(matrix):
        t = line.split("#")[0].split()
        if len(t) >= 13:
            out[t[0]] = (t[1], float(t[3]) * float(t[4]))
    return out


def parse_log(path):
    """{predictor: {row: (mean_ms, rms_ms)}} from one eval.sh log (combotable.parse_log's rows)."""
    return {p: {r: (v[1], v[0]) for r, v in rs.items()} for p, rs in combotable.parse_log(path).items()}


def logs(matrix, paths):
    m = rows(matrix)
    pairs = [(parse_log(a), parse_log(b)) for a, b in zip(paths[::2], paths[1::2])]
    print("| row | frames a beat | kalman-acc off → on | linear off → on |")
    print("|---|---|---|---|")
    for n, (_, fpb) in sorted(m.items(), key=lambda x: x[1][1]):
        cells = []
        for p in ("kalman-acc", "linear"):
            a = " / ".join("%+.2f" % b[p][n][0] for b, _ in pairs if n in b.get(p, {}))
            c = " / ".join("%+.2f" % o[p][n][0] for _, o in pairs if n in o.get(p, {}))
            cells.append("%s → %s" % (a, c))
        print("| %s | %.1f | %s | %s |" % (n, fpb, cells[0], cells[1]))


def summary(d, p, n):
    try:
        te = json.load(open(os.path.join(d, "run_%s_%s" % (p, n), "summary.json")))["trigger_error"]
        return te["mean_ms"], te["rms_ms"]
    except (OSError, ValueError, KeyError):
        return None


def sweep(matrix, d0, d1, preds):
    m = rows(matrix)
    for p in preds or ["kalman-acc", "linear"]:
        print("##", p)
        got = []
        for n, (model, fpb) in m.items():
            a, b = summary(d0, p, n), summary(d1, p, n)
            if a and b:
                got.append((fpb, a, b))
                if abs(b[0] - a[0]) >= 0.05:
                    print("%-32s %-4s %6.1f fpb  %+.3f -> %+.3f  rms %.3f -> %.3f" % (n, model, fpb, a[0], b[0], a[1], b[1]))
        for lo, hi in BANDS + [(0, float("inf"))]:
            v = [(a, b) for f, a, b in got if lo <= f < hi]
            if not v:
                continue
            k = len(v)
            print("  fpb %5.0f-%-5s n %2d  %.3f / %.3f -> %.3f / %.3f  better %d worse %d" % (
                lo, "" if hi == float("inf") else "%.0f" % hi, k,
                sum(abs(a[0]) for a, _ in v) / k, sum(a[1] for a, _ in v) / k,
                sum(abs(b[0]) for _, b in v) / k, sum(b[1] for _, b in v) / k,
                sum(abs(b[0]) < abs(a[0]) - 0.01 for a, b in v), sum(abs(b[0]) > abs(a[0]) + 0.01 for a, b in v)))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "logs":
        logs(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "sweep":
        sweep(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        sys.exit(__doc__)
