// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The 4 x 4 block sums (sad.c, bin4_u8; the full search's lower bound, sync_match.c): every back
 * end gives the direct sums on random sizes, strides and misaligned starts, 255s included; and
 * the SAD of the sums is at most the SAD of the pixels, equal where every difference in a block
 * has one sign, 0 where they cancel (widths and heights not a multiple of 4: the last columns or
 * rows outside a block). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ogate/sad.h"
#include "sad_private.h"

#define B 4 /* the blocks' side */

static uint32_t rng = 4242u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* the sum of the B x B block (x, y) of a, directly */
static unsigned block(const uint8_t *a, size_t as, int x, int y)
{
	unsigned v = 0;
	for (int i = 0; i < B; i++)
		for (int k = 0; k < B; k++)
			v += a[(size_t)(B * y + i) * as + (size_t)(B * x + k)];
	return v;
}

static void bin(const struct ogate_sad *s, const uint8_t *a, size_t as, uint16_t *o, size_t os,
		int bw, int bh)
{
	ogate_sad_bin4_u8(s, a, as, o, os, bw, bh);
}

static void every_back_end_sums_blocks_exactly(void **state)
{
	(void)state;
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	assert_true(nb >= 1);
	for (int iter = 0; iter < 400; iter++) {
		int bw = 1 + (int)(rnd() % 150), bh = 1 + (int)(rnd() % 12);
		size_t as = (size_t)(B * bw) + rnd() % 37, oa = rnd() % 31; /* misaligned starts */
		size_t os = 2 * ((size_t)bw + rnd() % 9);
		size_t na = as * (size_t)(B * bh) + oa;
		uint8_t *a = malloc(na);
		uint16_t *o = malloc(os * (size_t)bh + 2);
		assert_non_null(a);
		assert_non_null(o);
		for (size_t i = 0; i < na; i++)
			a[i] = iter % 3 == 0 ? 255 : (uint8_t)rnd();
		for (size_t k = 0; k < nb; k++) {
			memset(o, 0xa5, os * (size_t)bh + 2);
			bin(be[k], a + oa, as, o, os, bw, bh);
			for (int y = 0; y < bh; y++) {
				const uint16_t *r =
					(const uint16_t *)((const char *)o + (size_t)y * os);
				for (int x = 0; x < bw; x++)
					assert_int_equal(r[x], block(a + oa, as, x, y));
				/* nothing written beyond the row's bw sums */
				if ((size_t)bw * 2 + 2 <= os)
					assert_int_equal(r[bw], 0xa5a5);
			}
		}
		free(a);
		free(o);
	}
}

/* SAD of the sums over the blocks of a w x h frame (its last columns and rows beyond whole
 * blocks left out) */
static uint64_t bin_sad(const uint8_t *a, const uint8_t *b, int w, int h)
{
	int bw = w / B, bh = h / B;
	uint16_t *sa = malloc(sizeof(uint16_t) * (size_t)(bw * bh + 1)),
		 *sb = malloc(sizeof(uint16_t) * (size_t)(bw * bh + 1));
	assert_non_null(sa);
	assert_non_null(sb);
	const struct ogate_sad *s = ogate_sad_best();
	bin(s, a, (size_t)w, sa, 2 * (size_t)bw, bw, bh);
	bin(s, b, (size_t)w, sb, 2 * (size_t)bw, bw, bh);
	uint64_t v = ogate_sad_u16(s, sa, 2 * (size_t)bw, sb, 2 * (size_t)bw, bw, bh);
	free(sa);
	free(sb);
	return v;
}

static void the_sums_sad_is_a_lower_bound_of_the_pixels_sad(void **state)
{
	(void)state;
	const struct ogate_sad *s = ogate_sad_best();
	for (int iter = 0; iter < 600; iter++) {
		int kind = iter % 5;
		int w = B + (int)(rnd() % 97), h = B + (int)(rnd() % 41); /* odd ones too */
		size_t n = (size_t)w * h;
		uint8_t *a = malloc(n), *b = malloc(n);
		assert_non_null(a);
		assert_non_null(b);
		for (size_t i = 0; i < n; i++) {
			int x = (int)(i % (size_t)w), y = (int)(i / (size_t)w), d;
			a[i] = (uint8_t)(kind == 4 ? (rnd() & 1) * 255 : 60 + rnd() % 136);
			switch (kind) {
			case 0: d = (int)(rnd() % 121) - 60; break; /* random */
			case 1: d = 1 + (int)(rnd() % 60); break;   /* one sign: equal */
			case 2: d = (x + y) & 1 ? 50 : -50; break;  /* checkerboard: cancels */
			case 3: d = (x & 1) ? 60 : -60; break;	    /* columns: cancel */
			default: d = (int)(rnd() & 1) * 255 - a[i]; break; /* 0 / 255 */
			}
			int v = a[i] + d;
			b[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
		uint64_t exact = ogate_sad_u8(s, a, (size_t)w, b, (size_t)w, w, h);
		uint64_t lb = bin_sad(a, b, w, h);
		assert_true(lb <= exact);
		if (kind == 1) { /* one sign: the sums' SAD is the pixels' over the whole blocks */
			uint64_t in = ogate_sad_u8(s, a, (size_t)w, b, (size_t)w, w / B * B, h / B * B);
			assert_int_equal(lb, in);
		}
		if (kind == 2 || kind == 3)
			assert_int_equal(lb, 0);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_back_end_sums_blocks_exactly),
		cmocka_unit_test(the_sums_sad_is_a_lower_bound_of_the_pixels_sad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
