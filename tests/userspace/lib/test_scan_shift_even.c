// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A reference taken under a drift the period scan registered is moved to the position of its
 * middle, and every live frame is moved by its tracked drift (sync_scanreg.c,
 * sync_scan_shift_even). A bilinear shift blurs by fr (1 - fr) px^2, which changes with the
 * fraction fr: the reference's frames, each moved by another fraction, and the live frame carried
 * different blurs, and where the heart rests the match went to the frame whose blur was most
 * like the live frame's (docs/accuracy-log.md, "Accuracy after lock under drifts over a pixel a
 * beat"). The shift is blurred to a quarter pixel squared whatever the fraction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "sync_private.h"

#define N 16

/* a 16-bit frame, zero but for row 8 at 4096, moved by (fy, 0): column 5's rows */
static void shifted_line(double fy, uint16_t col[N])
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->w = s->h = N;
	s->fmt = OGATE_PIX_U16;
	struct ogate_frame *src = NULL, *dst = NULL;
	assert_int_equal(0, ogate_frame_new(&src, OGATE_PIX_U16, N, N));
	assert_int_equal(0, ogate_frame_new(&dst, OGATE_PIX_U16, N, N));
	for (int y = 0; y < N; y++) {
		uint16_t *row = (uint16_t *)((char *)src->pixels + (size_t)y * src->stride);
		for (int x = 0; x < N; x++)
			row[x] = y == 8 ? 4096 : 0;
	}
	sync_scan_shift_even(s, dst, src, fy, 0, 0, src->height);
	for (int y = 0; y < N; y++)
		col[y] = ((const uint16_t *)ogate_frame_row(dst, y))[5];
	ogate_frame_free(src);
	ogate_frame_free(dst);
	ogate_sync_free(s);
}

/* the line's profile after the shift: its centre moves by fy, its variance is a quarter pixel
 * squared (weights in 1/1024, times 4 for the line's 4096) */
static void a_shift_blurs_a_quarter_pixel_squared_whatever_its_fraction(void **state)
{
	(void)state;
	static const struct {
		double fy;
		uint16_t want[N];
	} cases[] = {
		/* a whole pixel up: [1/8, 3/4, 1/8] about row 7 (bilinear: row 7 alone) */
		{ -1, { [6] = 512, [7] = 3072, [8] = 512 } },
		/* a quarter up, to 7.75: 8, 264, 728, 24 (bilinear: 1/4, 3/4, variance 3/16) */
		{ -0.25, { [6] = 32, [7] = 1056, [8] = 2912, [9] = 96 } },
		/* half down, to 8.5: the bilinear halves alone (variance 1/4 already) */
		{ 0.5, { [8] = 2048, [9] = 2048 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t col[N];
		shifted_line(cases[i].fy, col);
		double m0 = 0, m1 = 0, m2 = 0;
		for (int y = 0; y < N; y++) {
			assert_int_equal(cases[i].want[y], col[y]);
			m0 += col[y];
			m1 += col[y] * (double)y;
			m2 += col[y] * (double)y * y;
		}
		double c = m1 / m0, var = m2 / m0 - c * c;
		assert_true(fabs(c - (8 + cases[i].fy)) < 1e-12);
		assert_true(fabs(var - 0.25) < 1e-12);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_shift_blurs_a_quarter_pixel_squared_whatever_its_fraction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
