// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Where the calibration's pin puts the target (sync_calib.c), cause 7 of docs/accuracy-log.md "The
 * fast rows' bias": the reference's period P is the determination's estimate of the beat it holds
 * (refine_period, test_period_refine.c), which misses it by delta frames where the lags at lock
 * are few (their V-fit errors). A frame is matched to the position it shows, so the raw
 * phase falls back by delta at every wrap; the table learns that sawtooth as a ramp over the
 * positions and pins the ramp's MEAN over the reference frames to 0, where the target needs its
 * value AT the target. Every frame here is matched without error: what is left at the target is
 * the pin's alone, about delta (floor(P) / 2 - u_t) / (P + delta) frames (+ = the corrected phase
 * ahead of the truth: triggers early), 0 only for delta = 0 or a target at the reference's middle. The
 * pipeline's internals are compiled into this test and driven with known phases. */
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

#define IVL_S 0.005

/* Frames one position apart on a heart whose reference beat is P + delta frames, matched
 * exactly, target at u_t: the corrected phase's level at the target after 4000 frames, in
 * frames (measured minus true, + = ahead). */
static double left_at_target(double P, double delta, double ut)
{
	struct ogate_sync *s = calib_locked_on(P);
	s->info.target_u = ut;
	s->info.target_phase = 2 * M_PI * ut / P;
	double Pt = P + delta, x0 = 0.37;
	for (int k = 0; k < 4000; k++) {
		double x = k + x0, beat = floor(x / Pt);
		/* the raw position: the reference position the frame shows, unwrapped by P a beat */
		calib_frame_push(s, llround(k * IVL_S * 1e9), beat * P + (x - beat * Pt), 0);
	}
	/* a frame truly at the target shows position u_t and is corrected by the table there */
	double left = -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
	ogate_sync_free(s);
	return left;
}

/* 50 frames per beat at 200 fps with the target just after the wrap, as on the matrix's
 * blob128_fast0.25s_200fps (delta 0.061 frame there: -0.24 ms) */
static void the_pin_leaves_the_reference_beats_ramp_at_a_target_after_the_wrap(void **state)
{
	(void)state;
	double left = left_at_target(49.78, 0.06, 0.3);
	/* delta (24.5 - u_t) / (P + delta) = +0.0291 frame (0.15 ms at 200 fps): the table learns
	 * the ramp (94 % of it here), the pin puts its mean, not its value at u_t, at 0 */
	assert_true(fabs(left - 0.02734) < 5e-5);
	assert_true(fabs(left - 0.06 * (24.5 - 0.3) / 49.84) < 0.002);
}

/* the same with the reference's beat shorter than P, the target a third of the way in (the
 * target heuristic's usual place) */
static void the_pin_leaves_a_shorter_beats_ramp_with_the_opposite_sign(void **state)
{
	(void)state;
	double left = left_at_target(33.41, -0.07, 11.1);
	assert_true(fabs(left - -0.01070) < 5e-5);
	assert_true(fabs(left - -0.07 * (16.5 - 11.1) / 33.34) < 0.002);
}

/* no error where the reference holds exactly one beat, or where the target is its middle */
static void nothing_is_left_without_a_period_error_or_at_the_middle(void **state)
{
	(void)state;
	double a = left_at_target(49.78, 0, 0.3), b = left_at_target(49.78, 0.06, 24.5);
	assert_true(fabs(a) < 0.002);
	assert_true(fabs(b) < 0.002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_pin_leaves_the_reference_beats_ramp_at_a_target_after_the_wrap),
		cmocka_unit_test(the_pin_leaves_a_shorter_beats_ramp_with_the_opposite_sign),
		cmocka_unit_test(nothing_is_left_without_a_period_error_or_at_the_middle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
