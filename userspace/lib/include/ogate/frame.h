/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ogate frame object: pixels (8- or 16-bit), geometry and per-frame metadata. */
#ifndef OGATE_FRAME_H
#define OGATE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ogate_pixfmt {
	OGATE_PIX_U8 = 1,  /* one uint8_t per pixel */
	OGATE_PIX_U16 = 2, /* one native-endian uint16_t per pixel */
};

/* Metadata carried by every frame. Analysis never reads "the current time":
 * everything is derived from timestamp_ns (CLOCK_MONOTONIC, start of exposure). */
struct ogate_frame_meta {
	int64_t timestamp_ns; /* CLOCK_MONOTONIC ns */
	uint64_t sequence;    /* camera frame counter; a jump > 1 marks dropped frames */
	int64_t exposure_ns;  /* exposure time, 0 if unknown */
	uint32_t source;      /* camera / stream id */
};

struct ogate_frame;

/*
 * Allocate a frame owning its pixels; rows are padded to 64 bytes. 0, or -EINVAL (format or
 * size), -ENOMEM; *out is set only on success.
 */
int ogate_frame_new(struct ogate_frame **out, enum ogate_pixfmt fmt, int width, int height);
/* Wrap caller-owned pixels (not copied, not freed). stride in bytes, >= width * bytes/pixel. */
struct ogate_frame *ogate_frame_wrap(enum ogate_pixfmt fmt, int width, int height, size_t stride,
				     void *pixels);
void ogate_frame_free(struct ogate_frame *f);

/* Copy pixels and metadata; geometry and format must match (-EINVAL otherwise). */
int ogate_frame_copy(struct ogate_frame *dst, const struct ogate_frame *src);

void ogate_frame_set_meta(struct ogate_frame *f, const struct ogate_frame_meta *m);
const struct ogate_frame_meta *ogate_frame_get_meta(const struct ogate_frame *f);
/* Re-point a wrapped frame at other pixels of the same geometry (zero-copy replay). */
void ogate_frame_set_pixels(struct ogate_frame *f, void *pixels);

enum ogate_pixfmt ogate_frame_format(const struct ogate_frame *f);
int ogate_frame_width(const struct ogate_frame *f);
int ogate_frame_height(const struct ogate_frame *f);
size_t ogate_frame_stride(const struct ogate_frame *f);
void *ogate_frame_pixels(const struct ogate_frame *f);
static inline size_t ogate_pixfmt_bytes(enum ogate_pixfmt fmt)
{
	return fmt == OGATE_PIX_U16 ? 2 : 1;
}

#ifdef __cplusplus
}
#endif
#endif
