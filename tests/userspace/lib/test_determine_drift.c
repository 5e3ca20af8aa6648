// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The period found at lock on a drifting specimen (sync_driftreg.c, sync_frame_lags): before a
 * reference exists nothing is registered, so frames a beat apart differ by the drift's shift
 * over the beat as well as by the heart; on a textured background that shift grows with the
 * lag, the SAD rises along the valley and every lag came out short (0.49 frame at 1 px/s on
 * the cartoon). The stream here is rendered analytically (no resampling blur): a smooth static
 * texture drifting at a constant velocity and a disc beating at an exactly known period. */
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

/* the drift suites' scene (drift_scene.h) */
static const struct drift_scene scene = { .period = PERIOD, .centre = 32, .r0 = 9, .ra = 6 };

/* the refined period at the first lock, in frames (reference.register_drift = reg, lags read
 * both ways: reference.lag_sym = sym) */
static double period_at_lock_sym(double vy, double vx, int reg, int sym)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.register_drift = reg;
	set.lag_sym = sym;
	double P = drift_scene_period_at_lock(&scene, &set, W, vy, vx);
	fprintf(stderr, "drift %.4f %.4f px/frame: period %.4f frames\n", vy, vx, P);
	assert_true(P > 0);
	return P;
}

static double period_at_lock(double vy, double vx, int reg)
{
	return period_at_lock_sym(vy, vx, reg, 1);
}

/* Without drift the period is the heart's (to the V fit's error where the disc rests: 40.23),
 * with or without registration: the velocity stays below one resampler step over a beat, so
 * the stored rows' lags are used alike. */
static void without_drift_the_period_is_the_hearts(void **state)
{
	(void)state;
	double P0 = period_at_lock(0, 0, 0);
	assert_true(fabs(P0 - PERIOD) < 0.1);
	assert_true(period_at_lock(0, 0, 1) == P0);
}

/* At 1 px/s (0.01 px per frame at 100 fps, 0.4 px over a beat) the unregistered lags read one
 * way make the period 0.6 frame short (reference.register_drift = 0 and reference.lag_sym = 0;
 * the defaults are 1). */
static void an_unregistered_drift_shortens_the_period(void **state)
{
	(void)state;
	double P0 = period_at_lock_sym(0, 0, 0, 0);
	assert_true(period_at_lock_sym(-0.007, 0.007, 0, 0) - P0 < -0.4);
}

/* Read both ways (reference.lag_sym) the unregistered lags lose most of it: the drift shifts
 * frame i against the frame a beat before it, and that frame against its match a beat later,
 * by opposite amounts, so the two readings' errors cancel: 0.09 frame short (was 0.6). */
static void lags_read_both_ways_cancel_most_of_an_unregistered_drift(void **state)
{
	(void)state;
	double P0 = period_at_lock(0, 0, 0);
	assert_true(fabs(period_at_lock(-0.007, 0.007, 0) - P0) < 0.15);
}

/* With reference.register_drift the period stays what it is without drift, whatever the
 * drift's direction. What is left is the resampler's 1/16 px steps (without pixel noise a
 * residual shift of any size biases the lag by as much as the whole drift: the SAD is |shift|
 * x the texture's gradient). */
static void a_drift_is_registered_before_the_period_is_refined(void **state)
{
	(void)state;
	double P0 = period_at_lock(0, 0, 0);
	assert_true(fabs(period_at_lock(-0.007, 0.007, 1) - P0) < 0.15);
	assert_true(fabs(period_at_lock(0.004, 0.012, 1) - P0) < 0.15);
	assert_true(fabs(period_at_lock(0.011, -0.002, 1) - P0) < 0.15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_drift_the_period_is_the_hearts),
		cmocka_unit_test(an_unregistered_drift_shortens_the_period),
		cmocka_unit_test(lags_read_both_ways_cancel_most_of_an_unregistered_drift),
		cmocka_unit_test(a_drift_is_registered_before_the_period_is_refined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
