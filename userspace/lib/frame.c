// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "frame_private.h"

/*
 * Frames of FRAME_MAPPED_MIN bytes or more are mapped whole with MAP_POPULATE: the kernel hands
 * their pages over zeroed and mapped in one call, where posix_memalign's fresh memory (glibc maps
 * such blocks itself) faulted one 4 KiB page at a time on the memset, a trap each. At 512^2 the
 * smoothed reference's 133 copies (35 MB, reference.smooth) and the frames held meanwhile paid
 * 21-200 ms of faults spread over the smoothing job's frames (docs/accuracy-log.md, copy512);
 * mapped populated, the same pages cost about half, and the memset is gone (the pages are zero).
 */
#define FRAME_MAPPED_MIN ((size_t)128 << 10)
#define PAGE_TOUCH 4096 /* bytes between the writes that back a new mapping's pages */

/* size bytes of zeroed pixels, 64-byte aligned; *mapped: 1 when from mmap; NULL on failure */
static void *pixels_alloc(size_t size, int *mapped)
{
#ifdef MAP_POPULATE
	if (size >= FRAME_MAPPED_MIN) {
		void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p != MAP_FAILED) {
			/* a write to every page: MAP_POPULATE may leave them to be backed on the
			 * first write (a VM whose host backs guest memory lazily), which then
			 * costs the frame that first writes them */
			for (size_t o = 0; o < size; o += PAGE_TOUCH)
				((volatile unsigned char *)p)[o] = 0;
			*mapped = 1;
			return p;
		}
	}
#endif
	void *p;
	if (posix_memalign(&p, 64, size))
		return NULL;
	memset(p, 0, size);
	*mapped = 0;
	return p;
}

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
	int mapped;
	f->pixels = pixels_alloc(stride * (size_t)height, &mapped);
	if (!f->pixels) {
		free(f);
		return -ENOMEM;
	}
	f->fmt = fmt;
	f->width = width;
	f->height = height;
	f->stride = stride;
	f->owned = mapped ? 2 : 1;
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
	if (f->owned == 2)
		munmap(f->pixels, f->stride * (size_t)f->height);
	else if (f->owned)
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
