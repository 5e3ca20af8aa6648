// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The Kalman forecast's window level (predictor_kalman.c, kalman_window_level): where the matched
 * phase carries an offset that persists from frame to frame (a reference whose length is off the
 * live beats': the phases run fast within the beat and step back at its wrap), the forecast
 * follows the offset the caller's window shows; on white matching noise it is the filter's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/predictor.h"

#define RATE (2 * M_PI / 0.8) /* rad/s: a 0.8 s heart */
#define FPS 100.0
#define BEAT 80 /* frames a beat */
#define WIN 30	/* the caller's window: the frames since the beat's wrap */
#define DRAWS 20

/* a reproducible normal draw (Box-Muller on a 64-bit LCG) */
static double gauss(uint64_t *s)
{
	double u[2];
	for (int j = 0; j < 2; j++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		u[j] = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* the noise-free matched phase of frame i: the heart's and an offset that gains saw (rad) over
 * each beat and steps back at its wrap */
static double matched(int i, double saw)
{
	return 0.3 + RATE * i / FPS + saw * ((double)(i % BEAT) / BEAT - 0.5);
}

/* DRAWS runs of 20 beats and WIN frames more, under white noise of sd (rad), into a Kalman filter
 * told the heart's rate; each then forecasts with the window of the WIN frames since the wrap
 * (times relative to the newest, as the sync gives them) and without one. The two forecasts'
 * RMS error of the phase at the newest frame against its noise-free matched phase (rad). */
static void forecast(double saw, double sd, double *with, double *without)
{
	double ew = 0, eo = 0;
	for (int d = 0; d < DRAWS; d++) {
		struct ogate_predictor *p = NULL;
		assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
		ogate_predictor_expect_rate(p, RATE, 0.015);
		uint64_t s = 42 + 1000 * (uint64_t)d;
		int last = 20 * BEAT + WIN;
		double t[WIN], z[WIN];
		for (int i = 0; i <= last; i++) {
			double zi = matched(i, saw) + sd * gauss(&s);
			ogate_predictor_observe(p, i / FPS, zi, 1);
			if (i > last - WIN) {
				t[i - (last - WIN + 1)] = (i - last) / FPS;
				z[i - (last - WIN + 1)] = zi;
			}
		}
		struct ogate_prediction a, b;
		assert_int_equal(0, ogate_predictor_predict(p, t, z, WIN, 1.0, &a));
		assert_int_equal(0, ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &b));
		ew += pow(a.phase_now - matched(last, saw), 2) / DRAWS;
		eo += pow(b.phase_now - matched(last, saw), 2) / DRAWS;
		ogate_predictor_free(p);
	}
	*with = sqrt(ew);
	*without = sqrt(eo);
}

/* A sawtooth of 0.6 and 1.0 rad a beat (5 and 8 frames) under 0.1 and 0.2 rad of noise: the
 * filter's level lags the phases that run fast after the wrap, the window's line follows them
 * (0.0187 / 0.0243 and 0.0747 / 0.1002 rad; the window's mean instead of its line read at the
 * newest frame: 0.0513 and 0.2094, worse than none) */
static void kalman_forecast_follows_an_offset_that_persists_along_the_beat(void **state)
{
	(void)state;
	double with, without;
	forecast(0.6, 0.1, &with, &without);
	print_message("sawtooth 0.6 rad, noise 0.1: RMS %.4f rad with the window, %.4f without\n",
		      with, without);
	assert_float_equal(with, 0.0187, 5e-4);
	assert_float_equal(without, 0.0243, 5e-4);
	forecast(1.0, 0.2, &with, &without);
	print_message("sawtooth 1.0 rad, noise 0.2: RMS %.4f rad with the window, %.4f without\n",
		      with, without);
	assert_true(with < 0.8 * without);
}

/* White matching noise of 0.05 and 0.2 rad: the innovations are not correlated and the forecast
 * is the filter's own */
static void kalman_forecast_keeps_its_level_on_white_noise(void **state)
{
	(void)state;
	double with, without;
	for (int k = 0; k < 2; k++) {
		double sd = k ? 0.2 : 0.05;
		forecast(0, sd, &with, &without);
		print_message("white noise %.2f: RMS %.4f rad with the window, %.4f without\n", sd,
			      with, without);
		assert_true(fabs(with - without) < 0.02 * without);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kalman_forecast_follows_an_offset_that_persists_along_the_beat),
		cmocka_unit_test(kalman_forecast_keeps_its_level_on_white_noise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
