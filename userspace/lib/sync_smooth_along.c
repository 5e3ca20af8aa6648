// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth_along_fpb: the smoothed reference's moving pixels averaged along the beat by a box of frames, kept as running sums, one row of one frame at a time, for the copy sync_smooth.c writes (on the thread that calls ogate_sync_process, as every sync_*.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sync_smooth_along.h"

/* the running sums' unit: a frame weighs ALONG_ONE, a frame interpolated past an end its two
 * neighbours in 1/ALONG_ONE; every sum an integer (16-bit pixels x 256 x 17 < 2^31), so a frame
 * taken out of the box cancels exactly what it put in */
#define ALONG_ONE 256

/*
 * reference.smooth_along_fpb = F (default 45; 0 = off): on the smoothed copy, the
 * pixels the heart moves are also averaged along the beat, over the 2r + 1 frames j - r ... j + r,
 * r the largest whose box's variance r (r + 1) / 3 is at most P / (2F) frames^2 (at F = 45: r = 1
 * from 60 frames a beat, 2 from 180, 3 from 360, 4 from 600; at most SYNC_ALONG_MAX). Their noise is frozen
 * into the reference too and moves each position's match the same way every beat, by more the
 * slower the image changes from frame to frame: on a 2.4 s heart at 199 fps (unseen-104's u03)
 * the matched position's error along the reference wanders +-0.2 frame over tens of frames, which
 * the calibration's line residuals cannot learn at its mean (its pin assumes the match exact at
 * the reference frames). The box keeps each frame's phase to first order (it is symmetric) and
 * its sd is at most 1 / sqrt(2 F P) of the beat. Every frame gets the whole box, so every
 * position keeps the same noise (a width that varied with the position moved the SADs' noise
 * floor, docs/accuracy-log.md, "Smoothing the reference"): past either end the sequence continues
 * one period P earlier or later, interpolated between the two frames there. A box, not a
 * binomial kernel of the same variance (whose noise it matches): its sums run along the beat, two
 * frames in and out a frame whatever r, so the copy costs about what it cost without it. Still
 * pixels already hold their mean, and only each row's moving columns are summed. A reference
 * matched as recorded (reference.smooth = auto's choice) is not copied and gets no box either.
 */
int sync_along_order(const struct ogate_sync *s, const struct seq *q)
{
	double F = s->set.smooth_along_fpb, P = q->info.period_frames;
	if (!(F > 0) || !(P > 0) || q->L < 3)
		return 0;
	int r = 0;
	while (r < SYNC_ALONG_MAX && (r + 1) * (r + 2) / 3.0 <= P / (2 * F))
		r++;
	return r;
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
	a->r = sync_along_order(s, q);
	a->frame_cost = 0;
	if (!a->r)
		return 0;
	a->sum = malloc(sizeof(int32_t) * (size_t)s->w * (size_t)s->h);
	a->ext = malloc(sizeof(int) * 2 * (size_t)s->h);
	if (!a->sum || !a->ext)
		return -ENOMEM;
	for (int y = 0; y < s->h; y++) {
		moving_extent(s, vm, y, a->ext + 2 * y);
		a->frame_cost += sync_along_cost(s, a, 1, y, y + 1);
	}
	return 0;
}

/* acc[0 .. n) += w x columns x0 .. x0 + n - 1 of row y of frame f */
static void add_row(int32_t *restrict acc, const struct ogate_frame *f, int y, int x0, int32_t w, int n)
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

/* acc += w x frame i's row y (columns x0 .. x0 + n - 1), the sequence continued a period on past
 * its ends (between the two frames there); the pixels read */
static long add_frame(const struct seq *q, int i, int y, int x0, int n, int32_t w, int32_t *acc)
{
	int L = q->L;
	double P = q->info.period_frames;
	if (i >= 0 && i < L) {
		add_row(acc, q->f[i], y, x0, w * ALONG_ONE, n);
		return n;
	}
	double x = i < 0 ? i + P : i - P;
	int b = (int)floor(x);
	double t = x - b;
	if (b < 0) { /* not on a reference of more than 2r + 1 frames */
		b = 0;
		t = 0;
	}
	if (b + 1 >= L) {
		b = L - 2;
		t = 1;
	}
	int32_t wt = (int32_t)lrint(t * ALONG_ONE);
	add_row(acc, q->f[b], y, x0, w * (ALONG_ONE - wt), n);
	add_row(acc, q->f[b + 1], y, x0, w * wt, n);
	return 2L * n;
}

long sync_along_write(const struct ogate_sync *s, const struct seq *q, struct sync_along *a,
		      const unsigned char *vm, int j, int y, char *row)
{
	int W = s->w, c0 = a->ext[2 * y], n = a->ext[2 * y + 1] - c0, r = a->r;
	size_t np = (size_t)W * s->h, o = (size_t)y * W;
	int32_t *sum = a->sum + o + c0;
	long t = 2L * W + n;   /* the copy, and the box's mean put */
	if (n > 0 && j == 0) { /* the first box, then two frames in and out a frame */
		memset(sum, 0, sizeof(int32_t) * (size_t)n);
		for (int i = -r; i <= r; i++)
			t += add_frame(q, i, y, c0, n, 1, sum);
	} else if (n > 0) {
		t += add_frame(q, j + r, y, c0, n, 1, sum);
		t += add_frame(q, j - r - 1, y, c0, n, -1, sum);
	}
	/* the mean outside the moving columns; inside, the box's mean rounded half up ((sum + den / 2)
	 * / den truncated, read in doubles: their error is far below the 1e-9 added, and that far
	 * below any fraction 1 / den of a true quotient) blended with the mask as sync_smooth.c's,
	 * so that the loops vectorize */
	const int32_t den = ALONG_ONE * (2 * r + 1);
	const double k = 1.0 / den;
	if (s->fmt == OGATE_PIX_U8) {
		const uint8_t *restrict val = vm + o, *restrict mask = vm + np + o;
		uint8_t *restrict d = (uint8_t *)row;
		memcpy(d, val, (size_t)W);
		for (int c = 0; c < n; c++) {
			uint8_t v = (uint8_t)(int)((sum[c] + den / 2) * k + 1e-9);
			d[c0 + c] = (uint8_t)((v & ~mask[c0 + c]) | (val[c0 + c] & mask[c0 + c]));
		}
	} else {
		const uint16_t *restrict val = (const uint16_t *)vm + o, *restrict mask =
										 (const uint16_t *)vm +
										 np + o;
		uint16_t *restrict d = (uint16_t *)row;
		memcpy(d, val, sizeof(uint16_t) * (size_t)W);
		for (int c = 0; c < n; c++) {
			uint16_t v = (uint16_t)(int)((sum[c] + den / 2) * k + 1e-9);
			d[c0 + c] = (uint16_t)((v & ~mask[c0 + c]) | (val[c0 + c] & mask[c0 + c]));
		}
	}
	return t;
}

long sync_along_cost(const struct ogate_sync *s, const struct sync_along *a, int j, int y0, int y1)
{
	long t = 0, per = (j == 0 ? 2L * (2 * a->r + 1) : 4) + 1;
	for (int y = y0; y < y1; y++)
		t += per * (a->ext[2 * y + 1] - a->ext[2 * y]) + 2L * s->w;
	return t;
}

void sync_along_free(struct sync_along *a)
{
	free(a->sum);
	free(a->ext);
	a->sum = NULL;
	a->ext = NULL;
}
