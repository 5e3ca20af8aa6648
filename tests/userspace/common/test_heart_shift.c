// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogate-synth's rigid drift (userspace/common/heart.c): the band-limited shift (--xy-interp
 * lanczos) moves the image without blurring it by an amount that depends on the shift's
 * fractional part, which the bilinear one does (docs/accuracy-log.md, "The drift rows' bias"). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "heart.h"

#define H 16
#define W 32

/* amplitude of the period-4 cosine in row 8 of img, over the 16 columns away from the edges */
static double amp4(const float *img)
{
	double a = 0, b = 0;
	for (int x = 8; x < 24; x++) {
		a += (img[8 * W + x] - 100) * cos(2 * M_PI * x / 4);
		b += (img[8 * W + x] - 100) * sin(2 * M_PI * x / 4);
	}
	return 2 * hypot(a, b) / 16;
}

static void texture(float *img)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			img[y * W + x] = (float)(100 + 50 * cos(2 * M_PI * x / 4));
}

static void integer_shift_moves_pixels_exactly(void **st)
{
	(void)st;
	float in[H * W] = { 0 }, out[H * W];
	in[5 * W + 9] = 1;
	assert_int_equal(ogate_heart_rigid_shift_lanczos(in, out, H, W, 2, -1), 0);
	for (int i = 0; i < H * W; i++)
		assert_true(fabs(out[i] - (i == 7 * W + 8 ? 1.0 : 0.0)) < 1e-6);
}

/* an impulse shifted by half a pixel spreads over the six normalised Lanczos-3 taps */
static void half_pixel_shift_gives_the_lanczos3_taps(void **st)
{
	(void)st;
	float in[H * W] = { 0 }, out[H * W];
	in[8 * W + 12] = 1;
	assert_int_equal(ogate_heart_rigid_shift_lanczos(in, out, H, W, 0, 0.5), 0);
	static const double tap[6] = { 0.024457, -0.135870, 0.611413, 0.611413, -0.135870, 0.024457 };
	for (int k = 0; k < 6; k++)
		assert_true(fabs(out[8 * W + 10 + k] - tap[k]) < 2e-6);
	assert_true(fabs(out[8 * W + 9]) < 1e-7 && fabs(out[8 * W + 16]) < 1e-7);
	assert_true(fabs(out[7 * W + 12]) < 1e-7); /* no shift along y: no spread */
}

/* the contrast of a 4-pixel texture: bilinear 1, 0.791, 0.707 at fractions 0, 0.25, 0.5
 * (|1 - f + f e^(i pi/2)|); Lanczos-3 1, 1.012, 1.022 */
static void fine_texture_keeps_its_contrast_at_every_fraction(void **st)
{
	(void)st;
	float in[H * W], out[H * W];
	texture(in);
	static const double f[3] = { 0, 0.25, 0.5 };
	static const double bil[3] = { 50, 50 * 0.790569, 50 * 0.707107 };
	static const double lan[3] = { 50, 50 * 1.011758, 50 * 1.022230 };
	for (int k = 0; k < 3; k++) {
		ogate_heart_rigid_shift(in, out, H, W, 0, 3 + f[k]);
		assert_true(fabs(amp4(out) - bil[k]) < 1e-3);
		assert_int_equal(ogate_heart_rigid_shift_lanczos(in, out, H, W, 0, 3 + f[k]), 0);
		assert_true(fabs(amp4(out) - lan[k]) < 1e-3);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(integer_shift_moves_pixels_exactly),
		cmocka_unit_test(half_pixel_shift_gives_the_lanczos3_taps),
		cmocka_unit_test(fine_texture_keeps_its_contrast_at_every_fraction),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
