// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Triggers counted by the analysis's reason (reasons.c), the one rule the
 * pipeline's status, a recording's summary and an acquisition's status and
 * summary share: standard, panic and late as such, anything else as other
 * (named "other"), never as standard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ogate/analysis.h"
#include "reasons.h"

static void test_each_known_reason_is_counted_and_named_as_itself(void **state)
{
	struct ogate_reason_counts c = { 0 };

	(void)state;
	ogate_reason_counts_add(&c, OGATE_TRIGGER_STANDARD);
	ogate_reason_counts_add(&c, OGATE_TRIGGER_PANIC);
	ogate_reason_counts_add(&c, OGATE_TRIGGER_PANIC);
	ogate_reason_counts_add(&c, OGATE_TRIGGER_LATE);
	ogate_reason_counts_add(&c, OGATE_TRIGGER_LATE);
	ogate_reason_counts_add(&c, OGATE_TRIGGER_LATE);
	assert_int_equal(1, c.standard);
	assert_int_equal(2, c.panic);
	assert_int_equal(3, c.late);
	assert_int_equal(0, c.other);
	assert_int_equal(6, ogate_reason_counts_total(&c));
	assert_string_equal("standard", ogate_reason_name(OGATE_TRIGGER_STANDARD));
	assert_string_equal("panic", ogate_reason_name(OGATE_TRIGGER_PANIC));
	assert_string_equal("late", ogate_reason_name(OGATE_TRIGGER_LATE));
}

/* none and same beat are decisions not to fire; 99 and -1 stand for a reason the library may add */
static void test_an_unknown_reason_is_counted_and_named_other_not_standard(void **state)
{
	static const int unknown[4] = { OGATE_TRIGGER_NONE, OGATE_TRIGGER_SAME_BEAT, 99, -1 };
	struct ogate_reason_counts c = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++) {
		ogate_reason_counts_add(&c, unknown[i]);
		assert_string_equal("other", ogate_reason_name(unknown[i]));
	}
	assert_int_equal(0, c.standard + c.panic + c.late);
	assert_int_equal(4, c.other);
	assert_int_equal(4, ogate_reason_counts_total(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_known_reason_is_counted_and_named_as_itself),
		cmocka_unit_test(test_an_unknown_reason_is_counted_and_named_other_not_standard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
