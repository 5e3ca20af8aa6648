# SPDX-License-Identifier: GPL-2.0 OR MIT
"""What a build with bench/eval/livedump.patch writes (OGATE_LIVEDUMP=DUMP), read the one way
livefit.py and livelevel.py share.

LiveDump(run, truth)  an ogate-emulate run (RUNDIR: triggers.csv, frames.csv) of a stream and its
                      truth (TRUTH.csv); .P the first reference's period in frames
.frames(dump)         each dump line of a frame from two periods after the first reference was
                      taken (as evalrun.frame_errors): Frame(k, b, L, P, pos, S, T), k the run's
                      frame, b the valley, L the reference's length, P its period, pos the
                      reference positions of b-2..b+2, S and T the SADs and SSDs against them
.error(f, x)          an offset x (frames) from b mapped to a reference position u as main does
                      (linear between positions) and its error against the truth: (u, e), e in
                      frames, + = late
"""
import bisect, collections, csv, math, os, sys

sys.path.insert(0, os.path.dirname(__file__))
import evalrun

Frame = collections.namedtuple("Frame", "k b L P pos S T")


class LiveDump:
    def __init__(self, run, truth):
        tr = list(csv.DictReader(open(truth)))
        self.psi = [float(r["psi_rad"]) for r in tr]
        tt = [float(r["t_s"]) for r in tr]
        trig = list(csv.DictReader(open(run + "/triggers.csv")))
        fr = list(csv.DictReader(open(run + "/frames.csv")))
        self.first, self.P, _, self.pidx = evalrun.first_reference(trig, self.psi, tt)
        self.t2k = {round(float(r["t_s"]), 6): int(r["frame"]) for r in fr}
        self.ts = sorted(self.t2k)
        self.base = self.pidx(0)

    def frames(self, dump):
        psi, ts = self.psi, self.ts
        for line in open(dump):
            v = line.split()
            t = int(v[0]) / 1e9 - 1.0
            i = bisect.bisect_left(ts, t - 1e-6)
            if i >= len(ts) or abs(ts[i] - t) > 2e-6:
                continue
            k = self.t2k[ts[i]]
            if k < self.first + 2 * self.P or not 0 < k < len(psi) - 1:
                continue
            yield Frame(k, int(v[1]), int(v[2]), float(v[3]), list(map(float, v[4:9])),
                        list(map(float, v[9:14])), list(map(float, v[14:19])))

    def error(self, f, x):
        pos, psi, k, base = f.pos, self.psi, f.k, self.base
        u = pos[2] + x * ((pos[3] - pos[2]) if x >= 0 else (pos[2] - pos[1]))
        d = ((psi[k] - base) % (2 * math.pi) - (self.pidx(u) - base) + math.pi) % (2 * math.pi) - math.pi
        return u, -d / ((psi[k + 1] - psi[k - 1]) / 2)
