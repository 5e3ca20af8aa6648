// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The determination's SAD row (sync_determine.c) compares every r-th row of the new frame with
 * the same rows of each buffered frame. Where r > 1 those rows are packed per slot as each frame
 * arrives (drows) and the row reads them in one stream (in place they lie scattered over the
 * whole frames: at 512^2 and r = 4 that read took 0.5-1.4 ms of every determining frame, packed
 * 0.3-0.4); the stored SADs are the same integer sums, whatever the pixel format, whatever the
 * ring's wrap, and frames of r = 1 are read in place as before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sync_private.h"

#define W 40
#define H 37 /* not a multiple of the row step: the last packed row is row 36 */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 33);
}

/* a frame of noise over a moving bar (the content changes from frame to frame) */
static void render(struct ogate_frame *f, int k)
{
	for (int y = 0; y < f->height; y++) {
		void *row = (char *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < f->width; x++) {
			unsigned v = ((x + 3 * k) % 17 < 5 ? 180 : 40) + next() % 23;
			if (f->fmt == OGATE_PIX_U8)
				((uint8_t *)row)[x] = (uint8_t)v;
			else
				((uint16_t *)row)[x] = (uint16_t)(v * 97 + next() % 89);
		}
	}
}

/* sum |a - b| over every r-th row, from the frames themselves */
static double sad_every(const struct ogate_frame *a, const struct ogate_frame *b, int r)
{
	double sum = 0;
	for (int y = 0; y < a->height; y += r) {
		const char *pa = (const char *)a->pixels + (size_t)y * a->stride;
		const char *pb = (const char *)b->pixels + (size_t)y * b->stride;
		for (int x = 0; x < a->width; x++) {
			int va = a->fmt == OGATE_PIX_U8 ? ((const uint8_t *)pa)[x]
							: ((const uint16_t *)pa)[x];
			int vb = b->fmt == OGATE_PIX_U8 ? ((const uint8_t *)pb)[x]
							: ((const uint16_t *)pb)[x];
			sum += va > vb ? va - vb : vb - va;
		}
	}
	return sum;
}

/* frames through the determination (a 24-frame ring, so it wraps; no heart: it never locks),
 * each stored SAD row checked against the frames' own SADs every r-th row; 1 if the rows were
 * read packed */
static int run(enum ogate_pixfmt fmt, int r)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.determine_row_step = r;
	set.max_buffer_frames = 24;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = fmt;
	s->w = W;
	s->h = H;
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, fmt, W, H));
	int packed = 1;
	for (int k = 0; k < 60; k++) {
		render(f, k);
		double P;
		assert_true(sync_determine(s, f, 0, &P) >= 0);
		int n = s->count - 1, slot = (s->head + n) % s->cap;
		assert_int_equal(n, s->depth[slot]);
		for (int d = 1; d <= n; d++)
			assert_true(s->rows[(size_t)slot * s->cap + d - 1] ==
				    sad_every(f, sync_buf_at(s, n - d), r));
		packed &= s->drows != NULL;
		if (s->drows) { /* the new frame's rows, packed */
			size_t row = (size_t)W * ogate_pixfmt_bytes(fmt);
			for (int y = 0; y < H; y += r)
				assert_memory_equal(s->drows + (size_t)slot * s->drows_blk +
							    (size_t)(y / r) * row,
						    (const char *)f->pixels + (size_t)y * f->stride,
						    row);
		}
	}
	ogate_frame_free(f);
	ogate_sync_free(s);
	return packed;
}

/* 8 and 16 bits at row step 3: the rows packed, every stored SAD the frames' own */
static void the_row_reads_packed_rows_with_the_same_sums(void **state)
{
	(void)state;
	assert_true(run(OGATE_PIX_U8, 3));
	assert_true(run(OGATE_PIX_U16, 3));
	assert_true(run(OGATE_PIX_U8, 2));
}

/* every row compared (frames up to 256^2 by default): read in place, nothing packed */
static void whole_frames_are_read_in_place(void **state)
{
	(void)state;
	assert_false(run(OGATE_PIX_U8, 1));
	assert_false(run(OGATE_PIX_U16, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_row_reads_packed_rows_with_the_same_sums),
		cmocka_unit_test(whole_frames_are_read_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
