// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The reference beat's length from the live beats (sync.beat_delta_live, opt-in).
 *
 * The calibration's pin needs delta, the reference beat's true length less its period P in
 * frames (sync_calib.c, the beat model N: a reference 0.08 frame long leaves the trigger late by
 * delta (u_t / P - 1/2) frames). The beat model reads it from the lags at lock and the half beat
 * after the reference, each a match by the V fit; at few frames a beat a steady heart's lags all
 * lie at P's sub-frame offset and the frames one beat after the reference at its complement, so
 * the V fit's error there is common to both and cancels out of delta: pinband.txt's 18-frame rows
 * read delta 0 (shrunk) where the reference is 0.08 frame long (P 17.900 for a 17.818-frame beat,
 * the trigger +2.6 ms late; the true delta set by hand, +0.1 ms).
 *
 * Here a live frame's beat length is measured against the live beat before it at the same
 * position: the time since the raw unwrapped position was one period lower, interpolated between
 * the two frames that bracket it. Both ends are matches at the same position, so the error
 * pattern along the reference (which the position table learns) cancels, and from beat to beat
 * the frames fall at offsets that move (the period is not a whole number of frames), so the V
 * fit's error at one offset averages out instead of being shared. On a steady heart their mean is
 * the reference's true length (pinband.txt, all eight rows within 0.01 frame of the truth over
 * the run). A modulated rate makes the beats after the reference differ from it, and a line
 * through them taken back to it misses by the modulation's curve (make eval's
 * blob128_T042_80fps, 2 % over 17 beats: -0.72 frame for a true +0.03), so the live beats are
 * used only where a heart is steady: at up to CLV_MAX_FPB frames a beat (beyond, the lags at
 * lock span offsets), over CLV_BEATS beats from the first measured, their beats' means within
 * CLV_STEADY of a line and that line moving by at most CLV_STEADY over them; delta is the line
 * at the reference's middle. Until those beats are measured, and where they are not steady, the
 * beat model's own delta stands. Not where the beats after the reference are not measured (a
 * frame resampled for drift: cal_ivl_ns is 0). Opt-in: unseen-104's strongly modulated rows
 * pass a looser gate and lose (docs/accuracy-log.md, "The reference's length at few frames a
 * beat").
 */
#include <math.h>
#include "sync_private.h"

/* used at up to this many frames a beat, where the beat model's lags share one offset */
#define CLV_MAX_FPB 20
/* frames: the beats' means may scatter this much (the V fit's error at their offsets, 0.1-0.15
 * frame at 18 frames a beat) for the heart to count as steady */
#define CLV_STEADY 0.15

/* the newest frame's beat length in frames of the reference's interval ivl (ns), NAN where the
 * frames one beat before it are not in the history of this reference without a gap */
static double live_length(const struct ogate_sync *s, double P, double ivl)
{
	const struct hist *e0 = sync_hist_at(s, 0);
	double ut = e0->raw * P / (2 * M_PI) - P;
	for (int k = 1; k < s->hn && k <= 2 * P + 2; k++) {
		const struct hist *a = sync_hist_at(s, k - 1), *b = sync_hist_at(s, k);
		if (b->ref_id != s->info.id || a->gap_before)
			return NAN;
		double ua = a->raw * P / (2 * M_PI), ub = b->raw * P / (2 * M_PI);
		if (ub <= ut && ut < ua) {
			double tp = (double)b->t_ns +
				    (ut - ub) / (ua - ub) * (double)(a->t_ns - b->t_ns);
			return ((double)e0->t_ns - tp) / ivl;
		}
	}
	return NAN;
}

void sync_calib_live_update(struct ogate_sync *s)
{
	double P = s->info.period_frames, ivl = s->cal_ivl_ns;
	if (!s->set.beat_delta_live || !(P > 0) || P > CLV_MAX_FPB || !(ivl > 0) || s->clv.done ||
	    s->hn < 2 || sync_hist_at(s, 0)->ref_id != s->info.id)
		return;
	double y = live_length(s, P, ivl);
	if (!(fabs(y - P) < 0.25 * P))
		return;
	double x = ((double)sync_hist_at(s, 0)->t_ns - (double)s->info.first_ns) / ivl - y / 2 - P / 2;
	if (s->clv.n[0] == 0)
		s->clv.x0 = x;
	int k = (int)floor((x - s->clv.x0) / P);
	if (k < 0)
		return; /* a beat whose middle falls before the first one's (read long) */
	if (k >= CLV_BEATS) {
		s->clv.done = 1;
		return;
	}
	s->clv.sum[k] += y;
	s->clv.sx[k] += x;
	s->clv.n[k] += 1;
}

/* 1 and *delta (frames) once the live beats are measured and steady, else 0 */
int sync_calib_live_delta(const struct ogate_sync *s, double *delta)
{
	double P = s->info.period_frames, xb[CLV_BEATS], yb[CLV_BEATS], xm = 0, ym = 0;
	int nb = 0;
	if (!s->set.beat_delta_live || !s->clv.done)
		return 0;
	for (int k = 0; k < CLV_BEATS; k++) {
		if (!(s->clv.n[k] >= P / 2))
			continue;
		xb[nb] = s->clv.sx[k] / s->clv.n[k];
		yb[nb] = s->clv.sum[k] / s->clv.n[k];
		xm += xb[nb];
		ym += yb[nb];
		nb++;
	}
	if (nb < CLV_BEATS - 1)
		return 0;
	xm /= nb;
	ym /= nb;
	double sxx = 0, sxy = 0, rss = 0;
	for (int k = 0; k < nb; k++) {
		sxx += (xb[k] - xm) * (xb[k] - xm);
		sxy += (xb[k] - xm) * (yb[k] - ym);
	}
	double b = sxx > 0 ? sxy / sxx : 0;
	for (int k = 0; k < nb; k++) {
		double r = yb[k] - ym - b * (xb[k] - xm);
		rss += r * r;
	}
	double sd = sqrt(rss / (nb - 2)), span = fabs(b) * (xb[nb - 1] - xb[0]);
	if (sd > CLV_STEADY || span > CLV_STEADY)
		return 0; /* the rate changes: the reference's beat is not read off these */
	*delta = ym - b * xm - P;
	return 1;
}
