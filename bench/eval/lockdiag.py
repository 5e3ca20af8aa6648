#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Why a late lock under drift is inaccurate, one row (a diagnostic, not part of make check).

usage: EVAL_DIR=/tmp/ev EVAL_STREAMS=/tmp/st EVAL_MATRIX=bench/eval/lockdrift.txt bench/eval/eval.sh
       bench/eval/lockdiag.py /tmp/ev ROW [kalman|linear] [--params P.json] [--trace LOG]

Reads run_<pred>_<ROW>/{frames,triggers}.csv and <ROW>_truth.csv from the run dir (eval.sh links
the truth there; the _params.json is looked for beside the truth's target, or give --params) and
prints:
  ref       the reference's period P (frames) against the true length of the beat it holds (the
            frames from ref_first_frame until the true phase has advanced 2 pi): P short of it
            leaves part of every beat outside the reference, where the match runs into the
            padding (sad_argmin >= P) and the phase holds
  holds     runs of locked frames with the same phase to the bit (a held match), by length
  bins      the matching error (true phase minus the true phase of the matched reference
            position, over the local rate, ms; + = the measured phase lags) in 16 bins of the
            beat: mean and sd, the target's bin marked
  drift     with the stream's xy_drift (from _params.json, a linear drift over T_run from 0): each
            trigger's live-frame shift against the reference's middle (drift_move) and its
            fractional part, with the live check (qa) and the true error, and the two means split
            by an x fraction within 0.2 of a half pixel or not: a matching bias that depends on
            the sub-pixel shift alternates beat to beat where the drift is near half a pixel a beat
  restarts  with --trace (bench/eval/ktrace.patch's OGATE_KTRACE log of the same run): the
            Kalman starts and restarts, and per trigger the time since the last one, the error and
            the filter's measured noise (frames)
"""
import bisect, csv, json, math, os, statistics as st, sys


def main():
    a = sys.argv[1:]
    opt = {}
    for k in ("--params", "--trace"):
        if k in a:
            i = a.index(k)
            opt[k] = a[i + 1]
            del a[i:i + 2]
    d, row = a[0], a[1]
    pred = a[2] if len(a) > 2 else "kalman"
    truth = f"{d}/{row}_truth.csv"
    tr = list(csv.DictReader(open(truth)))
    tt = [float(r["t_s"]) for r in tr]
    ps = [float(r["psi_rad"]) for r in tr]
    run = f"{d}/run_{pred}_{row}"
    trg = list(csv.DictReader(open(f"{run}/triggers.csv")))
    if not trg:
        sys.exit("lockdiag: no triggers")
    rf = int(trg[0]["ref_first_frame"])
    P = float(trg[0]["ref_period_frames"])
    dt = (tt[rf + int(P)] - tt[rf]) / int(P)

    def psi_at(t):
        i = min(max(bisect.bisect_left(tt, t), 1), len(tt) - 1)
        w = (t - tt[i - 1]) / (tt[i] - tt[i - 1])
        return ps[i - 1] + w * (ps[i] - ps[i - 1])

    j = bisect.bisect_left(ps, ps[rf] + 2 * math.pi)
    true_len = j - 1 + (ps[rf] + 2 * math.pi - ps[j - 1]) / (ps[j] - ps[j - 1]) - rf
    print(f"ref: P {P:.2f} frames, the beat it holds {true_len:.2f} ({100 * (P / true_len - 1):+.1f} %)")

    bins, runs, pad, prev, n = {}, {}, 0, None, 0
    for r in csv.DictReader(open(f"{run}/frames.csv")):
        if r["state"] != "locked" or not r["phase_rad"]:
            continue
        f, ph = int(r["frame"]), float(r["phase_rad"])
        if r["sad_argmin"] and int(r["sad_argmin"]) >= P:
            pad += 1
        if r["unwrapped_rad"] == prev:
            n += 1
        else:
            if n >= 2:
                runs[n] = runs.get(n, 0) + 1
            n = 1
        prev = r["unwrapped_rad"]
        if f + 1 >= len(ps):
            continue
        e = (ps[f] - psi_at(tt[rf] + ph / (2 * math.pi) * P * dt) + math.pi) % (2 * math.pi) - math.pi
        rate = (ps[f + 1] - ps[f - 1]) / (tt[f + 1] - tt[f - 1])
        bins.setdefault(min(int(ph / (2 * math.pi) * 16), 15), []).append(e / rate * 1000)
    print(f"holds: {sum(runs.values())} runs of >= 2 equal phases, {sum(k * v for k, v in runs.items())} frames;"
          f" {pad} locked frames matched into the padding; lengths " +
          " ".join(f"{k}:{runs[k]}" for k in sorted(runs)))
    tb = int(float(trg[0]["target_phase_rad"]) / (2 * math.pi) * 16)
    print("bins (matching error ms, mean/sd): " + "  ".join(
        f"{b}{'*' if b == tb else ''} {st.mean(v):+.1f}/{st.pstdev(v):.1f}" for b, v in sorted(bins.items())))

    pj = opt.get("--params") or os.path.realpath(truth).replace("_truth.csv", "_params.json")
    if os.path.exists(pj):
        p = json.load(open(pj))
        vy, vx = (c / p["T_run"] for c in p["xy_drift"])
        tm = tt[rf] + P / 2 * dt
        split = {0: [], 1: []}
        print("drift: trigger, shift (y, x) px, fraction, qa ms, true error ms")
        for r in trg:
            t = float(r["trigger_time_s"])
            sy, sx = vy * (t - tm), vx * (t - tm)
            fy, fx = sy - math.floor(sy), sx - math.floor(sx)
            qa = float(r["qa_error_s"]) * 1000 if r["qa_error_s"] else float("nan")
            e = float(r["error_s"]) * 1000
            print(f"  {r['trigger']:>3} ({sy:+.2f}, {sx:+.2f}) ({fy:.2f}, {fx:.2f}) {qa:+.2f} {e:+.2f}")
            if r["qa_error_s"]:
                split[abs(fx - 0.5) < 0.2].append((qa, e))
        for h, name in ((1, "x fraction near 1/2"), (0, "x fraction near 0")):
            if split[h]:
                print(f"  {name}: n {len(split[h])}, qa {st.mean(x[0] for x in split[h]):+.2f},"
                      f" error {st.mean(x[1] for x in split[h]):+.2f} ms")

    if "--trace" in opt:
        ks = [l.split() for l in open(opt["--trace"]) if l.startswith("KS")]
        kt = [l.split() for l in open(opt["--trace"]) if l.startswith("KT")]
        starts = [float(k[1]) for k in ks if k[4] == "n=0"]
        print(f"restarts: {len(starts)} starts; rate0 at each: " +
              " ".join(k[5][6:] for k in ks if k[4] == "n=0"))
        print("per trigger: s since the last start / error ms / measured noise frames")
        out = []
        for r in trg:
            t = float(r["decided_at_s"])
            last = max((x for x in starts if x <= t), default=float("nan"))
            sf = [float(k[8]) for k in kt if float(k[1]) <= t]
            out.append(f"{t - last:.2f}/{float(r['error_s']) * 1000:+.1f}/{sf[-1] if sf else float('nan'):.1f}")
        print("  " + " ".join(out))


if __name__ == "__main__":
    main()
