// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The ASI MS-2000/Tiger driver against a simulated MS-2000 on a pseudo-terminal. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define FX_ASI
#include "stage_fixture.h"

static void model_set(struct fx *x, double tenths)
{
	pthread_mutex_lock(&x->f.lock);
	x->m.pos = x->m.target = tenths;
	x->m.moving = false;
	pthread_mutex_unlock(&x->f.lock);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void open_probes_the_axis_with_where(void **state)
{
	struct fx *x;
	char rx[256];

	setup_fake(state);
	x = *state;
	assert_int_equal(ogate_stage_open(&x->s, &x->o, NULL, 0), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "W Z");
	assert_string_equal(ogate_stage_identity(x->s), "");
}

static void unknown_axis_fails_open_with_controller_error(void **state)
{
	struct fx *x;
	char err[300];

	setup_fake(state);
	x = *state;
	x->o.axis = 'F';
	assert_int_equal(ogate_stage_open(&x->s, &x->o, err, sizeof(err)), -EIO);
	assert_contains(err, "W F");
	assert_contains(err, ":N-2");
	assert_contains(err, "unrecognized axis parameter");
	x->o.axis = '3';
	assert_int_equal(ogate_stage_open(&x->s, &x->o, err, sizeof(err)), -EINVAL);
}

static void move_abs_sends_tenths_of_microns(void **state)
{
	struct fx *x = *state;
	char rx[256];
	double um = 0;

	assert_int_equal(ogate_stage_move_abs(x->s, 123.4), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "M Z=1234.0");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 123.4) < 1e-9);
}

static void units_option_rescales_commands(void **state)
{
	struct fx *x;
	char rx[256];
	double um = 0;

	setup_fake(state);
	x = *state;
	x->o.units_per_um = 100.0; /* hundredths of a micrometre */
	assert_int_equal(ogate_stage_open(&x->s, &x->o, NULL, 0), 0);
	fake_clear_rx(&x->f);
	assert_int_equal(ogate_stage_move_abs(x->s, 1.23), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "M Z=123.0");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 1.23) < 1e-9);
}

static void move_rel_sends_r(void **state)
{
	struct fx *x = *state;
	char rx[256];
	double um = 0;

	model_set(x, 1000.0);
	assert_int_equal(ogate_stage_move_rel(x->s, -30.0), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "W Z|R Z=-300.0");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 70.0) < 1e-9);
}

static void home_sends_bang_and_ends_at_zero(void **state)
{
	struct fx *x = *state;
	char rx[256];
	double um = 1;

	model_set(x, 2000.0);
	assert_int_equal(ogate_stage_home(x->s), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "! Z");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(um == 0.0);
}

static void busy_slash_reports_b_then_n(void **state)
{
	struct fx *x = *state;
	char rx[4096];
	int64_t t0;
	double ms;

	x->m.speed = 10000.0; /* 1000 tenths (100 µm) take 100 ms */
	assert_int_equal(ogate_stage_move_abs(x->s, 100.0), 0);
	t0 = ogate_mono_ns();
	assert_int_equal(ogate_stage_is_moving(x->s), 1);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	ms = (double)(ogate_mono_ns() - t0) / 1e6;
	assert_true(ms > 80 && ms < 1000);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_true(!strncmp(rx, "M Z=1000.0|/|/|", 15));
}

static void controller_error_is_eio_and_halts(void **state)
{
	struct fx *x = *state;
	char rx[256];

	x->m.hi = 100.0; /* controller-side limit below ours: :N-4 */
	assert_int_equal(ogate_stage_move_abs(x->s, 50.0), -EIO);
	assert_contains(ogate_stage_last_error(x->s), "M Z=500.0");
	assert_contains(ogate_stage_last_error(x->s), "\":N-4\"");
	assert_contains(ogate_stage_last_error(x->s), "parameter out of range");
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "M Z=500.0|\\");
	assert_int_equal(x->errors_logged, 1);
}

static void soft_limit_violation_is_refused_before_sending(void **state)
{
	struct fx *x = *state;
	char rx[256];

	assert_int_equal(ogate_stage_move_abs(x->s, 5000.1), -ERANGE);
	assert_int_equal(ogate_stage_move_abs(x->s, -6000), -ERANGE);
	assert_int_equal(fake_rx(&x->f, rx, sizeof(rx)), 0);
	assert_contains(ogate_stage_last_error(x->s), "[-5000.000, 5000.000]");
}

static void slow_reply_within_timeout_succeeds(void **state)
{
	struct fx *x = *state;
	double um;
	int64_t t0 = ogate_mono_ns();

	fake_set_fault(&x->f, "W", FAULT_SLOW, 120, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true((ogate_mono_ns() - t0) / 1000000 >= 110);
}

static void no_reply_is_etimedout_and_halts(void **state)
{
	struct fx *x = *state;
	char rx[256];

	fake_set_fault(&x->f, "M", FAULT_SILENT, 0, NULL);
	assert_int_equal(ogate_stage_move_abs(x->s, 10.0), -ETIMEDOUT);
	assert_contains(ogate_stage_last_error(x->s), "M Z=100.0: no complete reply");
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "M Z=100.0|\\");
}

static void late_reply_after_timeout_is_not_taken_for_the_next(void **state)
{
	struct fx *x = *state;
	char rx[256];
	double um = -1;

	model_set(x, 70.0);
	fake_set_fault(&x->f, "W", FAULT_SLOW, 300, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), -ETIMEDOUT);
	/* the halt after the timeout got its own ":A", not the late ":A 70" */
	assert_null(strstr(ogate_stage_last_error(x->s), "stop also failed"));
	fake_set_fault(&x->f, "", FAULT_NONE, 0, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(um == 7.0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "W Z|\\|W Z");
}

static void garbage_replies_are_eproto(void **state)
{
	static const struct {
		const char *key, *text, *shown;
	} cases[] = {
		{ "W", ":A 12x\r\n", ":A 12x" }, { "W", "\xfe\xff\r\n", "\\xfe\\xff" },
		{ "/", "X\r\n", "\"X\"" },	 { "M", ":B\r\n", ":B" },
		{ "M", ":N-\r\n", ":N-" },
	};
	struct fx *x = *state;
	double um;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		fake_set_fault(&x->f, cases[i].key, FAULT_GARBAGE, 0, cases[i].text);
		if (cases[i].key[0] == 'W')
			rc = ogate_stage_position(x->s, &um);
		else if (cases[i].key[0] == '/')
			rc = ogate_stage_is_moving(x->s);
		else
			rc = ogate_stage_move_abs(x->s, 1.0);
		assert_int_equal(rc, -EPROTO);
		assert_contains(ogate_stage_last_error(x->s), cases[i].shown);
	}
}

static void overlong_line_is_eproto(void **state)
{
	struct fx *x = *state;
	char junk[120];
	double um;

	memset(junk, 'A', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	fake_set_fault(&x->f, "W", FAULT_GARBAGE, 0, junk);
	assert_int_equal(ogate_stage_position(x->s, &um), -EPROTO);
	assert_contains(ogate_stage_last_error(x->s), "no line end");
}

static void hangup_mid_command_is_epipe(void **state)
{
	struct fx *x = *state;

	fake_set_fault(&x->f, "M", FAULT_HANGUP, 0, NULL);
	assert_int_equal(ogate_stage_move_abs(x->s, 10.0), -EPIPE);
	assert_contains(ogate_stage_last_error(x->s), "M Z=100.0: port");
	assert_contains(ogate_stage_last_error(x->s), "vanished");
	assert_int_equal(ogate_stage_is_moving(x->s), -EPIPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(open_probes_the_axis_with_where, teardown),
		cmocka_unit_test_teardown(unknown_axis_fails_open_with_controller_error, teardown),
		cmocka_unit_test_setup_teardown(move_abs_sends_tenths_of_microns, setup, teardown),
		cmocka_unit_test_teardown(units_option_rescales_commands, teardown),
		cmocka_unit_test_setup_teardown(move_rel_sends_r, setup, teardown),
		cmocka_unit_test_setup_teardown(home_sends_bang_and_ends_at_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_slash_reports_b_then_n, setup, teardown),
		cmocka_unit_test_setup_teardown(controller_error_is_eio_and_halts, setup, teardown),
		cmocka_unit_test_setup_teardown(soft_limit_violation_is_refused_before_sending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(slow_reply_within_timeout_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(no_reply_is_etimedout_and_halts, setup, teardown),
		cmocka_unit_test_setup_teardown(late_reply_after_timeout_is_not_taken_for_the_next,
						setup, teardown),
		cmocka_unit_test_setup_teardown(garbage_replies_are_eproto, setup, teardown),
		cmocka_unit_test_setup_teardown(overlong_line_is_eproto, setup, teardown),
		cmocka_unit_test_setup_teardown(hangup_mid_command_is_epipe, setup, teardown),
	};

	return cmocka_run_group_tests_name("stage_asi", tests, NULL, NULL);
}
