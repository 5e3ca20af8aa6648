// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The housekeeping sampler against a fake /sys and /proc root: which
 * figures it reads, and that each condition warns once when it starts and
 * once when it clears.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "health.h"

static char root[128];
static char warnings[16][256];
static int nwarn;
static struct ogate_health_input input;

static void warn(void *ctx, bool raised, const char *msg)
{
	if (nwarn < 16)
		snprintf(warnings[nwarn++], sizeof(warnings[0]), "%s %s",
			 raised ? "RAISED" : "CLEARED", msg);
}

static void in(void *ctx, struct ogate_health_input *i)
{
	*i = input;
}

static void put(const char *rel, const char *content)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/ogate-health-test-%d", (int)getpid());
	mkdir(root, 0700);
	nwarn = 0;
	memset(&input, 0, sizeof(input));
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static struct ogate_health *make(void)
{
	struct ogate_health_opts o = { .root = root,
				       .period_ns = 10000000,
				       .temp_warn_c = 80,
				       .slip_warn_pct = 5,
				       .rss_warn_bytes = 64ull << 20,
				       .input = in,
				       .warn = warn };
	struct ogate_health *h = NULL;

	assert_int_equal(0, ogate_health_new(&h, &o));
	return h;
}

static void test_the_cpu_zone_is_preferred_and_heat_warns_once_then_clears(void **state)
{
	struct ogate_health *h;
	struct ogate_health_figures f;

	put("sys/class/thermal/thermal_zone0/type", "gpu-thermal\n");
	put("sys/class/thermal/thermal_zone0/temp", "90000\n");
	put("sys/class/thermal/thermal_zone1/type", "cpu-thermal\n");
	put("sys/class/thermal/thermal_zone1/temp", "55123\n");
	h = make();
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_true(fabs(f.temp_c - 55.123) < 1e-9);
	assert_int_equal(nwarn, 0);
	put("sys/class/thermal/thermal_zone1/temp", "81000\n");
	ogate_health_sample(h);
	ogate_health_sample(h);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(warnings[0], "RAISED CPU at 81.0 C"));
	/* within the hysteresis: still raised, no new line */
	put("sys/class/thermal/thermal_zone1/temp", "79000\n");
	ogate_health_sample(h);
	assert_int_equal(nwarn, 1);
	put("sys/class/thermal/thermal_zone1/temp", "70000\n");
	ogate_health_sample(h);
	assert_int_equal(nwarn, 2);
	assert_non_null(strstr(warnings[1], "CLEARED CPU temperature back to 70.0 C"));
	ogate_health_get(h, &f);
	assert_int_equal(f.active, 0);
	ogate_health_free(h);
}

static void test_firmware_throttling_flags_raise_and_clear_their_warnings(void **state)
{
	struct ogate_health *h;
	struct ogate_health_figures f;

	put("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n");
	h = make();
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_true(f.has_throttled);
	assert_int_equal(f.throttled, 0x50005);
	assert_int_equal(f.active, OGATE_HEALTH_UNDERVOLT | OGATE_HEALTH_THROTTLED);
	assert_int_equal(nwarn, 2);
	assert_non_null(strstr(warnings[0], "RAISED under-voltage"));
	assert_non_null(strstr(warnings[1], "RAISED the firmware throttles the CPU (flags 0x50005)"));
	/* "has occurred" bits alone are history, not a condition */
	put("sys/devices/platform/soc/soc:firmware/get_throttled", "50000\n");
	ogate_health_sample(h);
	assert_int_equal(nwarn, 4);
	assert_non_null(strstr(warnings[2], "CLEARED under-voltage"));
	assert_non_null(strstr(warnings[3], "CLEARED CPU throttling"));
	ogate_health_free(h);
}

static void test_the_hwmon_alarm_stands_in_for_under_voltage(void **state)
{
	struct ogate_health *h;
	struct ogate_health_figures f;

	put("sys/class/hwmon/hwmon0/name", "cpu_thermal\n");
	put("sys/class/hwmon/hwmon1/name", "rpi_volt\n");
	put("sys/class/hwmon/hwmon1/in0_lcrit_alarm", "1\n");
	h = make();
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_false(f.has_throttled);
	assert_true(f.has_undervolt);
	assert_int_equal(f.active, OGATE_HEALTH_UNDERVOLT);
	ogate_health_free(h);
}

static void test_without_sources_figures_are_unknown_and_nothing_warns(void **state)
{
	struct ogate_health *h = make();
	struct ogate_health_figures f;

	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_true(isnan(f.temp_c));
	assert_false(f.has_throttled);
	assert_false(f.has_undervolt);
	assert_true(isnan(f.slip_pct));
	assert_int_equal(nwarn, 0);
	ogate_health_free(h);
}

static void test_drops_late_triggers_and_slip_are_per_period(void **state)
{
	struct ogate_health *h = make();
	struct ogate_health_figures f;

	input = (struct ogate_health_input){ .running = true,
					     .fps_nominal = 80,
					     .fps_measured = 80,
					     .drops_source = 3,
					     .late = 1 };
	ogate_health_sample(h); /* the first sample sets the baseline */
	assert_int_equal(nwarn, 0);
	input.drops_analysis = 2;
	input.late = 3;
	input.lateness_max_ns = 15000;
	input.fps_measured = 72; /* interval 11.1 % long */
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_int_equal(f.drops_recent, 2);
	assert_int_equal(f.late_recent, 2);
	assert_true(fabs(f.slip_pct - 100.0 / 9) < 1e-9);
	assert_int_equal(f.active, OGATE_HEALTH_SLIP | OGATE_HEALTH_DROPS | OGATE_HEALTH_LATE);
	assert_int_equal(nwarn, 3);
	assert_non_null(strstr(
		warnings[1],
		"2 frame(s) dropped in the last period (totals: source 3, analysis 2, record 0)"));
	assert_non_null(strstr(warnings[2], "2 trigger(s) fired late in the last period (max 15.0 us)"));
	input.fps_measured = 79.5;
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_int_equal(f.active, 0);
	assert_int_equal(nwarn, 6);
	/* dropped under the pipeline's decimation: the warning says the analysis is overloaded */
	input.drops_source += 9;
	input.decimate = 4;
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_int_equal(f.active, OGATE_HEALTH_DROPS);
	assert_int_equal(nwarn, 7);
	assert_non_null(strstr(warnings[6], "9 frame(s) dropped in the last period (totals: source "
					    "12, analysis 2, record 0); overloaded: the analysis "
					    "takes 1 frame in 4"));
	input.decimate = 0;
	ogate_health_sample(h);
	assert_int_equal(nwarn, 8);
	/* stopped: no slip is computed */
	input.running = false;
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_true(isnan(f.slip_pct));
	ogate_health_free(h);
}

static void test_memory_comes_from_statm_and_warns_over_its_threshold(void **state)
{
	struct ogate_health *h;
	struct ogate_health_figures f;
	char line[64];
	long page = sysconf(_SC_PAGESIZE);

	snprintf(line, sizeof(line), "%ld %ld 10 1 0 5 0\n", (100l << 20) / page, (70l << 20) / page);
	put("proc/self/statm", line);
	h = make();
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	assert_int_equal(f.rss_bytes, 70ull << 20);
	assert_int_equal(f.vm_bytes, 100ull << 20);
	assert_int_equal(f.active, OGATE_HEALTH_MEMORY);
	assert_non_null(strstr(warnings[0], "daemon memory 70.0 MiB resident (warning at 64.0 MiB)"));
	ogate_health_free(h);
}

static void collect(void *ctx, const char *k, const char *v)
{
	char *buf = ctx;

	snprintf(buf + strlen(buf), 1024 - strlen(buf), "%s=%s\n", k, v);
}

static void test_the_figures_format_as_status_lines(void **state)
{
	struct ogate_health *h;
	struct ogate_health_figures f;
	char buf[1024] = "";

	put("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
	put("sys/class/thermal/thermal_zone0/temp", "85500\n");
	h = make();
	ogate_health_sample(h);
	ogate_health_get(h, &f);
	ogate_health_format(&f, collect, buf);
	assert_non_null(strstr(buf, "health_temp_c=85.5\n"));
	assert_non_null(strstr(buf, "health_throttled=unknown\n"));
	assert_non_null(strstr(buf, "health_undervolt=unknown\n"));
	assert_non_null(strstr(buf, "health_warnings=temp\n"));
	ogate_health_free(h);
}

static void test_the_thread_samples_every_period_and_stops(void **state)
{
	struct ogate_health *h = make();
	struct ogate_health_figures f;

	struct timespec t0, t1;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ogate_health_start(h), 0);
	usleep(100000);
	ogate_health_stop(h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	ogate_health_get(h, &f);
	/* one at start, then one per 10 ms period: never more, and not starved */
	assert_true(f.samples >= 3 && f.samples <= (uint64_t)(ms / 10) + 2);
	ogate_health_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_cpu_zone_is_preferred_and_heat_warns_once_then_clears,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_throttling_flags_raise_and_clear_their_warnings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_hwmon_alarm_stands_in_for_under_voltage,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_without_sources_figures_are_unknown_and_nothing_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drops_late_triggers_and_slip_are_per_period,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_comes_from_statm_and_warns_over_its_threshold,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_figures_format_as_status_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_thread_samples_every_period_and_stops,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
