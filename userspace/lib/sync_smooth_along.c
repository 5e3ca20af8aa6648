// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth_along_fpb: the smoothed reference's moving pixels averaged along the beat by a binomial kernel, one row of one frame at a time, for the copy sync_smooth.c writes (on the thread that calls ogate_sync_process, as every sync_*.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sync_smooth_along.h"

/*
 * reference.smooth_along_fpb = F (default 60; 0 = off): on the smoothed copy, the pixels the heart
 * moves are also averaged along the beat, by the binomial kernel of order 2m, m = floor(P / F)
 * (at most SYNC_ALONG_MAX), so from 60 frames a beat. Their noise is frozen into the reference
 * too and moves each position's match the same way every beat, by more the slower the image
 * changes from frame to frame: on a 2.4 s heart at 199 fps (unseen-104's u03) the matched
 * position's error along the reference wanders +-0.2 frame over tens of frames, which the
 * calibration's line residuals cannot learn at its mean (its pin assumes the match exact at the
 * reference frames). The kernel's sd, sqrt(m / 2) frames, is 1.2 % of the beat at 60 frames a beat
 * and less above, where the image barely changes from frame to frame, and a symmetric kernel keeps
 * each frame's phase to first order. Every frame gets the
 * whole kernel, so every position keeps the same noise (a width that varied with the position
 * moved the SADs' noise floor, docs/accuracy-log.md, "Smoothing the reference"): past either end
 * the sequence continues one period P earlier or later, interpolated between the two frames
 * there. Still pixels already hold their mean, which the kernel keeps. A reference matched as
 * recorded (reference.smooth = auto's choice: the heart's change well above the noise, or pixels
 * whose changes repeat from beat to beat) is not copied and gets no kernel either.
 */
int sync_along_order(const struct ogate_sync *s, const struct seq *q)
{
	double F = s->set.smooth_along_fpb, P = q->info.period_frames;
	if (!(F > 0) || !(P > 0) || q->L < 3)
		return 0;
	double m = floor(P / F);
	return m > SYNC_ALONG_MAX ? SYNC_ALONG_MAX : (int)m;
}

/* row y's moving columns: the first and one past the last where the mask keeps the pixel */
static void moving_extent(const struct ogate_sync *s, const unsigned char *vm, int y, int *ext)
{
	int W = s->w, c0 = W, c1 = 0;
	size_t np = (size_t)W * s->h, o = (size_t)y * W;
	for (int c = 0; c < W; c++) {
		int keep = s->fmt == OGATE_PIX_U8 ? !vm[np + o + c]
						  : !((const uint16_t *)vm)[np + o + c];
		if (keep) {
			c0 = c < c0 ? c : c0;
			c1 = c + 1;
		}
	}
	ext[0] = c0 < c1 ? c0 : 0;
	ext[1] = c0 < c1 ? c1 : 0;
}

int sync_along_begin(const struct ogate_sync *s, const struct seq *q, struct sync_along *a,
		     const unsigned char *vm)
{
	a->m = sync_along_order(s, q);
	a->P = q->info.period_frames;
	a->frame_cost = 0;
	if (!a->m)
		return 0;
	double c[2 * SYNC_ALONG_MAX + 1] = { 1 }, sum = 0;
	int K = 2 * a->m;
	for (int k = 1; k <= K; k++)
		for (int i = k; i > 0; i--)
			c[i] += c[i - 1];
	for (int k = 0; k <= K; k++)
		sum += c[k];
	for (int k = 0; k <= K; k++)
		a->h[k] = (float)(c[k] / sum);
	a->acc = malloc(sizeof(float) * (size_t)s->w);
	a->ext = malloc(sizeof(int) * 2 * (size_t)s->h);
	if (!a->acc || !a->ext)
		return -ENOMEM;
	for (int y = 0; y < s->h; y++) {
		moving_extent(s, vm, y, a->ext + 2 * y);
		a->frame_cost += (2L * a->m + 3) * (a->ext[2 * y + 1] - a->ext[2 * y]) + s->w;
	}
	return 0;
}

/* acc[0 .. n) += w x columns x0 .. x0 + n - 1 of row y of frame f */
static void along_add(float *restrict acc, const struct ogate_frame *f, int y, int x0, float w, int n)
{
	const void *row = ogate_frame_row(f, y);
	if (f->fmt == OGATE_PIX_U8) {
		const uint8_t *p = (const uint8_t *)row + x0;
		for (int c = 0; c < n; c++)
			acc[c] += w * p[c];
	} else {
		const uint16_t *p = (const uint16_t *)row + x0;
		for (int c = 0; c < n; c++)
			acc[c] += w * p[c];
	}
}

/* a->acc[0 .. n): columns x0 .. x0 + n - 1 of row y of reference frame j under the kernel, the
 * sequence continued a period on past its ends (between the two frames there) */
static void along_row(const struct seq *q, const struct sync_along *a, int j, int y, int x0, int n)
{
	int L = q->L;
	float *acc = a->acc;
	memset(acc, 0, sizeof(float) * (size_t)n);
	for (int k = 0; k <= 2 * a->m; k++) {
		int i = j - a->m + k;
		if (i >= 0 && i < L) {
			along_add(acc, q->f[i], y, x0, a->h[k], n);
			continue;
		}
		double x = i < 0 ? i + a->P : i - a->P;
		int b = (int)floor(x);
		double t = x - b;
		if (b < 0) { /* not on a reference of more than 2m frames */
			b = 0;
			t = 0;
		}
		if (b + 1 >= L) {
			b = L - 2;
			t = 1;
		}
		along_add(acc, q->f[b], y, x0, (float)(a->h[k] * (1 - t)), n);
		along_add(acc, q->f[b + 1], y, x0, (float)(a->h[k] * t), n);
	}
}

long sync_along_write(const struct ogate_sync *s, const struct seq *q, const struct sync_along *a,
		      const unsigned char *vm, int j, int y, char *row)
{
	int W = s->w, c0 = a->ext[2 * y], n = a->ext[2 * y + 1] - c0;
	size_t np = (size_t)W * s->h, o = (size_t)y * W;
	if (n > 0)
		along_row(q, a, j, y, c0, n);
	const float *restrict acc = a->acc;
	/* the mean outside the moving columns; inside, the sums (>= 0: + 0.5 and truncation round
	 * them, half up) blended with the mask as sync_smooth.c's, so that the loops vectorize */
	if (s->fmt == OGATE_PIX_U8) {
		const uint8_t *restrict val = vm + o, *restrict mask = vm + np + o;
		uint8_t *restrict d = (uint8_t *)row;
		memcpy(d, val, (size_t)W);
		for (int c = 0; c < n; c++) {
			uint8_t k = (uint8_t)(int)(acc[c] + 0.5f);
			d[c0 + c] = (uint8_t)((k & ~mask[c0 + c]) | (val[c0 + c] & mask[c0 + c]));
		}
	} else {
		const uint16_t *restrict val = (const uint16_t *)vm + o, *restrict mask =
										 (const uint16_t *)vm +
										 np + o;
		uint16_t *restrict d = (uint16_t *)row;
		memcpy(d, val, sizeof(uint16_t) * (size_t)W);
		for (int c = 0; c < n; c++) {
			uint16_t k = (uint16_t)(int)(acc[c] + 0.5f);
			d[c0 + c] = (uint16_t)((k & ~mask[c0 + c]) | (val[c0 + c] & mask[c0 + c]));
		}
	}
	return (2L * a->m + 3) * n + W;
}

/* the kernel's 2m + 1 frames, up to two more past an end, and the copy; or the frame and the copy */
long sync_along_cost(int m, long W)
{
	return m ? (2L * m + 4) * W : 2 * W;
}

void sync_along_free(struct sync_along *a)
{
	free(a->acc);
	free(a->ext);
	a->acc = NULL;
	a->ext = NULL;
}
