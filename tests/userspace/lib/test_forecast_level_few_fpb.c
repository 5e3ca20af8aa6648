// SPDX-License-Identifier: GPL-2.0 OR MIT
/* At few frames a beat the forecast adds nothing of its own: on a heart at 7.5 frames a beat
 * (0.25 s at 30 fps, a 33 ms frame interval) the Kalman filters and the line through a window
 * forecast exact phases exactly, and pass a level common to every frame (phases lagging by 0.03
 * frame) to the wait one for one: 1 ms at 30 fps. make eval's late rows at <= 25 frames a beat are
 * their phases' level, not the extrapolation over a long frame interval (docs/accuracy-log.md,
 * "The late bias at few frames a beat"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/predictor.h"

#define FPS 30.0
#define RATE (2 * M_PI / 0.25) /* rad/s: 7.5 frames a beat */
#define PSI0 0.7
#define TARGET 4.0 /* rad */
#define NF 600	   /* 20 s */
#define WIN 8	   /* the line's window, frames */

/* the wait the predictor forecasts after NF frames whose phases lag the truth by lag frames */
static double forecast_wait(const char *name, double lag)
{
	struct ogate_predictor *p = NULL;
	struct ogate_prediction pr;
	double t[WIN], z[WIN], dz = -lag * 2 * M_PI * RATE / (2 * M_PI * FPS);
	assert_int_equal(ogate_predictor_new(&p, name), 0);
	ogate_predictor_expect_rate(p, RATE, 0.015);
	for (int i = 0; i < NF; i++) {
		double ti = i / FPS, zi = PSI0 + RATE * ti + dz;
		ogate_predictor_frame(p, (uint64_t)i);
		ogate_predictor_observe(p, ti, zi, 1);
		if (i >= NF - WIN) {
			t[i - (NF - WIN)] = ti - (NF - 1) / FPS; /* the newest at 0, as sync_fit_fill */
			z[i - (NF - WIN)] = zi;
		}
	}
	assert_int_equal(ogate_predictor_predict(p, t, z, WIN, TARGET, &pr), 0);
	ogate_predictor_free(p);
	return pr.wait_s;
}

/* the truth: from the last frame's time to the target's next crossing */
static double true_wait(void)
{
	double phi = PSI0 + RATE * (NF - 1) / FPS, d = TARGET - fmod(phi, 2 * M_PI);
	return (d < 0 ? d + 2 * M_PI : d) / RATE;
}

static void exact_phases_forecast_exactly_at_7_5_frames_a_beat(void **state)
{
	(void)state;
	const char *names[] = { "kalman", "kalman-acc", "linear" };
	for (int i = 0; i < 3; i++)
		assert_true(fabs(forecast_wait(names[i], 0) - true_wait()) < 1e-9);
}

static void a_level_common_to_every_frame_reaches_the_wait_one_for_one(void **state)
{
	(void)state;
	const char *names[] = { "kalman", "kalman-acc", "linear" };
	for (int i = 0; i < 3; i++) {
		double late = forecast_wait(names[i], 0.03) - true_wait();
		assert_true(fabs(late - 0.03 / FPS) < 1e-9); /* 1.000 ms */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_phases_forecast_exactly_at_7_5_frames_a_beat),
		cmocka_unit_test(a_level_common_to_every_frame_reaches_the_wait_one_for_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
