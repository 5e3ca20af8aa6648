// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.match_blur (sync_refmove.c): a reference not moved for a drift has its frames blurred by
 * the drift's four taps at no shift (1/4 px^2), its steps read again, and every live frame is
 * matched through the same taps with its tracked sub-pixel shift, so a slow drift's fraction no
 * longer changes the blur on one side of the comparison only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

/* a sync with sync.match_blur = blur, else the defaults but reference.smooth = auto's tests on
 * any size (the blur was pinned on frames matched unsmoothed; smoothed, the fast heart below reads
 * 0.0455 frame as recorded and 0.0387 blurred: test_ref_smooth_small.c) */
static struct ogate_sync *sync_with(int blur)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = blur;
	set.smooth_small_px = 0;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	return s;
}

/* The fast heart (64^2, 0.4 s at 80 fps, noise 4) through a sync with and one without the key,
 * up to the frame that takes the reference: both take it on the same frame from the same frames;
 * with the key every frame of it is the recorded one through the taps at no shift, byte for
 * byte, and its steps are those of the blurred frames (read again: not those read at lock). The
 * 37 frames' blur (150k pixels) is made on that frame, nothing held. */
static void the_reference_is_blurred_by_the_taps_and_its_steps_read_again(void **state)
{
	(void)state;
	struct heartrun_spec spec = heartrun_fast_drifting(64, 400);
	spec.vy = spec.vx = 0;
	struct heartrun *hr[2] = { heartrun_new(&spec), heartrun_new(&spec) };
	struct ogate_sync *sy[2] = { sync_with(0), sync_with(1) };
	int est[2] = { -1, -1 };
	struct ogate_sync_result r;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 400 && est[k] < 0; i++) {
			heartrun_step(hr[k], sy[k], i, &r);
			if (r.established)
				est[k] = i;
		}
	assert_true(est[0] > 0 && est[0] == est[1]);
	const struct seq *q0 = sync_current_seq(sy[0]), *q1 = sync_current_seq(sy[1]);
	assert_int_equal(q0->L, q1->L);
	assert_int_equal(q0->info.blurred, 0);
	assert_int_equal(q1->info.blurred, 1);
	struct ogate_reference_info i0, i1; /* and the reference's info says so */
	assert_int_equal(0, ogate_sync_get_reference(sy[0], &i0));
	assert_int_equal(0, ogate_sync_get_reference(sy[1], &i1));
	assert_int_equal(i0.blurred, 0);
	assert_int_equal(i1.blurred, 1);
	assert_true(q1->reg_vel[0] == 0 && q1->reg_vel[1] == 0);
	struct ogate_frame *b = NULL;
	assert_int_equal(0, ogate_frame_new(&b, OGATE_PIX_U8, 64, 64));
	long diff = 0, moved = 0;
	for (int j = 0; j < q0->L; j++) {
		sync_shift_even_rows(sy[0], b, q0->f[j], 0, 0, 0, 1, 64);
		for (int y = 0; y < 64; y++) {
			diff += memcmp(ogate_frame_row(b, y), ogate_frame_row(q1->f[j], y), 64) != 0;
			moved += memcmp(ogate_frame_row(q0->f[j], y), ogate_frame_row(q1->f[j], y),
					64) != 0;
		}
	}
	int steps_differ = 0;
	double st[128];
	assert_true(q1->L <= 128);
	memcpy(st, q1->step, sizeof(double) * (size_t)q1->L);
	for (int j = 0; j + 1 < q1->L; j++)
		steps_differ += st[j] != q0->step[j];
	sync_reference_steps(sy[1], (struct seq *)q1);
	int steps_again = 0;
	for (int j = 0; j + 1 < q1->L; j++)
		steps_again += st[j] != q1->step[j];
	print_message("established on frame %d, L %d: rows differing from the taps' %ld, from the "
		      "recorded %ld; steps other than at lock %d, other than read now %d\n",
		      est[1], q1->L, diff, moved, steps_differ, steps_again);
	assert_int_equal(diff, 0);
	assert_true(moved > q1->L * 32);
	assert_true(steps_differ > q1->L / 2);
	assert_int_equal(steps_again, 0);
	ogate_frame_free(b);
	for (int k = 0; k < 2; k++) {
		ogate_sync_free(sy[k]);
		heartrun_free(hr[k]);
	}
}

/* The fast heart (64^2, 32 frames a beat, noise 4, no drift): the matched phase's per-frame sd
 * about its mean 0.078 frame as recorded, 0.048 with both sides blurred (the noise's share of
 * each SAD falls more than the heart's change) */
static void the_blur_on_both_sides_cuts_a_noisy_hearts_frame_error(void **state)
{
	(void)state;
	double sd[2];
	for (int blur = 0; blur < 2; blur++) {
		struct heartrun_spec spec = heartrun_fast_drifting(64, 1200);
		spec.vy = spec.vx = 0;
		struct heartrun *hr = heartrun_new(&spec);
		struct ogate_sync *sy = sync_with(blur);
		sd[blur] = heartrun_phase_sd(hr, sy, 1200, 300, 500);
		ogate_sync_free(sy);
		heartrun_free(hr);
	}
	print_message("per-frame phase sd: %.4f as recorded, %.4f blurred (frames)\n", sd[0], sd[1]);
	assert_true(sd[0] > 0.07);
	assert_true(sd[1] < 0.06);
}

/* The first reference's frames of a 128^2 heart at 1.3 s and 60 fps (82 frames, 1.3 M pixels)
 * are blurred over the next frames, two shares of 64, those frames held and matched once it is
 * done (a quarter beat at most); at 512^2 and 32 frames a beat (37 frames in 10 shares, 11 frames
 * held against half a quarter beat, 4) the reference is matched as recorded. */
static void the_blur_is_spread_where_its_hold_fits(void **state)
{
	(void)state;
	const int sizes[2] = { 128, 512 };
	for (int k = 0; k < 2; k++) {
		struct heartrun_spec spec = k ? heartrun_fast_drifting(512, 200)
					      : heartrun_slow_smooth(8);
		spec.sz = sizes[k];
		spec.vy = spec.vx = 0;
		struct heartrun *hr = heartrun_new(&spec);
		struct ogate_sync *sy = sync_with(1);
		struct ogate_sync_result r;
		int est = -1, held = 0, unmatched = 0, nf = k ? 120 : 300;
		for (int i = 0; i < nf; i++) {
			heartrun_step(hr, sy, i, &r);
			if (r.established && est < 0)
				est = i;
			if (est >= 0 && r.state == OGATE_SYNC_LOCKED && !r.has_phase)
				held++;
			const struct hist *e;
			while (heartrun_matched(hr, sy, i, &e) >= 0)
				unmatched--;
			if (est >= 0 && r.state == OGATE_SYNC_LOCKED)
				unmatched++;
		}
		assert_true(est > 0);
		const struct seq *q = sync_current_seq(sy);
		double P = sy->info.period_frames;
		print_message("%d^2: established on frame %d, L %d, blurred %d, %d frames held, %d "
			      "locked frames not matched\n",
			      sizes[k], est, q->L, q->info.blurred, held, unmatched);
		assert_int_equal(sy->info.blurred, q->info.blurred);
		if (k == 0) {
			assert_int_equal(q->info.blurred, 1);
			assert_true(held >= 2 && held <= P / 4);
		} else {
			assert_int_equal(q->info.blurred, 0);
			assert_int_equal(held, 0);
		}
		ogate_sync_free(sy);
		heartrun_free(hr);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_reference_is_blurred_by_the_taps_and_its_steps_read_again),
		cmocka_unit_test(the_blur_on_both_sides_cuts_a_noisy_hearts_frame_error),
		cmocka_unit_test(the_blur_is_spread_where_its_hold_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
