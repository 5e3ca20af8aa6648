// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lc_common.c - luma extraction, configuration checks and error messages of
 * the libcamera source (the C half; see ogate_libcamera.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "lc_common.h"

static _Thread_local char last_error[256];

int ogate_lc_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

void ogate_lc_clear_error(void)
{
	last_error[0] = '\0';
}

const char *ogate_lc_last_error(void)
{
	return last_error;
}

const char *ogate_lc_format_name(enum ogate_lc_format fmt)
{
	switch (fmt) {
	case OGATE_LC_FMT_ANY: return "any";
	case OGATE_LC_FMT_R8: return "R8";
	case OGATE_LC_FMT_YUV420: return "YUV420";
	case OGATE_LC_FMT_NV12: return "NV12";
	case OGATE_LC_FMT_RGB888: return "RGB888";
	case OGATE_LC_FMT_BGR888: return "BGR888";
	default: return "?";
	}
}

unsigned int ogate_lc_format_bpp(enum ogate_lc_format fmt)
{
	switch (fmt) {
	case OGATE_LC_FMT_R8:
	case OGATE_LC_FMT_YUV420:
	case OGATE_LC_FMT_NV12: return 1;
	case OGATE_LC_FMT_RGB888:
	case OGATE_LC_FMT_BGR888: return 3;
	default: return 0;
	}
}

/*
 * Full-range BT.601 luma in 16.16 fixed point: 0.299 R + 0.587 G + 0.114 B.
 * The weights sum to 65536, so white stays 255 and grey stays grey.
 */
#define W_R 19595u
#define W_G 38470u
#define W_B 7471u

static void grey_from_packed24(uint8_t *dst, const uint8_t *src, uint32_t src_stride,
			       uint32_t width, uint32_t height, unsigned int r, unsigned int b)
{
	for (uint32_t y = 0; y < height; y++) {
		const uint8_t *s = src + (size_t)y * src_stride;
		uint8_t *d = dst + (size_t)y * width;

		for (uint32_t x = 0; x < width; x++, s += 3)
			d[x] = (uint8_t)((W_R * s[r] + W_G * s[1] + W_B * s[b] + 32768u) >> 16);
	}
}

int ogate_lc_luma_extract(enum ogate_lc_format fmt, const struct ogate_lc_plane *plane, uint32_t width,
			  uint32_t height, uint8_t *grey, size_t grey_len, struct ogate_lc_luma *out)
{
	unsigned int bpp = ogate_lc_format_bpp(fmt);
	size_t need;

	if (!bpp)
		return ogate_lc_fail(-EINVAL, "pixel format %d has no luma extraction", (int)fmt);
	if (!width || !height || !plane->data)
		return ogate_lc_fail(-EINVAL, "empty image %ux%u", width, height);
	if (plane->stride < (uint64_t)width * bpp)
		return ogate_lc_fail(-EINVAL, "stride %u shorter than a %s row of width %u",
				     plane->stride, ogate_lc_format_name(fmt), width);
	need = (size_t)plane->stride * (height - 1) + (size_t)width * bpp;
	if (plane->length < need)
		return ogate_lc_fail(-EINVAL, "plane of %zu bytes too short for %ux%u %s stride %u",
				     plane->length, width, height, ogate_lc_format_name(fmt),
				     plane->stride);
	out->width = width;
	out->height = height;
	if (bpp == 1) {
		/* Y of YUV420 and NV12 is plane 0, a full-size 8-bit image. */
		out->data = plane->data;
		out->stride = plane->stride;
		return 0;
	}
	if (!grey || grey_len < (size_t)width * height)
		return ogate_lc_fail(-EINVAL, "grey buffer of %zu bytes too small for %ux%u",
				     grey_len, width, height);
	/* DRM fourcc order: RGB888 is [23:0] R:G:B little-endian, i.e. B, G, R in memory. */
	if (fmt == OGATE_LC_FMT_RGB888)
		grey_from_packed24(grey, plane->data, plane->stride, width, height, 2, 0);
	else
		grey_from_packed24(grey, plane->data, plane->stride, width, height, 0, 2);
	out->data = grey;
	out->stride = width;
	return 0;
}

int ogate_lc_seq_next(struct ogate_lc_seq *s, uint32_t seq32, uint64_t *seq64, uint32_t *gap)
{
	uint32_t last32 = (uint32_t)s->last;
	uint32_t step = seq32 - last32; /* modulo 2^32: a wrap is a small step */

	if (!s->have) {
		s->have = 1;
		s->last = seq32;
		*seq64 = seq32;
		*gap = 0;
		return 0;
	}
	if (step == 0 || step > UINT32_MAX / 2) {
		/* repeated or backwards: not a wrap, and not a frame lost */
		s->last++;
		*seq64 = s->last;
		*gap = 0;
		return 1;
	}
	s->last += step;
	*seq64 = s->last;
	*gap = step - 1;
	return 0;
}

uint32_t ogate_lc_ts_gap(int64_t prev_ts_ns, int64_t ts_ns, int64_t frame_ns)
{
	int64_t dt = ts_ns - prev_ts_ns, frames;

	if (frame_ns <= 0 || dt <= 0)
		return 0;
	frames = dt / frame_ns; /* rounded half up, without overflow */
	if (dt % frame_ns >= (frame_ns + 1) / 2)
		frames++;
	if (frames <= 1)
		return 0;
	return frames - 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(frames - 1);
}

int ogate_lc_config_check(const struct ogate_lc_config *c)
{
	if (!c)
		return ogate_lc_fail(-EINVAL, "no configuration");
	if ((c->width == 0) != (c->height == 0))
		return ogate_lc_fail(-EINVAL, "size %ux%u: give both width and height or neither",
				     c->width, c->height);
	if (c->width && (c->width < OGATE_LC_MIN_DIM || c->width > OGATE_LC_MAX_DIM ||
			 c->height < OGATE_LC_MIN_DIM || c->height > OGATE_LC_MAX_DIM))
		return ogate_lc_fail(-EINVAL, "size %ux%u out of range (%u..%u per side)", c->width,
				     c->height, OGATE_LC_MIN_DIM, OGATE_LC_MAX_DIM);
	if ((int)c->format < 0 || c->format >= OGATE_LC_FMT_COUNT)
		return ogate_lc_fail(-EINVAL, "format=%d unknown", (int)c->format);
	if (c->frame_duration_us && (c->frame_duration_us < OGATE_LC_MIN_FRAME_US ||
				     c->frame_duration_us > OGATE_LC_MAX_FRAME_US))
		return ogate_lc_fail(-EINVAL,
				     "frame_duration_us=%lld out of range (0 = default, %d..%d)",
				     (long long)c->frame_duration_us, OGATE_LC_MIN_FRAME_US,
				     OGATE_LC_MAX_FRAME_US);
	if (c->exposure_us < 0 || c->exposure_us > OGATE_LC_MAX_EXPOSURE_US)
		return ogate_lc_fail(-EINVAL, "exposure_us=%d out of range (0 = auto, 1..%d)",
				     c->exposure_us, OGATE_LC_MAX_EXPOSURE_US);
	if (c->frame_duration_us && c->exposure_us > c->frame_duration_us)
		return ogate_lc_fail(-EINVAL, "exposure_us=%d longer than frame_duration_us=%lld",
				     c->exposure_us, (long long)c->frame_duration_us);
	if (!isfinite(c->analogue_gain) ||
	    (c->analogue_gain != 0.0f &&
	     (c->analogue_gain < 1.0f || c->analogue_gain > OGATE_LC_MAX_GAIN)))
		return ogate_lc_fail(-EINVAL, "analogue_gain=%g out of range (0 = auto, 1..%g)",
				     (double)c->analogue_gain, (double)OGATE_LC_MAX_GAIN);
	if ((c->roi.width == 0) != (c->roi.height == 0) || c->roi.x < 0 || c->roi.y < 0 ||
	    c->roi.width > OGATE_LC_MAX_DIM * 4 || c->roi.height > OGATE_LC_MAX_DIM * 4)
		return ogate_lc_fail(-EINVAL, "roi=%d,%d %ux%u invalid", c->roi.x, c->roi.y,
				     c->roi.width, c->roi.height);
	if (c->buffer_count && (c->buffer_count < 2 || c->buffer_count > OGATE_LC_MAX_BUFFERS))
		return ogate_lc_fail(-EINVAL, "buffer_count=%u out of range (0 = %u, 2..%u)",
				     c->buffer_count, OGATE_LC_DEFAULT_BUFFERS, OGATE_LC_MAX_BUFFERS);
	if (c->flags & ~(OGATE_LC_HFLIP | OGATE_LC_VFLIP | OGATE_LC_ALLOW_ADJUST))
		return ogate_lc_fail(-EINVAL, "flags=0x%x has unknown bits", c->flags);
	return 0;
}
