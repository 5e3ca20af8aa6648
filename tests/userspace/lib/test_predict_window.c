// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The fit window on the reference's predict_trigger_wait vectors: it reaches back exactly to
 * the barrier (two frames fewer than the reference's off-by-two lookup), or after a lock to the
 * reference's first frame once that holds half a beat, and never spans a reference change or a
 * timestamp gap. sync.c is included to drive its static predictor. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* the pipeline's internals, compiled into this test (found through -Iuserspace/lib) */
#include "sync.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "ref_vectors.h"
#include "qa_feed.h"

/* A frame the test needs: it stops here if the frame cannot be made. */
static struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

/* a sync object with a fake current reference (P, barrier 1, target) and 40 history entries */
static struct ogate_sync *with_history(const double *t, const double *phi, int first_new_ref, int gap_at)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* the window is the linear fit's (the Kalman filter keeps its own state) */
	assert_int_equal(0, ogate_settings_set(&set, "prediction.predictor", "linear"));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->have_ref = 1;
	s->info.id = 2;
	s->info.period_frames = est_period;
	s->info.barrier = (int)tb_barrier;
	s->info.target_phase = ptw_target;
	s->configured = 1;
	for (int i = 0; i < 40; i++) {
		hist_push(s, (struct hist){ .t_ns = llround(t[i] * 1e9),
					    .unw = phi[i],
					    .ref_id = i < first_new_ref ? 1 : 2,
					    .gap_before = i == gap_at });
	}
	for (int i = 0; i < IVL_N; i++)
		s->ivl[i] = 0.0125;
	s->ivl_n = IVL_N;
	/* past trigger.first_on_time's first beat, whose own refusal test_first_on_time.c pins */
	s->frames_since_ref = (int)ceil(est_period);
	return s;
}

static struct ogate_sync_result predict(struct ogate_sync *s, const double *t, const double *phi)
{
	struct ogate_sync_result r = { 0 };
	struct ogate_frame *f = new_frame(OGATE_PIX_U8, 8, 8);
	struct ogate_frame_meta m = { .timestamp_ns = llround(t[39] * 1e9), .sequence = 39 };
	ogate_frame_set_meta(f, &m);
	r.phase = ogate_wrap_2pi(phi[39]);
	r.unwrapped = phi[39];
	sync_predict_and_decide(s, f, &r);
	ogate_frame_free(f);
	return r;
}

static double fit_wait(const double *t, const double *phi, int n)
{
	struct ogate_predictor *p = NULL;
	struct ogate_prediction out;
	assert_int_equal(0, ogate_predictor_new(&p, "linear"));
	assert_int_equal(
		ogate_predictor_predict(p, t + 40 - n, phi + 40 - n, (size_t)n, ptw_target, &out), 0);
	ogate_predictor_free(p);
	return out.wait_s;
}

static void clean_ramp_fits_back_to_the_barrier_two_frames_fewer_than_reference(void **state)
{
	struct ogate_sync *s = with_history(ptw0_t, ptw0_phi, 0, -1);
	struct ogate_sync_result r = predict(s, ptw0_t, ptw0_phi);
	assert_true(r.has_prediction);
	int ours = (int)ptw0_used - 2; /* the reference's window starts two frames before the barrier */
	assert_true(fabs(r.wait_s - fit_wait(ptw0_t, ptw0_phi, ours)) < 1e-12);
	assert_true(fabs(r.wait_s - ptw0_wait) < 1e-3); /* a clean ramp: same forecast either way */
	ogate_sync_free(s);
}

static void noisy_ramp_window_starts_at_the_barrier(void **state)
{
	struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 0, -1);
	struct ogate_sync_result r = predict(s, ptw1_t, ptw1_phi);
	assert_true(r.has_prediction);
	/* window: the frames whose unwrapped phase is at or after the barrier crossing */
	double since =
		ogate_wrap_2pi(ogate_wrap_2pi(ptw1_phi[39]) - 2 * M_PI * tb_barrier / est_period);
	int n = 0;
	while (n < 32 && ptw1_phi[39 - n] >= ptw1_phi[39] - since - 1e-9)
		n++;
	assert_true(n >= ogate_fit_min_frames(1.6 + 0.015 / 0.0125)); /* the barrier is far enough back */
	assert_true(fabs(r.wait_s - fit_wait(ptw1_t, ptw1_phi, n)) < 1e-12);
	assert_true(n < (int)ptw1_used);
	ogate_sync_free(s);
}

/* Few frames per beat: the barrier ~4 frames back. A line through those, carried up to
 * next_frame_factor + latency / interval = 2.8 frames ahead, would triple each frame's
 * matching error; the window reaches back ogate_fit_min_frames(2.8) = 9 frames instead. */
static void window_reaches_back_far_enough_to_extrapolate_when_the_barrier_is_close(void **state)
{
	struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 0, -1);
	double P = s->info.period_frames, u = ogate_wrap_2pi(ptw1_phi[39]) * P / (2 * M_PI);
	s->info.barrier = (int)fmod(floor(u - 3.5) + P, P);
	struct ogate_sync_result r = predict(s, ptw1_t, ptw1_phi);
	assert_true(r.has_prediction);
	assert_int_equal(ogate_fit_min_frames(1.6 + 0.015 / 0.0125), 9);
	assert_true(fabs(r.wait_s - fit_wait(ptw1_t, ptw1_phi, 9)) < 1e-12);
	ogate_sync_free(s);
}

/* Just after a lock or a reference change the barrier can be reached with fewer frames than a
 * line needs to extrapolate (9 here): no prediction then, rather than one from 6 frames (which
 * put the first trigger after a lock at 7.4 frames per beat 50 ms early, one of its 4 frames
 * matched a frame late); with 9 frames of the new reference it predicts from those 9. */
static void no_prediction_from_fewer_frames_than_the_extrapolation_needs(void **state)
{
	for (int have = 6; have <= 9; have += 3) {
		struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 40 - have, -1);
		double P = s->info.period_frames, u = ogate_wrap_2pi(ptw1_phi[39]) * P / (2 * M_PI);
		s->info.barrier = (int)fmod(floor(u - 3.5) + P, P);
		struct ogate_sync_result r = predict(s, ptw1_t, ptw1_phi);
		if (have < 9) {
			assert_false(r.has_prediction);
		} else {
			assert_true(r.has_prediction);
			assert_true(fabs(r.wait_s - fit_wait(ptw1_t, ptw1_phi, 9)) < 1e-12);
		}
		ogate_sync_free(s);
	}
}

/* After a lock the barrier's crossing can lie before the reference's first frame in the history
 * (its frames all after it): with half a beat of them the window is those frames
 * (prediction.window_from_lock, the default), which none reached before (a target just past
 * the barrier lost the beat after the lock: coverage 96 % on unseen-103.txt's u02_real240). */
static void window_from_the_lock_once_half_a_beat_holds_no_barrier_crossing(void **state)
{
	for (int key = 1; key >= 0; key--) {
		struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 20, -1);
		double P = s->info.period_frames, u = ogate_wrap_2pi(ptw1_phi[39]) * P / (2 * M_PI);
		s->info.barrier = (int)fmod(floor(u - 25) + P, P); /* crossed ~25 frames back */
		s->set.window_from_lock = key;
		assert_true(20 >= P / 2);
		struct ogate_sync_result r = predict(s, ptw1_t, ptw1_phi);
		if (key) {
			assert_true(r.has_prediction);
			assert_true(s->fit_from_lock);
			assert_true(fabs(r.wait_s - fit_wait(ptw1_t, ptw1_phi, 20)) < 1e-12);
		} else {
			assert_false(r.has_prediction);
		}
		ogate_sync_free(s);
	}
}

/* Fewer frames since the lock than half a beat: no forecast yet, as before. */
static void no_window_from_the_lock_below_half_a_beat(void **state)
{
	struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 40 - 12, -1);
	double P = s->info.period_frames, u = ogate_wrap_2pi(ptw1_phi[39]) * P / (2 * M_PI);
	s->info.barrier = (int)fmod(floor(u - 25) + P, P);
	assert_true(12 < P / 2 && 12 >= ogate_fit_min_frames(1.6 + 0.015 / 0.0125));
	struct ogate_sync_result r = predict(s, ptw1_t, ptw1_phi);
	assert_false(r.has_prediction);
	ogate_sync_free(s);
}

/* A forecast from the lock's frames commits a standard trigger only: a panic one (the crossing
 * closer than the latency) is not sent (one fired 10.7 ms late on unseen-102.txt's
 * u32_blob48_0.39s_42fps), while the same forecast from a window back to the barrier is. */
static void a_forecast_from_the_lock_sends_no_panic_trigger(void **state)
{
	for (int from_lock = 0; from_lock <= 1; from_lock++) {
		struct ogate_sync *s = with_history(ptw1_t, ptw1_phi, 0, -1);
		struct ogate_sync_result r = { 0 };
		struct ogate_frame *f = new_frame(OGATE_PIX_U8, 8, 8);
		struct ogate_frame_meta m = { .timestamp_ns = llround(ptw1_t[39] * 1e9),
					      .sequence = 39 };
		ogate_frame_set_meta(f, &m);
		s->fit_from_lock = from_lock;
		int fired = sync_fire(s, f, 0.005, 2 * M_PI / 0.42, &r);
		assert_int_equal(fired, !from_lock);
		if (fired)
			assert_int_equal(r.trigger.reason, OGATE_TRIGGER_PANIC);
		ogate_frame_free(f);
		ogate_sync_free(s);
	}
}

static void window_never_spans_a_reference_change(void **state)
{
	/* reference: fit_barrier on entry 35 -> no prediction; here entries up to 35 belong to
	 * the previous reference */
	struct ogate_sync *s = with_history(ptw2_t, ptw2_phi, ptw2_fit_barrier + 1, -1);
	struct ogate_sync_result r = predict(s, ptw2_t, ptw2_phi);
	assert_true(ptw2_wait == -1);
	assert_false(r.has_prediction);
	ogate_sync_free(s);
}

static void window_never_spans_a_timestamp_gap(void **state)
{
	int gap = -1;
	for (int i = 1; i < 40; i++)
		if (ptw3_t[i] - ptw3_t[i - 1] > 0.02)
			gap = i;
	assert_true(gap > 0);
	struct ogate_sync *s = with_history(ptw3_t, ptw3_phi, 0, gap);
	struct ogate_sync_result r = predict(s, ptw3_t, ptw3_phi);
	assert_true(ptw3_wait == -1);
	assert_false(r.has_prediction);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_ramp_fits_back_to_the_barrier_two_frames_fewer_than_reference),
		cmocka_unit_test(noisy_ramp_window_starts_at_the_barrier),
		cmocka_unit_test(window_reaches_back_far_enough_to_extrapolate_when_the_barrier_is_close),
		cmocka_unit_test(no_prediction_from_fewer_frames_than_the_extrapolation_needs),
		cmocka_unit_test(window_from_the_lock_once_half_a_beat_holds_no_barrier_crossing),
		cmocka_unit_test(no_window_from_the_lock_below_half_a_beat),
		cmocka_unit_test(a_forecast_from_the_lock_sends_no_panic_trigger),
		cmocka_unit_test(window_never_spans_a_reference_change),
		cmocka_unit_test(window_never_spans_a_timestamp_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
