/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* reference.smooth_along_fpb: the smoothed reference's moving pixels averaged along the beat
 * (sync_smooth_along.c), for the copy sync_smooth.c writes a band of rows at a time. */
#ifndef OGATE_SYNC_SMOOTH_ALONG_H
#define OGATE_SYNC_SMOOTH_ALONG_H

#include "sync_private.h"

/* the kernel's largest half width (17 frames, its sd 2 frames) */
#define SYNC_ALONG_MAX 8

/* one reference's kernel: m = 0 for none; owned by the smoothing job (sync_along_free) */
struct sync_along {
	int m;				 /* the half width: the binomial kernel of order 2m */
	double P;			 /* the reference's period (frames): its periodic ends */
	float h[2 * SYNC_ALONG_MAX + 1]; /* the weights, summing to 1 */
	float *acc;			 /* W: a row of the kernel's sums */
	int *ext;			 /* 2 H: each row's moving columns c0 .. c1 - 1 */
	long frame_cost;		 /* the pixels a frame of the copy touches */
};

/* m for reference q: floor(P / reference.smooth_along_fpb), at most SYNC_ALONG_MAX; 0 when off */
int sync_along_order(const struct ogate_sync *s, const struct seq *q);

/* a's kernel for reference q, its row of sums and each row's moving columns from vm (the
 * replacement then the mask, W x H each, in the pixels' type); 0 or -ENOMEM */
int sync_along_begin(const struct ogate_sync *s, const struct seq *q, struct sync_along *a,
		     const unsigned char *vm);

/* row y of the copy of reference frame j: the kernel's sum rounded where vm's mask keeps the
 * pixel, vm's mean where it replaces it; the pixels touched */
long sync_along_write(const struct ogate_sync *s, const struct seq *q, const struct sync_along *a,
		      const unsigned char *vm, int j, int y, char *row);

/* the most pixels a row of the copy touches at half width m, W pixels a row */
long sync_along_cost(int m, long W);

/* a's arrays freed */
void sync_along_free(struct sync_along *a);

#endif
