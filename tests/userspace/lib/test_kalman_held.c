// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The level a Kalman restart carries (kalman_hold) serves only that restart: while it measures
 * its level the filter forecasts from it, and once the restart has converged (kalman_start) or a
 * later restart has no rate to carry, it is not used again. A converged filter whose rate is no
 * longer positive has no forecast (-EINVAL); before, a carried level left armed from an earlier
 * restart answered instead, the old step's level carried from the old time.
 * predictor_kalman.c is included to reach its state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "predictor_kalman.c"

#define RATE (2 * M_PI / 0.42) /* rad/s */
#define DT (1 / 80.0)

static void a_converged_restart_does_not_forecast_from_its_carried_level(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	struct ogate_prediction pr;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	ogate_predictor_expect_rate(p, RATE, 0.015);
	for (int i = 0; i < 200; i++)
		ogate_predictor_observe(p, i * DT, 0.3 + RATE * i * DT, 1);
	struct kalman *k = (struct kalman *)p;
	for (int i = 200; i < 203; i++) /* a step of 1 rad: the third restarts, carrying */
		ogate_predictor_observe(p, i * DT, 1.3 + RATE * i * DT, 1);
	assert_true(k->held);
	assert_true(k->n < KF_START);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	assert_true(fabs(pr.phase_now - (1.3 + RATE * 202 * DT)) < 1e-6);
	for (int i = 203; i < 260; i++)
		ogate_predictor_observe(p, i * DT, 1.3 + RATE * i * DT, 1);
	assert_true(k->n >= KF_START);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	k->x1 = -0.1; /* a rate gone backwards */
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), -EINVAL);
	ogate_predictor_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_converged_restart_does_not_forecast_from_its_carried_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
