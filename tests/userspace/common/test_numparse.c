// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The shared whole-string number parsers (userspace/common/numparse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "numparse.h"

static void test_integer_is_the_whole_string(void **state)
{
	int64_t v = 7;

	assert_int_equal(ogate_parse_i64("42", 10, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(ogate_parse_i64("-5", 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(ogate_parse_i64("0x1f", 0, &v), 0);
	assert_int_equal(v, 31);
	v = 7;
	assert_int_equal(ogate_parse_i64("", 10, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64(" 4", 10, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64("4 ", 10, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64("4x", 10, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64("1.5", 10, &v), -EINVAL);
	assert_int_equal(v, 7); /* untouched on error */
}

static void test_octal_takes_no_sign(void **state)
{
	int64_t v;

	assert_int_equal(ogate_parse_i64("0660", 8, &v), 0);
	assert_int_equal(v, 0660);
	assert_int_equal(ogate_parse_i64("-660", 8, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64("+660", 8, &v), -EINVAL);
	assert_int_equal(ogate_parse_i64("8", 8, &v), -EINVAL);
}

static void test_integer_out_of_range_is_erange(void **state)
{
	int64_t v;

	assert_int_equal(ogate_parse_i64("9223372036854775807", 10, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(ogate_parse_i64("9223372036854775808", 10, &v), -ERANGE);
	assert_int_equal(ogate_parse_i64("-9223372036854775809", 10, &v), -ERANGE);
}

static void test_double_finite_whole_string(void **state)
{
	double d = 3;

	assert_int_equal(ogate_parse_double("1.25", &d), 0);
	assert_true(d == 1.25);
	assert_int_equal(ogate_parse_double("-1e-3", &d), 0);
	assert_true(d == -1e-3);
	d = 3;
	assert_int_equal(ogate_parse_double("", &d), -EINVAL);
	assert_int_equal(ogate_parse_double(" 1", &d), -EINVAL);
	assert_int_equal(ogate_parse_double("1 ", &d), -EINVAL);
	assert_int_equal(ogate_parse_double("1.5ms", &d), -EINVAL);
	assert_int_equal(ogate_parse_double("nan", &d), -EINVAL);
	assert_int_equal(ogate_parse_double("inf", &d), -EINVAL);
	assert_int_equal(ogate_parse_double("1e999", &d), -EINVAL);  /* overflows to inf */
	assert_int_equal(ogate_parse_double("1e-999", &d), -ERANGE); /* underflow */
	assert_true(d == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integer_is_the_whole_string),
		cmocka_unit_test(test_octal_takes_no_sign),
		cmocka_unit_test(test_integer_out_of_range_is_erange),
		cmocka_unit_test(test_double_finite_whole_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
