// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The change over m frames across the reference beat's seam (sync_change_profile): the beat is
 * P frames, not floor(P), so a pair wrapped by floor(P) frames spans up to a frame more of the
 * heart than its m, and on a slow noisy heart that excess made the seam the profile's maximum
 * (a_blob48_2.2s_60fps_n6 of bench/eval/auto.txt, seed 45: the target 37 frames from the
 * noise-free heart's). Pairs the reference holds are taken as recorded; the others are
 * interpolated between the two wraps that bracket P. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "sync_private.h"

#define W 64
#define H 8
#define P 60.8 /* frames per beat: floor(P) = 60, d = 0.8 */
#define NB 61  /* unpadded frames of the reference beat (N) */
#define C 7.6  /* where the heart moves fastest (frames) */
#define A 0.3  /* the speed's modulation: 1 + A cos(2 pi (x - C) / P) */

/* the heart's position at frame x: a sine grating moved by u(x), whose speed is
 * 1 + A cos(2 pi (x - C) / P) times its mean, periodic over P frames */
static double u_of(double x)
{
	return 2 * M_PI * x / P + A * sin(2 * M_PI * (x - C) / P);
}

static void render(struct ogate_frame *f, double x)
{
	uint8_t *px = ogate_frame_pixels(f);
	for (int y = 0; y < H; y++)
		for (int j = 0; j < W; j++)
			px[(size_t)y * ogate_frame_stride(f) + (size_t)j] =
				(uint8_t)lrint(128 + 100 * sin(u_of(x) + 2 * M_PI * j / W));
}

static double sad(const struct ogate_frame *a, const struct ogate_frame *b)
{
	const uint8_t *p = ogate_frame_pixels(a), *q = ogate_frame_pixels(b);
	double s = 0;
	for (int y = 0; y < H; y++)
		for (int j = 0; j < W; j++) {
			size_t ia = (size_t)y * ogate_frame_stride(a) + (size_t)j;
			size_t ib = (size_t)y * ogate_frame_stride(b) + (size_t)j;
			s += abs((int)p[ia] - (int)q[ib]);
		}
	return s;
}

static int argmax(const double *v, int n)
{
	int k = 0;
	for (int i = 1; i < n; i++)
		if (v[i] > v[k])
			k = i;
	return k;
}

/* One frame's change peaks on noise in the resting part (a spike at C + P/2), so the change
 * over 3 frames decides, and 5 frames confirm it. With pairs wrapped by floor(P) the seam
 * (speed 1.18, a 3.8-frame pair) beat the heart's fastest change (1.3) and the target lay
 * 8 frames off; now the 3-frame profile peaks where the heart moves fastest (its top is flat
 * to 0.4 % over the pairs 5..9: 6..9 asked), the target lies within 2 frames of C + P/3, and
 * the profile is smooth across the seam. */
static void the_seam_does_not_make_the_largest_change(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = OGATE_PIX_U8;
	s->w = W;
	s->h = H;
	enum { L = NB + 2 * OGATE_NE };
	struct ogate_frame *f[L];
	for (int j = 0; j < L; j++) {
		assert_int_equal(0, ogate_frame_new(&f[j], OGATE_PIX_U8, W, H));
		render(f[j], j - OGATE_NE);
	}
	struct seq q = { 0 };
	q.f = f;
	q.L = L;
	double delta[NB];
	for (int i = 0; i < NB; i++)
		delta[i] = sad(f[i + OGATE_NE], f[i + 1 + OGATE_NE]);
	int spike = (int)lrint(C + P / 2);
	delta[spike] = 3 * delta[argmax(delta, NB)];

	sync_change_profile(s, &q, P, delta, NB);
	assert_int_equal(q.change_lag, 3);
	int k = argmax(delta, NB);
	print_message("3-frame profile: argmax %d (%.0f), seam %.0f %.0f %.0f\n", k, delta[k],
		      delta[57], delta[58], delta[59]);
	assert_in_range(k, 6, 9);
	/* across the seam the profile changes as it does elsewhere: no step larger than the
	 * largest step between pairs the reference holds as recorded */
	double step_in = 0, step_seam = 0;
	for (int i = 0; i + 1 < NB; i++) {
		double st = fabs(delta[i + 1] - delta[i]);
		if (i >= 56)
			step_seam = st > step_seam ? st : step_seam;
		else
			step_in = st > step_in ? st : step_in;
	}
	assert_true(step_seam <= step_in);
	double tu;
	int barrier;
	ogate_target_barrier(delta, NB, P, &tu, &barrier);
	double off = fabs(remainder(tu - (C + P / 3), P));
	print_message("target %.2f, %.2f frames from the fastest change's + P/3\n", tu, off);
	assert_true(off <= 2);
	for (int j = 0; j < L; j++)
		ogate_frame_free(f[j]);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_seam_does_not_make_the_largest_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
