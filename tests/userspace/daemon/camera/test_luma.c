// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The 8-bit luma the libcamera source hands to the daemon, per pixel format:
 * Y planes are used in place with their stride, packed RGB is converted with
 * BT.601 weights in the byte order libcamera (DRM fourcc) defines.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lc_common.h"

static uint8_t ref_luma(unsigned int r, unsigned int g, unsigned int b)
{
	/* 0.299 R + 0.587 G + 0.114 B, rounded to nearest */
	return (uint8_t)(0.299 * r + 0.587 * g + 0.114 * b + 0.5);
}

/* libcamera RGB888 = DRM [23:0] R:G:B little endian: memory holds B, G, R. */
static void rgb888_is_bgr_in_memory_and_weighted_bt601(void **state)
{
	const uint8_t px[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 } };
	uint8_t src[2 * 8] = { 0 }; /* 2x2 image, stride 8 (6 used + 2 padding) */
	uint8_t grey[4];
	struct ogate_lc_luma out;

	for (int i = 0; i < 4; i++)
		memcpy(src + (i / 2) * 8 + (i % 2) * 3, px[i], 3);
	src[6] = src[7] = 0xee; /* padding must be ignored */
	struct ogate_lc_plane p = { src, sizeof(src), 8 };

	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_RGB888, &p, 2, 2, grey, 4, &out), 0);
	assert_ptr_equal(out.data, grey);
	assert_int_equal(out.stride, 2);
	assert_int_equal(grey[0], ref_luma(0, 0, 255)); /* bytes 255,0,0 = blue */
	assert_int_equal(grey[0], 29);
	assert_int_equal(grey[1], 150); /* green */
	assert_int_equal(grey[2], 76);	/* bytes 0,0,255 = red */
	assert_int_equal(grey[3], 255); /* white stays white */
}

static void bgr888_is_rgb_in_memory(void **state)
{
	const uint8_t src[3 * 3] = { 255, 0, 0, 0, 255, 0, 0, 0, 255 };
	struct ogate_lc_plane p = { src, sizeof(src), 9 };
	uint8_t grey[3];
	struct ogate_lc_luma out;

	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_BGR888, &p, 3, 1, grey, 3, &out), 0);
	assert_int_equal(grey[0], 76); /* red */
	assert_int_equal(grey[1], 150);
	assert_int_equal(grey[2], 29); /* blue */
}

static void rgb_conversion_matches_bt601_for_random_pixels(void **state)
{
	enum { W = 37, H = 11, STRIDE = W * 3 + 5 };
	static uint8_t src[STRIDE * H];
	uint8_t grey[W * H];
	struct ogate_lc_luma out;

	srand(4);
	for (int i = 0; i < STRIDE * H; i++)
		src[i] = (uint8_t)rand();
	struct ogate_lc_plane p = { src, STRIDE * H, STRIDE };
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_BGR888, &p, W, H, grey, sizeof(grey), &out),
			 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const uint8_t *s = src + y * STRIDE + x * 3;
			double exact = 0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2];
			double d = grey[y * W + x] - exact;

			assert_true(d > -0.51 && d < 0.51);
		}
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_RGB888, &p, W, H, grey, sizeof(grey), &out),
			 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const uint8_t *s = src + y * STRIDE + x * 3;
			double d = grey[y * W + x] - (0.299 * s[2] + 0.587 * s[1] + 0.114 * s[0]);

			assert_true(d > -0.51 && d < 0.51);
		}
}

static void y_plane_formats_are_used_in_place_with_their_stride(void **state)
{
	const enum ogate_lc_format fmts[] = { OGATE_LC_FMT_YUV420, OGATE_LC_FMT_NV12, OGATE_LC_FMT_R8 };
	/* 6x4 Y plane with stride 8; length exactly stride*(h-1)+w */
	uint8_t buf[8 * 3 + 6];
	struct ogate_lc_plane p = { buf, sizeof(buf), 8 };

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct ogate_lc_luma out;

		assert_int_equal(ogate_lc_luma_extract(fmts[i], &p, 6, 4, NULL, 0, &out), 0);
		assert_ptr_equal(out.data, buf);
		assert_int_equal(out.width, 6);
		assert_int_equal(out.height, 4);
		assert_int_equal(out.stride, 8);
		assert_int_equal(out.data[3 * out.stride + 5], 29);
	}
}

static void short_plane_or_stride_is_einval(void **state)
{
	uint8_t buf[64] = { 0 };
	uint8_t grey[64];
	struct ogate_lc_luma out;
	struct ogate_lc_plane p = { buf, 8 * 3 + 5, 8 }; /* one byte short for 6x4 */

	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_YUV420, &p, 6, 4, NULL, 0, &out), -EINVAL);
	assert_non_null(strstr(ogate_lc_last_error(), "too short"));
	p.length = sizeof(buf);
	p.stride = 5; /* shorter than a row of 6 */
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_NV12, &p, 6, 4, NULL, 0, &out), -EINVAL);
	assert_non_null(strstr(ogate_lc_last_error(), "stride 5"));
	p.stride = 12; /* 4 RGB pixels need 12 bytes: fine; grey needs 16 */
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_RGB888, &p, 4, 4, grey, 15, &out), -EINVAL);
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_RGB888, &p, 4, 4, grey, 16, &out), 0);
	assert_int_equal(ogate_lc_luma_extract(OGATE_LC_FMT_ANY, &p, 4, 4, grey, 16, &out), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rgb888_is_bgr_in_memory_and_weighted_bt601),
		cmocka_unit_test(bgr888_is_rgb_in_memory),
		cmocka_unit_test(rgb_conversion_matches_bt601_for_random_pixels),
		cmocka_unit_test(y_plane_formats_are_used_in_place_with_their_stride),
		cmocka_unit_test(short_plane_or_stride_is_einval),
	};

	return cmocka_run_group_tests_name("camera_luma", tests, NULL, NULL);
}
