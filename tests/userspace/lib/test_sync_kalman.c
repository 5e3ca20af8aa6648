// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The pipeline with the Kalman predictor: what sync.c hands the filter at lock. sync.c is
 * included to reach the predictor it owns. */
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
#include "../../../userspace/common/heart.c"
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
	assert_int_equal(ogate_settings_set(&set, "prediction.predictor", "kalman"), 0);
	struct ogate_sync *sy = NULL;
	struct stream st;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	stream_init(&st, 0.42, 0.0);
	struct ogate_sync_result r;
	int locked_frames = 0, i = 0, forecast = 0;
	for (; i < 400 && !forecast; i++) {
		struct ogate_frame *f = stream_frame(&st, i / FPS, (uint64_t)i, 0, 0, 8);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		ogate_frame_free(f);
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
	ogate_sync_free(sy);
	ogate_heart_blob_free(&st.heart);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kalman_starts_from_the_rate_of_the_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
