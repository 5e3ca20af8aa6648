// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The reference beat's length from the live beats (sync.beat_delta_live, opt-in) and from the
 * live frames at its wrap (sync.beat_delta_wrap, the default); a moved reference's trend from the
 * beats after it (sync.beat_after_moved, sync_calib_moved_trend at the end).
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
 * the beats after the reference do not measure N's length (sync_calib_after_measured).
 * Opt-in: make eval's kalman-acc 0.002-0.005 ms worse (docs/accuracy-log.md, "The reference's
 * length at few frames a beat").
 */
#include <math.h>
#include <stdlib.h>
#include "sync_private.h"

/* used at up to this many frames a beat, where the beat model's lags share one offset */
#define CLV_MAX_FPB 20
/* sync.beat_delta_wrap from this many frames a beat (below, the pin's level errs by as much) */
#define WRAP_MIN_FPB 20
/* ... and where the captures' interval spread is within this share of the interval */
#define WRAP_EVEN 0.02
/* ... and where both copies' valleys stand this many SAD noise sds clear (wrap_clear) */
#define WRAP_Z 10
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
	if (!s->set.beat_delta_live || !(P > 0) || P > CLV_MAX_FPB || !sync_calib_after_measured(s) ||
	    s->clv.done || s->hn < 2 || sync_hist_at(s, 0)->ref_id != s->info.id)
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

/* the V fit through reference frames b - 1, b, b + 1 at their positions (timestamp jitter makes
 * them uneven), v[0..2] the SADs against them: the vertex of two lines of opposite slope, the
 * steeper side's, through the three; the position */
static double vfit_at(const double *pos, const double *v, int b)
{
	double pm = pos[b - 1], p0 = pos[b], pp = pos[b + 1];
	if (v[0] > v[2]) {
		double k = (v[0] - v[1]) / (p0 - pm);
		return k > 0 ? 0.5 * (pp + p0 - (v[2] - v[1]) / k) : p0;
	}
	double k = (v[2] - v[1]) / (pp - p0);
	return k > 0 ? 0.5 * (pm + p0 + (v[0] - v[1]) / k) : p0;
}

/*
 * Whether three SADs v[0..2] over n pixels make a valley whose V fit can be trusted: its
 * one-frame excess (v[0] + v[2]) / 2 - v[1] at least WRAP_Z noise sds of a SAD,
 * sqrt(pi / 2 - 1) v[1] / sqrt(n) (the noise model of sync_match.c's span fit). A slow heart
 * changes less in a frame near its wrap than the noise: at 160 and 255 frames a beat (slow.txt's
 * s_blob64_slow1.1s_150fps, unseen-102's u49_real128_2.58s_99fps) the excess stood 0.9 and 4 sds
 * clear and the pairs read +0.55 and +0.34 frame of a beat the reference did not hold (u49 +2.7
 * -> -7.8 ms); where they read right (blob128_fast0.25s_200fps, blob128_T042_80fps,
 * blob512_30fps) 24-74.
 */
static int wrap_clear(const double *v, double n)
{
	double e = 0.5 * (v[0] + v[2]) - v[1];
	return n > 0 && e >= WRAP_Z * sqrt(M_PI / 2 - 1) * v[1] / sqrt(n);
}

/*
 * sync.beat_delta_wrap = N (20; 0 = off): delta from the reference's own two copies of its
 * wrap. A live frame near the wrap is matched in the reference's first frames and again in its
 * padded end, frames one beat of the heart later: the two readings of one frame differ by the
 * beat the reference holds, P + delta, in its positions. Each is a V fit at the frames' own
 * positions (vfit_at; the same estimator on both sides) at its own sub-frame offset, the two
 * offsets frac(P + delta) apart, so as the beats' offsets go round the fit's error by offset
 * averages out of their difference. The beats after the reference (beat_after_reference) all lie
 * at one offset and keep its error: -0.027 to -0.037 frame at 50 frames a beat under noise
 * (blob128_fast0.25s_200fps, whose automatic target lies at the wrap: delta -0.029 for a true
 * +0.013, the trigger -0.18 ms early; with the pairs -0.03 ms). What does not average out is
 * each copy's own frozen error (its frames' noise, the real model's source grid): 0.01-0.04
 * frame. The pairs are the frames the windowed search reads in both copies (within
 * sync.search_window of the wrap) and the full searches' near it; one further than a frame from
 * P is a mismatch. Only from WRAP_MIN_FPB frames a beat: below, the pin's level errs by as much
 * the other way and the true delta set by hand moved make eval's 7-frame row from +0.27 to
 * +0.99 ms. Not under a drift (one measured at lock or tracked): the copies, a beat apart in
 * time, lie apart by it; nor on uneven captures (j_real128_80fps_j2's pairs -0.071 for a true
 * +0.043 under 2 ms of jitter at 80 fps). Once N pairs, delta is their mean, shrunk by
 * t^2 / (t^2 + 1) against its variance. Only from valleys that stand out of the noise
 * (wrap_clear), and from whole SADs whichever search ran (sync_match.c's wrap_pair). The
 * default (20) since session 34 (docs/accuracy-log.md, "The beat model's delta at the wrap",
 * "The wrap's pairs by default").
 */
int sync_calib_wrap_other(const struct ogate_sync *s, int b)
{
	double P = s->info.period_frames;
	if (!s->set.beat_delta_wrap || !s->set.calibrate || !(P >= WRAP_MIN_FPB) || b < 1 ||
	    b + 1 >= s->L)
		return -1;
	/* the live frame is registered to one copy: only while no drift was measured or is
	 * tracked */
	const struct seq *q = sync_current_seq(s);
	if (!q || q->vel[0] != 0 || q->vel[1] != 0 || q->reg_vel[0] != 0 || q->reg_vel[1] != 0 ||
	    s->dx != 0 || s->dy != 0 || fabs(s->fdx) + fabs(s->fdy) > 0.02)
		return -1;
	/* nor on uneven captures: each copy's frames sit at their own uneven positions, whose
	 * error in the fit does not average out (an interval spread within WRAP_EVEN of it) */
	double ivl = ogate_sync_frame_interval(s);
	if (!(ivl > 0) || sync_interval_spread(s) > WRAP_EVEN * ivl)
		return -1;
	size_t L = (size_t)s->L;
	double w = ogate_ref_position(s->pos, L, (double)b);
	int c = (int)lround(ogate_ref_index(s->pos, L, w < P / 2 ? w + P : w - P));
	return c >= 1 && c + 1 < s->L && abs(c - b) >= 3 ? c : -1;
}

void sync_calib_wrap_pair(struct ogate_sync *s, int b, int c0, double n)
{
	const double *S = s->S;
	double P = s->info.period_frames;
	int c = c0;
	for (int k = 0; k < 2 && c >= 1 && c + 1 < s->L; k++) /* the other copy's least SAD */
		c += S[c - 1] < S[c] ? -1 : S[c + 1] < S[c] ? 1 : 0;
	if (c < 1 || c + 1 >= s->L || abs(c - b) < 3 || S[c] == HUGE_VAL || S[c - 1] == HUGE_VAL ||
	    S[c + 1] == HUGE_VAL || S[c] > S[c - 1] || S[c] > S[c + 1])
		return;
	if (!wrap_clear(S + b - 1, n) || !wrap_clear(S + c - 1, n))
		return;
	double D = fabs(vfit_at(s->pos, S + c - 1, c) - vfit_at(s->pos, S + b - 1, b)) - P;
	if (!(fabs(D) < 1))
		return;
	s->clv.wn += 1;
	s->clv.wsum += D;
	s->clv.wss += D * D;
}

/* 1 and *delta (frames) once sync.beat_delta_wrap pairs are in, else 0 */
int sync_calib_wrap_delta(const struct ogate_sync *s, double *delta)
{
	double n = s->clv.wn;
	if (!s->set.beat_delta_wrap || n < s->set.beat_delta_wrap || n < 2)
		return 0;
	double m = s->clv.wsum / n, va = fmax(s->clv.wss / n - m * m, 0) / (n - 1);
	*delta = m * m + va > 0 ? m * m * m / (m * m + va) : 0;
	return 1;
}

/* the beat model's delta: the wrap pairs' or the live beats' where they give one, else the
 * model's own */
void sync_calib_live_apply(struct ogate_sync *s)
{
	if (!s->set.beat_delta_live && !s->set.beat_delta_wrap)
		return;
	double d;
	if (sync_calib_wrap_delta(s, &d) || sync_calib_live_delta(s, &d))
		s->cal_delta = d;
	else
		s->cal_delta = s->clv.model;
}

/*
 * sync.beat_after_moved (the default since session 31): the beat model's trend k for a reference
 * moved to one position under a drift (sync_scanreg.c), from the beats after it alone. Its lags at
 * lock were measured between unregistered frames a lag apart and miss its beat by up to a third
 * of a frame; the beats after it (each live frame registered by the tracked drift) read their
 * slope right but their level short (0.1-0.2 frame on unseen-104's u29 and u11), so delta stays
 * the table's (update_anchor, table_delta) and only their line's slope is taken, shrunk by its
 * t^2 / (t^2 + 1) as beat_fit's, once their middles span MOVED_SPAN of a beat: over a few
 * frames the matching errors' pattern makes a slope (lockdrift.txt's ld_real64_2.8s_140fps, 390
 * frames a beat: its first trigger -4 -> -34 ms). Before that, and with fewer than 3 beats, the
 * lags' trend at lock stands (take_lock_lags). On unseen-104's moved rows the lags' shrunk trend
 * read -0.005 to 0 for a true -0.022 to -0.033 (u57, u29, u37), the beats after -0.017 to
 * -0.028 (docs/accuracy-log.md, "A moved reference's trend from the beats after it").
 */
#define MOVED_SPAN 0.25
void sync_calib_moved_trend(struct ogate_sync *s)
{
	const double *m = s->cal_lags, *L = s->cal_lag0; /* the beats after: the lags' sums less */
	double a[6], P = s->info.period_frames;
	for (int j = 0; j < 6; j++)
		a[j] = m[j] - L[j];
	struct beat_line l;
	if (sync_beat_line(a, &l) || l.sxx / l.n < MOVED_SPAN * MOVED_SPAN * P * P / 12)
		return;
	s->cal_trend = l.q + l.rss > 0 ? l.b * l.q / (l.q + l.rss) : 0;
}

int sync_beat_line(const double m[6], struct beat_line *l)
{
	double n = m[0];
	if (!(n >= 3))
		return -1;
	l->n = n;
	l->sxx = m[3] - m[1] * m[1] / n;
	l->sxy = m[4] - m[1] * m[2] / n;
	l->syy = m[5] - m[2] * m[2] / n;
	if (!(l->sxx > 0))
		return -1;
	l->b = l->sxy / l->sxx;
	l->rss = fmax(l->syy - l->b * l->sxy, 0); /* >= 0 but for rounding */
	l->q = l->b * l->b * l->sxx * (n - 2);
	l->sig = l->q + l->rss > 0 ? l->q / (l->q + l->rss) : 0;
	return 0;
}
