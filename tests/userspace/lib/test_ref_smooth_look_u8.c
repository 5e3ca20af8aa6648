// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's full look on 8-bit frames keeps its per-pixel sums in integers
 * (sync_smooth_look.c, AVX2 blocks of 8 and 4 columns where the machine has it, plain loops for
 * the rest): every sum equals (==) the one the double-precision loops of the definitions give,
 * on extreme pixels (0 and 255 side by side, the largest changes and products), on widths that
 * leave columns after the blocks, and with gaps in the previous beat (pairs without both
 * neighbours skipped, the neighbour product restarted), also where blocks of columns whose sums
 * are not wanted (not candidates) are skipped. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sync_private.h"

#define MAXL 64
#define MAXN 80

/* a pixel of frame j, column c: random, or the extremes alternating (every change +-255) */
static uint8_t pix(unsigned *st, int extreme, int j, int c)
{
	if (extreme)
		return (uint8_t)(((j + c) & 1) ? 255 : 0);
	*st = *st * 1103515245u + 12345u;
	return (uint8_t)(*st >> 16);
}

/* Column c's sums from the kernels against the definitions in doubles read from rows r, a, cc
 * (L frames, a[j] NULL: no pair), as sync_smooth.c's look_row adds them (exact: every sum below
 * 2^53); the pair sums (su, sv, acc at stride) only where pairs_wanted. Returns the pairs. */
static int expect_column(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			 int L, int c, const uint32_t *sum, const uint32_t *sum2,
			 const uint32_t *p2, const uint64_t *p4, const int32_t *su,
			 const int32_t *sv, const int64_t *acc, size_t stride, int pairs_wanted)
{
	double s = 0, s2 = 0, d2s = 0, d4s = 0, e[8] = { 0 }, u0 = 0, v0 = 0;
	int have = 0, first = 1, pairs = 0;
	for (int j = 0; j < L; j++) {
		double x = r[j][c];
		s += x;
		s2 += x * x;
		if (j) {
			double d = x - r[j - 1][c];
			d2s += d * d;
			d4s += d * d * d * d;
		}
		if (!a[j]) {
			have = 0;
			first = 1;
			continue;
		}
		if (have) {
			double Rd = (double)r[j][c] - r[j - 1][c];
			double u = Rd * ((double)a[j][c] - a[j - 1][c]);
			double v = Rd * ((double)cc[j][c] - cc[j - 1][c]);
			e[0] += u;
			e[1] += v;
			e[2] += u * u;
			e[3] += u * v;
			e[4] += v * v;
			if (!first) {
				e[5] += u * u0;
				e[6] += u * v0 + v * u0;
				e[7] += v * v0;
			}
			u0 = u;
			v0 = v;
			first = 0;
			pairs++;
		}
		have = 1;
	}
	assert_true((double)sum[c] == s);
	assert_true((double)sum2[c] == s2);
	assert_true((double)p2[c] == d2s);
	assert_true((double)p4[c] == d4s);
	if (!pairs_wanted)
		return pairs;
	assert_true((double)su[c] == e[0]);
	assert_true((double)sv[c] == e[1]);
	for (int k = 0; k < 6; k++)
		assert_true((double)acc[(size_t)k * stride + c] == e[2 + k]);
	return pairs;
}

static void check_want(int L, int n, int extreme, int gaps, unsigned seed, int skip)
{
	/* skip: every third block of 4 columns not wanted, every fifth column, and 16 to 31 */
	int32_t wbuf[MAXN], *want = skip ? wbuf : NULL;
	for (int c = 0; c < n; c++)
		wbuf[c] = (c / 4) % 3 == 1 || c % 5 == 0 || (c >= 16 && c < 32) ? -1 : 0;
	static uint8_t R[MAXL][MAXN], A[MAXL][MAXN], C[MAXL][MAXN];
	const uint8_t *r[MAXL], *a[MAXL], *cc[MAXL];
	unsigned st = seed;
	for (int j = 0; j < L; j++) {
		for (int c = 0; c < n; c++) {
			R[j][c] = pix(&st, extreme, j, c);
			A[j][c] = pix(&st, extreme, j + 1, c);
			C[j][c] = pix(&st, extreme, j, c + 1);
		}
		r[j] = R[j];
		/* gaps: frames 3, 4 and 9 of the previous beat missing */
		int miss = gaps && (j == 3 || j == 4 || j == 9);
		a[j] = miss ? NULL : A[j];
		cc[j] = miss ? NULL : C[j];
	}
	uint32_t sum[MAXN], sum2[MAXN], p2[MAXN];
	uint64_t p4[MAXN];
	int32_t up[MAXN], vp[MAXN], su[MAXN], sv[MAXN];
	int64_t acc[6 * MAXN];
	/* poisoned: a sum not written is not the previous call's */
	memset(su, 0x55, sizeof(su));
	memset(sv, 0x55, sizeof(sv));
	memset(acc, 0x55, sizeof(acc));
	sync_look_sums_u8(r, L, n, sum, sum2, p2, p4);
	int any = sync_look_repeat_u8(r, a, cc, L, n, want, up, vp, su, sv, acc, MAXN);
	int pairs = 0;
	for (int c = 0; c < n; c++)
		pairs = expect_column(r, a, cc, L, c, sum, sum2, p2, p4, su, sv, acc, MAXN,
				      !want || want[c] >= 0);
	assert_int_equal(any, pairs > 0);
}

/* The kernels' sums of rows r, a, cc (L frames, n columns, a[j] NULL: no pair) against the
 * definitions in doubles read from the same rows (exact: every sum below 2^53), at every kernel
 * width the machine has. */
static void expect_sums(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			int L, int n)
{
	enum { N = 40 };
	assert_true(n <= N);
	for (int cap = 2; cap >= 0; cap--) {
		int old = sync_look_isa(cap);
		uint32_t sum[N], sum2[N], p2[N];
		uint64_t p4[N];
		int32_t up[N], vp[N], su[N], sv[N];
		int64_t acc[6 * N];
		memset(acc, 0x55, sizeof(acc));
		sync_look_sums_u8(r, L, n, sum, sum2, p2, p4);
		int any = sync_look_repeat_u8(r, a, cc, L, n, NULL, up, vp, su, sv, acc, N);
		sync_look_isa(old);
		int pairs = 0;
		for (int c = 0; c < n; c++)
			pairs = expect_column(r, a, cc, L, c, sum, sum2, p2, p4, su, sv, acc, N, 1);
		assert_int_equal(any, pairs > 0);
	}
}

/* The previous beat's frames follow each other: frame j's row a is frame j - 1's row c, the same
 * pointer (as sync_smooth.c passes them), read once by the AVX-512 blocks; gaps where a frame of
 * the previous beat is missing; random and extreme pixels, widths around the blocks. */
static void consecutive_previous_beat_frames_give_the_same_sums(void **state)
{
	(void)state;
	enum { L = 50, N = 40 };
	static uint8_t R[L][N], B[L + 1][N];
	const uint8_t *r[L], *a[L], *cc[L];
	unsigned st = 5;
	for (int t = 0; t < 8; t++) {
		int extreme = t % 2, gaps = t % 4 >= 2, n = t < 4 ? N : 21 + t;
		for (int j = 0; j <= L; j++)
			for (int c = 0; c < N; c++) {
				if (j < L)
					R[j][c] = pix(&st, extreme, j, c);
				B[j][c] = pix(&st, extreme, j + (c & 2), c); /* both signs of A and C */
			}
		for (int j = 0; j < L; j++) {
			int miss = gaps && (j == 7 || j == 8 || j == 30);
			r[j] = R[j];
			a[j] = miss ? NULL : B[j];
			cc[j] = miss ? NULL : B[j + 1];
		}
		expect_sums(r, a, cc, L, n);
	}
}

/* u + v at its largest, +-130050, and every pairing of u's and v's signs (by column): the cross
 * sum X1 = W1 - U1 - V1 equals sum (u v' + v u'); at SYNC_LOOK_U8_MAX_L frames every sum stays
 * exact (sum u = 32999 * 65025 < 2^31, W1 = 32998 * 130050^2 about 5.6e14). */
static void the_largest_changes_keep_the_cross_sum_exact(void **state)
{
	(void)state;
	enum { N = 29 }; /* a block of 16, then AVX2's 8 and 4, and 1 plain column */
	static uint8_t row[6][N];
	for (int c = 0; c < N; c++) {
		/* R's change +-255 every frame; A's the same sign (odd columns) or the opposite,
		 * C's likewise by columns 2, 3 of every 4: u and v each +-65025, every pairing */
		int sa = c % 2, sc = c / 2 % 2;
		row[0][c] = 0;
		row[1][c] = 255;
		row[2][c] = sa ? 0 : 255;
		row[3][c] = sa ? 255 : 0;
		row[4][c] = sc ? 0 : 255;
		row[5][c] = sc ? 255 : 0;
	}
	for (int t = 0; t < 2; t++) {
		int L = t ? SYNC_LOOK_U8_MAX_L : 64;
		const uint8_t **r = malloc(sizeof(*r) * 3 * (size_t)L), **a = r + L, **cc = a + L;
		assert_non_null(r);
		for (int j = 0; j < L; j++) {
			r[j] = row[j & 1];
			a[j] = row[2 + (j & 1)];
			cc[j] = row[4 + (j & 1)];
		}
		expect_sums(r, a, cc, L, N);
		free(r);
	}
}

/* every kernel width the machine has (AVX-512, AVX2, the plain loops): the same sums */
static void check(int L, int n, int extreme, int gaps, unsigned seed)
{
	for (int cap = 2; cap >= 0; cap--) {
		int old = sync_look_isa(cap);
		check_want(L, n, extreme, gaps, seed, 0);
		check_want(L, n, extreme, gaps, seed, 1); /* the wanted columns' sums are the same */
		sync_look_isa(old);
	}
}

static void integer_sums_equal_the_double_definitions(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 4; seed++) {
		check(MAXL, MAXN, 0, 0, seed);
		check(MAXL, 77, 0, 1, seed); /* 4 blocks of 16, 1 of 8, 1 of 4, 1 column */
		check(13, 3, 0, 1, seed);    /* no block at all */
		check(40, 36, 0, 0, seed);
	}
}

static void extreme_pixels_keep_every_sum_exact(void **state)
{
	(void)state;
	check(MAXL, MAXN, 1, 0, 0);
	check(MAXL, 77, 1, 1, 0);
	/* every change 255: d^4 = 65025^2 per pair, the largest that fits 32 bits */
	const uint8_t *r[2];
	uint8_t z[8] = { 0 }, f[8];
	memset(f, 255, sizeof(f));
	r[0] = z;
	r[1] = f;
	uint32_t sum[8], sum2[8], p2[8];
	uint64_t p4[8];
	sync_look_sums_u8(r, 2, 8, sum, sum2, p2, p4);
	for (int c = 0; c < 8; c++) {
		assert_int_equal(sum[c], 255);
		assert_int_equal(sum2[c], 65025);
		assert_int_equal(p2[c], 65025);
		assert_true(p4[c] == 4228250625ull);
	}
}

static void a_beat_with_no_neighbours_adds_nothing(void **state)
{
	(void)state;
	uint8_t row[4] = { 1, 2, 3, 4 };
	const uint8_t *r[3] = { row, row, row }, *none[3] = { NULL, NULL, NULL };
	int32_t up[4], vp[4], su[4], sv[4];
	int64_t acc[24];
	assert_int_equal(sync_look_repeat_u8(r, none, none, 3, 4, NULL, up, vp, su, sv, acc, 4), 0);
	for (int c = 0; c < 4; c++)
		assert_int_equal(su[c], 0);
	for (int k = 0; k < 24; k++)
		assert_true(acc[k] == 0);
}

/* the smoothing job's noise on 8-bit frames (sync_smooth_median_u8, integer histograms) equals
 * sync_smooth_abs_median of the same |second differences| as doubles, as the job took it: random
 * pixels, the extremes (|0 - 2 * 255 + 0| = 510 and 1020 side by side), flat frames (median 0),
 * widths that leave columns after the blocks of 4, every r-th row */
static void the_integer_noise_median_equals_the_double_one(void **state)
{
	(void)state;
	enum { MW = 67, MH = 12 };
	static uint8_t pix[3][MH * MW];
	static double ad[MH * MW];
	unsigned st = 11;
	for (int t = 0; t < 24; t++) {
		int W = t % 3 == 0   ? MW
			: t % 3 == 1 ? 64
				     : 5,
		    H = t % 2 ? MH : 7, r = 1 + t % 3, rows = (H + r - 1) / r,
		    kind = t % 4; /* 0, 1 random (1: small), 2 extremes, 3 flat */
		struct ogate_frame *f[3];
		for (int k = 0; k < 3; k++) {
			for (int p = 0; p < W * H; p++) {
				st = st * 1103515245u + 12345u;
				int v = kind == 0   ? (int)(st >> 16) & 255
					: kind == 1 ? 100 + (int)((st >> 16) % 9)
					: kind == 2 ? ((p + (p / W) + k) & 1) * 255
						    : 7;
				pix[k][p] = (uint8_t)v;
			}
			f[k] = ogate_frame_wrap(OGATE_PIX_U8, W, H, (size_t)W, pix[k]);
			assert_non_null(f[k]);
		}
		int n = 0;
		for (int i = 0; i < rows; i++)
			for (int x = 0; x < W; x++) {
				int o = i * r * W + x;
				ad[n++] = fabs((double)(pix[0][o] - 2 * pix[1][o] + pix[2][o]));
			}
		double want = sync_smooth_abs_median(ad, n);
		assert_true(sync_smooth_median_u8(f[0], f[1], f[2], rows, r, W) == want);
		for (int k = 0; k < 3; k++)
			ogate_frame_free(f[k]);
	}
}

/* the histogram median of sync_smooth_abs_median, every bin cleared each time (as before it
 * cleared only up to the highest bin its few samples reach) */
static double median_all_bins(const double *ad, int n)
{
	static unsigned hist[SYNC_SMOOTH_HBINS];
	for (double b = 1; b <= 65536; b *= 16) {
		memset(hist, 0, sizeof(hist));
		for (int p = 0; p < n; p++) {
			double v = ad[p] / b + 0.5;
			hist[v < SYNC_SMOOTH_HBINS - 1 ? (int)v : SYNC_SMOOTH_HBINS - 1]++;
		}
		double half = 0.5 * n, cum = 0;
		for (int k = 0; k < SYNC_SMOOTH_HBINS - 1; k++) {
			if (cum + hist[k] >= half)
				return ((k ? k - 0.5 : 0) + (half - cum) / hist[k] * (k ? 1 : 0.5)) * b;
			cum += hist[k];
		}
	}
	return -1;
}

/* auto's first look takes the median of ~120 samples per frame: the histogram is cleared only
 * up to the highest bin reached, and the median is the same, also where samples fall in the
 * overflow bin or every sample lies beyond the first histogram (the 16-wide bins) */
static void a_median_of_few_samples_is_that_of_the_whole_histogram(void **state)
{
	(void)state;
	double ad[200];
	unsigned st = 3;
	for (int t = 0; t < 40; t++) {
		int n = 1 + t * 5;
		double scale = t % 4 == 0 ? 9000 : t % 4 == 1 ? 30 : 3;
		for (int p = 0; p < n; p++) {
			st = st * 1103515245u + 12345u;
			ad[p] = (double)((st >> 16) % 1000) / 1000 * scale;
		}
		if (t % 5 == 2)
			ad[0] = 70000; /* one sample in the overflow bin */
		double m = sync_smooth_abs_median(ad, n), w = median_all_bins(ad, n);
		assert_true(m == w || (m > 1e300 && w < 0));
	}
}

/* the median of the n integers v (sorted here) as hist_median takes it from their histogram of
 * bins 1 wide: k the least value with at least half of them at or below it, cum those below */
static int cmp_int(const void *x, const void *y)
{
	return (*(const int *)x > *(const int *)y) - (*(const int *)x < *(const int *)y);
}

static double sorted_median(int *v, int n)
{
	qsort(v, (size_t)n, sizeof(int), cmp_int);
	double half = 0.5 * n;
	int k = v[(n + 1) / 2 - 1], cum = 0, h = 0;
	for (int p = 0; p < n; p++) {
		cum += v[p] < k;
		h += v[p] == k;
	}
	return ((k ? k - 0.5 : 0) + (half - cum) / h * (k ? 1 : 0.5)) * 1;
}

/* sample s (of n) of a case's |second differences|, signed; kind: 0 noise around 100 (small
 * median), 1 random pixels, 2 flat, 3 all 15, 4 all 16, 5 half 15 half 16 (median at 15), 6 one
 * more 16 (median at 16), 7 the extremes (+-510 and 0 from 255s), 8 0 and 1 to 31 mixed, 9 0 for
 * the first 2/5 (more than 255 blocks of 32 at 512 wide), then 1 to 4, 10 +-(256 to 271) for the
 * first 2/5 (0 to 15 if a vector path's bytes wrapped), then 1 to 4 */
static int case_d(int kind, int s, int n, unsigned *st)
{
	*st = *st * 1103515245u + 12345u;
	int u = (int)(*st >> 16), sg = u & 1 ? -1 : 1;
	switch (kind) {
	case 0: return (u >> 1) % 9 + (u >> 5) % 9 - 8;
	case 2: return 0;
	case 3: return 15 * sg;
	case 4: return 16 * sg;
	case 5: return (s % 2 ? s / 2 < n / 2 - n / 4 : s / 2 < n / 4 + n % 2) ? 15 : 16;
	case 6: return s < n / 2 - 1 ? 15 : -16;
	case 7: return (u >> 1) % 3 == 0 ? 510 : (u >> 1) % 3 == 1 ? -510 : 0;
	case 8: return (u >> 1) % 3 ? (u >> 2) % 32 : 0;
	case 9: return s < 2 * n / 5 ? 0 : 1 + (u >> 1) % 4;
	case 10: return s < 2 * n / 5 ? sg * (256 + (u >> 1) % 16) : 1 + (u >> 1) % 4;
	default: return 0;
	}
}

/* the smoothing job's noise median on 8-bit frames (sync_smooth_median_u8: with AVX2 bins 0-15 by
 * vector compares, the rest, or without AVX2 every bin, by scattered increments) equals the median
 * taken from the sorted |second differences|: noise, random pixels, flat frames and all 15 or 16
 * over more than 255 blocks of 32 (the byte counters' capacity), zeros enough to fill them
 * with the median still below 16, the median exactly at the 15/16
 * boundary and one sample past it, the 255s' +-510, |d| of 256-271 below a median under 16 (bytes
 * narrowed with saturation, not wrapped), widths off the blocks of 32, every r-th row,
 * a stride wider than the rows (the rows between are random) */
static void the_noise_median_equals_the_sorted_one(void **state)
{
	(void)state;
	enum { MW = 560, MH = 48 };
	static uint8_t pix[3][MH * MW];
	static int v[MH * MW];
	unsigned st = 5;
	const int widths[] = { 512, 67, 33, 32, 31, 5 };
	for (int t = 0; t < 11 * 6 * 2; t++) {
		int kind = t % 11, W = widths[(t / 11) % 6], r = t / 66 ? 3 : 1, H = MH,
		    stride = W + 16 + t % 7, rows = (H + r - 1) / r, n = rows * W;
		for (int k = 0; k < 3; k++)
			for (int p = 0; p < H * stride; p++) {
				st = st * 1103515245u + 12345u;
				pix[k][p] = (uint8_t)(st >> 16);
			}
		for (int i = 0, s = 0; i < rows; i++)
			for (int x = 0; x < W; x++, s++) {
				int o = i * r * stride + x, a, b, c;
				if (kind == 1) {
					a = pix[0][o], b = pix[1][o], c = pix[2][o];
				} else {
					int d = case_d(kind, s, n, &st);
					if (d == 510 || d == -510) {
						a = c = d > 0 ? 255 : 0;
						b = 255 - a;
					} else if (abs(d) >= 256) { /* 256 + j, mirrored if < 0 */
						int j = abs(d) - 256;
						a = 255, c = 255 - (j & 1), b = 127 - (j + 1) / 2;
						if (d < 0)
							a = 255 - a, b = 255 - b, c = 255 - c;
					} else {
						b = 120;
						a = b + d;
						c = b;
						if (kind == 2 && x % 3 == 0)
							a = b = c = 255;
					}
				}
				pix[0][o] = (uint8_t)a, pix[1][o] = (uint8_t)b, pix[2][o] = (uint8_t)c;
				v[s] = abs(a - 2 * b + c);
			}
		struct ogate_frame *f[3];
		for (int k = 0; k < 3; k++) {
			f[k] = ogate_frame_wrap(OGATE_PIX_U8, stride, H, (size_t)stride, pix[k]);
			assert_non_null(f[k]);
		}
		double got = sync_smooth_median_u8(f[0], f[1], f[2], rows, r, W),
		       want = sorted_median(v, n);
		if (got != want) /* which case */
			fprintf(stderr, "case %d (kind %d, W %d, r %d): %.17g, sorted %.17g\n", t,
				kind, W, r, got, want);
		assert_true(got == want);
		for (int k = 0; k < 3; k++)
			ogate_frame_free(f[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integer_sums_equal_the_double_definitions),
		cmocka_unit_test(extreme_pixels_keep_every_sum_exact),
		cmocka_unit_test(the_integer_noise_median_equals_the_double_one),
		cmocka_unit_test(a_beat_with_no_neighbours_adds_nothing),
		cmocka_unit_test(consecutive_previous_beat_frames_give_the_same_sums),
		cmocka_unit_test(the_largest_changes_keep_the_cross_sum_exact),
		cmocka_unit_test(a_median_of_few_samples_is_that_of_the_whole_histogram),
		cmocka_unit_test(the_noise_median_equals_the_sorted_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
