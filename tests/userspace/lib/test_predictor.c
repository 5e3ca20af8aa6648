// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Predictor plug-ins: the Kalman filter on (phase, rate) against the linear fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/predictor.h"
#include "ogate/analysis.h"

#define RATE (2 * M_PI / 0.42) /* rad/s */
#define DT (1 / 80.0)

static void feed(struct ogate_predictor *p, int i0, int n, double noise_amp)
{
	for (int i = i0; i < i0 + n; i++) {
		double z = 0.3 + RATE * i * DT + noise_amp * ((i * 7919) % 13 - 6) / 6.0;
		ogate_predictor_observe(p, i * DT, z, 1);
	}
}

/* a Kalman filter told the heart's rate and settled on 200 clean frames of it: where the
 * staircase and restart cases below start */
static struct ogate_predictor *settled_kalman(void)
{
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	ogate_predictor_expect_rate(p, RATE, 0.015);
	feed(p, 0, 200, 0);
	return p;
}

static void kalman_predicts_a_steady_heart_exactly(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	assert_non_null(p);
	assert_string_equal(ogate_predictor_name(p), "kalman");
	struct ogate_prediction pr;
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), -EINVAL); /* no data */
	feed(p, 0, 200, 0);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	double now = 0.3 + RATE * 199 * DT;
	assert_true(fabs(pr.rate - RATE) < 1e-9 * RATE);
	assert_true(fabs(pr.phase_now - now) < 1e-9);
	double want = ogate_wrap_2pi(1.0 - now) / RATE;
	assert_true(fabs(pr.wait_s - want) < 1e-9);
	ogate_predictor_free(p);
}

/* A wild phase estimate (a mismatch, half a beat off) is rejected: the forecast does not move */
static void kalman_rejects_an_outlier(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	struct ogate_prediction a, b;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	feed(p, 0, 200, 0.01);
	ogate_predictor_observe(p, 200 * DT, 0.3 + RATE * 200 * DT + M_PI, 1);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &a), 0);
	assert_true(fabs(a.phase_now - (0.3 + RATE * 200 * DT)) < 0.02);
	/* the linear fit through the same window is pulled by it */
	struct ogate_predictor *l = NULL;
	double t[8], ph[8];
	assert_int_equal(0, ogate_predictor_new(&l, "linear"));
	for (int i = 0; i < 8; i++) {
		t[i] = (193 + i) * DT;
		ph[i] = 0.3 + RATE * t[i] + (i == 7 ? M_PI : 0);
	}
	assert_int_equal(ogate_predictor_predict(l, t, ph, 8, 1.0, &b), 0);
	assert_true(fabs(b.phase_now - (0.3 + RATE * 200 * DT)) > 1.0);
	ogate_predictor_free(l);
	ogate_predictor_free(p);
}

/* Across a gap of 10 frames the rate is carried: the first frame after it is predicted */
static void kalman_carries_the_rate_across_a_gap(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	struct ogate_prediction pr;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	feed(p, 0, 100, 0);
	feed(p, 110, 1, 0);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	assert_true(fabs(pr.phase_now - (0.3 + RATE * 110 * DT)) < 1e-6);
	assert_true(fabs(pr.rate - RATE) < 1e-6 * RATE);
	/* reset forgets it */
	ogate_predictor_reset(p);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), -EINVAL);
	ogate_predictor_free(p);
}

/* Where the image barely changes (noise scale above 3) an observation is not used at all, but
 * the forecast is still from its time: the caller counts the wait from the newest frame, so a
 * state left at the frame before would fire one frame interval late. */
static void kalman_skips_observations_from_the_quiet_interval(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	struct ogate_prediction a, b;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	feed(p, 0, 200, 0);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &a), 0);
	double now = 0.3 + RATE * 200 * DT;
	ogate_predictor_observe(p, 200 * DT, now + 0.05, 5);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &b), 0);
	assert_true(a.rate == b.rate);
	assert_true(fabs(b.phase_now - now) < 1e-9); /* carried to the frame, its phase not used */
	assert_true(fabs(b.wait_s - ogate_wrap_2pi(1.0 - now) / RATE) < 1e-9);
	ogate_predictor_observe(p, 200 * DT, now + 0.05, 2); /* used, down-weighted */
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &b), 0);
	assert_true(b.phase_now > now && b.phase_now < now + 0.05);
	ogate_predictor_free(p);
}

/* Noisier matches than the configured phase noise (0.1 frame): here a uniform 0.2 frame RMS,
 * within the outlier gate. The filter measures the noise from its innovations once it has
 * converged and weights the matches by it, so its rate follows the heart instead of the noise:
 * over frames 200-799 the rate's relative error is 0.544 % RMS, 1.071 % at worst (0.939 % and
 * 2.037 % with the configured noise kept). */
static void kalman_learns_the_measurement_noise_of_the_stream(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	double fr = RATE * DT, worst = 0, s2 = 0;
	int n = 0;
	for (int i = 0; i < 800; i++) { /* 41 i + 17 mod 101: every residue once per 101 frames */
		double z = 0.3 + RATE * i * DT + 0.35 * fr * (((i * 7919 + 17) % 101) - 50) / 50.0;
		ogate_predictor_observe(p, i * DT, z, 1);
		struct ogate_prediction pr;
		if (i >= 200) {
			assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
			double e = (pr.rate - RATE) / RATE;
			worst = fabs(e) > worst ? fabs(e) : worst;
			s2 += e * e;
			n++;
		}
	}
	assert_true(sqrt(s2 / n) < 0.0060);
	assert_true(worst < 0.0120);
	ogate_predictor_free(p);
}

/* A slow, steady heart (2 s at 30 fps) matched to 0.2 frame RMS: the rate random walk is taken
 * from the beats' own lengths once three beat-to-beat changes are timed, far below the configured
 * 0.05 per sqrt(s) (here the beats differ only by the matching noise), so the filter averages
 * over more frames: over frames 600-2399 the rate's relative error is 0.131 % RMS, 0.328 % at
 * worst (0.80 % and 1.62 % with the configured kappa). A heart whose rate changes (+-5 %, a
 * sinusoid over 12 s) gets a larger kappa and is followed as well as before: 0.732 % and 1.72 %
 * (0.89 % and 2.14 % with the configured kappa). With 1 frame of noise, enough to step back
 * over a level now and then, and the last 40 % of every beat quiet (frames not used, more than 3
 * frame intervals without one): 0.330 % and 1.24 % (0.96 % and 2.8 % when a quiet stretch started
 * every level's chain again and no beat was ever timed; 0.39 % and 1.48 % when a level crossed
 * twice in a beat started its chain again). */
static double slow_heart_rate_error(double mod, double noise, int quiet, double *worst)
{
	const double T = 2.0, dt = 1 / 30.0, w0 = 2 * M_PI / T, tm = 12.0;
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	double s2 = 0;
	int n = 0;
	*worst = 0;
	for (int i = 0; i < 2400; i++) {
		double t = i * dt;
		double psi = 0.3 + w0 * t + mod * w0 * tm / (2 * M_PI) * (1 - cos(2 * M_PI * t / tm));
		double rate = w0 * (1 + mod * sin(2 * M_PI * t / tm));
		double z = psi + noise * w0 * dt * (((i * 7919 + 17) % 101) - 50) / 50.0;
		/* quiet: frames in the last 40 % of every beat are barely distinguishable */
		ogate_predictor_observe(p, t, z, quiet && ogate_wrap_2pi(psi) > 1.2 * M_PI ? 5 : 1);
		struct ogate_prediction pr;
		if (i >= 600) {
			assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
			double e = (pr.rate - rate) / rate;
			*worst = fabs(e) > *worst ? fabs(e) : *worst;
			s2 += e * e;
			n++;
		}
	}
	ogate_predictor_free(p);
	return sqrt(s2 / n);
}

static void kalman_takes_its_rate_noise_from_the_beats(void **state)
{
	(void)state;
	double worst, rms = slow_heart_rate_error(0, 0.35, 0, &worst);
	assert_true(fabs(rms - 0.001309) < 0.00002 && fabs(worst - 0.003276) < 0.00005);
	rms = slow_heart_rate_error(0, 1.0, 1, &worst);
	assert_true(fabs(rms - 0.003302) < 0.00002 && fabs(worst - 0.012395) < 0.00005);
	rms = slow_heart_rate_error(0.05, 0.35, 0, &worst);
	assert_true(fabs(rms - 0.007316) < 0.0001 && fabs(worst - 0.017202) < 0.0002);
}

/* The first beat after lock on a 1 s heart at 60 fps matched to +-1 frame (a small noisy frame,
 * the ssd.txt row q_blob48_1.0s_60fps): every forecast made from frame 3 to frame 120, its
 * trigger time against the true one. Returns the worst error (s) and the frames the filter
 * forecast on; rel_sd < 0: no rate from the reference (the filter starts from two phases). */
static double first_beats_worst_error(double rel_sd, int *forecasts)
{
	const double w0 = 2 * M_PI, dt = 1 / 60.0, target = 1.0;
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	feed(p, 0, 50, 0); /* another heart before: nothing of it is left after the reset */
	ogate_predictor_reset(p);
	if (rel_sd >= 0) /* the reference's period, 1 % long */
		ogate_predictor_expect_rate(p, w0 / 1.01, rel_sd);
	double worst = 0;
	*forecasts = 0;
	for (int i = 0; i <= 120; i++) {
		double t = i * dt, z = 0.3 + w0 * t + w0 * dt * (((i * 7919 + 17) % 101) - 50) / 50.0;
		ogate_predictor_observe(p, t, z, 1);
		struct ogate_prediction pr;
		if (ogate_predictor_predict(p, NULL, NULL, 0, target, &pr))
			continue;
		double at = t + pr.wait_s, m = round((0.3 + w0 * at - target) / (2 * M_PI));
		double e = at - (target + 2 * M_PI * m - 0.3) / w0;
		worst = fabs(e) > worst ? fabs(e) : worst;
		(*forecasts)++;
	}
	ogate_predictor_free(p);
	return worst;
}

/* Started from its first two phases with the configured 0.1-frame noise, the filter took a rate
 * 40 % off, rejected the good matches that followed as outliers, restarted, and learnt the
 * state's error as measurement noise: forecasts off by 12 frames (198 ms here; one trigger
 * 123 ms late on q_blob48_1.0s_60fps with sync.metric = ssd). Started from the rate the
 * reference measured at lock, even one 1 % off and said to be known to 1.5 %, with the noise
 * measured over its first 5 observations, no forecast of the first two beats is off by more
 * than 1.01 frames (16.8 ms; 54 ms, 3.3 frames, with that rate but the configured noise). The
 * first forecast comes on the 5th observation, as from two phases (the 4th forecast then). */
static void kalman_starts_from_the_rate_measured_at_lock(void **state)
{
	(void)state;
	int nf, nf0;
	double worst = first_beats_worst_error(0.015, &nf), worst0 = first_beats_worst_error(-1, &nf0);
	assert_true(fabs(worst - 0.016803) < 2e-6);
	assert_int_equal(nf, 117);
	assert_true(fabs(worst0 - 0.198326) < 2e-6);
	assert_int_equal(nf0, 112);
}

/* A jump of the phase (a mismatched stretch, a refresh the caller did not report) is rejected
 * three times and then starts the filter again: from its own rate, not the one given at lock
 * (here 5 % off, as after a rate change since the lock). The three rejected phases agree: a
 * step, so until the start has measured the level (5 frames after the jump; before, no forecast)
 * the forecast is from their level at the old rate, and then exactly the rate it had. */
static void kalman_restarts_from_its_own_rate(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	struct ogate_prediction pr;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	ogate_predictor_expect_rate(p, RATE * 1.05, 0.015);
	feed(p, 0, 200, 0);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	double rate = pr.rate;
	assert_true(fabs(rate - RATE) < 1e-4 * RATE); /* it has found the heart's own */
	for (int i = 200; i < 210; i++) {
		ogate_predictor_observe(p, i * DT, 0.3 + 2.0 + RATE * i * DT, 1);
		int rc = ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr);
		if (i < 202) { /* rejected: the forecast is still the old state's */
			assert_int_equal(rc, 0);
			assert_true(fabs(pr.phase_now - (0.3 + RATE * i * DT)) < 1e-6);
		} else if (i < 206) { /* restarted on the third, measuring the level: the step's */
			assert_int_equal(rc, 0);
			assert_true(pr.rate == rate);
			assert_true(fabs(pr.phase_now - (2.3 + RATE * i * DT)) < 1e-6);
		} else if (i == 206) {
			assert_int_equal(rc, 0);
			assert_true(pr.rate == rate);
			assert_true(fabs(pr.phase_now - (2.3 + RATE * i * DT)) < 1e-9);
		}
	}
	ogate_predictor_free(p);
}

/* A small noise-free stream's matched phase can hold for some frames and then jump (a staircase:
 * here 4 frames at a time, u20_real48_1.17s_89fps in docs/accuracy-log.md); the filter, whose
 * measured noise is tiny there, rejects the held ones three in a row. The rejected phases
 * disagree (1, 2, 3 frames behind: no new level), so it forecasts from the old state, and a
 * target passing there is not lost: a forecast on every frame (once, none on the 4 frames after
 * a restart), each within 2 frames of the true phase (it no longer restarts on a staircase:
 * kalman_keeps_its_state_through_a_staircase). */
static void kalman_forecasts_through_a_restart_on_a_staircase(void **state)
{
	(void)state;
	struct ogate_predictor *p = settled_kalman();
	struct ogate_prediction pr;
	int missing = 0;
	double worst = 0;
	for (int i = 200; i < 280; i++) {
		ogate_predictor_observe(p, i * DT, 0.3 + RATE * (i - i % 4) * DT, 1);
		if (ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr) != 0) {
			missing++;
			continue;
		}
		double e = fabs(pr.phase_now - (0.3 + RATE * i * DT)) / (RATE * DT);
		worst = e > worst ? e : worst;
	}
	print_message("staircase: %d frames without a forecast, worst %.2f frames\n", missing, worst);
	assert_int_equal(missing, 0);
	assert_true(worst < 2);
	ogate_predictor_free(p);
}

/* The staircase is the matching's quantisation, not a new level: the rejected phases disagree, so
 * the filter keeps its state instead of restarting on them (restarted, it measured its level from
 * the held phases, behind the truth: mean error 0.244 frame, worst 1.80, over the staircase and
 * the 40 clean frames after it; now 0 and 0, the phases on the line are the only ones taken). */
static void kalman_keeps_its_state_through_a_staircase(void **state)
{
	(void)state;
	struct ogate_predictor *p = settled_kalman();
	struct ogate_prediction pr;
	double sum = 0, worst = 0;
	int n = 0;
	for (int i = 200; i < 320; i++) {
		ogate_predictor_observe(p, i * DT, 0.3 + RATE * (i < 280 ? i - i % 4 : i) * DT, 1);
		assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
		double e = fabs(pr.phase_now - (0.3 + RATE * i * DT)) / (RATE * DT);
		sum += e;
		n++;
		worst = e > worst ? e : worst;
	}
	print_message("staircase kept: mean %.3f worst %.3f frames\n", sum / n, worst);
	assert_true(sum / n < 0.05);
	assert_true(worst < 0.5);
	ogate_predictor_free(p);
}

/* A real jump whose phases scatter (a mismatched stretch, +-0.05 rad about 2 rad on) is a
 * staircase by kalman_stepped's rule, but a long one: KF_RUN_MAX (9) rejections in a row restart
 * the filter anyway (on the 9th, frame 208), and from frame 212 on it forecasts from the new level. */
static void kalman_restarts_on_a_long_run_of_scattered_outliers(void **state)
{
	(void)state;
	struct ogate_predictor *p = settled_kalman();
	struct ogate_prediction pr;
	for (int i = 200; i < 240; i++) {
		ogate_predictor_observe(p, i * DT, 2.3 + RATE * i * DT + (i % 2 ? 0.05 : -0.05), 1);
		assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
		double e = pr.phase_now - (2.3 + RATE * i * DT);
		if (i < 208)
			assert_true(fabs(e + 2.0) < 1e-6); /* the old state */
		else if (i >= 212)
			assert_true(fabs(e) < 0.06);
	}
	ogate_predictor_free(p);
}

/* Outliers on both sides of the line (a seam of the matched phase at many frames a beat:
 * u26_real80_1.99s_179fps steps back 2 frames and then 2.3 ahead) are no staircase along it: they
 * restart the filter at the third, as before (there the restart's new level was the better one:
 * without it the row's RMS was 1.73 -> 2.50 ms). Here 0.5 rad behind, behind, 0.6 ahead: the
 * forecast on the third is the restart's (no level yet: the old state's), and from the restart's
 * fifth observation on it is the new start's. */
static void kalman_restarts_on_outliers_either_side(void **state)
{
	(void)state;
	struct ogate_predictor *p = settled_kalman();
	struct ogate_prediction pr;
	const double off[3] = { -0.5, -0.5, 0.6 };
	for (int i = 200; i < 203; i++)
		ogate_predictor_observe(p, i * DT, 0.3 + RATE * i * DT + off[i - 200], 1);
	feed(p, 203, 4, 0);
	assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
	/* the start's 5: the last outlier and 4 on the line, their mean 0.12 rad ahead */
	assert_true(fabs(pr.phase_now - (0.3 + RATE * 206 * DT + 0.12)) < 1e-6);
	ogate_predictor_free(p);
}

/* The trigger-time RMS (ms) of the filter's forecasts of phase 1.0 made at frames 200-599 of a
 * 0.42 s heart at 80 fps with 0.02 rad of matching noise, whose frames are either captured on
 * the camera's clock and stamped up to +-1.7 ms wrong (wrong = 1), or captured that much early
 * or late and stamped exactly (wrong = 0); with_counter: the camera's frame counter handed over
 * (ogate_predictor_frame) before each frame. */
static double clock_forecast_rms_ms(int wrong, int with_counter)
{
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	ogate_predictor_expect_rate(p, RATE, 0.015);
	uint32_t lcg = 12345;
	double sq = 0;
	int n = 0;
	for (int i = 0; i < 600; i++) {
		lcg = lcg * 1664525u + 1013904223u;
		double e = 0.0017 * ((double)(lcg >> 8) / 8388608.0 - 1); /* +-1.7 ms, sd 1 ms */
		double t_cap = i * DT + (wrong ? 0 : e), t_stamp = i * DT + e;
		double z = 0.3 + RATE * t_cap + 0.02 * ((i * 7919) % 13 - 6) / 6.0;
		if (with_counter)
			ogate_predictor_frame(p, 1000 + (uint64_t)i);
		ogate_predictor_observe(p, t_stamp, z, 1);
		struct ogate_prediction pr;
		if (i < 200 || ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr))
			continue;
		double fire = t_stamp + pr.wait_s, ph = 0.3 + RATE * fire;
		double err = (ph - 1.0 - 2 * M_PI * round((ph - 1.0) / (2 * M_PI))) / RATE;
		sq += err * err;
		n++;
	}
	ogate_predictor_free(p);
	assert_int_equal(n, 400);
	return 1e3 * sqrt(sq / n);
}

/* Wrong timestamps (regular captures) against uneven captures: the filter fits the frame clock
 * to the camera's counter and runs on it where its innovations show the timestamps wrong (the
 * phase does not follow the timestamp's deviation from the clock), on the timestamps where they
 * are right (it does). Without the counter the wrong timestamps enter every forecast. */
static void kalman_runs_on_the_frame_clock_where_the_timestamps_are_wrong(void **state)
{
	(void)state;
	double wrong_clock = clock_forecast_rms_ms(1, 1), wrong_stamps = clock_forecast_rms_ms(1, 0);
	double uneven_counter = clock_forecast_rms_ms(0, 1), uneven = clock_forecast_rms_ms(0, 0);
	assert_true(fabs(wrong_clock - 0.215821) < 1e-6);
	assert_true(fabs(wrong_stamps - 0.566374) < 1e-6);
	assert_true(uneven_counter == uneven); /* the timestamps as given */
	assert_true(fabs(uneven - 0.187566) < 1e-6);
}

/* Weighted least squares: points on phi = 10 t + 1 at t = -0.3..0, one far off with weight 0
 * and one with a tiny weight: the line through the others, exactly; equal weights = unweighted. */
static void linear_fit_weights_each_point_by_its_precision(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;
	double t[5] = { -0.3, -0.2, -0.15, -0.1, 0 }, phi[5], w[5] = { 1, 1, 1, 0, 1 },
	       one[5] = { 1, 1, 1, 1, 1 };
	assert_int_equal(0, ogate_predictor_new(&p, "linear"));
	for (int i = 0; i < 5; i++)
		phi[i] = 10 * t[i] + 1;
	phi[3] += 0.5;
	struct ogate_prediction a, b, c;
	assert_int_equal(ogate_predictor_predict_weighted(p, t, phi, w, 5, 2.0, &a), 0);
	assert_true(fabs(a.rate - 10) < 1e-12);
	assert_true(fabs(a.phase_now - 1) < 1e-12);
	assert_true(fabs(a.wait_s - 0.1) < 1e-12);
	assert_int_equal(ogate_predictor_predict_weighted(p, t, phi, one, 5, 2.0, &b), 0);
	assert_int_equal(ogate_predictor_predict(p, t, phi, 5, 2.0, &c), 0);
	assert_true(fabs(b.wait_s - c.wait_s) < 1e-15 && fabs(b.rate - c.rate) < 1e-12);
	assert_true(fabs(c.rate - 10) > 0.1); /* the off point moves the unweighted line */
	double zero[5] = { 0 };
	assert_int_equal(ogate_predictor_predict_weighted(p, t, phi, zero, 5, 2.0, &a), -EINVAL);
	ogate_predictor_free(p);
}

/* A slow heart (1.2 s at 60 fps) on small noisy frames: matches to 0.2 frame, and one in eight
 * (pseudo-random) to 0.8 frame, heavy tails as the matching errors there have (kurtosis 12
 * here, 6-7 measured; docs/accuracy-log.md, "Stream D"). The forecast's phase against the
 * true one over frames 300-2399: 0.0684 frame RMS with Huber's update (innovations beyond 2 sd
 * counted at 2 sd, the noise measured from the same clipped innovations), 0.0756 frame with
 * the Gaussian one. */
static double heavy_tailed_phase_error(void)
{
	const double w0 = 2 * M_PI / 1.2, dt = 1 / 60.0, fr = w0 * dt;
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "kalman"));
	ogate_predictor_expect_rate(p, w0, 0.015);
	uint64_t x = 88172645463325252ull;
	double s2 = 0;
	int n = 0;
	for (int i = 0; i < 2400; i++) {
		double u[3];
		for (int j = 0; j < 3; j++) { /* xorshift64, uniform in (0, 1) */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			u[j] = ((double)(x >> 11) + 0.5) / 9007199254740992.0;
		}
		double g = sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
		double t = i * dt, psi = 0.3 + w0 * t, z = psi + (u[2] < 1 / 8.0 ? 0.8 : 0.2) * fr * g;
		ogate_predictor_observe(p, t, z, 1);
		struct ogate_prediction pr;
		if (i >= 300) {
			assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
			double e = (pr.phase_now - psi) / fr;
			s2 += e * e;
			n++;
		}
	}
	ogate_predictor_free(p);
	return sqrt(s2 / n);
}

static void kalman_bounds_the_pull_of_heavy_tailed_matches(void **state)
{
	(void)state;
	double rms = heavy_tailed_phase_error();
	assert_true(fabs(rms - 0.068360) < 2e-6);
}

/* The slow hearts of the kalman-acc tests: stream D's proxy blob64_slow1.5s_60fps, 1.5 s at
 * 60 fps, each frame's phase psi at the true rate and its measurement z. */
struct slow_heart {
	double w0, dt, psi, rate;
	uint64_t x; /* xorshift64 state */
	void (*step)(struct slow_heart *h, int i, double *z);
	double mod, next; /* the curving heart's modulation; the walking heart's next beat */
};

/* a uniform draw in (0, 1) from xorshift64 */
static double xs_uniform(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return ((double)(*x >> 11) + 0.5) / 9007199254740992.0;
}

/* the matching error of the curving and walking hearts: 0.25 frame, a fixed pattern */
static double pattern_error(const struct slow_heart *h, int i)
{
	return 0.25 * h->w0 * h->dt * (((i * 7919 + 17) % 101) - 50) / 29.0;
}

/* The error of a predictor's phase at the newest frame against the truth (ms at the true rate),
 * RMS over frames 1200-3599, and (dev) the largest difference between its forecast phase and
 * that of the two-state filter run alongside on the same frames. */
static double slow_heart_level_error(const char *name, struct slow_heart *h, double *dev)
{
	struct ogate_predictor *p = NULL, *k = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, name));
	assert_string_equal(ogate_predictor_name(p), name);
	assert_int_equal(0, ogate_predictor_new(&k, "kalman"));
	ogate_predictor_expect_rate(p, h->w0, 0.015);
	ogate_predictor_expect_rate(k, h->w0, 0.015);
	double s2 = 0, d = 0;
	int n = 0;
	for (int i = 0; i < 3600; i++) {
		double t = i * h->dt, z;
		h->step(h, i, &z);
		ogate_predictor_observe(p, t, z, 1);
		ogate_predictor_observe(k, t, z, 1);
		struct ogate_prediction pr, pk;
		if (i >= 1200) {
			assert_int_equal(ogate_predictor_predict(p, NULL, NULL, 0, 1.0, &pr), 0);
			assert_int_equal(ogate_predictor_predict(k, NULL, NULL, 0, 1.0, &pk), 0);
			double e = (pr.phase_now - h->psi) / h->rate * 1e3;
			d = fmax(d, fabs(pr.phase_now - pk.phase_now));
			s2 += e * e;
			n++;
		}
	}
	ogate_predictor_free(p);
	ogate_predictor_free(k);
	if (dev)
		*dev = d;
	return sqrt(s2 / n);
}

/* its rate +-mod over 17 s */
static void curving_step(struct slow_heart *h, int i, double *z)
{
	const double tm = 17.0, t = i * h->dt;
	h->psi = 0.3 + h->w0 * t + h->mod * h->w0 * tm / (2 * M_PI) * (1 - cos(2 * M_PI * t / tm));
	h->rate = h->w0 * (1 + h->mod * sin(2 * M_PI * t / tm));
	*z = h->psi + pattern_error(h, i);
}

/* its rate a random walk: each beat it steps by a normal draw of 1.5 % (Box-Muller) */
static void walking_step(struct slow_heart *h, int i, double *z)
{
	if (i * h->dt >= h->next) { /* a new beat: the rate steps */
		double u0 = xs_uniform(&h->x), u1 = xs_uniform(&h->x);
		h->rate *= 1 + 0.015 * sqrt(-2 * log(u0)) * cos(2 * M_PI * u1);
		h->next += 2 * M_PI / h->rate;
	}
	if (i > 0)
		h->psi += h->rate * h->dt;
	*z = h->psi + pattern_error(h, i);
}

/* a flat rate, matched with normal errors, one in ten of them four times as large (small noisy
 * frames' matches are heavy-tailed) */
static void flat_step(struct slow_heart *h, int i, double *z)
{
	double u0 = xs_uniform(&h->x), u1 = xs_uniform(&h->x);
	double g = sqrt(-2 * log(u0)) * cos(2 * M_PI * u1) * (h->x % 100 < 10 ? 4 : 1);
	h->psi = 0.3 + h->w0 * i * h->dt;
	*z = h->psi + 0.25 * h->w0 * h->dt * g;
}

static struct slow_heart slow_heart(void (*step)(struct slow_heart *, int, double *))
{
	const double w0 = 2 * M_PI / 1.5;
	return (struct slow_heart){ .w0 = w0, .dt = 1 / 60.0, .psi = 0.3, .rate = w0, .step = step };
}

static double curving_heart_level_error(const char *name, double mod)
{
	struct slow_heart h = slow_heart(curving_step);
	h.mod = mod;
	return slow_heart_level_error(name, &h, NULL);
}

static double walking_heart_level_error(const char *name)
{
	struct slow_heart h = slow_heart(walking_step);
	h.x = 88172645463325252ull;
	h.next = 1.5;
	return slow_heart_level_error(name, &h, NULL);
}

static double flat_heart_level_error(const char *name, double *dev)
{
	struct slow_heart h = slow_heart(flat_step);
	h.x = 2463534242ull;
	return slow_heart_level_error(name, &h, dev);
}

/* prediction.predictor = kalman-acc (opt-in): beside the filter on (phase, rate), one on (phase,
 * rate, acceleration) whose jerk noise comes from the second differences of the beats' rates,
 * and the forecast from whichever predicted the frames the better (blended where they cannot be
 * told apart). A heart whose rate curves
 * smoothly (+-2 % over 17 s) is a random walk of the rate only at a short memory: the level's
 * error falls from 0.552 ms RMS to 0.412 ms. On a steady heart (the beats differ by the
 * matching noise alone) the forecast is the two-state filter's: 0.385 ms both. */
static void kalman_acc_follows_a_smoothly_curving_rate(void **state)
{
	(void)state;
	double k = curving_heart_level_error("kalman", 0.02),
	       a = curving_heart_level_error("kalman-acc", 0.02),
	       k0 = curving_heart_level_error("kalman", 0),
	       a0 = curving_heart_level_error("kalman-acc", 0);
	assert_true(fabs(k - 0.552233) < 1e-5 && fabs(a - 0.411884) < 1e-5);
	assert_true(fabs(k0 - 0.384937) < 1e-5 && a0 == k0);
}

/* kalman-acc's forecast from the filter whose predictions of the frames were the better. On a
 * heart whose rate walks (steps of 1.5 % a beat) the acceleration filter's own level variance is
 * the smaller, yet its level is the worse: chosen by that variance the forecast was its, 0.990 ms
 * RMS against the two-state filter's 0.788; weighed by how each predicted the frames, 0.835 (the
 * two filters blended until their predictions tell them apart, then the two-state one's). The
 * curving heart of kalman_acc_follows_a_smoothly_curving_rate keeps its 0.412 ms. */
static void kalman_acc_forecasts_from_the_filter_that_predicts_better(void **state)
{
	(void)state;
	double k = walking_heart_level_error("kalman"), a = walking_heart_level_error("kalman-acc");
	assert_true(fabs(k - 0.788251) < 1e-5);
	assert_true(fabs(a - 0.835316) < 1e-5);
}

/* kalman-acc on a heart whose rate does not curve. Its jerk, measured from the crossings, is
 * their timing noise, so the acceleration filter's third state moves on a flat heart too, and its
 * predictions are not always told from the two-state filter's: taken or blended in, its level
 * error was 1.126 ms RMS against the two-state filter's 1.112 (`dstartflat.txt`: every row 0-5 %
 * worse). The acceleration's estimate stays within its own sd there (mean a^2 / P_aa 0.14, below
 * KF_ACC_Z2 = 0.6), so the forecast is the two-state filter's, to the bit. */
static void kalman_acc_forecasts_as_kalman_on_a_flat_heart(void **state)
{
	(void)state;
	double dk, da, k = flat_heart_level_error("kalman", &dk),
		       a = flat_heart_level_error("kalman-acc", &da);
	assert_true(dk == 0 && fabs(k - 1.112452) < 1e-5);
	assert_true(da == 0 && a == k);
}

static void unknown_predictor_is_refused(void **state)
{
	(void)state;
	struct ogate_predictor *p = NULL;

	assert_int_equal(-ENOENT, ogate_predictor_new(&p, "bogus"));
	assert_null(p); /* *out is set only on success */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kalman_predicts_a_steady_heart_exactly),
		cmocka_unit_test(kalman_rejects_an_outlier),
		cmocka_unit_test(kalman_carries_the_rate_across_a_gap),
		cmocka_unit_test(kalman_skips_observations_from_the_quiet_interval),
		cmocka_unit_test(kalman_learns_the_measurement_noise_of_the_stream),
		cmocka_unit_test(kalman_takes_its_rate_noise_from_the_beats),
		cmocka_unit_test(kalman_starts_from_the_rate_measured_at_lock),
		cmocka_unit_test(kalman_restarts_from_its_own_rate),
		cmocka_unit_test(kalman_forecasts_through_a_restart_on_a_staircase),
		cmocka_unit_test(kalman_keeps_its_state_through_a_staircase),
		cmocka_unit_test(kalman_restarts_on_a_long_run_of_scattered_outliers),
		cmocka_unit_test(kalman_restarts_on_outliers_either_side),
		cmocka_unit_test(kalman_runs_on_the_frame_clock_where_the_timestamps_are_wrong),
		cmocka_unit_test(kalman_bounds_the_pull_of_heavy_tailed_matches),
		cmocka_unit_test(linear_fit_weights_each_point_by_its_precision),
		cmocka_unit_test(kalman_acc_follows_a_smoothly_curving_rate),
		cmocka_unit_test(kalman_acc_forecasts_from_the_filter_that_predicts_better),
		cmocka_unit_test(kalman_acc_forecasts_as_kalman_on_a_flat_heart),
		cmocka_unit_test(unknown_predictor_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
