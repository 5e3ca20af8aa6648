// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The stage object itself: factory and options, the simulated stage, and the
 * choice of serial transport (libserialport or termios for ptys). */
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

#include "ogate/stage.h"
#include "fake_ctl.h"

static char info_log[1024];

static void keep_info(void *ctx, int prio, const char *msg)
{
	if (prio == 6)
		snprintf(info_log, sizeof(info_log), "%s", msg);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static struct ogate_stage *open_sim(double speed, double lo, double hi)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];

	ogate_stage_opts_init(&o);
	o.driver = "sim";
	o.sim_speed_um_s = speed;
	o.min_um = lo;
	o.max_um = hi;
	o.poll_interval_ms = 2;
	o.log = keep_info;
	if (ogate_stage_open(&s, &o, err, sizeof(err)))
		fail_msg("open sim: %s", err);
	return s;
}

static double ms_since(int64_t t0)
{
	return (double)(ogate_mono_ns() - t0) / 1e6;
}

static void sim_move_takes_distance_over_speed(void **state)
{
	struct ogate_stage *s = open_sim(1000.0, -INFINITY, INFINITY);
	int64_t t0 = ogate_mono_ns();
	double um, ms;

	assert_int_equal(ogate_stage_move_abs(s, 100.0), 0);
	assert_int_equal(ogate_stage_is_moving(s), 1);
	assert_int_equal(ogate_stage_wait_still(s, 1000), 0);
	ms = ms_since(t0);
	assert_true(ms >= 99.0 && ms < 600.0);
	assert_int_equal(ogate_stage_position(s, &um), 0);
	assert_true(um == 100.0);
	ogate_stage_close(s);
}

static void sim_position_interpolates_during_a_move(void **state)
{
	struct ogate_stage *s = open_sim(1000.0, -INFINITY, INFINITY);
	int64_t t0 = ogate_mono_ns();
	struct timespec ts = { 0, 50 * 1000000 };
	double um, el;

	assert_int_equal(ogate_stage_move_rel(s, -200.0), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(ogate_stage_position(s, &um), 0);
	el = ms_since(t0);
	/* position lags the clock reading: between -el and -50 µm */
	assert_true(um <= -49.0 && um >= -el - 1.0);
	ogate_stage_close(s);
}

static void sim_stop_freezes_mid_move(void **state)
{
	struct ogate_stage *s = open_sim(1000.0, -INFINITY, INFINITY);
	struct timespec ts = { 0, 30 * 1000000 };
	double a, b;

	assert_int_equal(ogate_stage_move_abs(s, 1000.0), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(ogate_stage_stop(s), 0);
	assert_int_equal(ogate_stage_is_moving(s), 0);
	assert_int_equal(ogate_stage_position(s, &a), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(ogate_stage_position(s, &b), 0);
	assert_true(a > 20.0 && a < 500.0);
	assert_true(a == b);
	ogate_stage_close(s);
}

static void sim_home_returns_to_zero(void **state)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	double um;

	ogate_stage_opts_init(&o);
	o.driver = "sim";
	o.sim_start_um = 30.0;
	o.sim_speed_um_s = 3000.0;
	o.log = keep_info;
	assert_int_equal(ogate_stage_open(&s, &o, NULL, 0), 0);
	assert_int_equal(ogate_stage_position(s, &um), 0);
	assert_true(um == 30.0);
	assert_int_equal(ogate_stage_home(s), 0);
	assert_int_equal(ogate_stage_wait_still(s, 1000), 0);
	assert_int_equal(ogate_stage_position(s, &um), 0);
	assert_true(um == 0.0);
	ogate_stage_close(s);
}

static void sim_soft_limits_refuse_moves(void **state)
{
	struct ogate_stage *s = open_sim(1000.0, -10.0, 10.0);
	double um;

	assert_int_equal(ogate_stage_move_abs(s, 10.5), -ERANGE);
	assert_contains(ogate_stage_last_error(s), "outside the soft limits [-10.000, 10.000]");
	assert_int_equal(ogate_stage_move_rel(s, -11.0), -ERANGE);
	assert_int_equal(ogate_stage_is_moving(s), 0);
	assert_int_equal(ogate_stage_position(s, &um), 0);
	assert_true(um == 0.0);
	assert_int_equal(ogate_stage_move_abs(s, 10.0), 0);
	ogate_stage_close(s);
}

static void sim_wait_deadline_is_etimedout_and_stops(void **state)
{
	struct ogate_stage *s = open_sim(100.0, -INFINITY, INFINITY);
	int64_t t0 = ogate_mono_ns();
	double ms;

	assert_int_equal(ogate_stage_move_abs(s, 1000.0), 0);
	assert_int_equal(ogate_stage_wait_still(s, 40), -ETIMEDOUT);
	ms = ms_since(t0);
	assert_true(ms >= 40.0 && ms < 500.0);
	assert_int_equal(ogate_stage_is_moving(s), 0);
	assert_contains(ogate_stage_last_error(s), "still moving 40 ms");
	ogate_stage_close(s);
}

static void bad_options_are_einval(void **state)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s = (struct ogate_stage *)&o;
	char err[256];

	ogate_stage_opts_init(&o);
	o.log = keep_info;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	assert_null(s);
	o.driver = "pi-gcs";
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown stage driver \"pi-gcs\"");
	o.driver = "sim";
	o.sim_speed_um_s = 0;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	o.sim_speed_um_s = 100;
	o.min_um = 5;
	o.max_um = -5;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	o.min_um = NAN;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	o.min_um = 1;
	o.max_um = 5; /* start position 0 outside */
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	o.min_um = -INFINITY;
	o.units_per_um = -1;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	assert_contains(err, "units_per_um");
	o.units_per_um = 0;
	o.driver = "smc100";
	o.port = NULL;
	o.min_um = -INFINITY;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	assert_contains(err, "no serial port");
}

static void auto_transport_opens_ptys_with_termios(void **state)
{
	struct fake_ctl f;
	struct fake_smc100 m;
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];

	fake_smc100_init(&m);
	assert_int_equal(fake_start(&f, fake_smc100_handle, "\r\n", &m), 0);
	ogate_stage_opts_init(&o);
	o.driver = "smc100";
	o.port = f.slave;
	o.log = keep_info;
	info_log[0] = '\0';
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), 0);
	assert_contains(info_log, "(termios, 57600 8N1, no flow control)");
	ogate_stage_close(s);
	o.transport = "termios";
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), 0);
	ogate_stage_close(s);
	fake_stop(&f);
}

/* Pins the reason for the termios fallback: if a later libserialport learns
 * to open ptys, this fails and the fallback can go. */
static void libserialport_0_1_1_cannot_open_a_pty(void **state)
{
	struct fake_ctl f;
	struct fake_smc100 m;
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];

	fake_smc100_init(&m);
	assert_int_equal(fake_start(&f, fake_smc100_handle, "\r\n", &m), 0);
	ogate_stage_opts_init(&o);
	o.driver = "smc100";
	o.port = f.slave;
	o.transport = "libserialport";
	o.log = keep_info;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -ENODEV);
	assert_contains(err, "libserialport sp_get_port_by_name");
	fake_stop(&f);
}

static void missing_port_is_enodev_on_every_transport(void **state)
{
	static const char *const tps[] = { "auto", "libserialport", "termios" };
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];

	ogate_stage_opts_init(&o);
	o.driver = "asi";
	o.port = "/dev/ttyACM-ogate-missing";
	o.log = keep_info;
	for (size_t i = 0; i < 3; i++) {
		o.transport = tps[i];
		assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -ENODEV);
		assert_contains(err, "/dev/ttyACM-ogate-missing");
	}
	o.transport = "usb";
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -EINVAL);
	assert_contains(err, "unknown transport");
}

static void non_tty_path_is_enodev(void **state)
{
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];

	ogate_stage_opts_init(&o);
	o.driver = "smc100";
	o.port = "/dev/null";
	o.transport = "termios";
	o.log = keep_info;
	assert_int_equal(ogate_stage_open(&s, &o, err, sizeof(err)), -ENODEV);
	assert_contains(err, "not a terminal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_move_takes_distance_over_speed),
		cmocka_unit_test(sim_position_interpolates_during_a_move),
		cmocka_unit_test(sim_stop_freezes_mid_move),
		cmocka_unit_test(sim_home_returns_to_zero),
		cmocka_unit_test(sim_soft_limits_refuse_moves),
		cmocka_unit_test(sim_wait_deadline_is_etimedout_and_stops),
		cmocka_unit_test(bad_options_are_einval),
		cmocka_unit_test(auto_transport_opens_ptys_with_termios),
		cmocka_unit_test(libserialport_0_1_1_cannot_open_a_pty),
		cmocka_unit_test(missing_port_is_enodev_on_every_transport),
		cmocka_unit_test(non_tty_path_is_enodev),
	};

	return cmocka_run_group_tests_name("stage_core", tests, NULL, NULL);
}
