// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth = auto's first look measures the noise from each frame's median |second
 * difference| over its grid of pixels (sync_smooth_noise_look). The least of those medians fell with
 * the frames a beat: at 395 frames of 49 pixels (the first look's grid on an 80^2 heart at 391
 * frames a beat) it read a third of the noise variance, so the change M read 8.66 where every
 * pixel gives 0.66 and a slow heart was matched against an unsmoothed reference
 * (docs/accuracy-log.md, "The matching error of slow hearts filmed fast"). On still pixels of
 * noise sd 6.5 (variance 42.25) the least median reads 17.95 at 40 and at 395 frames of 49
 * pixels; the tenth percentile of the medians (the least of them up to 11 frames) 28.05 and
 * 27.52: the variance of a median of 49 is still read low, but no longer by the extreme of the
 * frames a beat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "sync_private.h"
#include "xorshift_gauss.h"

/* the noise variance sync_smooth_noise_look reads from L frames of n still pixels of noise sd 6.5,
 * rounded to integers as 8-bit frames are */
static double read_noise(int L, int n)
{
	uint64_t rng = 88172645463325252ULL;
	float *x = malloc(sizeof(float) * (size_t)L * (size_t)n);
	assert_non_null(x);
	for (int k = 0; k < L * n; k++)
		x[k] = (float)lround(100 + 6.5 * xorshift_gauss(&rng));
	double v = sync_smooth_noise_look(x, L, n);
	free(x);
	return v;
}

static void first_look_noise_holds_at_many_frames_a_beat(void **state)
{
	(void)state;
	double many = read_noise(395, 49), few = read_noise(40, 49);
	print_message("noise variance read (true 42.25): 395 frames %.4f, 40 frames %.4f\n", many, few);
	/* the least median: 17.95 at both, 0.42 of the variance */
	assert_true(fabs(many - 27.5171) < 1e-3 && fabs(few - 28.0488) < 1e-3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_look_noise_holds_at_many_frames_a_beat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
