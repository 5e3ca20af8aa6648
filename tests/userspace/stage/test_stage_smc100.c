// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The SMC100 driver against a simulated SMC100 on a pseudo-terminal. */
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

#define FX_SMC100
#include "stage_fixture.h"

static void quiet_log(void *ctx, int prio, const char *msg)
{
}

static void model_set(struct fx *x, unsigned st, double pos_mm)
{
	pthread_mutex_lock(&x->f.lock);
	x->m.state = st;
	x->m.pos = x->m.target = pos_mm;
	pthread_mutex_unlock(&x->f.lock);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void open_reads_identity_and_soft_limits(void **state)
{
	struct fx *x = *state;
	double lo, hi;

	assert_string_equal(ogate_stage_identity(x->s), "LTA-HS_fake_SMC100CC");
	ogate_stage_limits(x->s, &lo, &hi);
	assert_true(lo == -12500.0 && hi == 12500.0);
	assert_string_equal(ogate_stage_driver(x->s), "smc100");
}

static void configured_limits_narrow_the_controller_limits(void **state)
{
	struct fx *x;
	double lo, hi;

	setup_fake(state);
	x = *state;
	x->o.min_um = -1000;
	x->o.max_um = 50000;
	assert_int_equal(ogate_stage_open(&x->s, &x->o, NULL, 0), 0);
	ogate_stage_limits(x->s, &lo, &hi);
	assert_true(lo == -1000.0 && hi == 12500.0);
}

static void commands_carry_the_configured_address(void **state)
{
	struct fx *x;
	char rx[512];
	double um;

	setup_fake(state);
	x = *state;
	x->m.addr = 3;
	x->o.address = 3;
	assert_int_equal(ogate_stage_open(&x->s, &x->o, NULL, 0), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "3ID?|3SL?|3SR?|3TS|3TP");
}

static void units_option_rescales_commands_and_limits(void **state)
{
	struct fx *x;
	char rx[512];
	double lo, hi;

	setup_fake(state);
	x = *state;
	x->o.units_per_um = 1.0; /* a controller set up in micrometres */
	assert_int_equal(ogate_stage_open(&x->s, &x->o, NULL, 0), 0);
	ogate_stage_limits(x->s, &lo, &hi);
	assert_true(lo == -12.5 && hi == 12.5);
	model_set(x, 0x32, 0.0);
	fake_clear_rx(&x->f);
	assert_int_equal(ogate_stage_move_abs(x->s, 10.0), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1PA10.000000|1TE");
	assert_int_equal(ogate_stage_move_abs(x->s, 13.0), -ERANGE);
}

static void home_from_not_referenced_sends_or_and_ends_ready_at_zero(void **state)
{
	struct fx *x = *state;
	char rx[512];
	double um = -1;

	model_set(x, 0x0A, 2.0);
	assert_int_equal(ogate_stage_home(x->s), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1TS|1OR|1TE");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um) < 1e-6);
	assert_int_equal(x->m.state, 0x32);
}

static void home_when_ready_resets_first(void **state)
{
	struct fx *x = *state;
	char rx[1024];
	double um = -1;

	model_set(x, 0x33, 1.0);
	assert_int_equal(ogate_stage_home(x->s), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_true(!strncmp(rx, "1TS|1RS|", 8));
	assert_contains(rx, "|1OR|1TE");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um) < 1e-6);
	assert_int_equal(x->errors_logged, 0);
}

static void move_abs_sends_millimetres_and_reaches_target(void **state)
{
	struct fx *x = *state;
	char rx[512];
	double um = 0;

	model_set(x, 0x32, 0.0);
	assert_int_equal(ogate_stage_move_abs(x->s, 1500.0), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1PA1.500000|1TE");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 1500.0) < 1e-3);
}

static void move_rel_reads_position_then_sends_pr(void **state)
{
	struct fx *x = *state;
	char rx[512];
	double um = 0;

	model_set(x, 0x33, 1.0);
	assert_int_equal(ogate_stage_move_rel(x->s, -250.0), 0);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1TP|1PR-0.250000|1TE");
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 750.0) < 1e-3);
}

static void wait_still_polls_ts_until_ready(void **state)
{
	struct fx *x = *state;
	int64_t t0;
	double ms;

	model_set(x, 0x32, 0.0);
	x->m.speed = 5.0; /* 0.5 mm takes 100 ms */
	assert_int_equal(ogate_stage_move_abs(x->s, 500.0), 0);
	t0 = ogate_mono_ns();
	assert_int_equal(ogate_stage_is_moving(x->s), 1);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	ms = (double)(ogate_mono_ns() - t0) / 1e6;
	assert_true(ms > 80 && ms < 1000);
	assert_int_equal(ogate_stage_is_moving(x->s), 0);
}

static void te_error_is_eio_naming_command_and_reply(void **state)
{
	struct fx *x = *state;
	char rx[512];
	const char *e;

	model_set(x, 0x0A, 0.0); /* not referenced: PA refused with H */
	assert_int_equal(ogate_stage_move_abs(x->s, 100.0), -EIO);
	e = ogate_stage_last_error(x->s);
	assert_contains(e, "1PA0.100000");
	assert_contains(e, "\"1TEH\"");
	assert_contains(e, "NOT REFERENCED");
	/* left stopped: ST sent after the failure */
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1PA0.100000|1TE|1ST|1TE");
	assert_int_equal(x->errors_logged, 1);
}

static void soft_limit_violation_is_refused_before_sending(void **state)
{
	struct fx *x = *state;
	char rx[512];

	model_set(x, 0x32, 12.0);
	assert_int_equal(ogate_stage_move_abs(x->s, 20000.0), -ERANGE);
	assert_contains(ogate_stage_last_error(x->s), "soft limits");
	assert_int_equal(fake_rx(&x->f, rx, sizeof(rx)), 0);
	/* relative: only the position query goes out */
	assert_int_equal(ogate_stage_move_rel(x->s, 600.0), -ERANGE);
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1TP");
	assert_int_equal(ogate_stage_move_abs(x->s, NAN), -EINVAL);
}

static void slow_reply_within_timeout_succeeds(void **state)
{
	struct fx *x = *state;
	int64_t t0 = ogate_mono_ns();
	double um = 0, ms;

	model_set(x, 0x33, 2.5);
	fake_set_fault(&x->f, "TP", FAULT_SLOW, 120, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	ms = (double)(ogate_mono_ns() - t0) / 1e6;
	assert_true(fabs(um - 2500.0) < 1e-3);
	assert_true(ms >= 110 && ms < 200 + 300);
}

static void silent_controller_is_etimedout_and_stage_stopped(void **state)
{
	struct fx *x = *state;
	char rx[512];
	double um;

	model_set(x, 0x33, 1.0);
	fake_set_fault(&x->f, "TP", FAULT_SILENT, 0, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), -ETIMEDOUT);
	assert_contains(ogate_stage_last_error(x->s), "1TP: no complete reply within 200 ms");
	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, "1TP|1ST|1TE");
}

static void partial_reply_timeout_reports_the_bytes_received(void **state)
{
	struct fx *x = *state;
	double um;

	fake_set_fault(&x->f, "TP", FAULT_PARTIAL, 0, "1TP1.2");
	assert_int_equal(ogate_stage_position(x->s, &um), -ETIMEDOUT);
	assert_contains(ogate_stage_last_error(x->s), "received \"1TP1.2\"");
}

static void garbage_replies_are_eproto(void **state)
{
	static const struct {
		const char *key, *text, *shown;
	} cases[] = {
		{ "TP", "\x01\x02zz\r\n", "\\x01\\x02zz" },
		{ "TP", "1TPabc\r\n", "1TPabc" },
		{ "TP", "2TP1.0\r\n", "2TP1.0" },
		{ "TP", "1TP1.0 junk\r\n", "1TP1.0 junk" },
		{ "TS", "1TS00003\r\n", "1TS00003" },
		{ "TS", "1TS0000FF\r\n", "1TS0000FF" },
	};
	struct fx *x = *state;
	double um;

	model_set(x, 0x33, 1.0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		fake_set_fault(&x->f, cases[i].key, FAULT_GARBAGE, 0, cases[i].text);
		rc = cases[i].key[1] == 'P' ? ogate_stage_position(x->s, &um)
					    : ogate_stage_is_moving(x->s);
		assert_int_equal(rc, -EPROTO);
		assert_contains(ogate_stage_last_error(x->s), cases[i].shown);
		assert_contains(ogate_stage_last_error(x->s), cases[i].key);
	}
}

static void garbled_te_reply_is_eproto(void **state)
{
	struct fx *x = *state;

	model_set(x, 0x33, 1.0);
	fake_set_fault(&x->f, "TE", FAULT_GARBAGE, 0, "1TE@@\r\n");
	assert_int_equal(ogate_stage_move_abs(x->s, 100.0), -EPROTO);
	assert_contains(ogate_stage_last_error(x->s), "1PA0.100000");
	assert_contains(ogate_stage_last_error(x->s), "1TE@@");
}

static void error_check_timeout_is_logged_once(void **state)
{
	struct fx *x = *state;

	model_set(x, 0x33, 1.0);
	fake_set_fault(&x->f, "TE", FAULT_SILENT, 0, NULL);
	assert_int_equal(ogate_stage_move_abs(x->s, 100.0), -ETIMEDOUT);
	assert_contains(ogate_stage_last_error(x->s), "1PA0.100000: error check failed: 1TE: no "
						      "complete reply");
	/* one log for the move; the stop after it fails on its own TE and logs once more */
	assert_int_equal(x->errors_logged, 2);
	assert_contains(ogate_stage_last_error(x->s), "stop also failed");
}

/*
 * A stray XOFF (and XON) byte from the controller, as a noisy line or a
 * controller set up for XON/XOFF sends: the reply still reads, and the port
 * does not stall (flow control is off; the bytes are dropped).
 */
static void stray_xon_xoff_bytes_neither_stall_nor_garble(void **state)
{
	struct fx *x = *state;
	double um;

	model_set(x, 0x33, 0.005);
	fake_set_fault(&x->f, "TP", FAULT_GARBAGE, 0,
		       "\x13"
		       "1TP0.005\r\n");
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 5.0) < 1e-6);
	fake_set_fault(&x->f, "TP", FAULT_NONE, 0, NULL);
	assert_int_equal(ogate_stage_move_abs(x->s, 10.0), 0);
	fake_set_fault(&x->f, "TP", FAULT_GARBAGE, 0,
		       "1TP0.0\x11"
		       "10\r\n");
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - 10.0) < 1e-6);
}

static void hangup_mid_command_is_epipe(void **state)
{
	struct fx *x = *state;
	double um;

	model_set(x, 0x33, 1.0);
	fake_set_fault(&x->f, "TP", FAULT_HANGUP, 0, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), -EPIPE);
	assert_contains(ogate_stage_last_error(x->s), "1TP: port");
	assert_contains(ogate_stage_last_error(x->s), "vanished");
	/* the port stays gone */
	assert_int_equal(ogate_stage_move_abs(x->s, 10.0), -EPIPE);
	assert_contains(ogate_stage_last_error(x->s), "1PA0.010000");
}

static void following_error_during_move_is_eio(void **state)
{
	struct fx *x = *state;

	model_set(x, 0x33, 0.0);
	x->m.fail_next_move = true;
	assert_int_equal(ogate_stage_move_abs(x->s, 1000.0), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), -EIO);
	assert_contains(ogate_stage_last_error(x->s), "NOT REFERENCED from MOVING");
	assert_contains(ogate_stage_last_error(x->s), "following error");
	assert_contains(ogate_stage_last_error(x->s), "1TS00200F");
}

static void homing_failure_is_eio_with_decoded_flags(void **state)
{
	struct fx *x = *state;

	model_set(x, 0x0A, 3.0);
	x->m.fail_next_move = true;
	assert_int_equal(ogate_stage_home(x->s), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), -EIO);
	assert_contains(ogate_stage_last_error(x->s), "NOT REFERENCED from HOMING");
	assert_contains(ogate_stage_last_error(x->s), "homing time-out");
	assert_contains(ogate_stage_last_error(x->s), "\"1TS00400B\"");
}

static void wait_deadline_is_etimedout_and_stops_mid_move(void **state)
{
	struct fx *x = *state;
	char rx[4096];
	double um;

	model_set(x, 0x32, 0.0);
	x->m.speed = 1.0; /* 5 mm would take 5 s */
	assert_int_equal(ogate_stage_move_abs(x->s, 5000.0), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 60), -ETIMEDOUT);
	assert_contains(ogate_stage_last_error(x->s), "still moving");
	fake_rx(&x->f, rx, sizeof(rx));
	assert_contains(rx, "|1ST|1TE");
	assert_int_equal(ogate_stage_is_moving(x->s), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(um > 0 && um < 1000);
}

static void silent_controller_fails_open_naming_the_command(void **state)
{
	struct fx *x;
	char err[300];

	setup_fake(state);
	x = *state;
	fake_set_fault(&x->f, "ID?", FAULT_SILENT, 0, NULL);
	assert_int_equal(ogate_stage_open(&x->s, &x->o, err, sizeof(err)), -ETIMEDOUT);
	assert_null(x->s);
	assert_contains(err, "1ID?");
}

static void missing_port_is_enodev(void **state)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[300];

	ogate_stage_opts_init(&o);
	o.driver = "smc100";
	o.port = "/dev/ttyUSB-ogate-does-not-exist";
	o.log = quiet_log;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -ENODEV);
	assert_contains(err, "/dev/ttyUSB-ogate-does-not-exist");
	o.address = 32;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_reads_identity_and_soft_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(stray_xon_xoff_bytes_neither_stall_nor_garble,
						setup, teardown),
		cmocka_unit_test_teardown(configured_limits_narrow_the_controller_limits, teardown),
		cmocka_unit_test_teardown(commands_carry_the_configured_address, teardown),
		cmocka_unit_test_teardown(units_option_rescales_commands_and_limits, teardown),
		cmocka_unit_test_setup_teardown(home_from_not_referenced_sends_or_and_ends_ready_at_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(home_when_ready_resets_first, setup, teardown),
		cmocka_unit_test_setup_teardown(move_abs_sends_millimetres_and_reaches_target,
						setup, teardown),
		cmocka_unit_test_setup_teardown(move_rel_reads_position_then_sends_pr, setup, teardown),
		cmocka_unit_test_setup_teardown(wait_still_polls_ts_until_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(te_error_is_eio_naming_command_and_reply, setup,
						teardown),
		cmocka_unit_test_setup_teardown(soft_limit_violation_is_refused_before_sending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(slow_reply_within_timeout_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(silent_controller_is_etimedout_and_stage_stopped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(partial_reply_timeout_reports_the_bytes_received,
						setup, teardown),
		cmocka_unit_test_setup_teardown(garbage_replies_are_eproto, setup, teardown),
		cmocka_unit_test_setup_teardown(garbled_te_reply_is_eproto, setup, teardown),
		cmocka_unit_test_setup_teardown(error_check_timeout_is_logged_once, setup, teardown),
		cmocka_unit_test_setup_teardown(hangup_mid_command_is_epipe, setup, teardown),
		cmocka_unit_test_setup_teardown(following_error_during_move_is_eio, setup, teardown),
		cmocka_unit_test_setup_teardown(homing_failure_is_eio_with_decoded_flags, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wait_deadline_is_etimedout_and_stops_mid_move,
						setup, teardown),
		cmocka_unit_test_teardown(silent_controller_fails_open_naming_the_command, teardown),
		cmocka_unit_test(missing_port_is_enodev),
	};

	return cmocka_run_group_tests_name("stage_smc100", tests, NULL, NULL);
}
