// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The drift registered before the period is refined at lock (reference.register_drift): the
 * specimen's velocity from frame pairs a beat apart, and each lag's SAD valley again with the
 * newer frame shifted back by it (split from sync_determine.c, which calls sync_frame_lags). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "resample.h"
#include "subframe.h"
#include "sync_private.h"

/* Drift during the determination: nothing is registered before a reference exists, so frames a
 * beat apart differ by the specimen's shift as well as by the heart, and on a textured static
 * background that shift grows with the lag: the SAD rises along the valley and pulls each lag
 * short (0.49 frame at 1 px/s on the cartoon, docs/accuracy-log.md "The period found at lock:
 * drift"). The shift is measured on the pairs the lags match and removed before the valley is
 * evaluated again, for the lags the refinement uses only. */
#define REG_MARGIN 2   /* pixels left out at every edge: integer offsets up to this */
#define REG_PAIRS 8    /* pairs the drift's velocity is measured on */
#define REG_WORK 16384 /* pixels per comparison: larger frames are read every few rows */
/* Steps the registered valley may lie from the stored one. The unregistered drift raises the
 * SAD along the lag, and a slow heart's valley is broad: at 0.5 px a beat a 128^2 heart of 270
 * frames a beat had its stored valleys 4-6 frames short (lockdrift.txt's
 * ld_real128_2.5s_110fps). Two steps, as before, lost every lag but the newest two's, and the
 * period at lock fell back to the newest frame's unregistered estimate (-2 %). */
#define REG_WALK 8

/* sum |a(p) - b(p + o)| over the frame less m pixels at every edge, every r-th row (|oy|, |ox|
 * <= m); also the period scan's integer drift search (sync_scanreg.c) */
/* the SAD of w x h pixels from pa and pb, rows sa and sb bytes apart, in the frames' format */
static double sad_rows(const struct ogate_sync *s, const char *pa, size_t sa, const char *pb,
		       size_t sb, int w, int h)
{
	if (s->fmt == OGATE_PIX_U8)
		return (double)s->sad->u8((const uint8_t *)pa, sa, (const uint8_t *)pb, sb, w, h);
	return (double)s->sad->u16((const uint16_t *)(const void *)pa, sa,
				   (const uint16_t *)(const void *)pb, sb, w, h);
}

double sync_sad_offset(const struct ogate_sync *s, const struct ogate_frame *a,
		       const struct ogate_frame *b, int oy, int ox, int r, int m)
{
	int w = s->w - 2 * m, h = (s->h - 2 * m + r - 1) / r;
	size_t bpp = (size_t)ogate_pixfmt_bytes(s->fmt);
	const char *pa = (const char *)ogate_frame_row(a, m) + (size_t)m * bpp;
	const char *pb = (const char *)ogate_frame_row(b, m + oy) + (size_t)(m + ox) * bpp;
	return sad_rows(s, pa, a->stride * r, pb, b->stride * r, w, h);
}

/*
 * Least squares of b(p) - a(p) = shift . grad(p) over the frame less REG_MARGIN at every edge,
 * every r-th row (a Lucas-Kanade step): the shift with b(p) = a(p + shift); 0 if the gradients
 * do not determine it. The gradient is the two frames' mean; its normal matrix is made of one
 * frame's gradient times the other's, whose pixel noise is independent: a frame's own
 * squared gradient carries its noise's variance and shrank the shift (by 13 % at noise 4 on
 * the cartoon). The central difference leaves the pixel itself out, so the noise of b - a
 * does not correlate with it.
 */
static int shift_lsq(const struct ogate_sync *s, const struct ogate_frame *a, int oy, int ox,
		     const struct ogate_frame *b, int r, double *sy, double *sx)
{
	int64_t myy = 0, mxx = 0, mxy = 0, ey = 0, ex = 0; /* central differences: 2 x gradient */
	int m = REG_MARGIN + (abs(oy) > abs(ox) ? abs(oy) : abs(ox));
	for (int y = m; y < s->h - m; y += r) {
		if (s->fmt == OGATE_PIX_U8) {
			int64_t sum[5] = { 0 };
			const uint8_t *a0 = ogate_frame_row(a, y + oy - 1),
				      *a1 = ogate_frame_row(a, y + oy),
				      *a2 = ogate_frame_row(a, y + oy + 1);
			ogate_shift_sums_u8(a0 + ox, a1 + ox, a2 + ox, ogate_frame_row(b, y - 1),
					    ogate_frame_row(b, y), ogate_frame_row(b, y + 1), m,
					    s->w - m, sum);
			myy += sum[0];
			mxx += sum[1];
			mxy += sum[2];
			ey += sum[3];
			ex += sum[4];
			continue;
		}
		for (int x = m; x < s->w - m; x++) {
			int ya = y + oy, xa = x + ox;
			int64_t ay = sync_px_at(a, ya + 1, xa) - sync_px_at(a, ya - 1, xa);
			int64_t ax = sync_px_at(a, ya, xa + 1) - sync_px_at(a, ya, xa - 1);
			int64_t by = sync_px_at(b, y + 1, x) - sync_px_at(b, y - 1, x);
			int64_t bx = sync_px_at(b, y, x + 1) - sync_px_at(b, y, x - 1);
			int64_t e = sync_px_at(b, y, x) - sync_px_at(a, ya, xa);
			myy += ay * by;
			mxx += ax * bx;
			mxy += ax * by + ay * bx;
			ey += (ay + by) * e;
			ex += (ax + bx) * e;
		}
	}
	return sync_lk_solve(myy, mxx, mxy, ey, ex, sy, sx);
}

int sync_lk_solve(int64_t myy, int64_t mxx, int64_t mxy, int64_t ey, int64_t ex, double *sy, double *sx)
{
	/* sum g g^T s / 2 = sum g e / 2 with g the doubled gradient: s = 2 M^-1 (sum g e) / 2 */
	double Myy = (double)myy, Mxx = (double)mxx, Mxy = 0.5 * (double)mxy;
	double det = Myy * Mxx - Mxy * Mxy;
	if (!(Myy > 0 && Mxx > 0 && det > 1e-6 * Myy * Mxx))
		return 0;
	*sy = (Mxx * (double)ey - Mxy * (double)ex) / det;
	*sx = (Myy * (double)ex - Mxy * (double)ey) / det;
	return 1;
}

/*
 * The shift (rows, cols) of frame i's content against frame j's, b(p) = a(p + shift): a least-
 * squares step on the gradients, then a second on the pair registered by the first (the
 * linearisation is exact only for small shifts). SAD V fits across one-pixel offsets were
 * biased by 15-20 % at 0.3 px on both axes, and the unregistered part of a drift biases the
 * lag as much as the whole drift does where there is no noise (the SAD is |shift| x the
 * texture's gradient on both sides of zero).
 */
int sync_pair_shift(struct ogate_sync *s, const struct ogate_frame *a, const struct ogate_frame *b,
		    int oy, int ox, int r, double *sy, double *sx)
{
	double ry, rx;
	int m = REG_MARGIN + (abs(oy) > abs(ox) ? abs(oy) : abs(ox));
	if (s->w <= 2 * m + 4 || s->h <= 2 * m + 4 || !shift_lsq(s, a, oy, ox, b, r, sy, sx) ||
	    fabs(*sy) > 1 || fabs(*sx) > 1)
		return 0;
	ogate_resample_subpixel_rows(s->shifted, a, -*sy, -*sx, m + oy, r, 1);
	if (!shift_lsq(s, s->shifted, oy, ox, b, r, &ry, &rx))
		return 0;
	*sy += ry + oy;
	*sx += rx + ox;
	return 1;
}

/*
 * The same on buffered frames i and j, b(p) = a(p + shift) starting from the drift the period
 * scan registers over i - j (sync_scanreg.c; none: from 0). The result depends on the two
 * frames, that start and the row step alone, and is kept under them (per slot of frame i,
 * SYNC_PAIR_MEMO entries, keyed by both frames' arrival numbers): the pairs the velocity at
 * lock reads are computed as each determining frame arrives (sync_drift_pairs_on_arrival),
 * 5-8 pairs of two shifts at lock (0.4-0.6 ms of the 512^2 establishing frame) become the
 * lock frame's own pair and look-ups.
 */
static int pair_shift(struct ogate_sync *s, int i, int j, int r, double *sy, double *sx)
{
	int oy = (int)lround(s->scan_vel[0] * (i - j)), ox = (int)lround(s->scan_vel[1] * (i - j));
	int si = (s->head + i) % s->cap, sj = (s->head + j) % s->cap;
	uint64_t ai = s->arrival[si], aj = s->arrival[sj];
	if (!s->pmemo && ai && aj)
		s->pmemo = calloc((size_t)s->cap * SYNC_PAIR_MEMO, sizeof(*s->pmemo));
	struct sync_pair_memo *m = s->pmemo && ai && aj ? s->pmemo + (size_t)si * SYNC_PAIR_MEMO : NULL;
	for (int k = 0; m && k < SYNC_PAIR_MEMO; k++) {
		const struct sync_pair_memo *e = &m[k];
		if (e->ai == ai && e->aj == aj && e->oy == oy && e->ox == ox && e->r == r) {
			s->pmemo_hits++;
			*sy = e->sy;
			*sx = e->sx;
			return e->ok;
		}
	}
	s->pmemo_misses++;
	int ok = sync_pair_shift(s, sync_buf_at(s, i), sync_buf_at(s, j), oy, ox, r, sy, sx);
	if (m) { /* an entry of an older frame in this slot, else the first */
		int k = 0;
		while (k < SYNC_PAIR_MEMO - 1 && m[k].ai == ai)
			k++;
		if (m[k].ai == ai)
			memmove(m, m + 1, (SYNC_PAIR_MEMO - 1) * sizeof(*m));
		m[k] = (struct sync_pair_memo){ ai, aj, oy, ox, r, ok, ok ? *sy : 0, ok ? *sx : 0 };
	}
	return ok;
}

/*
 * Whether the median of v's n values and of up to m more, whatever they are, stays below one
 * step over a beat of c frames (drift_velocity's test). With j <= m more values, the order
 * statistics the median takes (positions floor((n + j - 1) / 2) and (n + j) / 2) lie between
 * v's sorted values w[a - m] and w[b], a and b the median's positions at j = m (order statistic
 * k of the n + j values lies between w[k - j] and w[k]); the median, one of them or half their
 * sum (rounding is monotone), lies there too. Undecided (0) where the m unknowns reach past v.
 */
int sync_median_stays_below_step(const double *v, int n, int m, int c)
{
	double w[REG_PAIRS];
	if (n < 1 || n > REG_PAIRS)
		return 0;
	for (int k = 0; k < n; k++)
		w[k] = v[k];
	qsort(w, (size_t)n, sizeof(double), sync_cmp_dbl);
	int N = n + m, a = (N - 1) / 2, b = N / 2;
	if (a - m < 0 || b >= n)
		return 0;
	return fabs(w[a - m] * c) < 1.0 / 16 && fabs(w[b] * c) < 1.0 / 16;
}

/* frame i's reading of the drift's velocity (px per frame) over its lag (drift_velocity): 1 and
 * *vy, *vx, or 0 where its pairs give none */
static int frame_velocity(struct ogate_sync *s, int i, double lag, int r, double *vy, double *vx)
{
	if (s->set.drift_move) {
		/* the frames floor(lag) and floor(lag) + 1 before frame i bracket its heart's
		 * phase: the shift at the lag itself, interpolated between the two pairs' shifts,
		 * is the drift's alone (one pair at the rounded lag carried the heart's motion over
		 * the lag's fraction, up to half a frame of it: 0.28 px a beat read on a drift-free
		 * stream whose heart moves the whole frame, whose reference was then moved by it) */
		int l0 = (int)floor(lag), j = i - l0 - 1;
		double a = lag - l0, sy0, sx0, sy1, sx1;
		if (l0 < 1 || j < 0 || !pair_shift(s, i, j + 1, r, &sy0, &sx0) ||
		    !pair_shift(s, i, j, r, &sy1, &sx1))
			return 0;
		*vy = ((1 - a) * sy0 + a * sy1) / lag;
		*vx = ((1 - a) * sx0 + a * sx1) / lag;
		return 1;
	}
	/* the pair at the rounded lag (reference.drift_move = 0: the reading above alone made the
	 * cartoon's drift rows later, docs/accuracy-log.md "The drift rows' early bias") */
	int j = i - (int)lround(lag);
	double sy, sx;
	if (j < 0 || !pair_shift(s, i, j, r, &sy, &sx))
		return 0;
	*vy = sy / (i - j);
	*vx = sx / (i - j);
	return 1;
}

/*
 * The drift's velocity (px per frame, rows and cols) over the buffer: the median of the shifts
 * of up to REG_PAIRS lag pairs spread over it, each over its own lag. Returns 0 where it cannot
 * be measured or where its shift over a beat stays below 1/16 px (one step of the 8-bit
 * resampler's weights): the measurement errs by about that much where pairs a beat apart do
 * not meet the heart at the same phase (0.05 px on a 30 fps cartoon without drift, whose lags
 * were moved by it), at any bit depth (at 1/256 px, the 16-bit step, a 16-bit stream without
 * drift registered such a reading and was then followed as if it drifted, where its 8-bit
 * twin was not).
 */
static int drift_velocity(struct ogate_sync *s, int c, int r, double *vy, double *vx)
{
	int n = 0, have = 0;
	double lag, py[REG_PAIRS], px[REG_PAIRS];
	for (int i = 0; i < s->count; i++)
		have += sync_frame_lag(s, i, c, &lag);
	if (have < 1 || s->w <= 2 * REG_MARGIN + 4 || s->h <= 2 * REG_MARGIN + 4)
		return 0;
	int stride = have > REG_PAIRS ? have / REG_PAIRS : 1, k = 0;
	for (int i = s->count - 1; i >= 0 && n < REG_PAIRS; i--) {
		if (!sync_frame_lag(s, i, c, &lag))
			continue;
		if (k++ % stride)
			continue;
		if (!frame_velocity(s, i, lag, r, &py[n], &px[n]))
			continue;
		n++;
		if (n < REG_PAIRS && sync_median_stays_below_step(py, n, REG_PAIRS - n, c) &&
		    sync_median_stays_below_step(px, n, REG_PAIRS - n, c))
			return 0; /* what it returns whatever the pairs left measure */
	}
	if (n < 1)
		return 0;
	*vy = sync_median_in_place(py, n);
	*vx = sync_median_in_place(px, n);
	return fabs(*vy * c) >= 1.0 / 16 || fabs(*vx * c) >= 1.0 / 16;
}

/*
 * With reference.lag_ssd, the registered valley's minimum through SSDs: the shifted frame i
 * against the frames b - 2 .. b + 2 before it (as sync_sad_offset compares them), the offset
 * from b of the quartic's minimum (ogate_quartic_offset); NAN where it has none within a frame
 * or a frame is missing (the V fit stays). The shifted frame is interpolated (a blur of f (1 - f)
 * px^2 on each axis, f the shift's fraction) and the frames it is compared with are not: that
 * rounds the SAD valley as pixel noise does, and the V fit through a rounded valley errs by the
 * lag's fraction, alike for every lag at lock (they hold nearly one length). On the eval's
 * drifting cartoon with Lanczos drift the registered lags at lock read 0.16 frame short where
 * the drift-free twin's read 0.05 (0.09 through the SSDs); an SSD only gains a constant from
 * either (docs/accuracy-log.md, "The lags at lock under drift").
 */
static double registered_ssd_offset(struct ogate_sync *s, int i, int b, int r, int ny, int nx, int m)
{
	if (i - b - 2 < 0 || b - 2 < 1)
		return NAN;
	int w = s->w - 2 * m, h = (s->h - 2 * m + r - 1) / r;
	size_t bpp = (size_t)ogate_pixfmt_bytes(s->fmt);
	const char *pa = (const char *)ogate_frame_row(s->shifted, m + ny) + (size_t)(m + nx) * bpp;
	const void *bp[5];
	uint64_t out[5];
	double v[5];
	for (int k = 0; k < 5; k++) {
		const struct ogate_frame *f = sync_buf_at(s, i - (b - 2 + k));
		bp[k] = (const char *)ogate_frame_row(f, m) + (size_t)m * bpp;
	}
	sync_ssd_rows(s, pa, s->shifted->stride * r, bp, 5, sync_buf_at(s, i)->stride * r, w, h, out);
	for (int k = 0; k < 5; k++)
		v[k] = (double)out[k];
	return ogate_quartic_offset(v);
}

/*
 * Frame j's compared rows (m + k r, from column m) blurred by the taps of fraction 0, and their
 * stride: the period scan's copy where it holds the frame (rblur: the same taps, every row), or
 * one of the ways kept in s->lag_blur, made on first use. Each lag at lock compared frame i - d
 * blurred: the frames i - b + 1 .. i - b - 1 of one frame are two of the next frame's three, and
 * were blurred again for it (6 resamples of the compared rows a frame, 3 of them the earlier
 * frames', 96 % of the lags' instructions at 512^2).
 */
static const char *blurred_rows(struct ogate_sync *s, int j, int m, int r, int n, size_t *stride)
{
	size_t bpp = (size_t)ogate_pixfmt_bytes(s->fmt);
	int slot = (s->head + j) % s->cap;
	if (!s->lag_direct && sync_scan_drifting(s) && s->rvalid[slot]) { /* kept on arrival */
		s->lag_scan++;
		*stride = s->rblur[slot]->stride * (size_t)r;
		return (const char *)ogate_frame_row(s->rblur[slot], m) + (size_t)m * bpp;
	}
	int w = j % SYNC_LAG_WAYS, d0 = w * s->lag_rows;
	if (s->lag_direct || s->lag_j[w] != j || s->lag_m[w] != m || s->lag_r[w] != r) {
		s->lag_made++;
		sync_blur_rows_packed(s->lag_blur, d0, sync_buf_at(s, j), m, r, n);
		s->lag_j[w] = j;
		s->lag_m[w] = m;
		s->lag_r[w] = r;
	} else {
		s->lag_kept++;
	}
	*stride = s->lag_blur->stride;
	return (const char *)ogate_frame_row(s->lag_blur, d0) + (size_t)m * bpp;
}

/* the ways of s->lag_blur for rows read every r-th (at most (h + r - 1) / r from a margin of at
 * least REG_MARGIN), none holding a frame; lag_blur NULL where they cannot be had (the lags as
 * without the key) */
static void lag_blur_ready(struct ogate_sync *s, int r)
{
	int rows = (s->h + r - 1) / r;
	if (!s->lag_blur || ogate_frame_width(s->lag_blur) != s->w || s->lag_rows < rows ||
	    s->lag_blur->fmt != s->fmt) {
		ogate_frame_free(s->lag_blur);
		s->lag_blur = NULL;
		if (ogate_frame_new(&s->lag_blur, s->fmt, s->w, SYNC_LAG_WAYS * rows))
			return;
		s->lag_rows = rows;
	}
	for (int w = 0; w < SYNC_LAG_WAYS; w++)
		s->lag_j[w] = -1;
}

/*
 * reference.lag_even: the SAD of frame i against frame i - d with the drift over d removed, both
 * through the same four taps (sync_shift_even_rows: one blur of 1/4 px^2 whatever the fraction),
 * margin m. Without the key every comparison of a lag takes frame i shifted by the drift over
 * the valley's middle b, bilinearly, against frames that are not: the frames b - 1 and b + 1
 * back are then off by the drift over a frame either way, which adds a V at b to the valley
 * wherever the texture does not beat (the static background), and the shifted frame's blur,
 * which the others lack, rounds the valley's bottom; both pull the V fit towards b, alike for
 * every lag at lock (docs/accuracy-log.md, "Drifting hearts' bias: the period at lock").
 */
static double even_sad(struct ogate_sync *s, int i, int d, int r, double vy, double vx, int m)
{
	double ty = vy * d, tx = vx * d;
	int ny = (int)lround(ty), nx = (int)lround(tx), n = (s->h - 2 * m + r - 1) / r;
	sync_shift_even_rows(s, s->shifted, sync_buf_at(s, i), -(ty - ny), -(tx - nx), m + ny, r, n);
	size_t sa, bpp = (size_t)ogate_pixfmt_bytes(s->fmt), sb = s->shifted->stride * (size_t)r;
	const char *pa = blurred_rows(s, i - d, m, r, n, &sa);
	const char *pb = (const char *)ogate_frame_row(s->shifted, m + ny) + (size_t)(m + nx) * bpp;
	return sad_rows(s, pa, sa, pb, sb, s->w - 2 * m, n); /* as sync_sad_offset's, packed rows */
}

/* frame i against frame i - d for registered_lag: as even_sad, or against frame i shifted by the
 * drift over b (the frame s->shifted holds, at offset ny, nx) */
static double lag_sad(struct ogate_sync *s, int i, int d, int r, const double *v, int m, int even,
		      int ny, int nx)
{
	if (even)
		return even_sad(s, i, d, r, v[0], v[1], m);
	return sync_sad_offset(s, sync_buf_at(s, i - d), s->shifted, ny, nx, r, m);
}

/* buffered frame i's lag near c with the drift (vy, vx px per frame) removed: frame i shifted
 * back by the drift over the lag, then compared with the three frames around its valley */
static int registered_lag(struct ogate_sync *s, int i, int c, int r, double vy, double vx, double *lag)
{
	double l0;
	if (!sync_frame_lag(s, i, c, &l0))
		return 0;
	int b = (int)lround(l0);
	if (i - b - 1 < 0)
		return 0;
	double ty = vy * b, tx = vx * b; /* frame i's content sits ty, tx from frame i - b's */
	int ny = (int)lround(ty), nx = (int)lround(tx);
	int m = abs(ny) > abs(nx) ? abs(ny) : abs(nx);
	m = m > REG_MARGIN ? m : REG_MARGIN; /* integer offsets up to REG_MARGIN, or the drift's */
	int even = s->set.lag_even && s->lag_blur; /* lag_blur_ready */
	double vel[2] = { vy, vx };
	/* even: the drift's integer offsets up to the farthest frame the walk may compare, lag
	 * b + REG_WALK + 2 (lo + 3 with lo at most b - 1 + REG_WALK) */
	int me = m, far = b + REG_WALK + 2;
	if (even) {
		int ey = abs((int)lround(vy * far)), ex = abs((int)lround(vx * far));
		me = ey > ex ? ey : ex;
		me = me > REG_MARGIN ? me : REG_MARGIN;
	}
	if (s->w <= 2 * me + 4 || s->h <= 2 * me + 4)
		return 0;
	/* shifted(p) = frame_i(p + fraction); compare shifted(p + n) with frame i - d's p for d
	 * around b (the registered valley can sit frames from the stored one: REG_WALK) */
	if (!even)
		ogate_resample_subpixel_rows(s->shifted, sync_buf_at(s, i), -(ty - ny), -(tx - nx),
					     m + ny, r, 0);
	double v[3];
	int lo = b - 1;
	for (int k = 0; k < 3; k++)
		v[k] = lag_sad(s, i, lo + k, r, vel, me, even, ny, nx);
	for (int step = 0; step < REG_WALK && (v[0] < v[1] || v[2] < v[1]); step++) {
		int dir = v[0] < v[1] ? -1 : 1, d = dir < 0 ? lo - 1 : lo + 3;
		if (d < 2 || i - d < 0)
			return 0;
		if (dir < 0) {
			v[2] = v[1];
			v[1] = v[0];
		} else {
			v[0] = v[1];
			v[1] = v[2];
		}
		lo += dir;
		v[dir < 0 ? 0 : 2] = lag_sad(s, i, d, r, vel, me, even, ny, nx);
	}
	if (v[0] < v[1] || v[2] < v[1])
		return 0;
	*lag = lo + 1 + ogate_vfit(v[0], v[1], v[2]).x; /* v[0] is lag lo */
	double S[3] = { v[2], v[1], v[0] }, xc = sync_lag_curve(s, i, lo + 1, S, *lag);
	if (!isnan(xc))
		*lag = lo + 1 - xc;
	if (s->set.lag_ssd == 1 && even) /* the SSDs read frame i shifted by the drift over b */
		ogate_resample_subpixel_rows(s->shifted, sync_buf_at(s, i), -(ty - ny), -(tx - nx),
					     m + ny, r, 0);
	double x = s->set.lag_ssd == 1 ? registered_ssd_offset(s, i, lo + 1, r, ny, nx, m) : NAN;
	if (!isnan(x))
		*lag = lo + 1 + x;
	return 1;
}

/* The lags refine_period uses, lagv[i] (NAN where frame i has none): the stored valleys, or
 * with `reg` and a measured drift the registered ones (a frame whose registration fails keeps
 * none). Registration reads every r-th row, r at least the determination's row step and so
 * that a comparison covers at most REG_WORK pixels. */
static int reg_row_step(const struct ogate_sync *s)
{
	int r = s->set.determine_row_step > 0
			? s->set.determine_row_step
			: (int)((long)s->w * s->h / 65536 > 1 ? (long)s->w * s->h / 65536 : 1);
	long area = (long)(s->w - 2 * REG_MARGIN) * (s->h - 2 * REG_MARGIN);
	int rw = (int)((area + REG_WORK - 1) / REG_WORK);
	return rw > r ? rw : r;
}

/* whether the lock registers the drift (sync_frame_lags with reg), s->shifted allocated for it */
static int registers(struct ogate_sync *s)
{
	if (!s->set.register_drift || !s->set.track_drift || s->w <= 2 * REG_MARGIN + 4 ||
	    s->h <= 2 * REG_MARGIN + 4)
		return 0;
	return s->shifted || !ogate_frame_new(&s->shifted, s->fmt, s->w, s->h);
}

/*
 * The newest buffered frame's pairs for the drift's velocity at lock, computed on its arrival
 * (the determination, sync_determine.c, after its SAD row; P its scan's estimate, -1 if none):
 * those drift_velocity reads for it with its lag near round(P). The lock reads them through
 * pair_shift's store, from the newest frame back: all but the lock frame's own have arrived
 * before it. A lock whose c, start or row step differ computes what it misses (exact either
 * way). Only where the lock would read consecutive frames (fewer than 2 REG_PAIRS frames with
 * a lag: a stride of 2 or more moves with every frame, so all would be computed for a share of
 * them, on determining frames that already read the whole buffer, the slow heart's) and a
 * comparison reads every few rows (larger than about 132^2: smaller frames' establishing frame
 * is far below 2 ms, and their determining frames would pay more than that frame saves in the
 * mean); about 0.1 ms a determining frame at 512^2.
 */
void sync_drift_pairs_on_arrival(struct ogate_sync *s, double P)
{
	double lag, vy, vx;
	int i = s->count - 1, c = (int)lround(P), r = reg_row_step(s), have = 0;
	if (!(P > 0) || i < 1 || r < 2 || !sync_frame_lag(s, i, c, &lag))
		return;
	for (int k = 0; k <= i && have < 2 * REG_PAIRS; k++)
		have += sync_frame_lag(s, k, c, &vy);
	if (have < 2 * REG_PAIRS && registers(s))
		frame_velocity(s, i, lag, r, &vy, &vx);
}

void sync_frame_lags(struct ogate_sync *s, int c, int reg, double *lagv)
{
	int r = reg_row_step(s);
	double vy = 0, vx = 0, lag;
	reg = reg && registers(s);
	reg = reg && drift_velocity(s, c, r, &vy, &vx);
	if (reg && s->set.lag_even)
		lag_blur_ready(s, r);
	s->det_vel[0] = reg ? vy : 0; /* the reference's frames drift by it (sync_match.c) */
	s->det_vel[1] = reg ? vx : 0;
	int both = 0;
	char ways[s->count > 0 ? s->count : 1];
	for (int i = 0; i < s->count; i++) {
		int ok = reg ? registered_lag(s, i, c, r, vy, vx, &lag)
			     : sync_frame_lag_ways(s, i, c, &lag);
		lagv[i] = ok ? lag : NAN;
		ways[i] = (char)ok;
		both += ok == 2;
	}
	/* reference.lag_sym: where at least 3 lags were read both ways, the lags read one way (the
	 * newest frames, whose match a beat later is not buffered yet, or a reading that failed)
	 * are left out: each carries the forward reading's error alone, several times the others'
	 * (blob512_30fps: frame 30's +0.35 frame took P from +0.01 to +0.05 frame long) */
	if (both >= 3) /* registered lags are read one way (registered_lag): never */
		for (int i = 0; i < s->count; i++)
			if (ways[i] != 2)
				lagv[i] = NAN;
}

/*
 * A reference taken under drift (reference.register_drift measured it, sync_driftreg.c) holds
 * frames at positions that move along its beat: frame u sits vel x u from frame 0. The drift
 * sync_match.c tracks is the live frame's against the reference frame it is matched to; a live
 * frame drifts steadily, so against frames a beat apart that drift is a staircase, a step of
 * vel x P at every wrap, which the tracker smoothed into a ramp: the live frame was registered
 * to the wrong position by up to vel x P / 2, early and late in the beat with opposite signs
 * (0.2 px at 1 px/s and 0.45 s), and the match's valley tilted. The tracked drift is moved to
 * the position the frame is expected at before it is matched (and the measurement against
 * the frame that matched best back to it): the drift the tracker follows is then the steady
 * one.
 */
static void drift_to(struct ogate_sync *s, double u)
{
	if (isnan(s->drift_u) || isnan(u)) {
		s->drift_u = u;
		return;
	}
	s->fdx += s->ref_vel[0] * (u - s->drift_u);
	s->fdy += s->ref_vel[1] * (u - s->drift_u);
	s->drift_u = u;
	/* the sub-pixel part stays within a pixel (as the tracker keeps it); the integer part,
	 * which the tracker's search moves, takes the rest only beyond that (carried at half a
	 * pixel, the search moved it back and the tracker was never updated) */
	for (; s->fdx > 1; s->fdx -= 1)
		s->dx++;
	for (; s->fdx < -1; s->fdx += 1)
		s->dx--;
	for (; s->fdy > 1; s->fdy -= 1)
		s->dy++;
	for (; s->fdy < -1; s->fdy += 1)
		s->dy--;
}

static int moving(const struct ogate_sync *s)
{
	return s->set.track_drift && s->set.subpixel_drift &&
	       (s->ref_vel[0] != 0 || s->ref_vel[1] != 0);
}

/* before a frame is matched: the tracked drift moved to the position the frame is expected at */
void sync_drift_to_expected(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	if (moving(s) && s->have_expect && P > 0)
		drift_to(s, fmod(fmod(s->expect_u, P) + P, P));
}

/* after it: (*orow, *ocol) moves the drift measured against reference frame best to the
 * position the tracked drift refers to (0 without a moving reference; the first measurement
 * sets that position) */
void sync_drift_from(struct ogate_sync *s, int best, double *orow, double *ocol)
{
	*orow = *ocol = 0;
	if (!moving(s))
		return;
	if (isnan(s->drift_u)) {
		s->drift_u = s->pos[best];
		return;
	}
	*orow = s->ref_vel[0] * (s->drift_u - s->pos[best]);
	*ocol = s->ref_vel[1] * (s->drift_u - s->pos[best]);
}
