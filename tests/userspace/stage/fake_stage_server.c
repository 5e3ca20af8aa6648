// SPDX-License-Identifier: GPL-2.0 OR MIT
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
 *
 * Usage: fake_stage_server asi PATHFILE [PULSES TTLLOG [LINE_MASK]]
 * With PULSES (the dry-run sink's record, output.dryrun_file), the simulated
 * ASI's TTL input is wired to the trigger lines in LINE_MASK (default 1, the
 * laser): every "fired" pulse on them is one TTL pulse at its falling edge
 * (ASI IN0 through an inverter, docs/stage.md), applied as soon as the sink
 * has recorded it. Each is logged to TTLLOG as
 * "fall_ns,applied_ns,serial_lines_so_far,ttl_mode,moves_so_far,position_tenths",
 * so a test can count the serial lines the controller received between the
 * first and the last pulse of a sequenced stack.
 */
#include <inttypes.h>
#include <math.h>
#include <time.h>
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
		smc.speed = 1e-12; /* mm/s: stuck */

	fake_smc100_handle(f, line);
	if (movelog && smc.t0 != t0 && smc.speed > 0) {
		int64_t end = smc.t0 + (int64_t)(fabs(smc.target - smc.from) / smc.speed * 1e9);

		fprintf(movelog, "%" PRId64 ",%" PRId64 ",%.4f\n", smc.t0, end, smc.target * 1000);
		fflush(movelog);
	}
}

static void log_ttl(struct fake_ctl *f, struct fake_asi *m, FILE *log, long long fall, int rx, int mode)
{
	int n_moves;
	double target;

	pthread_mutex_lock(&f->lock);
	n_moves = m->ttl_moves;
	target = m->target;
	pthread_mutex_unlock(&f->lock);
	fprintf(log, "%lld,%" PRId64 ",%d,%d,%d,%.1f\n", fall, ogate_mono_ns(), rx, mode, n_moves,
		target);
	fflush(log);
}

/*
 * Follow the dry-run record and pulse the ASI's TTL input (never returns).
 * A file "<TTLLOG>.extra" appearing is one extra pulse (then removed): a
 * glitch on the line, for the daemon's final position check.
 */
static void ttl_from_pulses(struct fake_ctl *f, struct fake_asi *m, const char *pulses, FILE *log,
			    const char *logpath, unsigned int mask)
{
	char line[512], extra[4200];
	size_t n = 0;
	FILE *in = NULL;
	int c;

	snprintf(extra, sizeof(extra), "%s.extra", logpath);
	for (;;) {
		struct timespec ts = { 0, 500000 };

		if (!in)
			in = fopen(pulses, "r");
		while (in && (c = fgetc(in)) != EOF) {
			char kind[16];
			uint64_t cookie;
			unsigned int lines;
			long long t, rise, fall;

			if (c != '\n') {
				if (n + 1 < sizeof(line))
					line[n++] = (char)c;
				continue;
			}
			line[n] = '\0';
			n = 0;
			if (sscanf(line, "%15[^,],%" SCNu64 ",%u,%lld,%lld,%lld", kind, &cookie,
				   &lines, &t, &rise, &fall) == 6 &&
			    !strcmp(kind, "fired") && (lines & mask)) {
				int rx, mode;

				pthread_mutex_lock(&f->lock);
				rx = f->rx_count;
				mode = m->ttl_in_mode;
				pthread_mutex_unlock(&f->lock);
				fake_asi_ttl(f);
				log_ttl(f, m, log, fall, rx, mode);
			}
		}
		if (in)
			clearerr(in);
		if (extra[0] && !access(extra, F_OK) && !unlink(extra)) {
			int rx, mode;

			pthread_mutex_lock(&f->lock);
			rx = f->rx_count;
			mode = m->ttl_in_mode;
			pthread_mutex_unlock(&f->lock);
			fake_asi_ttl(f);
			log_ttl(f, m, log, -1, rx, mode);
		}
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	static struct fake_ctl f;
	static struct fake_asi asi;
	char tmp[4096];
	FILE *out;
	int rc;

	if (argc < 3 || argc > 6 || (strcmp(argv[1], "smc100") && strcmp(argv[1], "asi")) ||
	    (!strcmp(argv[1], "asi") && argc == 4)) {
		fprintf(stderr,
			"usage: %s smc100 PATHFILE [MOVELOG [SPEED_MM_S [FAIL_MOVE]]]\n"
			"       %s asi PATHFILE [PULSES TTLLOG [LINE_MASK]]\n",
			argv[0], argv[0]);
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
	if (!strcmp(argv[1], "asi") && argc > 4) {
		FILE *log = fopen(argv[4], "w");

		if (!log) {
			perror(argv[4]);
			return 1;
		}
		ttl_from_pulses(&f, &asi, argv[3], log, argv[4],
				argc > 5 ? (unsigned int)atoi(argv[5]) : 1);
	}
	for (;;)
		pause();
}
