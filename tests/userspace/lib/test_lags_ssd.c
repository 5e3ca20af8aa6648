// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lags at lock through sums of squared differences (sync_determine.c, lags_through_ssd;
 * subframe.c, ogate_quartic_offset). Noise rounds the bottom of a SAD valley (a sum of |change +
 * noise| is quadratic where the change is below the noise), and the V fit through it reads the
 * lag too far from the nearest whole one; the heart's path bends the valley to one side. An SSD
 * only gains a constant from noise and is a quartic in the lag along a path curved to second
 * order, so the quartic through five SSDs has its minimum at the true lag whatever the noise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>
#include "xorshift_gauss.h"
#include "sync.c"
#include "sync_calib.c"
#include "sync_calib_common.c"
#include "sync_calib_live.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"

/* E|a + n| for n ~ N(0, s^2) */
static double folded_mean(double a, double s)
{
	if (s == 0)
		return fabs(a);
	return s * sqrt(2 / M_PI) * exp(-a * a / (2 * s * s)) + a * erf(a / (s * M_SQRT2));
}

/* Pixels p = 0..n-1 changing by a_p (k - x) + c_p (k - x)^2 / 2 at lag k from the frame whose
 * true lag is x, with noise of sd s on each difference: the expected SAD and SSD at k. */
static void valley(double k, double x, double s, double *sad, double *ssd)
{
	*sad = *ssd = 0;
	for (int p = 0; p < 200; p++) {
		double a = 0.2 + 0.05 * (p % 40), c = 0.08 * ((p % 7) - 2);
		double d = a * (k - x) + 0.5 * c * (k - x) * (k - x);
		*sad += folded_mean(d, s);
		*ssd += d * d + s * s;
	}
}

/* The quartic through the SSDs at -2..2 has its minimum at the true lag, exactly, at every
 * offset, with or without noise; the V fit through the SADs at -1..1 does not (with noise of sd 4
 * it reads 0.3 at 0.357: towards the half frame). */
static void quartic_finds_the_lag_of_a_noisy_curved_valley(void **state)
{
	(void)state;
	for (double s = 0; s <= 4; s += 2) {
		for (double x = -0.45; x < 0.5; x += 0.15) {
			double sad[5], ssd[5];
			for (int k = 0; k < 5; k++)
				valley(k - 2, x, s, &sad[k], &ssd[k]);
			assert_true(fabs(ogate_quartic_offset(ssd) - x) < 1e-9);
		}
	}
	double sad[5], ssd[5];
	for (int k = 0; k < 5; k++)
		valley(k - 2, 0.3, 4, &sad[k], &ssd[k]);
	double v = ogate_vfit(sad[1], sad[2], sad[3]).x;
	assert_true(fabs(v - 0.3572) < 1e-4);
}

/* No minimum within a frame of the middle one: NAN (the caller keeps the V fit). */
static void no_minimum_near_the_middle_is_nan(void **state)
{
	(void)state;
	const double rising[5] = { 1, 2, 3, 4, 5 }, flat[5] = { 3, 3, 3, 3, 3 };
	const double peak[5] = { 0, 3, 4, 3, 0 };
	assert_true(isnan(ogate_quartic_offset(rising)));
	assert_true(isnan(ogate_quartic_offset(flat)));
	assert_true(isnan(ogate_quartic_offset(peak)));
	const double par[5] = { 4.84, 1.44, 0.04, 0.64, 3.24 }; /* (k - 0.2)^2 */
	assert_true(fabs(ogate_quartic_offset(par) - 0.2) < 1e-9);
}

/* A buffer of N frames of W x H 8-bit pixels, each pixel on a closed smooth path around the beat
 * (base + amplitude x a sine of the phase, its own offset: a path that curves), PERIOD frames a
 * beat exactly, with Gaussian noise of sd `noise` (a fixed generator), and every frame's SAD row
 * as the determination stores it (sync_determine: the whole frame at this size). */
#define W 128
#define H 128
#define N 80
#define PERIOD 20.3

static uint64_t rng;

/* frame i of the scene (the generator's next values) */
static void fill_frame(struct ogate_frame *f, int i, double noise)
{
	f->meta.timestamp_ns = 5000000LL * i;
	for (int y = 0; y < H; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			int p = y * W + x;
			double amp = 3 + 9 * ((p * 37) % 101) / 100.0, ph = 0.061 * p;
			double v = 120 + amp * sin(2 * M_PI * i / PERIOD + ph) +
				   noise * xorshift_gauss(&rng);
			row[x] = (uint8_t)lround(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

static struct ogate_sync *noisy_buffer(double noise)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.register_drift = 0; /* the stored rows' lags (a drift measured on this scene is noise) */
	set.lag_curve = 0; /* the V fit's lags against the SSDs' (the curve's: test_lag_curve.c) */
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	assert_true(N <= s->cap);
	s->fmt = OGATE_PIX_U8;
	s->w = W;
	s->h = H;
	s->head = 0;
	s->count = N;
	rng = 88172645463325252ULL;
	for (int i = 0; i < N; i++) {
		assert_int_equal(0, ogate_frame_new(&s->buf[i], OGATE_PIX_U8, W, H));
		fill_frame(s->buf[i], i, noise);
	}
	for (int i = 0; i < N; i++) {
		s->depth[i] = i;
		for (int d = 1; d <= i; d++)
			s->rows[(size_t)i * s->cap + d - 1] =
				(double)ogate_sad_u8(s->sad, s->buf[i]->pixels, s->buf[i]->stride,
						     s->buf[i - d]->pixels, s->buf[i - d]->stride,
						     W, H);
	}
	return s;
}

/* the period the frame that takes the reference gives the buffer (refine_period), *mean the
 * plain mean of its lags */
static double period(double noise, int lag_ssd, double *mean)
{
	struct ogate_sync *s = noisy_buffer(noise);
	s->set.lag_ssd = lag_ssd;
	double lagv[N], trend, sums[6], pns, P = refine_period(s, 20.0, &trend, sums, &pns);
	sync_frame_lags(s, (int)lround(PERIOD), 0, lagv);
	if (lag_ssd)
		lags_through_ssd(s, lagv);
	int n = 0;
	*mean = 0;
	for (int i = 0; i < N; i++)
		if (!isnan(lagv[i])) {
			*mean += lagv[i];
			n++;
		}
	assert_int_equal(N - 23, n); /* every frame from PERIOD + 3 on */
	*mean /= n;
	fprintf(stderr, "noise %.0f, lag_ssd %d: mean lag %.4f, period %.4f\n", noise, lag_ssd,
		*mean, P);
	ogate_sync_free(s);
	return P;
}

/* Without noise both fits read the lag (single lags of the V fit move by up to 0.03 frame with
 * the path's curvature, not on average). With noise of sd 4 the V fit's lags move towards the
 * half frame, 20.3 read 20.37 (its period 20.36); the SSDs' stay within their noise. */
static void lags_at_lock_stay_with_noise(void **state)
{
	(void)state;
	double m0, m1;
	double P0 = period(0, 0, &m0), P1 = period(0, 1, &m1);
	assert_true(fabs(m0 - PERIOD) < 0.002 && fabs(m1 - PERIOD) < 0.002);
	assert_true(fabs(P0 - PERIOD) < 0.002 && fabs(P1 - PERIOD) < 0.002);
	P0 = period(4, 0, &m0);
	P1 = period(4, 1, &m1);
	assert_true(fabs(m0 - 20.3675) < 1e-4);
	assert_true(fabs(m1 - 20.3184) < 1e-4);
	assert_true(fabs(P0 - 20.3660) < 1e-4);
	assert_true(fabs(P1 - 20.2987) < 1e-4);
	assert_true(fabs(P1 - PERIOD) < 0.002 && P0 - PERIOD > 0.06);
}

/* The lags at lock (reference.lag_ssd) of the noisy scene above in pixel format fmt (16-bit
 * frames carry the 8-bit values times 256): from the SSDs stored on arrival (stored, hits[0]
 * read there) and computed at lock (fresh, hits[1]), and the V fit's they started from. */
static void lock_lags(enum ogate_pixfmt fmt, double *stored, double *fresh, double *vfit, int *hits)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.register_drift = 0;
	set.lag_ssd = 1;
	set.lag_curve = 0;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = fmt;
	s->w = W;
	s->h = H;
	struct ogate_frame *f8 = NULL, *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f8, OGATE_PIX_U8, W, H));
	assert_int_equal(0, ogate_frame_new(&f, fmt, W, H));
	rng = 88172645463325252ULL;
	double P;
	for (int i = 0; i < N; i++) {
		fill_frame(f8, i, 4);
		f->meta = f8->meta;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				uint8_t v = ((const uint8_t *)ogate_frame_row(f8, y))[x];
				if (fmt == OGATE_PIX_U8)
					((uint8_t *)ogate_frame_row(f, y))[x] = v;
				else
					((uint16_t *)ogate_frame_row(f, y))[x] = (uint16_t)(v << 8);
			}
		assert_true(sync_determine(s, f, 0, &P) >= 0);
	}
	assert_int_equal(N, s->count);
	sync_frame_lags(s, (int)lround(PERIOD), 0, vfit);
	memcpy(stored, vfit, sizeof(double) * N);
	memcpy(fresh, vfit, sizeof(double) * N);
	s->lssd_hits = 0;
	lags_through_ssd(s, stored);
	hits[0] = (int)s->lssd_hits;
	memset(s->lssd_b, 0, sizeof(int) * (size_t)s->cap); /* as without them: computed at lock */
	s->lssd_hits = 0;
	lags_through_ssd(s, fresh);
	hits[1] = (int)s->lssd_hits;
	ogate_frame_free(f);
	ogate_frame_free(f8);
	ogate_sync_free(s);
}

/*
 * The SSDs each determining frame computes on arrival (sync_determine, lag_ssd_on_arrival: every
 * pixel row against the frames at the scan's estimate +-3) give the lock exactly the lags it
 * would compute from the frames then (the key's lags at lock, read every 5th row here: 57 lags
 * over the 2^20-pixel budget), and are what it reads for all 57 (the first 4 arrived before the
 * scan had an estimate: their SAD rows' deepest lags placed them).
 */
static void arrival_ssds_give_the_lock_time_lags(void **state)
{
	(void)state;
	double stored[N], fresh[N], vfit[N];
	int hits[2];
	lock_lags(OGATE_PIX_U8, stored, fresh, vfit, hits);
	assert_int_equal(N - 23, hits[0]);
	assert_int_equal(0, hits[1]); /* without them: computed at lock */
	int n = 0, moved = 0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(isnan(stored[i]), isnan(fresh[i]));
		if (isnan(stored[i]))
			continue;
		assert_memory_equal(&stored[i], &fresh[i], sizeof(double)); /* to the last bit */
		moved += stored[i] != vfit[i];
		n++;
	}
	assert_int_equal(N - 23, n);
	assert_true(moved > n / 2); /* the quartic's lags, not the V fit's */
}

/* 16-bit frames take the SSDs' other kernel (one window at a time, not the 8-bit multi-window
 * one) on arrival and at lock; every SSD is the 8-bit one times 2^16, so the lags are the 8-bit
 * frames' to the last bit. */
static void sixteen_bit_frames_give_the_eight_bit_lags(void **state)
{
	(void)state;
	double s8[N], f8[N], s16[N], f16[N], v[N];
	int hits[2];
	lock_lags(OGATE_PIX_U8, s8, f8, v, hits);
	lock_lags(OGATE_PIX_U16, s16, f16, v, hits);
	int n = 0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(isnan(s8[i]), isnan(s16[i]));
		assert_int_equal(isnan(f8[i]), isnan(f16[i]));
		if (isnan(s8[i]))
			continue;
		assert_memory_equal(&s8[i], &s16[i], sizeof(double));
		assert_memory_equal(&f8[i], &f16[i], sizeof(double));
		assert_memory_equal(&s8[i], &f8[i], sizeof(double));
		n++;
	}
	assert_int_equal(N - 23, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quartic_finds_the_lag_of_a_noisy_curved_valley),
		cmocka_unit_test(no_minimum_near_the_middle_is_nan),
		cmocka_unit_test(lags_at_lock_stay_with_noise),
		cmocka_unit_test(arrival_ssds_give_the_lock_time_lags),
		cmocka_unit_test(sixteen_bit_frames_give_the_eight_bit_lags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
