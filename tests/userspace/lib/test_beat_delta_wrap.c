// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The beat model's delta from the reference's two copies of its wrap (sync.beat_delta_wrap,
 * sync_calib_live.c; docs/accuracy-log.md "The beat model's delta at the wrap"). A reference
 * of P0 frames holds a beat of PT: its padded end repeats the first frames' phases PT frames
 * on. Live frames near the wrap get SADs against every reference frame from a valley rounded at
 * its bottom, as noise rounds a SAD valley, so the V fit misplaces a frame by an error odd in
 * its sub-frame offset. Read once at one offset (as the beats after the reference all are) the
 * two copies' difference keeps that error; over offsets that go round it averages out and the
 * pairs read PT - P0. The pipeline's internals are compiled into this test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "sync.c"
#include "sync_calib.c"
#include "sync_calib_common.c"
#include "sync_calib_live.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "calib_frame.h"

#define P0 49.80 /* the period at lock, frames */
#define PT 49.84 /* the beat the reference holds */
#define NPX 4096 /* the pixels a SAD sums */

/* the SADs' floor: the noise two frames' difference leaves at the valley's bottom (0: none) */
static double sad_floor;

/* a SAD valley rounded within half a frame of its bottom: the V fit reads a frame 0.1 past a
 * reference frame 0.028 late, 0.06 before one 0.020 early */
static double valley(double d)
{
	return sqrt(d * d + 0.25) - 0.5;
}

/* one live frame at true position u (frames from the reference's first frame, |u| < 2) on a
 * reference of period p holding a beat of pt: its SADs against every reference frame (the end
 * copy's frames are a beat of pt on) and the pair it gives */
static void frame_on(struct ogate_sync *s, double u, double p0, double pt)
{
	int b = 0;
	for (int j = 0; j < s->L; j++) {
		double p = j - OGATE_NE, t = p < p0 / 2 ? p : p - pt;
		double d = fabs(u - t);
		if (u < 0 && p < p0 / 2)
			d = fmin(d, fabs(u + pt - p));
		s->S[j] = sad_floor + 1000 * valley(d);
		if (s->S[j] < s->S[b])
			b = j;
	}
	int c0 = sync_calib_wrap_other(s, b);
	if (c0 >= 0) /* every SAD is whole here */
		sync_calib_wrap_pair(s, b, c0, NPX);
}

static void frame_at(struct ogate_sync *s, double u)
{
	frame_on(s, u, P0, PT);
}

/* n frames within a frame either side of the wrap at offsets that go round (the golden ratio's
 * steps) */
static void frames_round(struct ogate_sync *s, int n, double p0, double pt)
{
	for (int k = 0; k < n; k++)
		frame_on(s, -1 + 2 * fmod(k * 0.6180339887, 1.0), p0, pt);
}

/* frames captured every 5 ms, evenly */
static void even_captures(struct ogate_sync *s)
{
	s->ivl[0] = 0.005;
	s->ivl_n = 1;
	s->ivl_dev = 0;
}

static struct ogate_sync *wrap_on(const char *key)
{
	struct ogate_sync *s = calib_locked_on(P0);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_wrap", key));
	sync_calib_reset(s);
	even_captures(s);
	return s;
}

/* offsets that go round read the held beat; all at one offset they keep the V fit's error there */
static void pairs_over_offsets_read_the_held_beat(void **state)
{
	(void)state;
	struct ogate_sync *s = wrap_on("100");
	frames_round(s, 400, P0, PT);
	double d = 7;
	assert_int_equal(1, sync_calib_wrap_delta(s, &d));
	assert_true(s->clv.wn >= 300);
	assert_true(fabs(d - (PT - P0)) < 0.005);
	ogate_sync_free(s);

	s = wrap_on("100");
	for (int k = 0; k < 400; k++) /* one offset: 0.1 past the first copy's frames */
		frame_at(s, (k % 2) - 0.9);
	assert_int_equal(1, sync_calib_wrap_delta(s, &d));
	assert_true(fabs(d - (PT - P0)) > 0.03);
	ogate_sync_free(s);
}

/* the key off gathers nothing; below its count of pairs delta stays the beat model's */
static void nothing_before_the_pairs(void **state)
{
	(void)state;
	struct ogate_sync *s = wrap_on("0");
	frames_round(s, 50, P0, PT);
	double d = 7;
	assert_true(s->clv.wn == 0);
	assert_int_equal(0, sync_calib_wrap_delta(s, &d));
	assert_true(d == 7);
	ogate_sync_free(s);

	s = wrap_on("1000");
	frames_round(s, 50, P0, PT);
	assert_true(s->clv.wn > 0);
	assert_int_equal(0, sync_calib_wrap_delta(s, &d));
	s->clv.model = -0.03;
	sync_calib_live_apply(s);
	assert_true(s->cal_delta == -0.03);
	ogate_sync_free(s);
}

/* no pairs below 20 frames a beat, nor while a drift is tracked, nor on uneven captures */
static void no_pairs_at_few_frames_a_beat_or_under_a_drift(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		double p = i ? 20.5 : 19.5;
		struct ogate_sync *s = calib_locked_on(p);
		assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_wrap", "1"));
		sync_calib_reset(s);
		even_captures(s);
		frames_round(s, 20, p, p + 0.04);
		if (i)
			assert_true(s->clv.wn > 10);
		else
			assert_true(s->clv.wn == 0);
		ogate_sync_free(s);
	}

	struct ogate_sync *s = wrap_on("1");
	frame_at(s, 0.3);
	assert_true(s->clv.wn == 1);
	s->fdx = 0.1; /* a sub-pixel drift tracked */
	frame_at(s, 0.3);
	s->fdx = 0;
	s->dy = 1; /* a whole pixel */
	frame_at(s, 0.3);
	s->dy = 0;
	s->ivl_dev = 0.0002; /* a spread of 0.25 ms, 5 % of the interval */
	frame_at(s, 0.3);
	assert_true(s->clv.wn == 1);
	s->ivl_dev = 0.00005; /* 1.3 % */
	frame_at(s, 0.3);
	assert_true(s->clv.wn == 2);
	ogate_sync_free(s);
}

/* A valley whose one-frame excess lies within WRAP_Z noise sds of a SAD gives no pair (a slow
 * heart near its wrap: its pairs read +0.3-0.55 frame of a beat not held); the same valley on a
 * lower floor does. The excess at 0.3 frame from a reference frame is 543: 5.8 sds of a SAD of
 * 8000 over 4096 pixels (sqrt(pi / 2 - 1) 8000 / 64 = 94), 23 of one of 2000. */
static void no_pairs_from_a_valley_within_the_noise(void **state)
{
	(void)state;
	struct ogate_sync *s = wrap_on("1");
	sad_floor = 8000;
	frame_at(s, 0.3);
	frame_at(s, -0.3);
	assert_true(s->clv.wn == 0);
	sad_floor = 2000;
	frame_at(s, 0.3);
	frame_at(s, -0.3);
	assert_true(s->clv.wn == 2);
	sad_floor = 0;
	ogate_sync_free(s);
}

/* the pairs are the default from 20 of them (session 34: make eval's rows at the wrap and the
 * 24-93 frame rows of the unseen sweeps, docs/accuracy-log.md "The wrap's pairs by default") */
static void the_key_is_on_by_default(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(20, set.beat_delta_wrap);
}

/* once enough pairs, the beat model's delta is theirs */
static void the_pairs_delta_is_applied(void **state)
{
	(void)state;
	struct ogate_sync *s = wrap_on("20");
	s->clv.model = -0.03;
	frames_round(s, 100, P0, PT);
	double d = 7;
	assert_int_equal(1, sync_calib_wrap_delta(s, &d));
	sync_calib_live_apply(s);
	assert_true(s->cal_delta == d);
	assert_true(fabs(s->cal_delta - (PT - P0)) < 0.01);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pairs_over_offsets_read_the_held_beat),
		cmocka_unit_test(nothing_before_the_pairs),
		cmocka_unit_test(no_pairs_at_few_frames_a_beat_or_under_a_drift),
		cmocka_unit_test(no_pairs_from_a_valley_within_the_noise),
		cmocka_unit_test(the_pairs_delta_is_applied),
		cmocka_unit_test(the_key_is_on_by_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
