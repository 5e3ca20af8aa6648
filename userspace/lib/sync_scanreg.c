// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A drift too fast for the period scan (over about a pixel per beat): measured without a period
 * while none is found, and registered in the SAD rows the scan reads (sync_determine.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resample.h"
#include "sync_private.h"

/*
 * The scan finds a beat as a valley of the SAD against the frames before the newest: frames a
 * beat apart differ only by the heart's noise. Under drift they also differ by the specimen's
 * shift, and beyond about a pixel per beat the texture's change over that shift outgrows the
 * heart's own change from one phase to the next: no valley falls below the scan's lower
 * threshold ("no valley" on every frame, docs/accuracy-log.md "The period found at lock: drifts
 * over a pixel a beat"). The drift is a shift of the whole frame that grows with the lag, so it
 * can be measured without the period: frames half the buffer apart are registered by an integer
 * search of the SAD (the static texture has its minimum at the shift whatever the heart's phases)
 * and two Lucas-Kanade steps (sync_pair_shift; with reference.scan_drift_robust, then steps on
 * the pixels that follow the shift only, robust_shift: the heart's own move between the pair's
 * phases left out), over several pairs whose phases differ; their median, per axis, over the lag
 * is the velocity. Each later frame's SAD row is then taken
 * against the earlier frames moved by the drift over each lag, rounded to a pixel (the
 * refinement at lock registers the rest, sync_driftreg.c).
 */
#define SCAN_R 8       /* the integer search: +-8 px between the frames of a pair */
#define SCAN_WORK 4096 /* pixels per SAD of the search: larger frames are read every few rows */
#define SCAN_PAIRS 7   /* pairs the velocity is measured on (odd: the median is one of them) */
#define LK_WORK 16384  /* pixels per comparison of the Lucas-Kanade steps (sync_driftreg.c's) */
#define SCAN_GATHER 64 /* sync_scan_row: frames of one quarter-pixel pair compared in one call */

int sync_scan_rows_for(const struct ogate_sync *s, int m, int work)
{
	long area = (long)(s->w - 2 * m) * (s->h - 2 * m);
	int r = (int)((area + work - 1) / work);
	return r > 1 ? r : 1;
}

/* the integer shift o with b(p) = a(p + o) within +-R: 1, or 0 where the best lies on the
 * search's edge (the shift may be larger) */
int sync_scan_integer_shift(const struct ogate_sync *s, const struct ogate_frame *a,
			    const struct ogate_frame *b, int R, int *oy, int *ox)
{
	int r = sync_scan_rows_for(s, R, SCAN_WORK), by = 0, bx = 0;
	double best = INFINITY;
	for (int y = -R; y <= R; y++)
		for (int x = -R; x <= R; x++) {
			double v = sync_sad_offset(s, b, a, y, x, r, R); /* |a(p + o) - b(p)| */
			if (v < best) {
				best = v;
				by = y;
				bx = x;
			}
		}
	*oy = by;
	*ox = bx;
	return abs(by) < R && abs(bx) < R;
}

#define RES_BINS 1024 /* |residual| histogram for its median (grey levels; 16-bit: /256) */
#define RES_WORK 4096 /* pixels per step: larger frames are read every few rows */

/* masked_step's sums: the normal matrix, the right side, the residuals' histogram */
struct res_sums {
	int64_t myy, mxx, mxy, ey, ex; /* central differences: 2 x gradient; mxy twice */
	long hist[RES_BINS], n;
};

/* row y of b against row y + oy of a (from x + ox), 8-bit, pixels x0 .. x1 - 1 */
static void res_row_u8(const struct ogate_frame *a, const struct ogate_frame *b, int y, int oy,
		       int ox, int x0, int x1, int T, struct res_sums *z)
{
	const uint8_t *a0 = ogate_frame_row(a, y + oy - 1), *a1 = ogate_frame_row(a, y + oy),
		      *a2 = ogate_frame_row(a, y + oy + 1), *b0 = ogate_frame_row(b, y - 1),
		      *b1 = ogate_frame_row(b, y), *b2 = ogate_frame_row(b, y + 1);
	a0 += ox;
	a1 += ox;
	a2 += ox;
	for (int x = x0; x < x1; x++) {
		int e = b1[x] - a1[x], ae = e < 0 ? -e : e;
		z->hist[ae]++;
		if (ae > T)
			continue;
		int ay = a2[x] - a0[x], ax = a1[x + 1] - a1[x - 1];
		int by = b2[x] - b0[x], bx = b1[x + 1] - b1[x - 1];
		z->myy += ay * by;
		z->mxx += ax * bx;
		z->mxy += ax * by + ay * bx;
		z->ey += (ay + by) * e;
		z->ex += (ax + bx) * e;
	}
	z->n += x1 > x0 ? x1 - x0 : 0;
}

/* the same, any format (16-bit: the histogram in 8-bit grey levels) */
static void res_row_any(const struct ogate_frame *a, const struct ogate_frame *b, int y, int oy,
			int ox, int x0, int x1, double T, struct res_sums *z)
{
	int q = b->fmt == OGATE_PIX_U8 ? 1 : 256;
	for (int x = x0; x < x1; x++) {
		int ya = y + oy, xa = x + ox;
		int64_t e = sync_px_at(b, y, x) - sync_px_at(a, ya, xa), ae = e < 0 ? -e : e;
		z->hist[ae / q < RES_BINS ? ae / q : RES_BINS - 1]++;
		z->n++;
		if ((double)ae > T)
			continue;
		int64_t ay = sync_px_at(a, ya + 1, xa) - sync_px_at(a, ya - 1, xa);
		int64_t ax = sync_px_at(a, ya, xa + 1) - sync_px_at(a, ya, xa - 1);
		int64_t by = sync_px_at(b, y + 1, x) - sync_px_at(b, y - 1, x);
		int64_t bx = sync_px_at(b, y, x + 1) - sync_px_at(b, y, x - 1);
		z->myy += ay * by;
		z->mxx += ax * bx;
		z->mxy += ax * by + ay * bx;
		z->ey += (ay + by) * e;
		z->ex += (ax + bx) * e;
	}
}

/*
 * One Lucas-Kanade step (sync_driftreg.c's shift_lsq: b(p) - a(p + o) = shift . grad, the two
 * frames' mean gradient, cross products in the normal matrix) over the pixels whose residual
 * |b(p) - a(p + o)| is at most T only, every r-th row; the median residual over all of them
 * into *med. 1 and the step, or 0 if the gradients kept do not determine it.
 */
static int masked_step(const struct ogate_sync *s, const struct ogate_frame *a, int oy, int ox,
		       const struct ogate_frame *b, int r, double T, double *med, double *sy,
		       double *sx)
{
	int m = 2 + (abs(oy) > abs(ox) ? abs(oy) : abs(ox));
	int q = s->fmt == OGATE_PIX_U8 ? 1 : 256, Ti = T < 255 ? (int)floor(T) : 255;
	struct res_sums z;
	memset(&z, 0, sizeof(z));
	for (int y = m; y < s->h - m; y += r) {
		if (s->fmt == OGATE_PIX_U8)
			res_row_u8(a, b, y, oy, ox, m, s->w - m, Ti, &z);
		else
			res_row_any(a, b, y, oy, ox, m, s->w - m, T, &z);
	}
	long c = 0;
	int k = 0;
	while (k < RES_BINS - 1 && (c += z.hist[k]) < (z.n + 1) / 2)
		k++;
	*med = (k + 0.5) * q;
	return sync_lk_solve(z.myy, z.mxx, z.mxy, z.ey, z.ex, sy, sx);
}

#define RES_ROUNDS 4 /* steps: the first on every pixel, each next within RES_K of its median */
#define RES_K 2.0    /* the pixels kept: residual within RES_K x the median of the step before */

/*
 * The pair's shift (sync_pair_shift's, b(p) = a(p + shift), from the integer start oy, ox)
 * with the pixels that do not follow it left out. A pair's frames lie at two phases of the
 * beat, and the heart's own motion between them (a structure that moves or turns with the
 * phase, its edges the frame's strongest gradients) entered the least squares with the
 * static texture's: each pair read the drift plus a share of the heart's move, which turns
 * with the pair's phases, and the pairs' median, spread over half a beat, kept a part of it
 * (27 % low on a 64^2 cartoon whose heart circles 0.75 px: the scan's registered valley then
 * lay 16 frames short of a 420-frame beat, docs/accuracy-log.md "The scan's drift reading").
 * Where the image only drifts the residual after the shift is the pixel noise; where the
 * heart moved it is tens of grey levels on its edges: the step is taken again on the pixels
 * within RES_K median residuals, RES_ROUNDS times. 1, or 0 where a step fails (the shift left
 * as it was). Opt-in (reference.scan_drift_robust): on lockdrift.txt the period at lock is the
 * beat's on the rows it reaches, but on bigdrift.txt's faster drifts, whose readings it moves
 * by a few per cent, the triggers were worse at two seeds.
 */
static int robust_shift(struct ogate_sync *s, const struct ogate_frame *a,
			const struct ogate_frame *b, int oy, int ox, int r, double *sy, double *sx)
{
	double fy = *sy - oy, fx = *sx - ox, med = 0, dy, dx, q = s->fmt == OGATE_PIX_U8 ? 16 : 256;
	int m = 2 + (abs(oy) > abs(ox) ? abs(oy) : abs(ox));
	for (int k = 0; k < RES_ROUNDS; k++) {
		if (fabs(fy) > 1 || fabs(fx) > 1)
			return 0;
		fy = lround(fy * q) / q; /* the shift the resampler applies */
		fx = lround(fx * q) / q;
		ogate_resample_subpixel_rows(s->shifted, a, -fy, -fx, m + oy, r, 1);
		double T = k ? RES_K * med : INFINITY;
		if (!masked_step(s, s->shifted, oy, ox, b, r, T, &med, &dy, &dx))
			return 0;
		fy += dy;
		fx += dx;
	}
	*sy = fy + oy;
	*sx = fx + ox;
	return 1;
}

/* The drift's velocity (px per frame, rows and cols) over the buffer without a period: 1, or 0
 * where fewer than half the pairs could be registered. */
static int measure(struct ogate_sync *s, double *vy, double *vx)
{
	int R = SCAN_R, lim = (s->w < s->h ? s->w : s->h) / 8;
	R = R < lim ? R : lim;
	if (R < 2 || s->count < 16)
		return 0;
	double py[SCAN_PAIRS], px[SCAN_PAIRS];
	int n = 0, step = s->count / (4 * SCAN_PAIRS) > 1 ? s->count / (4 * SCAN_PAIRS) : 1;
	for (int k = 0; k < SCAN_PAIRS; k++) {
		int i = s->count - 1 - k * step, d = s->count / 2, oy, ox, ok = 0;
		/* a lag over which the drift may exceed the search: half it */
		for (; d >= 2 && i - d >= 0; d /= 2)
			if ((ok = sync_scan_integer_shift(s, sync_buf_at(s, i),
							  sync_buf_at(s, i - d), R, &oy, &ox)))
				break;
		double sy, sx;
		int m = abs(oy) > abs(ox) ? abs(oy) : abs(ox);
		if (!ok || !sync_pair_shift(s, sync_buf_at(s, i), sync_buf_at(s, i - d), oy, ox,
					    sync_scan_rows_for(s, m + 2, LK_WORK), &sy, &sx))
			continue;
		if (s->set.scan_drift_robust)
			robust_shift(s, sync_buf_at(s, i), sync_buf_at(s, i - d), oy, ox,
				     sync_scan_rows_for(s, m + 2, RES_WORK), &sy, &sx);
		py[n] = sy / d;
		px[n] = sx / d;
		n++;
	}
	if (2 * n < SCAN_PAIRS)
		return 0;
	*vy = sync_median_in_place(py, n);
	*vx = sync_median_in_place(px, n);
	return 1;
}

static double vmax(double vy, double vx)
{
	return fabs(vy) > fabs(vx) ? fabs(vy) : fabs(vx);
}

/*
 * Called where the scan has found no period for 1.5 buffer spans (sync_determine.c, widen): the
 * drift over the buffer measured, and registered for the scan from the next frame if it reaches
 * a pixel over the buffer (below that the scan finds the heart unaided, and drift-free streams
 * never get here with a reading that large: the pairs' heart change reads as a fraction of a
 * pixel at most). At the memory bound (det_at_limit) half a pixel: the buffer cannot widen any
 * more, and a slow heart filmed fast on a small frame (413 frames a beat at 64^2) lost its valley
 * to 0.6 px a beat, which read 0.96 px over the 1024 frames. Returns 1 if the scan registers another drift from now (a new velocity, or
 * none where there was one), 0 if nothing changed; note gets a clause for the log either way.
 */
int sync_scan_drift(struct ogate_sync *s, char *note, size_t size)
{
	double vy = 0, vx = 0, span = s->count - 1;
	if (size)
		note[0] = 0;
	if (!s->shifted && ogate_frame_new(&s->shifted, s->fmt, s->w, s->h))
		return 0;
	if (!measure(s, &vy, &vx)) {
		snprintf(note, size,
			 "; the image's drift could not be measured (frames too small, no texture, or "
			 "over %d px between frames half the buffer apart)",
			 SCAN_R);
		return 0;
	}
	if (vmax(vy, vx) * span < (s->det_at_limit ? 0.5 : 1))
		vy = vx = 0; /* under a pixel over the buffer (half a pixel at the memory bound) */
	double ivl = s->count > 1 ? (double)(sync_buf_at(s, s->count - 1)->meta.timestamp_ns -
					     sync_buf_at(s, 0)->meta.timestamp_ns) *
					    1e-9 / span
				  : 0;
	if (vmax(vy - s->scan_vel[0], vx - s->scan_vel[1]) * span < 0.5) {
		if (sync_scan_drifting(s))
			snprintf(note, size, "; the image drifts %.3g px/s, registered for the scan",
				 hypot(vy, vx) / (ivl > 0 ? ivl : 1));
		return 0;
	}
	if (!s->rrows) {
		/* not zeroed: a slot's registered row is read (sync_frame_lag) only up to the depth
		 * sync_scan_row wrote with it, and s->rdepth is cleared below whenever the drift
		 * changes; cap^2 doubles (8 MB with the default 1024 frames) zeroed in this
		 * determining frame cost it page by page where the heap reused freed memory (as
		 * reference.lag_ssd's store did, sync_determine.c); untouched, a slot's pages are
		 * faulted in as its rows are written */
		s->rrows = malloc((size_t)s->cap * (size_t)s->cap * sizeof(double));
		s->rdiffs = calloc((size_t)s->cap, sizeof(double));
		s->rdepth = calloc((size_t)s->cap, sizeof(int));
		s->rbin = calloc((size_t)s->cap, sizeof(int));
		if (!s->rrows || !s->rdiffs || !s->rdepth || !s->rbin) {
			free(s->rrows);
			free(s->rdiffs);
			free(s->rdepth);
			free(s->rbin);
			s->rrows = s->rdiffs = NULL;
			s->rdepth = s->rbin = NULL;
			return 0;
		}
	}
	if (!s->rblur)
		s->rblur = calloc((size_t)s->cap, sizeof(*s->rblur));
	if (!s->rvalid)
		s->rvalid = calloc((size_t)s->cap, 1);
	if (!s->rblur || !s->rvalid)
		return 0;
	/* the buffered frames are blurred over the next frames (sync_scan_catch_up): all at once
	 * took 18 ms at 128^2 and 86 ms at 256^2 on one frame */
	memset(s->rvalid, 0, (size_t)s->cap);
	s->scan_ready = 0;
	memset(s->rdepth, 0, (size_t)s->cap * sizeof(int)); /* rows of another drift, or none */
	s->scan_vel[0] = vy;
	s->scan_vel[1] = vx;
	int quarter = (s->w < s->h ? s->w : s->h) / 4;
	if (vy == 0 && vx == 0)
		fprintf(stderr, "ogate: no heart period found: the image no longer drifts; the period "
				"scan stops registering a drift\n");
	else
		fprintf(stderr,
			"ogate: no heart period found: the image drifts %.3g px/s (%+.4f, %+.4f px per "
			"frame, rows, cols), %.2g px over the %.1f s buffer; the period scan registers "
			"it from now%s\n",
			hypot(vy, vx) / (ivl > 0 ? ivl : 1), vy, vx, vmax(vy, vx) * span, span * ivl,
			vmax(vy, vx) * span > quarter
				? " (over a quarter of the frame across the buffer: the longest lags "
				  "stay unregistered, a period as long as them cannot be found)"
				: "");
	return 1;
}

/*
 * The taps at offsets -1 .. 2 that give a(y) = f(y + fr) (bilinear, 0 <= fr < 1) blurred to one
 * variance, a quarter pixel squared, whatever fr is: the bilinear weights blur by fr (1 - fr),
 * which changes with the fraction, and a blur that changes from lag to lag makes false valleys
 * (lags whose drift was near a whole pixel stood out); [b, 1 - 2 b, b] with 2 b = 1/4 - fr (1 -
 * fr) makes it up.
 */
static void taps(double fr, double c[4])
{
	double b = (0.25 - fr * (1 - fr)) / 2;
	c[0] = b * (1 - fr);
	c[1] = (1 - 2 * b) * (1 - fr) + b * fr;
	c[2] = b * (1 - fr) + (1 - 2 * b) * fr;
	c[3] = b * fr;
}

static inline int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* taps() in fixed point: weights in 1/1024 that sum to 1024 exactly */
static void taps_fixed(double fr, int32_t c[4])
{
	double d[4];
	taps(fr, d);
	c[0] = (int32_t)lround(d[0] * 1024);
	c[2] = (int32_t)lround(d[2] * 1024);
	c[3] = (int32_t)lround(d[3] * 1024);
	c[1] = 1024 - c[0] - c[2] - c[3];
}

/* dst's rows y0 + k r (k < nrows) = f moved by (fy, fx) in [0, 1) and blurred (taps): a
 * vertical then a horizontal pass in integers, edges replicated */
static void frac_frame(struct ogate_frame *dst, const struct ogate_frame *f, double fy, double fx,
		       int y0, int r, int nrows)
{
	int32_t cy[4], cx[4];
	taps_fixed(fy, cy);
	taps_fixed(fx, cx);
	ogate_resample_taps4(dst, f, 0, 0, cy, cx, y0, r, nrows);
}

/* the blurred copy of the frame in buffer slot `slot` (sync_scan_row's earlier frames: taps at
 * fraction 0); 0 or -ENOMEM */
static int keep(struct ogate_sync *s, int slot)
{
	if (!s->rblur[slot] && ogate_frame_new(&s->rblur[slot], s->fmt, s->w, s->h))
		return -ENOMEM;
	frac_frame(s->rblur[slot], s->buf[slot], 0, 0, 0, 1, s->h);
	s->rvalid[slot] = 1;
	return 0;
}

/*
 * The registered row's quarter-pixel copies of the newest frame (sync_scan_row, s->rfrac) not
 * made yet: up to a 512^2 frame's worth of pixels of them (at least one) a call. Made in the
 * first registered row instead, the 16 copies (4 MB at 512^2, mapped and populated: frame.c)
 * took that determining frame from ~1.5 to 3.3-4.7 ms of CPU (1106 minor page faults,
 * analysis_bench --drift 512 5, frame 161); made here they come one a frame while the buffered
 * frames are blurred (~40 frames at 512^2), all at once at 128^2 or less.
 */
static int make_copies(struct ogate_sync *s)
{
	long px = (long)s->w * s->h, made = 0;
	for (int q = 0; q < 16 && (made == 0 || made + px <= 262144); q++) {
		if (s->rfrac[q])
			continue;
		if (ogate_frame_new(&s->rfrac[q], s->fmt, s->w, s->h))
			return -ENOMEM;
		made += px;
	}
	return 0;
}

/*
 * While a drift is registered: the new frame in buffer slot `slot` blurred, and up to four
 * 256^2 frames' worth of pixels more of the buffered frames not blurred yet (newest first: the
 * oldest leave the buffer); the scan registers once they all are (scan_ready). Meanwhile the
 * row's copies are made (make_copies). Where the copies cannot be had, the drift is dropped
 * (logged) rather than the frame failed.
 */
static int catch_up(struct ogate_sync *s, int slot)
{
	if (keep(s, slot))
		return -ENOMEM;
	if (s->scan_ready)
		return 0;
	if (make_copies(s))
		return -ENOMEM;
	long px = (long)s->w * s->h;
	int budget = (int)(262144 / (px > 0 ? px : 1)), left = 0;
	budget = budget > 1 ? budget : 1;
	for (int i = s->count - 1; i >= 0; i--) {
		int k = (s->head + i) % s->cap;
		if (s->rvalid[k])
			continue;
		if (budget-- > 0) {
			if (keep(s, k))
				return -ENOMEM;
		} else {
			left++;
		}
	}
	s->scan_ready = !left;
	return 0;
}

void sync_scan_catch_up(struct ogate_sync *s, int slot)
{
	int ret = catch_up(s, slot);
	if (ret) { /* no memory for the copies (they double the buffer's): scan unregistered */
		s->scan_vel[0] = s->scan_vel[1] = 0;
		fprintf(stderr, "ogate: no memory for the drift's blurred frames: the period scan "
				"does not register the drift\n");
	}
}

/*
 * The SAD row of the newest frame f (buffer slot `slot`) against the n frames before it, each
 * registered by the drift over its lag: its integer part by the frame read from there, its
 * fraction to a quarter pixel per axis by f moved (one copy per quarter-pixel pair in use, at most
 * 16, every copy blurred alike: taps, and compared with the earlier frames blurred alike:
 * sync_scan_catch_up). Rounded to a whole pixel, the rest (up to half a pixel)
 * raised the row in steps between the lags where the rounding changes, and a heart without
 * noise kept a shallower valley at its beat than at two (g_blob112_2.5pb_120fps_n0 locked on
 * 2 P). Over the frame less a margin of the drift over the buffer (at most a quarter of the
 * frame's side), every r-th row: into s->rdiffs (as s->diffs) and the registered rows (as
 * s->rows).
 */
void sync_scan_row(struct ogate_sync *s, const struct ogate_frame *f, int n, int r, int slot)
{
	double vy = s->scan_vel[0], vx = s->scan_vel[1];
	int lim = (s->w < s->h ? s->w : s->h) / 4 - 1, M = (int)ceil(vmax(vy, vx) * n) + 1;
	M = M < lim ? M : lim;
	int w = s->w - 2 * M, h = (s->h - 2 * M + r - 1) / r;
	if (w < 4 || h < 1) {
		s->scan_vel[0] = s->scan_vel[1] = 0; /* cannot happen with M <= a quarter side */
		return;
	}
	size_t bpp = (size_t)ogate_pixfmt_bytes(s->fmt);
	int *bin = s->rbin; /* per lag: its quarter-pixel pair */
	for (int i = 0; i < n; i++) {
		int d = n - i;
		double ty = vy * d, tx = vx * d;
		int iy = (int)floor(ty), ix = (int)floor(tx);
		int qy = (int)lround((ty - iy) * 4), qx = (int)lround((tx - ix) * 4);
		iy += qy / 4; /* a fraction that rounds to 1 is the next pixel's 0 */
		ix += qx / 4;
		qy %= 4;
		qx %= 4;
		iy = clampi(iy, -(M - 1), M - 1);
		ix = clampi(ix, -(M - 1), M - 1);
		bin[i] = qy * 4 + qx;
		/* f(p + fraction) = b(p - integer part): b read from before f's window */
		s->rp[i] = (const uint8_t *)ogate_frame_row(s->rblur[(s->head + i) % s->cap], M - iy) +
			   (size_t)(M - ix) * bpp;
	}
	size_t bs = s->rblur[s->head]->stride * r; /* the blurred copies' (all alike) */
	int used[16] = { 0 };
	for (int i = 0; i < n; i++)
		used[bin[i]] = 1;
	/* the copies of one row fraction share their vertical pass (the same bytes as frac_frame
	 * one by one: 14 copies at 512^2 took half the row's time) */
	for (int qy = 0; qy < 4; qy++) {
		struct ogate_frame *dst[4];
		int32_t cy[4], cx[4][4];
		int k = 0;
		for (int qx = 0; qx < 4; qx++) {
			int q = qy * 4 + qx;
			if (!used[q])
				continue;
			if (!s->rfrac[q] && ogate_frame_new(&s->rfrac[q], s->fmt, s->w, s->h)) {
				s->scan_vel[0] = s->scan_vel[1] = 0; /* this frame scans its plain row */
				return;
			}
			dst[k] = s->rfrac[q];
			taps_fixed(qx / 4.0, cx[k++]);
		}
		taps_fixed(qy / 4.0, cy);
		if (k)
			ogate_resample_taps4_multi(dst, f, 0, 0, cy, (const int32_t(*)[4])cx, k, M,
						   r, h);
	}
	for (int q = 0; q < 16; q++) {
		if (!used[q])
			continue;
		const struct ogate_frame *a = s->rfrac[q];
		const char *pa = (const char *)ogate_frame_row(a, M) + (size_t)M * bpp;
		if (s->fmt == OGATE_PIX_U8) { /* four frames a pass over the copy's rows */
			const uint8_t *g[SCAN_GATHER];
			uint64_t out[SCAN_GATHER];
			int gi[SCAN_GATHER], k = 0;
			for (int i = 0; i < n; i++) {
				if (bin[i] == q) {
					g[k] = s->rp[i];
					gi[k++] = i;
				}
				if (k == SCAN_GATHER || (k > 0 && i == n - 1)) {
					ogate_sad_u8_multi(s->sad, (const uint8_t *)pa, a->stride * r,
							   g, (size_t)k, bs, w, h, out);
					for (int e = 0; e < k; e++)
						s->rdiffs[gi[e]] = (double)out[e];
					k = 0;
				}
			}
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (bin[i] != q)
				continue;
			s->rdiffs[i] = (double)s->sad->u16((const uint16_t *)pa, a->stride * r,
							   (const uint16_t *)(const void *)s->rp[i],
							   bs, w, h);
		}
	}
	double *row = s->rrows + (size_t)slot * s->cap;
	for (int d = 1; d <= n; d++)
		row[d - 1] = s->rdiffs[n - d];
	s->rdepth[slot] = n;
}

/* dst(p) = src(p - (fy, fx)) on dst's rows y0 .. y0 + n - 1, rows and cols, blurred to one
 * variance whatever the fraction (taps: the bilinear blur alone changes with it), edges
 * replicated; dst and src differ */
void sync_scan_shift_even(const struct ogate_sync *s, struct ogate_frame *dst,
			  const struct ogate_frame *src, double fy, double fx, int y0, int n)
{
	sync_shift_even_rows(s, dst, src, fy, fx, y0, 1, n);
}

void sync_shift_even_rows(const struct ogate_sync *s, struct ogate_frame *dst,
			  const struct ogate_frame *src, double fy, double fx, int y0, int r, int n)
{
	(void)s;
	int iy = (int)floor(-fy), ix = (int)floor(-fx);
	int32_t cy[4], cx[4];
	taps_fixed(-fy - iy, cy); /* dst(y) = src(y + iy + fraction) */
	taps_fixed(-fx - ix, cx);
	ogate_resample_taps4(dst, src, iy, ix, cy, cx, y0, r, n);
}

/* one call a row: dst row d0 + k reads src rows around y0 + k r (the offset iy = y0 + k r -
 * (d0 + k) moves with k), the taps of fraction 0 as sync_shift_even_rows(fy = fx = 0)'s: the
 * same sums row by row, so the same bytes */
void sync_blur_rows_packed(struct ogate_frame *dst, int d0, const struct ogate_frame *src, int y0,
			   int r, int n)
{
	int32_t c[4];
	taps_fixed(0, c);
	for (int k = 0; k < n; k++)
		ogate_resample_taps4(dst, src, y0 + k * r - (d0 + k), 0, c, c, d0 + k, 1, 1);
}

/* Where reference q is made current: the tracked drift of the next frame against its frames
 * (sync_match.c: the frame is compared at p - (dx + fdx, dy + fdy)), the drift since the
 * reference's middle, and its velocity. */
void sync_scan_drift_start(struct ogate_sync *s, const struct seq *q)
{
	if (q->reg_vel[0] == 0 && q->reg_vel[1] == 0)
		return;
	uint64_t now = q->info.established_seq;
	if (s->have_last && s->last_seq > now)
		now = s->last_seq;
	double t = (double)now + 1 - q->reg_mid, Dy = -q->reg_vel[0] * t, Dx = -q->reg_vel[1] * t;
	s->dx = (int)lround(Dy);
	s->fdx = Dy - s->dx;
	s->dy = (int)lround(Dx);
	s->fdy = Dx - s->dy;
	s->fvx = -q->reg_vel[0];
	s->fvy = -q->reg_vel[1];
}
