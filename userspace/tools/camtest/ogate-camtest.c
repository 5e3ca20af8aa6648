// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogate-camtest - capture frames through the libcamera source (ogate_libcamera.h)
 * and print per-frame sequence, timestamp and mean luma, then a summary.
 *
 *   ogate-camtest -l | -h | -V
 *   ogate-camtest [-c ID] [-s WxH] [-f any|r8|yuv420|nv12|rgb888|bgr888]
 *                 [-r FPS] [-e EXPOSURE_US] [-g GAIN] [-n FRAMES] [-a] [-q]
 *
 * Exit status: 0 when FRAMES frames arrived with strictly increasing sequence
 * numbers and timestamps, 1 otherwise, 2 on a usage or setup error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock-util.h"
#include "numparse.h"
#include "ogate_libcamera.h"
#include "ogate-version.h"

static double mean_luma(const struct ogate_lc_frame *f)
{
	uint64_t sum = 0;

	for (uint32_t y = 0; y < f->height; y++)
		for (uint32_t x = 0; x < f->width; x++)
			sum += f->luma[(size_t)y * f->stride + x];
	return (double)sum / ((double)f->width * f->height);
}

static int list_cameras(void)
{
	struct ogate_lc_info info[8];
	int n = ogate_lc_list(info, 8);

	if (n < 0) {
		fprintf(stderr, "ogate-camtest: %s\n", ogate_lc_last_error());
		return 2;
	}
	printf("%s: %d camera(s)\n", ogate_lc_version(), n);
	for (int i = 0; i < n && i < 8; i++)
		printf("%d: %s%s%s\n", i, info[i].id, info[i].model[0] ? "  model " : "",
		       info[i].model);
	return n > 0 ? 0 : 1;
}

static int parse_format(const char *s, enum ogate_lc_format *fmt)
{
	for (int f = 0; f < OGATE_LC_FMT_COUNT; f++)
		if (!strcasecmp(s, ogate_lc_format_name((enum ogate_lc_format)f))) {
			*fmt = (enum ogate_lc_format)f;
			return 0;
		}
	return -EINVAL;
}

static int bad_number(int opt, const char *arg)
{
	fprintf(stderr, "ogate-camtest: -%c %s: not a valid number here\n", opt, arg);
	return 2;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ogate-camtest -l | -h, --help | -V, --version\n"
		   "       ogate-camtest [-c ID] [-s WxH] [-f any|r8|yuv420|nv12|rgb888|bgr888]\n"
		   "                     [-r FPS] [-e EXPOSURE_US] [-g GAIN] [-n FRAMES] [-a] [-q]\n");
}

int main(int argc, char **argv)
{
	struct ogate_lc_config cfg = { 0 };
	const char *id = NULL;
	int64_t frames = 100, i;
	double d;
	int quiet = 0, opt;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "lc:s:f:r:e:g:n:aqhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogate-camtest %s\n", OGATE_VERSION); return 0;
		case 'l': return list_cameras();
		case 'c': id = optarg; break;
		case 's':
			if (sscanf(optarg, "%ux%u", &cfg.width, &cfg.height) != 2) {
				usage(stderr);
				return 2;
			}
			break;
		case 'f':
			if (parse_format(optarg, &cfg.format) < 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'r':
			if (ogate_parse_double(optarg, &d) || !(d > 0))
				return bad_number(opt, optarg);
			cfg.frame_duration_us = (int64_t)(1e6 / d + 0.5);
			break;
		case 'e':
			if (ogate_parse_i64(optarg, 0, &i) || i < INT32_MIN || i > INT32_MAX)
				return bad_number(opt, optarg);
			cfg.exposure_us = (int32_t)i;
			break;
		case 'g':
			if (ogate_parse_double(optarg, &d))
				return bad_number(opt, optarg);
			cfg.analogue_gain = (float)d;
			break;
		case 'n':
			if (ogate_parse_i64(optarg, 0, &frames))
				return bad_number(opt, optarg);
			break;
		case 'a': cfg.flags |= OGATE_LC_ALLOW_ADJUST; break;
		case 'q': quiet = 1; break;
		default: usage(stderr); return 2;
		}
	}
	if (frames < 2 || frames > 1000000) {
		fprintf(stderr, "ogate-camtest: -n needs 2 to 1000000 frames\n");
		return 2;
	}

	struct ogate_lc_camera *cam;
	int ret = ogate_lc_open(&cam, id, &cfg);
	if (ret < 0) {
		fprintf(stderr, "ogate-camtest: open: %s (%s)\n", ogate_lc_last_error(),
			strerror(-ret));
		return 2;
	}
	struct ogate_lc_config have;
	ogate_lc_get_config(cam, &have);
	printf("%s: %ux%u %s, %u buffers\n", ogate_lc_version(), have.width, have.height,
	       ogate_lc_format_name(have.format), have.buffer_count);
	ret = ogate_lc_start(cam);
	if (ret < 0) {
		fprintf(stderr, "ogate-camtest: start: %s\n", ogate_lc_last_error());
		ogate_lc_close(cam);
		return 2;
	}

	struct pollfd pfd = { .fd = ogate_lc_fd(cam), .events = POLLIN };
	int64_t first_ts = 0, last_ts = 0,
		deadline = ogate_mono_ns() + 10000000000LL + frames * 200000000LL;
	uint64_t last_seq = 0;
	long got = 0;
	int monotonic = 1;

	while (got < frames && ogate_mono_ns() < deadline) {
		struct ogate_lc_frame f;

		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			break;
		while (got < frames && (ret = ogate_lc_next(cam, &f)) == 0) {
			double mean = mean_luma(&f);

			if (got > 0 && (f.sequence <= last_seq || f.timestamp_ns <= last_ts))
				monotonic = 0;
			if (!quiet)
				printf("frame seq=%" PRIu64 " ts=%" PRId64 " dt_us=%.0f mean=%.2f"
				       " dropped=%u exp_us=%d gain=%.2f fd_us=%" PRId64 "\n",
				       f.sequence, f.timestamp_ns,
				       got ? (double)(f.timestamp_ns - last_ts) / 1e3 : 0.0, mean,
				       f.dropped_before, f.exposure_us, (double)f.analogue_gain,
				       f.frame_duration_us);
			if (!got)
				first_ts = f.timestamp_ns;
			last_ts = f.timestamp_ns;
			last_seq = f.sequence;
			got++;
			ogate_lc_release(&f);
		}
		if (ret < 0 && ret != -EAGAIN) {
			fprintf(stderr, "ogate-camtest: next: %s\n", ogate_lc_last_error());
			break;
		}
	}
	ogate_lc_stop(cam);

	struct ogate_lc_stats st;
	ogate_lc_get_stats(cam, &st);
	ogate_lc_close(cam);
	double fps = got > 1 && last_ts > first_ts ? (got - 1) * 1e9 / (double)(last_ts - first_ts)
						   : 0;
	printf("summary frames=%ld dropped=%" PRIu64 " failed=%" PRIu64 " fps=%.1f"
	       " timestamps_monotonic=%s\n",
	       got, st.dropped, st.failed, fps, monotonic ? "yes" : "no");
	return got == frames && monotonic ? 0 : 1;
}
