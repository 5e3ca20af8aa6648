// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The calibration table's prior (sync_calib.c, table_at; docs/accuracy-log.md "The slow rows:
 * the calibration's first beats"). The table learns N, the reference beat's own map (the ramp of
 * delta, the reference holding P + delta frames, and the rate's curvature, test_calib_pin.c and
 * test_calib_curvature.c), at one sample per position and beat, a quarter of a sample per
 * quarter-frame bin, each bin shrunk by CAL_K0 pseudo-samples. Shrunk towards 0, the raw phase
 * kept most of its fall of delta at every wrap for the first 5-10 beats: 10-20 s on a slow heart,
 * where a fit window across the wrap put the first triggers 1-4 ms early (blob128_slow2s_80fps,
 * delta 0.37 frame). With sync.calibrate_prior the pseudo-samples hold N's model from the trend
 * and delta the calibration already has (from the lags at lock, then the beats after the
 * reference), so the fall is gone from the first beat, and the samples take over as they come. Every frame here is
 * matched without error on a steady heart whose reference beat is 40.5 frames and P = 40.3; the
 * lags at lock give delta = 0.2. The pipeline's internals are compiled into this test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
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

#define P_REF 40.3
#define P_TRUE 40.5

/* A locked sync whose lags at lock say the reference holds P_TRUE frames. */
static struct ogate_sync *locked_with_lags(int prior)
{
	struct ogate_sync *s = calib_locked_on(P_REF);
	s->set.calibrate_prior = prior;
	calib_steady_lock(s, P_TRUE, 1e7);
	calib_target(s, 12.0);
	return s;
}

/* The corrected phase's fall at the wrap ending beat b after the reference (frames; 0 = none,
 * about -delta = the raw phase's): each frame's corrected position less the line a steady heart
 * shows, P frames of position a beat, the 4 frames just after the wrap against the 4 just
 * before. */
static double fall_at_wrap(int b, int prior)
{
	struct ogate_sync *s = locked_with_lags(prior);
	double ivl_ns = 1e7, x0 = 0.37, before = 0, after = 0;
	int nb = 0, na = 0;
	for (int k = 0; k < (b + 1) * 41; k++) {
		double x = k + x0, u, cal = calib_steady_push(s, P_TRUE, ivl_ns, x, &u);
		double err = u - cal - P_REF - x * P_REF / P_TRUE; /* frames */
		double d = x - b * P_TRUE;			   /* frames from the wrap */
		if (d < 0 && d >= -4) {
			before += err;
			nb++;
		} else if (d >= 0 && d < 4) {
			after += err;
			na++;
		}
	}
	ogate_sync_free(s);
	return after / na - before / nb;
}

/* delta is known from the lags at lock (the curvature is 0 here): with the table shrunk towards
 * 0 (the default) the fall is 0.18 frame of 0.2 after one and two beats, 0.065 after 9 */
static void a_table_shrunk_towards_0_keeps_the_wraps_fall(void **state)
{
	(void)state;
	assert_true(fabs(fall_at_wrap(1, 0) - -0.18025) < 5e-5);
	assert_true(fabs(fall_at_wrap(2, 0) - -0.17656) < 5e-5);
	assert_true(fabs(fall_at_wrap(9, 0) - -0.06506) < 5e-5);
}

/* with sync.calibrate_prior, 0.05 frame at most (an odd beat's wrap has frames shown past P, on
 * the first bins, where the table holds both ends of the ramp) */
static void the_prior_takes_the_wraps_fall_out_from_the_first_beats(void **state)
{
	(void)state;
	assert_true(fabs(fall_at_wrap(1, 1) - -0.04975) < 5e-5);
	assert_true(fabs(fall_at_wrap(2, 1) - -0.00588) < 5e-5);
	assert_true(fabs(fall_at_wrap(9, 1) - -0.02159) < 5e-5);
	for (int b = 1; b <= 9; b++)
		assert_true(fabs(fall_at_wrap(b, 1)) < 0.05);
}

/* The prior holds N's model from the first locked frame, so the pin must too (update_anchor):
 * pinned only at the 8th sample, a beat and 8 frames after lock, every earlier frame was N(u_t)
 * off the later ones, a step inside the first trigger's fit window (blob256_strongmod_100fps's
 * first trigger -1.6 -> -2.8 ms). Here a trend of 0.03 at lock (N(12) = -0.1264 frame), then
 * the first frame after the reference, whose beat gives delta and a new trend. */
static void the_prior_is_pinned_at_the_target_from_the_first_frame(void **state)
{
	(void)state;
	struct ogate_sync *s = locked_with_lags(1);
	s->sq[0].trend = 0.03;
	sync_calib_reset(s);
	double nt = sync_beat_model(s, 12.0);
	assert_true(fabs(nt - -0.12640) < 5e-5);
	assert_true(fabs(sync_calib_offset(s, 12.0)) < 1e-12);
	assert_true(fabs(sync_calib_offset(s, 30.0) - (sync_beat_model(s, 30.0) - nt)) < 1e-12);
	double ivl_ns = 1e7, x = 0.37;
	calib_frame_push(s, llround((x + P_TRUE) * ivl_ns), P_REF + x, 0);
	assert_true(fabs(s->cal_delta - 0.2) < 0.01);
	assert_true(fabs(sync_beat_model(s, 12.0) - nt) > 0.01); /* the model moved */
	assert_true(fabs(sync_calib_offset(s, 12.0)) < 1e-12);
	ogate_sync_free(s);
}

/* The pin holds N's level at the target (update_anchor): moved mid-run (ogate_sync_set_target_phase),
 * the target's N is taken from the move's first frame, not from the next 8th sample with the old
 * target's (here N(12) -> N(30) moves the pin by ~0.1 frame). */
static void the_pin_follows_a_target_move_at_once(void **state)
{
	(void)state;
	struct ogate_sync *s = locked_with_lags(1);
	double ivl_ns = 1e7, x0 = 0.37, u;
	int k = 0;
	for (; k < 125; k++)
		calib_steady_push(s, P_TRUE, ivl_ns, k + x0, &u);
	double before = s->cal_anchor;
	assert_int_equal(0, ogate_sync_set_target_phase(s, 2 * M_PI * 30.0 / P_REF));
	calib_steady_push(s, P_TRUE, ivl_ns, k + x0, &u);
	double a = s->cal_anchor;
	update_anchor(s);
	assert_float_equal(a, s->cal_anchor, 1e-12);
	assert_float_equal(a - before, beat_map(s, 30.0) - beat_map(s, 12.0), 0.01);
	assert_true(fabs(a - before) > 0.05);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_table_shrunk_towards_0_keeps_the_wraps_fall),
		cmocka_unit_test(the_prior_takes_the_wraps_fall_out_from_the_first_beats),
		cmocka_unit_test(the_prior_is_pinned_at_the_target_from_the_first_frame),
		cmocka_unit_test(the_pin_follows_a_target_move_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
