// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.lag_sym and reference.lock_wait_frames: the period at lock from lags read both
 * ways (frame i back to the beat before it, and that frame forward to i; sync_sadrow.c) and
 * from a few more of them (the lock waits for frames beyond a full reference; sync_determine.c).
 * A lag read one way carries the error of the curve around one frame, which changes along the
 * beat; the lock averaged 3-6 of them, all at one sub-frame offset, and P kept up to 0.1 frame
 * of it on clean hearts of 10-25 frames a beat (docs/accuracy-log.md, "The live check on slow
 * hearts", noticed). Steady hearts over that range under noise: both keys take the period at
 * lock nearer the truth; a buffer held at its span locks without waiting. */
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
#include "lock_period.h"

#define FPS LOCK_PERIOD_FPS
#define NK 3
#define NFRAMES 240

/* the period at lock (frames) and the frame that locked, under settings k: 0 one-way lags and
 * no wait (as before both keys), 1 lags both ways and no wait, 2 the defaults */
static void periods_at_lock(int seed, double period_s, double P[NK], int at[NK])
{
	static lock_period_keys keys[NK] = {
		{ { "reference.lag_sym", "0" }, { "reference.lock_wait_frames", "0" } },
		{ { "reference.lock_wait_frames", "0" }, { NULL, NULL } },
		{ { NULL, NULL }, { NULL, NULL } },
	};
	lock_period_run(seed, period_s, NFRAMES, NK, keys, P, at);
}

static void lags_both_ways_and_more_of_them_take_the_period_at_lock_nearer_the_truth(void **state)
{
	(void)state;
	double err[NK] = { 0 };
	int n = 0, later = 0;
	for (int seed = 1; seed <= 4; seed++)
		for (double fpb = 10.3; fpb < 25; fpb += 1.9, n++) {
			double P[NK];
			int at[NK];
			periods_at_lock(seed, fpb / FPS, P, at);
			for (int k = 0; k < NK; k++)
				err[k] += fabs(P[k] - fpb);
			/* the wait costs at most its frames */
			assert_true(at[2] <= at[1] + 6);
			later += at[2] > at[1];
		}
	for (int k = 0; k < NK; k++)
		err[k] /= n;
	print_message("mean |P - truth| over %d hearts: one way %.4f, both ways %.4f, both ways "
		      "and the wait %.4f frame (%d locked later)\n",
		      n, err[0], err[1], err[2], later);
	assert_true(err[1] < err[0]);
	assert_true(err[2] < 0.7 * err[0]);
}

/* a buffer held at its span (here 0.8 s, 32 frames, for a 26-frame beat that needs 31) cannot
 * hold the frames the lock would wait for: it locks as it did without the wait */
static void a_buffer_at_its_span_locks_without_waiting(void **state)
{
	(void)state;
	static lock_period_keys keys[2] = {
		{ { "reference.min_heart_rate_hz", "1.25" }, { "reference.lock_wait_frames", "0" } },
		{ { "reference.min_heart_rate_hz", "1.25" }, { NULL, NULL } },
	};
	double P[2];
	int at[2];
	lock_period_run(5, 26.0 / FPS, NFRAMES, 2, keys, P, at); /* each must lock */
	print_message("locked at frame %d without the wait, %d with it\n", at[0], at[1]);
	assert_true(at[0] >= 0 && at[1] >= 0);
	assert_true(at[1] <= at[0] + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lags_both_ways_and_more_of_them_take_the_period_at_lock_nearer_the_truth),
		cmocka_unit_test(a_buffer_at_its_span_locks_without_waiting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
