/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The calibration suites' fake reference and frame feed (test_calib_offsets.c,
 * test_fit_spread.c, test_calib_pin.c, test_calib_prior.c, test_calib_curvature.c;
 * all include the library's sync sources): one locked frame at true
 * position u (frames, unwrapped) measured with error e, pushed into the
 * history through the locked step's calibration and spread as sync.c does;
 * the reference's stamps and lags at lock, and a steady heart fed after it.
 */
#ifndef OGATE_TEST_CALIB_FRAME_H
#define OGATE_TEST_CALIB_FRAME_H

#include <string.h>

/* a locked sync object on a fake reference of period P frames, reference frames at 0, 1, ...,
 * its calibration empty */
static inline struct ogate_sync *calib_locked_on(double P)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* the suites that drive the prediction pin the linear fit's window and weights */
	assert_int_equal(0, ogate_settings_set(&set, "prediction.predictor", "linear"));
	/* no beat after the fake reference is ever measured here, so sync.beat_delta_table (the
	 * default since session 17) would read delta from the table in every suite: they pin the
	 * calibration under the lags' delta, and test_beat_delta_table.c sets the key itself */
	assert_int_equal(0, ogate_settings_set(&set, "sync.beat_delta_table", "0"));
	/* and under the prior of N itself, the lags as read (the defaults before session 30):
	 * test_calib_prior_level.c and test_beat_common.c set the keys themselves */
	assert_int_equal(0, ogate_settings_set(&set, "sync.calibrate_prior", "1"));
	assert_int_equal(0, ogate_settings_set(&set, "sync.beat_common", "0"));
	/* and delta as the beat model reads it, without the wrap's pairs (the default since
	 * session 34): test_beat_delta_wrap.c sets the key itself */
	assert_int_equal(0, ogate_settings_set(&set, "sync.beat_delta_wrap", "0"));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	assert_non_null(s);
	s->have_ref = 1;
	s->configured = 1;
	s->info.id = 1;
	s->info.period_frames = P;
	s->L = (int)floor(P) + 1 + 2 * OGATE_NE;
	for (int j = 0; j < s->L; j++)
		s->sq[0].pos[j] = j - OGATE_NE;
	s->pos = s->sq[0].pos;
	sync_calib_reset(s);
	return s;
}

/* Returns the calibration subtracted from the frame (frames). */
static inline double calib_frame_push(struct ogate_sync *s, int64_t t_ns, double u, double e)
{
	double P = s->info.period_frames, m = fmod(u, P) + e;
	double off, c2 = sync_calib_common(s, m, &off);
	double cal = sync_calib_offset(s, m) + c2;
	struct hist *h = &s->hist[s->hhead];

	h->t_ns = t_ns;
	h->unw = 2 * M_PI * (u + e - cal) / P;
	h->raw = h->unw + 2 * M_PI * cal / P;
	h->w = m;
	h->off = off;
	h->c2 = c2;
	h->ref_id = s->info.id;
	h->gap_before = 0;
	h->ns = 1;
	h->sp = sync_calib_spread(s, m);
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
	sync_calib_update(s);
	sync_calib_common_update(s);
	return cal;
}

/* The reference as lock leaves it for the calibration: its first and last frames stamped ivl_ns
 * apart from first_ns (its start), and no lags yet (calib_lag_add()). */
static inline void calib_ref_at_lock(struct ogate_sync *s, int64_t first_ns, double ivl_ns)
{
	struct seq *q = &s->sq[0];
	q->L = s->L;
	for (int j = 0; j < q->L; j += q->L - 1) {
		assert_int_equal(0, ogate_frame_new(&q->f[j], OGATE_PIX_U8, 8, 8));
		q->f[j]->meta.timestamp_ns = first_ns + llround((j - OGATE_NE) * ivl_ns);
	}
	s->info.first_ns = first_ns;
	memset(q->lags, 0, sizeof(q->lags));
}

/* one lag at lock: a beat of y frames whose middle is x frames from the reference's middle */
static inline void calib_lag_add(struct ogate_sync *s, double x, double y)
{
	double v[6] = { 1, x, y, x * x, x * y, y * y };
	for (int j = 0; j < 6; j++)
		s->sq[0].lags[j] += v[j];
}

/* one beat after the reference, y frames centred x frames after its middle, as
 * beat_after_reference reads it: the frame that shows position w = x + P / 2 - y / 2 at
 * x + P / 2 + y / 2 frames after the reference's first frame */
static inline void calib_beat_after(struct ogate_sync *s, double x, double y)
{
	double P = s->info.period_frames, ivl = s->cal_ivl_ns;
	double since = (x + P / 2 + y / 2) * ivl, w = x + P / 2 - y / 2;
	struct hist *h = &s->hist[s->hhead];
	memset(h, 0, sizeof(*h));
	h->t_ns = s->info.first_ns + llround(since);
	h->w = w;
	h->ref_id = s->info.id;
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
	beat_after_reference(s);
}

/* A steady heart of Pt frames a beat at lock: the reference stamped ivl_ns apart from 0, its
 * lags at lock beats of Pt frames with middles over the 0.3 P before its middle, and the
 * calibration reset on them. */
static inline void calib_steady_lock(struct ogate_sync *s, double Pt, double ivl_ns)
{
	double P = s->info.period_frames;
	calib_ref_at_lock(s, 0, ivl_ns);
	for (double x = -0.3 * P; x <= 0; x += 1)
		calib_lag_add(s, x, Pt);
	sync_calib_reset(s);
}

/* the target at reference position ut */
static inline void calib_target(struct ogate_sync *s, double ut)
{
	s->info.target_u = ut;
	s->info.target_phase = 2 * M_PI * ut / s->info.period_frames;
}

/* A frame of that steady heart x frames after the beat after the reference's first frame,
 * matched without error: it shows *u, x mod Pt on the reference's P positions a beat. Returns
 * the calibration subtracted from it (frames). */
static inline double calib_steady_push(struct ogate_sync *s, double Pt, double ivl_ns, double x,
				       double *u)
{
	double P = s->info.period_frames, beat = floor(x / Pt);
	*u = P + beat * P + (x - beat * Pt);
	return calib_frame_push(s, llround((x + Pt) * ivl_ns), *u, 0);
}

#endif
