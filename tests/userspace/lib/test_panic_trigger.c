// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The panic commit (sync_timing.c, sync_fire): a forecast closer than the latency budget
 * (prediction.latency_s, the time the instrument needs from a frame's timestamp to a trigger it
 * can still honour) commits at once, reason OGATE_TRIGGER_PANIC, and by default
 * (trigger.panic_at_latency = 1) the trigger is sent for the frame's time plus the budget: what
 * the sink gets is what fires. Sent for the forecast (the key at 0, before), the real chain fires
 * it late or refuses it as past while the emulator scored it on time. A clean ramp at 1 s a beat,
 * 80 fps, target 3 rad (crossed at 0.477 s), the linear predictor; the first forecast is frame 37's
 * (0.4625 s, 14.96 ms before the crossing). sync.c is included to drive its static decision. */
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

static int64_t sunk_ns;
static int sunk;

static void sink(void *ctx, const struct ogate_sync_trigger *t)
{
	(void)ctx;
	sunk_ns = t->time_ns;
	sunk++;
}

static struct ogate_sync *new_sync_late(const char *panic_at_latency, const char *late_max)
{
	const char *kv[5] = { 0 }, **k = kv;
	if (panic_at_latency) {
		*k++ = "trigger.panic_at_latency";
		*k++ = panic_at_latency;
	}
	if (late_max) {
		*k++ = "trigger.late_max";
		*k++ = late_max;
	}
	struct ogate_sync *s = ramp_sync_new(kv);
	ogate_sync_set_sink(s, sink, NULL);
	sunk = 0;
	return s;
}

static struct ogate_sync *new_sync(const char *panic_at_latency)
{
	return new_sync_late(panic_at_latency, NULL);
}

/* Frame 37's forecast has the crossing 14.96 ms ahead, inside the 15 ms budget: a panic commit,
 * sent for 37 x 12.5 ms + 15 ms (the sink told the same time), not for the crossing; the
 * beat has its trigger, so frame 38 sends none. */
static void panic_commit_is_sent_at_the_latency_after_its_frame(void **state)
{
	struct ogate_sync *s = new_sync(NULL);
	struct ogate_sync_result r = ramp_decide_after(s, 37);
	assert_true(r.has_prediction);
	assert_true(r.wait_s > 0 && r.wait_s < s->set.latency_s);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_PANIC);
	int64_t at = llround((37 * IVL + s->set.latency_s) * 1e9);
	assert_int_equal(r.trigger.time_ns, at);
	assert_int_equal(r.trigger.decided_at_ns, llround(37 * IVL * 1e9));
	assert_int_equal(sunk, 1);
	assert_int_equal(sunk_ns, at);
	ramp_push(s, 38);
	assert_false(ramp_decide(s, 38).triggered);
	assert_int_equal(sunk, 1);
	ogate_sync_free(s);
}

/* trigger.panic_at_latency = 0: the forecast's own time, as the reference sends it. */
static void panic_at_latency_zero_sends_the_forecast(void **state)
{
	struct ogate_sync *s = new_sync("0");
	struct ogate_sync_result r = ramp_decide_after(s, 37);
	assert_true(r.triggered);
	assert_int_equal(r.trigger.reason, OGATE_TRIGGER_PANIC);
	assert_true(llabs(r.trigger.time_ns - llround(CROSS * 1e9)) < 1000);
	assert_int_equal(sunk_ns, r.trigger.time_ns);
	ogate_sync_free(s);
}

/* A standard commit (frame 36: the crossing 27.5 ms ahead, the next frame's 1.6 intervals plus the
 * budget not left) is sent for the forecast whatever the key says. */
static void standard_commit_is_unchanged(void **state)
{
	for (int k = 0; k < 2; k++) {
		struct ogate_sync *s = new_sync(k ? "1" : "0");
		struct ogate_sync_result r = ramp_decide_after(s, 36);
		assert_true(r.triggered);
		assert_int_equal(r.trigger.reason, OGATE_TRIGGER_STANDARD);
		assert_true(llabs(r.trigger.time_ns - llround(CROSS * 1e9)) < 1000);
		ogate_sync_free(s);
	}
}

/* Frame 38 (0.475 s) is the first to decide: its forecast has the crossing 2.46 ms ahead, so the
 * panic trigger at 0.49 s would lag it by 12.54 ms. With trigger.late_max = 0.01 (10 ms of this
 * 1 s beat) that is too late: the beat is lost, nothing is sent, and frame 39 (the crossing
 * passed) sends nothing either; with 0.02 (20 ms) it is sent at the latency. */
static void panic_later_than_late_max_is_not_sent(void **state)
{
	const char *bound[2] = { "0.01", "0.02" };
	for (int k = 0; k < 2; k++) {
		struct ogate_sync *s = new_sync_late(NULL, bound[k]);
		struct ogate_sync_result r = ramp_decide_after(s, 38);
		assert_true(r.has_prediction);
		assert_true(fabs(r.wait_s - (CROSS - 38 * IVL)) < 1e-6);
		assert_int_equal(r.triggered, k);
		assert_int_equal(sunk, k);
		if (k)
			assert_int_equal(r.trigger.time_ns,
					 llround((38 * IVL + s->set.latency_s) * 1e9));
		ramp_push(s, 39);
		assert_false(ramp_decide(s, 39).triggered);
		assert_int_equal(sunk, k);
		ogate_sync_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(panic_commit_is_sent_at_the_latency_after_its_frame),
		cmocka_unit_test(panic_at_latency_zero_sends_the_forecast),
		cmocka_unit_test(standard_commit_is_unchanged),
		cmocka_unit_test(panic_later_than_late_max_is_not_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
