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

#define IVL_S 0.01
#define TREND_AFTER -0.04999 /* the_beats_after_the_reference_give_its_trend */

static double beat_n(double k, double P, double u)
{
	return k * u * (u - P) / (2 * P);
}

/* what the calibration leaves at reference position ut (frames, + = ahead: triggers early) */
static double left_at(struct ogate_sync *s, double ut)
{
	return -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
}

/* A steady heart after lock (a frame a position), the reference's own beat curved by trend
 * k_ref; the calibration told trend k_cal. The corrected phase's level at the target after
 * 4000 frames, in frames (measured minus true, + = ahead: triggers early). */
static double left_at_target(double P, double k_ref, double k_cal, double ut)
{
	struct ogate_sync *s = calib_locked_on(P);
	s->sq[0].trend = k_cal;
	sync_calib_reset(s);
	calib_target(s, ut);
	double x0 = 0.37;
	for (int k = 0; k < 4000; k++) {
		double x = k + x0, xm = fmod(x, P), w = xm;
		for (int it = 0; it < 50; it++) /* the position it shows: w - N(w) = x mod P */
			w = xm + beat_n(k_ref, P, w);
		calib_frame_push(s, llround(k * IVL_S * 1e9), x, w - xm);
	}
	/* a frame truly at the target's phase shows position u_t and is corrected by the table */
	double left = left_at(s, ut);
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

/* A heart whose period is P + k (tau - P / 2) frames at tau frames after the reference's first
 * frame: the time one beat before tau, tau - T(tau) (1 - e^-k) / k exactly. */
static double beat_before(double P, double k, double tau)
{
	double T = P + k * (tau - P / 2);
	return (T * exp(-k) - P) / k + P / 2;
}

/* the trend after 3 beats of frames after the reference, the tracker's sub-pixel drift at
 * (fdx, 0) from the from-th of them to before the to-th (0 otherwise); *lag_share: the share
 * of a beat the lags' middles span; *delta: the beat length's excess the same line gave */
static double trend_after(double fdx, int from, int to, double *lag_share, double *delta)
{
	double P = 40.3, k = -0.05, ivl_ns = 1e7;
	struct ogate_sync *s = calib_locked_on(P);
	struct seq *q = &s->sq[0];
	int64_t first = 1000000000;
	/* the drop under drift as it stands without sync.beat_after_drift (the default since
	 * session 31 keeps an unmoved reference's beats after: test_beat_after_drift.c) */
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_after_drift", "0"));
	calib_ref_at_lock(s, first, ivl_ns);
	/* lags at lock: beats ending at tau = 0.7 P .. P + 2, middles 0.2 .. 0.5 P before the middle */
	for (double tau = 0.7 * P; tau <= P + 2; tau += 1) {
		double t0 = beat_before(P, k, tau);
		calib_lag_add(s, (tau + t0) / 2 - P / 2, tau - t0);
	}
	double n = q->lags[0], sxx = q->lags[3] - q->lags[1] * q->lags[1] / n;
	*lag_share = sqrt(12 * sxx / n) / P;
	sync_calib_reset(s);
	assert_true(fabs(s->cal_ivl_ns - ivl_ns) < 1e-6);
	/* the frames after the reference (one a frame from its end, 3 beats), matched exactly */
	int i = 0;
	for (double tau = P + 1.5; tau < 4 * P; tau += 1, i++) {
		double w = beat_before(P, k, tau);
		while (w > P) /* later beats: the position the frame shows */
			w = beat_before(P, k, w);
		s->fdx = i >= from && i < to ? fdx : 0;
		calib_frame_push(s, first + llround(tau * ivl_ns), w + P, 0);
	}
	double trend = s->cal_trend;
	*delta = s->cal_delta;
	ogate_sync_free(s);
	return trend;
}

/* The trend of the beat length across the reference's beat: the lags at lock hold beats centred
 * before its middle (here over its first 40 %); the frames of the first half beat after it,
 * each one beat after the reference frame showing the same phase, add those centred on its
 * second half. A line through both, shrunk by its significance (1 here: exact beats), gives
 * k itself (-0.04999: the beat length is a line here); the lags alone span 0.38 of a beat. It
 * is not cut to the share of a beat the middles span (0.81 here, 0.812 k: docs/accuracy-log.md,
 * "The trend k without the span share"). */
static void the_beats_after_the_reference_give_its_trend(void **state)
{
	(void)state;
	double share, delta, trend = trend_after(0, 0, 0, &share, &delta);
	assert_true(fabs(share - 0.3809) < 5e-5);
	assert_true(fabs(trend - TREND_AFTER) < 5e-5);
	assert_true(fabs(trend / -0.05 - 1) < 0.005);
}

/* frames resampled for a sub-pixel drift (more than 0.02 px in all, as sync_match.c does) are
 * blurred against the reference frames and not measured: the trend stays the lags' (0 here) */
static void frames_resampled_for_drift_are_not_measured(void **state)
{
	(void)state;
	double share, delta;
	assert_true(trend_after(0.03, 0, 1000, &share, &delta) == 0);
	assert_true(fabs(trend_after(0.015, 0, 1000, &share, &delta) - TREND_AFTER) < 5e-5);
}

/* the frames before the first resampled one in the half beat after the reference are the drift
 * tracker's start (the drift over a beat against the frames they are a beat after, not yet
 * followed): from that frame on the beats after it are dropped, the trend back to the lags'
 * (0 here), the length's excess to 0, and the later frames not measured (fdx back at 0 after
 * the 8th) */
static void the_beats_after_are_dropped_from_the_first_resampled_frame(void **state)
{
	(void)state;
	double share, delta, trend = trend_after(0.03, 6, 8, &share, &delta);
	assert_true(trend == 0);
	assert_true(delta == 0);
}

/* The same line's value at the reference's middle is the length of the beat it holds, P + delta
 * (P the period at lock, which misses it by the lags' V-fit errors: cause 7, test_calib_pin.c);
 * the table learns delta's ramp delta u / (P + delta) over the positions with the curvature, and
 * the pin is moved to its level at the target too. A steady heart of 40.5 frames a beat, P =
 * 40.3, the target at 12: the mean pin leaves delta (mean u - u_t) / (P + delta) = +0.0395
 * frame (+0.0430 learnt); with the beats after lock, +0.0051 (positions past P wrap onto the
 * first bins, where the table holds both ends of the ramp). */
static void the_beats_after_the_reference_give_its_length(void **state)
{
	(void)state;
	double P = 40.3, Pt = 40.5, ivl_ns = 1e7, ut = 12.0, x0 = 0.37, u;
	struct ogate_sync *s = calib_locked_on(P);
	calib_steady_lock(s, Pt, ivl_ns);
	calib_target(s, ut);
	for (int k = 0; k < 4000; k++) /* x frames after the beat after the reference's first */
		calib_steady_push(s, Pt, ivl_ns, k + x0, &u);
	assert_true(fabs(s->cal_delta - 0.2) < 1e-6);
	assert_true(fabs(s->cal_trend) < 1e-6);
	double left = left_at(s, ut);
	s->cal_delta = 0; /* the pin at the mean, as before */
	update_anchor(s);
	double mean_pin = left_at(s, ut);
	assert_true(fabs(mean_pin - 0.04296) < 5e-5);
	assert_true(fabs(left - 0.00506) < 5e-5);
	ogate_sync_free(s);
}

/* the share of a shift a bin's mean takes up when residuals beyond 1 frame are dropped: Var_t /
 * sigma^2 for Gaussian residuals of sd sigma, from what the bin keeps (Var_t, up to 1/3) */
static double kept_by_formula(double sigma)
{
	double a = 1 / sigma;
	return 1 - 2 * a * exp(-a * a / 2) / sqrt(2 * M_PI) / erf(a / sqrt(2));
}

static void a_noisy_bin_takes_up_only_part_of_a_shift(void **state)
{
	(void)state;
	assert_true(kept_share(0) == 1);
	assert_true(kept_share(1.0 / 3) == 0);
	assert_true(fabs(kept_share(0.25) - 0.5267) < 1e-9);
	/* sd 0.85 frame, as where a slow heart rests: 38 % of N is learnt */
	double sg = 0.85, g = kept_by_formula(sg), vt = g * sg * sg;
	assert_true(fabs(g - 0.3822) < 5e-5);
	assert_true(fabs(kept_share(vt) - g) < 0.002);
	/* sd 0.3: all but 1 % */
	g = kept_by_formula(0.3);
	assert_true(fabs(kept_share(g * 0.09) - g) < 0.002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_pin_is_moved_to_the_curvatures_level_at_the_target),
		cmocka_unit_test(a_target_near_the_wrap_is_moved_the_other_way),
		cmocka_unit_test(no_trend_changes_nothing),
		cmocka_unit_test(the_beats_after_the_reference_give_its_trend),
		cmocka_unit_test(the_beats_after_are_dropped_from_the_first_resampled_frame),
		cmocka_unit_test(frames_resampled_for_drift_are_not_measured),
		cmocka_unit_test(the_beats_after_the_reference_give_its_length),
		cmocka_unit_test(a_noisy_bin_takes_up_only_part_of_a_shift),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
