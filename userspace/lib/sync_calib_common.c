// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The error common to all positions at one sub-frame offset.
 *
 * What the position table (sync_calib.c) leaves is the part of the matching error that depends only on where a
 * frame falls between two reference frames, c(x) (x = the offset from the reference frame before
 * it): on the real-heartbeat model frames half-way are matched ~0.05 frame early at every
 * position, frames at a reference frame exactly are not (c(0) = 0). Within one beat every frame
 * has about the same offset, so a line through the beat is shifted by c(x) as a whole and its
 * residuals cannot see it. Consecutive beats have other offsets (the period is not a whole number
 * of frames), and the heart's phase is continuous where they meet: the lines through the two
 * beats either side of a frame boundary, each evaluated at that boundary, differ by the mean of c
 * over the later beat's offsets minus that over the earlier one's. A curving phase (rate
 * modulation) shifts both lines' ends the same way and cancels. Every locked frame adds that
 * equation (c at offsets 0, 1/4, 1/2, 3/4, split linearly) to least-squares normal equations,
 * regularised by one beat's worth of samples; c's level cancels in every equation and is set
 * apart (sync_calib_common_level). About one equation in M = round(P) is independent: an
 * offset's estimate is used (subtracted from later frames with the table) only beyond twice its
 * standard error (residual variance x M x the inverse normal matrix); nothing where c is flat or
 * the offsets do not change from beat to beat.
 */
#include <math.h>
#include "sync_private.h"

#define CC_N 4

static void offset_shares(double o, double sd, double w[CC_N]);

static void offset_bins(double off, int *b0, int *b1, double *f)
{
	double x = off * CC_N, fl = floor(x);
	*f = x - fl;
	*b0 = ((int)fl % CC_N + CC_N) % CC_N;
	*b1 = (*b0 + 1) % CC_N;
}

/*
 * sync.beat_common (opt-in): the lags at lock corrected by c over their offsets. A lag of y frames
 * is a match at offset frac(y), c long: at 49.8 frames a beat (blob128_fast0.25s_200fps) all lie
 * at 0.77, 0.06 frame short, as do P and the beats after the reference (at 0.23; c is odd), so
 * delta was -0.003 for a true +0.068 (docs/accuracy-log.md, "The beat model's delta at one
 * offset"). c is shrunk by t^2 / (t^2 + 1) (ccn), not cut at 2 se as cc, and N re-fitted as it
 * moves. Correcting the beats after the reference too (at their own offsets) was worse.
 */
static void beat_common_lags(struct ogate_sync *s)
{
	const double *R = s->cal_raw0;
	double nl = R[0], y = nl > 0 ? R[2] / nl : 0, w[CC_N], c = 0;
	offset_shares(y - floor(y), nl > 1 ? sqrt(fmax(R[5] / nl - y * y, 0)) : 0, w);
	for (int b = 0; b < CC_N; b++) /* c over the lags' offsets, spread as their lengths */
		c -= w[b] * s->ccn[b];
	double v[6] = { 0, 0, nl * c, 0, c * R[1], 2 * c * R[2] + nl * c * c };
	for (int j = 0; j < 6; j++) { /* the beats after the reference's sums stay in cal_lags */
		s->cal_lags[j] += R[j] + v[j] - s->cal_lag0[j];
		s->cal_lag0[j] = R[j] + v[j];
	}
}

double sync_calib_common(const struct ogate_sync *s, double w, double *off)
{
	double y = ogate_ref_index(s->pos, (size_t)s->L, w), o = y - floor(y);
	*off = o;
	if (!s->set.calibrate || !s->cal_n)
		return 0;
	int b0, b1;
	double f;
	offset_bins(o, &b0, &b1, &f);
	return (1 - f) * s->cc[b0] + f * s->cc[b1];
}

/* The value at time tb (s from t0) of the unweighted line through history entries [k0, k0 + M)
 * of the phase without the common correction (rad). That value is a weighted sum of the
 * entries, weight 1/M + (t - tm)(tb - tm)/Sxx each, so an error c(offset) of every entry moves it
 * by the same sum of c: sign times those weights, split by offset, are added to v. */
static double line_at(const struct ogate_sync *s, int k0, int M, int64_t t0, double tb, double *v,
		      int sign)
{
	double tm = 0, pm = 0, sxx = 0, sxy = 0, P = s->info.period_frames;
	for (int k = k0; k < k0 + M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		tm += (double)(e->t_ns - t0) * 1e-9;
		pm += e->unw + 2 * M_PI * e->c2 / P;
	}
	tm /= M;
	pm /= M;
	for (int k = k0; k < k0 + M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		double dt = (double)(e->t_ns - t0) * 1e-9 - tm;
		sxx += dt * dt;
		sxy += dt * (e->unw + 2 * M_PI * e->c2 / P - pm);
	}
	if (!(sxx > 0))
		return NAN;
	for (int k = k0; k < k0 + M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		double wt = 1.0 / M + ((double)(e->t_ns - t0) * 1e-9 - tm) * (tb - tm) / sxx, f;
		int b0, b1;
		offset_bins(e->off, &b0, &b1, &f);
		v[b0] += sign * (1 - f) * wt;
		v[b1] += sign * f * wt;
	}
	return pm + sxy / sxx * (tb - tm);
}

/* E[(X - a)+] for X ~ N(mu, sd^2), t = mu - a */
static double ramp_mean(double t, double sd)
{
	return t * 0.5 * erfc(-t / (sd * M_SQRT2)) +
	       sd * exp(-0.5 * t * t / (sd * sd)) / sqrt(2 * M_PI);
}

/*
 * The share of each offset bin (0, 1/4, 1/2, 3/4, split linearly as sync_calib_common does) in
 * c for offsets spread as N(o, sd^2): the normal's mean of the bin's hat (half-width 1/4, every
 * frame); the hats at o alone for sd = 0. sync_calib_common_level: a frame truly at a reference
 * frame (o = 0) measured with a spread sd; beat_common_lags: the lags at lock. */
static void offset_shares(double o, double sd, double w[CC_N])
{
	const double h = 1.0 / CC_N;
	for (int b = 0; b < CC_N; b++) {
		w[b] = 0;
		for (int n = -3; n <= 3 && sd > 0; n++) { /* the hat at b h + n (offsets periodic) */
			double t = o - (b * h + n);
			if (fabs(t) > h + 8 * sd)
				continue; /* beyond 8 sd: the ramps are 0 or linear, their difference 0 */
			w[b] += (ramp_mean(t + h, sd) - 2 * ramp_mean(t, sd) + ramp_mean(t - h, sd)) / h;
		}
	}
	int b0, b1;
	double f, sum = w[0] + w[1] + w[2] + w[3]; /* 1 but for the hats beyond +-3 frames */
	if (!(sd > 0)) {			   /* o's own hats */
		offset_bins(o, &b0, &b1, &f);
		w[b0] = 1 - f;
		w[b1] += f;
		sum = 1;
	}
	for (int b = 0; b < CC_N; b++)
		w[b] /= sum;
}

void sync_calib_common_level(double sd, double w[CC_N])
{
	offset_shares(0, sd, w);
}

void sync_calib_common_update(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	int M = (int)lround(P);
	if (!s->set.calibrate || !s->cal_n || M < 5 || 2 * M > s->hn)
		return;
	for (int k = 0; k < 2 * M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		if (e->ref_id != s->info.id || (k < 2 * M - 1 && e->gap_before))
			return;
	}
	int64_t t0 = sync_hist_at(s, 0)->t_ns;
	double tb = 0.5 * (double)(sync_hist_at(s, M - 1)->t_ns + sync_hist_at(s, M)->t_ns - 2 * t0) *
		    1e-9;
	double v[CC_N] = { 0 };
	double later = line_at(s, 0, M, t0, tb, v, 1), earlier = line_at(s, M, M, t0, tb, v, -1);
	double d = (later - earlier) * P / (2 * M_PI);
	if (!isfinite(d) || fabs(d) > 1)
		return; /* a mismatch or a slip, not a sample */
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++)
			s->cg[i][j] += v[i + 1] * v[j + 1];
		s->cv[i] += v[i + 1] * d;
	}
	s->cdd += d * d;
	s->cn++;
	double x[3];
	sync_calib_solve3((const double(*)[3])s->cg, s->cv, P, x);
	/* residual variance of the samples; consecutive samples share all but one frame of their
	 * two beats, so only about one in M is independent: the estimate's variance is
	 * sigma^2 M (G + lambda)^-1, and an offset's value is used only beyond twice its standard
	 * error */
	double rss = s->cdd, gx[3];
	for (int i = 0; i < 3; i++) {
		gx[i] = 0;
		for (int j = 0; j < 3; j++)
			gx[i] += s->cg[i][j] * x[j];
		rss += -2 * x[i] * s->cv[i] + x[i] * gx[i];
	}
	double sig2 = s->cn > 3 ? (rss > 0 ? rss : 0) / (s->cn - 3) : HUGE_VAL;
	for (int i = 0; i < 3; i++) {
		double e[3] = { 0, 0, 0 }, col[3];
		e[i] = 1;
		sync_calib_solve3((const double(*)[3])s->cg, e, P, col);
		double var = sig2 * M * col[i], t2 = x[i] * x[i];
		s->cc[i + 1] = t2 > 4 * var ? x[i] : 0;
		s->ccn[i + 1] = t2 + var > 0 && var < HUGE_VAL ? x[i] * t2 / (t2 + var) : 0;
	}
	/* c's level: a frame truly at a reference frame's phase is matched without error on average
	 * (as the pin assumes) but measured at offsets spread about 0 by its noise (the table's pooled
	 * spread: 0.07-0.13 frame at 9-30 frames a beat), so c is shifted until the bins near 0, in
	 * sync_calib_common_level's shares, give it 0 (c(0) = 0 moved every position by up to 0.05
	 * frame: docs/accuracy-log.md, "The <= 30 fps rows' bias") */
	s->cc[0] = 0;
	if ((s->cn & 7) == 1 || !(s->cw[0] > 0)) /* the spread moves slowly: every 8 samples */
		sync_calib_common_level(s->cal_wt > s->cal_n && s->cal_ss > 0
						? sqrt(s->cal_ss / (s->cal_wt - s->cal_n))
						: 0,
					s->cw);
	double a = 0, an = 0;
	s->ccn[0] = 0; /* levelled as cc */
	for (int b = 0; b < CC_N; b++) {
		a += s->cw[b] * s->cc[b];
		an += s->cw[b] * s->ccn[b];
	}
	for (int b = 0; b < CC_N; b++) {
		s->cc[b] -= a;
		s->ccn[b] -= an;
	}
	if (s->set.beat_common && (s->cn & 7) == 0 && s->cal_ivl_ns > 0 &&
	    s->cal_lags[0] > s->cal_lag0[0]) { /* N re-fitted on the lags corrected by ccn */
		beat_common_lags(s);
		sync_calib_beat_refit(s);
	}
}
