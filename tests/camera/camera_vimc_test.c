// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camera_vimc_test - the libcamera source against the kernel's vimc virtual
 * camera, inside the VM of tests/camera/run-vimc-vm.sh. Uses only the C
 * interface (ogate_libcamera.h) and prints TAP.
 *
 * vimc facts this relies on: RGB888/BGR888 output only, widths a multiple of
 * 6 (other widths are adjusted), no exposure/gain/frame-rate controls, a
 * static colour-bar test pattern, sequence numbers that count delivered
 * frames only (so no gaps are expected here).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ogate_libcamera.h"

#define FRAMES		30
#define MAX_LAG_NS	1000000000LL	/* frame timestamp to dequeue */

static int test_no;
static int failures;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

struct capture_result {
	int got;
	int in_order;
	int monotonic_clock;
	int64_t max_lag_ns;
	int64_t min_lag_ns;
	int size_ok;
	int varies;
	uint64_t first_seq, last_seq, dropped;
	double fps;
	double mean;
};

/* Start, take n frames (each checked as it is dequeued), stop. */
static int capture(struct ogate_lc_camera *cam, uint32_t w, uint32_t h, int n,
		   struct capture_result *r)
{
	struct pollfd pfd = { .fd = ogate_lc_fd(cam), .events = POLLIN };
	int64_t deadline = now_ns() + 30000000000LL, first_ts = 0, last_ts = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->in_order = r->monotonic_clock = r->size_ok = r->varies = 1;
	r->min_lag_ns = INT64_MAX;
	ret = ogate_lc_start(cam);
	if (ret < 0) {
		printf("# start: %s\n", ogate_lc_last_error());
		return ret;
	}
	while (r->got < n && now_ns() < deadline) {
		struct ogate_lc_frame f;

		poll(&pfd, 1, 1000);
		while (r->got < n && (ret = ogate_lc_next(cam, &f)) == 0) {
			int64_t now = now_ns(), lag = now - f.timestamp_ns;
			uint8_t lo = 255, hi = 0;
			uint64_t sum = 0;

			if (lag < 0 || lag > MAX_LAG_NS) {
				if (r->monotonic_clock)
					printf("# frame %" PRIu64 ": timestamp %" PRId64
					       " vs CLOCK_MONOTONIC %" PRId64 "\n",
					       f.sequence, f.timestamp_ns, now);
				r->monotonic_clock = 0;
			}
			if (lag > r->max_lag_ns)
				r->max_lag_ns = lag;
			if (lag < r->min_lag_ns)
				r->min_lag_ns = lag;
			if (r->got && (f.sequence <= r->last_seq || f.timestamp_ns <= last_ts)) {
				printf("# frame %d: seq %" PRIu64 " after %" PRIu64 ", ts %" PRId64
				       " after %" PRId64 "\n", r->got, f.sequence, r->last_seq,
				       f.timestamp_ns, last_ts);
				r->in_order = 0;
			}
			if (f.width != w || f.height != h || f.stride < f.width || !f.luma) {
				if (r->size_ok)
					printf("# frame luma %ux%u stride %u, configured %ux%u\n",
					       f.width, f.height, f.stride, w, h);
				r->size_ok = 0;
			} else {
				for (uint32_t y = 0; y < f.height; y++)
					for (uint32_t x = 0; x < f.width; x++) {
						uint8_t v = f.luma[(size_t)y * f.stride + x];

						lo = v < lo ? v : lo;
						hi = v > hi ? v : hi;
						sum += v;
					}
				if (hi - lo < 16)
					r->varies = 0;
				r->mean = (double)sum / ((double)w * h);
			}
			if (!r->got) {
				r->first_seq = f.sequence;
				first_ts = f.timestamp_ns;
			}
			r->dropped += f.dropped_before;
			r->last_seq = f.sequence;
			last_ts = f.timestamp_ns;
			r->got++;
			ogate_lc_release(&f);
		}
		if (ret < 0 && ret != -EAGAIN) {
			printf("# next: %s\n", ogate_lc_last_error());
			break;
		}
	}
	if (r->got > 1)
		r->fps = (r->got - 1) * 1e9 / (double)(last_ts - first_ts);
	ret = ogate_lc_stop(cam);
	if (ret < 0)
		printf("# stop: %s\n", ogate_lc_last_error());
	return ret;
}

static void capture_checks(struct ogate_lc_camera *cam, uint32_t w, uint32_t h,
			   const char *tag)
{
	struct capture_result r;
	struct ogate_lc_stats st0, st1;

	ogate_lc_get_stats(cam, &st0);
	int ret = capture(cam, w, h, FRAMES, &r);
	ogate_lc_get_stats(cam, &st1);
	printf("# %ux%u%s: %d frames, %.1f fps, seq %" PRIu64 "..%" PRIu64
	       ", dropped %" PRIu64 ", failed %" PRIu64 ", lag %.1f..%.1f ms, mean luma %.1f\n",
	       w, h, tag, r.got, r.fps, r.first_seq, r.last_seq, r.dropped,
	       st1.failed - st0.failed, r.min_lag_ns / 1e6, r.max_lag_ns / 1e6, r.mean);
	tap(ret == 0 && r.got == FRAMES, "capture_%ux%u%s_delivers_%d_frames", w, h, tag, FRAMES);
	tap(r.got == FRAMES && r.in_order,
	    "capture_%ux%u%s_sequence_and_timestamps_strictly_increase", w, h, tag);
	tap(r.got == FRAMES && r.monotonic_clock,
	    "capture_%ux%u%s_timestamps_are_clock_monotonic_within_1s_before_dequeue", w, h, tag);
	tap(r.got == FRAMES && r.size_ok && r.varies,
	    "capture_%ux%u%s_luma_has_configured_size_and_test_pattern_content", w, h, tag);
	/* every frame between the first and last is either delivered or counted */
	tap(r.got == FRAMES && r.last_seq - r.first_seq + 1 == (uint64_t)r.got + r.dropped &&
	    st1.dropped - st0.dropped == r.dropped && st1.frames - st0.frames == (uint64_t)r.got,
	    "capture_%ux%u%s_frames_plus_counted_drops_cover_the_sequence", w, h, tag);
	printf("# FIGURE fps_%ux%u%s %.1f\n", w, h, tag, r.fps);
}

static struct ogate_lc_config config_of(uint32_t w, uint32_t h)
{
	struct ogate_lc_config c = { .width = w, .height = h, .format = OGATE_LC_FMT_ANY };

	return c;
}

int main(void)
{
	struct ogate_lc_info info[4];
	struct ogate_lc_camera *cam = NULL;
	struct ogate_lc_config c;
	char id[256] = "";
	int n, ret;

	/* TAP without the plan: guest-init.sh adds its own checks and prints "1..N" last */
	printf("# %s\n", ogate_lc_version());

	/*
	 * guest-init.sh suspended the guest for a few seconds: BOOTTIME is now
	 * ahead of MONOTONIC by more than the 1 s window of the timestamp
	 * checks, so a BOOTTIME (or REALTIME) frame timestamp fails them.
	 */
	int64_t boot_ahead = clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC);
	tap(boot_ahead > MAX_LAG_NS,
	    "guest_boottime_is_ahead_of_monotonic_so_clock_checks_discriminate (%.2f s)",
	    boot_ahead / 1e9);

	n = ogate_lc_list(info, 4);
	for (int i = 0; i < n && i < 4; i++)
		printf("# camera %d: %s\n", i, info[i].id);
	if (n > 0)
		snprintf(id, sizeof(id), "%s", info[0].id);
	tap(n >= 1 && strstr(id, "vimc"), "camera_is_listed (%d, %s)", n, n < 0 ? ogate_lc_last_error() : id);

	/* errors that must not be silent */
	c = config_of(318, 240);
	c.analogue_gain = 100.0f;
	ret = ogate_lc_open(&cam, id, &c);
	tap(ret == -EINVAL && !cam && strstr(ogate_lc_last_error(), "analogue_gain=100"),
	    "open_with_gain_out_of_range_is_einval_naming_it (%s)", ogate_lc_last_error());
	c = config_of(318, 240);
	c.exposure_us = 5000;
	ret = ogate_lc_open(&cam, id, &c);
	tap(ret == -EOPNOTSUPP && !cam && strstr(ogate_lc_last_error(), "ExposureTime"),
	    "open_with_exposure_on_camera_without_exposure_control_is_eopnotsupp (%s)",
	    ogate_lc_last_error());
	c = config_of(320, 240);
	ret = ogate_lc_open(&cam, id, &c);
	tap(ret == -EINVAL && !cam && strstr(ogate_lc_last_error(), "320x240 to 318x240"),
	    "open_with_size_the_camera_adjusts_is_einval_unless_allowed (%s)",
	    ogate_lc_last_error());
	c.flags = OGATE_LC_ALLOW_ADJUST;
	ret = ogate_lc_open(&cam, id, &c);
	if (ret == 0) {
		ogate_lc_get_config(cam, &c);
		ogate_lc_close(cam);
		cam = NULL;
	}
	tap(ret == 0 && c.width == 318 && c.height == 240,
	    "open_with_allow_adjust_reports_the_adjusted_size (%ux%u)", c.width, c.height);

	/* mode A, B, A: full stop / reconfigure / start twice */
	c = config_of(318, 240);
	ret = ogate_lc_open(&cam, id, &c);
	if (ret == 0)
		ogate_lc_get_config(cam, &c);
	tap(ret == 0, "open_318x240 (%s %s)", ret ? ogate_lc_last_error() : "",
	    ogate_lc_format_name(c.format));
	if (ret) {
		printf("Bail out! cannot open the vimc camera\n");
		return 1;
	}
	capture_checks(cam, 318, 240, "");

	c = config_of(96, 96);
	ret = ogate_lc_configure(cam, &c);
	tap(ret == 0, "reconfigure_to_96x96_after_stop (%s)", ret ? ogate_lc_last_error() : "");
	capture_checks(cam, 96, 96, "");

	/* configure is refused while running and while a frame is held */
	struct ogate_lc_frame held = { 0 };
	struct pollfd pfd = { .fd = ogate_lc_fd(cam), .events = POLLIN };
	int busy_running = 0, busy_held = 0, got_held = 0;

	if (ogate_lc_start(cam) == 0) {
		busy_running = ogate_lc_configure(cam, &c) == -EBUSY;
		for (int i = 0; i < 50 && !got_held; i++) {
			poll(&pfd, 1, 100);
			got_held = ogate_lc_next(cam, &held) == 0;
		}
		ogate_lc_stop(cam);
		busy_held = got_held && ogate_lc_configure(cam, &c) == -EBUSY;
		/* a frame held across stop stays mapped and readable */
		if (got_held) {
			volatile uint8_t v = held.luma[(size_t)(held.height - 1) * held.stride];
			(void)v;
		}
		ogate_lc_release(&held);
	}
	tap(busy_running && busy_held, "configure_while_running_or_holding_a_frame_is_ebusy");
	struct ogate_lc_frame none;
	tap(ogate_lc_next(cam, &none) == -EAGAIN && poll(&pfd, 1, 0) == 0,
	    "after_stop_next_is_eagain_and_fd_not_readable");

	c = config_of(318, 240);
	ret = ogate_lc_configure(cam, &c);
	tap(ret == 0, "reconfigure_back_to_318x240 (%s)", ret ? ogate_lc_last_error() : "");
	capture_checks(cam, 318, 240, "_again");

	ogate_lc_close(cam);
	cam = NULL;
	c = config_of(192, 144);
	ret = ogate_lc_open(&cam, id, &c);
	tap(ret == 0, "close_and_reopen_at_192x144 (%s)", ret ? ogate_lc_last_error() : "");
	if (ret == 0) {
		capture_checks(cam, 192, 144, "_reopened");
		ogate_lc_close(cam);
	} else {
		for (int i = 0; i < 5; i++)
			tap(0, "capture_192x144_reopened # camera not reopened");
	}
	return failures ? 1 : 0;
}
