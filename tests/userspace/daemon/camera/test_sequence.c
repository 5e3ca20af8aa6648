// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Frames are not lost silently: the sensor's 32-bit frame counter is extended
 * to 64 bits across wraps and every gap is reported as dropped frames; where
 * the pipeline numbers only delivered frames, timestamp steps show the drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lc_common.h"

static void feed(struct ogate_lc_seq *s, uint32_t seq32, uint64_t want64, uint32_t want_gap, int want_ret)
{
	uint64_t seq64 = 0;
	uint32_t gap = 12345;

	assert_int_equal(ogate_lc_seq_next(s, seq32, &seq64, &gap), want_ret);
	assert_int_equal(seq64, want64);
	assert_int_equal(gap, want_gap);
}

static void first_frame_has_no_gap_whatever_its_number(void **state)
{
	struct ogate_lc_seq s = { 0 };

	feed(&s, 17, 17, 0, 0);
	feed(&s, 18, 18, 0, 0);
}

static void gaps_are_counted_as_dropped_frames(void **state)
{
	struct ogate_lc_seq s = { 0 };

	feed(&s, 0, 0, 0, 0);
	feed(&s, 1, 1, 0, 0);
	feed(&s, 5, 5, 3, 0);
	feed(&s, 6, 6, 0, 0);
	feed(&s, 1006, 1006, 999, 0);
}

static void counter_wrap_extends_to_64_bits_and_keeps_counting_gaps(void **state)
{
	struct ogate_lc_seq s = { 0 };

	feed(&s, UINT32_MAX - 1, UINT32_MAX - 1, 0, 0);
	feed(&s, UINT32_MAX, UINT32_MAX, 0, 0);
	feed(&s, 0, (uint64_t)1 << 32, 0, 0);
	feed(&s, 3, ((uint64_t)1 << 32) + 3, 2, 0);
	/* a wrap with frames missing across it */
	s.last = ((uint64_t)1 << 32) + UINT32_MAX - 2;
	feed(&s, 1, ((uint64_t)2 << 32) + 1, 3, 0);
}

static void backwards_or_repeated_counter_is_an_anomaly_not_a_drop(void **state)
{
	struct ogate_lc_seq s = { 0 };

	feed(&s, 100, 100, 0, 0);
	feed(&s, 100, 101, 0, 1); /* repeated */
	feed(&s, 50, 102, 0, 1);  /* backwards */
	feed(&s, 103, 103, 0, 0); /* back in step with the sensor */
}

static void restart_resets_the_extension(void **state)
{
	struct ogate_lc_seq s = { 0 };

	feed(&s, 40, 40, 0, 0);
	s = (struct ogate_lc_seq){ 0 }; /* what ogate_lc_start() does */
	feed(&s, 0, 0, 0, 0);
}

/* Pipelines that number only delivered frames: drops from timestamp steps. */
static void timestamp_steps_of_several_frame_durations_count_as_drops(void **state)
{
	const int64_t fd = 12500000; /* 80 fps */

	assert_int_equal(ogate_lc_ts_gap(1000, 1000 + fd, fd), 0);
	assert_int_equal(ogate_lc_ts_gap(1000, 1000 + 2 * fd, fd), 1);
	assert_int_equal(ogate_lc_ts_gap(1000, 1000 + 5 * fd, fd), 4);
	/* timestamp jitter below half a frame does not invent or hide a drop */
	assert_int_equal(ogate_lc_ts_gap(0, fd + fd * 4 / 10, fd), 0);
	assert_int_equal(ogate_lc_ts_gap(0, 2 * fd - fd * 4 / 10, fd), 1);
	assert_int_equal(ogate_lc_ts_gap(0, 3 * fd + fd * 4 / 10, fd), 2);
	/* no frame duration reported, or time not moving forward: no claim */
	assert_int_equal(ogate_lc_ts_gap(0, 10 * fd, 0), 0);
	assert_int_equal(ogate_lc_ts_gap(0, 10 * fd, -1), 0);
	assert_int_equal(ogate_lc_ts_gap(5 * fd, 5 * fd, fd), 0);
	assert_int_equal(ogate_lc_ts_gap(5 * fd, fd, fd), 0);
	/* a long stall saturates instead of wrapping */
	assert_int_equal(ogate_lc_ts_gap(0, INT64_MAX, 1), UINT32_MAX);
	assert_int_equal(ogate_lc_ts_gap(0, INT64_MAX, INT64_MAX - 1), 0);
	assert_int_equal(ogate_lc_ts_gap(-INT64_MAX / 2, INT64_MAX / 2 + 1, INT64_MAX / 2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_frame_has_no_gap_whatever_its_number),
		cmocka_unit_test(gaps_are_counted_as_dropped_frames),
		cmocka_unit_test(counter_wrap_extends_to_64_bits_and_keeps_counting_gaps),
		cmocka_unit_test(backwards_or_repeated_counter_is_an_anomaly_not_a_drop),
		cmocka_unit_test(restart_resets_the_extension),
		cmocka_unit_test(timestamp_steps_of_several_frame_durations_count_as_drops),
	};

	return cmocka_run_group_tests_name("camera_sequence", tests, NULL, NULL);
}
