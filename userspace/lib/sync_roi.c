// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The region of interest of a reference: the bounding box of the tiles that change over its beat.
 * A pixel that never changes with the heart's phase adds only noise to every SAD the matcher
 * compares (its two noise samples differ from reference frame to reference frame), and no phase
 * information; where most of the frame is static (a small heart, a resting one) that noise makes
 * the matched position wander from beat to beat. The box is learnt from each new reference
 * without ground truth and is only ever used for the phase match (the drift tracker keeps the
 * whole frame: a static textured background is what registers it).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "roi.h"
#include "sync_private.h"

#define ROI_GRID 16	 /* tiles per axis (at least 4 pixels each) */
#define ROI_WORK 262144L /* pixel differences per reference (0.1-0.2 ms) */
#define ROI_Q 0.1	 /* the noise floor: this quantile of the tiles */

int ogate_roi_tiles(const double *a, const double *n, int nx, int ny, int box[4])
{
	int nt = nx * ny, kept = 0;
	box[0] = 0;
	box[1] = 0;
	box[2] = nx;
	box[3] = ny;
	if (nt < 1)
		return 0;
	double *v = malloc(sizeof(double) * (size_t)nt);
	if (!v)
		return 0;
	memcpy(v, a, sizeof(double) * (size_t)nt);
	qsort(v, (size_t)nt, sizeof(double), sync_cmp_dbl);
	double phi = v[(int)(ROI_Q * (nt - 1))];
	free(v);
	const double cv = sqrt(M_PI / 2 - 1); /* sd / mean of |N(0, 1)| */
	int x0 = nx, y0 = ny, x1 = 0, y1 = 0;
	for (int y = 0; y < ny; y++)
		for (int x = 0; x < nx; x++) {
			int k = y * nx + x;
			if (n[k] <= 0 || a[k] <= phi * (1 + OGATE_ROI_Z * cv / sqrt(n[k])))
				continue;
			kept++;
			x0 = x < x0 ? x : x0;
			y0 = y < y0 ? y : y0;
			x1 = x + 1 > x1 ? x + 1 : x1;
			y1 = y + 1 > y1 ? y + 1 : y1;
		}
	if (kept) {
		box[0] = x0;
		box[1] = y0;
		box[2] = x1;
		box[3] = y1;
	}
	return kept;
}

void ogate_roi_span(int t0, int t1, int nt, int dim, int *x0, int *x1)
{
	int tw = dim / nt;
	int a = (t0 - 1) * tw, b = t1 + 1 >= nt ? dim : (t1 + 1) * tw;
	a = a < 0 ? 0 : a;
	int need = (dim + 3) / 4;
	if (b - a < need) {
		int c = (a + b) / 2;
		a = c - need / 2;
		a = a < 0 ? 0 : a + need > dim ? dim - need : a;
		b = a + need;
	}
	*x0 = a;
	*x1 = b;
}

/* col[x] += |f - g|, or (f - g)^2, over one row of w pixels (branch-free: noise makes the sign
 * unpredictable) */
static void diff_acc(uint64_t *restrict col, const void *f, const void *g, int w, int u16, int squared)
{
	if (u16) {
		const uint16_t *a = f, *b = g;
		for (int x = 0; x < w; x++) {
			int64_t d = (int64_t)a[x] - b[x];
			col[x] += (uint64_t)(squared ? d * d : d < 0 ? -d : d);
		}
	} else {
		const uint8_t *a = f, *b = g;
		for (int x = 0; x < w; x++) {
			int d = (int)a[x] - b[x];
			col[x] += (uint64_t)(squared ? d * d : d < 0 ? -d : d);
		}
	}
}

int sync_tile_diffs(const struct ogate_sync *s, const struct seq *q, int h, int step, int r,
		    int squared, int nx, int ny, double *a, double *n)
{
	int W = s->w, H = s->h, L = q->L, tw = W / nx, th = H / ny;
	uint64_t *col = calloc((size_t)W, sizeof(uint64_t));
	if (!col)
		return -ENOMEM;
	for (int ty = 0; ty < ny; ty++) {
		int y0 = ty * th, y1 = ty + 1 == ny ? H : y0 + th, rows = 0, pairs = 0;
		memset(col, 0, sizeof(uint64_t) * (size_t)W);
		for (int j = 0; j + h < L; j += step, pairs++) {
			const struct ogate_frame *f = q->f[j], *g = q->f[j + h];
			rows = 0;
			for (int y = y0; y < y1; y += r, rows++)
				diff_acc(col, ogate_frame_row(f, y), ogate_frame_row(g, y), W,
					 s->fmt != OGATE_PIX_U8, squared);
		}
		for (int tx = 0; tx < nx; tx++) {
			int x0 = tx * tw, x1 = tx + 1 == nx ? W : x0 + tw, k = ty * nx + tx;
			double sum = 0;
			for (int x = x0; x < x1; x++)
				sum += (double)col[x];
			n[k] = (double)(x1 - x0) * rows * pairs;
			a[k] = n[k] > 0 ? sum / n[k] : 0;
		}
	}
	free(col);
	return 0;
}

/*
 * q->roi from the absolute differences between reference frames half a period apart, summed per
 * tile (once per reference; every r-th row on large frames, as the steps are measured, and
 * about ROI_WORK differences)
 */
void sync_roi_learn(struct ogate_sync *s, struct seq *q)
{
	int W = s->w, H = s->h, L = q->L;
	q->roi[0] = 0;
	q->roi[1] = 0;
	q->roi[2] = W;
	q->roi[3] = H;
	int nx = W / 4 < ROI_GRID ? W / 4 : ROI_GRID, ny = H / 4 < ROI_GRID ? H / 4 : ROI_GRID;
	int h = (int)floor(q->info.period_frames / 2), np = L - h;
	if (!s->set.roi || nx < 2 || ny < 2 || h < 1 || np < 1)
		return;
	int r = s->set.determine_row_step > 0
			? s->set.determine_row_step
			: (int)((long)W * H / 65536 > 1 ? (long)W * H / 65536 : 1);
	/* pairs: ROI_WORK pixel differences, at least 8 pairs and at most 32 */
	long px = (long)W * ((H + r - 1) / r), mp = ROI_WORK / px;
	mp = mp < 8 ? 8 : mp > 32 ? 32 : mp;
	int by = np > mp ? (int)((np + mp - 1) / mp) : 1;
	double *a = calloc(2 * (size_t)nx * ny, sizeof(double)), *n = a ? a + nx * ny : NULL;
	if (!a || sync_tile_diffs(s, q, h, by, r, 0, nx, ny, a, n)) {
		free(a);
		return;
	}
	int box[4];
	if (ogate_roi_tiles(a, n, nx, ny, box) > 0) {
		ogate_roi_span(box[0], box[2], nx, W, &q->roi[0], &q->roi[2]);
		ogate_roi_span(box[1], box[3], ny, H, &q->roi[1], &q->roi[3]);
	}
	free(a);
}
