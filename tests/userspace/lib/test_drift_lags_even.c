// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lags at lock registered for a drift (sync_driftreg.c, registered_lag) with
 * reference.lag_even: each comparison of frame i with frame i - d removes the drift over d
 * itself, and both frames go through the same four taps (one blur of 1/4 px^2,
 * sync_shift_even_rows). Without it frame i was shifted by the drift over the valley's middle b
 * for all three comparisons, bilinearly, against frames that were not: the frames b -+ 1 back
 * are then off by the drift over a frame either way, which on a static texture adds a V at b
 * to the valley, and the shifted frame's blur rounds the valley's bottom; the V fit is pulled
 * alike for every lag at lock, and the period with them. The stream is drift_scene.h's
 * (rendered analytically, no resampling blur, no noise): a disc beating at exactly PERIOD
 * frames on a smooth static texture that drifts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "frame_private.h"
#include "drift_scene.h"
#include "ogate/settings.h"
#include "ogate/sync.h"

#define W 64
#define PERIOD 40.3 /* frames */

static const struct drift_scene scene = { .period = PERIOD, .centre = 32, .r0 = 9, .ra = 6 };

/* the period at the first lock, frames (reference.lag_even = even) */
static double period_at_lock(double vy, double vx, int even)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.lag_even = even;
	double P = drift_scene_period_at_lock(&scene, &set, W, vy, vx);
	fprintf(stderr, "drift %+.4f %+.4f px/frame, lag_even %d: period %.4f frames\n", vy, vx,
		even, P);
	assert_true(P > 0);
	return P;
}

/* Without a drift nothing is registered: the key changes nothing (40.231, the V fit's error
 * where the disc rests). */
static void without_drift_the_key_changes_nothing(void **state)
{
	(void)state;
	assert_true(period_at_lock(0, 0, 1) == period_at_lock(0, 0, 0));
}

/* At 2.5-3.2 px/s (the period scan registers the drift first, then the lock's lags) the lags
 * read the period 0.75 frame short and 0.80 frame long without the key (39.551, 41.100), with
 * it within 0.2 frame of the beat (40.190, 40.110). */
static void fast_drifts_keep_the_period_at_lock_within_a_fifth_of_a_frame(void **state)
{
	(void)state;
	const double v[2][2] = { { 0.02, 0.015 }, { -0.03, 0.01 } };
	for (int k = 0; k < 2; k++) {
		assert_true(fabs(period_at_lock(v[k][0], v[k][1], 0) - PERIOD) > 0.5);
		assert_true(fabs(period_at_lock(v[k][0], v[k][1], 1) - PERIOD) < 0.2);
	}
}

/* At about 1 px/s the period stays within 0.05 frame of the drift-free one (40.257, 40.255,
 * 40.264; without the key 40.155, 40.230, 40.232). */
static void slow_drifts_keep_the_drift_free_period(void **state)
{
	(void)state;
	const double v[3][2] = { { -0.007, 0.007 }, { 0.004, 0.012 }, { 0.011, -0.002 } };
	double P0 = period_at_lock(0, 0, 0);
	for (int k = 0; k < 3; k++)
		assert_true(fabs(period_at_lock(v[k][0], v[k][1], 1) - P0) < 0.05);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_drift_the_key_changes_nothing),
		cmocka_unit_test(fast_drifts_keep_the_period_at_lock_within_a_fifth_of_a_frame),
		cmocka_unit_test(slow_drifts_keep_the_drift_free_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
