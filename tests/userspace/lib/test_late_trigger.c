// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The late rule (sync_timing.c, sync_fire_late): a beat whose target the forecast crossing passes
 * between two forecasts (frames without one in between, a forecast that steps earlier by more
 * than a frame, or a wrong rate that held it ahead) is fired on the frame that finds it passed,
 * late and with its own reason;
 * a stream whose every beat is committed in time is unchanged, and a target passed by more than
 * the rule's bound or already triggered is not fired again. A clean ramp at 1 s a beat, 80 fps,
 * target 3 rad (crossed at 0.477 s), the linear predictor. sync.c is included to drive its
 * static decision. */
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

#include "ramp_sync.h"

static struct ogate_sync *new_sync(void)
{
	return ramp_sync_new(NULL);
}

/* Frame 35 (40 ms before the target) waits for a later frame; frames 36-38 have no forecast
 * (the Kalman filter restarting after outliers did that for 4 frames on a noise-free 48^2
 * heart); frame 39 finds the target passed 10 ms ago. Before the rule its wait rolled on to
 * almost a period and the beat was lost; now it fires at once, at the latency, as LATE. */
static void target_passed_between_two_forecasts_fires_late_at_once(void **state)
{
	struct ogate_sync *s = new_sync();
	struct ogate_sync_result r = ramp_decide_after(s, 35);
	assert_true(r.has_prediction);
	assert_false(r.triggered);
	assert_true(r.wait_s > 1.6 * IVL + s->set.latency_s);
	for (int i = 36; i <= 39; i++)
		ramp_push(s, i);
	r = ramp_decide(s, 39);
	assert_true(r.has_prediction);
	assert_true(r.wait_s > 1 - IVL); /* the forecast has the target passed */
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_LATE);
	assert_int_equal(r.trigger.time_ns, llround((39 * IVL + s->set.latency_s) * 1e9));
	assert_true(r.trigger.time_ns * 1e-9 - CROSS < 0.05); /* late by under 5 % of a period */
	/* the beat has its trigger: the next frame sends none */
	ramp_push(s, 40);
	r = ramp_decide(s, 40);
	assert_false(r.triggered);
	ogate_sync_free(s);
}

/* Every frame decides: frame 36 commits in time (STANDARD), as before; no late trigger follows. */
static void beat_committed_in_time_gets_no_late_trigger(void **state)
{
	struct ogate_sync *s = new_sync();
	int sent = 0;
	for (int i = 0; i <= 45; i++) {
		ramp_push(s, i);
		struct ogate_sync_result r = ramp_decide(s, i);
		if (r.triggered) {
			sent++;
			assert_int_equal(i, 36);
			assert_int_not_equal(r.trigger.reason, OGATE_TRIGGER_LATE);
		}
	}
	assert_int_equal(sent, 1);
	ogate_sync_free(s);
}

/* Frames 36-44 without a forecast: frame 45 finds the target passed 85 ms ago; a trigger then
 * would be 10 % of a period late: the beat is lost, not fired. */
static void target_passed_too_long_ago_is_not_fired(void **state)
{
	struct ogate_sync *s = new_sync();
	assert_false(ramp_decide_after(s, 35).triggered);
	for (int i = 36; i <= 45; i++)
		ramp_push(s, i);
	struct ogate_sync_result r = ramp_decide(s, 45);
	assert_true(r.has_prediction);
	assert_false(r.triggered);
	ogate_sync_free(s);
}

#define HOLD 31
/* A wrong rate can hold the forecast crossing ahead while the phase goes by it (a noisy
 * 300-frames-a-beat heart's line read its period as 4.3 s for 2.7). Frames 32-39 held at frame
 * 31's phase: frame 39, 10 ms past the crossing, still forecasts it 46 ms ahead and waits; then
 * the phases are the ramp's again (as if matched right) and frame 40 finds the crossing 22.5 ms
 * passed, before frame 39. The beat was missed all the same: fired late at once. */
static void target_passed_while_a_wrong_rate_held_it_ahead_fires_late(void **state)
{
	struct ogate_sync *s = new_sync();
	for (int i = 0; i <= HOLD; i++)
		ramp_push(s, i);
	for (int i = HOLD + 1; i <= 39; i++) {
		ramp_push(s, i);
		s->hist[(s->hhead + s->hcap - 1) % s->hcap].unw = 2 * M_PI * HOLD * IVL;
	}
	struct ogate_sync_result r = ramp_decide_at(s, 39, 2 * M_PI * HOLD * IVL);
	assert_true(r.has_prediction);
	assert_false(r.triggered);
	assert_true(r.wait_s > 1.6 * IVL + s->set.latency_s && r.wait_s < 0.5);
	for (int k = 0; k < s->hn; k++)
		s->hist[k].unw = 2 * M_PI * (double)s->hist[k].t_ns * 1e-9;
	ramp_push(s, 40);
	r = ramp_decide(s, 40);
	assert_true(r.has_prediction);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_LATE);
	/* the forecast crossing lies before frame 39, the last forecast that waited */
	assert_true(r.trigger.period_s - r.wait_s > IVL);
	assert_int_equal(r.trigger.time_ns, llround((40 * IVL + s->set.latency_s) * 1e9));
	ogate_sync_free(s);
}

/* trigger.late_max = 0: the instrument takes no late trigger; the beat is lost as before. */
static void late_max_zero_sends_no_late_trigger(void **state)
{
	struct ogate_sync *s = new_sync();
	s->set.late_max = 0;
	assert_false(ramp_decide_after(s, 35).triggered);
	for (int i = 36; i <= 39; i++)
		ramp_push(s, i);
	assert_false(ramp_decide(s, 39).triggered);
	ogate_sync_free(s);
}

/* No forecast waited before (the first forecast after a lock already has the target passed):
 * nothing to fire late; so too across a timestamp gap. */
static void no_late_trigger_without_a_forecast_that_waited_or_across_a_gap(void **state)
{
	struct ogate_sync *s = new_sync();
	assert_false(ramp_decide_after(s, 39).triggered);
	ogate_sync_free(s);

	s = new_sync();
	assert_false(ramp_decide_after(s, 35).triggered);
	for (int i = 36; i <= 39; i++) {
		ramp_push(s, i);
		if (i == 38)
			s->hist[(s->hhead + s->hcap - 1) % s->hcap].gap_before = 1;
	}
	assert_false(ramp_decide(s, 39).triggered);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(target_passed_between_two_forecasts_fires_late_at_once),
		cmocka_unit_test(beat_committed_in_time_gets_no_late_trigger),
		cmocka_unit_test(target_passed_too_long_ago_is_not_fired),
		cmocka_unit_test(target_passed_while_a_wrong_rate_held_it_ahead_fires_late),
		cmocka_unit_test(late_max_zero_sends_no_late_trigger),
		cmocka_unit_test(no_late_trigger_without_a_forecast_that_waited_or_across_a_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
