// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth (sync_reference.c): the noise estimate from the reference's second
 * differences, the rule that replaces a pixel by its mean over the beat, and on a slow cartoon
 * heart that exactly those pixels are replaced, the pixels the heart moves are matched as
 * recorded, the display keeps the recorded frames and each match is less noisy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Rows 0, 1 = 0; row 2 = {0, 1, 1, 2}; row 3 = {2, 5, 5, 8}: the second differences at position
 * 1 are {0, 1, 1, 2} (grouped median 0.5 + (2 - 1) / 2 = 1.0), at position 2 |{2, 5, 5, 8} -
 * 2 {0, 1, 1, 2}| = {2, 3, 3, 4} (median 3.0). The smaller one is the noise: sigma^2 =
 * (1.0 / 0.6745)^2 / 6. All rows equal: every difference is in the bin [0, 1/2), median 0.25. */
static void the_noise_is_the_smallest_median_second_difference(void **state)
{
	const float x[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 5, 5, 8 };
	double z = 0.6744897501960817;
	assert_near(sync_smooth_noise(x, 4, 4), 1.0 / (z * z) / 6, 1e-12);
	assert_near(sync_smooth_noise(x + 4, 3, 4), 3.0 * 3.0 / (z * z) / 6, 1e-12);
	const float flat[12] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
	assert_near(sync_smooth_noise(flat, 3, 4), 0.25 * 0.25 / (z * z) / 6, 1e-12);
	assert_near(sync_smooth_noise(x, 2, 4), 0, 0);
	/* 16-bit sizes: x 256 stays in unit bins (median 256.0 exactly); x 10000 puts the median
	 * beyond them, into bins of 16 (bin 625 holds the 10000s): 10000.0 exactly */
	float big[16];
	for (int k = 0; k < 16; k++)
		big[k] = x[k] * 256;
	assert_near(sync_smooth_noise(big, 4, 4), 256.0 * 256.0 / (z * z) / 6, 1e-6);
	for (int k = 0; k < 16; k++)
		big[k] = x[k] * 10000;
	assert_near(sync_smooth_noise(big, 4, 4), 1e8 / (z * z) / 6, 1e-3);
}

/* Gaussian noise of sd 4 rounded to integers (variance 16 + 1/12) on a still image: the
 * estimate is within 10 % of it (the minimum over 58 positions of a median over 4096 pixels
 * sits a little low). */
static void the_noise_estimate_measures_gaussian_pixel_noise(void **state)
{
	enum { L = 60, N = 4096 };
	static float x[L * N];
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 3);
	for (int k = 0; k < L * N; k++)
		x[k] = (float)rint(100 + 4 * ogate_heart_rng_normal(&rng));
	double s2 = sync_smooth_noise(x, L, N), v = 16 + 1.0 / 12;
	print_message("noise variance %.3f, true %.3f\n", s2, v);
	assert_true(s2 > 0.90 * v && s2 < 1.02 * v);
}

static int rule(const float *v, int L, int stride, double s2, double *mean)
{
	double sum = 0, sum2 = 0;
	for (int j = 0; j < L; j++) {
		sum += v[(size_t)j * stride];
		sum2 += (double)v[(size_t)j * stride] * v[(size_t)j * stride];
	}
	return sync_smooth_pixel(sum, sum2, L, s2, mean);
}

/* sigma^2 = 1, L = 4: a pixel is replaced when its mean squared deviation from the beat's mean
 * is below 1 (2 - 2/4) - 1/12 = 1.41667. {0, 2, 0, 2}: 1.0, replaced by its mean 1; {0, 2.5, 0,
 * 2.5}: 1.5625, kept; 1.40625 ({0, 2.375, 0, 2.375}, just below) replaced, with sigma^2 = 0.99
 * (bound 1.40167) kept; one frame is never replaced. */
static void a_pixel_is_replaced_when_its_change_costs_less_than_its_noise(void **state)
{
	double mean;
	const float a[4] = { 0, 2, 0, 2 };
	assert_int_equal(rule(a, 4, 1, 1.0, &mean), 1);
	assert_true(mean == 1.0);
	const float b[4] = { 0, 2.5f, 0, 2.5f };
	assert_int_equal(rule(b, 4, 1, 1.0, &mean), 0);
	assert_true(mean == 1.25);
	const float c[4] = { 0, 2.375f, 0, 2.375f };
	assert_int_equal(rule(c, 4, 1, 1.0, &mean), 1);
	assert_int_equal(rule(c, 4, 1, 0.99, &mean), 0);
	const float d[8] = { 0, 9, 2.5f, 9, 0, 9, 2.5f, 9 };
	assert_int_equal(rule(d, 4, 2, 1.0, &mean), 0);
	assert_true(mean == 1.25);
	assert_int_equal(rule(d + 1, 4, 2, 1.0, &mean), 1);
	assert_true(mean == 9);
	assert_int_equal(rule(a, 1, 1, 1.0, &mean), 0);
}

#define SZ 96
#define NOISE 4.0 /* heartrun_slow_smooth's */

struct run {
	double rms;	/* per-frame phase error about its mean (frames) */
	int replaced;	/* pixels replaced by their mean over the beat */
	int wrong;	/* pixels not replaced or kept as the rule says */
	double maxr;	/* the largest noise-free range over a beat of a replaced pixel */
	int shown_diff; /* pixels where the displayed reference differs from the recorded one */
	int refs;	/* references taken */
};

/* a slow cartoon heart (1.3 s at 60 fps, 96^2, pixel noise 4, as in test_roi.c), matched with
 * reference.smooth on or off; the same frames both times */
static struct run slow_heart(int smooth, int bits, int refresh)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", smooth ? "1" : "0"));
	/* the still pixels' rule alone: the kernel along the beat is test_ref_smooth_along.c's */
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth_along_fpb", "0"));
	set.refresh_after_triggers = refresh;
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct heartrun_spec spec = heartrun_slow_smooth(bits);
	struct heartrun *hr = heartrun_new(&spec);
	struct ogate_frame *shown = NULL;
	assert_int_equal(0, ogate_frame_new(&shown, bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, SZ, SZ));
	static float img[SZ * SZ];
	struct run out = { .rms = heartrun_phase_sd(hr, sy, 1500, 600, 500) };
	/* where the noise-free heart changes by more than the noise over a beat */
	static float lo[SZ * SZ], hi[SZ * SZ];
	for (int k = 0; k < 64; k++) {
		ogate_heart_blob_render(&hr->heart, 2 * M_PI * k / 64, img);
		for (int p = 0; p < SZ * SZ; p++) {
			lo[p] = k == 0 || img[p] < lo[p] ? img[p] : lo[p];
			hi[p] = k == 0 || img[p] > hi[p] ? img[p] : hi[p];
		}
	}
	const struct seq *q = &sy->sq[sy->g_cur % sy->nseq];
	int L = sy->L;
	static float x[200 * SZ * SZ];
	assert_true(L <= 200);
	for (int j = 0; j < L; j++)
		for (int p = 0; p < SZ * SZ; p++)
			x[(size_t)j * SZ * SZ + p] = (float)noisy_frame_px(q->f[j], p % SZ, p / SZ);
	double s2 = sync_smooth_noise(x, L, SZ * SZ);
	for (int p = 0; p < SZ * SZ; p++) {
		double mu;
		int rep = smooth && rule(x + p, L, SZ * SZ, s2, &mu);
		for (int j = 0; j < L; j++)
			out.wrong += noisy_frame_px(sy->ref[j], p % SZ, p / SZ) !=
				     (rep ? lrint(mu) : noisy_frame_px(q->f[j], p % SZ, p / SZ));
		out.replaced += rep;
		if (rep && (hi[p] - lo[p]) * (bits == 16 ? 256 : 1) > out.maxr)
			out.maxr = (hi[p] - lo[p]) * (bits == 16 ? 256 : 1);
	}
	for (int j = OGATE_NE; j < L - OGATE_NE; j++) {
		assert_int_equal(0, ogate_sync_get_reference_frame(sy, j - OGATE_NE, shown, NULL));
		for (int p = 0; p < SZ * SZ; p++)
			out.shown_diff += noisy_frame_px(shown, p % SZ, p / SZ) !=
					  noisy_frame_px(q->f[j], p % SZ, p / SZ);
	}
	out.refs = sy->g_cur + 1;
	ogate_frame_free(shown);
	heartrun_free(hr);
	ogate_sync_free(sy);
	return out;
}

/* Off, the matched reference is the recorded one. On, exactly the pixels the rule picks (their
 * change over the beat costs less than their noise) are replaced by their means in every
 * reference frame, the rest are matched as recorded: the pixels the heart changes by more than
 * 6 noise sd over a beat are never replaced (the largest so replaced changes by 15.3 grey levels,
 * 3.8 sd), so a moving sequence's phase is matched from the recorded pixels. Well over half the
 * frame is replaced (the heart's box is 37 % of it), the display shows the recorded frames and
 * each match is less noisy (0.248 -> 0.144 frame). 16-bit frames (the same frames x 256) give
 * the same: the noise is measured in wider bins, the rule is the same up to the 1/12; that run
 * refreshes its reference every 4 triggers, and the new one is smoothed and shown alike. */
static void still_pixels_lose_their_noise_and_the_moving_heart_is_untouched(void **state)
{
	struct run off = slow_heart(0, 8, 0), on = slow_heart(1, 8, 0), deep = slow_heart(1, 16, 4);
	print_message("per-frame error %.3f frame (%d of %d pixels replaced, the largest range %.1f), "
		      "%.3f as recorded; 16-bit %.3f (%d replaced, %d references)\n",
		      on.rms, on.replaced, SZ * SZ, on.maxr, off.rms, deep.rms, deep.replaced,
		      deep.refs);
	assert_int_equal(off.wrong, 0);
	assert_int_equal(off.shown_diff, 0);
	assert_int_equal(off.replaced, 0);
	struct run r[2] = { on, deep };
	for (int k = 0; k < 2; k++) {
		double sd = NOISE * (k ? 256 : 1);
		assert_int_equal(r[k].wrong, 0);
		assert_true(r[k].replaced > SZ * SZ / 2);
		assert_true(r[k].maxr < 6 * sd);
		assert_int_equal(r[k].shown_diff, 0);
		assert_true(r[k].rms < 0.8 * off.rms);
	}
	assert_true(deep.refs >= 2);
	assert_true(abs(deep.replaced - on.replaced) < SZ * SZ / 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_noise_is_the_smallest_median_second_difference),
		cmocka_unit_test(the_noise_estimate_measures_gaussian_pixel_noise),
		cmocka_unit_test(a_pixel_is_replaced_when_its_change_costs_less_than_its_noise),
		cmocka_unit_test(still_pixels_lose_their_noise_and_the_moving_heart_is_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
