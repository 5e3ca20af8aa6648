// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ogate/frame.h"
#include "ogate/sync.h"
#include "ogate.h" /* the kernel ABI: its names must not clash with the library's */

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

static void new_frame_has_padded_stride_and_zeroed_pixels(void **state)
{
	struct ogate_frame *f = new_frame(OGATE_PIX_U16, 33, 5);
	assert_non_null(f);
	assert_int_equal(ogate_frame_width(f), 33);
	assert_int_equal(ogate_frame_height(f), 5);
	assert_true(ogate_frame_stride(f) >= 66);
	assert_int_equal(ogate_frame_stride(f) % 64, 0);
	const uint8_t *p = ogate_frame_pixels(f);
	for (size_t i = 0; i < ogate_frame_stride(f) * 5; i++)
		assert_int_equal(p[i], 0);
	ogate_frame_free(f);
}

/* frames of 128 KiB or more come mapped whole (frame.c): zeroed, writable to the last byte,
 * copied and freed like the small ones, twice in a row (a freed mapping is not reused stale) */
static void large_frames_are_zeroed_and_copied(void **state)
{
	for (int round = 0; round < 2; round++) {
		struct ogate_frame *a = new_frame(OGATE_PIX_U16, 513, 300); /* stride 1088 */
		struct ogate_frame *b = new_frame(OGATE_PIX_U16, 513, 300);
		size_t n = ogate_frame_stride(a) * 300;
		assert_true(n >= (size_t)128 << 10);
		uint8_t *p = ogate_frame_pixels(a);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		assert_int_equal((uintptr_t)p % 64, 0);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)(i * 7 + round);
		assert_int_equal(ogate_frame_copy(b, a), 0);
		const uint8_t *q = ogate_frame_pixels(b);
		for (int y = 0; y < 300; y++)
			assert_memory_equal(q + (size_t)y * ogate_frame_stride(b),
					    p + (size_t)y * ogate_frame_stride(a), 513 * 2);
		ogate_frame_free(a);
		ogate_frame_free(b);
	}
}

static void invalid_geometry_is_refused(void **state)
{
	uint8_t buf[16];
	struct ogate_frame *f = NULL;
	assert_int_equal(-EINVAL, ogate_frame_new(&f, OGATE_PIX_U8, 0, 4));
	assert_int_equal(-EINVAL, ogate_frame_new(&f, (enum ogate_pixfmt)3, 4, 4));
	assert_null(f); /* *out is set only on success */
	assert_null(ogate_frame_wrap(OGATE_PIX_U16, 4, 2, 7, buf)); /* stride < 8 bytes */
	assert_null(ogate_frame_wrap(OGATE_PIX_U8, 4, 2, 4, NULL));
}

static void copy_carries_pixels_and_metadata_across_strides(void **state)
{
	uint8_t src[3 * 7];
	for (int i = 0; i < 21; i++)
		src[i] = (uint8_t)i;
	struct ogate_frame *w = ogate_frame_wrap(OGATE_PIX_U8, 5, 3, 7, src);
	struct ogate_frame_meta m = { .timestamp_ns = 123456789012LL,
				      .sequence = 42,
				      .exposure_ns = 1000,
				      .source = 3 };
	ogate_frame_set_meta(w, &m);
	struct ogate_frame *d = new_frame(OGATE_PIX_U8, 5, 3);
	assert_int_equal(ogate_frame_copy(d, w), 0);
	const uint8_t *p = ogate_frame_pixels(d);
	for (int y = 0; y < 3; y++)
		for (int x = 0; x < 5; x++)
			assert_int_equal(p[y * ogate_frame_stride(d) + x], y * 7 + x);
	assert_int_equal(ogate_frame_get_meta(d)->timestamp_ns, 123456789012LL);
	assert_int_equal(ogate_frame_get_meta(d)->sequence, 42);
	assert_int_equal(ogate_frame_get_meta(d)->source, 3);
	struct ogate_frame *e = new_frame(OGATE_PIX_U8, 5, 4);
	assert_int_equal(ogate_frame_copy(e, w), -22);
	ogate_frame_free(w);
	ogate_frame_free(d);
	ogate_frame_free(e);
}

static void library_and_kernel_abi_headers_coexist(void **state)
{
	struct ogate_trigger abi = { 0 };
	struct ogate_sync_trigger lib = { 0 };
	assert_int_equal(sizeof(abi.time_ns) + sizeof(lib.time_ns), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_frame_has_padded_stride_and_zeroed_pixels),
		cmocka_unit_test(large_frames_are_zeroed_and_copied),
		cmocka_unit_test(invalid_geometry_is_refused),
		cmocka_unit_test(copy_carries_pixels_and_metadata_across_strides),
		cmocka_unit_test(library_and_kernel_abi_headers_coexist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
