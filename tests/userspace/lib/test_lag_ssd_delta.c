// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.lag_ssd = 2 (bench/eval/lagdelta.patch; docs/accuracy-log.md, "The fast row's early
 * bias: one error for P and the beats after it, and a target at the wrap"): P keeps the V fit's
 * lags, and their mean difference to the SSDs' quartic (struct seq lag_c, the V fit's error at
 * their sub-frame offset) moves the lags and the beats after the reference matched at that offset
 * in the calibration's beat model, so that delta reads the beat the reference held. The row's
 * seed 7: P 49.770, held 49.838, both groups 0.068 short. */
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

#define PF 49.770
#define E 0.068
#define PT (PF + E)
#define IVL 5e6

/* eight lags at lock of PT - E + a (spread) and 22 beats after of PT - E, lag_c = E, key k */
static void model(const char *key, double spread, double *k, double *d)
{
	struct ogate_sync *s = calib_locked_on(PF);
	assert_int_equal(0, ogate_settings_set(&s->set, "reference.lag_ssd", key));
	calib_ref_at_lock(s, 1000000000, IVL);
	int j = 0;
	for (double x = -4.78; x < 2.5; x += 1, j++)
		calib_lag_add(s, x, PT - E + (j % 2 ? spread : -spread));
	s->sq[0].lag_c = E;
	sync_calib_reset(s);
	for (double x = 3.3; x < 24.5; x += 1)
		calib_beat_after(s, x, PT - E);
	*k = s->cal_trend;
	*d = s->cal_delta;
	ogate_sync_free(s);
}

/* key 0 (or 1): lag_c is not read; both groups on P: delta 0 */
static void without_the_key_delta_is_hidden(void **state)
{
	(void)state;
	double k, d;
	model("0", 0, &k, &d);
	assert_true(fabs(k) < 1e-9);
	assert_true(fabs(d) < 1e-9);
}

/* key 2: both groups moved by lag_c onto the beat held: delta = PT - P, no trend */
static void the_lags_ssd_difference_gives_the_beat_held(void **state)
{
	(void)state;
	double k, d;
	model("2", 0, &k, &d);
	assert_true(fabs(k) < 1e-9);
	assert_true(fabs(d - E) < 1e-9);
}

/* lags spread over offsets (sd 0.3 frame): their mean difference is no one offset's error */
static void lags_over_many_offsets_are_not_moved(void **state)
{
	(void)state;
	double k0, d0, k2, d2;
	model("0", 0.3, &k0, &d0);
	model("2", 0.3, &k2, &d2);
	assert_true(fabs(k2 - k0) < 1e-12);
	assert_true(fabs(d2 - d0) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_the_key_delta_is_hidden),
		cmocka_unit_test(the_lags_ssd_difference_gives_the_beat_held),
		cmocka_unit_test(lags_over_many_offsets_are_not_moved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
