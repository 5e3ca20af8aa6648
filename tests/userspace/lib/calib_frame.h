/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The calibration suites' fake reference and frame feed (test_calib_offsets.c,
 * test_fit_spread.c, test_calib_pin.c;
 * both include the library's sync sources): one locked frame at true
 * position u (frames, unwrapped) measured with error e, pushed into the
 * history through the locked step's calibration and spread as sync.c does.
 */
#ifndef OGATE_TEST_CALIB_FRAME_H
#define OGATE_TEST_CALIB_FRAME_H

/* a locked sync object on a fake reference of period P frames, reference frames at 0, 1, ...,
 * its calibration empty */
static inline struct ogate_sync *calib_locked_on(double P)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* the suites that drive the prediction pin the linear fit's window and weights */
	assert_int_equal(0, ogate_settings_set(&set, "prediction.predictor", "linear"));
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

#endif
