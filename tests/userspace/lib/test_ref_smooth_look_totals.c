// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's full look on 8-bit frames, its row totals (sync_smooth_look.c): the repeat's
 * sums over a row's candidate columns taken at once in 16-bit lanes (sync_look_repeat_tot_u8)
 * equal the per-column sums of sync_look_repeat_u8 added over the same columns, and are refused
 * (-1) wherever a 16-bit product or a 32-bit sum could wrap; the replacement test in vector lanes
 * (sync_look_pixels_u8) gives sync_smooth_pixel's answer and lrint's mean; and the whole job on a
 * slow heart gives the same repeat z, change M and smoothed frames, bit for bit, with these
 * kernels as with the per-column ones (sync_look_isa(1)). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"
#include "cpu_isa.h"

#define MAXL 140
#define MAXN 96

static unsigned next(unsigned *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 16;
}

/* the per-column sums (plain loops) added over the wanted columns, as int64 */
static int expect_totals(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			 int L, int n, const int32_t *want, int64_t e[8], int64_t *most)
{
	static int32_t up[MAXN], vp[MAXN], su[MAXN], sv[MAXN];
	static int64_t acc[6 * MAXN];
	int old = sync_look_isa(0);
	int any = sync_look_repeat_u8(r, a, cc, L, n, NULL, up, vp, su, sv, acc, MAXN);
	sync_look_isa(old);
	memset(e, 0, 8 * sizeof(*e));
	*most = 0;
	for (int c = 0; c < n; c++) {
		if (want[c] < 0)
			continue;
		int64_t v[8] = { su[c], sv[c] };
		for (int k = 0; k < 6; k++)
			v[2 + k] = acc[(size_t)k * MAXN + c];
		for (int k = 0; k < 8; k++) {
			e[k] += v[k];
			*most = llabs(v[k]) > *most ? llabs(v[k]) : *most;
		}
	}
	return any;
}

/* Rows of L frames, n columns: the reference's pixels base + noise of +-amp, the previous beat's
 * the same, consecutive (frame j's a is frame j - 1's c, as sync_smooth.c passes them), frames 3,
 * 4 and 9 missing where gaps; every third column not wanted, and columns 32-63 none. Returns what
 * sync_look_repeat_tot_u8 returned, its totals checked against the columns' where it took them. */
static int64_t check(int L, int n, int amp, int gaps, unsigned seed)
{
	static uint8_t R[MAXL][MAXN], B[MAXL + 1][MAXN];
	const uint8_t *r[MAXL], *a[MAXL], *cc[MAXL];
	int32_t want[MAXN];
	unsigned st = seed;
	for (int j = 0; j <= L; j++)
		for (int c = 0; c < n; c++) {
			int base = 40 + (c * 7) % 170;
			if (j < L)
				R[j][c] = (uint8_t)(base + (int)(next(&st) % (2 * amp + 1)) - amp);
			B[j][c] = (uint8_t)(base + (int)(next(&st) % (2 * amp + 1)) - amp);
		}
	for (int j = 0; j < L; j++) {
		int miss = gaps && (j == 3 || j == 4 || j == 9);
		r[j] = R[j];
		a[j] = miss ? NULL : B[j];
		cc[j] = miss ? NULL : B[j + 1];
	}
	for (int c = 0; c < n; c++)
		want[c] = c % 3 == 1 || (c >= 32 && c < 64) ? -1 : (int32_t)next(&st) % 256;
	int64_t tot[8], e[8], most;
	int any, eany = expect_totals(r, a, cc, L, n, want, e, &most);
	int64_t b = sync_look_repeat_tot_u8(r, a, cc, L, n, want, tot, &any);
	assert_int_equal(any, eany);
	if (b < 0)
		return b;
	for (int k = 0; k < 8; k++)
		assert_true(tot[k] == e[k]);
	/* the bound the caller adds up: every wanted column's sums within 2 L b^2 + L b */
	assert_true((double)most <= 2.0 * L * (double)b * (double)b + (double)L * b);
	return b;
}

static void the_totals_equal_the_columns_added_one_by_one(void **state)
{
	(void)state;
	int took = 0;
	for (unsigned seed = 1; seed <= 6; seed++) {
		took += check(133, 96, 3, 0, seed) >= 0;
		took += check(133, 64, 8, 1, seed) >= 0;
		took += check(50, 32, 20, seed & 1, seed) >= 0;
		took += check(2, 96, 5, 0, seed) >= 0; /* one pair */
	}
	/* where the machine has AVX-512 every case above is taken at once */
	print_message("taken at once: %d of 24\n", took);
	assert_int_equal(took, ogate_cpu_isa() >= 2 ? 24 : 0);
}

/* |R| = |A| = 137 every frame, u = +-18769 (2 L u^2 < 2^31 at L = 3, just): the 32-bit lanes hold
 * 2 u^2 a pair, the sums are exact, both signs; |R| = |A| = 182 (u = 33124 > 2^15) or three frames
 * more (2 L u^2 > 2^31) are refused, as are changes of 255. */
static void large_changes_are_refused_before_they_wrap(void **state)
{
	(void)state;
	static uint8_t row[4][MAXN];
	const uint8_t *r[MAXL], *a[MAXL], *cc[MAXL];
	int32_t want[MAXN];
	int64_t tot[8], e[8], most;
	int any;
	for (int t = 0; t < 4; t++) {
		int d = t == 1 ? 182 : t == 3 ? 255 : 137, L = t == 2 ? 6 : 3;
		for (int c = 0; c < 64; c++) {
			int s = c % 2, q = c / 2 % 2; /* u and v of every sign pairing */
			row[0][c] = 0;
			row[1][c] = (uint8_t)d;
			row[2][c] = (uint8_t)(s ? 0 : d);
			row[3][c] = (uint8_t)(s ? d : 0);
			want[c] = c % 8 == 7 ? -1 : q;
		}
		for (int j = 0; j < L; j++) {
			r[j] = row[j & 1];
			a[j] = row[2 + (j & 1)];
			cc[j] = row[2 + ((j + 1) & 1)];
		}
		int eany = expect_totals(r, a, cc, L, 64, want, e, &most);
		int64_t b = sync_look_repeat_tot_u8(r, a, cc, L, 64, want, tot, &any);
		assert_int_equal(any, eany);
		assert_true(t > 0 || b == (ogate_cpu_isa() >= 2 ? 137 * 137 : -1));
		if (t == 0 && b >= 0)
			for (int k = 0; k < 8; k++)
				assert_true(tot[k] == e[k]);
		if (t > 0)
			assert_true(b == -1);
	}
}

/* sync_look_pixels_u8 against sync_smooth_pixel and lrint column by column: random sums at
 * several L and noise levels, means exactly half-way (lrint's ties to even), variances at the
 * threshold's side, widths around the 8-column blocks; L = 1 replaces nothing. */
static void the_pixel_test_is_sync_smooth_pixel_lane_by_lane(void **state)
{
	(void)state;
	static uint32_t sum[MAXN], sum2[MAXN];
	static int32_t mrow[MAXN];
	unsigned st = 17;
	int Ls[] = { 1, 2, 3, 4, 7, 64, 133, 1000 };
	for (int li = 0; li < 8; li++)
		for (int t = 0; t < 40; t++) {
			int L = Ls[li], n = t % 5 == 4 ? 1 + t % 13 : MAXN - t % 9;
			double s2 = 0.2 + 0.5 * (t % 17);
			for (int c = 0; c < n; c++) {
				uint32_t m = next(&st) % 256, spread = next(&st) % 8;
				sum[c] = m * (uint32_t)L +
					 (L % 2 == 0 && c % 4 == 0 ? (uint32_t)L / 2 : 0);
				/* sum2 about L (mean^2 + variance), the variance up to ~2.5 s2 */
				double var = spread * s2 * 0.35, mu = (double)sum[c] / L;
				sum2[c] = (uint32_t)llround(L * (mu * mu + var)) + next(&st) % 3;
			}
			int any = sync_look_pixels_u8(sum, sum2, n, L, s2, mrow), eany = 0;
			for (int c = 0; c < n; c++) {
				double mu;
				int rep = sync_smooth_pixel(sum[c], sum2[c], L, s2, &mu);
				assert_int_equal(mrow[c], rep ? (int32_t)lrint(mu) : -1);
				eany |= rep;
			}
			assert_int_equal(any, eany);
		}
}

#define SZ 96
#define FPS 60.0

struct job_run {
	double z, m;
	int smoothed, L;
	uint8_t *px; /* the matched reference's frames */
};

/* A slow cartoon heart (1.3 s at 60 fps, 96^2, camera noise 4) with reference.smooth = auto, run
 * until its smoothing job is done, the kernels capped at cap (sync_look_isa); pat: a pattern of sd
 * pat that repeats every beat on every pixel (the repeat test then keeps the frames as recorded) */
static struct job_run job_run(int cap, double pat)
{
	int old = sync_look_isa(cap);
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", "auto"));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	struct ogate_heart_law law = { 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	static float tex[SZ * SZ], img[SZ * SZ];
	for (int k = 0; k < SZ * SZ; k++)
		tex[k] = (float)(pat * ogate_heart_rng_normal(&rng));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	struct ogate_sync_result r = { 0 };
	int locked = 0;
	for (int i = 0; i < 600 && (!locked || sy->smooth_job); i++) {
		double t = i / FPS, psi = fmod(ogate_heart_law_psi(&law, t), 2 * M_PI);
		ogate_heart_blob_render(&heart, psi, img);
		double w = sin(16 * psi); /* the pattern follows the phase: it repeats every beat */
		for (int p = 0; p < SZ * SZ; p++)
			img[p] += (float)(w * tex[p]);
		noisy_frame_fill(f, img, SZ, SZ, 4.0, &rng, 1000000000LL + llround(t * 1e9),
				 (uint64_t)i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		locked |= r.established;
	}
	assert_true(locked);
	assert_null(sy->smooth_job);
	struct ogate_reference_info info;
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	struct job_run out = { info.repeat_z, info.change_m, info.smoothed, sy->L, NULL };
	out.px = malloc((size_t)out.L * SZ * SZ);
	assert_non_null(out.px);
	for (int j = 0; j < out.L; j++)
		for (int y = 0; y < SZ; y++)
			memcpy(out.px + ((size_t)j * SZ + y) * SZ, ogate_frame_row(sy->ref[j], y), SZ);
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
	sync_look_isa(old);
	return out;
}

/* the job with the row totals and vector replacement test (cap 2) against the per-column
 * kernels (cap 1): the same doubles and the same smoothed frames, bit for bit */
static void the_job_gives_the_same_reference_with_the_row_totals(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++) {
		double pat = t ? 2.0 : 0.0;
		struct job_run wide = job_run(2, pat), cols = job_run(1, pat);
		print_message("pattern %.0f: z %.17g / %.17g, M %.17g / %.17g, smoothed %d / %d\n",
			      pat, wide.z, cols.z, wide.m, cols.m, wide.smoothed, cols.smoothed);
		assert_memory_equal(&wide.z, &cols.z, sizeof(double));
		assert_memory_equal(&wide.m, &cols.m, sizeof(double));
		assert_int_equal(wide.smoothed, cols.smoothed);
		assert_int_equal(wide.smoothed, !t); /* camera noise smoothed, the pattern not */
		assert_int_equal(wide.L, cols.L);
		assert_memory_equal(wide.px, cols.px, (size_t)wide.L * SZ * SZ);
		free(wide.px);
		free(cols.px);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_totals_equal_the_columns_added_one_by_one),
		cmocka_unit_test(large_changes_are_refused_before_they_wrap),
		cmocka_unit_test(the_pixel_test_is_sync_smooth_pixel_lane_by_lane),
		cmocka_unit_test(the_job_gives_the_same_reference_with_the_row_totals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
