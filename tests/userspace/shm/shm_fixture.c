// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A writer for the tests of other readers (Python, ogate-shmcat):
 *   shm_fixture NAME FRAMES SIDE HOLD_MS
 * writes FRAMES frames of SIDE x SIDE 8-bit pixels, pixel (x, y) of frame n
 * = (n + x + 2 y) & 0xff, sequence 100 + n, time n ms, phase n / 10 rad
 * (state locked from frame 3, trigger flag on every 5th), then keeps the
 * ring for HOLD_MS and removes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ogate-shm.h"

int main(int argc, char **argv)
{
	int err, frames, side, hold;
	struct ogate_shm_writer *w;
	uint8_t *px;
	struct timespec ts;

	if (argc != 5)
		return 2;
	frames = atoi(argv[2]);
	side = atoi(argv[3]);
	hold = atoi(argv[4]);
	err = ogate_shm_writer_new(&w, argv[1], 16, (size_t)side * side, 0600);
	px = malloc((size_t)side * side);
	if (err || !px)
		return 1;
	for (int n = 0; n < frames; n++) {
		struct ogate_shm_meta m = {
			.sequence = 100 + (uint64_t)n,
			.timestamp_ns = (int64_t)n * 1000000,
			.exposure_ns = 1500000,
			.phase = n / 10.0,
			.state = n >= 3 ? OGATE_SHM_STATE_LOCKED : OGATE_SHM_STATE_DETERMINE,
			.flags = n % 5 == 0 ? OGATE_SHM_TRIGGER : 0,
			.width = (uint32_t)side,
			.height = (uint32_t)side,
			.bytes_per_pixel = 1,
		};

		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++)
				px[y * side + x] = (uint8_t)(n + x + 2 * y);
		ogate_shm_write(w, &m, px, (size_t)side);
	}
	printf("ready\n");
	fflush(stdout);
	ts.tv_sec = hold / 1000;
	ts.tv_nsec = (hold % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	ogate_shm_writer_free(w);
	free(px);
	return 0;
}
