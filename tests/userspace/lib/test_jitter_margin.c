// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The standard commit's horizon under capture jitter (sync_timing.c, sync_fire;
 * trigger.jitter_margin): a frame commits when the next one, next_frame_factor intervals on,
 * could no longer act in time; with uneven captures the next frame may come later than that, and
 * its forecast then finds the target inside the latency budget (a panic commit, sent late). The
 * horizon is the larger of next_frame_factor intervals and one interval plus jitter_margin
 * spreads of the intervals (sync_interval_spread), so even captures decide as before. A clean ramp
 * at 1 s a beat, 80 fps (12.5 ms), target 3 rad (crossed at 0.47746 s), latency 15 ms, the linear
 * predictor: frame 35's forecast has the crossing 39.96 ms ahead, frame 36's 27.46 ms. */
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

/* the ramp with intervals of spread sd_s (s) and the key at margin (NULL: the default) */
static struct ogate_sync *new_sync(double sd_s, const char *margin)
{
	const char *kv[3] = { "trigger.jitter_margin", margin, NULL };
	struct ogate_sync *s = ramp_sync_new(margin ? kv : NULL);
	s->ivl_dev = sd_s / 1.2533; /* sync_interval_spread: 1.2533 x the mean absolute deviation */
	s->ivl_dev_n = 64;
	return s;
}

/* frame 35 waits and frame 36 commits a standard trigger for the crossing (the horizon of
 * next_frame_factor's 1.6 intervals); frees s */
static void waits_then_commits_at_frame_36(struct ogate_sync *s)
{
	struct ogate_sync_result r = ramp_decide_after(s, 35);
	assert_true(r.has_prediction);
	assert_false(r.triggered);
	ramp_push(s, 36);
	r = ramp_decide(s, 36);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_STANDARD);
	assert_true(llabs(r.trigger.time_ns - llround(CROSS * 1e9)) < 1000);
	ogate_sync_free(s);
}

/* Intervals spread by 5 ms: the next frame may come 12.5 + 3 x 5 = 27.5 ms on, where the crossing
 * is then 12.5 ms ahead, inside the 15 ms budget. Frame 35 (39.96 ms ahead, within 27.5 + 15) commits
 * a standard trigger for the crossing; with the key at 0 it waits (frame 36 commits). */
static void a_frame_commits_when_the_next_may_come_too_late_under_jitter(void **state)
{
	(void)state;
	struct ogate_sync *s = new_sync(0.005, NULL);
	assert_float_equal(s->set.jitter_margin, 3, 0);
	struct ogate_sync_result r = ramp_decide_after(s, 35);
	assert_true(r.has_prediction);
	assert_float_equal(r.wait_s, CROSS - 35 * IVL, 1e-6);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_STANDARD);
	assert_true(llabs(r.trigger.time_ns - llround(CROSS * 1e9)) < 1000);
	ogate_sync_free(s);

	waits_then_commits_at_frame_36(new_sync(0.005, "0"));
}

/* Intervals spread by 2 ms (1 + 3 x 0.16 = 1.48 intervals, inside next_frame_factor's 1.6) and even
 * captures: frame 35 waits and frame 36 commits, as without the key. */
static void jitter_within_the_next_frames_margin_changes_nothing(void **state)
{
	(void)state;
	const double sd[2] = { 0, 0.002 };
	for (int k = 0; k < 2; k++)
		waits_then_commits_at_frame_36(new_sync(sd[k], NULL));
}

/* the key's range: 0 (off) to 100 spreads */
static void the_margin_is_a_number_of_spreads_from_0_to_100(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "trigger.jitter_margin", "0"));
	assert_int_equal(0, ogate_settings_set(&set, "trigger.jitter_margin", "100"));
	assert_int_equal(-EINVAL, ogate_settings_set(&set, "trigger.jitter_margin", "-1"));
	assert_int_equal(-EINVAL, ogate_settings_set(&set, "trigger.jitter_margin", "101"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_frame_commits_when_the_next_may_come_too_late_under_jitter),
		cmocka_unit_test(jitter_within_the_next_frames_margin_changes_nothing),
		cmocka_unit_test(the_margin_is_a_number_of_spreads_from_0_to_100),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
