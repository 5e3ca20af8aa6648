// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Read-only view of the current reference's frames, for display (the web
 * page's thumbnails): ogate_sync_get_reference_frame (ogate/sync.h). Like
 * every ogate_sync call, on the thread that calls ogate_sync_process.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "sync_private.h"

int ogate_sync_get_reference_frame(const struct ogate_sync *s, int i, struct ogate_frame *dst,
				   double *phase)
{
	if (!s->have_ref)
		return -ENOENT;
	if (i < 0 || i >= s->L - 2 * OGATE_NE)
		return -ERANGE;
	/* the frames as recorded (moved to the reference's middle under a registered drift, or
	 * blurred at no shift under sync.match_blur: sync_refmove.c), also where reference.smooth
	 * matches against smoothed ones */
	const struct seq *q = &s->sq[s->g_cur % s->nseq];
	if (dst) {
		int ret = ogate_frame_copy(dst, q->f[i + OGATE_NE]);
		if (ret)
			return ret;
	}
	/* the phase ogate_sync_set_target_phase maps back to this frame: its position (capture
	 * time) in the period, as the target's phase is computed */
	if (phase)
		*phase = ogate_wrap_2pi(2 * M_PI * q->pos[i + OGATE_NE] / s->info.period_frames);
	return 0;
}

/*
 * The current reference's frames binned 4 x 4 (8-bit frames): each block of 16 pixels summed into
 * 16 bits, a sixteenth of the pixels at an eighth of the bytes of the frame. The full search
 * (sync_match.c, sync_search_bounded) bins the live frame's window alike: over the blocks inside
 * the window the SAD of the sums is at most the SAD of the pixels (|a1 + ... + a16 - b1 - ... -
 * b16| <= |a1 - b1| + ... + |a16 - b16|), a lower bound of the exact SAD, which cuts the
 * reference frames far from the match without reading them whole (2 x 2 blocks read no fewer
 * bytes: they keep more of the noise's SAD but cost four times as many; docs/accuracy-log.md, "The
 * locked full search's binned bound"). Built a few frames a match after the windowed ones
 * (sync_bin_step), kept while the reference's frames are the same: its id, its frames' array
 * (the recorded ones or reference.smooth's), length and the frame size; none read on the
 * reference's first match, and all made again after it (any move or smoothing of its frames is
 * done before it: the frames that arrive meanwhile are held). A frame not binned yet is searched
 * exactly as before. Memory: ref_cap frames of (w / 4) x (h / 4) 16-bit sums (an eighth of the
 * reference's recorded frames: 4.4 MB for 133 frames at 512^2) and one for the live frame,
 * allocated as the frames are first binned, freed with the sync; none below 256^2, where the
 * reference is small enough to search from the cache.
 */
#define BIN_MIN_PX (256L * 256) /* frame pixels from which the reference is binned */

struct sync_bin {
	uint32_t id; /* what the bins were made from: the reference, its frames' array, length */
	struct ogate_frame *const *ref;
	int L, smoothed, w, h, bw, bh, next;
	int x0, x1;			/* the live window's columns of blocks (sync_bin_live) */
	size_t stride;			/* bytes a row of sums */
	uint16_t **f;			/* ref_cap: the sums, allocated as first binned */
	const struct ogate_frame **src; /* the frame each holds, NULL: none */
	uint16_t *live;			/* the live frame's window (sync_bin_live) */
};

void sync_bin_free(struct ogate_sync *s)
{
	struct sync_bin *b = s->bin;
	if (!b)
		return;
	for (int j = 0; j < s->ref_cap; j++)
		free(b->f[j]);
	free(b->f);
	free(b->src);
	free(b->live);
	free(b);
	s->bin = NULL;
}

/* whether b's bins were made from the current reference's frames as they are: none are read on
 * its first match (its frames moved or smoothed before it) */
static int bin_same(const struct ogate_sync *s, const struct sync_bin *b)
{
	return b->id == s->info.id && b->ref == s->ref && b->L == s->L &&
	       b->smoothed == s->info.smoothed && s->frames_since_ref > 0;
}

/* the bins, NULL where none are made (off, 16-bit or small frames, no reference); dropped when
 * what they were made from changed or on the reference's first match */
static struct sync_bin *bin_current(struct ogate_sync *s)
{
	if (s->bin_off > 0 || s->fmt != OGATE_PIX_U8 || !s->have_ref || s->w < 2 || s->h < 2 ||
	    (s->bin_off == 0 && (long)s->w * s->h < BIN_MIN_PX))
		return NULL;
	struct sync_bin *b = s->bin;
	if (b && (b->w != s->w || b->h != s->h))
		sync_bin_free(s);
	if (!s->bin) {
		b = calloc(1, sizeof(*b));
		if (b) {
			b->f = calloc((size_t)s->ref_cap, sizeof(*b->f));
			b->src = calloc((size_t)s->ref_cap, sizeof(*b->src));
		}
		if (!b || !b->f || !b->src) {
			if (b) {
				free(b->f);
				free(b->src);
				free(b);
			}
			return NULL;
		}
		b->w = s->w;
		b->h = s->h;
		b->bw = s->w / SYNC_BIN;
		b->bh = s->h / SYNC_BIN;
		b->stride = (size_t)b->bw * sizeof(uint16_t);
		s->bin = b;
	}
	if (!bin_same(s, b)) {
		for (int j = 0; j < s->ref_cap; j++)
			b->src[j] = NULL;
		b->id = s->info.id;
		b->ref = s->ref;
		b->L = s->L;
		b->smoothed = s->info.smoothed;
		b->next = 0;
	}
	return b;
}

/* up to n of the reference's frames not binned yet binned (a windowed match's end) */
void sync_bin_step(struct ogate_sync *s, int n)
{
	struct sync_bin *b = bin_current(s);
	for (int i = 0; b && i < s->L && n > 0; i++) {
		int j = (b->next + i) % s->L;
		const struct ogate_frame *r = s->ref[j];
		if (b->src[j] == r)
			continue;
		if (!b->f[j] && !(b->f[j] = malloc(b->stride * (size_t)b->bh)))
			return;
		ogate_sad_bin4_u8(s->sad, r->pixels, r->stride, b->f[j], b->stride, b->bw, b->bh);
		b->src[j] = r;
		b->next = (j + 1) % s->L;
		n--;
	}
}

/* reference frame j's sums (stride as the live frame's), NULL if not binned */
const uint16_t *sync_bin_frame(const struct ogate_sync *s, int j)
{
	const struct sync_bin *b = s->bin;
	return b && bin_same(s, b) && b->src[j] == s->ref[j] ? b->f[j] : NULL;
}

/* the live frame f's window (at (fx, fy), the reference's at (rx, ry), nw x nh) binned over the
 * reference's blocks inside the window, at the same places; 0 where no reference frame is binned
 * (or none can be) */
int sync_bin_live(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx, int ry,
		  int nw, int nh)
{
	struct sync_bin *b = bin_current(s);
	int any = 0;
	for (int j = 0; b && j < s->L && !any; j++)
		any = sync_bin_frame(s, j) != NULL;
	if (!any || (!b->live && !(b->live = malloc(b->stride * (size_t)b->bh))))
		return 0;
	const int B = SYNC_BIN;
	int bx0 = (rx + B - 1) / B, bx1 = (rx + nw) / B, by0 = (ry + B - 1) / B, by1 = (ry + nh) / B;
	if (bx1 <= bx0 || by1 <= by0)
		return 0;
	const uint8_t *p = (const uint8_t *)ogate_frame_row(f, B * by0 - ry + fy) + B * bx0 - rx + fx;
	ogate_sad_bin4_u8(s->sad, p, f->stride, b->live + (size_t)by0 * b->bw + bx0, b->stride,
			  bx1 - bx0, by1 - by0);
	b->x0 = bx0;
	b->x1 = bx1;
	return 1;
}

/* the SAD of the live window's sums (sync_bin_live) against reference frame sums rb's (from
 * sync_bin_frame) over the rows of blocks b0 .. b1 - 1: a lower bound of the exact SAD of the
 * pixels they hold */
double sync_bin_band(struct ogate_sync *s, const uint16_t *rb, int b0, int b1)
{
	const struct sync_bin *b = s->bin;
	size_t o = (size_t)b0 * (size_t)b->bw + (size_t)b->x0;
	s->bin_rows += (uint64_t)(b1 > b0 ? b1 - b0 : 0);
	return (double)ogate_sad_u16(s->sad, b->live + o, b->stride, rb + o, b->stride,
				     b->x1 - b->x0, b1 - b0);
}
