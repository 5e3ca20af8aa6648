// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The beat model's delta from the live beats (sync.beat_delta_live, sync_calib_live.c;
 * docs/accuracy-log.md "The reference's length at few frames a beat"). pinband.txt's 18-frame
 * cartoon row: the reference is P = 17.900 frames for a 17.818-frame beat, and both the lags at
 * lock and the half beat after the reference read 17.900, because at few frames a beat they are
 * matched at one sub-frame offset each (P's and its complement) and the V fit's error there is
 * common to both. Here the frames are matched with an error that depends on their sub-frame
 * offset alone, odd as the V fit's (0 at a reference frame), sized so that the beats after the
 * reference read P as the lags do: delta stays 0 and the pin leaves delta (u_t / P - 1/2) frames
 * at the target. The live beats, each measured against the beat before it at the same position
 * over frames at offsets that move from beat to beat, read the true length. The pipeline's
 * internals are compiled into this test. */
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

#define P0 17.900    /* the period at lock, frames */
#define PT 17.818    /* the beat the reference holds */
#define IVL_NS 7.0e7 /* 14.3 fps */

/* the matching error of a frame at true position u: the V fit's at its offset, sized so that a
 * frame one beat after the reference (offset 1 - 0.818 = 0.182) reads 0.082 frame early */
static double offset_error(double u)
{
	return -0.0902 * sin(2 * M_PI * (u - floor(u)));
}

/* a steady heart of PT frames a beat after a lock whose lags read P0, n frames fed with the
 * offset's error, sync.beat_delta_live = key: the corrected phase's level at target ut (frames,
 * measured less true, + = ahead of the truth) and the delta then held */
static double left_at_target(int key, double ut, int n, double *d)
{
	struct ogate_sync *s = calib_locked_on(P0);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_live", key ? "1" : "0"));
	calib_ref_at_lock(s, 0, IVL_NS);
	for (double x = -0.3 * P0; x <= 0; x += 1)
		calib_lag_add(s, x, P0);
	sync_calib_reset(s);
	calib_target(s, ut);
	for (int k = 0; k < n; k++) {
		double x = k + 0.37, beat = floor(x / PT), v = x - beat * PT;
		calib_frame_push(s, llround((x + PT) * IVL_NS), P0 + beat * P0 + v, offset_error(v));
	}
	double left = -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
	*d = s->cal_delta;
	ogate_sync_free(s);
	return left;
}

/* the row's target (0.41 rad: u 1.17), 25 beats */
static void live_beats_read_the_reference_length(void **state)
{
	(void)state;
	double d0, d1;
	left_at_target(0, 1.17, 450, &d0);
	left_at_target(1, 1.17, 450, &d1);
	/* without the key the beats after read P: delta shrunk to ~0 (-0.007) */
	assert_true(fabs(d0) < 0.02);
	/* the live beats read the true -0.082 (-0.086 over the 24 beats, whose means carry the
	 * offsets' errors, repeating every 5.5 beats here) */
	assert_true(fabs(d1 - (PT - P0)) < 0.01);
}

/* before CLV_MIN_BEATS live beats are measured the key changes nothing */
static void nothing_before_the_beats_are_measured(void **state)
{
	(void)state;
	double d0, d1;
	double off = left_at_target(0, 1.17, 120, &d0);
	double on = left_at_target(1, 1.17, 120, &d1);
	assert_memory_equal(&d0, &d1, sizeof(double));
	assert_memory_equal(&off, &on, sizeof(double));
}

/* a rate that changes from beat to beat more than a line, or along one by more than CLV_STEADY
 * of a beat (a modulation, a trend), or a beat of a whole number of frames (every beat matched
 * at one offset): the key keeps the beat model's delta */
static void unsteady_beats_keep_the_model(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(P0);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_live", "1"));
	calib_ref_at_lock(s, 0, IVL_NS);
	sync_calib_reset(s);
	s->clv.cur = 8;
	for (int k = 0; k < 8; k++) {
		s->clv.n[k] = P0;
		s->clv.sx[k] = P0 * (k + 1.5) * P0;
		s->clv.sum[k] = P0 * (PT + (k & 1 ? 0.3 : -0.3));
	}
	double d = 7;
	assert_int_equal(0, sync_calib_live_delta(s, &d));
	assert_true(d == 7);
	s->cal_delta = -0.5; /* a live delta applied before the beats turned unsteady */
	s->clv.model = 0.05;
	sync_calib_live_apply(s);
	assert_true(s->cal_delta == 0.05);
	for (int k = 0; k < 8; k++) /* a trend: 0.56 frame over the 7 beats */
		s->clv.sum[k] = P0 * (PT + 0.0045 * (k + 1.5) * P0);
	assert_int_equal(0, sync_calib_live_delta(s, &d));
	for (int k = 0; k < 8; k++) /* steady at 18.02 frames: the offsets moved 0.16 round */
		s->clv.sum[k] = P0 * (18.02 + (k & 1 ? 0.02 : -0.02));
	assert_int_equal(0, sync_calib_live_delta(s, &d));
	for (int k = 0; k < 8; k++) /* steady, +-0.02 frame: their mean, hardly shrunk */
		s->clv.sum[k] = P0 * (PT + (k & 1 ? 0.02 : -0.02));
	assert_int_equal(1, sync_calib_live_delta(s, &d));
	assert_true(fabs(d - (PT - P0)) < 0.003);
	ogate_sync_free(s);
}

/* frames of a steady heart from the first after the reference, frame k1 matched e frames late;
 * returns the index of the frame after that */
static int feed_until(struct ogate_sync *s, int k1, double e)
{
	int k = 0;
	for (; k <= k1; k++) {
		double x = k + 0.37, beat = floor(x / PT), v = x - beat * PT;
		calib_frame_push(s, llround((x + PT) * IVL_NS), P0 + beat * P0 + v, k == k1 ? e : 0);
	}
	return k;
}

static struct ogate_sync *live_on(void)
{
	struct ogate_sync *s = calib_locked_on(P0);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_live", "1"));
	calib_ref_at_lock(s, 0, IVL_NS);
	sync_calib_reset(s);
	return s;
}

/* the first live beat read 3 frames short (its frame matched 3 frames late) puts its middle 1.5
 * frames late, after the next frame's: that frame's beat is not counted (it indexed the beats at
 * -1, over the first sample's middle) */
static void a_beat_before_the_first_is_not_counted(void **state)
{
	(void)state;
	struct ogate_sync *s = live_on();
	int k1 = 0; /* the first frame with a live beat */
	for (; s->clv.n[0] == 0 && k1 < 100; k1++) {
		double x = k1 + 0.37, beat = floor(x / PT);
		calib_frame_push(s, llround((x + PT) * IVL_NS), P0 + beat * P0 + x - beat * PT, 0);
	}
	ogate_sync_free(s);
	s = live_on(); /* again, that frame's beat read short, then one more frame */
	int k = feed_until(s, k1 - 1, 3);
	assert_true(s->clv.n[0] == 1);
	double x0 = s->clv.x0, x = k + 0.37, beat = floor(x / PT);
	calib_frame_push(s, llround((x + PT) * IVL_NS), P0 + beat * P0 + x - beat * PT, 0);
	assert_true(s->clv.x0 == x0);
	assert_true(s->clv.n[0] == 1);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_beats_read_the_reference_length),
		cmocka_unit_test(nothing_before_the_beats_are_measured),
		cmocka_unit_test(unsteady_beats_keep_the_model),
		cmocka_unit_test(a_beat_before_the_first_is_not_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
