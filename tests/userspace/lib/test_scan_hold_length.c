// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The hold the scan's spread move is fitted by (sync_scanreg.c, sync_scan_spread_fits and
 * sync_scan_spread_share) counts the frames it really holds (sync_hold.c, sync_hold_frames): its
 * shares, the smoothing job's start on a frame of its own, the first held frame's drift search
 * alone, then sync_held_per_frame a frame. It counted 2 m for m shares, 2 m + 2 held at two a
 * frame (10 frames where a quarter beat is 8 at 512^2). */
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

#define NF 260

struct run {
	int held, shares, L, scan, share_rule;
	int expect; /* sync_hold_frames for the shares the move took */
	double P;
};

/* the fast heart (0.4 s at 80 fps, 32 frames a beat) drifting 1.6 px a beat, which the scan
 * registers, at sz^2 with noise 4; reference.smooth as given */
static void heart_run(int sz, const char *smooth, struct run *out)
{
	memset(out, 0, sizeof(*out));
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "reference.smooth", smooth));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	const struct heartrun_spec spec = heartrun_fast_drifting(sz, NF);
	struct heartrun *hr = heartrun_new(&spec);
	int est = -1, last_j = 0;
	for (int i = 0; i < NF; i++) {
		struct ogate_sync_result r;
		heartrun_step(hr, sy, i, &r);
		if (r.established && est < 0) {
			est = i;
			assert_non_null(sy->shift.q); /* moved over the next frames */
			assert_int_equal(sy->shift.j, 0);
			out->L = sy->L;
			out->P = sy->info.period_frames;
			out->scan = sync_scan_drifting(sy);
			out->share_rule = sy->shift.n > 0;
			continue;
		}
		if (est < 0)
			continue;
		int j = sy->shift.q ? sy->shift.j : out->L;
		out->shares += j > last_j;
		last_j = j;
		out->held += r.state == OGATE_SYNC_LOCKED && !r.has_phase;
	}
	assert_true(est >= 0);
	out->expect = sync_hold_frames(sy, out->L, out->shares + (sy->set.ref_smooth != 0));
	heartrun_free(hr);
	ogate_sync_free(sy);
}

static void holds_what_its_rule_counts(int sz, const char *smooth, int share_rule)
{
	struct run run;
	heart_run(sz, smooth, &run);
	print_message("%d^2, reference.smooth %s: L %d, P %.2f, %d shares (%s), %d frames held, "
		      "the rule counts %d, a quarter beat %.2f\n",
		      sz, smooth, run.L, run.P, run.shares,
		      run.share_rule ? "larger shares" : "the budget's", run.held, run.expect,
		      run.P / 4);
	assert_true(run.scan);
	assert_int_equal(run.share_rule, share_rule);
	assert_true(run.shares >= 2);
	assert_int_equal(run.held, run.expect);
	assert_true(run.held <= (run.P / 4 > 4 ? run.P / 4 : 4)); /* and fits the quarter beat */
}

static void a_budget_spread_move_holds_what_its_rule_counts(void **state)
{
	(void)state;
	holds_what_its_rule_counts(192, "auto", 0);
}

static void a_larger_share_move_holds_what_its_rule_counts(void **state)
{
	(void)state;
	holds_what_its_rule_counts(320, "auto", 1);
}

static void a_larger_share_move_without_smoothing_holds_what_its_rule_counts(void **state)
{
	(void)state;
	holds_what_its_rule_counts(320, "0", 1);
}

/* the schedule itself: at two a frame m shares and the job's start hold 2 m + 2 frames */
static void two_a_frame_hold_twice_the_work(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->w = sy->h = 512;
	assert_int_equal(sync_held_per_frame(sy, 133, 0), 2); /* the slow heart's full searches */
	for (int work = 1; work <= 12; work++)
		assert_int_equal(sync_hold_frames(sy, 133, work), 2 * work);
	int k = sync_held_per_frame(sy, 37, 0);
	assert_true(k >= 3 && k <= 6); /* the fast heart's: a windowed step 0.25 ms, a search 0.3 */
	assert_int_equal(sync_held_per_frame(sy, 37, 1), 2); /* after a smoothing job: the old rate */
	sy->w = sy->h = 256;
	assert_int_equal(sync_held_per_frame(sy, 133, 1), 4);
	assert_int_equal(sync_held_per_frame(sy, 133, 0), 8);
	sy->w = sy->h = 128;
	assert_int_equal(sync_held_per_frame(sy, 133, 0), 8);
	assert_int_equal(sync_hold_frames(sy, 133, 5), 6); /* the work and the drift search */
	assert_int_equal(sync_hold_frames(sy, 133, 9), 11);
	ogate_sync_free(sy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_budget_spread_move_holds_what_its_rule_counts),
		cmocka_unit_test(a_larger_share_move_holds_what_its_rule_counts),
		cmocka_unit_test(a_larger_share_move_without_smoothing_holds_what_its_rule_counts),
		cmocka_unit_test(two_a_frame_hold_twice_the_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
