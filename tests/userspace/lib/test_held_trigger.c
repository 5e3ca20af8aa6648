// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A trigger decided on a held frame (sync_hold.c, trigger.held = 1, opt-in): while reference.smooth's job
 * (or the first reference's move) holds the frames that arrive, none is phased, so a target due
 * then had no trigger (decided only on a phased frame). The frame that arrives held now decides
 * from the predictor's last state carried to its own timestamp: the trigger fires on time, at
 * the time that state forecasts, and once the held frames are matched nothing else changes (no
 * second trigger for the beat, the same phases and later triggers as without the key). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "predictor_private.h"
#include "heartrun.h"

#define SZ 96
#define FPS 60.0
#define NOISE 4.0
#define NF 400
#define SMALL (1L << 16) /* the smoothing job's budget: 12 frames held after the lock */

struct run {
	int has[NF];		  /* frame i has a history entry (it was matched) */
	double unw[NF];		  /* its unwrapped phase */
	int trig[NF], phased[NF]; /* a trigger was decided on frame i; frame i was phased then */
	int64_t trig_ns[NF];	  /* the trigger's time */
	int64_t want_ns[NF]; /* on a held frame: the time the predictor's last state forecasts */
	int est, held;
};

/* The forecast of the predictor's state after the frames phased so far, carried to f's
 * timestamp: the Kalman filter's phase at the newest phased frame plus its rate times the time
 * since, the wait to the target from there (the filter reads no window) */
static int64_t forecast_at(struct ogate_sync *sy, int64_t ts_ns)
{
	const struct hist *h0 = sync_hist_at(sy, 0);
	double wait;
	struct ogate_prediction pr; /* the newest phased frame's own forecast, its window and all */
	assert_int_equal(0, sync_forecast(sy, ogate_wrap_2pi(h0->unw), h0->unw, h0->t_ns, &pr));
	assert_int_equal(0, ogate_forecast_wait(pr.phase_now + pr.rate * (double)(ts_ns - h0->t_ns) * 1e-9,
						pr.rate, sy->info.target_phase, &wait));
	return ts_ns + (int64_t)llround(wait * 1e9);
}

/* A 0.8 s blob heart at 96^2 and 60 fps (48 frames a beat) with camera noise 4, locked on frame
 * 58 with a smoothed reference; the smoothing job's budget as given (0: built on the locking
 * frame, no frame held) and trigger.held */
static void heart_run(long budget, int held_key, struct run *out)
{
	memset(out, 0, sizeof(*out));
	out->est = -1;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	assert_int_equal(0, ogate_settings_set(&set, "trigger.held", held_key ? "1" : "0"));
	/* the forecast carried over the hold is pinned here: frame 69's is 3.2 ms ahead, inside the
	 * latency budget, a panic commit that trigger.panic_at_latency (the default) sends 15 ms
	 * after the frame instead (test_panic_trigger.c) */
	assert_int_equal(0, ogate_settings_set(&set, "trigger.panic_at_latency", "0"));
	/* and that panic commit is the lock's first beat's, which trigger.first_on_time (the
	 * default since session 33) refuses: the held decision is pinned without it */
	assert_int_equal(0, ogate_settings_set(&set, "trigger.first_on_time", "0"));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->smooth_budget = budget;
	const struct heartrun_spec spec = { .sz = SZ,
					    .blob_seed = 11,
					    .rng_seed = 5,
					    .law = { 0.8, 0.0, 0.0, 7.0, 1.5, NF / FPS },
					    .fps = FPS,
					    .noise = NOISE };
	struct heartrun *hr = heartrun_new(&spec);
	for (int i = 0; i < NF; i++) {
		struct ogate_sync_result r;
		const struct ogate_frame *f = heartrun_step(hr, sy, i, &r);
		if (r.established && out->est < 0)
			out->est = i;
		out->held += r.state == OGATE_SYNC_LOCKED && !r.has_phase;
		out->trig[i] = r.triggered;
		out->phased[i] = r.has_phase;
		out->trig_ns[i] = r.triggered ? r.trigger.time_ns : 0;
		if (r.triggered && !r.has_phase)
			out->want_ns[i] = forecast_at(sy, ogate_frame_get_meta(f)->timestamp_ns);
		const struct hist *e;
		for (int fi; (fi = heartrun_matched(hr, sy, i, &e)) >= 0;) {
			assert_false(out->has[fi]);
			out->has[fi] = 1;
			out->unw[fi] = e->unw;
		}
	}
	heartrun_free(hr);
	ogate_sync_free(sy);
}

static int first_trigger(const struct run *r)
{
	for (int i = 0; i < NF; i++)
		if (r->trig[i])
			return i;
	return -1;
}

/* The first target after the lock falls due while the smoothing job holds the frames: built on
 * the locking frame (nothing held) its trigger is decided on frame 67; held without the key it
 * is lost (the first trigger a beat later, on 115); with the key it is decided on held frame 69
 * at the time the predictor's state forecasts there, the one-frame build's to within 1 us (to the
 * ns here: the state is that of frame 67 carried on), and
 * every later trigger and every phase are those of the run without the key. */
static void a_trigger_due_on_a_held_frame_is_fired(void **state)
{
	static struct run one, lost, held;
	heart_run(0, 0, &one);
	heart_run(SMALL, 0, &lost);
	heart_run(SMALL, 1, &held);
	int f1 = first_trigger(&one), fl = first_trigger(&lost), fh = first_trigger(&held);
	print_message("one frame: est %d, first trigger %d at %lld ns; held %d frames: without the "
		      "key %d, with it %d at %lld ns (phased %d, forecast %lld ns)\n",
		      one.est, f1, (long long)one.trig_ns[f1], held.held, fl, fh,
		      (long long)held.trig_ns[fh], held.phased[fh], (long long)held.want_ns[fh]);
	assert_int_equal(one.est, held.est);
	assert_int_equal(one.held, 0);
	assert_true(held.held >= 10);
	assert_true(fl > f1 + 40); /* lost without the key: a beat later */
	assert_true(fh > held.est && fh <= held.est + held.held);
	assert_int_equal(held.phased[fh], 0); /* decided on a held frame */
	assert_true(held.trig_ns[fh] == held.want_ns[fh]);
	assert_true(llabs(held.trig_ns[fh] - one.trig_ns[f1]) < 1000);
	/* nothing else: no second trigger for the beat, the rest as without the key */
	for (int i = 0; i < NF; i++) {
		assert_int_equal(held.has[i], lost.has[i]);
		if (held.has[i])
			assert_true(held.unw[i] == lost.unw[i]);
		if (i == fh)
			continue;
		assert_int_equal(held.trig[i], lost.trig[i]);
		assert_true(held.trig_ns[i] == lost.trig_ns[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_trigger_due_on_a_held_frame_is_fired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
