// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth: the current reference's still pixels replaced by their means over the beat (the noise, the change M, the repeat test, the smoothed copy). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"

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
enum { SMOOTH_HBINS = 4096 };
#define SMOOTH_SAMPLES (1 << 20) /* pixel samples (L x n) the noise estimate reads */
#define SMOOTH_REPEAT_Z 3	 /* reference.smooth = auto: repeats this significant are signal */
#define SMOOTH_CHANGE_M 5.3	 /* reference.smooth = auto: the SAD's local exponent is 1.5 here */
#define SMOOTH_DECIDE_SAMPLES (1 << 14) /* pixel samples auto's first look at M reads */

/* the median of n absolute second differences ad (a histogram of bins 1, then 16 times wider
 * while the median lies beyond them: 16-bit), or HUGE_VAL */
static double abs_median(const double *ad, int n)
{
	unsigned hist[SMOOTH_HBINS];
	for (double b = 1; b <= 65536; b *= 16) {
		double ib = 1 / b; /* a power of 2: the same as dividing by b */
		memset(hist, 0, sizeof(hist));
		for (int p = 0; p < n; p++) {
			double v = ad[p] * ib + 0.5;
			hist[v < SMOOTH_HBINS - 1 ? (int)v : SMOOTH_HBINS - 1]++;
		}
		double half = 0.5 * n, cum = 0;
		for (int k = 0; k < SMOOTH_HBINS - 1; k++) {
			if (cum + hist[k] >= half)
				return ((k ? k - 0.5 : 0) + (half - cum) / hist[k] * (k ? 1 : 0.5)) * b;
			cum += hist[k];
		}
	}
	return HUGE_VAL;
}

/* the noise variance from the smallest median |second difference| */
static double noise_of_median(double med)
{
	if (!isfinite(med))
		return 0;
	double sd = med / 0.6744897501960817;
	return sd * sd / 6;
}

/* x: L rows of n integer-valued samples: the noise variance per sample (0 if L < 3). */
double sync_smooth_noise(const float *x, int L, int n)
{
	double med = HUGE_VAL, *ad = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
	if (!ad)
		return 0;
	for (int j = 1; j + 1 < L; j++) {
		const float *p0 = x + (size_t)(j - 1) * n, *p1 = p0 + n, *p2 = p1 + n;
		for (int p = 0; p < n; p++)
			ad[p] = fabs((double)p0[p] - 2.0 * p1[p] + p2[p]);
		double m = abs_median(ad, n);
		med = m < med ? m : med;
	}
	free(ad);
	return noise_of_median(med);
}

/* One pixel over the L frames of the beat, given the sum of its values and of their squares
 * (exact for integer pixels), noise variance s2: 1 if the pixel is better replaced by its mean
 * (*mean), else 0. */
int sync_smooth_pixel(double sum, double sum2, int L, double s2, double *mean)
{
	double mu = sum / L, msd = sum2 / L - mu * mu;
	*mean = mu;
	return L >= 2 && msd < s2 * (2 - 2.0 / L) - 1.0 / 12;
}

/*
 * reference.smooth = auto: a camera's noise does not repeat from beat to beat, so where the
 * pixels the rule would replace change from frame to frame the same way one beat earlier, those
 * changes are the heart's (or the specimen's) and carry phase, and they are matched as recorded
 * (the generated real-heartbeat model's recorded noise, repeated every beat, is such a signal;
 * docs/accuracy-log.md, "A noise cut chosen by the stream"). Over the candidate pixels and
 * consecutive reference frames j-1, j: g = (r_j - r_{j-1}) (p_j - p_{j-1}), p the same pixel one
 * period earlier in the determination buffer; acc gets the sum of g, of g^2 and of g times the
 * same pixel's g one frame earlier (consecutive differences share a frame).
 */
void sync_repeat_add(const double *r0, const double *r1, const double *p0, const double *p1,
		     const unsigned char *cand, double *glast, int first, int n, double acc[3])
{
	for (int c = 0; c < n; c++) {
		if (!cand[c])
			continue;
		double g = (r1[c] - r0[c]) * (p1[c] - p0[c]);
		acc[0] += g;
		acc[1] += g * g;
		if (!first)
			acc[2] += g * glast[c];
		glast[c] = g;
	}
}

/* The sum of g over its standard error when the changes do not repeat (independent noise: the
 * variance of a sum whose neighbours share a frame, sum g^2 + 2 sum g g'); NAN without data. */
double sync_repeat_z(const double acc[3])
{
	double v = acc[1] + 2 * acc[2];
	return acc[1] > 0 ? acc[0] / sqrt(v > acc[1] / 4 ? v : acc[1] / 4) : NAN;
}

/*
 * reference.smooth = auto: the still pixels' frozen noise moves the matched phase only where the
 * heart's one-frame change is small against a frame difference's noise s^2 = 2 sigma^2 + 1/6
 * (the SAD of a change D is quadratic in D below s and linear above, its local exponent 1.5 at
 * D^2 / s^2 = 5.3): on fast hearts the change is far above the noise and smoothing only shifts
 * the mean (docs/accuracy-log.md, "Smoothing only where the change is below the noise"). M = sum
 * D^4 / sum D^2 / s^2 over every pixel and consecutive reference frame pair, D the noise-free
 * one-frame change, is the energy-weighted change against that noise, from the recorded
 * differences d without bias: D^2 = d^2 - s^2, D^4 = d^4 - 6 s^2 d^2 + 3 s^4 (Gaussian noise).
 * acc gets the sums of d^2 - s^2 and d^4 - 6 s^2 d^2 + 3 s^4 over a row pair a -> b.
 */
void sync_change_add(const double *a, const double *b, int n, double sd2, double acc[2])
{
	for (int c = 0; c < n; c++) {
		double d = b[c] - a[c], d2 = d * d;
		acc[0] += d2 - sd2;
		acc[1] += d2 * d2 - 6 * sd2 * d2 + 3 * sd2 * sd2;
	}
}

/* M from sync_change_add's sums; 0 where no change exceeds the noise (sum D^2 <= 0) */
double sync_change_m(const double acc[2], double sd2)
{
	return acc[0] > 0 && sd2 > 0 ? acc[1] / acc[0] / sd2 : 0;
}

/* row y of frame f as doubles */
static void row_values(const struct ogate_frame *f, int y, int W, double *out)
{
	if (f->fmt == OGATE_PIX_U8) {
		const uint8_t *p = ogate_frame_row(f, y);
		for (int c = 0; c < W; c++)
			out[c] = p[c];
	} else {
		const uint16_t *p = ogate_frame_row(f, y);
		for (int c = 0; c < W; c++)
			out[c] = p[c];
	}
}

/* row y of frame f as ints */
static void row_ints(const struct ogate_frame *f, int y, int W, int32_t *out)
{
	if (f->fmt == OGATE_PIX_U8) {
		const uint8_t *p = ogate_frame_row(f, y);
		for (int c = 0; c < W; c++)
			out[c] = p[c];
	} else {
		const uint16_t *p = ogate_frame_row(f, y);
		for (int c = 0; c < W; c++)
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

/* x (L x rows x cols floats): q's frames on every rs-th row and every cs-th pixel of it; v: W
 * doubles of scratch */
static void grid_values(const struct seq *q, int W, int rs, int cs, int rows, int cols, float *x,
			double *v)
{
	for (int j = 0; j < q->L; j++)
		for (int i = 0; i < rows; i++) {
			row_values(q->f[j], i * rs, W, v);
			for (int c = 0; c < cols; c++)
				x[((size_t)j * rows + i) * cols + c] = (float)v[c * cs];
		}
}

/* sync_smooth_noise of q's frames on every r-th row (rows of them), read from the frames: the
 * same value without a copy of the samples; -1 on ENOMEM */
static double frames_noise(const struct seq *q, int W, int r, int rows)
{
	int L = q->L, n = W * rows;
	double med = HUGE_VAL, *ad = malloc(sizeof(double) * (size_t)n);
	int32_t *a = malloc(sizeof(int32_t) * 3 * (size_t)W), *b = a + W, *c = b + W;
	if (!ad || !a) {
		free(ad);
		free(a);
		return -1;
	}
	for (int j = 1; j + 1 < L; j++) {
		for (int i = 0; i < rows; i++) {
			double *d = ad + (size_t)i * W;
			row_ints(q->f[j - 1], i * r, W, a);
			row_ints(q->f[j], i * r, W, b);
			row_ints(q->f[j + 1], i * r, W, c);
			for (int x = 0; x < W; x++)
				d[x] = fabs((double)(a[x] - 2 * b[x] + c[x]));
		}
		double m = abs_median(ad, n);
		med = m < med ? m : med;
	}
	free(ad);
	free(a);
	return noise_of_median(med);
}

/* reference.smooth = auto's first look: M (sync_change_m) with the noise measured on a grid of
 * every g-th pixel of every g-th row, from those pixels only, at most SMOOTH_DECIDE_SAMPLES
 * samples (L x n), so that a heart whose change is far above the noise costs the frame that
 * establishes its reference 0.25 ms at 128^2, 1.1 ms at 512^2 (over every pixel: 5 and 21 ms at
 * those sizes); 0 or -ENOMEM. */
static int first_look_m(const struct seq *q, int W, int H, double *cm)
{
	int L = q->L;
	double want = (double)SMOOTH_DECIDE_SAMPLES / L;
	int g = (int)ceil(sqrt((double)W * H / (want > 1 ? want : 1)));
	g = g < 1 ? 1 : g;
	int rows = (H + g - 1) / g, cols = (W + g - 1) / g, n = rows * cols;
	float *x = malloc(sizeof(float) * (size_t)L * (size_t)n);
	double *v = malloc(sizeof(double) * ((size_t)W + 2 * (size_t)n));
	if (!x || !v) {
		free(x);
		free(v);
		return -ENOMEM;
	}
	grid_values(q, W, g, g, rows, cols, x, v);
	double sd2 = 2 * sync_smooth_noise(x, L, n) + 1.0 / 6, acc[2] = { 0, 0 };
	double *a = v + W, *b = a + n;
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
		       double *restrict vp, double *restrict acc, int first, int W)
{
	for (int c = 0; c < W; c++) {
		double R = r1[c] - r0[c], u = R * (a1[c] - a0[c]), v = R * (c1[c] - c0[c]);
		acc[c] += u;
		acc[W + c] += v;
		acc[2 * W + c] += u * u;
		acc[3 * W + c] += u * v;
		acc[4 * W + c] += v * v;
	}
	if (!first)
		for (int c = 0; c < W; c++) {
			double R = r1[c] - r0[c], u = R * (a1[c] - a0[c]), v = R * (c1[c] - c0[c]);
			acc[5 * W + c] += u * up[c];
			acc[6 * W + c] += u * vp[c] + v * up[c];
			acc[7 * W + c] += v * vp[c];
		}
	for (int c = 0; c < W; c++) {
		double R = r1[c] - r0[c];
		up[c] = R * (a1[c] - a0[c]);
		vp[c] = R * (c1[c] - c0[c]);
	}
}

static int full_look(const struct ogate_sync *s, const struct seq *q, int repeat, struct full_look *fl)
{
	int L = q->L, W = s->w, H = s->h, M = 0, *slot = NULL, ret = -ENOMEM;
	double P = q->info.period_frames;
	int64_t base = 0;
	memset(fl->cm_acc, 0, sizeof(fl->cm_acc));
	memset(fl->rep, 0, sizeof(fl->rep));
	fl->have_rep = 0;
	fl->w = 0;
	fl->mean = malloc(sizeof(int32_t) * (size_t)W * (size_t)H);
	/* ints: rows r0, r1, a0, a1, c0, c1; doubles: sum, sum2, S2, S4, then per pixel u', v' and
	 * the eight repeat sums */
	int32_t *ib = malloc(sizeof(int32_t) * 6 * (size_t)W);
	double *db = malloc(sizeof(double) * 14 * (size_t)W);
	const struct ogate_frame **pa = malloc(sizeof(*pa) * 2 * (size_t)L);
	if (!fl->mean || !ib || !db || !pa)
		goto out;
	if (repeat && (M = prev_slots(s, q, &slot, &base)) < 0)
		goto out;
	const struct ogate_frame **pc = pa + L;
	if (repeat) {
		/* frame j's previous-beat neighbours; NULL where either is missing */
		for (int j = 0; j < L; j++) {
			double t = (double)(int64_t)q->f[j]->meta.sequence - P - (double)base;
			int k0 = (int)floor(t);
			pa[j] = prev_frame(s, slot, M, k0);
			pc[j] = prev_frame(s, slot, M, k0 + 1);
			if (!pa[j] || !pc[j])
				pa[j] = pc[j] = NULL;
			if (j == 0)
				fl->w = t - k0;
		}
	}
	double s2 = fl->s2, S2 = 0, S4 = 0;
	int32_t *r0 = ib, *r1 = ib + W, *a0 = ib + 2 * W, *a1 = ib + 3 * W, *c0 = ib + 4 * W,
		*c1 = ib + 5 * W;
	double *sum = db, *sum2 = db + W, *p2 = db + 2 * W, *p4 = db + 3 * W, *up = db + 4 * W,
	       *vp = db + 5 * W, *acc = db + 6 * W;
	for (int y = 0; y < H; y++) {
		memset(db, 0, sizeof(double) * 4 * (size_t)W);
		for (int j = 0; j < L; j++) {
			int32_t *t = r0;
			r0 = r1;
			r1 = t;
			row_ints(q->f[j], y, W, r1);
			for (int c = 0; c < W; c++) {
				double x = r1[c];
				sum[c] += x;
				sum2[c] += x * x;
			}
			if (j == 0)
				continue;
			for (int c = 0; c < W; c++) {
				double d = r1[c] - r0[c], d2 = d * d;
				p2[c] += d2;
				p4[c] += d2 * d2;
			}
		}
		int32_t *mrow = fl->mean + (size_t)y * W;
		int any = 0;
		for (int c = 0; c < W; c++) {
			double mu;
			S2 += p2[c];
			S4 += p4[c];
			int rep = sync_smooth_pixel(sum[c], sum2[c], L, s2, &mu);
			mrow[c] = rep ? (int32_t)lrint(mu) : -1;
			any |= rep;
		}
		if (!repeat || !any)
			continue;
		/* the repeat over this row's candidates */
		memset(acc, 0, sizeof(double) * 8 * (size_t)W);
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
			row_ints(q->f[j], y, W, r1);
			row_ints(pa[j], y, W, a1);
			row_ints(pc[j], y, W, c1);
			if (have) {
				repeat_row(r0, r1, a0, a1, c0, c1, up, vp, acc, first, W);
				first = 0;
				fl->have_rep = 1;
			}
			have = 1;
		}
		for (int c = 0; c < W; c++)
			if (mrow[c] >= 0)
				for (int k = 0; k < 8; k++)
					fl->rep[k] += acc[k * W + c];
	}
	double N = (double)(L - 1) * W * H, sd2 = 2 * s2 + 1.0 / 6;
	fl->cm_acc[0] = S2 - N * sd2;
	fl->cm_acc[1] = S4 - 6 * sd2 * S2 + 3 * N * sd2 * sd2;
	ret = 0;
out:
	free(slot);
	free(ib);
	free(db);
	free(pa);
	return ret;
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

/* s->sm[0 .. L-1]: q's frames (allocated as needed), mean[] where it is >= 0; 0 or -errno */
static int write_smoothed(struct ogate_sync *s, const struct seq *q, const int32_t *mean)
{
	int W = s->w, H = s->h, ret = 0, wide = s->fmt != OGATE_PIX_U8;
	size_t np = (size_t)W * H, bytes = wide ? 2 : 1;
	if (!s->sm) {
		s->sm = calloc((size_t)s->ref_cap, sizeof(*s->sm));
		if (!s->sm)
			return -ENOMEM;
	}
	/* the replacement and its mask, in the pixels' own type */
	unsigned char *vm = malloc(2 * np * bytes);
	if (!vm)
		return -ENOMEM;
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
	for (int j = 0; j < q->L; j++) {
		struct ogate_frame *d = s->sm[j];
		if (d && (d->fmt != s->fmt || d->width != W || d->height != H)) {
			ogate_frame_free(d);
			s->sm[j] = d = NULL;
		}
		if (!d && (ret = ogate_frame_new(&s->sm[j], s->fmt, W, H)))
			break;
		d = s->sm[j];
		d->meta = q->f[j]->meta;
		for (int y = 0; y < H; y++) {
			char *row = (char *)d->pixels + (size_t)y * d->stride;
			size_t o = (size_t)y * W;
			if (wide)
				blend16((uint16_t *)row, ogate_frame_row(q->f[j], y),
					(const uint16_t *)vm + o, (const uint16_t *)vm + np + o, W);
			else
				blend8((uint8_t *)row, ogate_frame_row(q->f[j], y), vm + o,
				       vm + np + o, W);
		}
	}
	free(vm);
	return ret;
}

/* s->sm: q's frames with their still pixels replaced by their means (s->ref is set by the
 * caller): 1, or with choose (reference.smooth = auto) 0 where the candidates' changes repeat
 * from beat to beat (*z, the repeat's significance, above 3: under 0.2 % of non-repeating
 * streams; NAN where the buffer holds no earlier beat), or -errno. */
int sync_smooth_current(struct ogate_sync *s, const struct seq *q, int choose, double *z, double *cm)
{
	int L = q->L, W = s->w, H = s->h, ret = 0;
	if (choose) {
		if ((ret = first_look_m(q, W, H, cm)))
			return ret;
		if (!(*cm < SMOOTH_CHANGE_M)) {
			*z = NAN; /* the change decides: matched as recorded */
			return 0;
		}
	}
	/* the noise from every r-th row, at most SMOOTH_SAMPLES samples */
	long want = SMOOTH_SAMPLES / L, r = ((long)W * H + want - 1) / (want > 0 ? want : 1);
	r = r < 1 ? 1 : r;
	struct full_look fl = { .s2 = frames_noise(q, W, (int)r, (int)((H + r - 1) / r)) };
	if (fl.s2 < 0)
		return -ENOMEM;
	/* M, the candidates and (auto) the repeat test, which reads the beat before the reference
	 * too: only where the change alone does not already decide */
	if ((ret = full_look(s, q, choose, &fl))) {
		free(fl.mean);
		return ret;
	}
	double sd2 = 2 * fl.s2 + 1.0 / 6;
	*cm = sync_change_m(fl.cm_acc, sd2);
	*z = choose && *cm < SMOOTH_CHANGE_M ? full_look_z(&fl) : NAN;
	if (choose && (*z > SMOOTH_REPEAT_Z || !(*cm < SMOOTH_CHANGE_M)))
		ret = 0;
	else /* only a reference that is smoothed is copied */
		ret = (ret = write_smoothed(s, q, fl.mean)) ? ret : 1;
	free(fl.mean);
	return ret;
}
