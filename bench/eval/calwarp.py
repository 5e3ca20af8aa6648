#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The calibration's correction against the reference's own map, one row (a diagnostic, not part of
make check; docs/accuracy-log.md, "The calibration's gate at many frames a beat").
usage: [GATE=1] bench/eval/calwarp.py ROW DIR CAL0_DIR [kalman|linear]
DIR and CAL0_DIR hold run_<pred>_ROW/ and ROW_truth.csv of the same stream gated as is and with
`sync.calibrate = 0` (same reference: the matching of a frame does not depend on the calibration,
so the difference of the two runs' phases on a frame is the correction the calibration applied).
Per 16-frame bin of raw position: "applied" (calibrated - raw position, frames), "rawerr" (the raw
match against truth, measured - true: the error a correction should take out), "table" (the table
the one-beat line residuals of the raw phases would build, as sync_calib_update does, residuals
beyond GATE frames dropped: 1 as the library), and "-(w-wbar)" (minus the reference's own map bow:
the true phase of reference frame u as an even position, less u, less its mean; a reference taken
while the rate changed within its beat). The last lines: the samples the gate kept, and at the
target the applied correction against the ideal one (minus the raw error there).
"""
import csv, json, math, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evalrun
row, dd, dn = sys.argv[1], sys.argv[2], sys.argv[3]
pred = sys.argv[4] if len(sys.argv) > 4 else "kalman"
def load(d):
    fr = list(csv.DictReader(open(f"{d}/run_{pred}_{row}/frames.csv")))
    S = json.load(open(f"{d}/run_{pred}_{row}/summary.json"))["reference"]
    return fr, S
fd, S = load(dd); fn, Sn = load(dn)
assert S["first_frame"] == Sn["first_frame"] and abs(S["period_frames"] - Sn["period_frames"]) < 1e-9, "refs differ"
P, first, tu = S["period_frames"], S["first_frame"], S["target_u"]
tr = list(csv.DictReader(open(f"{dd}/{row}_truth.csv")))
psi = [float(r["psi_rad"]) for r in tr]; tt = [float(r["t_s"]) for r in tr]
U = [psi[0]]
for k in range(1, len(psi)): U.append(U[-1] + ((psi[k] - psi[k-1] + math.pi) % (2*math.pi) - math.pi))
def Uat(x):
    i = int(math.floor(x)); return U[i] + (x - i) * (U[i+1] - U[i])
tot = Uat(first + P) - Uat(first)
warp = lambda u: (Uat(first + u) - Uat(first)) / tot * P - u   # uniform-phase position minus raw
NB = int(math.ceil(P / 4))
W = P / NB
def ph(r): return float(r["phase_rad"]) if r["phase_rad"] not in ("", "nan") else None
# applied correction (def - nocal, same frame), raw matching error (nocal), by raw position
cs, cn, es, en = [0.0]*NB, [0]*NB, [0.0]*NB, [0]*NB
pidx = evalrun.ref_phase(psi, tt, first, P)
errs = {k: e for k, u, e in evalrun.frame_errors(fn, psi, first, P, pidx, with_frame=True)}
for a, b in zip(fd, fn):
    pa, pb = ph(a), ph(b)
    k = int(a["frame"])
    if pa is None or pb is None or k < first + 2 * P: continue
    ua, ub = pa * P / (2*math.pi), pb * P / (2*math.pi)
    c = (ua - ub + P/2) % P - P/2
    bi = int(ub / W) % NB
    cs[bi] += c; cn[bi] += 1
    if k in errs: es[bi] += errs[k]; en[bi] += 1
# simulated table: one-beat line residuals of the raw (nocal) phases at the middle frame
M = round(P)
import os
GATE = float(os.environ.get("GATE", "1"))
raw = []
for r in fn:
    p = ph(r); raw.append((float(r["t_s"]), p))
ts, rs, ns = [0.0]*NB, [0]*NB, 0
un = []
prev = None
for t, p in raw:
    if p is None: un.append(None); prev = None; continue
    if prev is None: v = p
    else: v = prev + ((p - prev % (2*math.pi) + math.pi) % (2*math.pi) - math.pi)
    un.append(v); prev = v
for i in range(M - 1, len(raw)):
    seg = un[i-M+1:i+1]
    if any(v is None for v in seg): continue
    tseg = [raw[j][0] for j in range(i-M+1, i+1)]
    tm = sum(tseg)/M; pm = sum(seg)/M
    sxx = sum((x-tm)**2 for x in tseg); sxy = sum((x-tm)*(y-pm) for x, y in zip(tseg, seg))
    c = i - M + 1 + M // 2
    res = (un[c] - (pm + sxy/sxx*(raw[c][0]-tm))) * P / (2*math.pi)
    ns += 1
    if abs(res) > GATE or c < first + 2 * P: continue
    u = (raw[c][1] * P / (2*math.pi)) % P
    bi = int(u / W) % NB
    ts[bi] += res; rs[bi] += 1
wbar = sum(warp(u + 0.5) for u in range(int(P))) / int(P)
tab = [ts[b]/rs[b] if rs[b] else float("nan") for b in range(NB)]
tmean = sum(x for x in tab if x == x) / sum(1 for x in tab if x == x)
print(f"{row} ({pred}): P {P:.2f} target_u {tu:.1f}; frames (positions)")
print(f"{'u':>7s} {'applied':>8s} {'rawerr':>7s} {'table':>7s} {'-(w-wbar)':>9s}")
for b in range(0, NB, 4):
    lo = b * W
    sel = range(b, min(b+4, NB))
    f = lambda s, n: sum(s[i] for i in sel) / max(1, sum(n[i] for i in sel))
    mark = " <- target" if lo <= tu < lo + 4*W else ""
    print(f"{lo:7.1f} {f(cs,cn):+8.3f} {f(es,en):+7.3f} {f(ts,rs)-tmean:+7.3f} {-(warp(lo+2*W)-wbar):+9.3f}{mark}")
bt = int(tu / W)
sel = range(max(0, bt-1), min(NB, bt+2))
app = sum(cs[i] for i in sel)/max(1,sum(cn[i] for i in sel))
rer = sum(es[i] for i in sel)/max(1,sum(en[i] for i in sel))
tb = sum(ts[i] for i in sel)/max(1,sum(rs[i] for i in sel)) - tmean
print(f"samples kept {sum(rs)} of {ns} (gate {GATE} frames)")
print(f"at target: applied correction {app:+.3f} (calibrated - raw); ideal {-rer:+.3f} (minus the raw matching error);"
      f" table's shape {tb:+.3f}; -(w(tu)-wbar) {-(warp(tu)-wbar):+.3f}; so the pin's level (applied - table) {app - tb:+.3f},"
      f" ideal pin level {-rer - tb:+.3f}")
