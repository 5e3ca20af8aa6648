// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The frame thread's pace (pace.h): backlog and every k-th frame from the measured cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pace.h"

#define MS 1000000LL
#define IVL (25 * MS / 2) /* 80 fps */

/* n frames of the given cost, every k-th camera frame from seq *s on; the last non-zero answer */
static unsigned feed(struct ogate_pace *p, uint64_t *s, unsigned k, int n, int64_t cost)
{
	unsigned got = 0;

	for (int i = 0; i < n; i++, *s += k) {
		unsigned r = ogate_pace_frame(p, (int64_t)*s * IVL, *s, cost);

		if (r)
			got = r;
	}
	return got;
}

static void test_the_camera_interval_is_measured_per_sequence_step(void **state)
{
	struct ogate_pace p;
	uint64_t s = 100;

	ogate_pace_init(&p, 0);
	assert_int_equal(0, ogate_pace_backlog_ns(&p)); /* unknown interval: newest first */
	feed(&p, &s, 3, 5, 2 * MS);
	assert_int_equal(IVL, p.ivl_ns);
	assert_int_equal(4 * IVL, ogate_pace_backlog_ns(&p));
}

static void test_one_slow_frame_in_a_full_window_is_no_load(void **state)
{
	struct ogate_pace p;
	uint64_t s = 0;

	ogate_pace_init(&p, 0);
	assert_int_equal(0, feed(&p, &s, 1, 20, 5 * MS));
	assert_int_equal(0, feed(&p, &s, 1, 1, 3 * IVL));
	assert_int_equal(5 * MS, p.cost_ns);
	assert_int_equal(4 * IVL, ogate_pace_backlog_ns(&p));
	assert_int_equal(0, feed(&p, &s, 1, 15, 5 * MS)); /* and it leaves the window */
	assert_int_equal(1, p.every);
}

static void test_a_sustained_overload_turns_the_backlog_off_then_raises_k(void **state)
{
	struct ogate_pace p;
	uint64_t s = 0;

	ogate_pace_init(&p, 0);
	/* from the start, before the window is full: newest first, k held */
	assert_int_equal(0, feed(&p, &s, 1, 5, 3 * IVL));
	assert_int_equal(0, ogate_pace_backlog_ns(&p));
	/* once 16 frames are timed: the smallest k at which the cost is at most 0.8 */
	assert_int_equal(4, feed(&p, &s, 1, 11, 3 * IVL));
	ogate_pace_set_every(&p, 4);
	assert_int_equal(16 * IVL, ogate_pace_backlog_ns(&p));
	assert_int_equal(0, feed(&p, &s, 4, 40, 3 * IVL));
}

static void test_k_comes_down_only_where_the_cost_would_be_half_the_time_for_64_frames(void **state)
{
	struct ogate_pace p;
	uint64_t s = 0;

	ogate_pace_init(&p, 0);
	ogate_pace_set_every(&p, 4);
	/* 1.9 intervals: 2 would be 95 % busy, 3 63 %: stays at 4 (48 %)... */
	assert_int_equal(0, feed(&p, &s, 4, 40, 19 * IVL / 10));
	/* ...1.4: 3 would be 47 %: down to 3 once that held for 64 frames in a row
	 * (from the 12th at 1.4, where the window's mean fell to 1.5); a stall
	 * does not break the run */
	assert_int_equal(0, feed(&p, &s, 4, 74, 14 * IVL / 10));
	assert_int_equal(3, feed(&p, &s, 4, 1, 50 * IVL));
	ogate_pace_set_every(&p, 3);
	/* 0.4 (every frame would be 40 %), but a spell at 1.4 starts the run anew */
	assert_int_equal(0, feed(&p, &s, 3, 56, 4 * IVL / 10));
	assert_int_equal(0, feed(&p, &s, 3, 20, 14 * IVL / 10));
	assert_int_equal(0, feed(&p, &s, 3, 60, 4 * IVL / 10));
	assert_int_equal(1, feed(&p, &s, 3, 20, 4 * IVL / 10));
}

static void test_k_is_capped_and_one_never_decimates(void **state)
{
	struct ogate_pace p;
	uint64_t s = 0;

	ogate_pace_init(&p, 0);
	assert_int_equal(OGATE_PACE_MAX_EVERY, feed(&p, &s, 1, 16, 100 * IVL));
	ogate_pace_init(&p, 1);
	assert_int_equal(0, feed(&p, &s, 1, 40, 100 * IVL));
	assert_int_equal(1, p.every);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_camera_interval_is_measured_per_sequence_step),
		cmocka_unit_test(test_one_slow_frame_in_a_full_window_is_no_load),
		cmocka_unit_test(test_a_sustained_overload_turns_the_backlog_off_then_raises_k),
		cmocka_unit_test(
			test_k_comes_down_only_where_the_cost_would_be_half_the_time_for_64_frames),
		cmocka_unit_test(test_k_is_capped_and_one_never_decimates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
