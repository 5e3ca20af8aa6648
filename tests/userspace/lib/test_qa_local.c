// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The live check's uncalibrated level on a slow beat (sync_qa.c, sync.qa_local): where a beat
 * holds more than 64 frames the check's level reads half a period on each side (its calibrated
 * fit a whole period where the beat model is believed), and the uncalibrated
 * phases carry the reference beat's own map N at every frame. By default the check takes the
 * beat model's N (sync_calib.c: trend k and delta) out of them; where that model misses, the
 * parabola through a whole beat reads the miss (unseen-101's u35_blob80_1.91s_118fps: delta
 * -3.94 frames where the beat held P, +18 ms on every trigger). Where the model was not measured
 * after the reference, or its delta lies beyond a frame, the level now comes from
 * sync.qa_local = 32 frames a side without the model, with a step where the reference wraps:
 * the parabola takes up N's own shape there and the step its jump, whatever the model says. */
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
#define W 5.0	  /* rad/s at the trigger: 100.5 frames a beat */
#define A 0.25	  /* rad/s^2: the rate grows by 5 % a second */
#define T_TRIG 10.005
#define P (2 * M_PI / (W * DT))

/* the phase linear in time (with the rate's change): 50 rad at the trigger, 0.1 rad after the
 * target; 50 rad lies 4.3 frames before the reference's wrap, so the check's window holds it */
static double lin_at(double t)
{
	double x = t - T_TRIG;
	return 50.0 + W * x + 0.5 * A * x * x;
}

/* the reference beat's true map: delta u / (P + delta) (the beat it holds is P + delta) */
static double true_n(double u, double delta)
{
	return delta * u / (P + delta);
}

/* a sync (sync.qa_local = K) whose beat model says model_delta (the beats after the reference
 * measured if measured) while the beat the reference
 * holds is P + true_delta, with one trigger fired 0.1 rad (linear) after its target; the
 * history filled as the frame thread fills it (calibrated phases 0.05 rad above the linear
 * phase plus N at the target, as the calibration's pin leaves them) until the check is made.
 * The check's phase error and, in *truth, the error at the trigger (N at its own position). */
static double check(int K, double model_delta, int measured, double true_delta, double *truth)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.qa_local = K;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->info.period_frames = P;
	s->cal_delta = model_delta;
	s->cal_ivl_ns = measured ? DT * 1e9 : 0;
	s->info.id = 1;
	double ut = ogate_wrap_2pi(50.0 - 0.1) * P / (2 * M_PI);
	double nt = 2 * M_PI * true_n(ut, true_delta) / P;
	struct ogate_sync_trigger t = { .time_ns = llround(T_TRIG * 1e9),
					.ref_id = 1,
					.ref_period_frames = P,
					.target_u = ut,
					.target_phase = ogate_wrap_2pi(50.0 - 0.1 + nt) };
	sync_qa_add(s, &t);
	struct ogate_sync_qa q = { 0 };
	int judged = 0;
	for (int i = 0; i < 600 && !judged; i++) {
		double tt = 9.0 + i * DT, lin = lin_at(tt);
		/* the position w a frame shows: w - N(w) = x, its linear position */
		double x = ogate_wrap_2pi(lin) * P / (2 * M_PI), w = x * (P + true_delta) / P;
		judged = qa_feed(s,
				 (struct hist){ .t_ns = llround(tt * 1e9),
						.unw = lin + nt + 0.05,
						.raw = lin + 2 * M_PI * true_n(w, true_delta) / P,
						.w = w,
						.ref_id = 1 },
				 &q);
	}
	assert_true(judged);
	double x0 = ogate_wrap_2pi(50.0) * P / (2 * M_PI);
	*truth = 0.1 +
		 2 * M_PI * (true_n(x0 * (P + true_delta) / P, true_delta) - true_n(ut, true_delta)) / P;
	ogate_sync_free(s);
	return q.phase_error;
}

/* The model's delta -4 frames where the beat holds P (u35's miss, its beats after the reference
 * measured): the check read the model's false jump at the wrap and its slope over the beat,
 * -0.0028 rad for 0.1 (21 ms off at this rate; sync.qa_local = 0 still does); now the truth. */
static void live_check_on_a_slow_beat_does_not_read_a_wrong_beat_model(void **state)
{
	double truth = 0;
	double was = check(0, -4.0, 1, 0.0, &truth);
	assert_true(fabs(truth - 0.1) < 1e-12);
	assert_true(fabs(was - truth) > 0.1); /* the cause: the model's miss read */
	double now = check(32, -4.0, 1, 0.0, &truth);
	assert_true(fabs(now - truth) < 1e-6);
}

/* The beat holds P + 0.5 frames while the model has no delta, the beats after the reference not
 * measured (dropped under a resampled drift): the uncalibrated phases fall back by 0.5 frame
 * at the wrap. The parabola through a whole beat read part of that fall and the slope of N
 * across the beat (0.0878 rad for 0.1006: 2.6 ms); the step takes the fall up and the check
 * reads the error at the trigger, N at the trigger's own position included. */
static void live_check_on_a_slow_beat_takes_the_wrap_s_step_up(void **state)
{
	double truth = 0;
	double was = check(0, 0.0, 0, 0.5, &truth);
	assert_true(fabs(was - truth) > 0.01);
	double now = check(32, 0.0, 0, 0.5, &truth);
	assert_true(fabs(now - truth) < 1e-6);
	now = check(48, 0.0, 0, 0.5, &truth);
	assert_true(fabs(now - truth) < 1e-6);
}

/* A beat model measured after the reference, delta within a frame, is believed: the check
 * reads the linear phase plus N at the target, 0.1 rad, as before (N's change from the target
 * to the trigger, 0.0006 rad, 0.13 ms, left); the same model not measured: the truth. */
static void live_check_on_a_slow_beat_believes_a_measured_beat_model(void **state)
{
	double truth = 0;
	double q = check(32, 0.5, 1, 0.5, &truth);
	assert_true(fabs(q - 0.1) < 1e-9);
	q = check(32, 0.5, 0, 0.5, &truth);
	assert_true(fabs(q - truth) < 1e-6);
	assert_true(fabs(truth - 0.1) > 5e-4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_check_on_a_slow_beat_does_not_read_a_wrong_beat_model),
		cmocka_unit_test(live_check_on_a_slow_beat_takes_the_wrap_s_step_up),
		cmocka_unit_test(live_check_on_a_slow_beat_believes_a_measured_beat_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
