// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogate-shmcat: follow ogated's shared-memory frame stream (/dev/shm/<name>)
 * and print one line per frame (sequence, time, phase, state, exposure,
 * size), or with --raw write the frames' pixels to stdout. Overruns are
 * reported on stderr ("lost N"), never hidden.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "numparse.h"
#include "ogate-shm.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ogate-shmcat [-n FRAMES] [-t SECONDS] [--raw] [--latest] [NAME]\n"
		   "  NAME         the ring in /dev/shm (default ogate-frames)\n"
		   "  -n FRAMES    stop after this many frames\n"
		   "  -t SECONDS   stop after this long (default: forever)\n"
		   "  --raw        write the pixels to stdout instead of one line per frame\n"
		   "  --latest     start at the newest frame, not the oldest kept\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "latest", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "ogate-frames";
	long max_frames = -1;
	double seconds = -1;
	int raw = 0, latest = 0, c, err;
	struct ogate_shm_reader *r;
	uint8_t *buf;
	long n = 0;
	int64_t until;

	while ((c = getopt_long(argc, argv, "n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': {
			int64_t v;

			if (ogate_parse_i64(optarg, 10, &v) || v < 0 || v > LONG_MAX) {
				fprintf(stderr, "ogate-shmcat: -n %s: not a count of frames\n", optarg);
				return 2;
			}
			max_frames = (long)v;
			break;
		}
		case 't':
			if (ogate_parse_double(optarg, &seconds) || seconds < 0 || seconds > 1e9) {
				fprintf(stderr, "ogate-shmcat: -t %s: not a number of seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'r': raw = 1; break;
		case 'l': latest = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	err = ogate_shm_reader_open(&r, name);
	if (err) {
		fprintf(stderr, "ogate-shmcat: /dev/shm/%s: %s\n", name,
			err == -EPROTO ? "not an ogate frame ring" : strerror(-err));
		return 1;
	}
	if (latest)
		ogate_shm_reader_seek_latest(r);
	buf = malloc(ogate_shm_reader_max_frame_bytes(r));
	if (!buf)
		return 1;
	until = seconds >= 0 ? ogate_mono_ns() + (int64_t)(seconds * 1e9) : INT64_MAX;
	if (!raw)
		printf("# sequence time_s phase_rad state flags exposure_us width height\n");
	while ((max_frames < 0 || n < max_frames) && ogate_mono_ns() < until) {
		struct ogate_shm_meta m;
		uint64_t lost;
		int ret = ogate_shm_reader_next(r, &m, buf, ogate_shm_reader_max_frame_bytes(r), &lost);

		if (lost)
			fprintf(stderr, "ogate-shmcat: lost %llu frame(s): overrun by the writer\n",
				(unsigned long long)lost);
		if (ret == -EAGAIN) {
			ogate_sleep_until(ogate_mono_ns() + 1000000);
			continue;
		}
		if (ret)
			break;
		n++;
		if (raw) {
			size_t bytes = (size_t)m.width * m.height * m.bytes_per_pixel;

			if (fwrite(buf, 1, bytes, stdout) != bytes)
				return 1;
			continue;
		}
		printf("%llu %.6f %.4f %s %u %.1f %u %u\n", (unsigned long long)m.sequence,
		       m.timestamp_ns / 1e9, m.phase,
		       m.state == OGATE_SHM_STATE_LOCKED ? "locked" : "determine", m.flags,
		       m.exposure_ns / 1e3, m.width, m.height);
		fflush(stdout);
	}
	fflush(stdout);
	free(buf);
	ogate_shm_reader_close(r);
	return 0;
}
