// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The calibration's pin on a heart whose rate changes inside the beat the reference holds
 * (sync_calib.c, beat_map; docs/accuracy-log.md "The modulated rows' bias"). With the beat length
 * a line in time, T(c) = P + k (c - P / 2), a frame truly at the phase of reference position u
 * shows u while a phase linear in time puts it at u - N(u), N(u) = k u (u - P) / (2 P). The
 * table learns N (it makes the corrected phase linear in time) and the pin sets its MEAN over
 * the reference frames to 0, where a frame at the target must keep N(u_t): that leaves
 * N(u_t) - mean N frames at the target. With the lag trend k that refine_period measured at
 * lock (test_period_refine.c), the pin is moved to N's level at the target. Every frame here is
 * matched without error and the reference holds exactly one beat (no delta: test_calib_pin.c).
 * The pipeline's internals are compiled into this test and driven with known phases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "sync.c"
#include "sync_calib.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "calib_frame.h"

#define IVL_S 0.01

static double beat_n(double k, double P, double u)
{
	return k * u * (u - P) / (2 * P);
}

/* A steady heart after lock (a frame a position), the reference's own beat curved by trend
 * k_ref; the calibration told trend k_cal. The corrected phase's level at the target after
 * 4000 frames, in frames (measured minus true, + = ahead: triggers early). */
static double left_at_target(double P, double k_ref, double k_cal, double ut)
{
	struct ogate_sync *s = calib_locked_on(P);
	s->sq[0].trend = k_cal;
	sync_calib_reset(s);
	s->info.target_u = ut;
	s->info.target_phase = 2 * M_PI * ut / P;
	double x0 = 0.37;
	for (int k = 0; k < 4000; k++) {
		double x = k + x0, xm = fmod(x, P), w = xm;
		for (int it = 0; it < 50; it++) /* the position it shows: w - N(w) = x mod P */
			w = xm + beat_n(k_ref, P, w);
		calib_frame_push(s, llround(k * IVL_S * 1e9), x, w - xm);
	}
	/* a frame truly at the target's phase shows position u_t and is corrected by the table */
	double left = -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
	ogate_sync_free(s);
	return left;
}

/* The mean of N over the reference frames 0 .. floor(P) */
static double mean_n(double k, double P)
{
	int N = (int)floor(P) + 1;
	double a = 0;
	for (int j = 0; j < N; j++)
		a += beat_n(k, P, j);
	return a / N;
}

/* 40 frames a beat, lengthening by 0.03 frame per frame (10 % modulation over 5 s at 0.6 s and
 * 100 fps gives up to 0.075), the target a third of the way in: the mean pin leaves
 * mean N - N(u_t) = +0.0340 frame ahead (the trigger 0.34 ms early at 100 fps); with the trend
 * 0.001 frame is left */
static void the_pin_is_moved_to_the_curvatures_level_at_the_target(void **state)
{
	(void)state;
	double P = 39.6, k = 0.03, ut = 13.2;
	double mean_pin = left_at_target(P, k, 0, ut), at_target = left_at_target(P, k, k, ut);
	/* without the trend the mean pin leaves the curvature's level at the target */
	assert_true(fabs(mean_pin - -(beat_n(k, P, ut) - mean_n(k, P))) < 0.004);
	assert_true(fabs(mean_pin - 0.03408) < 5e-5);
	/* with it, only what the table's quarter-frame nodes and the line's window leave */
	assert_true(fabs(at_target - 0.00106) < 5e-5);
}

/* beats shortening, the target near the end of the beat, where N is about 0 and the mean pin's
 * error about its largest, k P / 12: +0.1058 frame ahead, 0.0008 with the trend */
static void a_target_near_the_wrap_is_moved_the_other_way(void **state)
{
	(void)state;
	double P = 39.6, k = -0.04, ut = 38.5;
	double mean_pin = left_at_target(P, k, 0, ut), at_target = left_at_target(P, k, k, ut);
	assert_true(fabs(mean_pin - -(beat_n(k, P, ut) - mean_n(k, P))) < 0.004);
	assert_true(fabs(mean_pin - 0.10576) < 5e-5);
	assert_true(fabs(at_target - 0.00076) < 5e-5);
}

/* a reference beat without curvature is left as it was, whatever the trend reported */
static void no_trend_changes_nothing(void **state)
{
	(void)state;
	assert_true(fabs(left_at_target(39.6, 0, 0, 13.2)) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_pin_is_moved_to_the_curvatures_level_at_the_target),
		cmocka_unit_test(a_target_near_the_wrap_is_moved_the_other_way),
		cmocka_unit_test(no_trend_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
