// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "frame_private.h"

static int geometry_ok(enum ogate_pixfmt fmt, int w, int h)
{
	return (fmt == OGATE_PIX_U8 || fmt == OGATE_PIX_U16) && w > 0 && h > 0 && w <= (1 << 16) &&
	       h <= (1 << 16);
}

int ogate_frame_new(struct ogate_frame **out, enum ogate_pixfmt fmt, int width, int height)
{
	if (!geometry_ok(fmt, width, height))
		return -EINVAL;
	struct ogate_frame *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	size_t stride = ((size_t)width * ogate_pixfmt_bytes(fmt) + 63) & ~(size_t)63;
	if (posix_memalign(&f->pixels, 64, stride * (size_t)height)) {
		free(f);
		return -ENOMEM;
	}
	memset(f->pixels, 0, stride * (size_t)height);
	f->fmt = fmt;
	f->width = width;
	f->height = height;
	f->stride = stride;
	f->owned = 1;
	*out = f;
	return 0;
}

struct ogate_frame *ogate_frame_wrap(enum ogate_pixfmt fmt, int width, int height, size_t stride,
				     void *pixels)
{
	if (!geometry_ok(fmt, width, height) || !pixels ||
	    stride < (size_t)width * ogate_pixfmt_bytes(fmt)) {
		errno = EINVAL;
		return NULL;
	}
	struct ogate_frame *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fmt = fmt;
	f->width = width;
	f->height = height;
	f->stride = stride;
	f->pixels = pixels;
	return f;
}

void ogate_frame_free(struct ogate_frame *f)
{
	if (!f)
		return;
	if (f->owned)
		free(f->pixels);
	free(f);
}

int ogate_frame_copy(struct ogate_frame *dst, const struct ogate_frame *src)
{
	if (dst->fmt != src->fmt || dst->width != src->width || dst->height != src->height)
		return -EINVAL;
	size_t row = (size_t)src->width * ogate_pixfmt_bytes(src->fmt);
	for (int y = 0; y < src->height; y++)
		memcpy((char *)dst->pixels + (size_t)y * dst->stride, ogate_frame_row(src, y), row);
	dst->meta = src->meta;
	return 0;
}

void ogate_frame_set_meta(struct ogate_frame *f, const struct ogate_frame_meta *m)
{
	f->meta = *m;
}
const struct ogate_frame_meta *ogate_frame_get_meta(const struct ogate_frame *f)
{
	return &f->meta;
}
void ogate_frame_set_pixels(struct ogate_frame *f, void *pixels)
{
	f->pixels = pixels;
}
enum ogate_pixfmt ogate_frame_format(const struct ogate_frame *f)
{
	return f->fmt;
}
int ogate_frame_width(const struct ogate_frame *f)
{
	return f->width;
}
int ogate_frame_height(const struct ogate_frame *f)
{
	return f->height;
}
size_t ogate_frame_stride(const struct ogate_frame *f)
{
	return f->stride;
}
void *ogate_frame_pixels(const struct ogate_frame *f)
{
	return f->pixels;
}
