// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth = auto's first look: M from a grid of the reference's pixels, on the frame that establishes the reference (sync_smooth_start), on the thread that calls ogate_sync_process as every sync_*.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "sync_private.h"

/* x (L x rows x cols floats): q's frames on every rs-th row and every cs-th pixel of it (only
 * those pixels read: at 512^2 converting whole rows took 0.3 ms of the establishing frame); the
 * frames are cold, so frame j + 2's pixels are asked for ahead (their misses overlap: 0.42-0.46
 * -> 0.20-0.32 ms of the establishing frame at 512^2; docs/accuracy-log.md, look512b) */
static void grid_values(const struct seq *q, int rs, int cs, int rows, int cols, float *x)
{
	for (int j = 0; j < q->L; j++)
		for (int i = 0; i < rows; i++) {
			const struct ogate_frame *f = q->f[j];
			if (j + 2 < q->L) {
				const char *n = ogate_frame_row(q->f[j + 2], i * rs);
				size_t step = (size_t)cs * ogate_pixfmt_bytes(f->fmt);
				for (int c = 0; c < cols; c++)
					__builtin_prefetch(n + (size_t)c * step);
			}
			float *o = x + ((size_t)j * rows + i) * cols;
			if (f->fmt == OGATE_PIX_U8) {
				const uint8_t *p = ogate_frame_row(f, i * rs);
				for (int c = 0; c < cols; c++)
					o[c] = p[(size_t)c * cs];
			} else {
				const uint16_t *p = ogate_frame_row(f, i * rs);
				for (int c = 0; c < cols; c++)
					o[c] = p[(size_t)c * cs];
			}
		}
}

/* reference.smooth = auto's first look: M (sync_change_m) with the noise measured on a grid of
 * every g-th pixel of every g-th row, from those pixels only, at most SYNC_SMOOTH_DECIDE_SAMPLES
 * samples (L x n), so that a heart whose change is far above the noise costs the frame that
 * establishes its reference 0.25 ms at 128^2, 1.1 ms at 512^2 (over every pixel: 5 and 21 ms at
 * those sizes); 0 or -ENOMEM. */
int sync_smooth_first_look(const struct seq *q, int W, int H, double *cm)
{
	int L = q->L;
	double want = (double)SYNC_SMOOTH_DECIDE_SAMPLES / L;
	int g = (int)ceil(sqrt((double)W * H / (want > 1 ? want : 1)));
	g = g < 1 ? 1 : g;
	int rows = (H + g - 1) / g, cols = (W + g - 1) / g, n = rows * cols;
	float *x = malloc(sizeof(float) * (size_t)L * (size_t)n);
	double *v = malloc(sizeof(double) * 2 * (size_t)n);
	if (!x || !v) {
		free(x);
		free(v);
		return -ENOMEM;
	}
	grid_values(q, g, g, rows, cols, x);
	double sd2 = 2 * sync_smooth_noise_look(x, L, n) + 1.0 / 6, acc[2] = { 0, 0 };
	double *a = v, *b = a + n;
	for (int j = 1; j < L; j++) {
		for (int p = 0; p < n; p++) {
			a[p] = x[(size_t)(j - 1) * n + p];
			b[p] = x[(size_t)j * n + p];
		}
		sync_change_add(a, b, n, sd2, acc);
	}
	*cm = sync_change_m(acc, sd2);
	free(x);
	free(v);
	return 0;
}
