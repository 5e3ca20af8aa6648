/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef OGATE_FRAME_PRIVATE_H
#define OGATE_FRAME_PRIVATE_H
#include "ogate/frame.h"

struct ogate_frame {
	enum ogate_pixfmt fmt;
	int width, height;
	size_t stride;
	void *pixels;
	int owned; /* 0 wrapped, 1 malloc'ed, 2 mapped (frame.c) */
	struct ogate_frame_meta meta;
};

static inline const void *ogate_frame_row(const struct ogate_frame *f, int y)
{
	return (const char *)f->pixels + (size_t)y * f->stride;
}
#endif
