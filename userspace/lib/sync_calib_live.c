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
 * used only where they say the heart is steady and their offsets went round:
 *  - at up to CLV_MAX_FPB frames a beat (beyond, the lags at lock span offsets);
 *  - from CLV_MIN_BEATS complete beats after the first measured, up to CLV_BEATS;
 *  - the beats' means within CLV_STEADY of a beat of their line, and the line moving by at most
 *    that over them (few.txt's 5 % modulations at 6 frames a beat passed a gate in frames);
 *  - the mean length at least 1 / (beats) from a whole number of frames, so that the offsets
 *    went round once (lowfps.txt's 9.00, 12.00, 15.00-frame beats read one offset each beat);
 * delta is the line at the reference's middle, its slope taken as far as it stands out of the
 * scatter (t^2 / (t^2 + 1)) and the value shrunk likewise against its variance. Elsewhere, and
 * until then, the beat model's own delta stands (clv.model, sync_calib_live_apply). Not where
 * the beats after the reference are not measured (a frame resampled for drift: cal_ivl_ns 0).
 * Opt-in: make eval's kalman-acc 0.002-0.005 ms worse (docs/accuracy-log.md, "The reference's
 * length at few frames a beat").
 */
#include <math.h>
#include "sync_private.h"

/* used at up to this many frames a beat, where the beat model's lags share one offset */
#define CLV_MAX_FPB 20
/* complete beats before delta is read from them (CLV_BEATS at most) */
#define CLV_MIN_BEATS 8
/* the share of a beat by which the beats' means may scatter about their line, and the line move
 * over them, for the heart to count as steady: 0.14 frame at 18 frames a beat (the V fit's error
 * at their offsets scatters them 0.1-0.15 frame there), 0.05 at 6 */
#define CLV_STEADY 0.008

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
		s->clv.done = 1; /* all complete */
		return;
	}
	s->clv.cur = k;
	s->clv.sum[k] += y;
	s->clv.sx[k] += x;
	s->clv.n[k] += 1;
}

/* 1 and *delta (frames) once CLV_MIN_BEATS live beats are complete and steady, else 0 */
int sync_calib_live_delta(const struct ogate_sync *s, double *delta)
{
	double P = s->info.period_frames, xb[CLV_BEATS], yb[CLV_BEATS], xm = 0, ym = 0;
	int nb = 0;
	int nk = s->clv.done ? CLV_BEATS : s->clv.cur;
	if (!s->set.beat_delta_live || nk < CLV_MIN_BEATS)
		return 0;
	for (int k = 0; k < nk; k++) {
		if (!(s->clv.n[k] >= P / 2))
			continue;
		xb[nb] = s->clv.sx[k] / s->clv.n[k];
		yb[nb] = s->clv.sum[k] / s->clv.n[k];
		xm += xb[nb];
		ym += yb[nb];
		nb++;
	}
	if (nb < CLV_MIN_BEATS - 1)
		return 0;

	xm /= nb;
	ym /= nb;
	/* the frames' offsets must have gone round once over the beats: within 1 / nb of a whole
	 * number of frames a beat every beat is matched near one offset, as the lags are (unseen
	 * matrices' 9.00, 12.00 and 15.00-frame beats) */
	if (fabs(ym - round(ym)) * nb < 1)
		return 0;
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
	double s2 = rss / (nb - 2), sd = sqrt(s2), span = fabs(b) * (xb[nb - 1] - xb[0]);
	if (sd > CLV_STEADY * P || span > CLV_STEADY * P)
		return 0; /* the rate changes: the reference's beat is not read off these */
	/* the slope as far as it stands out of the scatter, t^2 / (t^2 + 1); the line at the
	 * reference's middle shrunk likewise against its variance */
	double t2 = s2 > 0 ? b * b * sxx / s2 : 0, sig = t2 / (t2 + 1);
	double d = ym - sig * b * xm - P, va = s2 / nb + xm * xm * sig * sig * s2 / sxx;
	*delta = d * d + va > 0 ? d * d * d / (d * d + va) : 0;
	return 1;
}

/* the beat model's delta: the live beats' where they give one, else the model's own */
void sync_calib_live_apply(struct ogate_sync *s)
{
	if (!s->set.beat_delta_live)
		return;
	double d;
	s->cal_delta = sync_calib_live_delta(s, &d) ? d : s->clv.model;
}
