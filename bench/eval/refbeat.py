#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The reference's own beat against its period P, per row, with the calibrated positions' tilt
(a diagnostic, not part of make check; docs/accuracy-log.md "The calibration's tilt under drift").

usage: bench/eval/refbeat.py [--pred kalman|linear] EVAL_DIR [EVAL_DIR ...]

For every row run of the first EVAL_DIR: its first reference's P (frames) and delta = the true
length of the beat that starts at the reference's first frame (from the truth's unwrapped phase,
in the reference's mean frame interval) minus P: the reference holds P + delta frames of that beat,
so the raw phase falls back by delta at every wrap and the calibration table learns delta u / P.
Then per EVAL_DIR (the same streams gated otherwise): the matched positions' tilt over the beat
and their error at target_u (uprofile.py's fit, frames, measured - true) and the trigger mean (ms).
"""
import json, math, os, subprocess, sys

import evalrun

args = sys.argv[1:]
pred = "kalman"
if len(args) > 1 and args[0] == "--pred":
    pred, args = args[1], args[2:]
if not args:
    sys.exit(__doc__)
here = os.path.dirname(os.path.abspath(__file__))


def profile(d, row):
    out = subprocess.run([sys.executable, os.path.join(here, "uprofile.py"), row, "--pred", pred, d],
                         capture_output=True, text=True).stdout.splitlines()
    v = {l.split()[0]: float(l.split()[-1]) for l in out if l.startswith(("tilt", "at target"))}
    return v.get("tilt", math.nan), v.get("at", math.nan)


print(f"row: P, delta (frames) | per dir: tilt, at target (frames), trigger mean (ms); dirs {' '.join(args)}")
for name in sorted(n for n, *_ in evalrun.runs(args[0], pred)):
    run, tt, U, P, first, ivl, t0, Ut, tU = evalrun.reference_truth(args[0], name, pred)
    delta = (tU(Ut(t0) + 2 * math.pi) - t0) / ivl - P
    cols = []
    for d in args:
        try:
            mean = json.load(open(f"{d}/run_{pred}_{name}/summary.json"))["trigger_error"]["mean_ms"]
        except (OSError, KeyError, ValueError):
            cols.append("    -")
            continue
        tilt, at = profile(d, name)
        cols.append(f"{tilt:+.3f} {at:+.3f} {mean:+.3f}")
    print(f"{name:26s} {P:7.3f} {delta:+.3f} | " + " | ".join(cols))
