/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A clean ramp for the trigger decision's tests: a sync object locked on a fake reference of a
 * 1 s beat at 80 fps (IVL), locked for a beat, target TARGET rad (crossed at CROSS s), the
 * linear predictor, and frames of the ramp pushed into its history and deciding through sync_predict_and_decide.
 * Included after sync.c and sync_timing.c (their statics).
 */
#ifndef OGATE_TEST_RAMP_SYNC_H
#define OGATE_TEST_RAMP_SYNC_H

#define IVL 0.0125
#define TARGET 3.0
#define CROSS (TARGET / (2 * M_PI)) /* the target's crossing (s) */

/* the ramp's sync object; kv: NULL or key, value pairs ending in NULL, set after the linear
 * predictor */
static inline struct ogate_sync *ramp_sync_new(const char *const *kv)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "prediction.predictor", "linear"));
	for (; kv && kv[0]; kv += 2)
		assert_int_equal(0, ogate_settings_set(&set, kv[0], kv[1]));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->have_ref = 1;
	s->info.id = 1;
	s->info.period_frames = 1 / IVL;
	s->info.barrier = 0;
	s->info.target_phase = TARGET;
	s->configured = 1;
	for (int i = 0; i < IVL_N; i++)
		s->ivl[i] = IVL;
	s->ivl_n = IVL_N;
	/* locked for a beat already: past trigger.first_on_time's first beat, where panic and late
	 * commits are refused (test_first_on_time.c sets it back) */
	s->frames_since_ref = (int)s->info.period_frames;
	return s;
}

/* frame i of the ramp into the history */
static inline void ramp_push(struct ogate_sync *s, int i)
{
	struct hist *h = &s->hist[s->hhead];
	memset(h, 0, sizeof(*h));
	h->t_ns = llround(i * IVL * 1e9);
	h->unw = 2 * M_PI * i * IVL;
	h->ref_id = 1;
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
}

/* frame i (the newest in the history, at unwrapped phase unw) decides */
static inline struct ogate_sync_result ramp_decide_at(struct ogate_sync *s, int i, double unw)
{
	struct ogate_sync_result r = { 0 };
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, 8, 8));
	struct ogate_frame_meta m = { .timestamp_ns = llround(i * IVL * 1e9), .sequence = (uint64_t)i };
	ogate_frame_set_meta(f, &m);
	r.unwrapped = unw;
	r.phase = ogate_wrap_2pi(r.unwrapped);
	sync_predict_and_decide(s, f, &r);
	ogate_frame_free(f);
	return r;
}

/* frame i of the ramp (the newest in the history) decides */
static inline struct ogate_sync_result ramp_decide(struct ogate_sync *s, int i)
{
	return ramp_decide_at(s, i, 2 * M_PI * i * IVL);
}

/* the ramp's frames 0 .. last into s, then frame last's decision */
static inline struct ogate_sync_result ramp_decide_after(struct ogate_sync *s, int last)
{
	for (int i = 0; i <= last; i++)
		ramp_push(s, i);
	return ramp_decide(s, last);
}
#endif
