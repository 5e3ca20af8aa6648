// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Benchmark: command round trip of the serial stage drivers through a pty to
 * the simulated controllers (position query: SMC100 "1TP", ASI "W Z").
 * This measures the software path (driver, termios, pty, fake thread), not a
 * real controller: at 57600 baud the 5 + ~14 bytes of a real TP exchange alone
 * take ~3.3 ms on the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogate/stage.h"
#include "fake_ctl.h"

#define N 2000

static void quiet(void *ctx, int prio, const char *msg)
{
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int bench(const char *driver, fake_handler h, void *model)
{
	static int64_t t[N];
	struct fake_ctl f;
	struct ogate_stage_opts o;
	struct ogate_stage *s;
	char err[256];
	double um;

	if (fake_start(&f, h, "\r\n", model))
		return 1;
	ogate_stage_opts_init(&o);
	o.driver = driver;
	o.port = f.slave;
	o.log = quiet;
	if (ogate_stage_open(&s, &o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", driver, err);
		return 1;
	}
	for (int i = 0; i < N; i++) {
		int64_t t0 = ogate_mono_ns();

		if (ogate_stage_position(s, &um)) {
			fprintf(stderr, "%s: %s\n", driver, ogate_stage_last_error(s));
			return 1;
		}
		t[i] = ogate_mono_ns() - t0;
	}
	qsort(t, N, sizeof(t[0]), cmp);
	printf("BENCH stage_%s_pty_position_roundtrip_median %.1f us\n", driver, t[N / 2] / 1e3);
	printf("BENCH stage_%s_pty_position_roundtrip_p99 %.1f us\n", driver, t[N * 99 / 100] / 1e3);
	printf("BENCH stage_%s_pty_position_roundtrip_max %.1f us\n", driver, t[N - 1] / 1e3);
	ogate_stage_close(s);
	fake_stop(&f);
	return 0;
}

int main(void)
{
	struct fake_smc100 smc;
	struct fake_asi asi;

	fake_smc100_init(&smc);
	fake_asi_init(&asi);
	return bench("smc100", fake_smc100_handle, &smc) || bench("asi", fake_asi_handle, &asi);
}
