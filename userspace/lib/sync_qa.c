// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Live phase-error estimate without ground truth (the reference system's retrospective
 * check): once the frames around a committed trigger have arrived, the phase actually reached
 * at the trigger time is read from them and compared with the target. The reference
 * interpolates between the two frames that bracket the trigger; a single frame's phase
 * carries its matching noise (~0.05-0.1 frame), which is as large as the error to be judged.
 * Here a weighted parabola in time is fitted through QA_K frames on each side, or a whole beat
 * on each side where a beat holds more than 2 QA_K frames (docs/analysis.md, "Live phase-error
 * check"; a slow heart's frames at rest match 3-6 times worse than its moving ones, and half a
 * beat a side left the check's own error as large as the trigger's, 1.2 ms at 90 frames a beat
 * on 64 px; a beat a side 0.9 ms):
 *  - the check's own error is the weighted mean of its frames' matching errors (the phase
 *    law's part is < 0.05 ms with a parabola), so more frames make it smaller; the frames
 *    before the trigger share the prediction's errors, but a fit through all of them is still
 *    the best estimate of the phase reached, and leaving them out was worse;
 *  - a line through that many frames reads the change of the heart rate as an error (up to
 *    1.3 ms on modulated hearts at 30 fps); the parabola's curvature takes it up;
 *  - the position calibration moves the measured phase near the target, and the prediction
 *    aims through that move: a check on calibrated phases cannot see it (it was most of the
 *    check's error with the Kalman filter). The level is therefore taken from the same
 *    parabola through the UNcalibrated phases, as the calibrated level plus the mean over the
 *    last QA_LEV checks of the difference between the two fits (the difference of one check
 *    alone carries the calibration's per-frame corrections, which do remove noise). That
 *    difference is taken over QA_K frames or half a beat a side whatever the calibrated fit's
 *    window: through a whole beat a side the uncalibrated level moved by -0.3 to -1.4 ms on
 *    slow hearts;
 *  - where the rate changes across the reference's beat, an uncalibrated phase is the phase
 *    linear in time plus the reference beat's own map N at its position (sync_calib.c), a
 *    pattern that repeats every beat: a parabola through it reads N's mean over its frames
 *    where the truth has N at the target (up to 1.6 ms on modulated hearts). The map's model
 *    is therefore taken out of the uncalibrated phases and its value at the target put back;
 *  - where that model misses (unseen sweeps: a delta of -3.94 frames on a beat that held P,
 *    +18 ms on every trigger; a trend or delta not measured), a parabola through a whole beat
 *    reads the miss. On beats of more than 2 QA_K frames whose model was not measured after
 *    the reference (its beats dropped under a resampled drift) or has a delta beyond QA_DELTA,
 *    the uncalibrated level therefore comes from sync.qa_local = K frames a side (32), without
 *    the model, with a step where the reference wraps: over part of a beat the parabola takes
 *    up N's own shape and the step its jump, whatever the model says (docs/analysis.md,
 *    "Hearts nobody tuned on"; everywhere on slow beats, make eval's slow rows read worse).
 * A refresh or a gap after the trigger cuts the window there, one before it likewise; the
 * check is made with what remains if at least QA_MIN frames lie on each side. Positive errors
 * are late triggers.
 */
#include <math.h>
#include "sync_private.h"

#define QA_K 32	 /* frames on each side, at least */
#define QA_MIN 3 /* frames on each side when a refresh or gap cuts the window */
#define QA_LEV 8 /* checks over which the uncalibrated level's difference is averaged */
/* frames: a beat model's delta beyond this is not believed (qa_model_missed) */
#define QA_DELTA 1.0

void sync_qa_add(struct ogate_sync *s, const struct ogate_sync_trigger *t)
{
	if (s->qa_n == QA_PENDING) { /* full: the oldest is dropped unchecked */
		s->qa_stats.unchecked++;
		for (int i = 1; i < QA_PENDING; i++) {
			s->qa_pend[i - 1] = s->qa_pend[i];
			s->qa_after[i - 1] = s->qa_after[i];
		}
		s->qa_n--;
	}
	int after = 0; /* frames already later than the trigger (none unless it lies in the past) */
	while (after < s->hn && sync_hist_at(s, after)->t_ns > t->time_ns)
		after++;
	s->qa_after[s->qa_n] = after;
	s->qa_pend[s->qa_n++] = *t;
}

/* frames on each side of trigger t for the uncalibrated level: QA_K, or half its reference's
 * period (one beat in all, over which the raw phases' pattern averages out) */
static int qa_beat_side(const struct ogate_sync_trigger *t)
{
	double half = ceil(0.5 * t->ref_period_frames);
	return half > QA_K ? (int)half : QA_K;
}

static int qa_model_missed(const struct ogate_sync *s, const struct ogate_sync_trigger *t);

/* frames on each side of trigger t for the calibrated fit: QA_K, or a whole beat (two in all)
 * where a beat holds more than 2 QA_K frames and its beat model is believed (else half a beat:
 * the calibrated phases then step at the reference's wrap, which a beat a side always holds),
 * within the history */
static int qa_half(const struct ogate_sync *s, const struct ogate_sync_trigger *t)
{
	int k = qa_beat_side(t), cap = (s->hcap - 2) / 2;
	if (k > QA_K && !qa_model_missed(s, t))
		k = (int)ceil(t->ref_period_frames);
	return k < cap ? k : cap;
}

/* The reference beat's map at raw position u, rad: N(u) = d u / (P + d) + k u (u - P) / (2 P)
 * for u in [0, P), k the beat length's trend across the reference's beat and d its length
 * less P (sync_beat_model in sync_calib.c, before the share of N its table has learnt: the
 * uncalibrated phases carry all of it). */
static double qa_map(const struct ogate_sync *s, double u)
{
	double P = s->info.period_frames;
	return P > 0 ? 2 * M_PI * sync_beat_model(s, u) / P : 0;
}

/* history entry e's phase: calibrated, or, if raw, uncalibrated less the reference beat's map */
static double qa_phase(const struct ogate_sync *s, const struct hist *e, int raw)
{
	return raw ? e->raw - qa_map(s, e->w) : e->unw;
}

/* The weighted parabola y = c0 + c1 x + c2 x^2 through history entries [from, from + n):
 * x = time from the trigger (s), y = phase relative to the entry at from (qa_phase). c0 and c1;
 * 0, or -1 if the normal equations are singular. */
static int qa_parabola(const struct ogate_sync *s, const struct ogate_sync_trigger *t, int from,
		       int n, int raw, double *y0, double c[2])
{
	double m[5] = { 0 }, v[3] = { 0 };
	*y0 = qa_phase(s, sync_hist_at(s, from), raw);
	for (int i = from; i < from + n; i++) {
		const struct hist *e = sync_hist_at(s, i);
		double x = (double)(e->t_ns - t->time_ns) * 1e-9, y = qa_phase(s, e, raw) - *y0;
		double p = sync_hist_weight(e);
		for (int j = 0; j < 5; j++, p *= x) {
			m[j] += p;
			if (j < 3)
				v[j] += p * y;
		}
	}
	/* Cramer's rule on the symmetric 3 x 3 system [m0 m1 m2; m1 m2 m3; m2 m3 m4] c = v */
	double a00 = m[2] * m[4] - m[3] * m[3], a01 = m[2] * m[3] - m[1] * m[4],
	       a02 = m[1] * m[3] - m[2] * m[2];
	double det = m[0] * a00 + m[1] * a01 + m[2] * a02;
	if (!(fabs(det) > 1e-12 * m[0] * m[2] * m[4]))
		return -1;
	double a11 = m[0] * m[4] - m[2] * m[2], a12 = m[1] * m[2] - m[0] * m[3];
	c[0] = (a00 * v[0] + a01 * v[1] + a02 * v[2]) / det;
	c[1] = (a01 * v[0] + a11 * v[1] + a12 * v[2]) / det;
	return 0;
}

/* sync.qa_local = K: the uncalibrated phases' weighted parabola in time through up to K frames
 * on each side of trigger t (na after it from history entry from, nb before), a step where
 * the reference wraps (frames whose position lies more than half a period from the target's),
 * and no beat model: c0 and c1 as qa_parabola's on the target's side of the wrap. Over part of
 * a beat the parabola takes up the map N's own shape, and the step its jump at the wrap
 * (delta), whatever the model's k and delta; 0, or -1 if singular. */
static int qa_local_fit(const struct ogate_sync *s, const struct ogate_sync_trigger *t, int from,
			int na, int nb, double *y0, double c[2])
{
	double P = t->ref_period_frames, a[4][5] = { { 0 } };
	int K = s->set.qa_local, ka = na < K ? na : K, kb = nb < K ? nb : K, across = 0;
	from += na - ka;
	*y0 = sync_hist_at(s, from)->raw;
	for (int i = from; i < from + ka + kb; i++) {
		const struct hist *e = sync_hist_at(s, i);
		double x = (double)(e->t_ns - t->time_ns) * 1e-9, w = sync_hist_weight(e);
		double b[4] = { 1, x, x * x, fabs(e->w - t->target_u) > 0.5 * P };
		across += b[3] > 0;
		for (int j = 0; j < 4; j++) {
			for (int k = 0; k < 4; k++)
				a[j][k] += w * b[j] * b[k];
			a[j][4] += w * b[j] * (e->raw - *y0);
		}
	}
	int m = across > 0 && across < ka + kb ? 4 : 3; /* no step unless both sides hold frames */
	double diag[4] = { a[0][0], a[1][1], a[2][2], a[3][3] };
	for (int j = 0; j < m; j++) { /* Gauss-Jordan, partial pivoting */
		int p = j;
		for (int r = j + 1; r < m; r++)
			if (fabs(a[r][j]) > fabs(a[p][j]))
				p = r;
		for (int k = 0; k < 5; k++) {
			double v = a[j][k];
			a[j][k] = a[p][k];
			a[p][k] = v;
		}
		if (!(fabs(a[j][j]) > 1e-12 * diag[j]))
			return -1;
		for (int r = 0; r < m; r++) {
			if (r == j)
				continue;
			double f = a[r][j] / a[j][j];
			for (int k = j; k < 5; k++)
				a[r][k] -= f * a[j][k];
		}
	}
	c[0] = a[0][4] / a[0][0];
	c[1] = a[1][4] / a[1][1];
	return 0;
}

/* N's model for trigger t's reference not to be believed: its length was not measured from the
 * beats after the reference (beat_after_reference drops them under a resampled drift: trend and
 * delta from the lags at lock alone; a moved reference's give its trend alone), or its delta
 * lies beyond QA_DELTA frames (the period misses the reference's beat by V-fit errors of 0.1-0.3
 * frame; u35 on the unseen sweep: -3.94 on a beat that held P, its beats' lengths 204-246
 * frames). */
static int qa_model_missed(const struct ogate_sync *s, const struct ogate_sync_trigger *t)
{
	return s->info.id == t->ref_id &&
	       (!sync_calib_after_measured(s) || fabs(s->cal_delta) > QA_DELTA);
}

/* The calibrated fit's level (phase at the trigger) lev for trigger t moved to the
 * uncalibrated one's: by the running mean over the last QA_LEV checks of this reference and
 * target of the difference between the uncalibrated fit's level (the map taken out of its
 * phases, its value at the target added; on a beat of more than 2 QA_K frames whose model
 * is not believed, qa_local_fit's) and lev1, the calibrated one's over the same frames: na
 * after the trigger from entry from, nb before it (lev may come from a longer window). */
static double qa_level(struct ogate_sync *s, const struct ogate_sync_trigger *t, int from, int na,
		       int nb, double lev1, double lev)
{
	if (s->qa_lev_n == 0 || s->qa_lev_ref != t->ref_id || s->qa_lev_target != t->target_phase) {
		s->qa_lev_n = 0;
		s->qa_lev = 0;
		s->qa_lev_ref = t->ref_id;
		s->qa_lev_target = t->target_phase;
	}
	double r0, rc[2], at = 0; /* at: the map at the target, put back */
	int bad;
	if (s->set.qa_local > 0 && qa_half(s, t) > QA_K && qa_model_missed(s, t)) {
		bad = qa_local_fit(s, t, from, na, nb, &r0, rc);
	} else {
		bad = qa_parabola(s, t, from, na + nb, 1, &r0, rc);
		at = qa_map(s, t->target_u);
	}
	if (!bad && rc[1] > 0) {
		double d = ogate_wrap_pi(r0 + rc[0] + at - lev1);
		s->qa_lev_n += s->qa_lev_n < QA_LEV;
		s->qa_lev += (d - s->qa_lev) / s->qa_lev_n;
	}
	return lev + s->qa_lev;
}

/* Judge trigger t from the na frames after it, the newest skip entries left out, and up to as
 * many before it. 1 and *out, or -1 when it cannot be judged. */
static int judge(struct ogate_sync *s, const struct ogate_sync_trigger *t, int skip, int na,
		 struct ogate_sync_qa *out)
{
	int half = qa_half(s, t);
	if (na > half)
		na = half;
	if (na < QA_MIN)
		return -1;
	for (int k = skip; k < skip + na; k++) { /* cuts are seen as frames arrive; once more */
		const struct hist *e = sync_hist_at(s, k);
		if (e->ref_id != t->ref_id || e->gap_before)
			return -1;
	}
	int nb = 0;
	for (int k = skip + na; k < s->hn && nb < half; k++) {
		const struct hist *e = sync_hist_at(s, k);
		if (e->ref_id != t->ref_id)
			break;
		nb++;
		if (e->gap_before)
			break; /* the gap lies before it */
	}
	if (nb < QA_MIN)
		return -1;
	double y0, c[2];
	if (qa_parabola(s, t, skip, na + nb, 0, &y0, c) || !(c[1] > 0))
		return -1;
	out->trigger_time_ns = t->time_ns;
	out->target_phase = t->target_phase;
	/* the level's difference from half a beat each side (y1, c1), the calibrated level from all */
	int h1 = qa_beat_side(t), la = na < h1 ? na : h1, lb = nb < h1 ? nb : h1;
	double y1 = y0, c1[2] = { c[0], c[1] };
	if ((la < na || lb < nb) && qa_parabola(s, t, skip + na - la, la + lb, 0, &y1, c1))
		return -1;
	out->phase_error = ogate_wrap_pi(
		qa_level(s, t, skip + na - la, la, lb, y1 + c1[0], y0 + c[0]) - t->target_phase);
	out->error_s = out->phase_error / c[1];
	return 1;
}

/* Called once per new history entry: counts it for every trigger it follows, and judges a
 * trigger once its window is full or cut by a refresh or a gap (this entry then left out). */
void sync_qa_step(struct ogate_sync *s, struct ogate_sync_result *r)
{
	if (!s->hn)
		return;
	const struct hist *e0 = sync_hist_at(s, 0);
	int i = 0;
	while (i < s->qa_n) {
		const struct ogate_sync_trigger *t = &s->qa_pend[i];
		if (e0->t_ns <= t->time_ns) {
			i++;
			continue;
		}
		int cut = e0->ref_id != t->ref_id || e0->gap_before;
		if (!cut && ++s->qa_after[i] < qa_half(s, t)) {
			i++;
			continue;
		}
		struct ogate_sync_qa q;
		if (judge(s, t, cut, s->qa_after[i], &q) > 0) {
			struct ogate_sync_qa_stats *st = &s->qa_stats;
			st->n++;
			s->qa_sum_s += q.error_s;
			s->qa_sum2_s += q.error_s * q.error_s;
			s->qa_sum2_rad += q.phase_error * q.phase_error;
			st->mean_s = s->qa_sum_s / (double)st->n;
			st->rms_s = sqrt(s->qa_sum2_s / (double)st->n);
			st->rms_rad = sqrt(s->qa_sum2_rad / (double)st->n);
			if (!r->has_qa) {
				r->has_qa = 1;
				r->qa = q;
			}
		} else {
			s->qa_stats.unchecked++;
		}
		for (int j = i + 1; j < s->qa_n; j++) {
			s->qa_pend[j - 1] = s->qa_pend[j];
			s->qa_after[j - 1] = s->qa_after[j];
		}
		s->qa_n--;
	}
}

int ogate_sync_get_qa_stats(const struct ogate_sync *s, struct ogate_sync_qa_stats *st)
{
	*st = s->qa_stats;
	return 0;
}
