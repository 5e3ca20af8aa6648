// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ASI hardware sequencing (ring buffer + TTL advance) against the simulated
 * MS-2000/Tiger: the commands sent, firmware differences, and a stack
 * stepped by simulated TTL pulses with no serial line in between.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#define FX_ASI
#define FX_POLL_MS 2
#include "stage_fixture.h"

static void rx_is(struct fx *x, const char *want)
{
	char rx[4096];

	fake_rx(&x->f, rx, sizeof(rx));
	assert_string_equal(rx, want);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static double model_pos(struct fx *x)
{
	return fake_asi_position(&x->f);
}

static void load_disarms_clears_loads_and_reads_back_the_count(void **state)
{
	struct fx *x = *state;
	const double z[] = { 10.0, 12.5, 15.0 };

	assert_int_equal(ogate_stage_seq_capacity(x->s), 50);
	assert_int_equal(ogate_stage_seq_load(x->s, z, 3), 0);
	rx_is(x, "TTL X=0|RM X=0|LD Z=100.0|LD Z=125.0|LD Z=150.0|RM X?");
	assert_int_equal(ogate_stage_seq_verified(x->s), 1);
	assert_int_equal(x->m.rb_n, 3);
}

static void arm_selects_the_axis_points_at_entry_0_and_enables_ttl(void **state)
{
	struct fx *x = *state;
	const double z[] = { 1.0, 2.0 };

	assert_int_equal(ogate_stage_seq_load(x->s, z, 2), 0);
	fake_clear_rx(&x->f);
	assert_int_equal(ogate_stage_seq_arm(x->s), 0);
	/* MS-2000 builds default the axis_byte to 3 (X, Y): Z (4) must be sent */
	rx_is(x, "RM Y=4 Z=0|TTL X=1");
	assert_int_equal(x->m.axis_byte, 4);
	assert_int_equal(x->m.ttl_in_mode, 1);
	fake_clear_rx(&x->f);
	assert_int_equal(ogate_stage_seq_disarm(x->s), 0);
	rx_is(x, "TTL X=0");
	assert_int_equal(x->m.ttl_in_mode, 0);
}

/*
 * A stack of 5 planes: the stage starts at plane 0 (a normal move), the
 * buffer holds planes 1..4 then plane 0, and each trigger's TTL pulse moves
 * to the next plane; after the 5th the stage is back at plane 0. Between the
 * first and the last pulse the controller receives no serial line.
 */
static void ttl_pulses_step_the_stack_with_no_serial_traffic(void **state)
{
	struct fx *x = *state;
	const double planes[] = { 100.0, 102.0, 104.0, 106.0, 108.0 };
	double ring[5], um = 0;

	assert_int_equal(ogate_stage_move_abs(x->s, planes[0]), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	for (int i = 0; i < 5; i++)
		ring[i] = planes[(i + 1) % 5];
	assert_int_equal(ogate_stage_seq_load(x->s, ring, 5), 0);
	assert_int_equal(ogate_stage_seq_arm(x->s), 0);
	for (int k = 0; k < 5; k++) {
		assert_true(fabs(model_pos(x) - planes[k] * 10) < 1e-6); /* exposure of plane k */
		fake_asi_ttl(&x->f);					 /* its trigger */
		sleep_ms(5); /* move: 20 tenths at 500k/s */
	}
	assert_int_equal(x->m.ttl_pulses, 5);
	assert_int_equal(x->m.ttl_moves, 5);
	assert_int_equal(x->m.rx_at_last_ttl - x->m.rx_at_first_ttl, 0);
	/* the check after the stack: back at plane 0 */
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um - planes[0]) < 1e-9);
	assert_int_equal(ogate_stage_seq_disarm(x->s), 0);
	fake_asi_ttl(&x->f);
	sleep_ms(5);
	assert_true(fabs(model_pos(x) - planes[0] * 10) < 1e-6); /* disarmed: no move */
}

static void axis_byte_option_overrides_the_letter(void **state)
{
	struct fx *x;

	setup_fake(state);
	x = *state;
	x->o.seq_axis_byte = 1;
	open_stage(x);
	assert_int_equal(ogate_stage_seq_arm(x->s), 0);
	rx_is(x, "RM Y=1 Z=0|TTL X=1");
}

static void more_positions_than_the_buffer_holds_are_refused_unsent(void **state)
{
	struct fx *x = *state;
	double z[51];

	for (int i = 0; i < 51; i++)
		z[i] = i;
	assert_int_equal(ogate_stage_seq_load(x->s, z, 51), -ENOSPC);
	rx_is(x, "");
	assert_non_null(strstr(ogate_stage_last_error(x->s), "holds 50"));
	assert_int_equal(ogate_stage_seq_load(x->s, z, 0), -EINVAL);
}

static void position_outside_the_limits_is_refused_unsent(void **state)
{
	struct fx *x = *state;
	const double z[] = { 0.0, 6000.0 };

	assert_int_equal(ogate_stage_seq_load(x->s, z, 2), -ERANGE);
	rx_is(x, "");
	assert_non_null(strstr(ogate_stage_last_error(x->s), "sequence position 1"));
}

static void large_buffer_builds_take_250(void **state)
{
	struct fx *x;
	double z[120];

	setup_fake(state);
	x = *state;
	x->m.rb_cap = 250;
	x->o.seq_capacity = 250;
	open_stage(x);
	for (int i = 0; i < 120; i++)
		z[i] = i * 0.5;
	assert_int_equal(ogate_stage_seq_load(x->s, z, 120), 0);
	assert_int_equal(ogate_stage_seq_verified(x->s), 1);
	assert_int_equal(x->m.rb_n, 120);
}

/* Newer firmware (MS-2000 9.2o+, Tiger 3.41+) answers an error when full. */
static void full_buffer_error_names_the_load_and_stops(void **state)
{
	struct fx *x;
	double z[60];
	char rx[4096];

	setup_fake(state);
	x = *state;
	x->o.seq_capacity = 250; /* configured larger than the controller's 50 */
	open_stage(x);
	for (int i = 0; i < 60; i++)
		z[i] = i;
	assert_int_equal(ogate_stage_seq_load(x->s, z, 60), -EIO);
	assert_non_null(strstr(ogate_stage_last_error(x->s), "LD Z=500.0"));
	assert_non_null(strstr(ogate_stage_last_error(x->s), ":N-4"));
	fake_rx(&x->f, rx, sizeof(rx));
	assert_non_null(strstr(rx, "|LD Z=500.0|\\")); /* halted after the failure */
}

/* Older firmware answers :A to a load into a full buffer and cannot count:
 * the load is reported unverified. */
static void old_firmware_loads_unverified(void **state)
{
	struct fx *x;
	const double z[] = { 1.0, 2.0, 3.0 };

	setup_fake(state);
	x = *state;
	x->m.full_ld_acks = true;
	x->m.no_count_query = true;
	open_stage(x);
	assert_int_equal(ogate_stage_seq_load(x->s, z, 3), 0);
	assert_int_equal(ogate_stage_seq_verified(x->s), 0);
	rx_is(x, "TTL X=0|RM X=0|LD Z=10.0|LD Z=20.0|LD Z=30.0|RM X?");
}

/* MS-2000 9.2g..9.2n: loads into a full buffer answer :A, but RM X? counts. */
static void count_mismatch_is_an_error(void **state)
{
	struct fx *x;
	double z[55];

	setup_fake(state);
	x = *state;
	x->m.full_ld_acks = true;
	x->o.seq_capacity = 250; /* configured larger than the controller's 50 */
	open_stage(x);
	for (int i = 0; i < 55; i++)
		z[i] = i;
	assert_int_equal(ogate_stage_seq_load(x->s, z, 55), -EIO);
	assert_non_null(strstr(ogate_stage_last_error(x->s), "loaded 55 positions but the "
							     "controller holds 50"));
	assert_int_equal(ogate_stage_seq_verified(x->s), 0);
}

static void tiger_card_address_prefixes_rm_and_ttl(void **state)
{
	struct fx *x;
	const double z[] = { 5.0 };

	setup_fake(state);
	x = *state;
	x->m.card = 2;
	x->o.card_address = 2;
	open_stage(x);
	assert_int_equal(ogate_stage_seq_load(x->s, z, 1), 0);
	assert_int_equal(ogate_stage_seq_arm(x->s), 0);
	rx_is(x, "2TTL X=0|2RM X=0|LD Z=50.0|2RM X?|2RM Y=4 Z=0|2TTL X=1");
	assert_int_equal(x->m.ttl_in_mode, 1);
}

static void tiger_without_card_address_fails_on_the_first_command(void **state)
{
	struct fx *x;
	const double z[] = { 5.0 };

	setup_fake(state);
	x = *state;
	x->m.card = 2;
	open_stage(x);
	assert_int_equal(ogate_stage_seq_load(x->s, z, 1), -EIO);
	assert_non_null(strstr(ogate_stage_last_error(x->s), "TTL X=0"));
}

static void quiet_log(void *ctx, int prio, const char *msg)
{
}

static void sim_driver_cannot_sequence(void **state)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	const double z[] = { 1.0 };

	ogate_stage_opts_init(&o);
	o.driver = "sim";
	o.log = quiet_log;
	assert_int_equal(ogate_stage_open(&s, &o, NULL, 0), 0);
	assert_int_equal(ogate_stage_seq_capacity(s), 0);
	assert_int_equal(ogate_stage_seq_load(s, z, 1), -EOPNOTSUPP);
	assert_int_equal(ogate_stage_seq_arm(s), -EOPNOTSUPP);
	assert_int_equal(ogate_stage_seq_disarm(s), -EOPNOTSUPP);
	ogate_stage_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(load_disarms_clears_loads_and_reads_back_the_count,
						setup, teardown),
		cmocka_unit_test_setup_teardown(arm_selects_the_axis_points_at_entry_0_and_enables_ttl,
						setup, teardown),
		cmocka_unit_test_setup_teardown(ttl_pulses_step_the_stack_with_no_serial_traffic,
						setup, teardown),
		cmocka_unit_test_teardown(axis_byte_option_overrides_the_letter, teardown),
		cmocka_unit_test_setup_teardown(more_positions_than_the_buffer_holds_are_refused_unsent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(position_outside_the_limits_is_refused_unsent,
						setup, teardown),
		cmocka_unit_test_teardown(large_buffer_builds_take_250, teardown),
		cmocka_unit_test_teardown(full_buffer_error_names_the_load_and_stops, teardown),
		cmocka_unit_test_teardown(old_firmware_loads_unverified, teardown),
		cmocka_unit_test_teardown(count_mismatch_is_an_error, teardown),
		cmocka_unit_test_teardown(tiger_card_address_prefixes_rm_and_ttl, teardown),
		cmocka_unit_test_teardown(tiger_without_card_address_fails_on_the_first_command,
					  teardown),
		cmocka_unit_test(sim_driver_cannot_sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
