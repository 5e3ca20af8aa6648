/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sub-pixel translation of a frame (private). */
#ifndef OGATE_RESAMPLE_H
#define OGATE_RESAMPLE_H
#include "frame_private.h"

/* dst(y, x) = src(y - fy, x - fx), bilinear with weights in 1/16 px (8-bit) or 1/256 px (16-bit), edges replicated;
 * |fy|, |fx| <= 1. dst and src have the same geometry and format. */
void ogate_resample_subpixel(struct ogate_frame *dst, const struct ogate_frame *src, double fy,
			     double fx);
#endif
