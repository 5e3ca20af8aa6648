// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth = auto (sync_reference.c): the beat-to-beat repeat statistic of the still
 * pixels' frame-to-frame changes, the setting's value, and on a slow cartoon heart that the
 * reference is smoothed under camera noise alone and matched as recorded when its still pixels
 * carry a pattern that repeats every beat (as the real-heartbeat model's recorded noise does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Two candidate pixels of three: their changes r 0 -> {1, 2}, p 0 -> {2, 1} give g = {2, 2};
 * then r {1, 2} -> {2, 2}, p {2, 1} -> {3, 1} give g = {1, 0} and the products with the same
 * pixel's previous g {2, 0}: acc = {5, 9, 2}, z = 5 / sqrt(9 + 2 * 2). The third pixel is not a
 * candidate and never counts; nothing summed is NAN; a negative neighbour term is floored at a
 * quarter of the sum of squares. */
static void the_repeat_is_the_sum_of_products_of_changes_over_its_standard_error(void **state)
{
	double r0[3] = { 0, 0, 0 }, r1[3] = { 1, 2, 3 }, r2[3] = { 2, 2, 30 };
	double p0[3] = { 0, 0, 0 }, p1[3] = { 2, 1, -1 }, p2[3] = { 3, 1, 50 };
	unsigned char cand[3] = { 1, 1, 0 };
	double glast[3] = { 0, 0, 0 }, acc[3] = { 0, 0, 0 };
	sync_repeat_add(r0, r1, p0, p1, cand, glast, 1, 3, acc);
	assert_near(acc[0], 4, 0);
	assert_near(acc[1], 8, 0);
	assert_near(acc[2], 0, 0);
	sync_repeat_add(r1, r2, p1, p2, cand, glast, 0, 3, acc);
	assert_near(acc[0], 5, 0);
	assert_near(acc[1], 9, 0);
	assert_near(acc[2], 2, 0);
	assert_near(sync_repeat_z(acc), 5 / sqrt(13), 1e-15);
	const double none[3] = { 0, 0, 0 }, anti[3] = { 1, 4, -2 };
	assert_true(isnan(sync_repeat_z(none)));
	assert_near(sync_repeat_z(anti), 1, 1e-15);
}

/* M = sum D^4 / sum D^2 / s^2 from the recorded one-frame changes d without the noise's bias
 * (D^2 = d^2 - s^2, D^4 = d^4 - 6 s^2 d^2 + 3 s^4): changes 1, 2, 3 against s^2 = 1/2 give
 * sum D^2 = 14 - 3/2 = 12.5 and sum D^4 = 98 - 3 * 14 + 3 * 3/4 = 58.25, so M = 58.25 / 12.5 /
 * 0.5 = 9.32; a second row pair adds to the same sums; where no change exceeds the noise
 * (sum D^2 <= 0) M is 0 (below any cut). */
static void the_change_is_its_fourth_over_its_second_moment_against_the_noise(void **state)
{
	double a[3] = { 0, 0, 0 }, b[3] = { 1, 2, 3 }, c[3] = { 1, 2, 2 }, acc[2] = { 0, 0 };
	sync_change_add(a, b, 3, 0.5, acc);
	assert_near(acc[0], 12.5, 0);
	assert_near(acc[1], 58.25, 0);
	assert_near(sync_change_m(acc, 0.5), 9.32, 1e-12);
	sync_change_add(b, c, 3, 0.5, acc); /* 0, 0, -1: D^2 -0.5 -0.5 +0.5, D^4 0.75 0.75 -1.25 */
	assert_near(acc[0], 12, 0);
	assert_near(acc[1], 58.5, 0);
	assert_near(sync_change_m(acc, 0.5), 9.75, 1e-12);
	double still[2] = { 0, 0 };
	sync_change_add(a, a, 3, 0.5, still);
	assert_near(still[0], -1.5, 0);
	assert_near(sync_change_m(still, 0.5), 0, 0);
}

/* reference.smooth takes 0, 1 and auto (OGATE_SMOOTH_AUTO), the default */
static void reference_smooth_takes_auto(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(set.ref_smooth, OGATE_SMOOTH_AUTO);
	assert_int_equal(ogate_settings_set(&set, "reference.smooth", "0"), 0);
	assert_int_equal(set.ref_smooth, 0);
	assert_int_equal(ogate_settings_set(&set, "reference.smooth", "auto"), 0);
	assert_int_equal(set.ref_smooth, OGATE_SMOOTH_AUTO);
	assert_int_equal(ogate_settings_set(&set, "reference.smooth", "1"), 0);
	assert_int_equal(set.ref_smooth, 1);
	assert_int_not_equal(ogate_settings_set(&set, "reference.smooth", "3"), 0);
	assert_int_not_equal(ogate_settings_set(&set, "reference.smooth", "autox"), 0);
	assert_int_equal(set.ref_smooth, 1);
}

#define SZ 96
#define FPS 60.0
#define NOISE 4.0
#define FAST_M 37.725498 /* the fast heart's M (seeded), over every pixel */
/* the same from auto's first look (every 4th pixel of every 4th row) */
#define FAST_M_FIRST 37.037906
#define SLOW_M 2.225765 /* the slow heart's */
#define NPAT 40		/* pattern samples per beat, interpolated (the real model's source beat) */

struct run {
	int smoothed, locked;
	double z, m;
	int matched_smoothed; /* the matched reference is the smoothed copy */
};

/* A slow cartoon heart (1.3 s at 60 fps, 96^2, camera noise 4, as in test_ref_smooth.c) with
 * reference.smooth = auto; with pat, every pixel also carries a pattern of sd pat that depends
 * on the heart's phase only (NPAT samples a beat, linearly interpolated), so it repeats every
 * beat. */
static struct run heart_run(double period_s, double pat, const char *mode)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", mode));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	struct ogate_heart_law law = { period_s, 0.0, 0.0, 7.0, 2.1, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	static float tex[NPAT * SZ * SZ], img[SZ * SZ];
	for (int k = 0; k < NPAT * SZ * SZ; k++)
		tex[k] = (float)(pat * ogate_heart_rng_normal(&rng));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	struct ogate_sync_result r = { 0 };
	struct run out = { 0 };
	for (int i = 0; i < 600 && (!out.locked || sy->smooth_job); i++) {
		double t = i / FPS, psi = fmod(ogate_heart_law_psi(&law, t), 2 * M_PI);
		ogate_heart_blob_render(&heart, psi, img);
		double u = psi / (2 * M_PI) * NPAT, a = u - floor(u);
		int k0 = (int)floor(u) % NPAT, k1 = (k0 + 1) % NPAT;
		for (int p = 0; p < SZ * SZ; p++)
			img[p] += (float)((1 - a) * tex[k0 * SZ * SZ + p] + a * tex[k1 * SZ * SZ + p]);
		noisy_frame_fill(f, img, SZ, SZ, NOISE, &rng, 1000000000LL + llround(t * 1e9),
				 (uint64_t)i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		out.locked |= r.established; /* and the smoothing done over the next frames */
	}
	assert_true(out.locked);
	struct ogate_reference_info info;
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	out.smoothed = info.smoothed;
	out.z = info.repeat_z;
	out.m = info.change_m;
	out.matched_smoothed = sy->ref == sy->sm;
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
	return out;
}

static struct run slow_heart(double pat, const char *mode)
{
	return heart_run(1.3, pat, mode);
}

/* Camera noise alone does not repeat: the still pixels' changes one beat apart are unrelated
 * (|z| < 3) and the reference is smoothed and matched smoothed. A pattern of sd 2 that repeats
 * every beat (a quarter of the noise variance, as in the real-heartbeat model) is found far
 * beyond chance (z > 10), and the reference is matched as recorded. reference.smooth = 1
 * smooths both and measures nothing; 0 leaves both as recorded. */
static void still_pixels_that_repeat_every_beat_are_not_smoothed(void **state)
{
	struct run cam = slow_heart(0, "auto"), rep = slow_heart(2, "auto");
	print_message("camera noise only: z %.2f, smoothed %d; repeating pattern: z %.2f, "
		      "smoothed %d\n",
		      cam.z, cam.smoothed, rep.z, rep.smoothed);
	assert_true(fabs(cam.z) < 3);
	assert_int_equal(cam.smoothed, 1);
	assert_int_equal(cam.matched_smoothed, 1);
	assert_true(rep.z > 10);
	assert_int_equal(rep.smoothed, 0);
	assert_int_equal(rep.matched_smoothed, 0);
	struct run on = slow_heart(2, "1"), off = slow_heart(0, "0");
	assert_int_equal(on.smoothed, 1);
	assert_int_equal(on.matched_smoothed, 1);
	assert_true(isnan(on.z));
	assert_int_equal(off.smoothed, 0);
	assert_int_equal(off.matched_smoothed, 0);
	assert_true(isnan(off.z));
}

/* The same heart beating 4.3 times faster (0.3 s, 18 frames a beat): its one-frame change is far
 * above a frame difference's noise (M above 5.3, where the SAD turns linear), so auto matches it
 * as recorded although its still pixels do not repeat; on the slow heart M is below 5.3 and auto
 * smooths (exact values: the streams are seeded). Auto first looks at M on a grid of at most
 * 2^14 samples and decides there when M is at or above 5.3; below, M over every pixel decides.
 * reference.smooth = 1 smooths both; M is reported whenever the rule runs. */
static void a_heart_whose_change_is_above_the_noise_is_not_smoothed(void **state)
{
	struct run fast = heart_run(0.3, 0, "auto"), slow = slow_heart(0, "auto"),
		   on = heart_run(0.3, 0, "1");
	print_message("fast: M %.6f z %.3f smoothed %d; slow: M %.6f z %.3f smoothed %d\n", fast.m,
		      fast.z, fast.smoothed, slow.m, slow.z, slow.smoothed);
	assert_true(isnan(fast.z)); /* the change decides: the repeat test is not run */
	assert_near(fast.m, FAST_M_FIRST, 1e-6); /* decided on the first look */
	assert_int_equal(fast.smoothed, 0);
	assert_int_equal(fast.matched_smoothed, 0);
	assert_near(slow.m, SLOW_M, 1e-6);
	assert_int_equal(slow.smoothed, 1);
	assert_int_equal(on.smoothed, 1);
	assert_near(on.m, FAST_M, 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_repeat_is_the_sum_of_products_of_changes_over_its_standard_error),
		cmocka_unit_test(the_change_is_its_fourth_over_its_second_moment_against_the_noise),
		cmocka_unit_test(reference_smooth_takes_auto),
		cmocka_unit_test(a_heart_whose_change_is_above_the_noise_is_not_smoothed),
		cmocka_unit_test(still_pixels_that_repeat_every_beat_are_not_smoothed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
