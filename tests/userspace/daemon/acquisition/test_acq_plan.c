// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * zstack / timelapse arguments: every number is checked before use (finite,
 * in range, integral for counts) and the refusal names the bound. Built
 * with UBSan including float-cast-overflow: a cast of an unchecked double
 * would abort the suite.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "acq.h"

static char err[400];

static int parse(struct ogate_acq_plan *pl, const char *words)
{
	static char buf[512];
	char *argv[24], *save, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok_r(buf, " ", &save); w && argc < 23; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	err[0] = '\0';
	return ogate_acq_plan_parse(argc, argv, pl, err, sizeof(err));
}

static void refused(const char *words, const char *why)
{
	struct ogate_acq_plan pl;

	assert_int_equal(parse(&pl, words), -EINVAL);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' does not say '%s'", words, err, why);
}

static void test_a_full_timelapse_is_read_exactly(void **state)
{
	struct ogate_acq_plan pl;

	assert_int_equal(
		parse(&pl, "timelapse stacks=6 every_s=600 planes=40 step_um=2.5 ref_plane=20 per_plane=3 start_um=-100 max_triggers=1000 time_limit_s=3600"),
		0);
	assert_int_equal(pl.stacks, 6);
	assert_true(pl.every_s == 600);
	assert_int_equal(pl.planes, 40);
	assert_true(pl.step_um == 2.5);
	assert_int_equal(pl.ref_plane, 20);
	assert_int_equal(pl.per_plane, 3);
	assert_true(pl.start_um == -100);
	assert_true(pl.max_triggers == 1000);
	assert_true(pl.time_limit_s == 3600);
	assert_int_equal(parse(&pl, "zstack planes=10 step_um=5"), 0);
	assert_true(isnan(pl.start_um));
	assert_int_equal(pl.stacks, 1);
	assert_int_equal(pl.ref_plane, -1);
}

static void test_huge_and_infinite_times_are_refused_naming_the_bound(void **state)
{
	refused("timelapse stacks=2 every_s=1e10 planes=1 step_um=1",
		"every_s=1e10: must be seconds in [0.001, 31536000]");
	refused("timelapse stacks=2 every_s=inf planes=1 step_um=1", "every_s=inf");
	refused("timelapse stacks=2 every_s=nan planes=1 step_um=1", "every_s=nan");
	refused("timelapse stacks=2 every_s=-1 planes=1 step_um=1", "every_s=-1");
	refused("timelapse stacks=2 every_s=0 planes=1 step_um=1", "every_s=0");
	refused("zstack planes=2 step_um=1 time_limit_s=inf",
		"time_limit_s=inf: must be seconds in [0, 31536000]");
	refused("zstack planes=2 step_um=1 time_limit_s=1e300", "time_limit_s=1e300");
}

static void test_counts_must_be_integers_in_range(void **state)
{
	refused("zstack planes=2.9 step_um=1", "planes=2.9: must be an integer 1..10000");
	refused("zstack planes=1e300 step_um=1", "planes=1e300");
	refused("zstack planes=-1e300 step_um=1", "planes=-1e300");
	refused("zstack planes=0 step_um=1", "planes=0");
	refused("zstack planes=10001 step_um=1", "planes=10001");
	refused("zstack planes=2 step_um=1 per_plane=0.5", "per_plane=0.5");
	refused("zstack planes=2 step_um=1 per_plane=101", "per_plane=101: must be an integer 1..100");
	refused("zstack planes=2 step_um=1 max_triggers=1e30", "max_triggers=1e30");
	refused("zstack planes=2 step_um=1 max_triggers=-3", "max_triggers=-3");
	refused("timelapse stacks=2.5 every_s=1 planes=1 step_um=1", "stacks=2.5");
	refused("timelapse stacks=1e12 every_s=1 planes=1 step_um=1", "stacks=1e12");
	refused("timelapse stacks=2 every_s=1 planes=3 step_um=1 ref_plane=3",
		"ref_plane=3: must be -1..2");
	refused("timelapse stacks=2 every_s=1 planes=3 step_um=1 ref_plane=1e40", "ref_plane=1e40");
}

static void test_positions_must_be_finite_and_bounded(void **state)
{
	refused("zstack planes=2 step_um=inf", "step_um=inf");
	refused("zstack planes=2 step_um=nan", "step_um=nan");
	refused("zstack planes=2 step_um=2e6", "step_um=2e6: must be a number of um in [-1e6, 1e6]");
	refused("zstack planes=2 step_um=1 start_um=-inf", "start_um=-inf");
}

static void test_words_that_are_not_key_number_pairs_are_named(void **state)
{
	refused("zstack planes=2 step_um=oops", "step_um=oops");
	refused("zstack planes=2 step_um=", "step_um=");
	refused("zstack planes=2 step_um=1x", "step_um=1x");
	refused("zstack planes=2 speed=3 step_um=1", "'speed=3' is not one of");
	refused("zstack planes=2 step_um", "'step_um' is not one of");
	refused("zstack planes=2 planes=3 step_um=1", "planes= given twice");
	refused("zstack step_um=1", "planes=N and step_um=S are required");
	refused("zstack planes=2 step_um=1 stacks=2", "belong to timelapse");
	refused("timelapse planes=2 step_um=1", "timelapse needs stacks=N");
	refused("timelapse stacks=1 every_s=5 planes=2 step_um=1", "timelapse needs stacks=N");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_full_timelapse_is_read_exactly),
		cmocka_unit_test(test_huge_and_infinite_times_are_refused_naming_the_bound),
		cmocka_unit_test(test_counts_must_be_integers_in_range),
		cmocka_unit_test(test_positions_must_be_finite_and_bounded),
		cmocka_unit_test(test_words_that_are_not_key_number_pairs_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
