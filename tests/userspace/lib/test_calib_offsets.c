// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The matching error common to every position at one sub-frame offset (sync_calib_common.c):
 * invisible to a line through one beat, learnt across beats whose offsets differ, and left alone
 * where it is flat or cannot be seen. The pipeline's internals are compiled into this test and
 * driven with phases whose error is known exactly. */
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

#define IVL_S 0.0125

/* the error at offset x: piecewise linear through 0, -0.04, -0.06, -0.02 at 0, 1/4, 1/2, 3/4
 * (the real-heartbeat model's profile, measured with bench/eval/offsets.py), frames */
static const double node[4] = { 0, -0.04, -0.06, -0.02 };
static double profile(double x)
{
	double y = x * 4, f = y - floor(y);
	int b = (int)floor(y) % 4;
	return (1 - f) * node[b] + f * node[(b + 1) % 4];
}

/* One locked frame at true position u (frames, unwrapped) measured with error e, through the
 * locked step's calibration; the error left after it (frames). */
static double frame(struct ogate_sync *s, int k, double u, double e)
{
	return e - calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
}

/* 10.4 frames per beat: consecutive beats fall 0.4 frame further on, so their offsets differ */
static void the_error_at_each_offset_is_learnt_across_beats_and_removed(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(10.4);
	double sum = 0;
	int n = 0;
	for (int k = 0; k < 4000; k++) {
		double u = k + 0.13,
		       left = frame(s, k, u, profile(fmod(u, 10.4) - floor(fmod(u, 10.4))));
		if (k >= 3000) {
			sum += left;
			n++;
		}
	}
	/* The mean error left over the last quarter: -0.0229 frame with the position table alone (it
	 * absorbs a little where a beat's line spans the wrap), -0.0047 with the learnt profile. The
	 * estimate is not exact (frames are binned at their measured offsets, and the table takes
	 * its share), but the half-way dip is found: -0.040 of the -0.06 put in. */
	assert_true(fabs(sum / n) < 0.006);
	assert_true(s->cc[2] < -0.035 && s->cc[2] > -0.065);
	assert_true(s->cc[1] < -0.02 && s->cc[1] > -0.045);
	ogate_sync_free(s);
}

/* every frame half-way, every beat (a whole number of frames per beat): no equation sees it */
static void an_offset_that_never_changes_is_left_alone(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(10.0);
	double left = 0;
	for (int k = 0; k < 2000; k++)
		left = frame(s, k, k + 0.5, profile(0.5));
	for (int b = 0; b < 4; b++)
		assert_true(s->cc[b] == 0.0);
	assert_true(fabs(left - node[2]) < 1e-9);
	ogate_sync_free(s);
}

/* no error at any offset, only matching noise (+-0.05 frame): nothing is subtracted */
static void a_flat_profile_under_noise_changes_nothing(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(10.4);
	uint64_t r = 12345;
	for (int k = 0; k < 4000; k++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		double noise = 0.05 * (2.0 * (double)(r >> 11) / 9007199254740992.0 - 1);
		frame(s, k, k + 0.13, noise);
	}
	for (int b = 0; b < 4; b++)
		assert_true(s->cc[b] == 0.0);
	ogate_sync_free(s);
}

/* The shares of the offset bins in the correction of a frame truly at a reference frame, measured
 * with its matching spread sd: the normal's mean of each bin's hat (exact values from the
 * closed form, checked against an 81-point sum to 1e-4) */
static void exact_matches_spread_over_the_offset_bins_by_their_matching_noise(void **state)
{
	(void)state;
	double w[4];
	sync_calib_common_level(0, w);
	assert_true(w[0] == 1 && w[1] == 0 && w[2] == 0 && w[3] == 0);
	sync_calib_common_level(0.1, w);
	assert_float_equal(w[0], 0.682449, 1e-6);
	assert_float_equal(w[1], 0.157974, 1e-6);
	assert_float_equal(w[2], 0.001603, 1e-6);
	assert_float_equal(w[3], 0.157974, 1e-6);
	sync_calib_common_level(0.2, w);
	assert_float_equal(w[0], 0.442665, 1e-6);
	assert_float_equal(w[1], 0.241388, 1e-6);
	assert_float_equal(w[2], 0.074559, 1e-6);
	assert_float_equal(w[1], w[3], 1e-12);
}

/* a deterministic normal deviate (Box-Muller on a 64-bit LCG) */
static double gauss(uint64_t *r)
{
	double u[2];
	for (int i = 0; i < 2; i++) {
		*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
		u[i] = ((double)(*r >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/*
 * A <= 30 fps heart: 12.6 frames a beat (blob96_0.42s_30fps's), matched with noise of sd 0.1
 * frame, and an error by true offset that is 0 at the reference frames (node2). Frames truly at
 * a reference frame are measured at offsets spread about 0, so they take up c at 1/4 and 3/4
 * too: with c(0) = 0 (c at 1/2 and 3/4 learnt as -0.068 and -0.079) they were corrected by
 * -0.0152 frame on average, where they need 0; with c's level set from their spread
 * (sync_calib_common_level) by -0.0023 frame.
 */
static const double node2[4] = { 0, -0.03, -0.06, -0.12 };
static double profile2(double x)
{
	double y = x * 4, f = y - floor(y);
	int b = (int)floor(y) % 4;
	return (1 - f) * node2[b] + f * node2[(b + 1) % 4];
}

static void frames_truly_at_a_reference_frame_are_left_unshifted_by_the_offset_profile(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(12.6);
	uint64_t r = 777;
	double c2 = 0;
	int n = 0;
	for (int k = 0; k < 6000; k++) {
		double u = k, x = fmod(u, 12.6) - floor(fmod(u, 12.6));
		double e = profile2(x) + 0.1 * gauss(&r);
		calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
		if (k < 4000)
			continue;
		if (fmin(x, 1 - x) < 0.01) { /* truly at a reference frame */
			c2 += sync_hist_at(s, 0)->c2;
			n++;
		}
	}
	ogate_sync_free(s);
	assert_int_equal(n, 416);
	assert_float_equal(c2 / n, -0.0023, 0.0005);
	assert_true(fabs(c2 / n) < 0.005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_error_at_each_offset_is_learnt_across_beats_and_removed),
		cmocka_unit_test(an_offset_that_never_changes_is_left_alone),
		cmocka_unit_test(a_flat_profile_under_noise_changes_nothing),
		cmocka_unit_test(exact_matches_spread_over_the_offset_bins_by_their_matching_noise),
		cmocka_unit_test(
			frames_truly_at_a_reference_frame_are_left_unshifted_by_the_offset_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
