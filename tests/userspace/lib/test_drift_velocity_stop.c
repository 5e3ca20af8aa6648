// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The drift's velocity at lock (sync_driftreg.c) is the median of up to 8 pairs' readings and
 * counts only where it reaches 1/16 px over a beat of c frames; the measurement stops once no
 * pair left can make it reach that (sync_median_stays_below_step): every median the n known
 * readings and up to m more can give must then stay below the step, whatever the others are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sync_private.h"

static uint64_t rng = 88172645463325252ull;

static double uniform(void) /* [0, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* whatever the unknown readings are (values far off, at the step, near the known ones) and
 * however many of them the pairs left give, a "stays below" answer holds */
static void a_stop_holds_for_every_reading_the_pairs_left_could_give(void **state)
{
	(void)state;
	int c = 40, stops = 0;
	double step = 1.0 / 16 / c; /* px per frame at which the drift counts */
	for (int trial = 0; trial < 4000; trial++) {
		int n = 1 + trial % 7, m = 8 - n;
		double v[8], spread = step * (0.2 + 2 * uniform());
		for (int k = 0; k < n; k++)
			v[k] = (2 * uniform() - 1) * spread;
		if (!sync_median_stays_below_step(v, n, m, c))
			continue;
		stops++;
		for (int t = 0; t < 200; t++) {
			int j = t % (m + 1);
			double all[8];
			memcpy(all, v, sizeof(double) * (size_t)n);
			for (int k = 0; k < j; k++) {
				double u = uniform();
				all[n + k] = u < 0.25	? -1e3
					     : u < 0.5	? 1e3
					     : u < 0.75 ? (u < 0.625 ? -step : step)
							: (2 * uniform() - 1) * 4 * step;
			}
			double med = sync_median_in_place(all, n + j);
			assert_true(fabs(med * c) < 1.0 / 16);
		}
	}
	print_message("%d of 4000 trials stopped\n", stops);
	assert_true(stops > 100);
}

/* exact cases: 5 small readings of 8 stop (the 3 left cannot reach the middle), 4 do not;
 * a known reading at the step where the median can still land keeps the measurement going */
static void five_small_readings_of_eight_stop_four_do_not(void **state)
{
	(void)state;
	int c = 32;
	const double small[5] = { 1e-4, -2e-4, 3e-4, 0, 1e-4 };
	assert_int_equal(1, sync_median_stays_below_step(small, 5, 3, c));
	assert_int_equal(0, sync_median_stays_below_step(small, 4, 4, c));
	assert_int_equal(1, sync_median_stays_below_step(small, 4, 3, c));
	/* sorted -2e-4, 0, 1e-4, 3e-3, 3e-3: with 3 more above all the median is 3e-3, and
	 * 3e-3 x 32 = 0.096 >= 1/16; with none more it is 1e-4 */
	const double edge[5] = { 3e-3, -2e-4, 3e-3, 0, 1e-4 };
	assert_int_equal(0, sync_median_stays_below_step(edge, 5, 3, c));
	assert_int_equal(1, sync_median_stays_below_step(edge, 5, 0, c));
	assert_int_equal(0, sync_median_stays_below_step(small, 0, 3, c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_stop_holds_for_every_reading_the_pairs_left_could_give),
		cmocka_unit_test(five_small_readings_of_eight_stop_four_do_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
