// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth = auto (sync_reference.c) measures the change M and the repeat z in one pass
 * over the reference, every sum kept per pixel and the repeat's interpolated changes split into
 * integer parts: the reference's change_m and repeat_z are those of the definitions
 * (sync_change_add and sync_repeat_add over every row pair, the previous beat linearly
 * interpolated per frame, as sync_reference.c computed them before), to rounding, on 8- and
 * 16-bit slow hearts with and without a pattern that repeats every beat. The stream starts less
 * than two beats before the lock, so the beat before the reference is only partly in the buffer
 * (its first frames are missing: the pairs without both neighbours are skipped). */
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
#include "noisy_frame.h"

#define SZ 64
#define FPS 60.0
#define NOISE 4.0
#define NPAT 40

static void row_d(const struct ogate_frame *f, int y, double *out)
{
	for (int c = 0; c < f->width; c++)
		out[c] = f->fmt == OGATE_PIX_U8 ? ((const uint8_t *)ogate_frame_row(f, y))[c]
						: ((const uint16_t *)ogate_frame_row(f, y))[c];
}

/* the previous beat's frame base + k in the determination buffer, as sync_reference.c finds it */
static const struct ogate_frame *prev_at(const struct ogate_sync *s, const struct seq *q, int64_t seq)
{
	int L = q->L;
	double P = q->info.period_frames;
	int64_t s0 = (int64_t)q->f[0]->meta.sequence, t0 = q->f[0]->meta.timestamp_ns,
		span = (int64_t)((double)(q->f[L - 1]->meta.timestamp_ns - t0) / (L - 1) * (P + 4)),
		base = s0 - (int64_t)ceil(P) - 1;
	if (seq < base || seq >= base + L + 4)
		return NULL;
	for (int k = 0; k < s->cap; k++) {
		const struct ogate_frame *f = s->buf[k];
		if (f && (int64_t)f->meta.sequence == seq && seq < s0 &&
		    f->meta.timestamp_ns < t0 && f->meta.timestamp_ns >= t0 - span)
			return f;
	}
	return NULL;
}

/* change_m and repeat_z from their definitions over the current reference (slot 0) */
static void definitions(const struct ogate_sync *s, double *m, double *z)
{
	const struct seq *q = &s->sq[0];
	int L = q->L, W = s->w, H = s->h;
	double P = q->info.period_frames;
	float *x = malloc(sizeof(float) * (size_t)L * W * H);
	double *a = malloc(sizeof(double) * 8 * W);
	double *b = a + W, *r0 = a + 2 * W, *r1 = a + 3 * W, *p0 = a + 4 * W, *p1 = a + 5 * W,
	       *tmp = a + 6 * W, *glast = a + 7 * W;
	unsigned char *cand = malloc((size_t)W);
	for (int j = 0; j < L; j++)
		for (int y = 0; y < H; y++) {
			row_d(q->f[j], y, a);
			for (int c = 0; c < W; c++)
				x[((size_t)j * H + y) * W + c] = (float)a[c];
		}
	/* every row: SMOOTH_SAMPLES (2^20) / L covers these frames */
	assert_true((long)L * W * H <= (1 << 20));
	double s2 = sync_smooth_noise(x, L, W * H), sd2 = 2 * s2 + 1.0 / 6, acc[2] = { 0, 0 };
	for (int y = 0; y < H; y++)
		for (int j = 1; j < L; j++) {
			row_d(q->f[j - 1], y, a);
			row_d(q->f[j], y, b);
			sync_change_add(a, b, W, sd2, acc);
		}
	*m = sync_change_m(acc, sd2);
	double racc[3] = { 0, 0, 0 };
	int64_t base = (int64_t)q->f[0]->meta.sequence - (int64_t)ceil(P) - 1;
	for (int y = 0; y < H; y++) {
		for (int c = 0; c < W; c++) {
			double sum = 0, sum2 = 0, mu;
			for (int j = 0; j < L; j++) {
				double v = x[((size_t)j * H + y) * W + c];
				sum += v;
				sum2 += v * v;
			}
			cand[c] = (unsigned char)sync_smooth_pixel(sum, sum2, L, s2, &mu);
		}
		int have = 0, first = 1;
		for (int j = 0; j < L; j++) {
			double t = (double)(int64_t)q->f[j]->meta.sequence - P - (double)base;
			int k0 = (int)floor(t);
			const struct ogate_frame *fa = prev_at(s, q, base + k0),
						 *fc = prev_at(s, q, base + k0 + 1);
			if (!fa || !fc) {
				have = 0;
				first = 1;
				continue;
			}
			row_d(q->f[j], y, r1);
			row_d(fa, y, p1);
			row_d(fc, y, tmp);
			for (int c = 0; c < W; c++)
				p1[c] += (t - k0) * (tmp[c] - p1[c]);
			if (have) {
				sync_repeat_add(r0, r1, p0, p1, cand, glast, first, W, racc);
				first = 0;
			}
			double *e = r0;
			r0 = r1;
			r1 = e;
			e = p0;
			p0 = p1;
			p1 = e;
			have = 1;
		}
	}
	*z = sync_repeat_z(racc);
	free(x);
	free(a);
	free(cand);
}

/* A slow cartoon heart (1.1 s at 60 fps) with reference.smooth = auto until it locks, every
 * pixel with a pattern of sd pat repeating every beat. */
static void check_heart_w(enum ogate_pixfmt fmt, double pat, int w)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", "auto"));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, w, SZ, 11));
	struct ogate_heart_law law = { 1.1, 0.0, 0.0, 7.0, 0.9, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 9);
	static float tex[NPAT * SZ * SZ], img[SZ * SZ];
	for (int k = 0; k < NPAT * w * SZ; k++)
		tex[k] = (float)(pat * ogate_heart_rng_normal(&rng));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, fmt, w, SZ));
	struct ogate_sync_result r = { 0 };
	int locked = 0;
	for (int i = 0; i < 900 && (!locked || sy->smooth_job); i++) {
		double t = i / FPS, psi = fmod(ogate_heart_law_psi(&law, t), 2 * M_PI);
		ogate_heart_blob_render(&heart, psi, img);
		double u = psi / (2 * M_PI) * NPAT, a = u - floor(u);
		int k0 = (int)floor(u) % NPAT, k1 = (k0 + 1) % NPAT;
		for (int p = 0; p < w * SZ; p++)
			img[p] += (float)((1 - a) * tex[k0 * w * SZ + p] + a * tex[k1 * w * SZ + p]);
		noisy_frame_fill(f, img, w, SZ, NOISE, &rng, 1000000000LL + llround(t * 1e9),
				 (uint64_t)i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		locked |= r.established; /* and the smoothing done over the next frames */
	}
	assert_true(locked);
	struct ogate_reference_info info;
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	double m, z;
	definitions(sy, &m, &z);
	print_message("%d-bit, pattern %.0f: M %.9f (definition %.9f), z %.9f (%.9f), "
		      "smoothed %d\n",
		      fmt == OGATE_PIX_U8 ? 8 : 16, pat, info.change_m, m, info.repeat_z, z,
		      info.smoothed);
	assert_true(m < 5.3); /* the full look ran */
	assert_true(fabs(info.change_m - m) <= 1e-9 * fabs(m));
	assert_true(isfinite(z));
	/* the buffer starts after the beat before the reference starts */
	const struct seq *q = &sy->sq[0];
	assert_true((int64_t)q->f[0]->meta.sequence - (int64_t)ceil(q->info.period_frames) - 1 < 0);
	assert_true(fabs(info.repeat_z - z) <= 1e-9 * (1 + fabs(z)));
	assert_int_equal(info.smoothed, !(z > 3));
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
}

static void check_heart(enum ogate_pixfmt fmt, double pat)
{
	check_heart_w(fmt, pat, SZ);
}

/* an odd width: the 8-bit look's 64-bit sums stay aligned (UBSan: misaligned before), and its
 * AVX2 blocks leave columns to the plain loops */
static void odd_width_8_bit(void **state)
{
	check_heart_w(OGATE_PIX_U8, 0, SZ - 1);
}

static void camera_noise_8_bit(void **state)
{
	check_heart(OGATE_PIX_U8, 0);
}

static void repeating_pattern_8_bit(void **state)
{
	check_heart(OGATE_PIX_U8, 2);
}

static void camera_noise_16_bit(void **state)
{
	check_heart(OGATE_PIX_U16, 0);
}

static void repeating_pattern_16_bit(void **state)
{
	check_heart(OGATE_PIX_U16, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(camera_noise_8_bit),	    cmocka_unit_test(odd_width_8_bit),
		cmocka_unit_test(repeating_pattern_8_bit),  cmocka_unit_test(camera_noise_16_bit),
		cmocka_unit_test(repeating_pattern_16_bit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
