// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The V fit's error where the image changes at different speeds either side of a reference frame,
 * on SADs that grow linearly along the image's path (a frame t past reference frame b, 0 <= t < 1,
 * in an interval of change p between a slower or equal m before b and q after b + 1: S(b - 1) =
 * m + p t, S(b) = p t, S(b + 1) = p (1 - t), S(b + 2) = p (1 - t) + q; the least SAD at b for
 * t < 1/2, at b + 1 after). The V fit assumes equal sides, so
 *   a frame at a reference frame's own phase is put (m - p) / (2 max(m, p)) off it, towards the
 *   side that changes more slowly (the pin's premise, "a frame at reference frame j is matched
 *   exactly at j", holds for ogate_step_offset, which uses each side's own step, and not for it);
 *   over the interval its error is (m - p)(1 - 2t) / (2m) before half-way and -(q - p)(1 - 2|t'|)
 *   / (2q) after (t' = t - 1), so its mean is (p/q - p/m) / 8,
 * nonzero wherever the beat's speed changes, and at few frames a beat those ratios are large: on
 * lowfpb.txt's clean 20-frames-a-beat heart the uncalibrated positions are off by up to 0.2
 * frame per reference position, which the position table learns and whose level the pin sets
 * (docs/accuracy-log.md, "The late bias at few frames a beat"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/analysis.h"

#define FLOOR 50.0 /* the noise floor every SAD carries */

/* the V fit's (steps: ogate_step_offset's) position of a frame t past b, b = 0 */
static double measured(double t, double m, double p, double q, int steps)
{
	double s[4] = { FLOOR + m + p * t, FLOOR + p * t, FLOOR + p * (1 - t), FLOOR + p * (1 - t) + q };
	if (s[1] <= s[2])
		return steps ? ogate_step_offset(s[0], s[1], s[2], m, p)
			     : ogate_vfit(s[0], s[1], s[2]).x;
	return 1 +
	       (steps ? ogate_step_offset(s[1], s[2], s[3], p, q) : ogate_vfit(s[1], s[2], s[3]).x);
}

static void a_frame_at_a_reference_frame_moves_towards_the_slower_side(void **state)
{
	(void)state;
	assert_true(fabs(ogate_vfit(FLOOR + 2, FLOOR, FLOOR + 1).x - 0.25) < 1e-12);
	assert_true(fabs(ogate_vfit(FLOOR + 1, FLOOR, FLOOR + 3).x + 1.0 / 3) < 1e-12);
	assert_true(fabs(ogate_step_offset(FLOOR + 2, FLOOR, FLOOR + 1, 2, 1)) < 1e-12);
	assert_true(fabs(ogate_step_offset(FLOOR + 1, FLOOR, FLOOR + 3, 1, 3)) < 1e-12);
}

/* the mean error over t in [0, 1) by the midpoint rule, exact here: the error is linear in t on
 * each half */
static double mean_error(double m, double p, double q, int steps, double *worst)
{
	const int n = 4000;
	double s = 0;
	*worst = 0;
	for (int i = 0; i < n; i++) {
		double t = (i + 0.5) / n, e = measured(t, m, p, q, steps) - t;
		s += e;
		*worst = fabs(e) > *worst ? fabs(e) : *worst;
	}
	return s / n;
}

static void the_v_fit_mean_error_over_an_interval_is_p_over_q_less_p_over_m_over_8(void **state)
{
	(void)state;
	const double mpq[4][3] = { { 1, 1, 1 }, { 1, 1, 2 }, { 2, 1, 1 }, { 3, 1, 1.5 } };
	for (int k = 0; k < 4; k++) {
		double m = mpq[k][0], p = mpq[k][1], q = mpq[k][2], worst;
		double want = (p / q - p / m) / 8;
		assert_true(fabs(mean_error(m, p, q, 0, &worst) - want) < 1e-12);
		assert_true(fabs(mean_error(m, p, q, 1, &worst)) < 1e-12);
		assert_true(worst < 1e-12); /* steps: exact at every t */
	}
	double worst;
	assert_true(fabs(mean_error(1, 1, 2, 0, &worst) + 0.0625) <
		    1e-12);			/* an interval before a faster one lags */
	assert_true(fabs(worst - 0.25) < 1e-3); /* at t just below 1: (q - p) / (2q) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_frame_at_a_reference_frame_moves_towards_the_slower_side),
		cmocka_unit_test(the_v_fit_mean_error_over_an_interval_is_p_over_q_less_p_over_m_over_8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
