// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lags at lock corrected by the common sub-frame error (sync_calib_common.c,
 * beat_common_lags; the key sync.beat_common, on by default since session 30, set here both
 * ways; docs/accuracy-log.md, "The beat model's delta at one offset"). The matrix's
 * blob128_fast0.25s_200fps, seed 7: P was 49.7696 frames and the reference held 49.838 (delta
 * +0.068); its eight lags at lock lie at offset 0.776 (49.776: 0.062 short, c there -0.062), and
 * P with them. Here the beats after the reference are exact; without the correction the line
 * from the short lags to them reads a trend and delta misses the beat the reference held; with
 * it all lie on 49.838. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "sync.c"
#include "sync_calib.c"
#include "sync_calib_common.c"
#include "sync_calib_live.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "calib_frame.h"

#define PF 49.7696 /* P at lock */
#define PT 49.838  /* the beat the reference held */
#define E 0.062	   /* the lags' error, frames */
#define IVL 5e6	   /* 200 fps */

/* the row's model with c(0.776) = -E at the lags' offset (key on or off; *k, *d the trend and
 * delta after the refit sync_calib_common_update makes once c is learnt) */
static void fast_model(int on, double *k, double *d)
{
	struct ogate_sync *s = calib_locked_on(PF);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_common", on ? "1" : "0"));
	calib_ref_at_lock(s, 1000000000, IVL);
	for (double x = -4.78; x < 2.5; x += 1)
		calib_lag_add(s, x, PT - E);
	sync_calib_reset(s);
	for (double x = 3.3; x < 24.5; x += 1)
		calib_beat_after(s, x, PT);
	/* the lags' mean offset, 0.776, is 0.104 of the way from bin 3/4 to bin 0 */
	double f = (PT - E) * 4 - floor((PT - E) * 4);
	s->ccn[3] = -E / (1 - f);
	if (s->set.beat_common)
		beat_common_lags(s);
	beat_fit(s);
	*k = s->cal_trend;
	*d = s->cal_delta;
	ogate_sync_free(s);
}

/* without the key the lags keep their common error: the line rises from them to the beats
 * after the reference (a trend of +0.004 where there is none) and delta is +0.026, not +0.068 */
static void lags_at_one_offset_read_a_trend_and_a_short_delta(void **state)
{
	(void)state;
	double k, d;
	fast_model(0, &k, &d);
	assert_true(fabs(k - 0.004152) < 1e-5);
	assert_true(fabs(d - 0.025593) < 1e-5);
}

/* with it the lags move by c at their offset onto the beat the reference held: no trend, and
 * delta is that beat less P */
static void the_common_error_moves_the_lags_to_the_true_beat(void **state)
{
	(void)state;
	double k, d;
	fast_model(1, &k, &d);
	assert_true(fabs(k) < 1e-9);
	assert_true(fabs(d - (PT - PF)) < 1e-9); /* +0.0684 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lags_at_one_offset_read_a_trend_and_a_short_delta),
		cmocka_unit_test(the_common_error_moves_the_lags_to_the_true_beat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
