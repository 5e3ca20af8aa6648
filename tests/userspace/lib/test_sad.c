// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Every SAD and SSD back end equals the scalar one: random sizes, strides, offsets, 8 and 16 bit;
 * the scalar SSD equals a direct sum of squares. The x86 back ends are those the CPU runs, as
 * cpu_isa.c answers: one it lacks is skipped (a host without AVX2 passes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ogate/sad.h"
#include "sad_private.h"
#include "cpu_isa.h"

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

static uint32_t rng = 12345u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void all_backends_match_scalar_u8_on_random_geometry(void **state)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	assert_true(nb >= 1);
	for (int iter = 0; iter < 300; iter++) {
		int w = 1 + (int)(rnd() % 300), h = 1 + (int)(rnd() % 40);
		size_t sa = (size_t)w + rnd() % 37, sb = (size_t)w + rnd() % 37;
		size_t oa = rnd() % 31, ob = rnd() % 31; /* misaligned starts */
		uint8_t *a = malloc(sa * h + oa), *b = malloc(sb * h + ob);
		for (size_t i = 0; i < sa * h + oa; i++)
			a[i] = (uint8_t)rnd();
		for (size_t i = 0; i < sb * h + ob; i++)
			b[i] = (iter & 1) ? (uint8_t)rnd()
					  : (uint8_t)(a[i % (sa * h + oa)] ^ (rnd() & 3));
		uint64_t ref = ogate_sad_u8(&ogate_sad_scalar, a + oa, sa, b + ob, sb, w, h);
		for (size_t k = 0; k < nb; k++)
			assert_int_equal(ogate_sad_u8(be[k], a + oa, sa, b + ob, sb, w, h), ref);
		free(a);
		free(b);
	}
}

static void all_backends_match_scalar_u16_including_full_range(void **state)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int iter = 0; iter < 300; iter++) {
		int w = 1 + (int)(rnd() % 200), h = 1 + (int)(rnd() % 30);
		size_t sa = 2 * ((size_t)w + rnd() % 19) + (rnd() & 1) * 2,
		       sb = 2 * ((size_t)w + rnd() % 19);
		size_t na = sa / 2 * h, nbb = sb / 2 * h;
		uint16_t *a = malloc(na * 2 + 2), *b = malloc(nbb * 2 + 2);
		for (size_t i = 0; i < na; i++)
			a[i] = (iter % 3 == 0) ? (uint16_t)((rnd() & 1) ? 0xffff : 0)
					       : (uint16_t)rnd();
		for (size_t i = 0; i < nbb; i++)
			b[i] = (iter % 3 == 0) ? (uint16_t)((rnd() & 1) ? 0xffff : 0)
					       : (uint16_t)rnd();
		uint64_t ref = ogate_sad_u16(&ogate_sad_scalar, a, sa, b, sb, w, h);
		for (size_t k = 0; k < nb; k++)
			assert_int_equal(ogate_sad_u16(be[k], a, sa, b, sb, w, h), ref);
		free(a);
		free(b);
	}
}

typedef void multi_fn(const struct ogate_sad *s, const uint8_t *a, size_t astride,
		      const uint8_t *const *b, size_t n, size_t bstride, int w, int h, uint64_t *out);
typedef uint64_t single_fn(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			   const uint8_t *b, size_t bstride, int w, int h);

/* every back end's one-against-many sums equal the scalar back end's one-against-one sums, on
 * random geometry with misaligned, possibly overlapping windows */
static void check_multi_against_single(multi_fn *multi, single_fn *single, int iters)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int iter = 0; iter < iters; iter++) {
		int w = 1 + (int)(rnd() % 200), h = 1 + (int)(rnd() % 20), n = 1 + (int)(rnd() % 11);
		size_t sa = (size_t)w + rnd() % 9, sb = (size_t)w + rnd() % 9;
		uint8_t *a = malloc(sa * h), *b = malloc(sb * h * n + 64);
		for (size_t i = 0; i < sa * h; i++)
			a[i] = (uint8_t)rnd();
		for (size_t i = 0; i < sb * h * n + 64; i++)
			b[i] = (uint8_t)rnd();
		const uint8_t *bp[12];
		uint64_t out[12];
		for (int k = 0; k < n; k++)
			bp[k] = b + (size_t)k * sb * h + rnd() % 7;
		for (size_t k = 0; k < nb; k++) {
			multi(be[k], a, sa, bp, (size_t)n, sb, w, h, out);
			for (int j = 0; j < n; j++)
				assert_int_equal(out[j],
						 single(&ogate_sad_scalar, a, sa, bp[j], sb, w, h));
		}
		free(a);
		free(b);
	}
}

static void multi_sad_equals_single_sads_for_every_backend(void **state)
{
	(void)state;
	check_multi_against_single(ogate_sad_u8_multi, ogate_sad_u8, 100);
}

static void dot_product_is_exact_for_every_backend(void **state)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int iter = 0; iter < 100; iter++) {
		int w = 1 + (int)(rnd() % 300), h = 1 + (int)(rnd() % 20);
		size_t sa = (size_t)w + rnd() % 9, sb = (size_t)w + rnd() % 9;
		uint8_t *a = malloc(sa * h), *b = malloc(sb * h);
		for (size_t i = 0; i < sa * h; i++)
			a[i] = (iter & 1) ? 255 : (uint8_t)rnd();
		for (size_t i = 0; i < sb * h; i++)
			b[i] = (iter & 1) ? 255 : (uint8_t)rnd();
		uint64_t ref = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				ref += (uint64_t)a[y * sa + x] * b[y * sb + x];
		for (size_t k = 0; k < nb; k++)
			assert_int_equal(ogate_sad_dot_u8(be[k], a, sa, b, sb, w, h), ref);
		free(a);
		free(b);
	}
}

static void sad_of_known_images_is_exact(void **state)
{
	uint8_t a[4 * 33], b[4 * 33];
	for (int i = 0; i < 4 * 33; i++) {
		a[i] = 200;
		b[i] = 5;
	}
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (size_t k = 0; k < nb; k++)
		assert_int_equal(ogate_sad_u8(be[k], a, 33, b, 33, 33, 4), 195u * 132);
}

static void large_u16_frame_does_not_overflow(void **state)
{
	int w = 1024, h = 1024;
	uint16_t *a = calloc((size_t)w * h, 2), *b = malloc((size_t)w * h * 2);
	for (size_t i = 0; i < (size_t)w * h; i++)
		b[i] = 0xffff;
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (size_t k = 0; k < nb; k++)
		assert_int_equal(ogate_sad_u16(be[k], a, 2 * w, b, 2 * w, w, h), 65535ull * w * h);
	free(a);
	free(b);
}

static void ssd_u8_of_every_backend_is_the_exact_sum_of_squares(void **state)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int iter = 0; iter < 300; iter++) {
		int w = 1 + (int)(rnd() % 300), h = 1 + (int)(rnd() % 40);
		size_t sa = (size_t)w + rnd() % 37, sb = (size_t)w + rnd() % 37;
		size_t oa = rnd() % 31, ob = rnd() % 31; /* misaligned starts */
		uint8_t *a = malloc(sa * h + oa), *b = malloc(sb * h + ob);
		for (size_t i = 0; i < sa * h + oa; i++)
			a[i] = iter % 3 == 0 ? (uint8_t)((rnd() & 1) ? 255 : 0) : (uint8_t)rnd();
		for (size_t i = 0; i < sb * h + ob; i++)
			b[i] = iter % 3 == 0 ? (uint8_t)((rnd() & 1) ? 255 : 0)
			       : (iter & 1)  ? (uint8_t)rnd()
					     : (uint8_t)(a[i % (sa * h + oa)] ^ (rnd() & 3));
		uint64_t ref = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int64_t d = (int64_t)a[oa + y * sa + x] - b[ob + y * sb + x];
				ref += (uint64_t)(d * d);
			}
		for (size_t k = 0; k < nb; k++)
			assert_int_equal(ogate_ssd_u8(be[k], a + oa, sa, b + ob, sb, w, h), ref);
		free(a);
		free(b);
	}
}

static void ssd_u16_of_every_backend_is_the_exact_sum_of_squares(void **state)
{
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int iter = 0; iter < 300; iter++) {
		int w = 1 + (int)(rnd() % 200), h = 1 + (int)(rnd() % 30);
		size_t sa = 2 * ((size_t)w + rnd() % 19), sb = 2 * ((size_t)w + rnd() % 19);
		size_t na = sa / 2 * h, nbb = sb / 2 * h;
		uint16_t *a = malloc(na * 2), *b = malloc(nbb * 2);
		for (size_t i = 0; i < na; i++)
			a[i] = (iter % 3 == 0) ? (uint16_t)((rnd() & 1) ? 0xffff : 0)
					       : (uint16_t)rnd();
		for (size_t i = 0; i < nbb; i++)
			b[i] = (iter % 3 == 0) ? (uint16_t)((rnd() & 1) ? 0xffff : 0)
					       : (uint16_t)rnd();
		uint64_t ref = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int64_t d = (int64_t)a[y * sa / 2 + x] - b[y * sb / 2 + x];
				ref += (uint64_t)(d * d);
			}
		for (size_t k = 0; k < nb; k++)
			assert_int_equal(ogate_ssd_u16(be[k], a, sa, b, sb, w, h), ref);
		free(a);
		free(b);
	}
}

static void multi_ssd_equals_single_ssds_for_every_backend(void **state)
{
	(void)state;
	check_multi_against_single(ogate_ssd_u8_multi, ogate_ssd_u8, 50);
}

/* The four-frame SSD kernels (n = 4 and 8: every frame through them) at every row length
 * from 32 to 100 (each tail of a 32-byte vector) and at 511-513 and 2048, on pixels of 0 and
 * 255 only (each frame's own pattern: every square 0 or 65025, the rows' 32-bit lanes at their
 * largest) and on random ones, against the scalar sums. */
static void multi_ssd_of_every_width_and_extreme_pixels_is_the_scalar_sum(void **state)
{
	(void)state;
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	enum { H = 3, N = 8 };
	for (int w = 32; w <= 2048; w = w == 100 ? 511 : w == 513 ? 2048 : w + 1)
		for (int pass = 0; pass < 2; pass++) {
			size_t st = (size_t)w + 5;
			uint8_t *a = malloc(st * H), *b = malloc(st * H * N);
			for (size_t i = 0; i < st * H; i++)
				a[i] = pass ? (uint8_t)rnd() : (uint8_t)(rnd() & 1 ? 255 : 0);
			for (size_t i = 0; i < st * H * N; i++)
				b[i] = pass ? (uint8_t)rnd() : (uint8_t)(rnd() & 1 ? 255 : 0);
			const uint8_t *bp[N];
			uint64_t out[N];
			for (int k = 0; k < N; k++)
				bp[k] = b + (size_t)k * st * H;
			for (size_t k = 0; k < nb; k++)
				for (int n = 4; n <= N; n += 4) {
					ogate_ssd_u8_multi(be[k], a, st, bp, (size_t)n, st, w, H, out);
					for (int j = 0; j < n; j++)
						assert_int_equal(out[j],
								 ogate_ssd_u8(&ogate_sad_scalar, a,
									      st, bp[j], st, w, H));
				}
			free(a);
			free(b);
		}
}

static void ssd_of_known_images_is_exact_and_large_frames_do_not_overflow(void **state)
{
	uint8_t a[4 * 33], b[4 * 33];
	for (int i = 0; i < 4 * 33; i++) {
		a[i] = 200;
		b[i] = (uint8_t)(i & 1 ? 5 : 255);
	}
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (size_t k = 0; k < nb; k++) {
		assert_int_equal(ogate_ssd_u8(be[k], a, 33, b, 33, 33, 4), 66u * 38025 + 66u * 3025);
		assert_int_equal(ogate_ssd_u8(be[k], a, 33, b, 33, 0, 4), 0);
	}
	/* a full row of 65536 maximal 8-bit differences, and a 1024^2 frame of maximal 16-bit ones */
	int w = 65536, h = 2;
	uint8_t *z = calloc((size_t)w * h, 1), *f = malloc((size_t)w * h);
	for (size_t i = 0; i < (size_t)w * h; i++)
		f[i] = 255;
	for (size_t k = 0; k < nb; k++)
		assert_int_equal(ogate_ssd_u8(be[k], z, (size_t)w, f, (size_t)w, w, h),
				 65025ull * w * h);
	free(z);
	free(f);
	w = 1024;
	h = 1024;
	uint16_t *a16 = calloc((size_t)w * h, 2), *b16 = malloc((size_t)w * h * 2);
	for (size_t i = 0; i < (size_t)w * h; i++)
		b16[i] = 0xffff;
	for (size_t k = 0; k < nb; k++)
		assert_int_equal(ogate_ssd_u16(be[k], a16, 2 * w, b16, 2 * w, w, h),
				 65535ull * 65535ull * w * h);
	free(a16);
	free(b16);
}

/* every row length from 1 to 2 * 64 + 1 (every tail of a 64-byte or 32-lane vector, rows of
 * whole vectors, of none) at odd strides and misaligned starts, 8 and 16 bit, one against one
 * and one against four: every back end's sums equal the scalar ones */
static void every_row_tail_of_every_backend_equals_scalar(void **state)
{
	(void)state;
	const struct ogate_sad *be[8];
	size_t nb = ogate_sad_list(be, 8);
	for (int w = 1; w <= 129; w++) {
		int h = 1 + w % 5;
		size_t sa = (size_t)w + 1 + (size_t)(w % 7), sb = (size_t)w + 3;
		uint8_t *a = malloc(sa * h + 5), *b = malloc(sb * h * 4 + 9);
		uint16_t *a16 = malloc(2 * (sa * h + 1)), *b16 = malloc(2 * (sb * h + 1));
		for (size_t i = 0; i < sa * h + 5; i++)
			a[i] = (uint8_t)rnd();
		for (size_t i = 0; i < sb * h * 4 + 9; i++)
			b[i] = (uint8_t)rnd();
		for (size_t i = 0; i < sa * h + 1; i++)
			a16[i] = (i & 3) ? (uint16_t)rnd() : 0xffff;
		for (size_t i = 0; i < sb * h + 1; i++)
			b16[i] = (i & 5) ? (uint16_t)rnd() : 0;
		const uint8_t *bp[4] = { b + 1, b + 2 + sb * h, b + 3 + 2 * sb * h,
					 b + 9 + 3 * sb * h - 5 };
		uint64_t ref[4], ref16 = ogate_sad_u16(&ogate_sad_scalar, a16 + 1, 2 * sa, b16 + 1,
						       2 * sb, w, h);
		for (int k = 0; k < 4; k++)
			ref[k] = ogate_sad_u8(&ogate_sad_scalar, a + 3, sa, bp[k], sb, w, h);
		for (size_t k = 0; k < nb; k++) {
			uint64_t out[4];
			ogate_sad_u8_multi(be[k], a + 3, sa, bp, 4, sb, w, h, out);
			for (int j = 0; j < 4; j++) {
				assert_int_equal(ogate_sad_u8(be[k], a + 3, sa, bp[j], sb, w, h),
						 ref[j]);
				assert_int_equal(out[j], ref[j]);
			}
			assert_int_equal(ogate_sad_u16(be[k], a16 + 1, 2 * sa, b16 + 1, 2 * sb, w, h),
					 ref16);
		}
		free(a);
		free(b);
		free(a16);
		free(b16);
	}
}

static void dispatch_picks_an_available_backend_and_names_resolve(void **state)
{
	const struct ogate_sad *best = ogate_sad_best();
	assert_non_null(best);
	assert_ptr_equal(ogate_sad_by_name("auto"), best);
	assert_ptr_equal(ogate_sad_by_name("scalar"), &ogate_sad_scalar);
	assert_null(ogate_sad_by_name("no-such-backend"));
#if defined(__x86_64__) || defined(__i386__)
	/* the widest back end the CPU runs, as cpu_isa.c answers (test_sad_i386.sh: on i386 too):
	 * AVX-512 (F and BW), AVX2, else SSE2, which every x86-64 CPU and the i386 hosts here run */
	static const char *const widest[] = { "sse2", "avx2", "avx512" };
	int isa = ogate_cpu_isa();
	assert_true(isa >= 0 && isa <= 2);
	assert_string_equal(ogate_sad_name(best), widest[isa]);
	assert_non_null(ogate_sad_by_name("sse2"));
#endif
}

#if defined(__x86_64__) || defined(__i386__)
/* An x86 back end the CPU runs (ogate_cpu_isa() at least isa) is listed, found by name and sums
 * as the scalar one does on random geometry, 8 and 16 bit, one against one and against many; one
 * it lacks is neither listed nor found, and the rest is skipped. Other architectures have no
 * such case (their back ends are the dispatch case's and sad_neon_run.sh's). */
static void x86_backend_where_the_cpu_runs_it(const char *name, int isa, const char *ext)
{
	const struct ogate_sad *be = ogate_sad_by_name(name), *all[8];
	size_t nb = ogate_sad_list(all, 8);
	int listed = 0;
	for (size_t k = 0; k < nb; k++)
		listed |= !strcmp(ogate_sad_name(all[k]), name);
	if (ogate_cpu_isa() < isa) {
		assert_null(be);
		assert_false(listed);
		print_message("# no %s on this CPU: the %s back end is not tested\n", ext, name);
		skip();
	}
	assert_non_null(be);
	assert_true(listed);
	uint32_t seed = rng;
	rng = 777u; /* its own data: the other cases' draws stay as they were */
	for (int iter = 0; iter < 60; iter++) {
		int w = 1 + (int)(rnd() % 200), h = 1 + (int)(rnd() % 20), n = 1 + (int)(rnd() % 11);
		size_t sa = (size_t)w + rnd() % 9, sb = (size_t)w + rnd() % 9;
		uint8_t *a = malloc(sa * h), *b = malloc(sb * h * n + 8);
		uint16_t *a16 = malloc(2 * sa * h), *b16 = malloc(2 * sb * h);
		for (size_t i = 0; i < sa * h; i++) {
			a[i] = (uint8_t)rnd();
			a16[i] = (iter & 1) ? 0xffff : (uint16_t)rnd();
		}
		for (size_t i = 0; i < sb * h * n + 8; i++)
			b[i] = (uint8_t)rnd();
		for (size_t i = 0; i < sb * h; i++)
			b16[i] = (iter & 1) ? 0 : (uint16_t)rnd();
		const uint8_t *bp[12];
		uint64_t out[12];
		for (int k = 0; k < n; k++)
			bp[k] = b + (size_t)k * sb * h + rnd() % 7;
		ogate_sad_u8_multi(be, a, sa, bp, (size_t)n, sb, w, h, out);
		for (int k = 0; k < n; k++)
			assert_int_equal(out[k],
					 ogate_sad_u8(&ogate_sad_scalar, a, sa, bp[k], sb, w, h));
		assert_int_equal(ogate_sad_u8(be, a, sa, b, sb, w, h),
				 ogate_sad_u8(&ogate_sad_scalar, a, sa, b, sb, w, h));
		assert_int_equal(ogate_ssd_u8(be, a, sa, b, sb, w, h),
				 ogate_ssd_u8(&ogate_sad_scalar, a, sa, b, sb, w, h));
		assert_int_equal(ogate_sad_u16(be, a16, 2 * sa, b16, 2 * sb, w, h),
				 ogate_sad_u16(&ogate_sad_scalar, a16, 2 * sa, b16, 2 * sb, w, h));
		free(a);
		free(b);
		free(a16);
		free(b16);
	}
	rng = seed;
}

static void the_avx2_backend_runs_where_the_cpu_has_avx2(void **state)
{
	(void)state;
	x86_backend_where_the_cpu_runs_it("avx2", 1, "AVX2");
}

static void the_avx512_backend_runs_where_the_cpu_has_avx512(void **state)
{
	(void)state;
	x86_backend_where_the_cpu_runs_it("avx512", 2, "AVX-512 (F and BW)");
}
#endif

static void sad_frames_rejects_mismatched_geometry(void **state)
{
	struct ogate_frame *a = new_frame(OGATE_PIX_U8, 16, 16);
	struct ogate_frame *b = new_frame(OGATE_PIX_U8, 16, 15);
	struct ogate_frame *c = new_frame(OGATE_PIX_U16, 16, 16);
	uint64_t v = 7;
	assert_int_equal(ogate_sad_frames(ogate_sad_best(), a, b, &v), -22);
	assert_int_equal(ogate_sad_frames(ogate_sad_best(), a, c, &v), -22);
	assert_int_equal(ogate_sad_frames(ogate_sad_best(), a, a, &v), 0);
	assert_int_equal(v, 0);
	ogate_frame_free(a);
	ogate_frame_free(b);
	ogate_frame_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_backends_match_scalar_u8_on_random_geometry),
		cmocka_unit_test(all_backends_match_scalar_u16_including_full_range),
		cmocka_unit_test(multi_sad_equals_single_sads_for_every_backend),
		cmocka_unit_test(dot_product_is_exact_for_every_backend),
		cmocka_unit_test(sad_of_known_images_is_exact),
		cmocka_unit_test(large_u16_frame_does_not_overflow),
		cmocka_unit_test(ssd_u8_of_every_backend_is_the_exact_sum_of_squares),
		cmocka_unit_test(ssd_u16_of_every_backend_is_the_exact_sum_of_squares),
		cmocka_unit_test(multi_ssd_equals_single_ssds_for_every_backend),
		cmocka_unit_test(multi_ssd_of_every_width_and_extreme_pixels_is_the_scalar_sum),
		cmocka_unit_test(ssd_of_known_images_is_exact_and_large_frames_do_not_overflow),
		cmocka_unit_test(every_row_tail_of_every_backend_equals_scalar),
		cmocka_unit_test(dispatch_picks_an_available_backend_and_names_resolve),
		cmocka_unit_test(sad_frames_rejects_mismatched_geometry),
#if defined(__x86_64__) || defined(__i386__)
		cmocka_unit_test(the_avx2_backend_runs_where_the_cpu_has_avx2),
		cmocka_unit_test(the_avx512_backend_runs_where_the_cpu_has_avx512),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
