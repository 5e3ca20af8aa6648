// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The shared-memory writer's cost per 128x128 8-bit frame (target <= 2 us),
 * with a reader mapped in another process's way (by name) so the pages are
 * really shared. Prints BENCH shm_write_128_p50/p99/mean.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock-util.h"
#include "ogate-shm.h"
#include "stats-util.h"

#define SIDE 128
#define N 20000

int main(void)
{
	static uint8_t px[SIDE * SIDE];
	static int64_t dt[N];
	struct ogate_shm_writer *w;
	struct ogate_shm_reader *r;
	char name[64];
	int err;
	struct ogate_stats_summary st;

	snprintf(name, sizeof(name), "ogate-bench-%d", (int)getpid());
	err = ogate_shm_writer_new(&w, name, 64, SIDE * SIDE, 0600);
	if (!err)
		err = ogate_shm_reader_open(&r, name);
	if (err) {
		fprintf(stderr, "shm_write: %s\n", strerror(-err));
		return 1;
	}
	for (int i = 0; i < N; i++) {
		struct ogate_shm_meta m = { .sequence = (uint64_t)i,
					    .width = SIDE,
					    .height = SIDE,
					    .bytes_per_pixel = 1,
					    .phase = 1.0 };
		int64_t t0;

		memset(px, i & 0xff, sizeof(px)); /* a fresh frame each time, as from a camera */
		t0 = ogate_mono_ns();
		m.timestamp_ns = t0;
		ogate_shm_write(w, &m, px, SIDE);
		dt[i] = ogate_mono_ns() - t0;
	}
	ogate_summarize(dt, N, &st);
	printf("BENCH shm_write_128_p50 %.3f us\n", st.p50 / 1e3);
	printf("BENCH shm_write_128_p99 %.3f us\n", st.p99 / 1e3);
	printf("BENCH shm_write_128_mean %.3f us\n", st.mean / 1e3);
	ogate_shm_reader_close(r);
	ogate_shm_writer_free(w);
	return 0;
}
