// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The full search's binned lower bound (reference_frames.c, sync_match.c sync_search_bounded):
 * streams matched with the reference's frames binned and without give the same results bit for
 * bit, with fewer rows of exact SAD; on odd frame sizes (blocks left out at the edges), windows
 * at odd offsets (a drift of over a pixel, the region of interest), a slow heart's smoothed
 * reference caught up after its job, and references refreshed, smoothed or moved (after every
 * frame, every bin a search would read holds its reference frame's pixels as they are). */
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

#define W 101
#define H 87
#define FPS 80.0

/* frame i of a heart of `period` s (rate modulation 0.1), shifted by (sy, sx) px, 8 bit */
static struct ogate_frame *heart_frame(struct ogate_heart_blob *hb, struct ogate_heart_rng *rng,
				       int i, double period, double sy, double sx)
{
	static float img[W * H], sh[W * H];
	struct ogate_heart_law law = { period, 0.0, 0.1, 7.0, 0.7, 60.0 };
	ogate_heart_blob_render(hb, fmod(ogate_heart_law_psi(&law, i / FPS), 2 * M_PI), img);
	ogate_heart_rigid_shift(img, sh, H, W, sy, sx);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, W, H));
	noisy_frame_fill(f, sh, W, H, 2.0, rng, 5000000000LL + llround(i / FPS * 1e9), (uint64_t)i);
	return f;
}

struct run_cfg {
	double period;		 /* s */
	const char *key, *value; /* a setting, or NULL */
	const char *key2, *value2;
	int nframes;
};

/* every reference frame s holds binned is binned as its pixels are now (no bins left from frames
 * since moved, smoothed or replaced) */
static void bins_are_current(const struct ogate_sync *s)
{
	static uint16_t fresh[(W / SYNC_BIN) * (H / SYNC_BIN)];
	const int bw = W / SYNC_BIN, bh = H / SYNC_BIN;
	for (int j = 0; s->have_ref && j < s->L; j++) {
		const uint16_t *b = sync_bin_frame(s, j);
		if (!b)
			continue;
		const struct ogate_frame *r = s->ref[j];
		ogate_sad_bin4_u8(&ogate_sad_scalar, r->pixels, r->stride, fresh,
				  sizeof(uint16_t) * bw, bw, bh);
		assert_memory_equal(b, fresh, sizeof(uint16_t) * bw * bh);
	}
}

/* the stream matched by sy[0] with the bound (bins at any frame size) and by sy[1] without:
 * every result the same bit for bit */
static void run_both(const struct run_cfg *c, uint64_t rows[2], uint64_t *bin_rows, uint64_t *full,
		     uint32_t *refs)
{
	struct ogate_heart_blob hb;
	struct ogate_heart_rng rng;
	struct ogate_settings set;
	struct ogate_sync *sy[2];
	assert_int_equal(0, ogate_heart_blob_init(&hb, H, W, 7));
	ogate_heart_rng_seed(&rng, 3);
	ogate_settings_default(&set);
	if (c->key)
		assert_int_equal(0, ogate_settings_set(&set, c->key, c->value));
	if (c->key2)
		assert_int_equal(0, ogate_settings_set(&set, c->key2, c->value2));
	for (int k = 0; k < 2; k++)
		assert_int_equal(0, ogate_sync_new(&sy[k], &set));
	sy[0]->bin_off = -1;
	sy[1]->bin_off = 1;
	int locked = 0;
	for (int i = 0; i < c->nframes; i++) {
		struct ogate_sync_result r[2];
		double d = i > 300 ? 1.7 * (i - 300) / 600.0 : 0;
		struct ogate_frame *f = heart_frame(&hb, &rng, i, c->period, d, -0.6 * d);
		for (int k = 0; k < 2; k++)
			assert_int_equal(0, ogate_sync_process(sy[k], f, &r[k]));
		ogate_frame_free(f);
		assert_memory_equal(&r[0], &r[1], sizeof(r[0]));
		bins_are_current(sy[0]);
		locked += r[0].has_phase;
	}
	assert_true(locked > c->nframes / 2);
	assert_true(sy[0]->full_searches == sy[1]->full_searches);
	rows[0] = sy[0]->search_rows;
	rows[1] = sy[1]->search_rows;
	*bin_rows = sy[0]->bin_rows;
	*full = sy[0]->full_searches;
	*refs = sy[0]->info.id;
	assert_int_equal(0, sy[1]->bin_rows);
	for (int k = 0; k < 2; k++)
		ogate_sync_free(sy[k]);
	ogate_heart_blob_free(&hb);
}

static void check(const struct run_cfg *c)
{
	uint64_t rows[2], bin_rows, full;
	uint32_t refs;
	run_both(c, rows, &bin_rows, &full, &refs);
	assert_true(full > 40);
	assert_true(bin_rows > 0);	/* the bound was read */
	assert_true(rows[0] < rows[1]); /* and cut frames the exact search read */
}

/* a 0.5 s heart on an odd frame, drifting over a pixel and a half (odd window offsets) */
static void an_odd_frame_under_drift_matches_bit_for_bit(void **state)
{
	(void)state;
	struct run_cfg c = { 0.5, NULL, NULL, NULL, NULL, 1000 };
	check(&c);
}

/* the same matched in the reference's region only (sync.roi = 1: windows where it lies) */
static void the_region_of_interest_matches_bit_for_bit(void **state)
{
	(void)state;
	struct run_cfg c = { 0.5, "sync.roi", "1", NULL, NULL, 1000 };
	check(&c);
}

/* a slow heart (1.2 s, 96 frames a beat): its smoothed reference's held frames caught up (none
 * binned meanwhile), then its frames binned while full searches already read those binned */
static void a_slow_heart_caught_up_matches_bit_for_bit(void **state)
{
	(void)state;
	struct run_cfg c = { 1.2, NULL, NULL, NULL, NULL, 1100 };
	check(&c);
}

/* references refreshed every 150 frames, smoothed (reference.smooth = 1) or moved to one position
 * under the drift measured at lock (reference.drift_move = 1): the bins follow each reference's
 * own frames */
static void refreshed_references_match_bit_for_bit(void **state)
{
	(void)state;
	static const struct run_cfg c[2] = {
		{ 0.5, "refresh.after_frames", "150", "reference.smooth", "1", 1200 },
		{ 0.5, "refresh.after_frames", "150", "reference.drift_move", "1", 1200 },
	};
	for (int k = 0; k < 2; k++) {
		uint64_t rows[2], bin_rows, full;
		uint32_t refs;
		run_both(&c[k], rows, &bin_rows, &full, &refs);
		assert_true(refs >= 4);
		assert_true(bin_rows > 0);
		assert_true(rows[0] < rows[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_odd_frame_under_drift_matches_bit_for_bit),
		cmocka_unit_test(the_region_of_interest_matches_bit_for_bit),
		cmocka_unit_test(a_slow_heart_caught_up_matches_bit_for_bit),
		cmocka_unit_test(refreshed_references_match_bit_for_bit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
