// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Self-calibration of a reference's positions.
 *
 * However the sub-frame offset is estimated, a frame at a given heart phase is matched with an
 * error that is the same every beat: it depends on where that phase lies between two reference
 * frames, on how the image trajectory curves there (a chamber turning round is not a straight
 * path in image space) and on the noise frozen into those reference frames. Averaged over a
 * beat it is ~0, but the fit that predicts a trigger only spans the frames since the barrier,
 * so the error of those few positions becomes a fixed trigger bias (0.5-2 ms on the cartoon
 * heart, differing from stream to stream with where the reference happened to start).
 *
 * The heart's phase is close to linear in time over one beat, so the error can be measured
 * without ground truth: for every locked frame a line is fitted through the raw phases of the
 * last round(P) frames (one beat, no gap, one reference) and the middle frame's residual is added
 * to a table of CAL_R bins per reference frame at its raw position (split linearly). A new
 * frame's position is corrected by the table there, shrunk towards 0 while a bin has few samples
 * (sum / (weight + CAL_K0)), or with sync.calibrate_prior towards the reference beat's own map
 * ((sum + CAL_K0 N) / (weight + CAL_K0)). The table belongs to one reference.
 *
 * A line through one beat cannot tell a constant offset of every position from a shift in time,
 * so the table alone leaves the mean error over the beat (0.05-0.1 frame, ~1 ms, on the
 * real-heartbeat model). It is pinned where the truth is known: a frame at the phase of reference
 * frame j is matched exactly at j (ogate_step_offset returns 0 there whatever the steps), so the
 * table's mean at the reference frames' own positions is set to 0.
 *
 * The same residuals give each position's spread (sync_calib_spread), the fit's variance. The
 * error is the same every beat only at a *true* phase, the table indexed by the *raw* one: at
 * 6-8 frames a beat a frame half-way between two distant reference frames can be matched
 * 0.5-1.2 frame on where frames truly at the next one are exact: one raw position, two errors,
 * which a modulated rate mixes from beat to beat. No correction removes that; a small weight does.
 *
 * The error common to every position at one sub-frame offset, which this table cannot see, is
 * learnt apart (sync_calib_common.c).
 */
#include <math.h>
#include <string.h>
#include "sync_private.h"

#define CAL_R 4	   /* bins per reference frame */
#define CAL_K0 1.0 /* shrinkage: a bin counts fully after a few samples */
/* reference frames for the pin's fit of N through the table (update_anchor) */
#define CAL_PIN_FIT 6

static void update_anchor(struct ogate_sync *s);
static void beat_fit(struct ogate_sync *s);
static double beat_model_mean(const struct ogate_sync *s);

/* reference.lag_ssd = 2: the V fit's error at the lags' sub-frame offset (their mean SSD less
 * V-fit lag), where they lie at one offset (their lengths' sd below CAL_ONE_OFFSET), else 0 */
#define CAL_ONE_OFFSET 0.25
static double lock_lags_c(const struct seq *q)
{
	double n = q->lags[0], m = n > 0 ? q->lags[2] / n : 0;
	double v = n > 1 ? q->lags[5] / n - m * m : 0;
	return n > 0 && v < CAL_ONE_OFFSET * CAL_ONE_OFFSET ? q->lag_c : 0;
}

/* the distance of two sub-frame offsets, on the circle */
static double offset_gap(double a, double b)
{
	double d = fabs((a - floor(a)) - (b - floor(b)));
	return d > 0.5 ? 1 - d : d;
}

/* The beat-length line back to the lags at lock alone (the reference's sequence q): its trend and
 * sums, none of the beats measured after the reference. */
static void take_lock_lags(struct ogate_sync *s, const struct seq *q)
{
	double c = s->set.lag_ssd == 2 ? lock_lags_c(q) : 0, n = q->lags[0];
	double v[6] = { 0, 0, n * c, 0, c * q->lags[1], 2 * c * q->lags[2] + n * c * c };
	s->cal_trend = q->trend;
	for (int j = 0; j < 6; j++)
		s->cal_lags[j] = s->cal_lag0[j] = q->lags[j] + v[j];
	memcpy(s->cal_raw0, q->lags, sizeof(s->cal_raw0));
	memset(s->cal_cube, 0, sizeof(s->cal_cube));
}

void sync_calib_reset(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	int nb = (int)ceil(P * CAL_R);
	s->cal_n = nb > 0 && nb <= s->cal_cap ? nb : 0;
	s->cal_anchor = 0;
	s->cal_trend = 0;
	s->cal_delta = 0;
	s->cal_ivl_ns = 0;
	memset(s->cal_lags, 0, sizeof(s->cal_lags));
	memset(s->cal_lag0, 0, sizeof(s->cal_lag0));
	memset(s->cal_cube, 0, sizeof(s->cal_cube));
	memset(s->cal_raw0, 0, sizeof(s->cal_raw0));
	memset(&s->clv, 0, sizeof(s->clv));
	for (int k = 0; k < s->nseq; k++) {
		const struct seq *q = &s->sq[k];
		if (q->pos != s->pos)
			continue;
		take_lock_lags(s, q);
		if (q->L > 1 && q->f && q->f[0] && q->f[q->L - 1])
			s->cal_ivl_ns = (double)(q->f[q->L - 1]->meta.timestamp_ns -
						 q->f[0]->meta.timestamp_ns) /
					(q->L - 1);
	}
	s->cal_ss = 0;
	s->cal_wt = 0;
	s->cal_updates = 0;
	memset(s->cg, 0, sizeof(s->cg));
	memset(s->cv, 0, sizeof(s->cv));
	memset(s->cc, 0, sizeof(s->cc));
	memset(s->ccn, 0, sizeof(s->ccn));
	memset(s->cw, 0, sizeof(s->cw));
	memset(s->cal_hx, 0, sizeof(s->cal_hx));
	s->cal_ut = s->info.target_u;
	s->cdd = 0;
	s->cn = 0;
	if (s->cal_n) {
		memset(s->cal_r, 0, sizeof(double) * (size_t)s->cal_n);
		memset(s->cal_w, 0, sizeof(double) * (size_t)s->cal_n);
		memset(s->cal_r2, 0, sizeof(double) * (size_t)s->cal_n);
	}
	/* with the prior the table holds N's model from the first frame: pinned with it, or every
	 * frame up to the first pin would be N(u_t) off the later ones (update_anchor) */
	if (s->set.calibrate_prior && s->cal_n)
		update_anchor(s);
}

static void bins(const struct ogate_sync *s, double w, int *k0, int *k1, double *f)
{
	double x = w * CAL_R, fl = floor(x);
	*f = x - fl;
	int k = (int)fl % s->cal_n;
	if (k < 0)
		k += s->cal_n;
	*k0 = k;
	*k1 = (k + 1) % s->cal_n;
}

/* With sync.calibrate_prior a bin shrinks towards N's model (sync_beat_model), not 0: its CAL_K0
 * pseudo-samples hold the reference beat's own map, which the trend and delta give from lock
 * on, while the samples learn it at about a quarter of a sample per bin and beat, so that a
 * table shrunk towards 0 keeps most of the raw phase's fall of delta at each wrap for 5-10
 * beats (test_calib_prior.c; docs/accuracy-log.md, "The slow rows: the calibration's first
 * beats", "The calibration prior as the default"). The pin moves with that model from the
 * first frame (sync_calib_reset, sync_calib_update). A sample is a residual about a line through
 * one beat, so it holds N less N's mean over the beat, never the mean: with sync.calibrate_prior
 * = 2 the prior holds the same, and a sample's mismatch cut is taken about it (sync_calib_update).
 * A prior of N itself (1, the default) moves each bin's level by N's mean times its samples'
 * share, which the pin makes up for at the reference frames only; and where N less its mean
 * passes a frame (a slow heart filmed fast under a strong modulation) the cut about 0 drops
 * every sample there, so those bins keep the prior for good (test_calib_prior_level.c;
 * docs/accuracy-log.md, "The prior at the samples' level"). Opt-in. */
static double table_at(const struct ogate_sync *s, double w)
{
	int k0, k1;
	double f;
	bins(s, w, &k0, &k1, &f);
	double m = s->set.calibrate_prior ? CAL_K0 * sync_beat_model(s, w) : 0;
	if (s->set.calibrate_prior == 2)
		m -= CAL_K0 * beat_model_mean(s); /* the samples' level */
	return (1 - f) * (s->cal_r[k0] + m) / (s->cal_w[k0] + CAL_K0) +
	       f * (s->cal_r[k1] + m) / (s->cal_w[k1] + CAL_K0);
}

double sync_calib_offset(const struct ogate_sync *s, double w)
{
	if (!s->set.calibrate || !s->cal_n)
		return 0;
	return table_at(s, w) - (s->set.calibrate_anchor ? s->cal_anchor : 0);
}

/* a bin's sum of squared residuals about its own mean */
static double bin_ss(const struct ogate_sync *s, int k)
{
	return s->cal_w[k] > 0 ? s->cal_r2[k] - s->cal_r[k] * s->cal_r[k] / s->cal_w[k] : 0;
}

static double bin_var(const struct ogate_sync *s, int k, double v)
{
	return (bin_ss(s, k) + CAL_K0 * v) / (s->cal_w[k] + CAL_K0);
}

double sync_calib_spread(const struct ogate_sync *s, double w)
{
	if (!s->set.calibrate || !s->cal_n || !(s->cal_ss > 0) || !(s->cal_wt > s->cal_n))
		return 1;
	double v = s->cal_ss / (s->cal_wt - s->cal_n); /* pooled variance about the bins' means */
	int k0, k1;
	double f;
	bins(s, w, &k0, &k1, &f);
	double r = ((1 - f) * bin_var(s, k0, v) + f * bin_var(s, k1, v)) / v;
	return r > 1 ? r : 1;
}

/*
 * The reference beat's own map, cause 7 of docs/accuracy-log.md: where the rate changes inside
 * the reference's beat, a frame truly at the phase of position u shows u, while a phase linear in
 * time puts it at u - N(u). With the beat length T(c) = P + k (c - P / 2) for a beat centred at
 * c, to first order in k N(u) = k u (u - P) / (2 P) for u in [0, P) (0 at both ends). The table
 * learns N with the matching errors, shrunk like every bin by w / (w + CAL_K0). Where the
 * reference holds P + delta frames (P misses that beat by its lags' V-fit errors) the raw phase
 * falls back by delta at each wrap and the table learns delta u / (P + delta) too
 * (test_calib_pin.c); delta is the line of beat_after_reference at the reference's middle, less P.
 */
/*
 * The share of a shift of its residuals that a bin's mean takes up. Residuals beyond 1 frame
 * are dropped (sync_calib_update), and for Gaussian residuals of sd sigma cut at +-1 the mean
 * moves by Var_t / sigma^2 per unit shift, Var_t the variance of what is kept: g(a) = 1 - 2 a
 * phi(a) / (2 Phi(a) - 1), a = 1 / sigma, with Var_t = g(a) / a^2 what the bin holds (from 0 to
 * 1/3: uniform): at 0.8-0.9 frame errors the table learns a third of N. KEPT[i]: Var_t = i / 96.
 */
static const double KEPT[33] = { 1.0000, 1.0000, 1.0000, 1.0000, 1.0000, 0.9998, 0.9989,
				 0.9968, 0.9929, 0.9866, 0.9775, 0.9656, 0.9506, 0.9325,
				 0.9112, 0.8867, 0.8591, 0.8283, 0.7944, 0.7575, 0.7174,
				 0.6743, 0.6281, 0.5789, 0.5267, 0.4715, 0.4132, 0.3520,
				 0.2877, 0.2204, 0.1500, 0.0766, 0.0000 };

static double kept_share(double vt)
{
	double x = vt * 96;
	if (!(x > 0))
		return 1;
	if (x >= 32)
		return 0;
	int i = (int)x;
	return KEPT[i] + (x - i) * (KEPT[i + 1] - KEPT[i]);
}

/* the share of N a bin's samples keep: all of it where the cut is taken about N's model
 * (sync.calibrate_prior = 2, sync_calib_update), else kept_share's */
static double bin_kept(const struct ogate_sync *s, int k, double v)
{
	return s->set.calibrate_prior == 2 || !(v > 0) ? 1 : kept_share(bin_var(s, k, v));
}

/* the share of N a bin holds: its samples' kept share of it, and its prior (table_at) all of it */
static double bin_learnt(const struct ogate_sync *s, int k, double v)
{
	double w = s->cal_w[k], prior = s->set.calibrate_prior ? CAL_K0 : 0;
	return (w * bin_kept(s, k, v) + prior) / (w + CAL_K0);
}

/* N(u), frames, for the beat length P + delta + k (c - P / 2), u taken into [0, P) (also read
 * by sync_qa.c) */
double sync_beat_model(const struct ogate_sync *s, double u)
{
	double P = s->info.period_frames, k = s->cal_trend, d = s->cal_delta;
	if ((k == 0 && d == 0) || !(P > 0) || !(P + d > 0))
		return 0;
	u = fmod(u, P);
	if (u < 0)
		u += P;
	return d * u / (P + d) + k * u * (u - P) / (2 * P);
}

/* N's mean over u in [0, P): delta P / (2 (P + delta)) - k P / 12 */
static double beat_model_mean(const struct ogate_sync *s)
{
	double P = s->info.period_frames, k = s->cal_trend, d = s->cal_delta;
	if ((k == 0 && d == 0) || !(P > 0) || !(P + d > 0))
		return 0;
	return d * P / (2 * (P + d)) - k * P / 12;
}

static double beat_map(const struct ogate_sync *s, double u)
{
	double P = s->info.period_frames;
	if (!(P > 0))
		return 0;
	u = fmod(u, P);
	if (u < 0)
		u += P;
	int k0, k1;
	double f;
	bins(s, u, &k0, &k1, &f);
	double v = s->cal_wt > s->cal_n ? s->cal_ss / (s->cal_wt - s->cal_n) : 0; /* pooled */
	double learnt = (1 - f) * bin_learnt(s, k0, v) + f * bin_learnt(s, k1, v);
	return learnt * sync_beat_model(s, u);
}

/* the share of N a bin's samples hold (bin_learnt without the prior) */
static double sample_share(const struct ogate_sync *s, int k, double v)
{
	double w = s->cal_w[k];
	return w * bin_kept(s, k, v) / (w + CAL_K0);
}

/*
 * delta read from the table, for a reference moved to one position under a drift
 * (reference.drift_move), whose beats after it are not measured (beat_after_reference drops them
 * under a resampled drift): the lags' at lock alone are then 0.2-0.35 frame short of the beat the
 * reference holds (bench/eval/drift.txt, drifttilt.txt), while the table learns that beat's map
 * delta u / (P + delta), so the pin's model (delta 0) left -0.4 delta frame at a target near the
 * beat's end (docs/accuracy-log.md, "The calibration's tilt under drift"). The samples' own
 * table (bins shrunk as table_at's, no prior) is fitted by a line in x = u / P times the share of
 * N the bin's samples hold, the trend's part of N taken off: its slope is delta. It also holds
 * the matching errors' own line (-0.05 to -0.13 frame) and consecutive bins share samples: it is
 * shrunk by t^2 / (t^2 + 1) against twice its least-squares variance plus CAL_ELINE^2.
 */
#define CAL_ELINE 0.1 /* frames: the spread of the matching errors' line over a beat */
#define CAL_XVAR 1e-3 /* least variance of table_delta's x (u / P times a share, in [0, 1)) */

static double table_delta(const struct ogate_sync *s)
{
	double P = s->info.period_frames, kt = s->cal_trend;
	double v = s->cal_wt > s->cal_n ? s->cal_ss / (s->cal_wt - s->cal_n) : 0; /* pooled */
	double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
	if (!(P > 0))
		return 0;
	for (int k = 0; k < s->cal_n; k++) {
		double u = (double)k / CAL_R;
		if (u >= P || !(s->cal_w[k] > 0))
			continue;
		double sh = sample_share(s, k, v);
		double y = s->cal_r[k] / (s->cal_w[k] + CAL_K0) - sh * kt * u * (u - P) / (2 * P);
		double x = sh * u / P;
		n += 1;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		syy += y * y;
	}
	if (n < 8)
		return 0;
	sxx -= sx * sx / n;
	sxy -= sx * sy / n;
	syy -= sy * sy / n;
	/* x must spread for a slope: with every bin's share of N small (all x within 1e-4 of 0) the
	 * slope was unbounded (-103 frames on a 271-frame beat: unseen-102.txt u44_real64_2.91s_102fps,
	 * coverage 86 %; docs/accuracy-log.md "Hearts nobody tuned on"). Where it is measured,
	 * the variance of x is 0.004-0.03 (bigdrift.txt's 0.5 px a beat row at 1-2.5 frames) */
	if (!(sxx > CAL_XVAR * n))
		return 0;
	double b = sxy / sxx;
	double var = 2 * fmax(syy - b * sxy, 0) / (n - 2) / sxx + CAL_ELINE * CAL_ELINE;
	double t2 = b * b;
	return t2 + var > 0 ? b * t2 / (t2 + var) : 0;
}

/* 1 where the current reference's frames were moved to one position under a drift
 * (sync_scanreg.c, reg_vel): table_delta's first reference kind. An unmoved reference whose
 * beats after it were dropped (a frame resampled for drift) has delta 0 from the lags alone,
 * which miss the beat it holds where they share one sub-frame offset (unseen-104's u24: delta
 * 0 for -0.166, triggers +0.89 ms at a target of 0 rad, -0.97 at 6.02); under
 * sync.beat_delta_table = 1 (the default since session 17) delta is read from the table too
 * (test_beat_delta_table.c; docs/accuracy-log.md, "The bias against the target phase on clean
 * hearts"). */
static int ref_moved(const struct ogate_sync *s)
{
	const struct seq *q = sync_current_seq(s);
	return q && (q->reg_vel[0] != 0 || q->reg_vel[1] != 0);
}

/* whether N's length (delta) is measured from the beats after the reference: not once they are
 * dropped (cal_ivl_ns 0), nor for a moved reference, whose beats after give N its trend alone
 * (sync.beat_after_moved, sync_calib_moved_trend) */
int sync_calib_after_measured(const struct ogate_sync *s)
{
	return s->cal_ivl_ns > 0 && !(s->set.beat_after_moved && ref_moved(s));
}

/*
 * The beat length as a parabola in the beat's middle x, T(x) = a + b x + c x^2, through the lags
 * at lock and the beats after the reference: the share t^2 / (t^2 + 1) of c's significance, and
 * *a, *b (value and slope at the reference's middle), *va (the value's variance). A rate
 * modulated over a few beats curves T over the 1-1.5 beats the groups span, and a line misses T
 * at the middle by its chord (0.2-0.5 frame; docs/accuracy-log.md, "The reference beat's length
 * under a curving rate"). The lags enter as their line (their six sums, struct seq: level and
 * slope, middles one a frame apart), each beat after the reference as itself; 0 if those are
 * fewer than 3. Each sample carries the matching error at its position, a pattern whose slope
 * over a group's span makes two group slopes differ like a curvature (lags -0.043 where the
 * beats fell by -0.009), so c is judged against n times the least-squares variance.
 */
static double beat_curve(const struct ogate_sync *s, double *a, double *b, double *va)
{
	const double *L = s->cal_lag0, *m = s->cal_lags, *q = s->cal_cube;
	double P = s->info.period_frames, nl = L[0], na = m[0] - nl;
	if (!(nl >= 3) || !(na >= 3) || !(P > 0))
		return 0;
	double xl = L[1] / nl, yl = L[2] / nl, vl = L[3] / nl - xl * xl;
	double bl = vl > 0 ? (L[4] / nl - xl * yl) / vl : 0;
	/* sums over both groups, x in beats (P) for the conditioning */
	double s3 = nl * (xl * xl * xl + 3 * xl * vl) + q[0];
	double s4 = nl * (xl * xl * xl * xl + 6 * xl * xl * vl + vl * vl) + q[1];
	double s2y = yl * L[3] + bl * nl * 2 * xl * vl + q[2];
	double n = m[0], sx = m[1] / P, sxx = m[3] / (P * P), sy = m[2], sxy = m[4] / P;
	s3 /= P * P * P;
	s4 /= P * P * P * P;
	s2y /= P * P;
	double g[3][3] = { { n, sx, sxx }, { sx, sxx, s3 }, { sxx, s3, s4 } };
	double v[3] = { sy, sxy, s2y }, x[3], e0[3] = { 1, 0, 0 }, e2[3] = { 0, 0, 1 }, i0[3], i2[3];
	sync_calib_solve3((const double(*)[3])g, v, 0, x);
	sync_calib_solve3((const double(*)[3])g, e0, 0, i0);
	sync_calib_solve3((const double(*)[3])g, e2, 0, i2);
	/* the lags' residuals about their line hold the parabola's own departure from it, c^2 nl
	 * (m4 - vl^2) with m4 = 9/5 vl^2 (middles one a frame apart): not an error */
	double rss = m[5] - x[0] * v[0] - x[1] * v[1] - x[2] * v[2] -
		     x[2] * x[2] * nl * 0.8 * vl * vl / (P * P * P * P);
	double sig2 = (rss > 0 ? rss : 0) / (n - 3);
	if (!isfinite(x[2]) || !(i2[2] > 0) || !(i0[0] > 0))
		return 0;
	double c2 = x[2] * x[2], vc = sig2 * i2[2] * n; /* t^2 / (t^2 + 1) = c^2 / (c^2 + vc) */
	*a = x[0];
	*b = x[1] / P;
	*va = sig2 * i0[0];
	return c2 + vc > 0 ? c2 / (c2 + vc) : 0;
}

/*
 * sync.beat_trend_prior = tau (0, the default: not used): the trend's share of the line's slope
 * as a posterior under a prior N(0, tau^2) on k (a rate modulated by A over M beats gives |k| <=
 * 2 pi A / M: 0.04-0.05 on the matrix's strongly modulated rows, 0.008 on u31), returned, with
 * *vb the slope's variance: the least-squares one (vls) plus CAL_ELINE^2 over the spread of the
 * independent units (the lags at lock one, at their mean, as they share the determination's
 * error; each beat after the reference one). At 13 frames a beat the groups lie 3 frames apart,
 * each 0.1-0.2 frame off: u31's slope was -0.14 for a true -0.008 (docs/accuracy-log.md, "The
 * beat model's trend against a prior"); at 50-60 frames a beat it keeps nearly all of itself.
 */
static double trend_prior_share(const struct ogate_sync *s, double tau, double vls, double *vb)
{
	const double *L = s->cal_lag0, *m = s->cal_lags;
	double nl = L[0], nu = m[0] - nl, sx = m[1] - L[1], sxx = m[3] - L[3];
	if (nl > 0) {
		double xl = L[1] / nl;
		sx += xl;
		sxx += xl * xl;
		nu += 1;
	}
	double su = nu > 1 ? sxx - sx * sx / nu : 0;
	if (!(su > 1e-9)) {
		*vb = HUGE_VAL;
		return 0;
	}
	*vb = vls + CAL_ELINE * CAL_ELINE / su;
	return tau * tau / (tau * tau + *vb);
}

/*
 * The trend k of the beat length across the reference's beat. At lock refine_period has the
 * lags of the frames before the reference's end (beats centred up to its middle). After lock, a
 * frame that shows position w is one beat after the reference frame at w (positions are times:
 * that frame was at first_ns + w x the interval), so the first half beat after the reference
 * gives the beats centred on its second half. The line through both (x = beat middle minus the
 * reference's middle, y = beat length, frames) has its slope shrunk by t^2 / (t^2 + 1), not cut
 * to the middles' span ("The trend k without the span share"): each sample carries the matching
 * error at its position, which the shrinkage keeps from passing for a trend. Where the length
 * curves, value and slope at the middle move towards the parabola's (beat_curve).
 */
static void beat_after_reference(struct ogate_sync *s)
{
	double P = s->info.period_frames, ivl = s->cal_ivl_ns;
	if (!(ivl > 0) || s->hn < 1)
		return;
	const struct hist *e = sync_hist_at(s, 0);
	double since = (double)(e->t_ns - s->info.first_ns);
	if (e->ref_id != s->info.id || since > 3 * P * ivl)
		return;
	double tr = e->w * ivl; /* when the reference showed w, from first_ns */
	double y = (since - tr) / ivl, x = (since + tr) / (2 * ivl) - P / 2;
	/* a frame resampled for sub-pixel drift (sync_match.c) is matched with another error ("The
	 * drift rows' bias"), and before it the drift tracker had not followed the drift ("The
	 * beat-length trend at lock"): from the first such frame in the half beat after the
	 * reference the beats after it are dropped: trend and length back to the lags' alone.
	 * sync.beat_after_drift = 1 (the default since session 31) keeps them where the reference
	 * was not moved to one position (its frames as recorded, the live frame shifted by the
	 * tracked drift): there they read 0.64-1.23 of the true trend on nine of ten rows where the
	 * lags' shrunk one read -0.06 to 0.70 of it, and N's level at the target within 0.01 frame
	 * of the truth's where the lags' missed it by 0.04-0.25 (docs/accuracy-log.md, "The beats
	 * after a drifting reference", "The beats after a drifting reference as the default"). A
	 * moved reference's read short; sync.beat_after_moved (the default) keeps them for the
	 * trend alone (sync_calib_moved_trend). */
	int resampled = s->set.track_drift && s->set.subpixel_drift &&
			fabs(s->fdx) + fabs(s->fdy) > 0.02;
	if (resampled && (ref_moved(s) ? s->set.beat_after_moved : s->set.beat_after_drift))
		resampled = 0;
	if (resampled && x <= P / 2) {
		const struct seq *q = sync_current_seq(s);
		if (q)
			take_lock_lags(s, q);
		s->cal_delta = s->clv.model = 0;
		s->cal_ivl_ns = 0; /* no more beats measured after this reference */
		return;
	}
	if (x > P / 2 || y < 0.5 * P || y > 1.5 * P)
		return;
	if (s->set.lag_ssd == 2) { /* matched at the lags' offset, with their V-fit error */
		const struct seq *q = sync_current_seq(s);
		if (q && q->lags[0] > 0 && offset_gap(y, q->lags[2] / q->lags[0]) < CAL_ONE_OFFSET)
			y += lock_lags_c(q);
	}
	double v[6] = { 1, x, y, x * x, x * y, y * y };
	for (int j = 0; j < 6; j++)
		s->cal_lags[j] += v[j];
	s->cal_cube[0] += x * x * x;
	s->cal_cube[1] += x * x * x * x;
	s->cal_cube[2] += x * x * y;
	beat_fit(s);
}

/* the line (and curve) of beat_after_reference through the sums: trend and delta */
static void beat_fit(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	const double *m = s->cal_lags;
	if (s->set.beat_after_moved && ref_moved(s)) { /* delta from the table (update_anchor) */
		sync_calib_moved_trend(s);
		return;
	}
	struct beat_line l;
	if (sync_beat_line(m, &l))
		return;
	double n = l.n, sxx = l.sxx, sxy = l.sxy, syy = l.syy, b = l.b, rss = l.rss, sig = l.sig;
	/* delta: the line's value at the middle less P, shrunk by t^2 / (t^2 + 1) against the
	 * variance of that value */
	double xm = m[1] / n, d = m[2] / n - b * xm - P; /* the line at the middle, less P */
	double va = n > 2 ? rss / (n - 2) * (1 / n + xm * xm / sxx) : 0;
	const double tau = s->set.beat_trend_prior;
	if (tau > 0) { /* the slope against a prior on the trend (trend_prior_share) */
		double vb = 0;
		sig = trend_prior_share(s, tau, rss / (n - 2) / sxx, &vb);
		d = m[2] / n - sig * b * xm - P; /* the shrunk line at the middle */
		double rk = fmax(syy - 2 * sig * b * sxy + sig * b * sig * b * sxx, 0);
		va = rk / (n - 1) / n + xm * xm * sig * vb;
	}
	/* the beat length's curvature, as far as it is significant: value, slope and value's
	 * variance at the middle move from the line's to the parabola's in that share */
	double aq = 0, bq = 0, vq = 0, c = beat_curve(s, &aq, &bq, &vq);
	if (tau > 0)
		c *= sig; /* a curvature only as far as the trend it bends is believed */
	d += c * (aq - P - d);
	b += c * (bq - b);
	va += c * (vq - va);
	s->cal_trend = sig * b;
	double t2 = d * d;
	s->cal_delta = t2 + va > 0 ? d * t2 / (t2 + va) : 0;
	s->clv.model = s->cal_delta;
	sync_calib_live_apply(s); /* sync.beat_delta_live */
}

/*
 * The pin: the table's mean at the unpadded reference frames' positions, where a match is exact
 * (so only N is there), moved to N's level at the target, since a frame there must keep N(u_t):
 * pinning the mean leaves (N(u_t) - mean N) x the frame interval at the trigger (+ = late). That
 * level is N's model above (the table's bin there holds the V fit's error too); 0 where no trend
 * or delta was significant. The model is only as good as trend and delta, from a few lags at
 * lock and beats after the reference, or table_delta; where they miss, the bias follows the
 * target (u31: +4.7 ms at 0 rad, -1.5 at 4; docs/accuracy-log.md, "The bias that moves with the
 * target phase"). With sync.calibrate_pin_fit = E a line plus a parabola in u (N's family)
 * fitted through the table at the reference frames reads N's level at the target from every beat
 * since; it also holds the matching errors' pattern (-0.05 to -0.13 frame), so its departure D
 * from the model is taken shrunk by D^2 / (D^2 + E^2). Not the default: at 12 frames a beat the
 * fit reads that pattern as N (the matrix's blob96_0.2s_60fps +0.04 -> -0.27 ms).
 * sync.calibrate_pin_fit_z = z (opt-in) adds z^2 times the fit's own variance at the target to
 * the denominator (the table's scatter about the fit at the reference frames, the pattern's
 * part that leaks into the fit's level: 0.02-0.03 frame at 40 frames a beat), so D is taken
 * where it stands out of the pattern (docs/accuracy-log.md, "The pin's level on the unseen
 * sweep's rows"). sync.calibrate_pin_offsets = 1 (opt-in) reads the table at the measured offsets
 * of the live frames near the target (offset_near_target) rather than at the reference frames':
 * what the table learnt of the V fit's error by offset then leaves those frames' level, not the
 * offset-0 read, but on the matrix the offsets spread and it uncovers the biases that read hid
 * (blob128_0.25s_30fps +0.27 -> -0.97 ms; docs/accuracy-log.md, "The pin at the live frames'
 * offsets").
 */
static double table_level_at_target(const struct ogate_sync *s, int N, double *var)
{
	double P = s->info.period_frames, g[3][3] = { { 0 } }, v[3] = { 0 }, c[3], yy = 0;
	for (int j = 0; j < N; j++) {
		double u = s->pos[j + OGATE_NE], y = table_at(s, u), b[3] = { 1, u, u * (u - P) };
		yy += y * y;
		for (int i = 0; i < 3; i++) {
			v[i] += b[i] * y;
			for (int k = 0; k < 3; k++)
				g[i][k] += b[i] * b[k];
		}
	}
	sync_calib_solve3((const double(*)[3])g, v, 0, c);
	double ut = ogate_ref_position(s->pos, (size_t)s->L, s->info.target_u + OGATE_NE);
	/* the variance of the fit at u_t less its mean at the reference frames (which is the
	 * table's mean there): sigma^2 (h - 1 / N), h = b' G^-1 b, sigma^2 the residual variance */
	double bt[3] = { 1, ut, ut * (ut - P) }, gi[3];
	sync_calib_solve3((const double(*)[3])g, bt, 0, gi);
	double rss = fmax(yy - c[0] * v[0] - c[1] * v[1] - c[2] * v[2], 0);
	double h = bt[0] * gi[0] + bt[1] * gi[1] + bt[2] * gi[2];
	*var = N > 3 ? rss / (N - 3) * fmax(h - 1.0 / N, 0) : 0;
	return c[0] + c[1] * ut + c[2] * ut * (ut - P);
}

/*
 * sync.calibrate_pin_vfit = F (opt-in; 0 = off): at F frames a beat or fewer, the V fit's
 * expected error at reference frame j (padded index b) as the pin reads it, from the reference's own steps, so that the pin sets the table
 * at the reference frames to what the V fit reports there rather than to 0. On SADs linear
 * along the image's path (the step m from b - 1 to b, p from b to b + 1, and the skip step from
 * b - 1 to b + 1 for the far side) a frame truly t past b is put vfit(S(b - 1), S(b), S(b + 1))
 * (test_vfit_unequal_sides.c): towards the side that changes more slowly, and frames on the
 * faster side bunch up near b. The pin's bin at b takes the frames whose raw position lies within
 * 1 / CAL_R of b's, each weighted 1 - CAL_R times that distance, so the error is the mean of raw
 * less true position over the true positions within half a frame of b (a heart's frames fall
 * evenly in phase), in that weight. 0 where a step is missing or with another sub-frame fit
 * (docs/accuracy-log.md, "The pin at the V fit's reading"). */
#define CAL_VFIT_N 32
static double vfit_read_error(const struct ogate_sync *s, int b)
{
	if (s->subframe != SUBFRAME_VFIT || !s->step || b < 1 || b + 1 >= s->L)
		return 0;
	const double m = s->step[b - 1], p = s->step[b], k = s->step[s->ref_cap + b - 1];
	if (!(m > 0) || !(p > 0) || !(k > 0))
		return 0;
	const double *u = s->pos;
	double sw = 0, se = 0;
	for (int i = 0; i < CAL_VFIT_N; i++) {
		double t = (i + 0.5) / CAL_VFIT_N - 0.5, a = fabs(t), y[3];
		/* the far side's SAD grows from its step to the skip step over a whole interval */
		if (t >= 0) {
			y[0] = m + a * (k - m);
			y[1] = p * a;
			y[2] = p * (1 - a);
		} else {
			y[0] = m * (1 - a);
			y[1] = m * a;
			y[2] = p + a * (k - p);
		}
		double x = ogate_vfit(y[0], y[1], y[2]).x;
		x = fmax(-1, fmin(1, x));
		double raw = ogate_ref_position(u, (size_t)s->L, b + x);
		double tru = ogate_ref_position(u, (size_t)s->L, b + t);
		double dw = t >= 0 ? u[b + 1] - u[b] : u[b] - u[b - 1];
		double w = fmax(0, 1 - CAL_R * fabs(raw - u[b])) * fabs(dw);
		sw += w;
		se += w * (raw - tru);
	}
	return sw > 0 ? se / sw : 0;
}

static void update_anchor(struct ogate_sync *s)
{
	int N = s->L - 2 * OGATE_NE;
	double a = 0, n = 0;
	/* delta not measured after the reference: the table's (unmoved: sync.beat_delta_table) */
	if (!sync_calib_after_measured(s) &&
	    (ref_moved(s) ? s->set.drift_move : s->set.beat_delta_table))
		s->clv.model = s->cal_delta = table_delta(s);
	sync_calib_live_apply(s);
	double hx[CAL_R] = { 1 }, H = 1;    /* at the reference frames' own positions */
	if (s->set.calibrate_pin_offsets) { /* at the live frames' offsets near the target */
		H = 0;
		for (int m = 0; m < CAL_R; m++) {
			hx[m] = s->cal_hx[m] + (m == 0 ? CAL_K0 : 0); /* shrunk to offset 0 */
			H += hx[m];
		}
	}
	/* sync.calibrate_pin_vfit: at that many frames a beat or fewer */
	int vfit = s->set.calibrate_pin_vfit > 0 && s->info.period_frames <= s->set.calibrate_pin_vfit;
	for (int j = 0; j < N; j++) {
		double u0 = s->pos[j + OGATE_NE], du = s->pos[j + OGATE_NE + 1] - u0;
		for (int m = 0; m < CAL_R; m++) {
			if (!(hx[m] > 0))
				continue;
			double u = u0 + du * m / CAL_R;
			double e = m == 0 && vfit ? vfit_read_error(s, j + OGATE_NE) : 0;
			a += hx[m] / H * (table_at(s, u) - e);
			n += hx[m] / H * beat_map(s, u);
		}
	}
	s->cal_anchor = N > 0 ? (a - n) / N + beat_map(s, s->info.target_u) : 0;
	const double E = s->set.calibrate_pin_fit, z = s->set.calibrate_pin_fit_z;
	if ((E > 0 || z > 0) && N >= CAL_PIN_FIT) {
		double var = 0, D = table_level_at_target(s, N, &var) - s->cal_anchor;
		double den = D * D + E * E + z * z * var;
		if (isfinite(D) && den > 0)
			s->cal_anchor += D * D * D / den;
	}
}

/* The live frames near the target by measured offset, for the pin (update_anchor): the current
 * frame's offset from the reference frame before it, in quarters split as the table's bins, where
 * its raw position lies within a frame of the target's, weighted 1 - that distance. */
static void offset_near_target(struct ogate_sync *s)
{
	const struct hist *e = sync_hist_at(s, 0);
	double P = s->info.period_frames, d = fmod(e->w - s->info.target_u, P);
	if (d < -P / 2)
		d += P;
	if (d > P / 2)
		d -= P;
	double wt = 1 - fabs(d);
	if (!(wt > 0) || e->ref_id != s->info.id)
		return;
	double x = e->off * CAL_R, fl = floor(x), f = x - fl;
	int k = ((int)fl % CAL_R + CAL_R) % CAL_R;
	s->cal_hx[k] += (1 - f) * wt;
	s->cal_hx[(k + 1) % CAL_R] += f * wt;
}

void sync_calib_update(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	int M = (int)lround(P);
	if (!s->set.calibrate || !s->cal_n)
		return;
	/* the prior is N's model: a new trend or delta moves every bin, so the pin moves with it */
	double k_was = s->cal_trend, d_was = s->cal_delta;
	/* The target moved since (ogate_sync_set_target_phase; a new reference resets all this): the
	 * pin holds N at the target and the live offsets are gathered near it, so both start over
	 * at this frame, else the pin read the old target's offsets and level (test_calib_prior.c,
	 * test_calib_pin_offsets.c). */
	int moved = s->info.target_u != s->cal_ut;
	if (moved) {
		memset(s->cal_hx, 0, sizeof(s->cal_hx));
		s->cal_ut = s->info.target_u;
	}
	beat_after_reference(s);
	sync_calib_live_update(s);
	sync_calib_live_apply(s);
	if (s->set.calibrate_pin_offsets && s->hn > 0)
		offset_near_target(s);
	if (moved || (s->set.calibrate_prior && (s->cal_trend != k_was || s->cal_delta != d_was)))
		update_anchor(s);
	if (M < 5 || M > s->hn || M > s->hcap)
		return;
	double tm = 0, pm = 0;
	int64_t t0 = sync_hist_at(s, 0)->t_ns;
	for (int k = 0; k < M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		if (e->ref_id != s->info.id || (k < M - 1 && e->gap_before))
			return;
		tm += (double)(e->t_ns - t0) * 1e-9;
		pm += e->raw;
	}
	tm /= M;
	pm /= M;
	double sxx = 0, sxy = 0;
	for (int k = 0; k < M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		double dt = (double)(e->t_ns - t0) * 1e-9 - tm;
		sxx += dt * dt;
		sxy += dt * (e->raw - pm);
	}
	if (!(sxx > 0))
		return;
	const struct hist *c = sync_hist_at(s, M / 2);
	double res = c->raw - (pm + sxy / sxx * ((double)(c->t_ns - t0) * 1e-9 - tm));
	double r = res * P / (2 * M_PI);
	/* a mismatch, not a calibration sample: over 1 frame from what the bin should hold, 0 or with
	 * sync.calibrate_prior = 2 N's model at the samples' level (N less its mean over the beat) */
	double r0 = s->set.calibrate_prior == 2 ? sync_beat_model(s, c->w) - beat_model_mean(s) : 0;
	if (fabs(r - r0) > 1)
		return;
	int k0, k1;
	double f;
	bins(s, c->w, &k0, &k1, &f);
	s->cal_ss -= bin_ss(s, k0) + (k1 != k0 ? bin_ss(s, k1) : 0);
	s->cal_r[k0] += (1 - f) * r;
	s->cal_w[k0] += 1 - f;
	s->cal_r2[k0] += (1 - f) * r * r;
	s->cal_r[k1] += f * r;
	s->cal_w[k1] += f;
	s->cal_r2[k1] += f * r * r;
	s->cal_ss += bin_ss(s, k0) + (k1 != k0 ? bin_ss(s, k1) : 0);
	s->cal_wt += 1;
	if ((++s->cal_updates & 7) == 0)
		update_anchor(s);
}

void sync_calib_solve3(const double g[3][3], const double *v, double lam, double *x)
{
	double a[3][4];
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++)
			a[i][j] = g[i][j] + (i == j ? lam : 0);
		a[i][3] = v[i];
	}
	for (int c = 0; c < 3; c++) { /* symmetric positive definite: no pivoting needed */
		for (int r = c + 1; r < 3; r++) {
			double m = a[r][c] / a[c][c];
			for (int k = c; k < 4; k++)
				a[r][k] -= m * a[c][k];
		}
	}
	for (int i = 2; i >= 0; i--) {
		double t = a[i][3];
		for (int k = i + 1; k < 3; k++)
			t -= a[i][k] * x[k];
		x[i] = t / a[i][i];
	}
}

/* The beat model re-fitted after its lags moved (sync.beat_common, sync_calib_common_update),
 * and the pin with it if it changed. */
void sync_calib_beat_refit(struct ogate_sync *s)
{
	double k_was = s->cal_trend, d_was = s->cal_delta;
	beat_fit(s);
	if (s->cal_trend != k_was || s->cal_delta != d_was)
		update_anchor(s);
}
