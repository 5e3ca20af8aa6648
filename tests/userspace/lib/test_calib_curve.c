// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The length of the beat the reference holds under a rate that curves across the beats measured
 * around it (sync_calib.c, beat_curve; docs/accuracy-log.md, "The reference beat's length under a
 * curving rate"). The calibration's line joins the lags at lock (beats centred up to a beat
 * before the reference's middle) to the beats measured after it (centred on its second half); its
 * value at the middle is P + delta, its slope the trend k. Where the beat length T(x) curves over
 * those 1-1.5 beats (a rate modulated over a few seconds, its turn near the lock) the line is a
 * chord: its value at the middle misses T(0) by the curvature, and delta with it. A parabola
 * through both groups, its curvature used as far as it is significant, gives T(0) and T'(0).
 * Every beat here is exact. The pipeline's internals are compiled into this test. */
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

#define P_REF 60.3
#define IVL_NS 1e7

/* the beat centred x frames from the reference's middle: T(x) = P + d0 + k x + c x^2 */
static double beat_len(double d0, double k, double c, double x)
{
	return P_REF + d0 + k * x + c * x * x;
}

/* delta and the trend after the lags at lock (middles from -lag_from P to 3 frames past the
 * middle, one a frame) and the frames of the half beat after the reference, each a beat after
 * the reference frame showing the same phase: a frame at tau frames from the reference's start
 * showing position w closes the beat centred at (tau + w - P) / 2, T = tau - w */
static void measured(double d0, double k, double c, double lag_from, double *delta, double *trend)
{
	struct ogate_sync *s = calib_locked_on(P_REF);
	int64_t first = 1000000000;
	calib_ref_at_lock(s, first, IVL_NS);
	for (double x = -lag_from * P_REF; x <= 3; x += 1)
		calib_lag_add(s, x, beat_len(d0, k, c, x));
	sync_calib_reset(s);
	for (double x = 1.0; x <= P_REF / 2; x += 1) {
		double T = beat_len(d0, k, c, x), w = x + (P_REF - T) / 2, tau = x + (P_REF + T) / 2;
		calib_frame_push(s, first + llround(tau * IVL_NS), w + P_REF, 0);
	}
	*delta = s->cal_delta;
	*trend = s->cal_trend;
	ogate_sync_free(s);
}

/* c = 2e-4 per frame (a 6 % modulation over 4 s at 60 fps, its turn near the lock, gives up to
 * 3e-4), lags from -0.9 P: the line through the same samples, its chord, read delta +0.1876 for
 * +0.1 and the trend at the middle 0.0050 for 0.01 (mm_blob192_1.0s_120fps_m6: +0.786 for
 * +0.299); the parabola reads +0.1000 and 0.0099 (the lags' middles one a frame apart, as the
 * sums at lock are taken) */
static void a_curving_beat_length_is_read_at_the_middle(void **state)
{
	(void)state;
	double delta, trend;
	measured(0.1, 0.01, 2e-4, 0.9, &delta, &trend);
	assert_true(fabs(delta - 0.10000) < 5e-5);
	assert_true(fabs(trend - 0.00991) < 5e-5);
	/* the other way round (a beat length at its longest near the lock) */
	measured(-0.2, -0.02, -3e-4, 0.5, &delta, &trend);
	assert_true(fabs(delta - -0.20000) < 5e-5);
	assert_true(fabs(trend - -0.01998) < 5e-5);
}

/* a beat length without curvature is read as before: the same line */
static void a_straight_beat_length_is_read_as_the_line(void **state)
{
	(void)state;
	double delta, trend;
	measured(0.15, -0.03, 0, 0.6, &delta, &trend);
	assert_true(fabs(delta - 0.15) < 1e-6);
	assert_true(fabs(trend - -0.03) < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_curving_beat_length_is_read_at_the_middle),
		cmocka_unit_test(a_straight_beat_length_is_read_as_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
