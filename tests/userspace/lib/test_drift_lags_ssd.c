// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lags at lock registered for drift (sync_driftreg.c, registered_lag with reference.lag_ssd):
 * frame i is shifted back by the drift over its lag, interpolated (a blur of the shift's
 * fraction), and compared with frames that are not; with pixel noise on top the SAD valley's
 * bottom is rounded, and the V fit through it reads the lag away from the nearest whole frame,
 * the same way for every lag at lock (they all hold nearly one length). The SSDs' quartic
 * (ogate_quartic_offset) only gains a constant from either. The scene is rendered exactly in the
 * specimen's coordinates (no resampling blur): a smooth texture whose every point also changes
 * along its own closed smooth path around a beat of exactly PERIOD frames, drifting at a known
 * velocity, with Gaussian noise of sd 4. */
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
#include "sync_driftreg.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"

#define W 96
#define N 80
#define PERIOD 20.3

static uint64_t rng;

/* frame i: the scene at specimen coordinates (y - vy i, x - vx i) */
static void fill_frame(struct ogate_frame *f, int i, double vy, double vx, double noise)
{
	f->meta.timestamp_ns = 5000000LL * i;
	f->meta.sequence = (uint64_t)i;
	for (int y = 0; y < W; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			double u = x - vx * i, v = y - vy * i;
			double bg = 110 + 35 * sin(0.55 * u + 0.3) * cos(0.43 * v) +
				    20 * sin(0.21 * u - 0.77 * v + 1.1);
			double amp = 6 + 5 * sin(0.13 * u + 0.9) * cos(0.17 * v),
			       ph = 0.29 * u + 0.19 * v;
			double val = bg + amp * sin(2 * M_PI * i / PERIOD + ph) +
				     noise * xorshift_gauss(&rng);
			row[x] = (uint8_t)lround(val < 0 ? 0 : val > 255 ? 255 : val);
		}
	}
}

/* the lags at lock of N buffered frames of the scene (the SAD rows as the determination stores
 * them: the whole frame at this size), registered for the drift (sync_frame_lags): their mean,
 * and the velocity registered */
static double registered_mean_lag(double vy, double vx, int lag_ssd, double *vel)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.lag_ssd = lag_ssd;
	set.lag_even = 0; /* the lags this suite pins are the bilinear ones (reference.lag_even off) */
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	assert_true(N <= s->cap);
	s->fmt = OGATE_PIX_U8;
	s->w = W;
	s->h = W;
	s->head = 0;
	s->count = N;
	rng = 88172645463325252ULL;
	for (int i = 0; i < N; i++) {
		assert_int_equal(0, ogate_frame_new(&s->buf[i], OGATE_PIX_U8, W, W));
		fill_frame(s->buf[i], i, vy, vx, 4);
	}
	for (int i = 0; i < N; i++) {
		s->depth[i] = i;
		for (int d = 1; d <= i; d++)
			s->rows[(size_t)i * s->cap + d - 1] =
				(double)ogate_sad_u8(s->sad, s->buf[i]->pixels, s->buf[i]->stride,
						     s->buf[i - d]->pixels, s->buf[i - d]->stride,
						     W, W);
	}
	double lagv[N], mean = 0;
	sync_frame_lags(s, (int)lround(PERIOD), 1, lagv);
	int n = 0;
	for (int i = 0; i < N; i++)
		if (!isnan(lagv[i])) {
			mean += lagv[i];
			n++;
		}
	assert_true(n > N / 2);
	mean /= n;
	vel[0] = s->det_vel[0];
	vel[1] = s->det_vel[1];
	fprintf(stderr,
		"drift %+.4f %+.4f px/frame (registered %+.5f %+.5f), lag_ssd %d: %d lags, mean "
		"%.4f\n",
		vy, vx, vel[0], vel[1], lag_ssd, n, mean);
	ogate_sync_free(s);
	return mean;
}

/* At 1.5 and 0.7 px/s (100 fps) the registered lags' V fit reads the beat of 20.3 frames as
 * 20.360 / 20.367 (noise rounds the valley's bottom, the shifted frame's blur with it); with
 * reference.lag_ssd the SSDs' quartic reads 20.295 / 20.300 (the V fit kept before: failed). */
static void registered_lags_read_the_beat_through_ssds(void **state)
{
	(void)state;
	const double v[2][2] = { { 0.012, -0.009 }, { 0.006, 0.004 } }, vfit[2] = { 20.3604, 20.3673 };
	for (int k = 0; k < 2; k++) {
		double vel[2];
		double m0 = registered_mean_lag(v[k][0], v[k][1], 0, vel);
		assert_true(fabs(vel[0] - v[k][0]) < 0.1 * fabs(v[k][0]) + 0.001 &&
			    fabs(vel[1] - v[k][1]) < 0.1 * fabs(v[k][1]) + 0.001);
		assert_true(fabs(m0 - vfit[k]) < 1e-4);
		double m1 = registered_mean_lag(v[k][0], v[k][1], 1, vel);
		assert_true(fabs(m1 - PERIOD) < 0.01);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registered_lags_read_the_beat_through_ssds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
