// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The live phase-error check (sync_qa.c): a weighted parabola through 32 frames, or a whole
 * period, on each side of a trigger, cut at a refresh or a gap. The history is filled here as
 * the frame thread fills it, with phases whose value at the trigger is known exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "sync_private.h"
#include "qa_feed.h"

#define DT 0.0125 /* 80 fps */
#define W 15.0	  /* rad/s at the trigger: a 0.42 s heart */
#define T_TRIG 10.005

/* a sync whose only pending trigger fires at T_TRIG, 0.1 rad after the phase reached the target */
static struct ogate_sync *sync_with_a_late_trigger(double ref_period_frames)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	struct ogate_sync_trigger t = { .time_ns = llround(T_TRIG * 1e9),
					.ref_id = 1,
					.ref_period_frames = ref_period_frames,
					.target_phase = ogate_wrap_2pi(50.0 - 0.1) };
	sync_qa_add(s, &t);
	return s;
}

/* the phase law: 50 rad at the trigger, W rad/s there, the rate growing by a rad/s^2 */
static double phase_at(double t, double a)
{
	double x = t - T_TRIG;
	return 50.0 + W * x + 0.5 * a * x * x;
}

/* push frame i (at 9 s + i DT) of reference ref, after a gap if gap, its phase before the
 * calibration cal rad less than after it; 1 and *q if that judged the trigger */
static int push_cal(struct ogate_sync *s, int i, double a, uint32_t ref, int gap, double cal,
		    struct ogate_sync_qa *q)
{
	double t = 9.0 + i * DT;
	return qa_feed(s,
		       (struct hist){ .t_ns = llround(t * 1e9),
				      .unw = phase_at(t, a),
				      .raw = phase_at(t, a) - cal,
				      .ref_id = ref,
				      .gap_before = gap },
		       q);
}

static int push_gap(struct ogate_sync *s, int i, double a, uint32_t ref, int gap,
		    struct ogate_sync_qa *q)
{
	return push_cal(s, i, a, ref, gap, 0.0, q);
}

static int push(struct ogate_sync *s, int i, double a, uint32_t ref, struct ogate_sync_qa *q)
{
	return push_gap(s, i, a, ref, 0, q);
}

/* the index of the first frame after the trigger */
static int first_after(void)
{
	return (int)ceil((T_TRIG - 9.0) / DT);
}

/* A heart whose rate grows by 5 % a second (0.75 rad/s^2): the check reads exactly the 0.1 rad
 * (6.667 ms) by which the trigger was late. A line through the same 64 frames read 0.02 rad
 * (1.3 ms) less, the rate change taken for an error; through 8 frames a side, 0.001 rad. */
static void live_check_reads_a_changing_rate_without_error(void **state)
{
	struct ogate_sync *s = sync_with_a_late_trigger(33.6);
	struct ogate_sync_qa q;
	int judged = 0;
	for (int i = 0; i < 400 && !judged; i++)
		judged = push(s, i, 0.75, 1, &q);
	assert_true(judged);
	assert_int_equal(q.trigger_time_ns, llround(T_TRIG * 1e9));
	assert_true(fabs(q.phase_error - 0.1) < 1e-9);
	assert_true(fabs(q.error_s - 0.1 / W) < 1e-10);
	struct ogate_sync_qa_stats st;
	ogate_sync_get_qa_stats(s, &st);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.unchecked, 0);
	ogate_sync_free(s);
}

/* The check is made when the 32nd frame after the trigger arrives, or, on a heart of more than
 * 64 frames a beat, the frame a period after it (150 frames for a period of 150, 65 for 64.2). */
static void live_check_waits_for_32_frames_or_a_period(void **state)
{
	const double periods[] = { 33.6, 64.0, 64.2, 150.0 };
	const int after[] = { 32, 32, 65, 150 };
	for (int p = 0; p < 4; p++) {
		struct ogate_sync *s = sync_with_a_late_trigger(periods[p]);
		struct ogate_sync_qa q;
		int i = 0;
		while (i < 600 && !push(s, i, 0.0, 1, &q))
			i++;
		assert_int_equal(i - first_after() + 1, after[p]);
		assert_true(fabs(q.phase_error - 0.1) < 1e-9);
		ogate_sync_free(s);
	}
}

/* A refresh 5 frames after the trigger cuts the window there: the check is made when the first
 * frame of the new reference arrives, from those 5 frames and 32 before the trigger, and still
 * reads exactly 0.1 rad on the changing rate. With only 2 frames before the refresh it is not
 * made, and counted as unchecked. */
static void live_check_cut_by_a_refresh_uses_the_frames_before_it(void **state)
{
	for (int na = 5; na >= 2; na -= 3) {
		struct ogate_sync *s = sync_with_a_late_trigger(33.6);
		struct ogate_sync_qa q;
		int judged = 0, i = 0, refresh = first_after() + na;
		for (; i < 400 && !judged; i++)
			judged = push(s, i, 0.75, i < refresh ? 1 : 2, &q);
		struct ogate_sync_qa_stats st;
		ogate_sync_get_qa_stats(s, &st);
		if (na == 5) {
			assert_true(judged);
			assert_int_equal(i - 1, refresh);
			assert_true(fabs(q.phase_error - 0.1) < 1e-9);
			assert_int_equal(st.n, 1);
		} else {
			assert_false(judged);
			assert_int_equal(st.n, 0);
			assert_int_equal(st.unchecked, 1);
		}
		ogate_sync_free(s);
	}
}

/* A trigger handed over when 5 frames later than it have already arrived (a time in the past)
 * is judged on the 32nd frame after it all the same, exactly. */
static void live_check_of_a_trigger_in_the_past_counts_the_frames_after_it(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	struct ogate_sync_qa q;
	int i = 0;
	for (; i < first_after() + 5; i++)
		assert_false(push(s, i, 0.75, 1, &q));
	struct ogate_sync_trigger t = { .time_ns = llround(T_TRIG * 1e9),
					.ref_id = 1,
					.ref_period_frames = 33.6,
					.target_phase = ogate_wrap_2pi(50.0 - 0.1) };
	sync_qa_add(s, &t);
	while (i < 400 && !push(s, i, 0.75, 1, &q))
		i++;
	assert_int_equal(i - first_after() + 1, 32);
	assert_true(fabs(q.phase_error - 0.1) < 1e-9);
	ogate_sync_free(s);
}

/* A gap 5 frames before the trigger cuts the window's other side: the check is made from those
 * 5 frames and 32 after, exactly; with the gap 2 frames before, it is not made. */
static void live_check_cut_by_a_gap_before_the_trigger(void **state)
{
	for (int nb = 5; nb >= 2; nb -= 3) {
		struct ogate_sync *s = sync_with_a_late_trigger(33.6);
		struct ogate_sync_qa q;
		int judged = 0, gap = first_after() - nb;
		for (int i = 0; i < 400 && !judged; i++)
			judged = push_gap(s, i, 0.75, 1, i == gap, &q);
		struct ogate_sync_qa_stats st;
		ogate_sync_get_qa_stats(s, &st);
		assert_int_equal(judged, nb == 5);
		if (judged)
			assert_true(fabs(q.phase_error - 0.1) < 1e-9);
		assert_int_equal(st.n + st.unchecked, 1);
		ogate_sync_free(s);
	}
}

/* The position calibration moved every phase by +0.05 rad (it moves the phases near the target
 * and the prediction aims through that move): the check reads the level of the uncalibrated
 * phases, 0.1 - 0.05 rad, and the shape of the calibrated ones. On calibrated phases alone it
 * read 0.1 rad. */
static void live_check_reads_the_level_of_the_uncalibrated_phases(void **state)
{
	struct ogate_sync *s = sync_with_a_late_trigger(33.6);
	struct ogate_sync_qa q;
	int judged = 0;
	for (int i = 0; i < 400 && !judged; i++)
		judged = push_cal(s, i, 0.75, 1, 0, 0.05, &q);
	assert_true(judged);
	assert_true(fabs(q.phase_error - 0.05) < 1e-9);
	assert_true(fabs(q.error_s - 0.05 / W) < 1e-10);
	ogate_sync_free(s);
}

/* The calibration's move is averaged over the last checks of a reference and target: +0.05 rad
 * at a first trigger, +0.15 rad at a second one 5 beats later, so the second reads its error
 * less 0.1 rad; a trigger of another reference 5 beats later starts over (less 0.15 rad). */
static void live_check_averages_the_calibrations_move_per_reference(void **state)
{
	struct ogate_sync *s = sync_with_a_late_trigger(33.6);
	struct ogate_sync_qa q;
	const double move[] = { 0.05, 0.1, 0.15 };
	int i = 0;
	for (int k = 0; k < 3; k++) {
		/* the trigger 0.1 rad after the phase reached the target 5 k beats later */
		double x = (-W + sqrt(W * W + 4 * 0.375 * 2 * M_PI * 5 * k)) / 0.75;
		int64_t tns = llround((T_TRIG + x) * 1e9);
		if (k) {
			struct ogate_sync_trigger t = { .time_ns = tns,
							.ref_id = k == 2 ? 2 : 1,
							.ref_period_frames = 33.6,
							.target_phase = ogate_wrap_2pi(50.0 - 0.1) };
			sync_qa_add(s, &t);
		}
		int judged = 0;
		for (; i < 800 && !judged; i++) {
			double t = 9.0 + i * DT;
			judged = push_cal(s, i, 0.75, t < T_TRIG + 3.0 ? 1 : 2, 0,
					  t < T_TRIG + 1.0 ? 0.05 : 0.15, &q);
		}
		assert_true(judged);
		double late = phase_at((double)tns * 1e-9, 0.75) - 50.0 - 2 * M_PI * 5 * k + 0.1;
		assert_true(fabs(late - 0.1) < 1e-7);
		assert_true(fabs(q.phase_error - (late - move[k])) < 1e-9);
	}
	ogate_sync_free(s);
}

/* N(u) = d u / (P + d) + k u (u - P) / (2 P), the reference beat's map (sync_calib.c) with
 * trend k and the reference's length P + d */
static double map_n(double u, double k, double P)
{
	const double d = 0.2;
	return d * u / (P + d) + k * u * (u - P) / (2 * P);
}

/* The beat length grew by 5 % across the reference's beat (k = 0.05) and the reference holds
 * 0.2 frame more than P (d): a frame whose phase linear in time puts it at reference position
 * x shows w, where w - N(w) = x; its uncalibrated phase is the linear phase plus N(w), its
 * calibrated phase the linear phase plus N at the target (the pin, sync_calib.c) plus 0.05 rad
 * (the calibration's move, as above). The check reads the linear phase at the trigger plus N
 * at the target: 0.1 rad, exactly. The truth at the trigger (N at its own position, half a
 * frame on) is 0.1037 rad; the level of the uncalibrated phases as they were read 0.0639. */
static void live_check_takes_the_reference_beats_map_out_of_the_uncalibrated_level(void **state)
{
	const double P = 33.6, k = 0.05, a = 0.75;
	struct ogate_sync *s = sync_with_a_late_trigger(P);
	s->info.period_frames = P;
	s->cal_trend = k;
	s->cal_delta = 0.2;
	/* the trigger fires 0.1 rad (linear) after the target */
	struct ogate_sync_trigger *t = &s->qa_pend[0];
	double ut = ogate_wrap_2pi(50.0 - 0.1) * P / (2 * M_PI);
	t->target_u = ut;
	t->target_phase = ogate_wrap_2pi(50.0 - 0.1 + 2 * M_PI * map_n(ut, k, P) / P);
	struct ogate_sync_qa q = { 0 };
	int judged = 0;
	for (int i = 0; i < 400 && !judged; i++) {
		double tt = 9.0 + i * DT, lin = phase_at(tt, a);
		double x = ogate_wrap_2pi(lin) * P / (2 * M_PI), w = x;
		for (int it = 0; it < 50; it++)
			w = x + map_n(w, k, P);
		judged = qa_feed(s,
				 (struct hist){ .t_ns = llround(tt * 1e9),
						.unw = lin + 2 * M_PI * map_n(ut, k, P) / P + 0.05,
						.raw = lin + 2 * M_PI * map_n(w, k, P) / P,
						.w = w,
						.ref_id = 1 },
				 &q);
	}
	assert_true(judged);
	assert_true(fabs(q.phase_error - 0.1) < 1e-9);
	double xt = ogate_wrap_2pi(50.0) * P / (2 * M_PI), wt = xt;
	for (int it = 0; it < 50; it++)
		wt = xt + map_n(wt, k, P);
	double truth = 0.1 + 2 * M_PI * (map_n(wt, k, P) - map_n(ut, k, P)) / P;
	assert_true(fabs(q.phase_error - truth) < 0.004);
	ogate_sync_free(s);
}

/* a deterministic draw in [-1, 1) */
static double draw(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*x >> 11) / 4503599627370496.0 - 1.0;
}

/* On a slow heart (150 frames a beat) whose frames carry matching noise, the check averages a
 * whole beat a side: over 200 triggers its error's RMS is 0.0025 rad for up to 0.05 rad a frame
 * (uniform, sd 0.029), as a parabola through 300 equal frames has it. Half a beat a side, as
 * before, gave 0.0033 rad. The
 * uncalibrated level equals the calibrated one here, so this is the calibrated fit's noise. */
static void live_check_on_a_slow_beat_averages_a_beat_of_noise_a_side(void **state)
{
	uint64_t x = 12345;
	double ss = 0;
	int n = 0;
	for (int k = 0; k < 200; k++) {
		struct ogate_sync *s = sync_with_a_late_trigger(150.0);
		struct ogate_sync_qa q;
		int judged = 0;
		for (int i = 0; i < 600 && !judged; i++) {
			double t = 9.0 + i * DT, ph = phase_at(t, 0.0) + 0.05 * draw(&x);
			judged = qa_feed(s,
					 (struct hist){ .t_ns = llround(t * 1e9),
							.unw = ph,
							.raw = ph,
							.ref_id = 1 },
					 &q);
		}
		assert_true(judged);
		ss += (q.phase_error - 0.1) * (q.phase_error - 0.1);
		n++;
		ogate_sync_free(s);
	}
	double rms = sqrt(ss / n);
	print_message("slow beat: check error RMS %.5f rad over %d triggers\n", rms, n);
	assert_true(rms < 0.0028);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_check_reads_a_changing_rate_without_error),
		cmocka_unit_test(live_check_waits_for_32_frames_or_a_period),
		cmocka_unit_test(live_check_on_a_slow_beat_averages_a_beat_of_noise_a_side),
		cmocka_unit_test(live_check_cut_by_a_refresh_uses_the_frames_before_it),
		cmocka_unit_test(live_check_cut_by_a_gap_before_the_trigger),
		cmocka_unit_test(live_check_of_a_trigger_in_the_past_counts_the_frames_after_it),
		cmocka_unit_test(live_check_reads_the_level_of_the_uncalibrated_phases),
		cmocka_unit_test(live_check_averages_the_calibrations_move_per_reference),
		cmocka_unit_test(live_check_takes_the_reference_beats_map_out_of_the_uncalibrated_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
