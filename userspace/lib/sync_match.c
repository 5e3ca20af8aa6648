// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Phase matching: SAD against the padded reference (integer drift by cropping, the sub-pixel part by resampling), sub-frame offset (V fit, steps or the reference's curve), drift tracking. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"
#include "resample.h"
#include "subframe.h"

/* SAD of a w x h window at (ax, ay) in a and (bx, by) in b */
static double sad_win(const struct ogate_sync *s, const struct ogate_frame *a, int ax, int ay,
		      const struct ogate_frame *b, int bx, int by, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	if (s->fmt == OGATE_PIX_U8)
		return (double)s->sad->u8((const uint8_t *)ogate_frame_row(a, ay) + ax, a->stride,
					  (const uint8_t *)ogate_frame_row(b, by) + bx, b->stride,
					  w, h);
	return (double)s->sad->u16((const uint16_t *)ogate_frame_row(a, ay) + ax, a->stride,
				   (const uint16_t *)ogate_frame_row(b, by) + bx, b->stride, w, h);
}

/* SSD of a w x h window at (ax, ay) in a and (bx, by) in b (sync.metric = ssd) */
static double ssd_win(const struct ogate_sync *s, const struct ogate_frame *a, int ax, int ay,
		      const struct ogate_frame *b, int bx, int by, int w, int h)
{
	if (s->fmt == OGATE_PIX_U8)
		return (double)ogate_ssd_u8(s->sad, (const uint8_t *)ogate_frame_row(a, ay) + ax,
					    a->stride, (const uint8_t *)ogate_frame_row(b, by) + bx,
					    b->stride, w, h);
	return (double)ogate_ssd_u16(s->sad, (const uint16_t *)ogate_frame_row(a, ay) + ax, a->stride,
				     (const uint16_t *)ogate_frame_row(b, by) + bx, b->stride, w, h);
}

/*
 * v[k] = SAD of M[inset : H-inset, inset : W-inset] against the frame window moved by candidate
 * drift cand[k] = (rows, cols), inset = the largest |component| over all candidates (the
 * reference's get_drift_estimate). -ERANGE if the windows would be too small.
 */
static int drift_scores(struct ogate_sync *s, const struct ogate_frame *M,
			const struct ogate_frame *f, const int (*cand)[2], int nc, double *v)
{
	int H = s->h, W = s->w, inset = 0;
	for (int k = 0; k < nc; k++)
		for (int c = 0; c < 2; c++)
			inset = abs(cand[k][c]) > inset ? abs(cand[k][c]) : inset;
	if (2 * inset + 8 > H || 2 * inset + 8 > W || nc > DRIFT_MAXC)
		return -ERANGE;
	for (int k = 0; k < nc; k++) {
		int cx = cand[k][0], cy = cand[k][1];
		if (s->fmt == OGATE_PIX_U8)
			s->rp[k] = (const uint8_t *)ogate_frame_row(f, inset - cx) + (inset - cy);
		else
			v[k] = sad_win(s, M, inset, inset, f, inset - cy, inset - cx, W - 2 * inset,
				       H - 2 * inset);
	}
	if (s->fmt == OGATE_PIX_U8) {
		ogate_sad_u8_multi(s->sad, (const uint8_t *)ogate_frame_row(M, inset) + inset,
				   M->stride, s->rp, (size_t)nc, f->stride, W - 2 * inset,
				   H - 2 * inset, s->sad_out);
		for (int k = 0; k < nc; k++)
			v[k] = (double)s->sad_out[k];
	}
	return 0;
}

/* Optional coarse search on the first frame after a reference is established:
 * drift in range(-r, r+1, 3)^2 against every reference frame; first minimum wins. */
void sync_drift_bootstrap(struct ogate_sync *s, const struct ogate_frame *f, int r)
{
	int cand[DRIFT_MAXC][2], nc = 0;
	for (int a = -r; a <= r; a += 3)
		for (int c = -r; c <= r; c += 3)
			if (nc < DRIFT_MAXC) {
				cand[nc][0] = a;
				cand[nc][1] = c;
				nc++;
			}
	double v[DRIFT_MAXC], best = -1;
	for (int j = 0; j < s->L; j++) {
		if (drift_scores(s, s->ref[j], f, (const int(*)[2])cand, nc, v))
			return;
		for (int k = 0; k < nc; k++)
			if (best < 0 || v[k] < best) {
				best = v[k];
				s->dx = cand[k][0];
				s->dy = cand[k][1];
			}
	}
}

/* S[idx[k]] = SAD of the (cropped) frame against reference frame idx[k] */
static void ref_sads(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx,
		     int ry, int nw, int nh, const int *idx, int n)
{
	if (s->fmt == OGATE_PIX_U8) {
		for (int k = 0; k < n; k++)
			s->rp[k] = (const uint8_t *)ogate_frame_row(s->ref[idx[k]], ry) + rx;
		ogate_sad_u8_multi(s->sad, (const uint8_t *)ogate_frame_row(f, fy) + fx, f->stride,
				   s->rp, (size_t)n, s->ref[0]->stride, nw, nh, s->sad_out);
		for (int k = 0; k < n; k++)
			s->S[idx[k]] = (double)s->sad_out[k];
	} else {
		for (int k = 0; k < n; k++)
			s->S[idx[k]] = sad_win(s, f, fx, fy, s->ref[idx[k]], rx, ry, nw, nh);
	}
}

/*
 * The full search with early exits, exact: only the valley's bottom and its neighbours are read
 * from S (ogate_subframe_phase's pick b and S[b - 1], S[b + 1]; the least SAD for the drift),
 * so a SAD may stop, band by band of rows, once its partial sum exceeds the least whole SAD found
 * so far (its frames taken outwards from where the frame is expected, its bands where the heart
 * moves most first: integer sums, the same in any order), or once a lower bound of it does: on
 * 8-bit frames from 256^2 the reference's frames binned 4 x 4 (reference_frames.c), whose SAD
 * against the live window's sums is read first, then added for the bands not read yet (at 512^2
 * over 133 frames 26 000 -> ~16 000 rows' bytes a search). Such a partial sum or bound p is below
 * the frame's SAD but above the least, so no least SAD is ever cut short and every frame cut short
 * lies above it. Left in S, the partial sums could still mislead the pick (its interior minimum
 * and its walk into the padding); so every partial sum not above the interior minimum found, and
 * every one on the walk or beside its end, is made whole, until none is: what the pick and the
 * fits read is then exactly what the whole search gives. sad_out[j] marks a partial sum
 * (scratch: the U8 path of ref_sads does not run alongside).
 */
#define SEARCH_BAND 8	/* rows a band at least: 4 kB at 512^2 */
#define SEARCH_MAXB 256 /* bands at most (on the stack): taller ones beyond 2048 rows */

struct band {
	double act; /* how much the heart changes the band over half a beat */
	int y, n;   /* its first row in the window, its rows */
	int b0, b1; /* the reference's rows of binned blocks inside it (reference_frames.c) */
};

/* the most changing bands first (the sum is the same in any order) */
static int band_cmp(const void *pa, const void *pb)
{
	const struct band *a = pa, *b = pb;
	if (a->act != b->act)
		return a->act < b->act ? 1 : -1;
	return (a->y > b->y) - (a->y < b->y);
}

/*
 * Frame j's SAD, band by band in bo's order, cut short (*whole = 0) once a lower bound of it
 * passes `bound`: the exact bands' partial sum, and where frame j is binned (live: the live
 * frame's window is, sync_bin_live) first the bands' binned bounds alone, then the exact bands
 * read plus the binned bounds of those not read yet. Every value returned cut short is at most
 * the frame's SAD (and above `bound`).
 */
static double sad_bounded(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int j,
			  int rx, int ry, int nw, const struct band *bo, int nb, int live,
			  double bound, int *whole)
{
	double v = 0, rest = 0, bb[SEARCH_MAXB];
	const uint16_t *rb = live ? sync_bin_frame(s, j) : NULL;
	for (int k = 0; rb && k < nb; k++) {
		bb[k] = sync_bin_band(s, rb, bo[k].b0, bo[k].b1);
		rest += bb[k];
		if (rest > bound) {
			*whole = 0;
			return rest;
		}
	}
	for (int k = 0; k < nb; k++) {
		int y = bo[k].y, bh = bo[k].n;
		v += sad_win(s, f, fx, fy + y, s->ref[j], rx, ry + y, nw, bh);
		s->search_rows += (uint64_t)bh;
		if (rb)
			rest -= bb[k];
		if (v + rest > bound && k + 1 < nb) {
			*whole = 0;
			return v + rest;
		}
	}
	*whole = 1;
	return v;
}

void sync_search_bounded(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx,
			 int ry, int nw, int nh, double P)
{
	int L = s->L, c = 0;
	double least = HUGE_VAL;
	for (int j = 0; j < L; j++) {
		s->sad_out[j] = s->S[j] == HUGE_VAL; /* 1: still to compute */
		if (s->S[j] < least)
			least = s->S[j];
	}
	double e = s->expect_u + OGATE_NE;
	if (s->have_expect && isfinite(e)) {
		c = e < 0 ? 0 : e > L - 1 ? L - 1 : (int)lround(e);
	}
	/* the bands in order of how much two reference frames half a beat apart differ in them
	 * (one SAD): where the heart moves, a far frame's partial sum soon passes the least. Rows a
	 * multiple of SYNC_BIN from a reference row a multiple of it after the first (the binned
	 * bound's blocks inside them) */
	int o = ry % SYNC_BIN, bandh = (nh + o + SEARCH_MAXB - 1) / SEARCH_MAXB;
	bandh = bandh < SEARCH_BAND ? SEARCH_BAND : (bandh + SYNC_BIN - 1) / SYNC_BIN * SYNC_BIN;
	int nb = (nh + o + bandh - 1) / bandh, h2 = (int)lround(P / 2) + OGATE_NE;
	struct band bo[SEARCH_MAXB];
	for (int k = 0; k < nb; k++) {
		int y = k ? k * bandh - o : 0, y1 = (k + 1) * bandh - o;
		y1 = y1 < nh ? y1 : nh;
		bo[k].y = y;
		bo[k].n = y1 - y;
		bo[k].b0 = (ry + y + SYNC_BIN - 1) / SYNC_BIN;
		bo[k].b1 = (ry + y1) / SYNC_BIN;
		s->search_rows += (uint64_t)(h2 < L ? y1 - y : 0);
		bo[k].act = h2 < L ? sad_win(s, s->ref[OGATE_NE], rx, ry + y, s->ref[h2], rx,
					     ry + y, nw, y1 - y)
				   : 0;
	}
	qsort(bo, (size_t)nb, sizeof(*bo), band_cmp);
	int live = sync_bin_live(s, f, fx, fy, rx, ry, nw, nh);
	for (int k = 0; k < 2 * L; k++) {
		int j = c + (k & 1 ? -(k + 1) / 2 : k / 2), whole;
		if (j < 0 || j >= L || !s->sad_out[j])
			continue;
		s->S[j] = sad_bounded(s, f, fx, fy, j, rx, ry, nw, bo, nb, live, least, &whole);
		s->sad_out[j] = whole ? 0 : 2; /* 2: a partial sum */
		if (whole && s->S[j] < least)
			least = s->S[j];
	}
	for (int redo = 1; redo;) {
		size_t b;
		int b0 = OGATE_NE;
		for (int j = OGATE_NE + 1; j + OGATE_NE < L; j++)
			if (s->S[j] < s->S[b0])
				b0 = j;
		ogate_subframe_phase(s->S, (size_t)L, P, &b);
		int lo = (int)b < b0 ? (int)b : b0, hi = (int)b > b0 ? (int)b : b0;
		double m0 = s->S[b0];
		redo = 0;
		for (int j = 0; j < L; j++)
			if (s->sad_out[j] == 2 &&
			    ((j >= lo - 1 && j <= hi + 1) || s->S[j] <= m0 || j == b0)) {
				s->S[j] = sad_win(s, f, fx, fy, s->ref[j], rx, ry, nw, nh);
				s->search_rows += (uint64_t)nh;
				s->sad_out[j] = 0;
				redo = 1;
			}
	}
}

/* The window a match at integer drift (dx, dy) compares: the frame's at (w[0], w[1]) against the
 * reference's at (w[2], w[3]), w[4] x w[5]: the part of the reference's region (sync_roi.c) the
 * drift-shifted frame still covers, in reference coordinates (else, a drift beyond the region,
 * the whole overlap) */
static void match_window(const struct ogate_sync *s, int dx, int dy, int w[6])
{
	int fy = dx <= 0 ? -dx : 0, ry = dx <= 0 ? 0 : dx, nh = s->h - abs(dx);
	int fx = dy <= 0 ? -dy : 0, rx = dy <= 0 ? 0 : dy, nw = s->w - abs(dy);
	int x0 = rx > s->roi[0] ? rx : s->roi[0], x1 = rx + nw < s->roi[2] ? rx + nw : s->roi[2];
	int y0 = ry > s->roi[1] ? ry : s->roi[1], y1 = ry + nh < s->roi[3] ? ry + nh : s->roi[3];
	if (x1 - x0 >= 4 && y1 - y0 >= 4) {
		fx += x0 - rx;
		rx = x0;
		nw = x1 - x0;
		fy += y0 - ry;
		ry = y0;
		nh = y1 - y0;
	}
	w[0] = fx;
	w[1] = fy;
	w[2] = rx;
	w[3] = ry;
	w[4] = nw;
	w[5] = nh;
}

/*
 * The held frames' catch-up (sync.c's held_step) matches sync_held_per_frame of them a frame, and
 * every 8th match is a full search (sync_match): over the slow heart's 133 frames at 512^2 a
 * frame with one cost 1.0-1.5 ms of least CPU, ~2 ms loaded, against ~0.25 for two windowed
 * steps (docs/accuracy-log.md, "The catch-up's full search begun ahead"). At the end of a frame
 * that holds more frames, where one of the next frame's first two steps will be a full search
 * (also the first held frame's, alone on the frame after the one that ends the work that held
 * them: the smoothing job's last share, about 0.25 ms at 512^2),
 * its SADs against the 2 L / 5 reference frames nearest where that frame is expected (those the
 * bounded search computes first, most of them whole) are computed now, whole, with what they
 * depend on (at 512^2 over 133 frames 0.5-0.7 ms moved, the two frames within ~0.2 ms of each
 * other; L / 2 left the frame before the heavier, L / 4 the search's): the held frame (its copy, sequence and timestamp), the reference (its id, length and
 * frames), the window at the current drift, and the match that takes them. That match takes
 * them only where all of these are its own and it searches in full, unshifted (no sub-pixel
 * resampling, no scan-registered reference): a whole SAD is an integer sum, the same computed
 * in any order, and the bounded search starts from them as from the windowed pass's (only its
 * partial sums, which nothing reads, may differ). Else they are dropped: the work is lost, the
 * result unchanged.
 */
void sync_search_ahead(struct ogate_sync *s)
{
	struct sync_ahead *a = &s->ahead;
	a->n = 0;
	if (s->ahead_off || !s->have_ref || s->smooth_job || s->shift.q || s->rmove.q ||
	    s->refreshing || s->lq_head >= s->lq_n || s->whole_search || s->L < 4)
		return;
	/* the reference's first match (frames_since_ref 0: the first held frame, alone on its
	 * frame once the work that held it is done) too, unless its drift search moves it first */
	if (s->frames_since_ref == 0 &&
	    (s->lq_head > 0 || (s->set.track_drift && s->set.bootstrap_drift_range > 0)))
		return;
	const struct seq *rq = sync_current_seq(s);
	if (s->set.track_drift && s->set.subpixel_drift &&
	    (sync_seq_even(rq) || fabs(s->fdx) + fabs(s->fdy) > 0.02))
		return; /* the frame matched resampled */
	int most = sync_held_per_frame(s, s->L, s->hold_job), k = -1, K = s->set.search_window;
	for (int i = 0; i < 2 && i < most && s->lq_head + i < s->lq_n && k < 0; i++)
		if (K <= 0 || ((s->frames_since_ref + i) & 7) == 0 || (i == 0 && !s->have_expect))
			k = i;
	if (k < 0)
		return;
	/* from where the search starts (sync_search_bounded): the frame expected, else frame 0 */
	double e = s->expect_u + OGATE_NE + k;
	int L = s->L, c = 0;
	if (s->have_expect && isfinite(e))
		c = e < 0 ? 0 : e > L - 1 ? L - 1 : (int)lround(e);
	int n = 2 * L / 5 < SYNC_AHEAD_MAX ? 2 * L / 5 : SYNC_AHEAD_MAX;
	const struct ogate_frame *g = s->lq[s->lq_head + k];
	match_window(s, s->dx, s->dy, a->win);
	for (int i = 0; i < 2 * L && a->n < n; i++) {
		int j = c + (i & 1 ? -(i + 1) / 2 : i / 2);
		if (j >= 0 && j < L) {
			a->j[a->n] = j;
			a->ref[a->n++] = s->ref[j];
		}
	}
	int fx = a->win[0], fy = a->win[1], rx = a->win[2], ry = a->win[3], nw = a->win[4],
	    nh = a->win[5];
	if (s->fmt == OGATE_PIX_U8) {
		for (int i = 0; i < a->n; i++)
			s->rp[i] = (const uint8_t *)ogate_frame_row(a->ref[i], ry) + rx;
		ogate_sad_u8_multi(s->sad, (const uint8_t *)ogate_frame_row(g, fy) + fx, g->stride,
				   s->rp, (size_t)a->n, s->ref[0]->stride, nw, nh, s->sad_out);
		for (int i = 0; i < a->n; i++)
			a->v[i] = (double)s->sad_out[i];
	} else {
		for (int i = 0; i < a->n; i++)
			a->v[i] = sad_win(s, g, fx, fy, a->ref[i], rx, ry, nw, nh);
	}
	a->f = g;
	a->seq = g->meta.sequence;
	a->ts = g->meta.timestamp_ns;
	a->at = s->matches + (uint64_t)k;
	a->id = s->info.id;
	a->L = L;
}

/* match m's full search of f (unshifted, window w) starts from the SADs computed ahead for it,
 * where they are its own (sync_search_ahead); those for this match or an earlier one dropped */
static void ahead_take(struct ogate_sync *s, const struct ogate_frame *f, const int w[6], uint64_t m)
{
	struct sync_ahead *a = &s->ahead;
	if (a->n == 0 || a->at > m)
		return;
	int ok = a->at == m && a->f == f && a->seq == f->meta.sequence &&
		 a->ts == f->meta.timestamp_ns && a->id == s->info.id && a->L == s->L &&
		 !memcmp(a->win, w, sizeof(a->win));
	for (int i = 0; ok && i < a->n; i++)
		ok = s->ref[a->j[i]] == a->ref[i];
	for (int i = 0; ok && i < a->n; i++)
		s->S[a->j[i]] = a->v[i];
	s->ahead_used += ok ? (uint64_t)a->n : 0;
	a->n = 0;
}

/*
 * The live frame's sub-frame fit through squared differences (sync.subframe = quartic, opt-in;
 * docs/accuracy-log.md, "The live frames' sub-frame fit"):
 * the offset x from reference frame b of the minimum of the quartic through the frame's SSDs
 * against frames b - 2 .. b + 2, exact for any noise along a path curved to second order (as the
 * lags at lock, subframe.h). NAN, and the V fit is used, where the beat has fewer than
 * sync.quartic_min_fpb frames (20: +-2 frames span a fifth of the beat; at 7-13 frames a beat
 * the matrix's triggers moved by up to a millisecond, at 16-17 the cartoon rows' means by
 * 0.2-0.4 ms; docs/accuracy-log.md, "A frames-a-beat gate for the quartic"), where
 * sync.quartic_shifted asks for a live frame resampled for a sub-pixel drift and it was not (the
 * real model's unshifted frames: the V fit's triggers better there), b lies within 2 of either
 * end, or the mean
 * one-frame excess, (SSD(b - 1) + SSD(b + 1)) / 2 - SSD(b), is within sync.quartic_z times
 * the noise of such a difference, sqrt(2 / n) of SSD(b) over its n pixels (where the heart moves
 * less than that between frames the five-point fit carries the noise of each reference frame
 * into x: slow and noisy hearts lost by it).
 */
static double live_quartic(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy,
			   int rx, int ry, int nw, int nh, int b, double P)
{
	double z = s->set.quartic_z, T[5];
	if (s->subframe != SUBFRAME_QUARTIC || P < s->set.quartic_min_fpb || b < 2 ||
	    b + 2 >= s->L || (s->set.quartic_shifted && f != s->shifted))
		return NAN;
	for (int k = 1; k <= 3; k++)
		T[k] = ssd_win(s, f, fx, fy, s->ref[b - 2 + k], rx, ry, nw, nh);
	if (!(0.5 * (T[1] + T[3]) - T[2] > z * sqrt(2.0 / ((double)nw * nh)) * T[2]))
		return NAN;
	T[0] = ssd_win(s, f, fx, fy, s->ref[b - 2], rx, ry, nw, nh);
	T[4] = ssd_win(s, f, fx, fy, s->ref[b + 2], rx, ry, nw, nh);
	return ogate_quartic_offset(T);
}

/*
 * The live frame's sub-frame fit over a span (sync.subframe_span_z, opt-in; docs/accuracy-log.md,
 * "The matching error of slow hearts filmed fast"): where a slow heart changes less in a frame
 * than a SAD's noise (on the unseen sweep's rows at 150-400 frames a beat the V fit through
 * b - 1, b, b + 1 erred by 0.5-2.8 frames RMS, and by 0.03 on their noise-free twins), the
 * least-squares parabola through the frame's SADs against b - k .. b + k (ogate_span_offset), k
 * the first span whose mean excess over b, (S[b - k] + S[b + k]) / 2 - S[b], stands
 * sync.subframe_span_z noise sds clear. A SAD's noise sd over n pixels is sqrt(pi / 2 - 1)
 * S[b] / sqrt(n) (|d| of a normal difference d: sd / mean = sqrt(pi / 2 - 1)), as the quartic's
 * gate reads the SSD's. k at most P / 16 (the span an eighth of the beat) and 12, within the
 * reference. NAN (the V fit) where the key is 0, where one frame's excess already stands clear
 * (k = 1: fast hearts as before), where the parabola does not curve upwards, or, under
 * sync.subframe_span_shifted = 0, on a live frame resampled for a sub-pixel drift (f ==
 * s->shifted: the resampled frame against the reference tilts a flat valley and the wide
 * parabola, unlike the V fit, follows the tilt; on unseen-105's slow hearts under 0.3-2.2 px of
 * drift the frames at the target moved by up to a frame over the run, but on noisier ones the
 * span's gain is larger: docs/accuracy-log.md, "Slow hearts filmed fast: the span fit under a
 * drift").
 * sync.subframe_span_ref = 1: less the vertex the same fit reads on the reference's own SSDs
 * from b to b - k .. b + k (ogate_span_bias; their minimum is at b, so the vertex is the pull of
 * the valley's uneven sides, where the heart speeds up across the span), 2k SSDs a frame the
 * span places; not on a resampled live frame, whose valley is not the reference's own (on
 * manyfpb.txt's drifting rows the correction cost their means). The SADs the span
 * reads are made whole: the windowed search has not computed those beyond its window, and the
 * bounded search (partial = 1: s->sad_out[j] non-zero marks a partial sum) may have left some.
 */
#define SPAN_KMAX 12

static void span_whole(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx,
		       int ry, int nw, int nh, int j, int partial)
{
	if (s->S[j] != HUGE_VAL && !(partial && s->sad_out[j]))
		return;
	s->S[j] = sad_win(s, f, fx, fy, s->ref[j], rx, ry, nw, nh);
	s->search_rows += (uint64_t)nh;
	if (partial)
		s->sad_out[j] = 0;
}

/* sync.beat_delta_wrap: live frame b's pair from the reference's other copy of its wrap
 * (sync_calib_wrap_pair), that copy's SADs made whole whichever search ran (the windowed one has
 * not read it beyond its window, the bounded one may have left partial sums there), so the pairs
 * are the same under any sync.search_window */
static void wrap_pair(struct ogate_sync *s, const struct ogate_frame *f, const int *win, int b,
		      int partial)
{
	int c0 = sync_calib_wrap_other(s, b);
	if (c0 < 0)
		return;
	for (int j = c0 - WRAP_HALF; j <= c0 + WRAP_HALF; j++)
		if (j >= 0 && j < s->L)
			span_whole(s, f, win[0], win[1], win[2], win[3], win[4], win[5], j, partial);
	sync_calib_wrap_pair(s, b, c0, (double)win[4] * win[5]);
}

static double live_span(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx,
			int ry, int nw, int nh, int b, double P, int partial)
{
	double z = s->set.subframe_span_z;
	if (!(z > 0) || (f == s->shifted && !s->set.subframe_span_shifted))
		return NAN;
	int kmax = b < s->L - 1 - b ? b : s->L - 1 - b;
	kmax = kmax < (int)(P / 16) ? kmax : (int)(P / 16);
	kmax = kmax < SPAN_KMAX ? kmax : SPAN_KMAX;
	if (kmax < 2)
		return NAN;
	double thr = z * sqrt(M_PI / 2 - 1) * s->S[b] / sqrt((double)nw * nh);
	int k = 1;
	for (;; k++) {
		span_whole(s, f, fx, fy, rx, ry, nw, nh, b - k, partial);
		span_whole(s, f, fx, fy, rx, ry, nw, nh, b + k, partial);
		if (k == kmax || 0.5 * (s->S[b - k] + s->S[b + k]) - s->S[b] >= thr)
			break;
	}
	if (k < 2)
		return NAN;
	double x = ogate_span_offset(s->S + b, k);
	if (isnan(x) || !s->set.subframe_span_ref || f == s->shifted)
		return x;
	double t[2 * SPAN_KMAX + 1], *tb = t + SPAN_KMAX;
	for (int i = -k; i <= k; i++)
		tb[i] = i ? ssd_win(s, s->ref[b], rx, ry, s->ref[b + i], rx, ry, nw, nh) : 0;
	s->search_rows += (uint64_t)2 * k * nh;
	double xb = ogate_span_bias(tb, k), h = 0.5 * k;
	if (isnan(xb))
		return x;
	x -= xb;
	return x < -h ? -h : x > h ? h : x;
}

/* reference frames binned after a windowed match (reference_frames.c): 22-33 us each at 512^2 */
#define BIN_PER_MATCH 2

void sync_match(struct ogate_sync *s, const struct ogate_frame *f0, struct ogate_sync_result *r)
{
	uint64_t m = s->matches++;
	sync_drift_to_expected(s); /* a reference taken under drift (sync_driftreg.c) */
	int dx = s->dx, dy = s->dy;
	const struct ogate_frame *f = f0;
	const struct seq *rq = sync_current_seq(s);
	int even = sync_seq_even(rq) && s->set.track_drift && s->set.subpixel_drift && s->shifted;
	if (even) {
		/* a reference moved to one position, or blurred at no shift under sync.match_blur
		 * (sync_refmove.c): its frames were blurred alike, the live frame is too, whatever
		 * its fraction (below: the rows the match reads only, a quarter to a half of the
		 * frame's cost at 512^2) */
		f = s->shifted;
		r->sub_dx = s->fdx;
		r->sub_dy = s->fdy;
	} else if (s->set.track_drift && s->set.subpixel_drift && fabs(s->fdx) + fabs(s->fdy) > 0.02) {
		if (!s->shifted)
			ogate_frame_new(&s->shifted, s->fmt, s->w, s->h); /* NULL: no sub-pixel shift */
		if (s->shifted) {
			ogate_resample_subpixel(s->shifted, f0, s->fdx, s->fdy);
			f = s->shifted;
			r->sub_dx = s->fdx;
			r->sub_dy = s->fdy;
		}
	}
	/* the phase is matched in the reference's region only (sync_roi.c) */
	int win[6];
	match_window(s, dx, dy, win);
	int fx = win[0], fy = win[1], rx = win[2], ry = win[3], nw = win[4], nh = win[5];
	if (even)
		sync_scan_shift_even(s, s->shifted, f0, s->fdx, s->fdy, fy, nh);
	double P = s->info.period_frames;
	int K = s->set.search_window, n = 0;
	/* windowed search around the position expected from the previous frame; a full search
	 * after a gap, on every 8th frame and whenever the window cannot vouch for its minimum */
	int windowed = K > 0 && s->have_expect && (s->frames_since_ref & 7) != 0;
	for (int j = 0; j < s->L; j++) {
		double d = fabs(fmod((j - OGATE_NE) - s->expect_u, P));
		d = fmin(d, P - d);
		if (!windowed || d <= K)
			s->sel[n++] = j;
		s->S[j] = HUGE_VAL;
	}
	if (!windowed && !s->whole_search && f == f0)
		ahead_take(s, f, win, m); /* begun on the frame before (sync_search_ahead) */
	else if (s->ahead.n && s->ahead.at <= m)
		s->ahead.n = 0;
	size_t b;
	int best;
	for (;;) {
		if (windowed || s->whole_search) {
			ref_sads(s, f, fx, fy, rx, ry, nw, nh, s->sel, n);
			s->search_rows += windowed ? 0 : (uint64_t)n * nh;
		} else {
			sync_search_bounded(s, f, fx, fy, rx, ry, nw, nh, P);
		}
		best = 0; /* over every frame computed so far (both passes) */
		for (int j = 1; j < s->L; j++)
			if (s->S[j] < s->S[best])
				best = j;
		r->phase = ogate_subframe_phase(s->S, (size_t)s->L, P, &b);
		int ok = s->S[b] != HUGE_VAL && (b == 0 || s->S[b - 1] != HUGE_VAL) &&
			 ((int)b == s->L - 1 || s->S[b + 1] != HUGE_VAL) && (int)b == best;
		if (!windowed || ok)
			break;
		windowed = 0; /* fall back to the full search */
		n = 0;
		for (int j = 0; j < s->L; j++)
			if (s->S[j] == HUGE_VAL)
				s->sel[n++] = j;
	}
	s->full_searches += !windowed;
	if (windowed && s->lq_head >= s->lq_n)	 /* not on a catch-up's frames: the heaviest */
		sync_bin_step(s, BIN_PER_MATCH); /* the full search's bound, a few frames a match */
	if (b >= 1 && (int)b + 1 < s->L && s->ssd) {
		/* sync.metric = ssd: the SAD finds the valley (at a third of the SSD's cost), the
		 * SSD's own minimum c is found from there (a few steps at most) and placed by its
		 * SSDs against c - 1, c, c + 1 */
		int c = (int)b, o = c - 4;
		double T[9];
		for (int k = 0; k < 9; k++)
			T[k] = k >= 3 && k <= 5 ? ssd_win(s, f, fx, fy, s->ref[o + k], rx, ry, nw, nh)
						: NAN;
		for (int step = 0; step < 3; step++) {
			if (c - 1 >= 1 && T[c - 1 - o] < T[c - o])
				c--;
			else if (c + 2 < s->L && T[c + 1 - o] < T[c - o])
				c++;
			else
				break;
			for (int j = c - 1; j <= c + 1; j += 2)
				if (isnan(T[j - o]))
					T[j - o] = ssd_win(s, f, fx, fy, s->ref[j], rx, ry, nw, nh);
		}
		const double *t3 = T + (c - 1 - o);
		double u = NAN;
		const struct seq *q = sync_current_seq(s);
		if (q && c >= 2 && c + 2 < s->L) {
			/* the reference's own SSD curve around c, over its whole region (the offset
			 * depends on its shape, not on its scale: the drift crop does not matter), at
			 * the reference frames' positions */
			const double *s2 = q->sst + s->ref_cap, *ps = s->pos + c;
			double e[4] = { s2[c - 2], q->sst[c - 1], q->sst[c], s2[c] };
			double p[4] = { ps[-2] - ps[0], ps[-1] - ps[0], ps[1] - ps[0], ps[2] - ps[0] };
			u = s->pos[c] + ogate_ssd_offset(t3, e, p, q->ssd_sd);
		}
		if (isnan(u))
			u = ogate_ref_position(s->pos, (size_t)s->L,
					       (double)c + ogate_parabola_offset(t3[0], t3[1], t3[2]));
		r->phase = ogate_wrap_2pi(2 * M_PI * u / P);
	} else if (b >= 1 && (int)b + 1 < s->L) {
		double x = NAN;
		if (s->subframe == SUBFRAME_CURVE && sync_curve_in_band(s, P) && b >= 2 &&
		    (int)b + 2 < s->L) {
			/* the reference's own SAD curve around b (over the region; the SADs cover the
			 * drift-cropped window) */
			double a = (double)nw * nh /
				   ((double)(s->roi[2] - s->roi[0]) * (s->roi[3] - s->roi[1]));
			const double *s2 = s->step + s->ref_cap;
			double e[4] = { a * s2[b - 2], a * s->step[b - 1], a * s->step[b], a * s2[b] };
			x = ogate_curve_offset(s->S + b - 1, e);
		}
		if (s->subframe == SUBFRAME_HYPER && b >= 2 && (int)b + 2 < s->L &&
		    s->S[b - 2] != HUGE_VAL && s->S[b + 2] != HUGE_VAL)
			x = ogate_hyper_offset(s->S + b - 2, OGATE_HYPER_WMAX, NULL);
		if (isnan(x) && s->subframe == SUBFRAME_STEPS) {
			/* steps were measured over the region; the SADs cover the drift-cropped part */
			double a = (double)nw * nh /
				   ((double)(s->roi[2] - s->roi[0]) * (s->roi[3] - s->roi[1]));
			x = ogate_step_offset(s->S[b - 1], s->S[b], s->S[b + 1], a * s->step[b - 1],
					      a * s->step[b]);
		} else if (isnan(x)) { /* the V fit, also where the curve cannot be used */
			x = live_quartic(s, f, fx, fy, rx, ry, nw, nh, (int)b, P);
			if (isnan(x) && s->subframe == SUBFRAME_VFIT)
				x = live_span(s, f, fx, fy, rx, ry, nw, nh, (int)b, P,
					      !windowed && !s->whole_search);
			if (isnan(x))
				x = ogate_vfit(s->S[b - 1], s->S[b], s->S[b + 1]).x;
		}
		r->phase = ogate_wrap_2pi(
			2 * M_PI * ogate_ref_position(s->pos, (size_t)s->L, (double)b + x) / P);
		wrap_pair(s, f, win, (int)b, !windowed && !s->whole_search);
	}
	r->sad_argmin = best;
	r->dx = dx;
	r->dy = dy;
	if (!s->set.track_drift)
		return;
	f = f0;
	/* drift: +-1 px per frame against the best-matching reference frame, ties keep the drift */
	const struct ogate_frame *M = s->ref[best];
	static const int order[3] = { 0, -1, 1 };
	int cand[9][2];
	for (int a = 0; a < 3; a++)
		for (int c = 0; c < 3; c++) {
			cand[a * 3 + c][0] = dx + order[a];
			cand[a * 3 + c][1] = dy + order[c];
		}
	double v[9];
	if (drift_scores(s, M, f, cand, 9, v))
		return;
	int bk = 0; /* first minimum in candidate order: ties keep the current drift */
	for (int k = 1; k < 9; k++)
		if (v[k] < v[bk])
			bk = k;
	int bdx = dx + order[bk / 3], bdy = dy + order[bk % 3];
	double ox, oy; /* rows, cols: the measurement against frame best, moved to where the
			* tracked drift refers (a reference taken under drift, sync_driftreg.c) */
	sync_drift_from(s, best, &ox, &oy);
	if (s->set.subpixel_drift) {
		if (bk == 0) { /* V fit across the candidates: the sub-pixel part of the drift */
			double mr = fmax(-0.5, fmin(0.5, ogate_vfit(v[3], v[0], v[6]).x)) + ox,
			       mc = fmax(-0.5, fmin(0.5, ogate_vfit(v[1], v[0], v[2]).x)) + oy;
			/* alpha-beta tracking: a steady drift is followed without lag (a plain running
			 * mean trails it by velocity / gain: 0.2 px at 1 px/s and 200 fps, which biased
			 * the matched phase by a millisecond) */
			double g = s->set.subpixel_gain, h = g * g / (2 - g);
			double ex = mr - (s->fdx + s->fvx);
			double ey = mc - (s->fdy + s->fvy);
			s->fdx += s->fvx + g * ex;
			s->fdy += s->fvy + g * ey;
			/* within 0.05 px per frame of the velocity it starts at: the drift measured
			 * at lock (sync_reference.c; 0 if none): a drift faster than that was held
			 * at 0.05 and trailed further every frame (lock lost at 0.05 px per frame,
			 * docs/accuracy-log.md "drifts over a pixel a beat") */
			double cx = s->fv0[0], cy = s->fv0[1];
			s->fvx = fmax(cx - 0.05, fmin(cx + 0.05, s->fvx + h * ex));
			s->fvy = fmax(cy - 0.05, fmin(cy + 0.05, s->fvy + h * ey));
		} else { /* the integer part moved: keep the total drift continuous */
			/* and, under a drift the scan registered, carried by the velocity over this
			 * frame as on every other: without that step the velocity grew by the share
			 * of such frames (|velocity| a frame: +11 % at 0.075 px a frame) and the
			 * drift ran ahead between them (up to 0.35 px, g_blob256_4pb; at the matrix's
			 * drifts, 0.004 px a frame at most, the share is negligible and left) */
			double py = 0, px = 0;
			if (rq && (rq->reg_vel[0] != 0 || rq->reg_vel[1] != 0)) {
				py = s->fvx;
				px = s->fvy;
			}
			s->fdx = fmax(-1, fmin(1, s->fdx + py - (bdx - dx)));
			s->fdy = fmax(-1, fmin(1, s->fdy + px - (bdy - dy)));
		}
	}
	s->dx = bdx;
	s->dy = bdy;
}
