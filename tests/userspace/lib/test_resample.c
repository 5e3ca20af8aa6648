// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Sub-pixel resampling used for drift compensation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "resample.h"

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

static void half_pixel_shift_of_a_ramp_interpolates_between_neighbours(void **state)
{
	struct ogate_frame *src = new_frame(OGATE_PIX_U8, 37, 5),
			   *dst = new_frame(OGATE_PIX_U8, 37, 5);
	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 37; x++)
			((uint8_t *)ogate_frame_pixels(src) + y * ogate_frame_stride(src))[x] =
				(uint8_t)(4 * x + 10 * y);
	/* dst(y, x) = src(y, x - 0.5): 4x - 2 inside, edge replicated at x = 0 */
	ogate_resample_subpixel(dst, src, 0.0, 0.5);
	for (int y = 0; y < 5; y++) {
		const uint8_t *r =
			(const uint8_t *)ogate_frame_pixels(dst) + y * ogate_frame_stride(dst);
		assert_int_equal(r[0], 10 * y);
		for (int x = 1; x < 37; x++)
			assert_int_equal(r[x], 4 * x - 2 + 10 * y);
	}
	/* dst(y, x) = src(y + 0.25, x): rows blend towards the next row */
	ogate_resample_subpixel(dst, src, -0.25, 0.0);
	for (int y = 0; y < 4; y++) {
		const uint8_t *r =
			(const uint8_t *)ogate_frame_pixels(dst) + y * ogate_frame_stride(dst);
		for (int x = 0; x < 37; x++)
			assert_true(abs(r[x] - (4 * x + 10 * y + 3)) <= 1); /* 2.5 rounds either way */
	}
	ogate_frame_free(src);
	ogate_frame_free(dst);
}

static void sixteen_bit_resampling_keeps_full_range(void **state)
{
	struct ogate_frame *src = new_frame(OGATE_PIX_U16, 9, 3),
			   *dst = new_frame(OGATE_PIX_U16, 9, 3);
	for (int y = 0; y < 3; y++)
		for (int x = 0; x < 9; x++)
			((uint16_t *)((char *)ogate_frame_pixels(src) +
				      y * ogate_frame_stride(src)))[x] = (uint16_t)(x & 1 ? 65535 : 0);
	ogate_resample_subpixel(dst, src, 0.0, -0.5); /* dst(x) = src(x + 0.5) */
	for (int y = 0; y < 3; y++) {
		const uint16_t *r = (const uint16_t *)((char *)ogate_frame_pixels(dst) +
						       y * ogate_frame_stride(dst));
		for (int x = 0; x < 8; x++)
			assert_true(abs(r[x] - 32768) <= 1);
		assert_int_equal(r[8], 0); /* edge replicated */
	}
	ogate_resample_subpixel(dst, src, 0.0, 0.0);
	assert_memory_equal(ogate_frame_pixels(dst), ogate_frame_pixels(src), 18);
	ogate_frame_free(src);
	ogate_frame_free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(half_pixel_shift_of_a_ramp_interpolates_between_neighbours),
		cmocka_unit_test(sixteen_bit_resampling_keeps_full_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
