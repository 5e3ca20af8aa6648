// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The calibration prior's level at the target where the reference frames' bins fill last
 * (sync_calib.c, table_at and update_anchor; docs/accuracy-log.md "blob512_30fps late: the
 * reference frames' bins fill last"). A bin's value is its samples' sum plus CAL_K0 pseudo-
 * samples of the prior over its weight plus CAL_K0, so the prior holds a share p = 1 / (w + 1)
 * of it. With sync.calibrate_prior = 2 the prior sits N's mean N̄ below 1's; the pin takes the
 * table's mean at the reference frames' own positions, so the target's correction moves by
 * N̄ (p_j - p_t), p_j the reference frames' mean prior share and p_t the target's: nothing where
 * the bins are filled alike, later triggers where the reference frames' bins are the emptier.
 * They are on blob512_30fps: the V fit pulls raw positions towards half-frame offsets and a
 * 30 s run at 24.0 frames a beat visits few offsets, so offset 0's bins hold 2-4 times fewer
 * samples than the target's (p_j 0.44, p_t 0.26 over the row's triggers), and the model's trend
 * -0.017 puts N̄ at 0.034 frame: +0.20 ms predicted, +0.16 ms measured (seed 7). Here a fake
 * reference of that row's 23.84 frames, bins filled by hand without spread (so that the
 * samples' kept share is 1 under either prior). The pipeline's internals are compiled into
 * this test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
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

#define P_REF 23.8367
#define TREND -0.017
#define TARGET 5.45
#define LEVEL 0.06 /* frames: the samples' level below N (the line's mean, c) */

/* a bin holding w samples at N(u) - LEVEL, no spread */
static void fill(struct ogate_sync *s, int k, double w)
{
	double r = sync_beat_model(s, (double)k / CAL_R) - LEVEL;
	s->cal_w[k] = w;
	s->cal_r[k] = w * r;
	s->cal_r2[k] = w * r * r;
}

/* the prior's share of the table at u (interpolated as table_at) */
static double prior_share(const struct ogate_sync *s, double u)
{
	int k0, k1;
	double f;
	bins(s, u, &k0, &k1, &f);
	return (1 - f) / (s->cal_w[k0] + CAL_K0) + f / (s->cal_w[k1] + CAL_K0);
}

/* the correction at the target, with the reference frames' bins holding wj samples each and
 * every other bin wt; *pj, *pt the prior's shares there, *nbar N's mean */
static double at_target(int prior, double wj, double wt, double *pj, double *pt, double *nbar)
{
	struct ogate_sync *s = calib_locked_on(P_REF);
	s->set.calibrate_prior = prior;
	s->sq[0].trend = TREND;
	sync_calib_reset(s);
	calib_target(s, TARGET);
	int N = s->L - 2 * OGATE_NE;
	for (int k = 0; k < s->cal_n; k++)
		fill(s, k, k % CAL_R == 0 ? wj : wt);
	s->cal_ss = 0;
	update_anchor(s);
	double a = 0;
	for (int j = 0; j < N; j++)
		a += prior_share(s, s->pos[j + OGATE_NE]);
	*pj = a / N;
	*pt = prior_share(s, TARGET);
	*nbar = beat_model_mean(s);
	double c = sync_calib_offset(s, TARGET);
	ogate_sync_free(s);
	return c;
}

/* filled alike, the two priors give the target one correction */
static void bins_filled_alike_leave_no_level(void **state)
{
	(void)state;
	double pj, pt, nb, c1 = at_target(1, 6, 6, &pj, &pt, &nb);
	double c2 = at_target(2, 6, 6, &pj, &pt, &nb);
	assert_true(fabs(nb - 0.033768) < 1e-5); /* -k P / 12 */
	assert_true(fabs(pj - pt) < 1e-12);
	assert_true(fabs(c2 - c1) < 1e-12);
}

/* the reference frames' bins emptier: the correction moves by N̄ (p_j - p_t), positive (the
 * phase read earlier, the trigger later), 0.0055 frame at blob512_30fps's shares */
static void emptier_reference_bins_move_the_target_by_the_prior_level(void **state)
{
	(void)state;
	double pj, pt, nb;
	/* p_j 0.44 and p_t 0.26 as the row's triggers see on average */
	double c1 = at_target(1, 1.0 / 0.44 - 1, 1.0 / 0.26 - 1, &pj, &pt, &nb);
	double c2 = at_target(2, 1.0 / 0.44 - 1, 1.0 / 0.26 - 1, &pj, &pt, &nb);
	assert_true(fabs(pt - 0.26) < 1e-9);
	assert_true(fabs(pj - 0.44) < 1e-9); /* the reference frames sit on their bins */
	assert_true(fabs((c2 - c1) - nb * (pj - pt)) < 1e-12);
	assert_true(fabs((c2 - c1) - 0.0060782) < 1e-6); /* 0.20 ms at 30 fps */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bins_filled_alike_leave_no_level),
		cmocka_unit_test(emptier_reference_bins_move_the_target_by_the_prior_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
