// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test helper: serve a simulated controller on a pty for end-to-end tests of
 * the ogate-stage tool and of ogated's acquisitions.
 * Usage: fake_stage_server smc100|asi PATHFILE [MOVELOG [SPEED_MM_S [FAIL_MOVE]]]
 * Writes the pty slave path to PATHFILE, then serves until killed. With
 * MOVELOG (smc100), every motion the controller makes is appended as
 * "start_ns,end_ns,target_um" (CLOCK_MONOTONIC), so tests can check what the
 * stage did independently of what the driver believes. With FAIL_MOVE = N
 * (smc100), the Nth absolute move ends half way with a following error.
 * With FAIL_MOVE = -N, the Nth move never ends: the controller reports
 * "moving" for ever (a stuck stage).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_ctl.h"

static struct fake_smc100 smc;
static FILE *movelog;
static int fail_move, moves;

static void smc100_logged(struct fake_ctl *f, const char *line)
{
	int64_t t0 = smc.t0;

	if (strstr(line, "PA") && ++moves == fail_move)
		smc.fail_next_move = true;
	if (strstr(line, "PA") && fail_move < 0 && moves == -fail_move)
		smc.speed = 1e-12;	/* mm/s: stuck */

	fake_smc100_handle(f, line);
	if (movelog && smc.t0 != t0 && smc.speed > 0) {
		int64_t end = smc.t0 + (int64_t)(fabs(smc.target - smc.from) / smc.speed * 1e9);

		fprintf(movelog, "%" PRId64 ",%" PRId64 ",%.4f\n", smc.t0, end, smc.target * 1000);
		fflush(movelog);
	}
}

int main(int argc, char **argv)
{
	static struct fake_ctl f;
	static struct fake_asi asi;
	char tmp[4096];
	FILE *out;
	int rc;

	if (argc < 3 || argc > 6 || (strcmp(argv[1], "smc100") && strcmp(argv[1], "asi"))) {
		fprintf(stderr, "usage: %s smc100|asi PATHFILE [MOVELOG [SPEED_MM_S [FAIL_MOVE]]]\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "smc100")) {
		fake_smc100_init(&smc);
		if (argc > 3 && !(movelog = fopen(argv[3], "w"))) {
			perror(argv[3]);
			return 1;
		}
		if (argc > 4)
			smc.speed = atof(argv[4]);
		if (argc > 5)
			fail_move = atoi(argv[5]);
		rc = fake_start(&f, smc100_logged, "\r\n", &smc);
	} else {
		fake_asi_init(&asi);
		rc = fake_start(&f, fake_asi_handle, "\r\n", &asi);
	}
	if (rc) {
		perror("fake_start");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	out = fopen(tmp, "w");
	if (!out || fprintf(out, "%s\n", f.slave) < 0 || fclose(out) || rename(tmp, argv[2])) {
		perror(argv[2]);
		return 1;
	}
	for (;;)
		pause();
}
