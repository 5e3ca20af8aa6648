// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth: the current reference's still pixels replaced by their means over the beat (the noise, the change M, the repeat test, the smoothed copy; auto's first look: sync_smooth_first.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"
#include "sync_smooth_along.h"

/*
 * reference.smooth: each reference position is one camera frame with its own noise, frozen for
 * the reference's life. Where a pixel does not change with the heart, that noise differs from
 * reference frame to reference frame and so moves the SADs the V fit reads against each other
 * (the live frame's own noise there is common to all of them). A pixel whose mean squared
 * deviation from its mean over the reference beat is below sigma^2 (2 - 2/L) - 1/12 is replaced,
 * in every reference frame, by that mean (rounded): Stein's unbiased estimate of the replaced
 * pixel's mean squared error against the noise-free image, mean (mean - x)^2 - sigma^2 (1 - 2/L)
 * + 1/12 (the rounding), is then below sigma^2, the recorded pixel's. A replaced pixel adds the
 * same to every SAD of a frame, so it no longer moves the V fit, and every reference frame keeps
 * the same noise (a kernel along the sequence whose width changed with the position moved the
 * SADs' noise floor from position to position, and with it the matched phase; docs/accuracy-log.md,
 * "Smoothing the reference"). Pixels the heart changes by more than the noise are left as
 * recorded. sigma^2, the per-pixel noise variance: where the heart rests the second difference
 * x[j-1] - 2 x[j] + x[j+1] of a pixel is noise of variance 6 sigma^2, so sigma^2 = (median
 * |second difference| / 0.6745)^2 / 6 at the position where that median is smallest (a
 * histogram median of the integer differences, each integer k standing for [k - 1/2, k + 1/2),
 * or of bins 16, 256, ... wide where the median lies beyond 4095).
 * Nothing is tuned to a heart. The positions stay those of the recorded frames; the OGA
 * alignment and ogate_sync_get_reference_frame keep the frames as recorded.
 */
#define SMOOTH_SAMPLES (1 << 20) /* pixel samples (L x n) the noise estimate reads */
#define SMOOTH_REPEAT_Z 3	 /* reference.smooth = auto: repeats this significant are signal */
#define SMOOTH_CHANGE_M 5.3	 /* reference.smooth = auto: the SAD's local exponent is 1.5 here */
/* the job's pixels touched: a pixel the full look reads counts 4 on 16-bit frames (its sums, in
 * doubles, take 1.2 ns a pixel where the noise's and the copy's take 0.3-0.5 ns, vectorized on the
 * x86-64 VM) and 1 on 8-bit frames (in integers, sync_smooth_look.c: 0.4 ns), so that the budget
 * (SYNC_SMOOTH_BUDGET) is about the same time in every part */
#define SMOOTH_LOOK_WEIGHT 4L
#define SMOOTH_LOOK_WEIGHT_U8 1L

/* n pixels of row y of frame f from column x0 as ints */
static void row_ints_at(const struct ogate_frame *f, int y, int x0, int n, int32_t *out)
{
	if (f->fmt == OGATE_PIX_U8) {
		const uint8_t *p = (const uint8_t *)ogate_frame_row(f, y) + x0;
		for (int c = 0; c < n; c++)
			out[c] = p[c];
	} else {
		const uint16_t *p = (const uint16_t *)ogate_frame_row(f, y) + x0;
		for (int c = 0; c < n; c++)
			out[c] = p[c];
	}
}

/* Frame k of the previous beat's frames found in the determination buffer, or NULL: the buffer
 * holds the frames before the reference's (its ring is reset, not cleared, when a reference is
 * taken, and nothing is added to it until the next determination), found by their sequence
 * numbers, base + k. */
static const struct ogate_frame *prev_frame(const struct ogate_sync *s, const int *slot, int M, int k)
{
	return k >= 0 && k < M && slot[k] >= 0 ? s->buf[slot[k]] : NULL;
}

/*
 * The full look, one pass over the reference row by row (each row's L frames stay in the cache),
 * every sum kept per pixel along the beat so that the pixels are independent (no chain of
 * additions through one accumulator), then added up per row:
 * - per pixel the sum and the sum of squares over the beat (exact integers): which pixels the
 *   rule replaces (sync_smooth_pixel) and their rounded mean, kept in mean[] (-1: kept as
 *   recorded) for the smoothing;
 * - M's sums (sync_change_add): sum d^2 and sum d^4 over every one-frame change d, so that
 *   acc = { S2 - N s^2, S4 - 6 s^2 S2 + 3 N s^4 };
 * - with repeat (auto), sync_repeat_add's sums over the candidate pixels: the frames one period
 *   earlier lie at the same fraction w between two buffered frames a, c for every j (the
 *   sequence numbers are integers), so a change of p is (1 - w) A + w C, A and C the integer
 *   changes of a and c, and g = (1 - w) u + w v with u = R A, v = R C (R the reference's change):
 *   sum g, sum g^2 and sum g g' follow from the sums of u, v and their products.
 * The sums are those of the definitions, added in another order (ulp-level differences in
 * change_m and repeat_z only).
 */
struct full_look {
	double s2;	  /* the noise variance */
	int32_t *mean;	  /* W x H: the replacement, -1 where the pixel is kept */
	double cm_acc[2]; /* sync_change_add's sums */
	double rep[8];	  /* sum u, v, uu, uv, vv, u u', u v' + v u', v v' */
	int have_rep;	  /* a pair of the previous beat was found */
	double w;	  /* the interpolation weight */
};

/* the slots of the previous beat's frames (see repeat's comment), base and the count M */
static int prev_slots(const struct ogate_sync *s, const struct seq *q, int **slotp, int64_t *basep)
{
	int L = q->L, W = s->w, H = s->h;
	double P = q->info.period_frames;
	int M = L + 4;
	int64_t s0 = (int64_t)q->f[0]->meta.sequence, base = s0 - (int64_t)ceil(P) - 1;
	int *slot = malloc(sizeof(int) * (size_t)M);
	if (!slot)
		return -ENOMEM;
	for (int k = 0; k < M; k++)
		slot[k] = -1;
	/* and within the beat before the reference in time too (a restarted stream reuses numbers) */
	int64_t t0 = q->f[0]->meta.timestamp_ns,
		span = (int64_t)((double)(q->f[L - 1]->meta.timestamp_ns - t0) / (L - 1) * (P + 4));
	for (int k = 0; k < s->cap; k++) {
		const struct ogate_frame *f = s->buf[k];
		int64_t o = f ? (int64_t)f->meta.sequence - base : -1;
		if (f && o >= 0 && o < M && (int64_t)f->meta.sequence < s0 && f->width == W &&
		    f->height == H && f->fmt == s->fmt && f->meta.timestamp_ns < t0 &&
		    f->meta.timestamp_ns >= t0 - span)
			slot[o] = k;
	}
	*slotp = slot;
	*basep = base;
	return M;
}

/* full_look's repeat sums of one row pair (reference r, previous beat's a and c), per pixel:
 * acc's eight rows of W; up, vp: the previous pair's u and v (read unless first) */
static void repeat_row(const int32_t *restrict r0, const int32_t *restrict r1,
		       const int32_t *restrict a0, const int32_t *restrict a1,
		       const int32_t *restrict c0, const int32_t *restrict c1, double *restrict up,
		       double *restrict vp, double *restrict acc, int first, int W, int S)
{
	for (int c = 0; c < W; c++) {
		double R = r1[c] - r0[c], u = R * (a1[c] - a0[c]), v = R * (c1[c] - c0[c]);
		acc[c] += u;
		acc[S + c] += v;
		acc[2 * S + c] += u * u;
		acc[3 * S + c] += u * v;
		acc[4 * S + c] += v * v;
	}
	if (!first)
		for (int c = 0; c < W; c++) {
			double R = r1[c] - r0[c], u = R * (a1[c] - a0[c]), v = R * (c1[c] - c0[c]);
			acc[5 * S + c] += u * up[c];
			acc[6 * S + c] += u * vp[c] + v * up[c];
			acc[7 * S + c] += v * vp[c];
		}
	for (int c = 0; c < W; c++) {
		double R = r1[c] - r0[c];
		up[c] = R * (a1[c] - a0[c]);
		vp[c] = R * (c1[c] - c0[c]);
	}
}

/* sync_repeat_z of a full look's sums */
static double full_look_z(const struct full_look *fl)
{
	double w = fl->w, o = 1 - w, acc[3];
	if (!fl->have_rep)
		return NAN;
	acc[0] = o * fl->rep[0] + w * fl->rep[1];
	acc[1] = o * o * fl->rep[2] + 2 * w * o * fl->rep[3] + w * w * fl->rep[4];
	acc[2] = o * o * fl->rep[5] + w * o * fl->rep[6] + w * w * fl->rep[7];
	return sync_repeat_z(acc);
}

/* dst = src where mask is 0, val where it is all ones (a blend the compiler vectorizes) */
static void blend8(uint8_t *restrict dst, const uint8_t *restrict src, const uint8_t *restrict val,
		   const uint8_t *restrict mask, int n)
{
	for (int c = 0; c < n; c++)
		dst[c] = (uint8_t)((src[c] & ~mask[c]) | (val[c] & mask[c]));
}

static void blend16(uint16_t *restrict dst, const uint16_t *restrict src,
		    const uint16_t *restrict val, const uint16_t *restrict mask, int n)
{
	for (int c = 0; c < n; c++)
		dst[c] = (uint16_t)((src[c] & ~mask[c]) | (val[c] & mask[c]));
}

/*
 * The job: the noise, the full look and the smoothed copy are done in units (the noise of one
 * reference frame, the full look of one row, the copy of one frame), as many per frame as a
 * budget of pixels touched allows (sync_smooth_work), so that no frame pays for the whole: on a
 * 1.6 s heart at 80 fps the whole was 10 ms of CPU at 128^2 and 40 ms at 256^2 on one frame,
 * against issue 9's 2 ms for any frame. The units run in the order of the single pass, so every
 * sum and the smoothed reference are exactly those of an unsliced build.
 */
enum { SJ_NOISE, SJ_LOOK, SJ_MASK, SJ_WRITE, SJ_DONE };

struct sync_smooth_job {
	int k, choose, stage, j, y;
	long lw;     /* the full look's weight (SMOOTH_LOOK_WEIGHT or _U8) */
	long even;   /* the least budget a frame gets: the job spread over a quarter beat */
	int left;    /* that quarter beat's frames left (less two) */
	int x, cw;   /* the full look: the next column of row y, and the columns of a unit */
	int r, rows; /* the noise: every r-th row, rows of them */
	double med;  /* the smallest median |second difference| so far */
	double *ad;  /* W x rows: a frame's |second differences| */
	int32_t *nb; /* 3 x W: their rows */
	struct full_look fl;
	int M, *slot; /* the previous beat's frames (prev_slots) */
	int64_t base;
	int32_t *ib;		       /* rows r0, r1, a0, a1, c0, c1 */
	void *ub;		       /* 8-bit frames: sync_look_sums_u8's and _repeat_u8's sums */
	const uint8_t **rp;	       /* 8-bit frames: their rows r, a, c (3 x L) */
	double *db;		       /* sum, sum2, S2, S4, u', v', the eight repeat sums */
	const struct ogate_frame **pa; /* frame j's previous-beat neighbours (pc = pa + L) */
	double S2, S4;
	double repmag;	   /* the repeat's sums: a bound on their partial sums' magnitude */
	int rep_slow;	   /* repmag reached 2^53: the columns one by one (sync_look_repeat_u8) */
	unsigned char *vm; /* the replacement and its mask in the pixels' type */
	struct sync_along al; /* reference.smooth_along_fpb: the kernel along the beat */
	double cm, z;
	int ret; /* 1 smoothed, 0 matched as recorded, -errno */
};

/* the full look's start: its buffers and, with repeat, frame j's previous-beat neighbours (NULL
 * where either is missing); 0 or -ENOMEM */
static int look_begin(struct ogate_sync *s, const struct seq *q, struct sync_smooth_job *jb)
{
	int L = q->L, W = s->w;
	double P = q->info.period_frames;
	struct full_look *fl = &jb->fl;
	memset(fl->cm_acc, 0, sizeof(fl->cm_acc));
	memset(fl->rep, 0, sizeof(fl->rep));
	fl->have_rep = 0;
	fl->w = 0;
	jb->S2 = jb->S4 = 0;
	jb->repmag = 0;
	jb->rep_slow = 0;
	if (!fl->mean) { /* the pool's, else its pages are paid here */
		fl->mean = malloc(sync_smooth_look_bytes(s, 0));
		s->smooth_fresh++;
	}
	jb->ib = malloc(sizeof(int32_t) * 6 * (size_t)W);
	jb->db = malloc(sizeof(double) * 14 * (size_t)W);
	if (s->fmt == OGATE_PIX_U8 && L <= SYNC_LOOK_U8_MAX_L) {
		/* uint64 p4, int64 acc (6); uint32 sum, sum2, p2, int32 up, vp, su, sv */
		jb->ub = malloc((7 * sizeof(int32_t) + 7 * sizeof(int64_t)) * (size_t)W);
		jb->rp = malloc(sizeof(*jb->rp) * 3 * (size_t)L);
		if (!jb->ub || !jb->rp)
			return -ENOMEM;
	}
	jb->pa = malloc(sizeof(*jb->pa) * 2 * (size_t)L);
	if (!fl->mean || !jb->ib || !jb->db || !jb->pa)
		return -ENOMEM;
	if (!jb->choose)
		return 0;
	if ((jb->M = prev_slots(s, q, &jb->slot, &jb->base)) < 0)
		return -ENOMEM;
	const struct ogate_frame **pa = jb->pa, **pc = pa + L;
	for (int j = 0; j < L; j++) {
		double t = (double)(int64_t)q->f[j]->meta.sequence - P - (double)jb->base;
		int k0 = (int)floor(t);
		pa[j] = prev_frame(s, jb->slot, jb->M, k0);
		pc[j] = prev_frame(s, jb->slot, jb->M, k0 + 1);
		if (!pa[j] || !pc[j])
			pa[j] = pc[j] = NULL;
		if (j == 0)
			fl->w = t - k0;
	}
	return 0;
}

#define REP_EXACT 0x1p53 /* integer sums in doubles are exact below it (jb->repmag's bound) */

/* look_row on 8-bit frames in integers (sync_smooth_look.c): the same sums, added across the
 * pixels in the same order, or as a row's totals where every partial sum stays exact (the same
 * doubles; 512^2 look frames 1.6 -> 1.1 ms, docs/accuracy-log.md, look512b) */
static long look_row_u8(const struct ogate_sync *s, const struct seq *q, struct sync_smooth_job *jb,
			int y, int x0, int n)
{
	int L = q->L, W = s->w, repeat = jb->choose;
	long touched = SMOOTH_LOOK_WEIGHT_U8 * L * n;
	struct full_look *fl = &jb->fl;
	const struct ogate_frame **pa = jb->pa, **pc = pa + L;
	const uint8_t **r = jb->rp, **a = r + L, **c = a + L;
	/* the 64-bit sums first: aligned whatever W */
	uint64_t *p4 = jb->ub;
	int64_t *acc = (int64_t *)(p4 + W);
	uint32_t *sum = (uint32_t *)(acc + 6 * (size_t)W), *sum2 = sum + W, *p2 = sum2 + W;
	int32_t *up = (int32_t *)(p2 + W), *vp = up + W, *su = vp + W, *sv = su + W;
	for (int j = 0; j < L; j++)
		r[j] = (const uint8_t *)ogate_frame_row(q->f[j], y) + x0;
	sync_look_sums_u8(r, L, n, sum, sum2, p2, p4);
	int32_t *mrow = fl->mean + (size_t)y * W + x0;
	int any = sync_look_pixels_u8(sum, sum2, n, L, fl->s2, mrow);
	sync_look_add_changes(&jb->S2, &jb->S4, p2, p4, n, L);
	if (!repeat || !any)
		return touched;
	for (int j = 0; j < L; j++) {
		a[j] = pa[j] ? (const uint8_t *)ogate_frame_row(pa[j], y) + x0 : NULL;
		c[j] = pa[j] ? (const uint8_t *)ogate_frame_row(pc[j], y) + x0 : NULL;
		touched += pa[j] ? 3 * SMOOTH_LOOK_WEIGHT_U8 * n : 0;
	}
	if (!jb->rep_slow) { /* the candidates' totals at once where that is exact */
		int64_t tot[8], b;
		int got;
		if ((b = sync_look_repeat_tot_u8(r, a, c, L, n, mrow, tot, &got)) >= 0) {
			double bound = (double)n * (2.0 * L * (double)b * (double)b + (double)L * b);
			if (jb->repmag + bound < REP_EXACT) {
				fl->have_rep |= got;
				for (int i = 0; i < 8; i++)
					fl->rep[i] += (double)tot[i];
				jb->repmag += bound;
				return touched;
			}
		}
	}
	if (sync_look_repeat_u8(r, a, c, L, n, mrow, up, vp, su, sv, acc, W))
		fl->have_rep = 1;
	for (int k = 0; k < n; k++)
		if (mrow[k] >= 0) {
			double m = fmax(fabs((double)su[k]), fabs((double)sv[k]));
			fl->rep[0] += su[k];
			fl->rep[1] += sv[k];
			for (int i = 0; i < 6; i++) {
				fl->rep[2 + i] += (double)acc[(size_t)i * W + k];
				m = fmax(m, fabs((double)acc[(size_t)i * W + k]));
			}
			jb->repmag += m;
		}
	jb->rep_slow |= !(jb->repmag < REP_EXACT);
	return touched;
}

/* the full look of row y's n pixels from column x0 (the sums of M, added in the order of the
 * columns as over the whole row); the pixels it touched */
static long look_row(const struct ogate_sync *s, const struct seq *q, struct sync_smooth_job *jb,
		     int y, int x0, int n)
{
	int L = q->L, W = s->w, repeat = jb->choose;
	if (jb->ub)
		return look_row_u8(s, q, jb, y, x0, n);
	long touched = SMOOTH_LOOK_WEIGHT * L * n;
	struct full_look *fl = &jb->fl;
	const struct ogate_frame **pa = jb->pa, **pc = pa + L;
	double s2 = fl->s2;
	int32_t *r0 = jb->ib + x0, *r1 = r0 + W, *a0 = r0 + 2 * W, *a1 = r0 + 3 * W,
		*c0 = r0 + 4 * W, *c1 = r0 + 5 * W;
	double *db = jb->db + x0, *sum = db, *sum2 = db + W, *p2 = db + 2 * W, *p4 = db + 3 * W,
	       *up = db + 4 * W, *vp = db + 5 * W, *acc = db + 6 * W;
	for (int k = 0; k < 4; k++)
		memset(db + (size_t)k * W, 0, sizeof(double) * (size_t)n);
	for (int j = 0; j < L; j++) {
		int32_t *t = r0;
		r0 = r1;
		r1 = t;
		row_ints_at(q->f[j], y, x0, n, r1);
		for (int c = 0; c < n; c++) {
			double x = r1[c];
			sum[c] += x;
			sum2[c] += x * x;
		}
		if (j == 0)
			continue;
		for (int c = 0; c < n; c++) {
			double d = r1[c] - r0[c], d2 = d * d;
			p2[c] += d2;
			p4[c] += d2 * d2;
		}
	}
	int32_t *mrow = fl->mean + (size_t)y * W + x0;
	int any = 0;
	for (int c = 0; c < n; c++) {
		double mu;
		jb->S2 += p2[c];
		jb->S4 += p4[c];
		int rep = sync_smooth_pixel(sum[c], sum2[c], L, s2, &mu);
		mrow[c] = rep ? (int32_t)lrint(mu) : -1;
		any |= rep;
	}
	if (!repeat || !any)
		return touched;
	/* the repeat over these pixels' candidates */
	for (int k = 0; k < 8; k++)
		memset(acc + (size_t)k * W, 0, sizeof(double) * (size_t)n);
	int have = 0, first = 1;
	for (int j = 0; j < L; j++) {
		if (!pa[j]) {
			have = 0;
			first = 1; /* the next pair has no neighbour */
			continue;
		}
		int32_t *t = r0;
		r0 = r1;
		r1 = t;
		t = a0;
		a0 = a1;
		a1 = t;
		t = c0;
		c0 = c1;
		c1 = t;
		row_ints_at(q->f[j], y, x0, n, r1);
		row_ints_at(pa[j], y, x0, n, a1);
		row_ints_at(pc[j], y, x0, n, c1);
		touched += 3 * SMOOTH_LOOK_WEIGHT * n;
		if (have) {
			repeat_row(r0, r1, a0, a1, c0, c1, up, vp, acc, first, n, W);
			first = 0;
			fl->have_rep = 1;
		}
		have = 1;
	}
	for (int c = 0; c < n; c++)
		if (mrow[c] >= 0)
			for (int k = 0; k < 8; k++)
				fl->rep[k] += acc[k * W + c];
	return touched;
}

/* the full look's sums of M */
static void look_end(const struct ogate_sync *s, const struct seq *q, struct sync_smooth_job *jb)
{
	double N = (double)(q->L - 1) * s->w * s->h, sd2 = 2 * jb->fl.s2 + 1.0 / 6;
	jb->fl.cm_acc[0] = jb->S2 - N * sd2;
	jb->fl.cm_acc[1] = jb->S4 - 6 * sd2 * jb->S2 + 3 * N * sd2 * sd2;
}

/* the copy's replacement and mask, in the pixels' own type; 0 or -ENOMEM */
static int write_mask(struct ogate_sync *s, struct sync_smooth_job *jb)
{
	int wide = s->fmt != OGATE_PIX_U8;
	size_t np = (size_t)s->w * s->h;
	if (!s->sm) {
		s->sm = calloc((size_t)s->ref_cap, sizeof(*s->sm));
		if (!s->sm)
			return -ENOMEM;
	}
	if (!jb->vm) {
		jb->vm = malloc(sync_smooth_look_bytes(s, 1));
		s->smooth_fresh++;
	}
	unsigned char *vm = jb->vm;
	if (!vm)
		return -ENOMEM;
	const int32_t *mean = jb->fl.mean;
	for (size_t k = 0; k < np; k++) {
		int32_t m = mean[k];
		if (wide) {
			((uint16_t *)vm)[k] = (uint16_t)(m >= 0 ? m : 0);
			((uint16_t *)vm)[np + k] = m >= 0 ? 0xffff : 0;
		} else {
			vm[k] = (uint8_t)(m >= 0 ? m : 0);
			vm[np + k] = m >= 0 ? 0xff : 0;
		}
	}
	return 0;
}

/* rows y0 .. y1 - 1 of s->sm[j], q's frame j (allocated as needed on its first rows): the mean
 * where the mask says, elsewhere the frame or (reference.smooth_along_fpb) the box along the
 * beat (the pixels touched added to *cost); 0 or -errno */
static int write_frame(struct ogate_sync *s, const struct seq *q, struct sync_smooth_job *jb, int j,
		       int y0, int y1, long *cost)
{
	int W = s->w, H = s->h, ret, wide = s->fmt != OGATE_PIX_U8;
	size_t np = (size_t)W * H;
	const unsigned char *vm = jb->vm;
	if (y0 == 0 && (ret = sync_smooth_pool_get(s, j)) < 0)
		return ret;
	struct ogate_frame *d = s->sm[j];
	d->meta = q->f[j]->meta;
	for (int y = y0; y < y1; y++) {
		char *row = (char *)d->pixels + (size_t)y * d->stride;
		size_t o = (size_t)y * W;
		if (jb->al.r)
			*cost += sync_along_write(s, q, &jb->al, vm, j, y, row);
		else if (wide)
			blend16((uint16_t *)row, ogate_frame_row(q->f[j], y),
				(const uint16_t *)vm + o, (const uint16_t *)vm + np + o, W);
		else
			blend8((uint8_t *)row, ogate_frame_row(q->f[j], y), vm + o, vm + np + o, W);
	}
	return 0;
}

/* the end of the copy's next unit from row jb->y: a whole frame, or under the box along the beat
 * a quarter of one (its first frame sums the whole box) */
static int write_band_end(const struct ogate_sync *s, const struct sync_smooth_job *jb)
{
	int n = jb->al.r ? s->h / 4 : s->h, y1 = jb->y + (n > 1 ? n : 1);
	return y1 < s->h ? y1 : s->h;
}

static void job_free(struct sync_smooth_job *jb)
{
	if (!jb)
		return;
	free(jb->ad);
	free(jb->nb);
	free(jb->fl.mean);
	free(jb->slot);
	free(jb->ib);
	free(jb->db);
	free(jb->ub);
	free(jb->rp);
	free(jb->pa);
	free(jb->vm);
	sync_along_free(&jb->al);
	free(jb);
}

void sync_smooth_free(struct ogate_sync *s)
{
	job_free(s->smooth_job);
	s->smooth_job = NULL;
	sync_smooth_pool_drop_look(s);
}

/* what the current reference (slot q) says of its smoothing (along: the frames its moving pixels
 * average, 1 for none) */
static void put_info(struct ogate_sync *s, struct seq *q, int smoothed, int along, double z, double cm)
{
	s->info.smoothed = smoothed;
	s->info.along_frames = along;
	s->info.repeat_z = z;
	s->info.change_m = cm;
	q->info = s->info;
}

/* The job's result into the current reference: the smoothed copy is matched (1), or the frames
 * as recorded (0, or an error, said once). */
static void job_finish(struct ogate_sync *s, struct sync_smooth_job *jb)
{
	struct seq *q = &s->sq[jb->k];
	if (jb->ret < 0)
		fprintf(stderr, "ogate: reference.smooth: %s; matching the frames as recorded\n",
			strerror(-jb->ret));
	else if (jb->ret > 0)
		s->ref = s->sm;
	sync_smooth_pool_trim_later(s, jb->ret > 0 ? q->L : 0);
	put_info(s, q, jb->ret > 0, jb->ret > 0 ? 2 * jb->al.r + 1 : 1, jb->z, jb->cm);
	sync_smooth_free(s);
}

/* The pixels the next unit touches at most. */
static long unit_bound(const struct ogate_sync *s, const struct sync_smooth_job *jb)
{
	long np = (long)s->w * s->h, L = s->sq[jb->k].L;
	switch (jb->stage) {
	case SJ_NOISE: return 4L * s->w * jb->rows + 2 * SYNC_SMOOTH_HBINS;
	case SJ_LOOK:
		return (jb->choose ? 4 : 1) * jb->lw * L *
		       (s->w - jb->x < jb->cw ? s->w - jb->x : jb->cw);
	case SJ_MASK: return np;
	default: {
		int y1 = write_band_end(s, jb);
		return jb->al.r ? sync_along_cost(s, &jb->al, jb->j, jb->y, y1)
				: 2L * s->w * (y1 - jb->y);
	}
	}
}

/* The noise's rows of an 8-bit frame asked of the memory ahead, a line of 64 bytes at a time: its
 * triple is the next unit's, and the reference's frames are cold since they arrived (a row a
 * page at 512^2; touch_rows), so each of them waited on its loads: the job's first frame 1.06-1.15
 * -> 0.91-0.97 ms of least CPU (`analysis_bench --slow 512`). Nothing read changes. */
static void prefetch_rows(const struct ogate_frame *f, int rows, int r, int W)
{
	for (int i = 0; i < rows; i++) {
		const char *p = (const char *)ogate_frame_row(f, i * r);
		for (int x = 0; x < W; x += 64)
			__builtin_prefetch(p + x);
	}
}

/* One unit of the job; the pixels it touched (a failure ends the job with jb->ret < 0). */
static long job_unit(struct ogate_sync *s, struct sync_smooth_job *jb)
{
	const struct seq *q = &s->sq[jb->k];
	int L = q->L, W = s->w, H = s->h, n = W * jb->rows, rc;
	long np = (long)W * H;
	switch (jb->stage) {
	case SJ_NOISE: /* reference frame j's median |second difference| (as sync_smooth_noise, from the frames) */
		if (jb->j + 1 < L && s->fmt == OGATE_PIX_U8) { /* in integers: the same median */
			if (jb->j + 2 < L)
				prefetch_rows(q->f[jb->j + 2], jb->rows, jb->r, W);
			double m = sync_smooth_median_u8(q->f[jb->j - 1], q->f[jb->j],
							 q->f[jb->j + 1], jb->rows, jb->r, W);
			jb->med = m < jb->med ? m : jb->med;
			jb->j++;
			return 4L * n + 2 * SYNC_SMOOTH_HBINS; /* counted as the double path */
		}
		if (jb->j + 1 < L) {
			int32_t *a = jb->nb, *b = a + W, *c = b + W;
			for (int i = 0; i < jb->rows; i++) {
				double *d = jb->ad + (size_t)i * W;
				row_ints_at(q->f[jb->j - 1], i * jb->r, 0, W, a);
				row_ints_at(q->f[jb->j], i * jb->r, 0, W, b);
				row_ints_at(q->f[jb->j + 1], i * jb->r, 0, W, c);
				for (int x = 0; x < W; x++)
					d[x] = fabs((double)(a[x] - 2 * b[x] + c[x]));
			}
			double m = sync_smooth_abs_median(jb->ad, n);
			jb->med = m < jb->med ? m : jb->med;
			jb->j++;
			return 4L * n + 2 * SYNC_SMOOTH_HBINS; /* and the histogram, cleared and read */
		}
		jb->fl.s2 = sync_smooth_noise_of_median(jb->med);
		/* M, the candidates and (auto) the repeat test, which reads the beat before the
		 * reference too: only where the change alone does not already decide */
		jb->stage = SJ_LOOK;
		jb->y = 0;
		if ((rc = look_begin(s, q, jb)) < 0)
			goto fail;
		return 0;
	case SJ_LOOK:
		if (jb->y < H) {
			int x0 = jb->x, nc = W - x0 < jb->cw ? W - x0 : jb->cw;
			long t = look_row(s, q, jb, jb->y, x0, nc);
			jb->x += nc;
			if (jb->x == W) {
				jb->x = 0;
				jb->y++;
			}
			return t;
		}
		look_end(s, q, jb);
		double sd2 = 2 * jb->fl.s2 + 1.0 / 6;
		jb->cm = sync_change_m(jb->fl.cm_acc, sd2);
		jb->z = jb->choose && jb->cm < SMOOTH_CHANGE_M ? full_look_z(&jb->fl) : NAN;
		if (jb->choose && (jb->z > SMOOTH_REPEAT_Z || !(jb->cm < SMOOTH_CHANGE_M))) {
			jb->ret = 0;
			jb->stage = SJ_DONE;
		} else { /* only a reference that is smoothed is copied */
			jb->stage = SJ_MASK;
		}
		return 0;
	case SJ_MASK:
		if ((rc = write_mask(s, jb)) < 0 || (rc = sync_along_begin(s, q, &jb->al, jb->vm)) < 0)
			goto fail;
		if (jb->al.r) /* the copy's work now that the moving columns are known, spread over
			       * the quarter beat's frames left (planned as a copy without the box) */
			jb->even = (long)fmax((double)jb->even, (double)L * jb->al.frame_cost /
									(jb->left > 1 ? jb->left : 1));
		jb->stage = SJ_WRITE;
		jb->j = jb->y = 0;
		return np;
	case SJ_WRITE: {
		int y1 = write_band_end(s, jb);
		long t = jb->al.r ? 0 : 2L * W * (y1 - jb->y);
		if ((rc = write_frame(s, q, jb, jb->j, jb->y, y1, &t)) < 0)
			goto fail;
		jb->y = y1 < H ? y1 : 0;
		if (y1 == H && ++jb->j == L) {
			jb->ret = 1;
			jb->stage = SJ_DONE;
		}
		return t;
	}
	default: return 0;
	}
fail:
	jb->ret = rc;
	jb->stage = SJ_DONE;
	return 0;
}

int sync_smooth_work(struct ogate_sync *s, long budget)
{
	struct sync_smooth_job *jb = s->smooth_job;
	if (!jb)
		return 1;
	long used = 0;
	/* the job's share: half the budget (0.4-0.5 ms of CPU; with 8-bit sums counted once, the
	 * whole budget made the look's frames 1.1-2 ms on the loaded VM at 128^2 against 0.7-0.8 ms
	 * before), or the job spread evenly over the quarter beat where that is more */
	if (budget > 0)
		budget = budget / 2 > jb->even ? budget / 2 : jb->even;
	jb->left--;
	while (jb->stage != SJ_DONE && (budget <= 0 || used == 0 || used + unit_bound(s, jb) <= budget))
		used += job_unit(s, jb);
	s->smooth_touched += used;
	if (jb->stage != SJ_DONE)
		return 0;
	job_finish(s, jb);
	return 1;
}

/*
 * The noise's rows, a byte of each, read on the frame that starts the job. Where the
 * determination reads its rows packed (sync_determine.c) the reference's frames are cold since
 * they arrived, their pages' table entries too, and the job's first frame (the noise's 132
 * triples at 512^2, every row a page) paid a page walk for each: 0.1-0.4 ms more than when the
 * lock frame's SAD row had read every page of the buffer's frames. Nothing read changes.
 */
static void touch_rows(const struct seq *q, int rows, int r)
{
	unsigned sum = 0;
	for (int j = 0; j < q->L; j++)
		for (int i = 0; i < rows; i++)
			sum += *(const volatile unsigned char *)ogate_frame_row(q->f[j], i * r);
	(void)sum;
}

int sync_smooth_start(struct ogate_sync *s, int k)
{
	struct seq *q = &s->sq[k];
	int L = q->L, W = s->w, H = s->h;
	/* auto's tests only above reference.smooth_small_px: small frames are smoothed always, but
	 * a refresh's reference (OGA index g_cur > 0; the first is 0) keeps them: its job holds
	 * frames that the old one would have gated */
	int choose = s->set.ref_smooth == OGATE_SMOOTH_AUTO &&
		     ((long)W * H > s->set.smooth_small_px || s->g_cur > 0);
	job_free(s->smooth_job);
	s->smooth_job = NULL;
	s->sm_trim = 0; /* the spares left are this job's copy's (sync_smooth_pool_get) */
	struct sync_smooth_job *jb = calloc(1, sizeof(*jb));
	if (!jb)
		goto nomem;
	/* the look's arrays allocated ahead (sync_smooth_pool.c), the job's from now on */
	jb->fl.mean = s->look_mean;
	jb->vm = s->look_vm;
	s->look_mean = s->look_vm = NULL;
	jb->k = k;
	jb->choose = choose;
	jb->z = jb->cm = NAN;
	if (choose) {
		int rc = sync_smooth_first_look(q, W, H, &jb->cm);
		s->smooth_touched += 2L * (SYNC_SMOOTH_DECIDE_SAMPLES < (long)L * W * H
						   ? SYNC_SMOOTH_DECIDE_SAMPLES
						   : (long)L * W * H);
		if (rc) {
			job_free(jb);
			jb = NULL;
			goto nomem;
		}
		if (!(jb->cm < SMOOTH_CHANGE_M)) {
			/* the change decides: matched as recorded */
			put_info(s, &s->sq[k], 0, 1, NAN, jb->cm);
			sync_smooth_pool_trim_later(s, 0);
			job_free(jb);
			return 0;
		}
	}
	/* the noise from every r-th row, at most SMOOTH_SAMPLES samples */
	long want = SMOOTH_SAMPLES / L, r = ((long)W * H + want - 1) / (want > 0 ? want : 1);
	r = r < 1 ? 1 : r;
	jb->r = (int)r;
	jb->rows = (int)((H + r - 1) / r);
	if (s->drows) /* the determination's rows packed: the frames' pages cold */
		touch_rows(q, jb->rows, jb->r);
	jb->med = HUGE_VAL;
	jb->j = 1;
	jb->stage = SJ_NOISE;
	/* the full look in units of cw columns of a row, at least four units to a budget */
	jb->lw = s->fmt == OGATE_PIX_U8 && L <= SYNC_LOOK_U8_MAX_L ? SMOOTH_LOOK_WEIGHT_U8
								   : SMOOTH_LOOK_WEIGHT;
	long per_col = 4 * 4 * jb->lw * L;
	jb->cw = s->smooth_budget <= 0 || s->smooth_budget / per_col >= W
			 ? W
			 : (int)(s->smooth_budget / per_col > 1 ? s->smooth_budget / per_col : 1);
	/* The job's pixels at most (the repeat over every row, the copy made), spread evenly over a
	 * quarter beat less two frames where the budget would need longer: the frames held end at
	 * sync.c's bound (smooth_budget_now, whose doubling past it then ends only what this
	 * estimate missed) with no frame paying for the job's rest. On the bench's 1.6 s heart at
	 * 80 fps only 512^2 needs it: 6.9 M a frame (about 2.7 ms of CPU) instead of 72 frames
	 * held at 2^21 and then a frame of 14-20 ms. */
	long np = (long)W * H, qf = sync_smooth_hold_bound(s), left = qf - 2 - (s->lq_n - s->lq_head);
	left = left > (qf - 2) / 2 ? left : (qf - 2) / 2; /* less the frames held before it */
	left = left > 1 ? left : 1;
	double total = (double)(L > 2 ? L - 2 : 0) * (4.0 * W * jb->rows + 2 * SYNC_SMOOTH_HBINS) +
		       (choose ? 4.0 : 1.0) * (double)jb->lw * L * np + (double)np * (1 + 2.0 * L),
	       even = total / (double)left; /* in doubles: a 32-bit long overflows */
	jb->even = even < (double)LONG_MAX / 2 ? (long)even : LONG_MAX / 2;
	jb->left = (int)left;
	jb->ad = malloc(sizeof(double) * (size_t)W * (size_t)jb->rows);
	jb->nb = malloc(sizeof(int32_t) * 3 * (size_t)W);
	s->smooth_job = jb;
	if (!jb->ad || !jb->nb) {
		jb->ret = -ENOMEM;
		jb->stage = SJ_DONE;
	}
	return 1;
nomem:
	fprintf(stderr, "ogate: reference.smooth: %s; matching the frames as recorded\n",
		strerror(ENOMEM));
	put_info(s, q, 0, 1, NAN, jb ? jb->cm : NAN);
	return -ENOMEM;
}
