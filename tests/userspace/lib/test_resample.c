// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Sub-pixel resampling used for drift compensation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* The rows variant (drift registration before a reference, sync_determine.c) computes rows
 * y0 + k step and `halo` rows either side of each, exactly as the whole-frame resampling does,
 * and leaves every other row of dst alone. */
static void resampling_some_rows_computes_those_rows_only(void **state)
{
	(void)state;
	enum { W = 21, H = 17 };
	struct ogate_frame *src = new_frame(OGATE_PIX_U8, W, H), *all = new_frame(OGATE_PIX_U8, W, H),
			   *some = new_frame(OGATE_PIX_U8, W, H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			((uint8_t *)ogate_frame_pixels(src) + y * ogate_frame_stride(src))[x] =
				(uint8_t)((37 * x + 91 * y + x * y) & 255);
	ogate_resample_subpixel(all, src, -0.3125, 0.4375);
	for (int y = 0; y < H; y++)
		memset((uint8_t *)ogate_frame_pixels(some) + y * ogate_frame_stride(some), 7, W);
	ogate_resample_subpixel_rows(some, src, -0.3125, 0.4375, 2, 5, 1); /* rows 1-3, 6-8, 11-13, 16 */
	for (int y = 0; y < H; y++) {
		int in = (y + 5 - 2) % 5 <= 1 || (y + 5 - 2) % 5 == 4;
		const uint8_t *a =
			(const uint8_t *)ogate_frame_pixels(all) + y * ogate_frame_stride(all);
		const uint8_t *b =
			(const uint8_t *)ogate_frame_pixels(some) + y * ogate_frame_stride(some);
		for (int x = 0; x < W; x++)
			assert_int_equal(in ? a[x] : 7, b[x]);
	}
	ogate_frame_free(src);
	ogate_frame_free(all);
	ogate_frame_free(some);
}

/* The Lucas-Kanade sums of one row: central differences (twice the gradient) of each frame and
 * the frames' difference, by hand on three rows. */
static void shift_sums_of_a_row_are_the_gradient_products(void **state)
{
	(void)state;
	const uint8_t a0[6] = { 0, 1, 2, 3, 4, 5 }, a1[6] = { 10, 12, 15, 19, 24, 30 },
		      a2[6] = { 20, 20, 21, 23, 26, 30 };
	const uint8_t b0[6] = { 1, 1, 1, 2, 2, 2 }, b1[6] = { 11, 14, 16, 21, 23, 33 },
		      b2[6] = { 25, 24, 22, 23, 30, 31 };
	int64_t sum[5] = { 0 }, want[5] = { 0 };
	for (int x = 1; x < 5; x++) {
		int ay = a2[x] - a0[x], ax = a1[x + 1] - a1[x - 1];
		int by = b2[x] - b0[x], bx = b1[x + 1] - b1[x - 1], e = b1[x] - a1[x];
		want[0] += ay * by;
		want[1] += ax * bx;
		want[2] += ax * by + ay * bx;
		want[3] += (ay + by) * e;
		want[4] += (ax + bx) * e;
	}
	ogate_shift_sums_u8(a0, a1, a2, b0, b1, b2, 1, 5, sum);
	for (int k = 0; k < 5; k++)
		assert_int_equal(want[k], sum[k]);
	/* x = 1: ay 19, ax 5, by 23, bx 5, e 2 */
	assert_int_equal(19 * 23 + 19 * 21 + 20 * 21 + 22 * 28, want[0]);
}

/* The Lucas-Kanade sums of every kernel (plain, AVX2, AVX-512: ogate_resample_isa) are the
 * definition's at every row length (the AVX-512 kernel's 32-pixel steps, its masked last step,
 * the 1024-pixel blocks) and offset, on random pixels and on the extremes (0 and 255 only, the
 * largest terms: |ay + by| = 510 against |e| = 255). */
static void shift_sums_of_every_kernel_are_the_definitions(void **state)
{
	(void)state;
	static const int lens[] = { 1,	2,  15,	 31,   32,   33,   63,	64,
				    65, 97, 506, 1023, 1024, 1025, 2100 };
	enum { N = 2104 };
	uint8_t *row[6];
	for (int k = 0; k < 6; k++)
		row[k] = malloc(N);
	unsigned seed = 4242;
	for (int pass = 0; pass < 4; pass++) {
		for (int k = 0; k < 6; k++)
			for (int x = 0; x < N; x++) {
				seed = seed * 1103515245u + 12345u;
				uint8_t v = (uint8_t)(seed >> 24);
				row[k][x] =
					pass == 0   ? v
					: pass == 1 ? (v & 1 ? 255 : 0)
					: pass == 2
						? (uint8_t)(k == 2 || k == 5 ? 255 : 0)
						: (uint8_t)(k == 4   ? 255 * ((x >> 1) & 1)
							    : k == 1 ? 255 * (~(x >> 1) & 1)
								     : (k >= 3 ? 0 : 255 * (k == 2)));
			}
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++)
			for (int x0 = 1; x0 <= 3; x0++) {
				int x1 = x0 + lens[li];
				int64_t want[5] = { 0 };
				for (int x = x0; x < x1; x++) {
					int64_t ay = row[2][x] - row[0][x],
						ax = row[1][x + 1] - row[1][x - 1];
					int64_t by = row[5][x] - row[3][x],
						bx = row[4][x + 1] - row[4][x - 1];
					int64_t e = row[4][x] - row[1][x];
					want[0] += ay * by;
					want[1] += ax * bx;
					want[2] += ax * by + ay * bx;
					want[3] += (ay + by) * e;
					want[4] += (ax + bx) * e;
				}
				for (int cap = 0; cap <= 2; cap++) {
					int old = ogate_resample_isa(cap);
					int64_t got[5] = { 1, 2, 3, 4, 5 }; /* added to */
					ogate_shift_sums_u8(row[0], row[1], row[2], row[3], row[4],
							    row[5], x0, x1, got);
					ogate_resample_isa(old);
					for (int k = 0; k < 5; k++)
						assert_int_equal(want[k] + k + 1, got[k]);
				}
			}
	}
	for (int k = 0; k < 6; k++)
		free(row[k]);
}

/* pixel (y, x) of f as a number, either format */
static long px(const struct ogate_frame *f, int y, int x)
{
	const char *row = (const char *)ogate_frame_pixels(f) + (size_t)y * ogate_frame_stride(f);
	return ogate_frame_format(f) == OGATE_PIX_U8 ? ((const uint8_t *)row)[x]
						     : ((const uint16_t *)row)[x];
}

static int clampi(int v, int hi)
{
	return v < 0 ? 0 : v > hi ? hi : v;
}

/* The four-tap resampling is the sum its header states, edges replicated, at every integer
 * offset from beyond the frame on one side to beyond it on the other, in both formats (the
 * columns inside are copied in one run and only the edges clamped one by one). */
static void four_taps_replicate_the_edges_at_any_offset(void **state)
{
	(void)state;
	enum { W = 13, H = 5 };
	const int32_t cy[4] = { 100, 500, 300, 124 }, cx[4] = { 7, 600, 400, 17 };
	for (int fmt = 0; fmt < 2; fmt++) {
		enum ogate_pixfmt pf = fmt ? OGATE_PIX_U16 : OGATE_PIX_U8;
		struct ogate_frame *src = new_frame(pf, W, H), *dst = new_frame(pf, W, H);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				long v = (37 * x + 91 * y * y + 11) % 256;
				char *row = (char *)ogate_frame_pixels(src) +
					    (size_t)y * ogate_frame_stride(src);
				if (fmt)
					((uint16_t *)row)[x] = (uint16_t)(v * 257);
				else
					((uint8_t *)row)[x] = (uint8_t)v;
			}
		for (int ix = -W - 5; ix <= W + 5; ix++)
			for (int iy = -2; iy <= 2; iy += 2) {
				ogate_resample_taps4(dst, src, iy, ix, cy, cx, 0, 1, H);
				for (int y = 0; y < H; y++)
					for (int x = 0; x < W; x++) {
						int64_t sum = 1 << 19;
						for (int t = 0; t < 4; t++)
							for (int u = 0; u < 4; u++)
								sum += (int64_t)cy[t] * cx[u] *
								       px(src,
									  clampi(y + iy + t - 1, H - 1),
									  clampi(x + ix + u - 1, W - 1));
						assert_int_equal(sum >> 20, px(dst, y, x));
					}
			}
		ogate_frame_free(src);
		ogate_frame_free(dst);
	}
}

/* The 8-bit four-tap kernels (AVX2, AVX-512: the drift path's every live frame and the moved
 * reference's frames at 512^2, 4 times the plain loops' speed) give the plain loops' bytes at
 * every width around their vector lengths, offsets beyond either edge, taps from one-sided to
 * flat, and every other row; where the CPU lacks them the caps fall back to the plain loops. */
static void four_tap_kernels_give_the_plain_loops_bytes(void **state)
{
	(void)state;
	static const int widths[] = { 1,  2,  3,  7,  8,  9,  15, 16,  17,
				      31, 32, 33, 63, 64, 65, 97, 130, 512 };
	static const int32_t taps[][4] = { { 0, 1024, 0, 0 },	   { 0, 0, 0, 1024 },
					   { 256, 256, 256, 256 }, { 93, 601, 311, 19 },
					   { 1, 1022, 1, 0 },	   { 0, 731, 293, 0 } };
	enum { H = 7, NT = sizeof(taps) / sizeof(taps[0]) };
	unsigned seed = 12345;
	for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		int W = widths[wi];
		struct ogate_frame *src = new_frame(OGATE_PIX_U8, W, H),
				   *want = new_frame(OGATE_PIX_U8, W, H),
				   *got = new_frame(OGATE_PIX_U8, W, H);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				seed = seed * 1103515245u + 12345u;
				((uint8_t *)ogate_frame_pixels(src) +
				 (size_t)y * ogate_frame_stride(src))[x] =
					(uint8_t)(x % 5 == 0 ? 255 : seed >> 24); /* full scale too */
			}
		const int ixs[] = { -W - 2, -3, -1, 0, 1, 2, W + 2 };
		for (int t = 0; t < NT; t++)
			for (size_t k = 0; k < sizeof(ixs) / sizeof(ixs[0]); k++)
				for (int iy = -1; iy <= 2; iy += 3)
					for (int r = 1; r <= 2; r++) {
						const int32_t *cy = taps[t], *cx = taps[(t + 3) % NT];
						int n = r == 1 ? H : H / 2,
						    old = ogate_resample_isa(0);
						memset(ogate_frame_pixels(want), 7,
						       (size_t)ogate_frame_stride(want) * H);
						ogate_resample_taps4(want, src, iy, ixs[k], cy, cx,
								     0, r, n);
						for (int cap = 1; cap <= 2; cap++) {
							memset(ogate_frame_pixels(got), 7,
							       (size_t)ogate_frame_stride(got) * H);
							ogate_resample_isa(cap);
							ogate_resample_taps4(got, src, iy, ixs[k],
									     cy, cx, 0, r, n);
							for (int y = 0; y < H; y++)
								assert_memory_equal(
									(uint8_t *)ogate_frame_pixels(
										want) +
										(size_t)y *
											ogate_frame_stride(
												want),
									(uint8_t *)ogate_frame_pixels(
										got) +
										(size_t)y *
											ogate_frame_stride(
												got),
									(size_t)W);
						}
						ogate_resample_isa(old);
					}
		ogate_frame_free(src);
		ogate_frame_free(want);
		ogate_frame_free(got);
	}
}

/* ogate_resample_taps4_multi (sync_scan_row's quarter-pixel copies of one row fraction, their
 * vertical pass shared) gives each frame the bytes of its own ogate_resample_taps4 call, on
 * every kernel: widths around the vector lengths, offsets beyond either edge, every row and
 * every third from row 1 */
static void shared_vertical_pass_gives_each_calls_bytes(void **state)
{
	(void)state;
	static const int widths[] = { 1, 7, 16, 17, 33, 64, 97, 130, 512 };
	static const int32_t taps[][4] = { { 0, 1024, 0, 0 },
					   { 93, 601, 311, 19 },
					   { 256, 256, 256, 256 },
					   { 0, 731, 293, 0 } };
	enum { H = 9, NT = sizeof(taps) / sizeof(taps[0]) };
	unsigned seed = 777;
	for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		int W = widths[wi];
		struct ogate_frame *src = new_frame(OGATE_PIX_U8, W, H), *want[NT], *got[NT];
		for (int j = 0; j < NT; j++) {
			want[j] = new_frame(OGATE_PIX_U8, W, H);
			got[j] = new_frame(OGATE_PIX_U8, W, H);
		}
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				seed = seed * 1103515245u + 12345u;
				((uint8_t *)ogate_frame_pixels(src) +
				 (size_t)y * ogate_frame_stride(src))[x] = (uint8_t)(seed >> 24);
			}
		const int ixs[] = { -W - 2, -1, 0, 2, W + 2 };
		for (int cap = 0; cap <= 2; cap++)
			for (size_t k = 0; k < sizeof(ixs) / sizeof(ixs[0]); k++)
				for (int r = 1; r <= 3; r += 2) {
					int old = ogate_resample_isa(cap), y0 = r == 1 ? 0 : 1,
					    n = r == 1 ? H : 3;
					for (int j = 0; j < NT; j++) {
						memset(ogate_frame_pixels(want[j]), 7,
						       (size_t)ogate_frame_stride(want[j]) * H);
						memset(ogate_frame_pixels(got[j]), 7,
						       (size_t)ogate_frame_stride(got[j]) * H);
						ogate_resample_taps4(want[j], src, -1, ixs[k],
								     taps[1], taps[j], y0, r, n);
					}
					ogate_resample_taps4_multi(got, src, -1, ixs[k], taps[1],
								   taps, NT, y0, r, n);
					for (int j = 0; j < NT; j++)
						assert_memory_equal(
							ogate_frame_pixels(want[j]),
							ogate_frame_pixels(got[j]),
							(size_t)ogate_frame_stride(want[j]) * H);
					ogate_resample_isa(old);
				}
		ogate_frame_free(src);
		for (int j = 0; j < NT; j++) {
			ogate_frame_free(want[j]);
			ogate_frame_free(got[j]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(half_pixel_shift_of_a_ramp_interpolates_between_neighbours),
		cmocka_unit_test(sixteen_bit_resampling_keeps_full_range),
		cmocka_unit_test(resampling_some_rows_computes_those_rows_only),
		cmocka_unit_test(shift_sums_of_a_row_are_the_gradient_products),
		cmocka_unit_test(shift_sums_of_every_kernel_are_the_definitions),
		cmocka_unit_test(four_taps_replicate_the_edges_at_any_offset),
		cmocka_unit_test(four_tap_kernels_give_the_plain_loops_bytes),
		cmocka_unit_test(shared_vertical_pass_gives_each_calls_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
