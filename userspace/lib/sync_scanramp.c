// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The period scan's row with a drift's ramp taken out (reference.scan_ramp): on a determining
 * frame, on the thread that calls ogate_sync_process, as every sync_*.c. */
#include <math.h>
#include <stdlib.h>
#include "ogate/analysis.h"
#include "sync_scanramp.h"

/*
 * A drift adds a ramp to the scan's SAD row: the newest frame is compared with frames shifted
 * further the longer ago they were taken. The valley's floor rises with its lag while the row's
 * value at lag 1 (the minimum the rise test counts from) does not, so the rise after the
 * valley passed the scan's upper threshold frames before the heart's own rise did, and the
 * lock came on fewer lags with a period 0.16-0.32 frame short (docs/accuracy-log.md, "Why
 * drifting hearts lock early", "Drifting hearts' bias: the period at lock"). The ramp is not a
 * line: where the compared frames differ by the heart the shift adds less to the SAD than in
 * the valley, where they differ by the pixel noise alone (a line through the valley's share
 * took too much from the row's later lags and kept some drifting cartoons from locking).
 *
 * Where the scan finds a valley at b, the newest frame and the frame b back show the heart at
 * one phase: their shift is the drift over b (an integer search and two Lucas-Kanade steps, as
 * the scan's own drift reading). Below RAMP_GATE px on both axes nothing more is done and the
 * estimate is the row's own: streams without a drift keep every estimate. Otherwise each lag d's
 * value is scaled by SAD(newest, frame d back moved by the drift over d) / SAD(newest, frame d
 * back not moved), the older frame through the same four taps both ways (one blur whatever the
 * fraction): the row as if registered, on the plain row's scale. The ratio is measured at
 * RAMP_LAGS lags (every lag of a row up to that long), the three about each multiple of b (the
 * valleys, where the drift's share is largest), the first and the last, interpolated between;
 * the row scanned again gives the estimate. At 16 lags a drifting cartoon that rests most of
 * its beat locked 40 frames later on 41.7 frames for 40.3 (its share changes between the rest
 * and the beat faster than that); at 64, or at every lag, on frame 81-82 and 40.29-40.34.
 */
#define RAMP_R 3	     /* the integer search: +-3 px between the valley's frames */
#define RAMP_LK_WORK 16384   /* pixels per Lucas-Kanade step */
#define RAMP_SHARE_WORK 4096 /* pixels per SAD of a lag's share */
#define RAMP_LAGS 64	     /* lags whose share is measured (and those about the valleys) */
#define RAMP_GATE 0.1	     /* px over the valley's lag (either axis): below, no ramp */

/* the shift o with b(p) = a(p + o), b the newest frame, a the one lag frames back: 1, or 0
 * where it could not be read (the search's edge, too small a frame, no gradients); the scan's
 * own integer search and Lucas-Kanade steps (sync_scanreg.c) */
static int valley_shift(struct ogate_sync *s, const struct ogate_frame *a,
			const struct ogate_frame *b, double *sy, double *sx)
{
	int R = (s->w < s->h ? s->w : s->h) / 8, by, bx;
	R = R < RAMP_R ? R : RAMP_R;
	if (R < 2 || !sync_scan_integer_shift(s, a, b, R, &by, &bx))
		return 0;
	int m = 2 + (abs(by) > abs(bx) ? abs(by) : abs(bx));
	return sync_pair_shift(s, a, b, by, bx, sync_scan_rows_for(s, m, RAMP_LK_WORK), sy, sx);
}

/* frame fo's drift share at lag d: SAD(fn, fo moved by the drift over d) / SAD(fn, fo), fo
 * through the same taps both ways (rows m + k r, k < h) */
static double lag_ratio(struct ogate_sync *s, const struct ogate_frame *fn,
			const struct ogate_frame *fo, double ty, double tx, int m, int r, int h)
{
	sync_shift_even_rows(s, s->rfrac[0], fo, 0, 0, m, r, h);
	sync_shift_even_rows(s, s->rfrac[1], fo, -ty, -tx, m, r, h); /* fo(p + t) */
	double d0 = sync_sad_offset(s, fn, s->rfrac[0], 0, 0, r, m);
	double d1 = sync_sad_offset(s, fn, s->rfrac[1], 0, 0, r, m);
	return d0 > 0 ? d1 / d0 : 1;
}

double sync_scan_ramp(struct ogate_sync *s, int n, double P)
{
	int b = (int)lround(P);
	if (b < 2 || b > n)
		return P;
	if (!s->shifted && ogate_frame_new(&s->shifted, s->fmt, s->w, s->h))
		return P;
	const struct ogate_frame *fn = sync_buf_at(s, n);
	double sy, sx;
	if (!valley_shift(s, sync_buf_at(s, n - b), fn, &sy, &sx) ||
	    (fabs(sy) < RAMP_GATE && fabs(sx) < RAMP_GATE))
		return P;
	double vy = sy / b, vx = sx / b, vm = fabs(vy) > fabs(vx) ? fabs(vy) : fabs(vx);
	int m = 3 + (int)ceil(vm * n);
	if (s->w <= 2 * m + 4 || s->h <= 2 * m + 4)
		return P;
	/* rfrac[0..1]: the registered scan's copies, unused on the plain row's path */
	for (int q = 0; q < 2; q++)
		if (!s->rfrac[q] && ogate_frame_new(&s->rfrac[q], s->fmt, s->w, s->h))
			return P;
	double *tmp = malloc(sizeof(double) * (size_t)n);
	if (!tmp)
		return P;
	int r = sync_scan_rows_for(s, m, RAMP_SHARE_WORK), h = (s->h - 2 * m + r - 1) / r;
	int step = (n + RAMP_LAGS - 1) / RAMP_LAGS, last = 0;
	double rl = 1;
	/* the share at every step-th lag, the three about each multiple of the valley's lag, the
	 * first and the last; between them interpolated (tmp[n - d] holds lag d's) */
	for (int d = 1; d <= n; d++) {
		int k = (d + b / 2) / b; /* the valley's multiple nearest d */
		if (d % step && abs(d - k * b) > 1 && d != 1 && d != n)
			continue;
		double rd = lag_ratio(s, fn, sync_buf_at(s, n - d), vy * d, vx * d, m, r, h);
		for (int e = last + 1; e <= d; e++)
			tmp[n - e] = last ? rl + (rd - rl) * (e - last) / (d - last) : rd;
		last = d;
		rl = rd;
	}
	for (int i = 0; i < n; i++) {
		double v = s->diffs[i] * tmp[i];
		tmp[i] = s->diffs[i] == 0 ? 0 : v > 1 ? v : 1; /* 0 reads as "not compared" */
	}
	double Q = ogate_period_scan(tmp, (size_t)n, s->set.min_period, s->set.lower_threshold,
				     s->set.upper_threshold);
	free(tmp);
	return Q;
}
