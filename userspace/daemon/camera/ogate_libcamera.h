/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogate_libcamera.h - C interface of the libcamera camera source.
 *
 * libcamera has no C API; libcamera_adapter.cpp is the only C++ in ogate and
 * sits behind this header. A camera is opened with a configuration, started,
 * and delivers frames through a non-blocking ogate_lc_next(); the file
 * descriptor from ogate_lc_fd() becomes readable whenever a frame is waiting,
 * so the daemon polls it together with its other descriptors.
 *
 * Each frame carries an 8-bit luma plane: the Y plane of YUV420/NV12, the R8
 * plane, or a grey conversion of RGB888/BGR888 (BT.601 weights), with its own
 * stride. Timestamps are CLOCK_MONOTONIC nanoseconds (libcamera's
 * SensorTimestamp, the start of sensor readout on the Pi).
 *
 * A frame holds a capture buffer until ogate_lc_release() gives it back; the
 * camera has only config.buffer_count buffers, so holding frames stalls the
 * stream (back-pressure; the frames the sensor could not deliver show up as
 * drops from sequence gaps or, where FrameDuration is reported, timestamp
 * steps; vimc reports neither).
 *
 * Errors are negative errno values; ogate_lc_last_error() returns a message
 * naming the cause, kept per calling thread.
 *
 * Threads: all functions are called from one thread (the daemon's loop);
 * libcamera completes requests on its own thread internally.
 */
#ifndef OGATE_LIBCAMERA_H
#define OGATE_LIBCAMERA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pixel formats the source can turn into an 8-bit luma plane. */
enum ogate_lc_format {
	OGATE_LC_FMT_ANY = 0, /* pick the first the camera offers, in the order below */
	OGATE_LC_FMT_R8,      /* 8-bit mono sensors (libcamera R8 / GREY) */
	OGATE_LC_FMT_YUV420,  /* planar Y, U, V: Y plane used as is */
	OGATE_LC_FMT_NV12,    /* Y plane + interleaved UV: Y plane used as is */
	OGATE_LC_FMT_RGB888,  /* libcamera/DRM RGB888: bytes B, G, R in memory; converted */
	OGATE_LC_FMT_BGR888,  /* libcamera/DRM BGR888: bytes R, G, B in memory; converted */
	OGATE_LC_FMT_COUNT
};

/* config.flags */
#define OGATE_LC_HFLIP (1u << 0)	/* mirror horizontally */
#define OGATE_LC_VFLIP (1u << 1)	/* flip vertically */
#define OGATE_LC_ALLOW_ADJUST (1u << 2) /* accept a size/format the camera adjusted */

struct ogate_lc_rect {
	int32_t x, y;
	uint32_t width, height; /* 0x0 = no crop */
};

/*
 * What to ask the camera for. Zero in a field means "the camera's default"
 * (auto exposure, auto gain, default frame rate, default size, no crop).
 * Without OGATE_LC_ALLOW_ADJUST, a camera that cannot deliver exactly the
 * requested size fails the open/configure with -EINVAL; a control the camera
 * does not have (exposure on vimc, say) fails with -EOPNOTSUPP.
 */
struct ogate_lc_config {
	uint32_t width, height;	     /* output size; both 0 or both 16..16384 */
	enum ogate_lc_format format; /* preferred; others are tried after it */
	int64_t frame_duration_us;   /* fixed frame duration (1e6 / fps); 100..10000000 */
	int32_t exposure_us;	     /* fixed exposure; 1..10000000 */
	float analogue_gain;	     /* fixed analogue gain; 1.0..64.0 */
	struct ogate_lc_rect roi;    /* sensor crop (libcamera ScalerCrop, sensor pixels) */
	uint32_t buffer_count;	     /* capture buffers; 0 = 4, else 2..16 */
	uint32_t flags;		     /* OGATE_LC_* */
};

struct ogate_lc_frame {
	const uint8_t *luma; /* 8-bit luma, valid until ogate_lc_release() */
	uint32_t width, height;
	uint32_t stride;	     /* bytes from one row to the next (>= width) */
	enum ogate_lc_format format; /* what the camera delivered */
	int64_t timestamp_ns;	     /* CLOCK_MONOTONIC, SensorTimestamp */
	uint64_t sequence;	     /* sensor frame counter, 64-bit extended */
	uint32_t dropped_before;     /* frames missing between the previous one and this:
					 * the sequence gap, or the timestamp step in frame
					 * durations where the camera reports FrameDuration,
					 * whichever is larger */
	int64_t frame_duration_us;   /* as reported (FrameDuration); -1 if not reported */
	int32_t exposure_us;	     /* applied exposure as reported; -1 if not reported */
	float analogue_gain;	     /* applied analogue gain as reported; 0 if not reported */
	/* internal */
	struct ogate_lc_camera *cam_;
	void *req_;
};

struct ogate_lc_stats {
	uint64_t frames;  /* frames handed out by ogate_lc_next() since open */
	uint64_t dropped; /* sequence gaps since open (sum of dropped_before) */
	uint64_t failed;  /* requests or buffers completed in error while running */
};

struct ogate_lc_info {
	char id[256];	/* libcamera camera id, for ogate_lc_open() */
	char model[64]; /* properties::Model, "" when not reported */
};

/* Fill up to max entries; return the number of cameras (may exceed max) or -errno. */
int ogate_lc_list(struct ogate_lc_info *info, size_t max);

/* Open camera id (NULL: the first one) and configure it. */
int ogate_lc_open(struct ogate_lc_camera **cam, const char *id, const struct ogate_lc_config *cfg);
/* Reconfigure a stopped camera (mode switch); all frames must be released (-EBUSY). */
int ogate_lc_configure(struct ogate_lc_camera *cam, const struct ogate_lc_config *cfg);
int ogate_lc_start(struct ogate_lc_camera *cam);
/* Stop streaming; queued frames not yet taken are discarded. Frames still held
 * stay readable until released. */
int ogate_lc_stop(struct ogate_lc_camera *cam);
void ogate_lc_close(struct ogate_lc_camera *cam);

/* Readable (POLLIN) while at least one frame is waiting. */
int ogate_lc_fd(const struct ogate_lc_camera *cam);
/* Take the oldest completed frame: 0, -EAGAIN when none is waiting, -errno. */
int ogate_lc_next(struct ogate_lc_camera *cam, struct ogate_lc_frame *frame);
/* Give the frame's buffer back to the camera. */
void ogate_lc_release(struct ogate_lc_frame *frame);

void ogate_lc_get_stats(const struct ogate_lc_camera *cam, struct ogate_lc_stats *stats);
/* The configuration in effect (after any adjustment the camera made). */
void ogate_lc_get_config(const struct ogate_lc_camera *cam, struct ogate_lc_config *cfg);
/* "libcamera 0.0.3" etc.: the version the adapter was compiled against. */
const char *ogate_lc_version(void);
/* Message for the last error returned to this thread. */
const char *ogate_lc_last_error(void);

const char *ogate_lc_format_name(enum ogate_lc_format fmt);

#ifdef __cplusplus
}
#endif

#endif /* OGATE_LIBCAMERA_H */
