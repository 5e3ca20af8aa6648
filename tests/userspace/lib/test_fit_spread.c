// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The fit weighs each frame by the spread of the matching error measured at its position
 * (sync_calib_spread). With 6 frames per beat a frame half-way between two reference frames
 * that differ a lot can be matched a whole frame late, where frames truly at the next reference
 * frame are matched without error: one position, two errors, and which one a beat gets depends
 * on where its frames fall. The calibration can only subtract their mean; the spread about it
 * says how little such a frame is worth, and the decision frame is often one of them. The
 * pipeline's internals are compiled into this test and driven with phases whose error is known
 * exactly. */
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

#define IVL_S (1.0 / 30)
#define PER 6.0 /* frames per beat */
#define NB 24	/* calibration bins: 4 per reference frame */
#define NF 720	/* frames fed: 120 beats */
#define BAD 18	/* every 3rd beat, the frame truly at 2.5 is matched at 3.5 */

/* a locked sync object on a fake reference of PER frames, reference frames at 0, 1, ... */
static struct ogate_sync *locked_on(void)
{
	struct ogate_sync *s = calib_locked_on(PER);
	s->info.barrier = 0;
	s->info.target_phase = 2 * M_PI * 5.0 / PER; /* target at position 5 */
	for (int i = 0; i < IVL_N; i++)
		s->ivl[i] = IVL_S;
	s->ivl_n = IVL_N;
	return s;
}

/* The expected table, computed here from the errors put in: each frame's residual against the
 * least-squares line through the 6 frames (one beat) around it, binned at its measured
 * position, split linearly between the two nearest of 4 bins per frame. */
struct oracle {
	double u[NF + BAD], e[NF + BAD];
	double r[NB], w[NB], r2[NB], wt;
};

static void oracle_add(struct oracle *o, int k)
{
	if (k < 5)
		return;
	double em = 0, sxy = 0;
	for (int j = 0; j < 6; j++)
		em += o->e[k - 5 + j] / 6;
	for (int j = 0; j < 6; j++)
		sxy += (j - 2.5) * o->e[k - 5 + j];
	int c = k - 3; /* the 3rd of the 6: index 2 */
	double r = o->e[c] - (em + sxy / 17.5 * (2 - 2.5));
	if (fabs(r) > 1)
		return;
	double x = (fmod(o->u[c], PER) + o->e[c]) * 4, f = x - floor(x);
	int b0 = (int)floor(x) % NB, b1 = (b0 + 1) % NB;
	o->r[b0] += (1 - f) * r;
	o->w[b0] += 1 - f;
	o->r2[b0] += (1 - f) * r * r;
	o->r[b1] += f * r;
	o->w[b1] += f;
	o->r2[b1] += f * r * r;
	o->wt += 1;
}

static double oracle_ss(const struct oracle *o, int b)
{
	return o->w[b] > 0 ? o->r2[b] - o->r[b] * o->r[b] / o->w[b] : 0;
}

/* spread at measured position m: the two bins' variances (1 sample of the pooled variance as
 * prior) relative to the pooled variance, at least 1 */
static double oracle_spread(const struct oracle *o, double m)
{
	double ss = 0;
	for (int b = 0; b < NB; b++)
		ss += oracle_ss(o, b);
	double v = ss / (o->wt - NB), x = m * 4, f = x - floor(x);
	int b0 = (int)floor(x) % NB, b1 = (b0 + 1) % NB;
	double v0 = (oracle_ss(o, b0) + v) / (o->w[b0] + 1),
	       v1 = (oracle_ss(o, b1) + v) / (o->w[b1] + 1), sp = ((1 - f) * v0 + f * v1) / v;
	return sp > 1 ? sp : 1;
}

/* One locked frame k at true position u (frames, unwrapped) measured with error e, through
 * the locked step's calibration and spread (as sync.c does) */
static void frame(struct ogate_sync *s, struct oracle *o, int k, double e)
{
	double u = k + 0.5;

	calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
	o->u[k] = u;
	o->e[k] = e;
	oracle_add(o, k);
}

static double err_of(int k)
{
	return k % BAD == 2 ? 1.0 : 0.0;
}

/* The spread is learnt per position: at 3.5, where the late frames land among the frames truly
 * there, it is the largest; exactly as computed from the residuals put in. */
static void the_spread_of_each_position_is_learnt_from_one_beat_residuals(void **state)
{
	(void)state;
	struct ogate_sync *s = locked_on();
	static struct oracle o;
	memset(&o, 0, sizeof(o));
	assert_true(sync_calib_spread(s, 3.5) == 1.0); /* nothing learnt yet */
	for (int k = 0; k < NF; k++)
		frame(s, &o, k, err_of(k));
	double worst = 0, at = -1;
	for (int q = 0; q < NB; q++) {
		double m = q / 4.0, sp = sync_calib_spread(s, m), want = oracle_spread(&o, m);
		assert_true(fabs(sp - want) < 1e-6 * want); /* the phases reach 750 rad */
		if (sp > worst) {
			worst = sp;
			at = m;
		}
	}
	/* at 3.5: 40 residuals of 0.819 frame and 40 of -0.210 among 40 of 0: 3.89 x the variance
	 * pooled over all positions; every other position is below it (1) */
	assert_true(at == 3.5);
	assert_true(worst > 3.89 && worst < 3.90);
	assert_true(sync_calib_spread(s, 1.0) == 1.0);
	ogate_sync_free(s);
}

/* The decision frame is one of the late ones: it counts 1/spread in the fit, and the trigger
 * falls nearer the true target time than with the unweighted line through the same window. */
static void a_frame_at_a_position_of_large_spread_counts_less_in_the_fit(void **state)
{
	(void)state;
	struct ogate_sync *s = locked_on();
	static struct oracle o;
	memset(&o, 0, sizeof(o));
	int last = NF - NF % BAD + 2; /* the next late frame, position 2.5 measured at 3.5 */
	for (int k = 0; k <= last; k++)
		frame(s, &o, k, err_of(k));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, 8, 8));
	struct ogate_frame_meta meta = { .timestamp_ns = llround(last * IVL_S * 1e9),
					 .sequence = (uint64_t)last };
	ogate_frame_set_meta(f, &meta);
	struct ogate_sync_result r = { 0 };
	r.unwrapped = sync_hist_at(s, 0)->unw;
	r.phase = ogate_wrap_2pi(r.unwrapped);
	sync_predict_and_decide(s, f, &r);
	assert_true(r.has_prediction);
	int n = 0;
	while (n < s->hn && s->fit_t[n] < 0)
		n++; /* the window: fit_t runs up to 0 at the newest frame */
	double sp = sync_hist_at(s, 0)->sp;
	assert_true(sp > 3.88 && sp < 3.89); /* learnt before this frame: 3.8806 */
	struct ogate_predictor *p = NULL;
	struct ogate_prediction un;
	assert_int_equal(0, ogate_predictor_new(&p, "linear"));
	assert_int_equal(0, ogate_predictor_predict(p, s->fit_t, s->fit_p, (size_t)n + 1,
						    s->info.target_phase, &un));
	/* truly at 2.5: the target (5) is 2.5 frames away */
	double truth = 2.5 * IVL_S;
	/* the unweighted line through the 8 frames is pulled 0.533 frame early by the late frame
	 * (the calibration has taken its mean share), the weighted one 0.242 frame */
	assert_true(un.wait_s < truth - 0.53 * IVL_S);
	assert_true(r.wait_s < truth - 0.24 * IVL_S && r.wait_s > truth - 0.25 * IVL_S);
	assert_int_equal(n + 1, 8);
	assert_true(s->fit_w[n] == 1 / sp);
	ogate_predictor_free(p);
	ogate_frame_free(f);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_spread_of_each_position_is_learnt_from_one_beat_residuals),
		cmocka_unit_test(a_frame_at_a_position_of_large_spread_counts_less_in_the_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
