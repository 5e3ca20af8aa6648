// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The reference's own steps: the SADs (and, under sync.metric = ssd, the SSDs less their noise
 * floor) between reference frames one and two apart, once per reference, on the frame that
 * establishes it; on the thread that calls ogate_sync_process, as every sync_*.c. Moved from
 * sync_match.c, which matches live frames against them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"

#define SSD_GRID 16	 /* tiles per axis for the noise floor (at least 4 pixels each) */
#define SSD_Q 0.1	 /* the floor: this quantile of the tiles (as sync_roi.c) */
#define SSD_Z 1.2815516	 /* that quantile's distance below the mean in standard deviations */
#define SSD_WORK 262144L /* pixel differences for the floor (as sync_roi.c: 0.1-0.3 ms) */

/*
 * The SSD's noise floor per pixel, E (n1 - n2)^2 = 2 sigma^2, from the reference alone: the mean
 * squared difference per pixel of disjoint pairs of consecutive reference frames (j, j+1), per
 * tile (every r-th row, at most SSD_WORK differences, at least 4 pairs); a tile where nothing moves
 * has 2 sigma^2 as its expectation and, for Gaussian noise, a relative sd of sqrt(2 / n) over its n
 * differences. The floor is the 10th percentile of the tiles divided by (1 - 1.28 sqrt(2 / n)),
 * the expected position of that quantile among static tiles (as long as a tenth of the tiles are
 * static; where fewer are it is high, and the excesses low).
 */
static double ssd_floor(struct ogate_sync *s, const struct seq *q, int r)
{
	int W = s->w, H = s->h, L = q->L;
	int nx = W / 4 < SSD_GRID ? W / 4 : SSD_GRID, ny = H / 4 < SSD_GRID ? H / 4 : SSD_GRID;
	if (nx < 2 || ny < 2 || L < 2)
		return 0;
	long px = (long)W * ((H + r - 1) / r), mp = SSD_WORK / px, np = L / 2;
	mp = mp < 4 ? 4 : mp;
	int by = np > mp ? (int)((np + mp - 1) / mp) : 1;
	double *v = calloc(2 * (size_t)nx * ny, sizeof(double)), *n = v ? v + nx * ny : NULL,
	       nmin = HUGE_VAL;
	if (!v || sync_tile_diffs(s, q, 1, 2 * by, r, 1, nx, ny, v, n)) {
		free(v);
		return 0;
	}
	for (int k = 0; k < nx * ny; k++)
		nmin = n[k] < nmin ? n[k] : nmin;
	qsort(v, (size_t)nx * ny, sizeof(double), sync_cmp_dbl);
	double fl = v[(int)(SSD_Q * (nx * ny - 1))], c = 1 - SSD_Z * sqrt(2 / nmin);
	free(v);
	return c > 0.5 ? fl / c : fl / 0.5;
}

/* q->sst: the reference's own SSD curve over its region (sync.metric = ssd) */
static void reference_ssd_curve(struct ogate_sync *s, struct seq *q, int r)
{
	int L = q->L, X0 = q->roi[0], Y0 = q->roi[1], RW = q->roi[2] - X0, RH = q->roi[3] - Y0;
	int hr = (RH + r - 1) / r;
	size_t bp = ogate_pixfmt_bytes(s->fmt);
	double fl = ssd_floor(s, q, r) * RW * RH;
	/* the sd of the noise part, sum (n1 - n2)^2, of one such SSD: the floor per pixel times
	 * sqrt(2 n) for Gaussian noise over the n = RW * hr pixels compared, scaled as the SSD */
	q->ssd_sd = fl * M_SQRT2 / sqrt((double)RW * hr);
	for (int j = 0; j + 1 < L; j++)
		for (int k = 1; k <= 2 && j + k < L; k++) {
			const struct ogate_frame *fa = q->f[j], *fb = q->f[j + k];
			const void *a = (const char *)ogate_frame_row(fa, Y0) + X0 * bp,
				   *b = (const char *)ogate_frame_row(fb, Y0) + X0 * bp;
			double v = s->fmt == OGATE_PIX_U8
					   ? (double)ogate_ssd_u8(s->sad, a, fa->stride * r, b,
								  fb->stride * r, RW, hr)
					   : (double)ogate_ssd_u16(s->sad, a, fa->stride * r, b,
								   fb->stride * r, RW, hr);
			q->sst[(k - 1) * s->ref_cap + j] = v * RH / hr - fl;
		}
}

/* the row step of the reference's SADs over a region of RW x RH: every r-th row on large
 * frames, as the determination does */
int sync_reference_row_step(const struct ogate_sync *s, int RW, int RH)
{
	if (s->set.determine_row_step > 0)
		return s->set.determine_row_step;
	return (int)((long)RW * RH / 65536 > 1 ? (long)RW * RH / 65536 : 1);
}

/* q->step and q->step_med from the SADs between frames one (adj) and two (skip) apart, L of
 * each; scratch holds L doubles */
void sync_reference_steps_from(struct ogate_sync *s, struct seq *q, const double *adj,
			       const double *skip, double *scratch)
{
	int L = q->L;
	double fl = ogate_reference_steps(adj, skip, (size_t)L, q->step, scratch);
	for (int j = 0; j + 2 < L; j++)
		q->step[s->ref_cap + j] = skip[j] - fl;
	for (int j = 0; j + 1 < L; j++)
		scratch[j] = q->step[j];
	qsort(scratch, (size_t)(L - 1), sizeof(double), sync_cmp_dbl);
	q->step_med = scratch[(L - 1) / 2];
}

/* q->roi, then q->step from SADs over it between frames one and two apart (2L SADs, once per
 * reference) */
void sync_reference_steps(struct ogate_sync *s, struct seq *q)
{
	int L = q->L;
	sync_roi_learn(s, q);
	int X0 = q->roi[0], Y0 = q->roi[1], RW = q->roi[2] - X0, RH = q->roi[3] - Y0;
	double *adj = L >= 3 ? calloc(3 * (size_t)L, sizeof(double)) : NULL;
	if (!adj) {
		memset(q->step, 0, sizeof(double) * (size_t)L); /* 0: the V fit is used */
		q->step_med = 0;
		return;
	}
	double *skip = adj + L, *scratch = skip + L;
	/* large frames: every r-th row, as the determination does, so the establishing frame stays
	 * within its budget (2L SADs: 74 at 128^2, 1.2 ms at 512^2 on whole frames) */
	int r = sync_reference_row_step(s, RW, RH);
	int hr = (RH + r - 1) / r;
	size_t bp = ogate_pixfmt_bytes(s->fmt);
	for (int j = 0; j + 2 <= L; j++) {
		const struct ogate_frame *fa = q->f[j], *fb = q->f[j + 1],
					 *fc = j + 2 < L ? q->f[j + 2] : NULL;
		const void *a = (const char *)ogate_frame_row(fa, Y0) + X0 * bp,
			   *b = (const char *)ogate_frame_row(fb, Y0) + X0 * bp,
			   *c = fc ? (const char *)ogate_frame_row(fc, Y0) + X0 * bp : NULL;
		if (s->fmt == OGATE_PIX_U8) {
			adj[j] = (double)s->sad->u8(a, fa->stride * r, b, fb->stride * r, RW, hr);
			if (c)
				skip[j] = (double)s->sad->u8(a, fa->stride * r, c, fc->stride * r,
							     RW, hr);
		} else {
			adj[j] = (double)s->sad->u16(a, fa->stride * r, b, fb->stride * r, RW, hr);
			if (c)
				skip[j] = (double)s->sad->u16(a, fa->stride * r, c, fc->stride * r,
							      RW, hr);
		}
		adj[j] *= (double)RH / hr; /* back to the whole region's scale */
		if (c)
			skip[j] *= (double)RH / hr;
	}
	if (s->ssd)
		reference_ssd_curve(s, q, r);
	sync_reference_steps_from(s, q, adj, skip, scratch);
	free(adj);
}
