// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Analysis primitives pinned by the reference vectors, and the reference defects that ogate fixes. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/analysis.h"
#include "ogate/predictor.h"
#include "ref_vectors.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void vfit_matches_reference_vectors(void **state)
{
	for (size_t i = 0; i < N_OF(vfit_vectors); i++) {
		struct ogate_vfit v =
			ogate_vfit(vfit_vectors[i].y[0], vfit_vectors[i].y[1], vfit_vectors[i].y[2]);
		assert_near(v.x, vfit_vectors[i].x, 1e-12);
		assert_near(v.y, vfit_vectors[i].ymin, 1e-12);
	}
}

static void vfit_ties_give_zero_offset_not_nan(void **state)
{
	/* reference: 0/0 or y/0 -> nan/inf */
	struct ogate_vfit v = ogate_vfit(3.0, 1.0, 1.0); /* tie with the right neighbour: midway */
	assert_true(isfinite(v.x) && isfinite(v.y));
	assert_near(v.x, 0.5, 1e-15);
	v = ogate_vfit(1.0, 1.0, 3.0);
	assert_near(v.x, -0.5, 1e-15);
	v = ogate_vfit(2.0, 2.0, 1.0);
	assert_near(v.x, 0.0, 0);
	v = ogate_vfit(4.0, 4.0, 4.0);
	assert_near(v.x, 0.0, 0);
	assert_near(v.y, 4.0, 0);
}

static void wrap_maps_into_half_open_ranges(void **state)
{
	assert_near(ogate_wrap_pi(M_PI), M_PI, 1e-12);
	assert_near(ogate_wrap_pi(-M_PI), M_PI, 1e-12);
	assert_near(ogate_wrap_pi(6.02), 6.02 - 2 * M_PI, 1e-12);
	assert_near(ogate_wrap_2pi(-0.1), 2 * M_PI - 0.1, 1e-12);
	assert_near(ogate_wrap_2pi(4 * M_PI + 0.5), 0.5, 1e-12);
	assert_true(ogate_wrap_2pi(-1e-18) < 2 * M_PI);
}

static void period_scan_matches_reference_on_real_sad_vectors(void **state)
{
	const double *d[] = { cpl0_diffs, cpl1_diffs, cpl2_diffs, cpl3_diffs, cpl4_diffs };
	const size_t n[] = { N_OF(cpl0_diffs), N_OF(cpl1_diffs), N_OF(cpl2_diffs), N_OF(cpl3_diffs),
			     N_OF(cpl4_diffs) };
	const double p[] = { cpl0_period, cpl1_period, cpl2_period, cpl3_period, cpl4_period };
	for (int i = 0; i < 5; i++)
		assert_near(ogate_period_scan(d[i], n[i], 5, 0.5, 0.75), p[i], 1e-9);
}

/*
 * The valley at the first lag scanned (5) with the unscanned lag 4 far lower and lag 6 nearly
 * as low: the V fit's offset is 10.5 lags, which put the period at -5.5 frames (a negative
 * "estimate" that the determination state showed the user). It is now one lag beyond the
 * minimum, 4 frames, and refused as shorter than the first lag.
 */
static void period_scan_never_extrapolates_past_the_next_lag(void **state)
{
	(void)state;
	/* oldest first; diffs[n - d] compares the newest frame with the one d frames back */
	const double d[8] = { 100, 100, 10.5, 10, 0, 50, 50, 100 };
	assert_near(ogate_period_scan(d, 8, 5, 0.5, 0.75), 4.0, 1e-12);
	/* the other side: lag 6 far lower, lag 4 nearly as low as lag 5 -> at most 6 */
	const double e[8] = { 100, 100, 0, 10, 10.5, 50, 50, 100 };
	double r = ogate_period_scan(e, 8, 5, 0.5, 0.75);
	assert_true(r >= 4.0 && r <= 6.0);
}

static void period_scan_at_buffer_limit_does_not_read_before_the_buffer(void **state)
{
	/* minimum at the oldest sample (e = 0): the reference reads diffs[-1]; ogate uses x = 0 */
	double d[20];
	for (int i = 0; i < 20; i++)
		d[i] = 100 + 10 * i; /* newest frame most different from the most recent */
	d[0] = 50;
	d[19] = 100; /* d = 1 */
	/* rise then fall to the oldest sample never goes back above 'hi': no period */
	assert_near(ogate_period_scan(d, 20, 5, 0.5, 0.75), -1, 0);
	double e[12] = { 10, 100, 200, 300, 400, 500, 400, 300, 200, 100, 50, 20 };
	/* short buffers and n < 2 */
	assert_near(ogate_period_scan(e, 1, 5, 0.5, 0.75), -1, 0);
	double r = ogate_period_scan(e, 12, 5, 0.5, 0.75);
	assert_true(r == -1 || (r >= 5 && r <= 12));
}

static void subframe_phase_matches_reference_when_the_minimum_is_unpadded(void **state)
{
	assert_near(ogate_subframe_phase(sfm0_diffs, 12, sfm0_period, NULL), sfm0_phase, 1e-12);
	assert_near(ogate_subframe_phase(sfm1_diffs, 12, sfm1_period, NULL), sfm1_phase, 1e-12);
	assert_near(ogate_subframe_phase(sfm2_diffs, 12, sfm2_period, NULL), sfm2_phase, 1e-12);
	assert_near(ogate_subframe_phase(sfm4_diffs, 12, sfm4_period, NULL), sfm4_phase, 1e-12);
	for (size_t i = 0; i < N_OF(ipf_vectors); i++) {
		size_t b;
		double ph = ogate_subframe_phase(ipf_vectors[i].sads, 38, est_period, &b);
		assert_near(ogate_wrap_pi(ph - ipf_vectors[i].phase), 0, 1e-12);
		assert_int_equal(b, ipf_vectors[i].argmin);
	}
}

static void defect2_no_phase_zero_fallback_when_minimum_is_in_padding(void **state)
{
	/* reference returns exactly 0.0 here; the valley bottoms out at padded index 10 (u = 8) */
	assert_near(sfm3_phase, 0.0, 0);
	size_t b;
	double ph = ogate_subframe_phase(sfm3_diffs, 12, sfm3_period, &b);
	assert_int_equal(b, 10);
	double x = 0.5 * (31.0 - 45.0) / (45.0 - 30.0);
	assert_near(ph, 2 * M_PI * (8 + x) / 8.0, 1e-12);
	/* and at the low end: the minimum sits in padding frame 1 (u = -1) */
	double s[12] = { 40, 10, 30, 60, 70, 80, 90, 95, 97, 99, 99, 99 };
	ph = ogate_subframe_phase(s, 12, 8.0, &b);
	assert_int_equal(b, 1);
	double x2 = ogate_vfit(40, 10, 30).x;
	assert_near(ph, 2 * M_PI * (8 - 1 + x2) / 8.0, 1e-12);
}

static void target_and_barrier_match_reference(void **state)
{
	double t;
	int b;
	ogate_target_barrier(tb_deltas, N_OF(tb_deltas), tb_period, &t, &b);
	assert_near(t, tb_target, 1e-9);
	assert_int_equal(b, (int)tb_barrier);
	assert_near(2 * M_PI * t / tb_period, tb_target_phase, 1e-9);
}

static void defect3_fit_window_reaches_exactly_back_to_the_barrier(void **state)
{
	/* reference lookup (padded table) reaches two frames before the barrier */
	int barrier = (int)tb_barrier;
	for (int u = 0; u < (int)N_OF(tb_deltas); u++) {
		int ours = ogate_frames_since_barrier(u, barrier, tb_period);
		int ref = tb_ref_lookup[u + OGATE_NE];
		if (ref > 3 && ref < 32)
			assert_int_equal(ours + 2, ref);
	}
	assert_int_equal(ogate_frames_since_barrier(1, 1, tb_period), 1);
	assert_int_equal(ogate_frames_since_barrier(5.7, 1, tb_period), 5);
	/* modulo the period, not floor(P)+1: u = 0 is 32.44 frames after barrier 1 */
	assert_int_equal(ogate_frames_since_barrier(0, 1, tb_period), 33);
	assert_int_equal(ogate_frames_since_barrier(0.5, 1, 10.5), 11);
}

static void linear_predictor_matches_reference_fit(void **state)
{
	struct ogate_predictor *p = NULL;
	assert_int_equal(0, ogate_predictor_new(&p, "linear"));
	assert_non_null(p);
	struct ogate_prediction out;
	size_t n = (size_t)ptw0_used;
	assert_int_equal(ogate_predictor_predict(p, ptw0_t + 40 - n, ptw0_phi + 40 - n, n,
						 ptw_target, &out),
			 0);
	assert_near(out.wait_s, ptw0_wait, 1e-9);
	assert_near(2 * M_PI / out.rate, ptw0_period, 1e-9);
	n = (size_t)ptw1_used;
	assert_int_equal(ogate_predictor_predict(p, ptw1_t + 40 - n, ptw1_phi + 40 - n, n,
						 ptw_target, &out),
			 0);
	assert_near(out.wait_s, ptw1_wait, 1e-9);
	assert_near(2 * M_PI / out.rate, ptw1_period, 1e-9);
	/* a non-advancing phase gives no prediction */
	double t[3] = { 0, 1, 2 }, ph[3] = { 3, 2, 1 };
	assert_true(ogate_predictor_predict(p, t, ph, 3, 1.0, &out) < 0);
	struct ogate_predictor *none = NULL;
	assert_int_equal(-ENOENT, ogate_predictor_new(&none, "kalman-not-yet"));
	assert_null(none);
	ogate_predictor_free(p);
}

static void trigger_decision_matches_reference_sequence(void **state)
{
	double recent = -1000;
	for (size_t i = 0; i < N_OF(dwt_vectors); i++) {
		const struct dwt_vec *v = &dwt_vectors[i];
		assert_near(recent, v->recent_before, 1e-12);
		double wait = v->wait_in;
		enum ogate_trigger_reason r = ogate_trigger_decide(v->t, &wait, v->interval,
								   v->period, 0.015, 1.6, &recent);
		assert_near(wait, v->wait_out, 1e-12);
		assert_near(recent, v->recent_after, 1e-12);
		if (!v->reason)
			assert_true(r == OGATE_TRIGGER_NONE || r == OGATE_TRIGGER_SAME_BEAT);
		else if (!strcmp(v->reason, "standard"))
			assert_int_equal(r, OGATE_TRIGGER_STANDARD);
		else
			assert_int_equal(r, OGATE_TRIGGER_PANIC);
	}
}

static void defect5_decision_uses_the_measured_interval(void **state)
{
	/* same wait: at a measured 100 fps the next frame still comes in time, at 40 fps it does not */
	double recent = -1000, wait = 0.035;
	assert_int_equal(ogate_trigger_decide(1.0, &wait, 0.010, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_NONE);
	assert_int_equal(ogate_trigger_decide(1.0, &wait, 0.025, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_STANDARD);
	assert_near(recent, 1.035, 1e-12);
}

/* Reference behaviours: a beat that already has a trigger gets none (the wait moves one
 * period on, nothing is committed); a prediction closer than the latency budget commits at
 * once ("panic") rather than being dropped. */
static void no_second_trigger_within_half_a_period_and_panic_inside_the_budget(void **state)
{
	double recent = 10.05, wait = 0.02; /* triggered 10.05, now t = 10.1 < 10.05 + P/2 */
	assert_int_equal(ogate_trigger_decide(10.1, &wait, 0.0125, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_SAME_BEAT);
	assert_near(wait, 0.44, 1e-12);
	assert_near(recent, 10.05, 0);
	recent = 10.05 - 0.21 - 1e-9; /* just over half a period ago: a new beat */
	wait = 0.010;
	assert_int_equal(ogate_trigger_decide(10.05, &wait, 0.0125, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_PANIC);
	assert_near(wait, 0.010, 0);
	assert_near(recent, 10.06, 1e-12);
	recent = -1000;
	wait = 0.030; /* 0.030 - 1.6 x 0.0125 = 0.010 < 0.015: the next frame would be too late */
	assert_int_equal(ogate_trigger_decide(10.0, &wait, 0.0125, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_STANDARD);
	wait = 0.040; /* 0.020 >= 0.015: wait for the next frame's better prediction */
	recent = -1000;
	assert_int_equal(ogate_trigger_decide(10.0, &wait, 0.0125, 0.42, 0.015, 1.6, &recent),
			 OGATE_TRIGGER_NONE);
	assert_near(recent, -1000, 0);
}

/* The line's extrapolation variance factor 1/n + (d + (n-1)/2)^2 / Sxx, first <= 1 at: */
static void fit_min_frames_is_the_shortest_line_no_noisier_than_a_frame_where_it_triggers(void **state)
{
	assert_int_equal(ogate_fit_min_frames(0.0), 2); /* 1/2 + 0.25/0.5 = 1 exactly */
	assert_int_equal(ogate_fit_min_frames(1.0), 6);
	assert_int_equal(ogate_fit_min_frames(1.6), 7); /* n = 6: 1/6 + 4.1^2/17.5 = 1.127 */
	assert_int_equal(ogate_fit_min_frames(1.6 + 0.015 * 30), 8);   /* defaults at 30 fps */
	assert_int_equal(ogate_fit_min_frames(1.6 + 0.015 * 80), 9);   /* defaults at 80 fps */
	assert_int_equal(ogate_fit_min_frames(1.6 + 0.015 * 200), 11); /* defaults at 200 fps */
	assert_int_equal(ogate_fit_min_frames(-1.0), 2);
	assert_int_equal(ogate_fit_min_frames(NAN), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vfit_matches_reference_vectors),
		cmocka_unit_test(
			fit_min_frames_is_the_shortest_line_no_noisier_than_a_frame_where_it_triggers),
		cmocka_unit_test(vfit_ties_give_zero_offset_not_nan),
		cmocka_unit_test(wrap_maps_into_half_open_ranges),
		cmocka_unit_test(period_scan_matches_reference_on_real_sad_vectors),
		cmocka_unit_test(period_scan_at_buffer_limit_does_not_read_before_the_buffer),
		cmocka_unit_test(period_scan_never_extrapolates_past_the_next_lag),
		cmocka_unit_test(subframe_phase_matches_reference_when_the_minimum_is_unpadded),
		cmocka_unit_test(defect2_no_phase_zero_fallback_when_minimum_is_in_padding),
		cmocka_unit_test(target_and_barrier_match_reference),
		cmocka_unit_test(defect3_fit_window_reaches_exactly_back_to_the_barrier),
		cmocka_unit_test(linear_predictor_matches_reference_fit),
		cmocka_unit_test(trigger_decision_matches_reference_sequence),
		cmocka_unit_test(defect5_decision_uses_the_measured_interval),
		cmocka_unit_test(no_second_trigger_within_half_a_period_and_panic_inside_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
