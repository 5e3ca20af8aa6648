// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The pipeline with the Kalman predictor: what sync.c hands the filter at lock and with every
 * frame. sync.c is included to reach the predictor it owns and its history. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* the pipeline's internals, compiled into this test (found through -Iuserspace/lib) */
#include "sync.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "heart.c"
#include "ref_vectors.h"
#include "sync_stream.h"

/* At lock the reference's period and the frame interval give the heart's rate; the filter starts
 * from it (ogate_predictor_expect_rate) and measures the matching noise over its first
 * observations, so its first forecast carries exactly that rate. Started from its first two
 * phases instead, the rate was their difference (a slow heart on small noisy frames: 40 % off,
 * one trigger 123 ms late; docs/analysis.md, "Kalman predictor"). */
static void kalman_starts_from_the_rate_of_the_reference(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(ogate_settings_set(&set, "prediction.predictor", "kalman"), 0);
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, &set, 0.42, 0.0);
	struct ogate_sync_result r;
	int locked_frames = 0, i = 0, forecast = 0;
	for (; i < 400 && !forecast; i++) {
		assert_int_equal(stream_step(sy, &st, i, 0, 0, &r), 0);
		if (r.state != OGATE_SYNC_LOCKED)
			continue;
		locked_frames++;
		struct ogate_prediction pr;
		if (ogate_predictor_predict(sy->pred, NULL, NULL, 0, 1.0, &pr))
			continue;
		forecast = 1;
		double want = 2 * M_PI / (sy->info.period_frames * ogate_sync_frame_interval(sy));
		assert_true(fabs(pr.rate - want) < 1e-12 * want);
		assert_true(fabs(want - 2 * M_PI / 0.42) < 0.01 * want); /* and it is the heart's */
	}
	assert_true(forecast);
	assert_true(locked_frames >= 5 && locked_frames <= 8);
	stream_sync_free(sy, &st);
}

/* The filter weighs each frame as the line fit does: its noise scale is 1 / sqrt of the frame's
 * fit weight, the larger of the image-change scale and the spread the calibration measured at
 * that reference position (sync_hist_weight). A filter fed the history's phases with those
 * scales ends exactly where the pipeline's does; fed the image-change scale alone, as before,
 * it weighed the positions whose matches scatter most (where the heart turns) like any other,
 * and their errors, repeated every beat, moved its level (make eval: mean |bias| 0.412 ->
 * 0.375 ms, seed 13 0.421 -> 0.375 ms; docs/accuracy-log.md). */
static void kalman_weighs_frames_as_the_line_fit_does(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(ogate_settings_set(&set, "prediction.predictor", "kalman"), 0);
	/* the counts below were pinned under the V fit (the default before session 22) */
	assert_int_equal(ogate_settings_set(&set, "sync.subframe", "vfit"), 0);
	struct ogate_predictor *shadow = NULL, *plain = NULL;
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, &set, 0.42, 0.03);
	assert_int_equal(0, ogate_predictor_new(&shadow, "kalman"));
	assert_int_equal(0, ogate_predictor_new(&plain, "kalman"));
	struct ogate_sync_result r;
	int spread = 0, locked_frames = 0;
	for (int i = 0; i < 800; i++) {
		assert_int_equal(stream_step(sy, &st, i, 0, 0, &r), 0);
		if (r.state != OGATE_SYNC_LOCKED)
			continue;
		assert_int_equal(sy->info.id, 1); /* one reference: the shadows need no reset */
		const struct hist *h = sync_hist_at(sy, 0);
		double t = (double)(h->t_ns - sy->t0_ns) * 1e-9;
		if (locked_frames++ == 0) {
			double rate =
				2 * M_PI / (sy->info.period_frames * ogate_sync_frame_interval(sy));
			ogate_predictor_expect_rate(shadow, rate, 0.5 * set.agree_tolerance);
			ogate_predictor_expect_rate(plain, rate, 0.5 * set.agree_tolerance);
		}
		ogate_predictor_frame(shadow, (uint64_t)i); /* the camera counter, as sync.c */
		ogate_predictor_observe(shadow, t, h->unw, 1 / sqrt(sync_hist_weight(h)));
		ogate_predictor_observe(plain, t, h->unw, h->ns);
		spread += h->sp > h->ns * h->ns * 1.01;
	}
	assert_int_equal(spread, 39); /* of 754 locked frames the spread decides the weight of 39 */
	assert_int_equal(locked_frames, 754);
	struct ogate_prediction a, b, c;
	assert_int_equal(ogate_predictor_predict(sy->pred, NULL, NULL, 0, 1.0, &a), 0);
	assert_int_equal(ogate_predictor_predict(shadow, NULL, NULL, 0, 1.0, &b), 0);
	assert_int_equal(ogate_predictor_predict(plain, NULL, NULL, 0, 1.0, &c), 0);
	assert_true(a.rate == b.rate && a.phase_now == b.phase_now);
	assert_true(a.rate != c.rate && a.phase_now != c.phase_now);
	ogate_predictor_free(shadow);
	ogate_predictor_free(plain);
	stream_sync_free(sy, &st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kalman_starts_from_the_rate_of_the_reference),
		cmocka_unit_test(kalman_weighs_frames_as_the_line_fit_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
