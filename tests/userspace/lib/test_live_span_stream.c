// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.subframe_span_z on a whole stream: the span's SADs beyond the windowed search's window are
 * computed and the bounded full search's partial sums made whole (sync_match.c live_span), so a
 * stream matched with the early exits and without them gives the same results bit for bit under
 * the key too; and the key moves the phases of a slow heart's frames (the span applies). */
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
#define FPS 160.0

/* frame i of a heart of 1.5 s (240 frames a beat, rate modulation 0.05) under noise sd 4 */
static struct ogate_frame *heart_frame(struct ogate_heart_blob *hb, struct ogate_heart_rng *rng, int i)
{
	static float img[SZ * SZ];
	struct ogate_heart_law law = { 1.5, 0.0, 0.05, 7.0, 0.7, 60.0 };
	ogate_heart_blob_render(hb, fmod(ogate_heart_law_psi(&law, i / FPS), 2 * M_PI), img);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	noisy_frame_fill(f, img, SZ, SZ, 4.0, rng, 5000000000LL + llround(i / FPS * 1e9), (uint64_t)i);
	return f;
}

static void span_stream_matches_bit_for_bit_with_the_early_exits(void **state)
{
	(void)state;
	struct ogate_heart_blob hb;
	struct ogate_heart_rng rng;
	struct ogate_settings set, off;
	struct ogate_sync *sy[3];
	ogate_heart_blob_init(&hb, SZ, SZ, 7);
	ogate_heart_rng_seed(&rng, 3);
	ogate_settings_default(&set);
	ogate_settings_default(&off);
	/* the span is the V fit's (sync_match.c); the default is the curve at 9-20 frames a beat */
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "vfit"));
	assert_int_equal(0, ogate_settings_set(&off, "sync.subframe", "vfit"));
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe_span_z", "2"));
	for (int k = 0; k < 2; k++)
		assert_int_equal(0, ogate_sync_new(&sy[k], &set));
	assert_int_equal(0, ogate_sync_new(&sy[2], &off));
	sy[1]->whole_search = 1;
	int locked = 0, moved = 0;
	for (int i = 0; i < 1400; i++) {
		struct ogate_sync_result r[3];
		struct ogate_frame *f = heart_frame(&hb, &rng, i);
		for (int k = 0; k < 3; k++)
			assert_int_equal(0, ogate_sync_process(sy[k], f, &r[k]));
		ogate_frame_free(f);
		assert_memory_equal(&r[0], &r[1], sizeof(r[0]));
		locked += r[0].has_phase;
		moved += r[0].has_phase && r[2].has_phase && r[0].phase != r[2].phase;
	}
	print_message("locked %d frames, %d phased otherwise than without the key\n", locked, moved);
	assert_true(locked > 800);
	assert_true(moved > locked / 4);
	assert_true(sy[0]->full_searches == sy[1]->full_searches && sy[0]->full_searches > 50);
	for (int k = 0; k < 3; k++)
		ogate_sync_free(sy[k]);
	ogate_heart_blob_free(&hb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(span_stream_matches_bit_for_bit_with_the_early_exits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
