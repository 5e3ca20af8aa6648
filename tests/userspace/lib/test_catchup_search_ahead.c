// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The held frames' catch-up begins a full search on the frame before it (sync_match.c,
 * sync_search_ahead): the match that takes the SADs computed ahead gives the same results bit
 * for bit as without them (every frame's result, every held frame's history entry), its own
 * search computes fewer rows, and SADs computed ahead for another window or frame are dropped,
 * not taken. */
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

#define SZ 96
#define FPS 60.0
#define NOISE 4.0
#define NF 400
#define SMALL (1L << 16) /* the smoothing job's budget: frames held, caught up two a frame */

/* what a run is asked to do to the SADs computed ahead once each frame is processed */
enum spoil { SPOIL_NONE, SPOIL_WINDOW, SPOIL_FRAME };

/* The slow heart of test_ref_smooth_sliced (1.3 s, 78 frames a beat, 96^2 at 60 fps, noise 4,
 * reference.smooth = auto) with the job's budget small: run 0 as the library does it, run 1
 * with nothing computed ahead, run 2 with the SADs computed ahead spoiled as `spoil` says. Every
 * frame's result and every history entry written are compared with run 1's. */
static void catchup_runs(enum spoil spoil, uint64_t *used, uint64_t rows[2], int *held)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	struct ogate_sync *sy[2];
	for (int k = 0; k < 2; k++) {
		assert_int_equal(0, ogate_sync_new(&sy[k], &set));
		sy[k]->smooth_budget = SMALL;
	}
	sy[1]->ahead_off = 1;
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	struct ogate_heart_law law = { 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	static float img[SZ * SZ];
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	*held = 0;
	for (int i = 0; i < NF; i++) {
		noisy_heart_frame(f, &heart, &law, img, SZ, FPS, NOISE, &rng, i);
		struct ogate_sync_result r[2];
		int h0[2];
		for (int k = 0; k < 2; k++) {
			h0[k] = sy[k]->hhead;
			assert_int_equal(0, ogate_sync_process(sy[k], f, &r[k]));
		}
		assert_memory_equal(&r[0], &r[1], sizeof(r[0]));
		*held += r[0].state == OGATE_SYNC_LOCKED && !r[0].has_phase;
		int added = (sy[0]->hhead - h0[0] + sy[0]->hcap) % sy[0]->hcap;
		assert_int_equal(added, (sy[1]->hhead - h0[1] + sy[1]->hcap) % sy[1]->hcap);
		for (int b = 0; b < added; b++)
			assert_memory_equal(sync_hist_at(sy[0], b), sync_hist_at(sy[1], b),
					    sizeof(struct hist));
		if (sy[0]->ahead.n > 0 && spoil == SPOIL_WINDOW)
			sy[0]->ahead.win[5]--; /* as if the drift had moved the window */
		if (sy[0]->ahead.n > 0 && spoil == SPOIL_FRAME)
			sy[0]->ahead.seq++; /* as if another frame sat in the held frame's copy */
	}
	*used = sy[0]->ahead_used;
	for (int k = 0; k < 2; k++) {
		rows[k] = sy[k]->search_rows;
		ogate_sync_free(sy[k]);
	}
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
}

/* Caught up two a frame, every 4th frame's second match is a full search: begun on the frame
 * before over 2 L / 5 of the reference's frames, taken whole, the same bytes as without */
static void the_catchup_takes_sads_computed_ahead_with_the_same_results(void **state)
{
	(void)state;
	uint64_t used, rows[2];
	int held;
	catchup_runs(SPOIL_NONE, &used, rows, &held);
	print_message("held %d, SADs taken from ahead %llu, search rows %llu vs %llu\n", held,
		      (unsigned long long)used, (unsigned long long)rows[0],
		      (unsigned long long)rows[1]);
	assert_true(held >= 19);
	assert_true(used >= 3 * 30); /* three full searches at least, 2 L / 5 = 33 frames each */
	assert_true(rows[0] < rows[1]);
}

/* SADs computed ahead that are not the match's own (another window, another frame) are dropped:
 * none taken, the results still the same */
static void sads_computed_ahead_for_another_window_or_frame_are_dropped(void **state)
{
	(void)state;
	for (int spoil = SPOIL_WINDOW; spoil <= SPOIL_FRAME; spoil++) {
		uint64_t used, rows[2];
		int held;
		catchup_runs((enum spoil)spoil, &used, rows, &held);
		assert_true(held >= 19);
		assert_int_equal(used, 0);
		assert_true(rows[0] == rows[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_catchup_takes_sads_computed_ahead_with_the_same_results),
		cmocka_unit_test(sads_computed_ahead_for_another_window_or_frame_are_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
