// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth spread over frames (sync_smooth.c, sync.c): the smoothed reference is built
 * in shares of at most a budget of pixels touched per frame, the frames that arrive meanwhile
 * are held and matched in arrival order once it is done, so every frame's phase is exactly that
 * of a build on the one frame that establishes the reference; a fast heart (not smoothed) holds
 * no frame. */
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
#include "heartrun.h"

#define SZ 96
#define FPS 60.0
#define NOISE 4.0
#define NF 700
#define BUDGET SYNC_SMOOTH_BUDGET
#define SMALL (1L << 16) /* a budget so small that the job would outlast a quarter beat */

struct run {
	int has[NF];			/* frame i has a history entry (it was matched) */
	double unw[NF], raw[NF], w[NF]; /* its unwrapped phase, before the calibration, position */
	int64_t t[NF];			/* its timestamp as recorded */
	int est;			/* the frame that established the first reference */
	int held;			/* locked frames returned without a phase */
	long touched_max, touched_est;	/* the smoothing's pixels on any frame after est, on est */
	int first_trigger;		/* the first frame a trigger was decided on, -1 none */
	int smoothed;
};

/* A slow (1.3 s, 78 frames a beat) or fast (0.3 s) cartoon heart at 96^2 and 60 fps with camera
 * noise 4, reference.smooth = auto, the job's budget as given (0: the whole on the establishing
 * frame, as before the job); every locked frame's history entry, read as it is written. */
static void heart_run(double period_s, long budget, struct run *out)
{
	memset(out, 0, sizeof(*out));
	out->est = out->first_trigger = -1;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0;	 /* pinned on the frames as recorded (test_match_blur.c) */
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->smooth_budget = budget;
	const struct heartrun_spec spec = { .sz = SZ,
					    .blob_seed = 11,
					    .rng_seed = 5,
					    .law = { period_s, 0.0, 0.0, 7.0, 2.1, 60.0 },
					    .fps = FPS,
					    .noise = NOISE };
	struct heartrun *hr = heartrun_new(&spec);
	for (int i = 0; i < NF; i++) {
		struct ogate_sync_result r;
		heartrun_step(hr, sy, i, &r);
		if (r.established && out->est < 0) {
			out->est = i;
			out->touched_est = sy->smooth_touched;
		} else if (out->est >= 0 && sy->smooth_touched > out->touched_max)
			out->touched_max = sy->smooth_touched;
		out->held += r.state == OGATE_SYNC_LOCKED && !r.has_phase;
		if (r.triggered && out->first_trigger < 0)
			out->first_trigger = i;
		/* the entries this frame wrote (held frames matched now, then this one) */
		const struct hist *e;
		for (int fi; (fi = heartrun_matched(hr, sy, i, &e)) >= 0;) {
			assert_false(out->has[fi]);
			out->has[fi] = 1;
			out->unw[fi] = e->unw;
			out->raw[fi] = e->raw;
			out->w[fi] = e->w;
			out->t[fi] = e->t_ns;
		}
	}
	struct ogate_reference_info info;
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	out->smoothed = info.smoothed;
	heartrun_free(hr);
	ogate_sync_free(sy);
}

/* The slow heart's reference is smoothed. Built on the establishing frame it touches several
 * budgets' worth of pixels there; spread over frames no frame's share exceeds the budget (one
 * unit at most, here far below it), the frames that arrive meanwhile are held (returned without
 * a phase) and every locked frame's phase, position and time are exactly those of the build on
 * one frame; the first trigger comes no earlier. */
static void a_smoothed_reference_is_built_over_frames_with_the_same_phases(void **state)
{
	static struct run one, sliced;
	heart_run(1.3, 0, &one);
	heart_run(1.3, BUDGET, &sliced);
	print_message("one frame: est %d touched %ld, held %d, first trigger %d; sliced: est %d "
		      "touched %ld (max %ld), held %d, first trigger %d\n",
		      one.est, one.touched_est, one.held, one.first_trigger, sliced.est,
		      sliced.touched_est, sliced.touched_max, sliced.held, sliced.first_trigger);
	assert_int_equal(one.smoothed, 1);
	assert_int_equal(sliced.smoothed, 1);
	assert_int_equal(one.est, sliced.est);
	assert_true(one.touched_est > 3 * BUDGET); /* 8.0 M (16.5 M before the 8-bit look's weight 1) */
	assert_true(sliced.touched_est <= BUDGET);
	assert_true(sliced.touched_max <= BUDGET);
	assert_int_equal(one.held, 0);
	assert_true(sliced.held >= 5);
	int n = 0;
	for (int i = 0; i < NF; i++) {
		assert_int_equal(one.has[i], sliced.has[i]);
		if (!one.has[i])
			continue;
		n++;
		assert_true(one.unw[i] == sliced.unw[i]);
		assert_true(one.raw[i] == sliced.raw[i]);
		assert_true(one.w[i] == sliced.w[i]);
		assert_true(one.t[i] == sliced.t[i]);
	}
	assert_int_equal(n, NF - 1 - one.est); /* every frame after the establishing one */
	assert_true(sliced.first_trigger >= one.first_trigger);
	assert_true(sliced.first_trigger > sliced.est + sliced.held);
}

/* A fast heart (its change above the noise: auto decides on its first look) holds no frame and
 * touches only the first look's samples. */
static void a_fast_heart_holds_no_frame(void **state)
{
	static struct run fast;
	heart_run(0.3, BUDGET, &fast);
	assert_int_equal(fast.smoothed, 0);
	assert_int_equal(fast.held, 0);
	assert_true(fast.touched_est > 0 && fast.touched_est <= 2 << 14);
	assert_int_equal(fast.touched_max, 0);
}

/* The frames held while the job runs end soon after a quarter beat (19 of this heart's 78
 * frames): with a budget that would need about 120 frames, the budget doubles with every frame
 * past the bound, so the job ends within log2(120) frames more (held frames caught up two a frame:
 * at most 2 x (19 + 9) + 2 held), no frame pays for the whole job, and every phase is still that
 * of the build on one frame. Without the bound 541 of its 700 frames are held and no trigger
 * comes at all; finishing the job on the bound's frame made that frame pay 14.4 M of the 16.5 M
 * pixels (the full look's pixels counted 4 times then; 1 now on 8-bit frames: the job is 8.0 M).
 * Now the job's budget is raised at its start to spread it over the quarter beat (sync_smooth.c,
 * jb->even), so the bound's doubling is a fallback: 36 frames held, at most 0.48 M a frame. */
static void the_hold_ends_at_a_quarter_beat(void **state)
{
	static struct run one, small;
	heart_run(1.3, 0, &one);
	heart_run(1.3, SMALL, &small);
	print_message("small budget: held %d, touched max %ld, first trigger %d (one frame: %d)\n",
		      small.held, small.touched_max, small.first_trigger, one.first_trigger);
	assert_int_equal(small.smoothed, 1);
	assert_true(small.touched_max > SMALL); /* past the bound */
	assert_true(small.touched_max < one.touched_est / 2);
	assert_true(small.held >= 19 && small.held <= 2 * (19 + 9) + 2);
	for (int i = 0; i < NF; i++) {
		assert_int_equal(one.has[i], small.has[i]);
		if (one.has[i])
			assert_true(one.unw[i] == small.unw[i] && one.t[i] == small.t[i]);
	}
	assert_int_equal(small.first_trigger, one.first_trigger);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_smoothed_reference_is_built_over_frames_with_the_same_phases),
		cmocka_unit_test(a_fast_heart_holds_no_frame),
		cmocka_unit_test(the_hold_ends_at_a_quarter_beat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
