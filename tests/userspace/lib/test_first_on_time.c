// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lock's first beat (sync_timing.c, lock_first_beat; trigger.first_on_time, the default):
 * before a reference's first trigger and within a period of frames matched to it, a trigger is
 * sent only as a standard commit, on time; a panic commit (sent at the latency, late) or a late
 * one (the target passed between two forecasts) is refused and the beat left. After the first
 * trigger or the first beat both are sent again. The clean ramp of test_panic_trigger.c (1 s
 * beat, 80 fps, target crossed at 0.47746 s, latency 15 ms), set back to a fresh lock. */
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

/* the ramp just locked (no frame matched since the reference, no trigger); key NULL: default */
static struct ogate_sync *fresh_lock(const char *key)
{
	const char *kv[3] = { "trigger.first_on_time", key, NULL };
	struct ogate_sync *s = ramp_sync_new(key ? kv : NULL);
	s->frames_since_ref = 0;
	s->triggers_since_ref = 0;
	return s;
}

/* Frame 37's forecast has the crossing 14.96 ms ahead, inside the budget: on the lock's first
 * beat nothing is sent; with the key at 0 the panic commit is sent at the latency (15 ms after
 * the frame), as after the first beat. */
static void the_locks_first_beat_sends_no_panic_commit(void **state)
{
	(void)state;
	struct ogate_sync *s = fresh_lock(NULL);
	assert_int_equal(s->set.first_on_time, 1);
	struct ogate_sync_result r = ramp_decide_after(s, 37);
	assert_true(r.has_prediction);
	assert_true(r.wait_s > 0 && r.wait_s < s->set.latency_s);
	assert_false(r.triggered);
	ogate_sync_free(s);

	s = fresh_lock("0");
	r = ramp_decide_after(s, 37);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_PANIC);
	assert_int_equal(r.trigger.time_ns, llround((37 * IVL + s->set.latency_s) * 1e9));
	ogate_sync_free(s);
}

/* Frames 36-38 without a forecast, frame 39 finds the crossing passed: on the lock's first beat
 * no late trigger (after it, test_late_trigger.c's first test fires one at once). */
static void the_locks_first_beat_sends_no_late_trigger(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct ogate_sync *s = fresh_lock(k ? "0" : NULL);
		assert_false(ramp_decide_after(s, 35).triggered);
		for (int i = 36; i <= 39; i++)
			ramp_push(s, i);
		struct ogate_sync_result r = ramp_decide(s, 39);
		assert_true(r.has_prediction);
		assert_int_equal(r.triggered, k);
		if (k)
			assert_int_equal(r.trigger.reason, OGATE_TRIGGER_LATE);
		ogate_sync_free(s);
	}
}

/* A standard commit on the first beat is sent as ever (frame 36, 27.46 ms ahead). */
static void the_locks_first_beat_sends_a_standard_commit(void **state)
{
	(void)state;
	struct ogate_sync *s = fresh_lock(NULL);
	assert_false(ramp_decide_after(s, 35).triggered);
	ramp_push(s, 36);
	struct ogate_sync_result r = ramp_decide(s, 36);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_STANDARD);
	assert_true(llabs(r.trigger.time_ns - llround(CROSS * 1e9)) < 1000);
	ogate_sync_free(s);
}

/* After a trigger on this reference, or a period of frames matched to it (80 here; 79 is still
 * the first beat), frame 37's panic commit is sent. */
static void panic_commits_are_sent_after_the_first_trigger_or_beat(void **state)
{
	(void)state;
	const int trig[3] = { 1, 0, 0 }, frames[3] = { 0, 80, 79 }, sent[3] = { 1, 1, 0 };
	for (int k = 0; k < 3; k++) {
		struct ogate_sync *s = fresh_lock(NULL);
		s->triggers_since_ref = trig[k];
		s->frames_since_ref = frames[k];
		struct ogate_sync_result r = ramp_decide_after(s, 37);
		assert_int_equal(r.triggered, sent[k]);
		if (sent[k])
			assert_int_equal(r.trigger.reason, OGATE_TRIGGER_PANIC);
		ogate_sync_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_locks_first_beat_sends_no_panic_commit),
		cmocka_unit_test(the_locks_first_beat_sends_no_late_trigger),
		cmocka_unit_test(the_locks_first_beat_sends_a_standard_commit),
		cmocka_unit_test(panic_commits_are_sent_after_the_first_trigger_or_beat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
