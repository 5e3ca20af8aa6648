// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The full search's early exits (sync_match.c sync_search_bounded) change nothing a match reads:
 * the valley ogate_subframe_phase picks, its neighbours' SADs and the least SAD are the whole
 * search's, also where the least SAD lies in the padding and the partial sums left in the
 * interior are ordered otherwise than the whole ones; and a whole stream matched with and
 * without them gives the same results bit for bit, with fewer rows of SAD. */
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

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

#define W 16
#define H 32 /* four bands of 8 rows */
#define NREF 9

/* reference frame j of a hand-made search: zero but for sums put in its bands (the frame
 * matched is zero, so its SAD against j is the sum of j's pixels) */
static void put_band(struct ogate_frame *r, int band, int sum)
{
	for (int y = band * 8; y < band * 8 + 8 && sum > 0; y++) {
		uint8_t *row = (uint8_t *)ogate_frame_pixels(r) + (size_t)y * r->stride;
		for (int x = 0; x < W && sum > 0; x++) {
			int v = sum > 200 ? 200 : sum;
			row[x] = (uint8_t)v;
			sum -= v;
		}
	}
}

struct search {
	struct ogate_sync s;
	struct ogate_frame *ref[NREF], *f;
	double S[NREF];
	uint64_t mark[NREF];
};

static void search_init(struct search *q, const int (*bands)[4])
{
	memset(&q->s, 0, sizeof(q->s));
	q->s.L = NREF;
	q->s.fmt = OGATE_PIX_U8;
	q->s.sad = ogate_sad_best();
	q->s.ref = q->ref;
	q->s.S = q->S;
	q->s.sad_out = q->mark;
	q->f = new_frame(OGATE_PIX_U8, W, H);
	memset(ogate_frame_pixels(q->f), 0, (size_t)q->f->stride * H);
	for (int j = 0; j < NREF; j++) {
		q->ref[j] = new_frame(OGATE_PIX_U8, W, H);
		memset(ogate_frame_pixels(q->ref[j]), 0, (size_t)q->ref[j]->stride * H);
		for (int b = 0; b < 4; b++)
			put_band(q->ref[j], b, bands[j][b]);
		q->S[j] = HUGE_VAL;
	}
}

static void search_free(struct search *q)
{
	ogate_frame_free(q->f);
	for (int j = 0; j < NREF; j++)
		ogate_frame_free(q->ref[j]);
}

/* the whole SADs, their pick and least, against the bounded search's */
static void check_against_whole(struct search *q, const int (*bands)[4], size_t b_whole)
{
	double whole[NREF];
	int least = 0;
	for (int j = 0; j < NREF; j++) {
		whole[j] = bands[j][0] + bands[j][1] + bands[j][2] + bands[j][3];
		least = whole[j] < whole[least] ? j : least;
	}
	size_t bw, bb;
	double pw = ogate_subframe_phase(whole, NREF, NREF - 2 * OGATE_NE, &bw);
	assert_int_equal(bw, b_whole);
	sync_search_bounded(&q->s, q->f, 0, 0, 0, 0, W, H, NREF - 2 * OGATE_NE);
	double pb = ogate_subframe_phase(q->S, NREF, NREF - 2 * OGATE_NE, &bb);
	assert_int_equal(bb, bw);
	assert_true(pb == pw);
	for (int j = (int)bb - 1; j <= (int)bb + 1; j++)
		if (j >= 0 && j < NREF)
			assert_true(q->S[j] == whole[j]);
	int lb = 0;
	for (int j = 1; j < NREF; j++)
		lb = q->S[j] < q->S[lb] ? j : lb;
	assert_int_equal(lb, least);
	for (int j = 0; j < NREF; j++) /* every sum a lower bound of the whole one */
		assert_true(q->S[j] <= whole[j]);
}

/* the least SAD in the padding (frame 0): every interior frame is cut short, and the partial
 * sums put frame 3 (1000 whole) below frame 4 (300 whole, the interior minimum); the pick must
 * still be frame 4 */
static void a_least_sad_in_the_padding_does_not_mislead_the_pick(void **state)
{
	(void)state;
	static const int bands[NREF][4] = {
		{ 25, 25, 25, 25 },	{ 400, 400, 400, 400 }, { 600, 600, 600, 600 },
		{ 150, 300, 300, 250 }, { 0, 200, 50, 50 },	{ 500, 500, 500, 500 },
		{ 700, 700, 700, 700 }, { 800, 800, 800, 800 }, { 900, 900, 900, 900 },
	};
	struct search q;
	search_init(&q, bands);
	check_against_whole(&q, bands, 4);
	assert_true(q.S[6] < 2800); /* cut short: the test tests the early exit */
	search_free(&q);
}

/* the interior minimum (frame 6) walks down into the padding (frame 7, then 8), frame 4 cut
 * short */
static void the_walk_into_the_padding_reads_whole_sums(void **state)
{
	(void)state;
	static const int bands[NREF][4] = {
		{ 900, 900, 900, 900 }, { 800, 800, 800, 800 }, { 700, 700, 700, 700 },
		{ 600, 0, 0, 0 },	{ 500, 500, 500, 500 }, { 100, 100, 100, 100 },
		{ 90, 90, 90, 90 },	{ 80, 80, 80, 80 },	{ 10, 10, 10, 10 },
	};
	struct search q;
	search_init(&q, bands);
	check_against_whole(&q, bands, 8);
	search_free(&q);
}

#define SZ 96
#define FPS 80.0

/* frame i of a heart of 0.5 s (rate modulation 0.1), shifted by (sy, sx) px, as 8 or 16 bits */
static struct ogate_frame *heart_frame(struct ogate_heart_blob *hb, struct ogate_heart_rng *rng,
				       int i, double sy, double sx, int bits)
{
	static float img[SZ * SZ], sh[SZ * SZ];
	struct ogate_heart_law law = { 0.5, 0.0, 0.1, 7.0, 0.7, 60.0 };
	ogate_heart_blob_render(hb, fmod(ogate_heart_law_psi(&law, i / FPS), 2 * M_PI), img);
	ogate_heart_rigid_shift(img, sh, SZ, SZ, sy, sx);
	struct ogate_frame *f = new_frame(bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, SZ, SZ);
	noisy_frame_fill(f, sh, SZ, SZ, 2.0, rng, 5000000000LL + llround(i / FPS * 1e9), (uint64_t)i);
	return f;
}

/* a stream (rate modulation, a drift of a pixel and a third; 8 and 16 bit, and 8 bit with the
 * SSD metric and with the region of interest) matched with the early exits and without: the same
 * results bit for bit, fewer rows of SAD */
static void a_stream_matches_bit_for_bit_with_fewer_rows(void **state)
{
	(void)state;
	for (int cfg = 0; cfg < 4; cfg++) {
		int bits = cfg == 1 ? 16 : 8;
		struct ogate_heart_blob hb;
		struct ogate_heart_rng rng;
		struct ogate_settings set;
		struct ogate_sync *sy[2];
		ogate_heart_blob_init(&hb, SZ, SZ, 7);
		ogate_heart_rng_seed(&rng, 3);
		ogate_settings_default(&set);
		if (cfg == 2)
			assert_int_equal(0, ogate_settings_set(&set, "sync.metric", "ssd"));
		if (cfg == 3)
			assert_int_equal(0, ogate_settings_set(&set, "sync.roi", "1"));
		for (int k = 0; k < 2; k++)
			assert_int_equal(0, ogate_sync_new(&sy[k], &set));
		sy[1]->whole_search = 1;
		int locked = 0;
		for (int i = 0; i < 900; i++) {
			struct ogate_sync_result r[2];
			double dy = i > 400 ? 1.3 * (i - 400) / 500.0 : 0;
			struct ogate_frame *f = heart_frame(&hb, &rng, i, dy, -0.5 * dy, bits);
			for (int k = 0; k < 2; k++)
				assert_int_equal(0, ogate_sync_process(sy[k], f, &r[k]));
			ogate_frame_free(f);
			assert_memory_equal(&r[0], &r[1], sizeof(r[0]));
			locked += r[0].has_phase;
		}
		assert_true(locked > 600);
		assert_true(sy[0]->full_searches == sy[1]->full_searches);
		assert_true(sy[0]->full_searches > 50);
		assert_true(sy[0]->search_rows < sy[1]->search_rows);
		for (int k = 0; k < 2; k++)
			ogate_sync_free(sy[k]);
		ogate_heart_blob_free(&hb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_least_sad_in_the_padding_does_not_mislead_the_pick),
		cmocka_unit_test(the_walk_into_the_padding_reads_whole_sums),
		cmocka_unit_test(a_stream_matches_bit_for_bit_with_fewer_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
