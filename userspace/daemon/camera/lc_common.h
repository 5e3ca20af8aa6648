/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lc_common.h - the plain C half of the libcamera source: luma extraction,
 * configuration checks and the per-thread error message. Shared by the C++
 * adapter and the unit tests (tests/userspace/daemon/camera/).
 */
#ifndef OGATE_LC_COMMON_H
#define OGATE_LC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "ogate_libcamera.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Plane 0 of a captured buffer, as mapped. */
struct ogate_lc_plane {
	const uint8_t *data;
	size_t length;	 /* bytes mapped from data on */
	uint32_t stride; /* bytes per row of plane 0 */
};

/* The 8-bit luma image found or made from a plane. */
struct ogate_lc_luma {
	const uint8_t *data;
	uint32_t width, height, stride;
};

/*
 * Y/R8 formats: point into the plane (no copy). RGB888/BGR888: convert into
 * grey (width * height bytes, stride = width). -EINVAL when the plane is too
 * short for width/height/stride or grey is too small.
 */
int ogate_lc_luma_extract(enum ogate_lc_format fmt, const struct ogate_lc_plane *plane, uint32_t width,
			  uint32_t height, uint8_t *grey, size_t grey_len, struct ogate_lc_luma *out);

/* Bytes per pixel of plane 0 (1 for Y/R8, 3 for packed RGB), 0 if unknown. */
unsigned int ogate_lc_format_bpp(enum ogate_lc_format fmt);

/* The sensor's 32-bit frame counter, extended to 64 bits, with drop counting. */
struct ogate_lc_seq {
	uint64_t last;
	int have; /* 0 until the first frame after a start */
};

/*
 * Feed the next frame's 32-bit sequence: *seq64 gets the extended number,
 * *gap the frames missing since the previous one (0 for the first frame).
 * Returns 1 when the counter went backwards instead of wrapping (a driver
 * anomaly: *seq64 then continues at previous + 1 and *gap is 0), else 0.
 */
int ogate_lc_seq_next(struct ogate_lc_seq *s, uint32_t seq32, uint64_t *seq64, uint32_t *gap);

/*
 * Frames missing between two timestamps frame_ns apart nominally: the step
 * rounded to whole frame durations, minus one; 0 when frame_ns <= 0 or the
 * step is not positive. Some pipelines (the Raspberry Pi's ISP output) number
 * only the frames they deliver, so the sequence alone cannot show drops there;
 * the frame duration they report per frame can.
 */
uint32_t ogate_lc_ts_gap(int64_t prev_ts_ns, int64_t ts_ns, int64_t frame_ns);

/* Range checks of every field; -EINVAL with a message naming the value. */
int ogate_lc_config_check(const struct ogate_lc_config *cfg);

/* Record the message for ogate_lc_last_error() and return err (a -errno). */
int ogate_lc_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ogate_lc_clear_error(void);

#define OGATE_LC_MAX_DIM 16384u
#define OGATE_LC_MIN_DIM 16u
#define OGATE_LC_MAX_EXPOSURE_US 10000000
#define OGATE_LC_MIN_FRAME_US 100
#define OGATE_LC_MAX_FRAME_US 10000000
#define OGATE_LC_MAX_GAIN 64.0f
#define OGATE_LC_DEFAULT_BUFFERS 4u
#define OGATE_LC_MAX_BUFFERS 16u

#ifdef __cplusplus
}
#endif

#endif
