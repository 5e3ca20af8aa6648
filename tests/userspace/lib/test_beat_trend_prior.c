// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The beat model's trend against a prior (sync_calib.c, trend_prior_share; the key
 * sync.beat_trend_prior, off by default, set here; docs/accuracy-log.md, "The beat model's trend
 * against a prior"). bench/eval/targetphase.txt's u31_blob336_0.21s_61fps, 13.21 frames a beat:
 * its trend and delta came from three lags at lock, 13.148 frames at +1.92 (the determination's
 * own, 0.11 long: P was measured from them), and three beats after the reference, 12.933 /
 * 12.926 / 12.817 at +3.66 / +5.04 / +5.88 (0.08-0.18 short: the matching errors at their
 * positions). The true beat the reference held was 13.05 frames (delta -0.16) and its trend
 * -0.008; the line through the two groups, 3 frames apart, read a trend of -0.12 and a delta
 * of +0.11 (the trigger +4.7 ms late at 0 rad, -1.5 ms at 4). Those beats are fed here as
 * beat_after_reference reads them: the frame that shows position w at `since` after the
 * reference's first frame is a beat of since - w frames centred at (since + w) / 2 - P / 2. */
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

#define P31 13.2146
#define IVL31 16225813.9

/* u31's six beats with the prior tau (0: the key unset); *k, *d the model's trend and delta */
static void u31_model(double tau, double *k, double *d)
{
	struct ogate_sync *s = calib_locked_on(P31);
	if (tau > 0) {
		char v[32];
		snprintf(v, sizeof(v), "%g", tau);
		assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_trend_prior", v));
	}
	calib_ref_at_lock(s, 1000000000, IVL31);
	/* u31's three lags at lock as their sums (struct seq, lags), from the run */
	const double lags[6] = { 3, 5.74773939, 39.4440588, 13.4837897, 75.0842963, 518.741492 };
	memcpy(s->sq[0].lags, lags, sizeof(lags));
	sync_calib_reset(s);
	calib_beat_after(s, 3.6627, 12.9330);
	calib_beat_after(s, 5.0353, 12.9264);
	calib_beat_after(s, 5.8764, 12.8172);
	*k = s->cal_trend;
	*d = s->cal_delta;
	ogate_sync_free(s);
}

/* without the prior the two groups' line extrapolates the wrong sign of delta */
static void two_groups_three_frames_apart_read_a_steep_trend(void **state)
{
	(void)state;
	double k, d;
	u31_model(0, &k, &d);
	assert_true(fabs(k - -0.12265) < 1e-4);
	assert_true(fabs(d - 0.11429) < 1e-4);
}

/* with tau = 0.02 the slope's variance (its least-squares one plus CAL_ELINE^2 over the units'
 * spread, 9.0 frames^2) keeps 14 % of it, the curvature as much of itself, and delta, the
 * line's value at the middle with that trend, takes the true sign */
static void a_prior_keeps_the_trend_small_and_delta_short(void **state)
{
	(void)state;
	double k, d;
	u31_model(0.02, &k, &d);
	assert_true(fabs(k - -0.01663) < 1e-4);
	assert_true(fabs(d - -0.07183) < 1e-4);
	assert_true(fabs(k) < 0.03 && d < -0.05); /* true -0.008, -0.16 */
}

/* 56 frames a beat, strongly modulated (the matrix's blob256_strongmod_100fps: trend -0.044):
 * lags at lock over 28 frames before the middle and beats after it to +27 frames, on the line,
 * keep 98 % of the trend */
static void a_trend_over_a_wide_span_is_kept(void **state)
{
	(void)state;
	const double P = 56.07, kt = -0.044;
	struct ogate_sync *s = calib_locked_on(P);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_trend_prior", "0.02"));
	calib_ref_at_lock(s, 1000000000, 1e7);
	for (double x = -28; x <= 0; x += 1)
		calib_lag_add(s, x, P + kt * x);
	sync_calib_reset(s);
	for (double x = 4; x <= 27.5; x += 1)
		calib_beat_after(s, x, P + kt * x);
	assert_true(fabs(s->cal_trend - kt) < 0.02 * fabs(kt));
	assert_true(fabs(s->cal_delta) < 0.01);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_groups_three_frames_apart_read_a_steep_trend),
		cmocka_unit_test(a_prior_keeps_the_trend_small_and_delta_short),
		cmocka_unit_test(a_trend_over_a_wide_span_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
