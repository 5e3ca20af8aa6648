// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Status reply latency of a running ogated: send "status" N times, one
 * connection each (as ogate-client does), and print the percentiles as a
 * BENCH line named by the caller. Used by status-under-stage.sh while the
 * stage homes, moves slowly, is stuck, or an acquisition waits.
 * Usage: bench-daemon-status SOCKET NAME [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control-client.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static char reply[64 * 1024];
	int n = argc > 3 ? atoi(argv[3]) : 200;
	double *ms;

	if (argc < 3 || n < 1 || n > 100000) {
		fprintf(stderr, "usage: %s SOCKET NAME [N]\n", argv[0]);
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (!ms)
		return 1;
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1, pause = { 0, 5000000 };

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ogate_control_request(argv[1], "status", reply, sizeof(reply), 10000) ||
		    strncmp(reply, "OK", 2)) {
			fprintf(stderr, "%s: status failed: %.200s\n", argv[2], reply);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		nanosleep(&pause, NULL);
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp);
	printf("BENCH daemon.status_reply.p50.%s %.3f ms\n", argv[2], ms[n / 2]);
	printf("BENCH daemon.status_reply.p99.%s %.3f ms\n", argv[2], ms[(n * 99) / 100 - (n >= 100)]);
	printf("BENCH daemon.status_reply.max.%s %.3f ms\n", argv[2], ms[n - 1]);
	free(ms);
	return 0;
}
