// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The determination's stored SAD rows (split from sync_determine.c): each buffered frame's SAD
 * against the frames before it over every r-th row, computed on arrival from its rows packed,
 * and their readers at the lock (sync_frame_lag, sync_ref_stored_sad). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "frame_private.h"
#include "subframe.h"
#include "sync_private.h"

/* the determination's row step: large frames compare every r-th row (sync_determine; also the lags at lock through SSDs) */
int sync_determine_row_step(const struct ogate_sync *s)
{
	if (s->set.determine_row_step > 0)
		return s->set.determine_row_step;
	long r = (long)s->w * s->h / 65536;
	return r > 1 ? (int)r : 1;
}

/*
 * The SAD row reads every r-th row of each buffered frame, which in place lie scattered over the
 * whole frames: at 512^2 (r = 4) 512 bytes of every 2 KiB, a page of 4 KiB for every two rows
 * read, 64 KiB over 256 KiB a frame, 199 frames on the 1.6 s heart at 80 fps: 0.5-1.4 ms of
 * every determining frame on the loaded VM. Those rows are copied as each frame arrives into
 * one block per slot (drows; 64 KiB at 512^2, 10-35 us), where the row reads them in one
 * stream: 0.3-0.4 ms (the same pixels, so the same integer sums). The packed rows are 1/r of
 * the buffer's pixels more memory; they are allocated when a determination starts with an
 * empty buffer (every frame it holds then has them), and where that fails the frames are read
 * in place. 1 where they are used.
 */
int sync_sadrow_pack(struct ogate_sync *s, int slot, const struct ogate_frame *f, int r, int hr)
{
	if (r <= 1)
		return 0;
	size_t row = (size_t)s->w * ogate_pixfmt_bytes(s->fmt), blk = row * (size_t)hr;
	if (s->drows && s->drows_blk != blk) { /* another stream's geometry */
		free(s->drows);
		s->drows = NULL;
	}
	if (!s->drows && s->count == 0) {
		s->drows = malloc((size_t)s->cap * blk);
		s->drows_blk = blk;
	}
	if (!s->drows)
		return 0;
	unsigned char *o = s->drows + (size_t)slot * blk;
	for (int y = 0; y < hr; y++, o += row)
		memcpy(o, ogate_frame_row(f, y * r), row);
	return 1;
}

/* buffered frame i's rows for the SAD row: packed, or in place (every r-th row at stride) */
static const void *row_src(const struct ogate_sync *s, int i, int packed)
{
	return packed ? s->drows + (size_t)((s->head + i) % s->cap) * s->drows_blk
		      : sync_buf_at(s, i)->pixels;
}

/* The newest buffered frame's (index n, in `slot`) SAD row against the n frames before it, over
 * every r-th of hr rows (packed: sync_sadrow_pack's copies, else in place): s->diffs[i] against
 * frame i, its stored row (row[d - 1] against the frame d earlier), its depth and prevsad. */
void sync_sadrow_plain(struct ogate_sync *s, int slot, int n, int r, int hr, int packed)
{
	size_t st = packed ? s->w * ogate_pixfmt_bytes(s->fmt) : sync_buf_at(s, 0)->stride * r;
	const void *a = row_src(s, n, packed);
	if (s->fmt == OGATE_PIX_U8) {
		for (int i = 0; i < n; i++)
			s->rp[i] = row_src(s, i, packed);
		ogate_sad_u8_multi(s->sad, a, st, s->rp, (size_t)n, st, s->w, hr, s->sad_out);
		for (int i = 0; i < n; i++)
			s->diffs[i] = (double)s->sad_out[i];
	} else {
		for (int i = 0; i < n; i++)
			s->diffs[i] = (double)s->sad->u16(a, st, row_src(s, i, packed), st, s->w, hr);
	}
	s->prevsad[slot] = s->diffs[n - 1];
	double *row = s->rows + (size_t)slot * s->cap;
	for (int d = 1; d <= n; d++)
		row[d - 1] = s->diffs[n - d];
	s->depth[slot] = n;
}

/* buffered frame x's stored SAD against the frame d before it (the rows as sync_frame_lag
 * reads them), NAN where not stored */
static double stored(const struct ogate_sync *s, int x, int d, int on)
{
	if (x < 0 || x >= s->count || d < 1)
		return NAN;
	int slot = (s->head + x) % s->cap;
	if (d > (on ? s->rdepth[slot] : s->depth[slot]))
		return NAN;
	return (on ? s->rrows : s->rows)[(size_t)slot * s->cap + d - 1];
}

/* the buffer's own SAD curve around buffered frame x: e = its stored SADs against x - 2 and
 * x - 1, and of x + 1 and x + 2 against it (ogate_curve_offset's e); 0 where one is not stored */
static int stored_curve(const struct ogate_sync *s, int x, int on, double e[4])
{
	e[0] = stored(s, x, 2, on);
	e[1] = stored(s, x, 1, on);
	e[2] = stored(s, x + 1, 1, on);
	e[3] = stored(s, x + 2, 2, on);
	return !isnan(e[0]) && !isnan(e[1]) && !isnan(e[2]) && !isnan(e[3]);
}

/* reference.lag_curve: buffered frame i's match near frame m = i - b placed through the
 * buffer's own SAD curve around m (sync.subframe = curve's model, subframe.c), as a live frame
 * is against the reference's: S its SADs against m - 1, m, m + 1 (any common scale: the model
 * reads only the SADs' ratios). The offset from m in frames, NAN where the key does not ask for
 * it (at 1: the V fit's lag outside the curve's band, as the live frames' P) or the stored rows
 * do not hold m's neighbours. */
double sync_lag_curve(const struct ogate_sync *s, int i, int b, const double S[3], double lag)
{
	if (s->set.lag_curve == 0 || s->subframe != SUBFRAME_CURVE)
		return NAN;
	if (s->set.lag_curve == 1 && !sync_curve_in_band(s, lag))
		return NAN;
	double e[4];
	if (!stored_curve(s, i - b, sync_scan_on(s), e))
		return NAN;
	return ogate_curve_offset(S, e);
}

/*
 * reference.lag_sym: the same beat read the other way, frame m = i - b forward to its match a
 * beat later: c, the least of its SADs against frames i - 1, i, i + 1, and the offset from c
 * through the buffer's curve around c (c's SADs against c -+ 1, 2), so the lag c - m + that
 * offset; NAN where the stored rows do not reach (c + 2 not yet buffered) or c is not a valley
 * of m's SADs. The forward reading places frame i on m's curve, the image's change around m;
 * this one places m on the change around c, a fraction of a frame later in the heart's
 * cycle. Where the heart's speed or the texture changes between them each reading errs by the
 * difference, with opposite signs (fpbsw.txt's clean hearts at 10-25 frames a beat: the two
 * errors correlate at -0.44 ... -0.67 over 200 frames), so their mean halves a lag's error (sd
 * 0.11-0.17 -> 0.06-0.07 frame), and so the error P keeps from the few lags at lock.
 */
static double lag_reverse(const struct ogate_sync *s, int i, int b, int on)
{
	double y[5]; /* frame m = i - b against frames i - 2 .. i + 2 */
	for (int k = 0; k < 5; k++)
		y[k] = stored(s, i - 2 + k, b - 2 + k, on);
	int j = 2;
	if (!isnan(y[1]) && y[1] < y[2])
		j = 1;
	if (!isnan(y[3]) && y[3] < y[j])
		j = 3;
	const double *S = y + j - 1;
	int c = i - 2 + j; /* m's least SAD of the three: the curve around frame c */
	double e[4];
	if (isnan(S[0]) || isnan(S[1]) || isnan(S[2]) || S[1] > S[0] || S[1] > S[2] ||
	    !stored_curve(s, c, on, e))
		return NAN;
	return c - (i - b) + ogate_curve_offset(S, e);
}

/* buffered frame i's sub-frame lag to the frame a beat before it (near c frames), from the SAD
 * row it computed on arrival (with the drift registered where the scan registers it,
 * sync_scanreg.c): 2 and *lag where reference.lag_sym read it both ways (lag_reverse), 1 where
 * one way, 0 where the row holds no valley there */
int sync_frame_lag_ways(const struct ogate_sync *s, int i, int c, double *lag)
{
	int on = sync_scan_on(s), slot = (s->head + i) % s->cap;
	int depth = on ? s->rdepth[slot] : s->depth[slot];
	if (depth < c + 3)
		return 0;
	const double *row = (on ? s->rrows : s->rows) + (size_t)slot * s->cap - 1; /* row[d], d >= 1 */
	int b = c - 2;
	for (int d = c - 1; d <= c + 2; d++)
		if (row[d] < row[b])
			b = d;
	if (b == c - 2 || b == c + 2 || b < 2)
		return 0;
	*lag = b + ogate_vfit(row[b - 1], row[b], row[b + 1]).x;
	double S[3] = { row[b + 1], row[b], row[b - 1] }, x = sync_lag_curve(s, i, b, S, *lag);
	if (isnan(x))
		return 1;
	*lag = b - x;
	double rev = s->set.lag_sym ? lag_reverse(s, i, b, on) : NAN;
	if (isnan(rev))
		return 1;
	*lag = 0.5 * (*lag + rev);
	return 2;
}

/* ... 1 and *lag, or 0 where the row holds no valley there (also read by sync_tsclock.c) */
int sync_frame_lag(const struct ogate_sync *s, int i, int c, double *lag)
{
	return sync_frame_lag_ways(s, i, c, lag) > 0;
}

/*
 * While sync_establish_seq builds a reference, the SAD between its padded frames ja and jb as
 * the determination stored it: every buffered frame's row holds its SAD against each frame
 * before it, over every r-th row of the whole frame (r as sync_determine's), computed when it
 * arrived. The reference's change profile and steps compare the same frames over the same rows
 * (the whole frame, that row step): an exact integer sum, the same in either order, so the
 * stored value is the one they would compute (up to 4 L SADs of the establishing frame:
 * ~0.5 ms at 256^2 and 1.7 ms at 512^2). A negative index is a frame the buffer holds before
 * padded frame 0 (the change profile's pairs past the reference's ends, sync.c). 1 and *sad, or
 * 0 where the row does not reach or the frame is not held.
 */
int sync_ref_stored_sad(const struct ogate_sync *s, int ja, int jb, double *sad)
{
	if (!s->ref_rows || ja == jb)
		return 0;
	int lo = ja < jb ? ja : jb, d = ja < jb ? jb - ja : ja - jb;
	int first = sync_ref_first(s);
	if (first + lo < 0 || first + lo + d >= s->count) /* before the reference: still buffered */
		return 0;
	int slot = (s->ref_slot0 + lo + d) % s->cap;
	if (d > s->depth[slot])
		return 0;
	*sad = s->rows[(size_t)slot * s->cap + d - 1];
	return 1;
}
