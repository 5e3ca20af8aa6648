/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* reference.smooth_along_fpb: the smoothed reference's moving pixels averaged along the beat
 * (sync_smooth_along.c), for the copy sync_smooth.c writes a band of rows at a time. */
#ifndef OGATE_SYNC_SMOOTH_ALONG_H
#define OGATE_SYNC_SMOOTH_ALONG_H

#include "sync_private.h"

/* the box's largest half width (17 frames) */
#define SYNC_ALONG_MAX 8

/* one reference's box along the beat: r = 0 for none; owned by the smoothing job
 * (sync_along_free) */
struct sync_along {
	int r;		 /* the half width: the mean of 2r + 1 frames */
	int32_t *sum;	 /* W x H: each moving pixel's running sum of the box, in 1/256 */
	int *ext;	 /* 2 H: each row's moving columns c0 .. c1 - 1 */
	long frame_cost; /* the pixels a frame of the copy touches (after the first) */
};

/* r for reference q: the largest whose box's variance r (r + 1) / 3 is at most P / (2 F), F =
 * reference.smooth_along_fpb, up to SYNC_ALONG_MAX; 0 when off */
int sync_along_order(const struct ogate_sync *s, const struct seq *q);

/* a's box for reference q, its sums and each row's moving columns from vm (the replacement then
 * the mask, W x H each, in the pixels' type); 0 or -ENOMEM */
int sync_along_begin(const struct ogate_sync *s, const struct seq *q, struct sync_along *a,
		     const unsigned char *vm);

/* row y of the copy of reference frame j: the box's mean, rounded, where vm's mask keeps the
 * pixel, vm's mean where it replaces it; the pixels touched. Frames in order from 0, each row of
 * a frame once (the sums run along the beat). */
long sync_along_write(const struct ogate_sync *s, const struct seq *q, struct sync_along *a,
		      const unsigned char *vm, int j, int y, char *row);

/* the most pixels rows y0 .. y1 - 1 of frame j touch */
long sync_along_cost(const struct ogate_sync *s, const struct sync_along *a, int j, int y0, int y1);

/* a's arrays freed */
void sync_along_free(struct sync_along *a);

#endif
