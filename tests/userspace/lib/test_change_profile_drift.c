// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The change profile's pairs past the reference's ends under a drift (sync_change_profile,
 * change_over). At hundreds of frames a beat the target is chosen on the change over 3-5 frames,
 * and the pairs about the beat's seam were wrapped: frames recorded a beat apart, whose SAD
 * carries the drift over that beat. On ld_blob96_3.0s_100fps of bench/eval/lockdrift.txt (seed 7,
 * 0.35 px a beat) the seam's 5-frame change was 53 000 against 18 000 where the heart moves
 * fastest, so the target lay at P/3 from the reference's first frame (the heuristic's fallback)
 * and moved with the lock through the heart's beat. Those pairs are now taken from the frames
 * recorded before the reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"
#include "placed_target.h"

#define SZ 64
#define FPS 100.0
#define NOISE 4.0 /* pixel noise sd: the one-frame change is noise, the profile takes 3-5 frames */

/* a 3 s cartoon heart at 100 fps on 64^2, pixel noise sd NOISE, drifting v px a frame on both axes (a
 * Lanczos shift: no blur), its stream started k0 frames into the heart's run */
static struct placed place(double v, int k0)
{
	static const struct ogate_heart_law law = { 3.0, 0.0, 0.0, 18.0, 3.0, 60.0 };
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 7));
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 7);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	float *img = malloc(sizeof(float) * SZ * SZ), *sh = malloc(sizeof(float) * SZ * SZ);
	assert_non_null(img);
	assert_non_null(sh);
	struct ogate_sync_result r = { 0 };
	for (int i = 0; i < 3000 && !r.established; i++) {
		int k = k0 + i;
		double t = k / FPS;
		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, t), 2 * M_PI), img);
		assert_int_equal(0, ogate_heart_rigid_shift_lanczos(img, sh, SZ, SZ, v * k, v * k));
		noisy_frame_fill(f, sh, SZ, SZ, NOISE, &rng, 1000000000LL + llround(i / FPS * 1e9),
				 (uint64_t)i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
	}
	assert_true(r.established);
	struct placed out = placed_read(sy, &law, FPS, k0);
	free(sh);
	free(img);
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
	return out;
}

/* 0.45 px a beat on both axes, the stream started at three points of the heart's run: each locks
 * about 1960-2010 frames in (the drift-free heart at 284), on the change over 3 or 5 frames. With
 * the pairs wrapped across the seam the targets lay at 100.0-100.6 frames (P/3) from the
 * reference's first frame, 56-101 frames of the beat from the drift-free heart's target and 44
 * from each other; now within 4-12 frames of it and 16 of each other (their 3- and 5-frame
 * profiles' noise). */
static void the_target_follows_the_heart_under_a_drift(void **state)
{
	(void)state;
	static const int starts[] = { 0, 20, 45 };
	struct placed clean = place(0, 0), p[3];
	print_message("drift-free: first %d P %.2f tu %.2f lag %d psi %.3f\n", clean.first, clean.P,
		      clean.tu, clean.lag, clean.target_psi);
	for (int k = 0; k < 3; k++) {
		p[k] = place(0.0015, starts[k]);
		print_message("start %d: first %d P %.2f tu %.2f lag %d psi %.3f, %.2f frames from "
			      "the drift-free target\n",
			      starts[k], p[k].first, p[k].P, p[k].tu, p[k].lag, p[k].target_psi,
			      frames_apart(p[k], clean));
		assert_true(p[k].lag > 1);
		assert_true(fabs(p[k].tu - p[k].P / 3) > 10); /* not the fallback's P/3 */
		assert_true(frames_apart(p[k], clean) <= 15);
	}
	for (int k = 1; k < 3; k++)
		assert_true(frames_apart(p[k], p[0]) <= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_target_follows_the_heart_under_a_drift),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
