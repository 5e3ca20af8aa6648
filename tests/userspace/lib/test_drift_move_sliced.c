// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.drift_move's (and on the scan-registered path reference.spread_move's) move of the
 * first reference spread over frames (sync_scanreg.c,
 * sync_scan_shift_work; sync.c holds the frames meanwhile, as for reference.smooth's job): the
 * frame that establishes the reference moves none of its frames, each later frame at most
 * SYNC_SHIFT_BUDGET pixels of them, and the moved frames, every locked frame's phase and every
 * trigger are exactly those of the move on the one frame (smooth_budget 0, as before). All at
 * once the move took 2.3 ms at 160^2 and 25 ms at 512^2 on that frame (issue 9: no frame over
 * 2 ms). A smoothed reference's job starts once its frames are moved (its first look reads them
 * moved). */
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

#define NF 500
#define NOISE 4.0

/* the stream's drift (px a frame, rows and cols) and the keys */
struct drift {
	double vy, vx;
	int key;    /* reference.drift_move */
	int spread; /* reference.spread_move */
};
/* 0.19 px a beat at 0.4 s and 80 fps: register_drift measures it (reference.drift_move = 1) */
static const struct drift SLOW_DRIFT = { 0.006, -0.0045, 1, 0 };
/* 1.6 px a beat there: the period scan registers it (sync_scanreg.c), reference.spread_move = 1 */
static const struct drift FAST_DRIFT = { 0.04, -0.03, 0, 1 };
/* 2 px a beat at 1.3 s and 60 fps, reference.spread_move = 1 */
static const struct drift SLOW_HEART_DRIFT = { 0.02, -0.015, 0, 1 };
/* the fast drift with the defaults */
static const struct drift FAST_DRIFT_DEFAULT = { 0.04, -0.03, 0, 0 };

struct run {
	int has[NF];			/* frame i has a history entry (it was matched) */
	double unw[NF], raw[NF], w[NF]; /* its unwrapped phase, before the calibration, position */
	int64_t t[NF];			/* its timestamp as recorded */
	int trig[NF];			/* a trigger was decided on frame i */
	int64_t trig_ns[NF];		/* and its time */
	int est;			/* the frame that established the first reference */
	int held;			/* locked frames returned without a phase */
	int moved_est;			/* reference frames moved on the establishing frame */
	int moved_max;			/* and on any later frame */
	int move_frames;		/* frames after est until the move was done */
	long touched_done;		/* the smoothing's pixels on that frame */
	int L, smoothed;
	double vel;   /* the move's velocity, |rows| + |cols| px a frame */
	int scan;     /* the period scan registered the drift (sync_scanreg.c) */
	uint8_t *ref; /* the reference's frames at the end, L x sz x sz */
};

/* A blob heart (period_s, at fps) at sz^2 drifting by dr (px a frame) with noise 4, dr's keys
 * (reference.drift_move, reference.spread_move), the smoothing's budget as given (0: everything
 * on the establishing frame, the move too) */
static void heart_run(int sz, double period_s, double fps, const struct drift *dr, long budget,
		      struct run *out)
{
	memset(out, 0, sizeof(*out));
	out->est = -1;
	struct ogate_settings set;
	ogate_settings_default(&set);
	if (dr->key)
		assert_int_equal(0, ogate_settings_set(&set, "reference.drift_move", "1"));
	if (dr->spread)
		assert_int_equal(0, ogate_settings_set(&set, "reference.spread_move", "1"));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->smooth_budget = budget;
	const struct heartrun_spec spec = { .sz = sz,
					    .blob_seed = 3,
					    .rng_seed = 9,
					    .law = { period_s, 0.0, 0.0, 7.0, 0.9, NF / fps },
					    .fps = fps,
					    .noise = NOISE,
					    .vy = dr->vy,
					    .vx = dr->vx };
	struct heartrun *hr = heartrun_new(&spec);
	int last_j = 0;
	for (int i = 0; i < NF; i++) {
		struct ogate_sync_result r;
		heartrun_step(hr, sy, i, &r);
		int j = sy->shift.q ? sy->shift.j : out->L;
		if (r.established && out->est < 0) {
			out->est = i;
			out->L = sy->L;
			out->moved_est = sy->shift.q ? sy->shift.j : sy->L;
			out->vel = fabs(sy->sq[0].reg_vel[0]) + fabs(sy->sq[0].reg_vel[1]);
			out->scan = sync_scan_drifting(sy);
			last_j = out->moved_est;
			if (!sy->shift.q)
				out->move_frames = -1; /* all at once */
		} else if (out->est >= 0 && out->move_frames == 0) {
			out->moved_max = j - last_j > out->moved_max ? j - last_j : out->moved_max;
			last_j = j;
			if (j == out->L) {
				out->move_frames = i - out->est;
				out->touched_done = sy->smooth_touched;
			}
		}
		out->held += r.state == OGATE_SYNC_LOCKED && !r.has_phase;
		out->trig[i] = r.triggered;
		out->trig_ns[i] = r.triggered ? r.trigger.time_ns : 0;
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
	assert_true(out->est >= 0);
	struct ogate_reference_info info;
	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	out->smoothed = info.smoothed;
	size_t np = (size_t)sz * sz;
	out->ref = malloc(np * (size_t)out->L);
	assert_non_null(out->ref);
	for (int k = 0; k < out->L; k++)
		for (int y = 0; y < sz; y++)
			memcpy(out->ref + np * k + (size_t)y * sz,
			       ogate_frame_row(sy->sq[0].f[k], y), (size_t)sz);
	heartrun_free(hr);
	ogate_sync_free(sy);
}

/* the spread run against the one-frame run: the same lock, frames moved alike to the bit, every
 * phase and trigger the same; its shares within the budget */
static void same_as_at_once_in(int sz, double period_s, double fps, const struct drift *dr,
			       int want_smoothed, int share)
{
	static struct run one, sliced;
	heart_run(sz, period_s, fps, dr, 0, &one);
	heart_run(sz, period_s, fps, dr, SYNC_SMOOTH_BUDGET, &sliced);
	int per = (int)(SYNC_SHIFT_BUDGET / ((long)sz * sz));
	per = share > 0 ? share : per > 1 ? per : 1;
	print_message("%d^2, %.2f s: one frame: est %d, L %d, held %d, smoothed %d; spread: est %d, "
		      "moved %d on it, at most %d a frame (budget %d), done after %d frames, held "
		      "%d, smoothed %d, velocity %.4f, scan %d\n",
		      sz, period_s, one.est, one.L, one.held, one.smoothed, sliced.est,
		      sliced.moved_est, sliced.moved_max, per, sliced.move_frames, sliced.held,
		      sliced.smoothed, sliced.vel, sliced.scan);
	assert_true(sliced.vel > 0.005);      /* the drift was measured: the reference is moved */
	assert_int_equal(one.scan, !dr->key); /* by the scan where the key is off */
	assert_int_equal(sliced.scan, !dr->key);
	assert_int_equal(one.est, sliced.est);
	assert_int_equal(one.L, sliced.L);
	assert_int_equal(one.move_frames, -1);
	assert_int_equal(sliced.moved_est, 0);
	assert_true(sliced.moved_max >= 1 && sliced.moved_max <= per);
	if (share > 0)
		assert_int_equal(sliced.moved_max, share);
	assert_int_equal(sliced.move_frames, (sliced.L + per - 1) / per);
	assert_true(sliced.held >= sliced.move_frames);
	assert_int_equal(sliced.touched_done, 0); /* the smoothing's start on a frame of its own */
	assert_int_equal(one.smoothed, want_smoothed);
	assert_int_equal(sliced.smoothed, want_smoothed);
	if (!want_smoothed)
		assert_int_equal(one.held, 0);
	size_t np = (size_t)sz * sz;
	assert_memory_equal(one.ref, sliced.ref, np * (size_t)one.L);
	int n = 0, nt = 0;
	for (int i = 0; i < NF; i++) {
		assert_int_equal(one.has[i], sliced.has[i]);
		assert_int_equal(one.trig[i], sliced.trig[i]);
		assert_true(one.trig_ns[i] == sliced.trig_ns[i]);
		nt += one.trig[i];
		if (!one.has[i])
			continue;
		n++;
		assert_true(one.unw[i] == sliced.unw[i]);
		assert_true(one.raw[i] == sliced.raw[i]);
		assert_true(one.w[i] == sliced.w[i]);
		assert_true(one.t[i] == sliced.t[i]);
	}
	assert_int_equal(n, NF - 1 - one.est); /* every frame after the establishing one */
	assert_true(nt >= 3);
	free(one.ref);
	free(sliced.ref);
}

/* shares of SYNC_SHIFT_BUDGET pixels */
static void same_as_at_once(int sz, double period_s, double fps, const struct drift *dr,
			    int want_smoothed)
{
	same_as_at_once_in(sz, period_s, fps, dr, want_smoothed, 0);
}

/* A fast heart (0.4 s at 80 fps, 37 reference frames) at 192^2: 14 frames moved a frame, three
 * frames held for the move; not smoothed. */
static void a_moved_reference_is_moved_over_frames_with_the_same_phases(void **state)
{
	(void)state;
	same_as_at_once(192, 0.4, 80.0, &SLOW_DRIFT, 0);
}

/* A slow heart (1.3 s at 60 fps, 83 reference frames) at 96^2, smoothed (reference.smooth =
 * auto): its job starts once the frames are moved, and its result is the same. */
static void a_smoothed_reference_is_smoothed_after_its_move(void **state)
{
	(void)state;
	same_as_at_once(96, 1.3, 60.0, &SLOW_DRIFT, 1);
}

/* The scan-registered path (a drift over a pixel a beat, reference.drift_move = 0) with
 * reference.spread_move = 1: its first reference is moved over the frames after the one that
 * establishes it too (all at once 3.0 ms at 160^2 and 25 ms at 512^2 on that frame), with the
 * same phases. */
static void a_scan_registered_reference_is_moved_over_frames_with_the_same_phases(void **state)
{
	(void)state;
	same_as_at_once(192, 0.4, 80.0, &FAST_DRIFT, 0);
}

static void a_scan_registered_smoothed_reference_is_smoothed_after_its_move(void **state)
{
	(void)state;
	same_as_at_once(96, 1.3, 60.0, &SLOW_HEART_DRIFT, 1);
}

/* By default the scan-registered path moves its first reference over the next frames where the
 * frames it holds fit a quarter beat (sync_scan_spread_fits), as at 192^2 here, with the same
 * phases as the move on one frame; beyond, in larger shares (below: from 256^2 at 32 frames a
 * beat for the zeroed object here, two a frame without a budget, from about 300^2 with it); with reference.spread_move = 0 all at once (the held frames would outlast the first
 * target and lose its trigger, 384^2 and up). */
static void a_scan_registered_reference_is_spread_by_default_where_its_hold_fits(void **state)
{
	(void)state;
	same_as_at_once(192, 0.4, 80.0, &FAST_DRIFT_DEFAULT, 0);
	struct ogate_sync s = { 0 };
	struct seq q = { 0 };
	q.L = 37;
	const int sizes[] = { 128, 160, 192, 224, 256, 384, 512 }, fits[] = { 1, 1, 1, 1, 0, 0, 0 };
	for (int k = 0; k < 7; k++) {
		s.w = s.h = sizes[k];
		assert_int_equal(fits[k], sync_scan_spread_fits(&s, &q, 32.0));
	}
	s.w = s.h = 512; /* a slow heart's longer beat: a longer hold fits */
	q.L = 80;
	assert_int_equal(0, sync_scan_spread_fits(&s, &q, 78.0));
	s.w = s.h = 160;
	assert_int_equal(1, sync_scan_spread_fits(&s, &q, 78.0));
}

/* Where the hold at SYNC_SHIFT_BUDGET pixels a frame would outlast a quarter beat (from about
 * 300^2 at 32 frames a beat, the hold counted as it is, sync_hold_frames; the move on one frame
 * cost 4.7 ms at 512^2 with the AVX2 taps, 25 ms in the plain loops), the default
 * (reference.spread_move = 2) moves it in as many shares as the hold fits: 320^2, 36 frames, a
 * quarter beat of 8 frames, 5 shares of 8 (the budget's 5 a frame would take 8), with the same
 * phases and triggers as the move on one frame. With the shares of a zeroed object (no budget:
 * two a frame, no smoothing job) the hold is twice the shares, as the rule once counted. */
static void
a_scan_registered_reference_is_spread_in_larger_shares_where_its_hold_would_not_fit(void **state)
{
	(void)state;
	same_as_at_once_in(320, 0.4, 80.0, &FAST_DRIFT_DEFAULT, 0, 8);
	struct ogate_sync s = { 0 };
	struct seq q = { 0 };
	q.L = 37;
	const int sizes[] = { 192, 256, 384, 512, 1024 }, share[] = { 14, 10, 10, 10, 10 };
	for (int k = 0; k < 5; k++) {
		s.w = s.h = sizes[k];
		assert_int_equal(share[k], sync_scan_spread_share(&s, &q, 32.0));
	}
	s.w = s.h = 512; /* a slow heart's longer beat: more shares fit (19.5 / 2 = 9) */
	q.L = 80;
	assert_int_equal(9, sync_scan_spread_share(&s, &q, 78.0));
	s.w = s.h = 64; /* the budget's frames when they are more (128 a frame at 64^2) */
	assert_int_equal(128, sync_scan_spread_share(&s, &q, 78.0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_moved_reference_is_moved_over_frames_with_the_same_phases),
		cmocka_unit_test(a_smoothed_reference_is_smoothed_after_its_move),
		cmocka_unit_test(a_scan_registered_reference_is_moved_over_frames_with_the_same_phases),
		cmocka_unit_test(a_scan_registered_smoothed_reference_is_smoothed_after_its_move),
		cmocka_unit_test(a_scan_registered_reference_is_spread_by_default_where_its_hold_fits),
		cmocka_unit_test(
			a_scan_registered_reference_is_spread_in_larger_shares_where_its_hold_would_not_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
