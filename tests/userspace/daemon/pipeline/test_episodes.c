// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Episodes of skipped frames (episodes.c), the one logic a recording's and
 * an acquisition's summaries share: a gap close after the last one
 * continues its episode, a later one starts a new one; the list keeps the
 * first ones and counts them all; the open episode is listed last; the tag
 * is the first gap's and the worst lag is that of the frames near it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "episodes.h"

#define MS 1000000LL
#define SEC 1000000000LL

static void test_a_gap_within_the_quiet_time_continues_the_episode(void **state)
{
	struct ogate_episodes *e = ogate_episodes_new(10, SEC);
	const struct ogate_episode *ep;

	(void)state;
	assert_non_null(e);
	assert_int_equal(ogate_episodes_count(e), 0);
	assert_int_equal(ogate_episodes_listed(e), 0);
	ogate_episodes_gap(e, 10 * SEC, 10 * SEC + 50 * MS, 3, 7);
	ogate_episodes_gap(e, 10 * SEC + 900 * MS, 11 * SEC, 2, 8); /* 850 ms after its end */
	assert_int_equal(ogate_episodes_count(e), 1);
	assert_int_equal(ogate_episodes_frames(e), 5);
	assert_int_equal(ogate_episodes_listed(e), 1); /* the open one */
	ep = ogate_episodes_at(e, 0);
	assert_int_equal(ep->start_ns, 10 * SEC);
	assert_int_equal(ep->end_ns, 11 * SEC);
	assert_int_equal(ep->frames, 5);
	assert_int_equal(ep->tag, 7); /* the first gap's */
	ogate_episodes_free(e);
}

static void test_a_gap_after_the_quiet_time_starts_a_new_episode(void **state)
{
	struct ogate_episodes *e = ogate_episodes_new(10, SEC);

	(void)state;
	ogate_episodes_gap(e, 10 * SEC, 10 * SEC + 50 * MS, 3, 1);
	ogate_episodes_gap(e, 11 * SEC + 51 * MS, 11 * SEC + 100 * MS, 4, 2); /* 1.001 s after */
	assert_int_equal(ogate_episodes_count(e), 2);
	assert_int_equal(ogate_episodes_listed(e), 2);
	assert_int_equal(ogate_episodes_at(e, 0)->frames, 3);
	assert_int_equal(ogate_episodes_at(e, 1)->frames, 4);
	assert_int_equal(ogate_episodes_at(e, 1)->start_ns, 11 * SEC + 51 * MS);
	assert_int_equal(ogate_episodes_at(e, 1)->tag, 2);
	ogate_episodes_close(e);
	ogate_episodes_close(e); /* nothing open: nothing more */
	assert_int_equal(ogate_episodes_count(e), 2);
	assert_int_equal(ogate_episodes_listed(e), 2);
	ogate_episodes_gap(e, 12 * SEC, 12 * SEC, 0, 3); /* no frames: no gap */
	assert_int_equal(ogate_episodes_count(e), 2);
	ogate_episodes_free(e);
}

static void test_the_list_keeps_the_first_episodes_and_counts_them_all(void **state)
{
	struct ogate_episodes *e = ogate_episodes_new(20, SEC);

	(void)state;
	for (int i = 0; i < 50; i++) /* 2 s apart: each its own */
		ogate_episodes_gap(e, (int64_t)i * 2 * SEC, (int64_t)i * 2 * SEC + MS, 1, (uint64_t)i);
	assert_int_equal(ogate_episodes_count(e), 50);
	assert_int_equal(ogate_episodes_frames(e), 50);
	assert_int_equal(ogate_episodes_listed(e), 20);
	assert_int_equal(ogate_episodes_at(e, 19)->tag, 19);
	ogate_episodes_close(e);
	assert_int_equal(ogate_episodes_count(e), 50);
	assert_int_equal(ogate_episodes_listed(e), 20);
	ogate_episodes_reset(e);
	assert_int_equal(ogate_episodes_count(e), 0);
	assert_int_equal(ogate_episodes_frames(e), 0);
	assert_int_equal(ogate_episodes_listed(e), 0);
	ogate_episodes_free(e);
}

static void test_the_worst_lag_is_that_of_the_frames_near_the_episode(void **state)
{
	struct ogate_episodes *e = ogate_episodes_new(10, SEC);

	(void)state;
	ogate_episodes_lag(e, 9 * SEC, 500 * MS); /* no episode yet: nobody's */
	ogate_episodes_gap(e, 10 * SEC, 10 * SEC + 50 * MS, 3, 0);
	assert_true(ogate_episodes_at(e, 0)->lag_max_ns == INT64_MIN);
	ogate_episodes_lag(e, 10 * SEC + 50 * MS, 40 * MS);
	ogate_episodes_lag(e, 10 * SEC + 900 * MS, 60 * MS);
	ogate_episodes_lag(e, 11 * SEC + 100 * MS, 90 * MS); /* past the quiet time */
	assert_int_equal(ogate_episodes_at(e, 0)->lag_max_ns, 60 * MS);
	ogate_episodes_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_gap_within_the_quiet_time_continues_the_episode),
		cmocka_unit_test(test_a_gap_after_the_quiet_time_starts_a_new_episode),
		cmocka_unit_test(test_the_list_keeps_the_first_episodes_and_counts_them_all),
		cmocka_unit_test(test_the_worst_lag_is_that_of_the_frames_near_the_episode),
	};

	ogate_episodes_free(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
