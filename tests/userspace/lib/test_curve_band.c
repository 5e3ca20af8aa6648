// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.curve_min_fpb / sync.curve_max_fpb: under sync.subframe = curve, the curve only where the
 * reference's beat has that many frames, the V fit outside (sync_match.c). A 16-frames-a-beat
 * heart: a band that holds 16 gives the unbounded curve's phases bit for bit, a band that does
 * not gives the V fit's bit for bit, and the two differ (the band decides). */
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

#define SZ 64
#define FPS 40.0
#define NSYNC 4

/* frame i of a heart of 0.4 s (16 frames a beat, 2 % modulation) under noise sd 2 */
static struct ogate_frame *heart_frame(struct ogate_heart_blob *hb, struct ogate_heart_rng *rng, int i)
{
	static float img[SZ * SZ];
	struct ogate_heart_law law = { 0.4, 0.0, 0.02, 5.0, 0.3, 30.0 };
	ogate_heart_blob_render(hb, fmod(ogate_heart_law_psi(&law, i / FPS), 2 * M_PI), img);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	noisy_frame_fill(f, img, SZ, SZ, 2.0, rng, 5000000000LL + llround(i / FPS * 1e9), (uint64_t)i);
	return f;
}

static void curve_band_picks_the_curve_inside_and_the_v_fit_outside(void **state)
{
	(void)state;
	/* 0 the V fit, 1 the curve unbounded, 2 the curve within 9..20 frames a beat,
	 * 3 the curve from 20 frames a beat only (outside: the V fit) */
	static const char *band[NSYNC][2] = { { NULL, NULL }, { "0", "0" }, { "9", "20" }, { "20", "0" } };
	struct ogate_heart_blob hb;
	struct ogate_heart_rng rng;
	struct ogate_sync *sy[NSYNC];
	ogate_heart_blob_init(&hb, SZ, SZ, 11);
	ogate_heart_rng_seed(&rng, 5);
	for (int k = 0; k < NSYNC; k++) {
		struct ogate_settings set;
		ogate_settings_default(&set);
		if (!band[k][0])
			assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "vfit"));
		if (band[k][0]) {
			assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "curve"));
			assert_int_equal(0, ogate_settings_set(&set, "sync.curve_min_fpb", band[k][0]));
			assert_int_equal(0, ogate_settings_set(&set, "sync.curve_max_fpb", band[k][1]));
		}
		assert_int_equal(0, ogate_sync_new(&sy[k], &set));
	}
	int locked = 0, moved = 0;
	for (int i = 0; i < 1200; i++) {
		struct ogate_sync_result r[NSYNC];
		struct ogate_frame *f = heart_frame(&hb, &rng, i);
		for (int k = 0; k < NSYNC; k++)
			assert_int_equal(0, ogate_sync_process(sy[k], f, &r[k]));
		ogate_frame_free(f);
		assert_int_equal(r[0].has_phase, r[3].has_phase);
		assert_int_equal(r[1].has_phase, r[2].has_phase);
		if (r[0].has_phase)
			assert_true(r[0].phase == r[3].phase);
		if (r[1].has_phase)
			assert_true(r[1].phase == r[2].phase);
		locked += r[0].has_phase;
		moved += r[0].has_phase && r[1].has_phase && r[0].phase != r[1].phase;
	}
	print_message("locked %d frames, %d phased otherwise by the curve\n", locked, moved);
	assert_true(locked > 1000);
	assert_true(moved > locked / 2);
	for (int k = 0; k < NSYNC; k++)
		ogate_sync_free(sy[k]);
	ogate_heart_blob_free(&hb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(curve_band_picks_the_curve_inside_and_the_v_fit_outside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
