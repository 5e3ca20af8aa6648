// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bilinear sub-pixel shift in fixed point; written so the compiler vectorizes the row loops
 * (this file is built with -ftree-vectorize). */
#include <math.h>
#include <string.h>
#include "cpu_isa.h"
#include "resample.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define RS_MAXW 8192

/* 8-bit: weights in 1/16 px so every intermediate fits 16 bits (vectorizes 8 lanes wide) */
static void row_u8(uint8_t *restrict d, const uint8_t *restrict a, const uint8_t *restrict b, int w,
		   int wy, int wx, int sx)
{
	uint16_t t[RS_MAXW];
	if (w < 2) {
		d[0] = a[0];
		return;
	}
	for (int x = 0; x < w; x++)
		t[x] = (uint16_t)(a[x] * (16 - wy) + b[x] * wy); /* <= 4080 */
	if (sx > 0) {						 /* neighbour x - 1 */
		d[0] = (uint8_t)((t[0] * 16 + 128) >> 8);
		for (int x = 1; x < w; x++)
			d[x] = (uint8_t)((uint16_t)(t[x] * (16 - wx) + t[x - 1] * wx + 128) >> 8);
	} else { /* neighbour x + 1 */
		for (int x = 0; x < w - 1; x++)
			d[x] = (uint8_t)((uint16_t)(t[x] * (16 - wx) + t[x + 1] * wx + 128) >> 8);
		d[w - 1] = (uint8_t)((t[w - 1] * 16 + 128) >> 8);
	}
}

static void row_u16(uint16_t *restrict d, const uint16_t *restrict a, const uint16_t *restrict b,
		    int w, int wy, int wx, int sx)
{
	uint32_t t[RS_MAXW];
	if (w < 2) {
		d[0] = a[0];
		return;
	}
	for (int x = 0; x < w; x++)
		t[x] = (uint32_t)a[x] * (uint32_t)(256 - wy) + (uint32_t)b[x] * (uint32_t)wy;
	for (int x = 0; x < w; x++) {
		int n = x - sx;
		n = n < 0 ? 0 : n >= w ? w - 1 : n;
		uint64_t v = (uint64_t)t[x] * (uint64_t)(256 - wx) + (uint64_t)t[n] * (uint64_t)wx;
		d[x] = (uint16_t)((v + 32768) >> 16);
	}
}

static void resample_row(struct ogate_frame *dst, const struct ogate_frame *src, int y, int wy,
			 int wx, int sy, int sx)
{
	int H = src->height, W = src->width;
	int yn = y - sy; /* dst(y) = (1-f) src(y) + f src(y - sign) */
	yn = yn < 0 ? 0 : yn >= H ? H - 1 : yn;
	if (src->fmt == OGATE_PIX_U8)
		row_u8((uint8_t *)dst->pixels + (size_t)y * dst->stride, ogate_frame_row(src, y),
		       ogate_frame_row(src, yn), W, wy, wx, sx);
	else
		row_u16((uint16_t *)((char *)dst->pixels + (size_t)y * dst->stride),
			ogate_frame_row(src, y), ogate_frame_row(src, yn), W, wy, wx, sx);
}

void ogate_resample_subpixel_rows(struct ogate_frame *dst, const struct ogate_frame *src, double fy,
				  double fx, int y0, int step, int halo)
{
	int q = src->fmt == OGATE_PIX_U8 ? 16 : 256; /* weight resolution */
	int wy = (int)lround(fabs(fy) * q), wx = (int)lround(fabs(fx) * q);
	int sy = fy > 0 ? 1 : -1, sx = fx > 0 ? 1 : -1;
	wy = wy > q ? q : wy;
	wx = wx > q ? q : wx;
	int H = src->height;
	dst->meta = src->meta;
	if (src->width > RS_MAXW) {
		ogate_frame_copy(dst, src);
		return;
	}
	if (step <= 2 * halo + 1) {
		step = 1;
		halo = 0;
		y0 = 0;
	}
	for (int k = y0; k - halo < H; k += step)
		for (int y = k - halo; y <= k + halo; y++)
			if (y >= 0 && y < H)
				resample_row(dst, src, y, wy, wx, sy, sx);
}

void ogate_resample_subpixel(struct ogate_frame *dst, const struct ogate_frame *src, double fy,
			     double fx)
{
	ogate_resample_subpixel_rows(dst, src, fy, fx, 0, 1, 0);
}

/* the widest kernels allowed (ogate_resample_isa): 2 AVX-512, 1 AVX2, 0 the plain loops */
static int isa_cap = 2;

/* the widest kernels this machine runs and ogate_resample_isa allows */
static int isa(void)
{
	int k = ogate_cpu_isa();
	return k < isa_cap ? k : isa_cap;
}

/* ogate_shift_sums_u8's body, compiled below with the baseline flags and for AVX2 and AVX-512:
 * at the baseline's 16 XMM registers the vectorized loop kept four of its five sums on the
 * stack (a load and a store each per 16 pixels); the wider register files hold them. Integer
 * sums that cannot overflow (see the block size), so every kernel gives the same sums. */
static inline __attribute__((always_inline)) void
shift_sums_body(const uint8_t *restrict a0, const uint8_t *restrict a1, const uint8_t *restrict a2,
		const uint8_t *restrict b0, const uint8_t *restrict b1, const uint8_t *restrict b2,
		int x0, int x1, int64_t sums[5])
{
	/* blocks of 1024 pixels: each term is at most 4 x 255^2 in magnitude, 1024 of them fit 32 bits */
	for (int xb = x0; xb < x1; xb += 1024) {
		int xe = xb + 1024 < x1 ? xb + 1024 : x1;
		int32_t yy = 0, xx = 0, xy = 0, ey = 0, ex = 0;
		for (int x = xb; x < xe; x++) {
			int32_t ay = a2[x] - a0[x], ax = a1[x + 1] - a1[x - 1];
			int32_t by = b2[x] - b0[x], bx = b1[x + 1] - b1[x - 1], e = b1[x] - a1[x];
			yy += ay * by;
			xx += ax * bx;
			xy += ax * by + ay * bx;
			ey += (ay + by) * e;
			ex += (ax + bx) * e;
		}
		sums[0] += yy;
		sums[1] += xx;
		sums[2] += xy;
		sums[3] += ey;
		sums[4] += ex;
	}
}

#define SHIFT_SUMS_U8(name, attr) \
	attr static void name(const uint8_t *restrict a0, const uint8_t *restrict a1, \
			      const uint8_t *restrict a2, const uint8_t *restrict b0, \
			      const uint8_t *restrict b1, const uint8_t *restrict b2, int x0, \
			      int x1, int64_t sums[5]) \
	{ \
		shift_sums_body(a0, a1, a2, b0, b1, b2, x0, x1, sums); \
	}

SHIFT_SUMS_U8(shift_sums_u8_plain, )
#if defined(__x86_64__)
SHIFT_SUMS_U8(shift_sums_u8_avx2, __attribute__((target("avx2"))))

#define T512 __attribute__((target("avx512f,avx512bw")))

/* 32 pixels from p as 16-bit words; only the bytes of m are read (the rest are 0) */
T512 static inline __m512i words32(const uint8_t *p, __mmask64 m)
{
	return _mm512_cvtepu8_epi16(_mm512_castsi512_si256(_mm512_maskz_loadu_epi8(m, p)));
}

/*
 * The AVX-512 kernel by hand: the vectorizer's loop took 64 pixels a step and left up to 63 of
 * a row to a scalar loop whose sums lived on the stack (at 506 pixels a row as slow as the
 * baseline). Here 32 pixels a step as 16-bit words, each product pair added by vpmaddwd into
 * 32-bit lanes (|pair| <= 2 x 130050), the row's last < 32 pixels one masked step (masked-off
 * pixels read as 0 in every row, so all their terms are 0). A block's lanes sum to the block's
 * int32 sum (which fits, as above; lane sums wrap modulo 2^32 if at all), the same integers as
 * the plain loop's.
 */
T512 static void shift_sums_u8_avx512(const uint8_t *restrict a0, const uint8_t *restrict a1,
				      const uint8_t *restrict a2, const uint8_t *restrict b0,
				      const uint8_t *restrict b1, const uint8_t *restrict b2,
				      int x0, int x1, int64_t sums[5])
{
	for (int xb = x0; xb < x1; xb += 1024) {
		int xe = xb + 1024 < x1 ? xb + 1024 : x1;
		__m512i yy = _mm512_setzero_si512(), xx = yy, xy = yy, ey = yy, ex = yy;
		for (int x = xb; x < xe; x += 32) {
			__mmask64 m = xe - x >= 32 ? (__mmask64)0xffffffff
						   : ((__mmask64)1 << (xe - x)) - 1;
			__m512i ay = _mm512_sub_epi16(words32(a2 + x, m), words32(a0 + x, m));
			__m512i by = _mm512_sub_epi16(words32(b2 + x, m), words32(b0 + x, m));
			__m512i ax = _mm512_sub_epi16(words32(a1 + x + 1, m), words32(a1 + x - 1, m));
			__m512i bx = _mm512_sub_epi16(words32(b1 + x + 1, m), words32(b1 + x - 1, m));
			__m512i e = _mm512_sub_epi16(words32(b1 + x, m), words32(a1 + x, m));
			yy = _mm512_add_epi32(yy, _mm512_madd_epi16(ay, by));
			xx = _mm512_add_epi32(xx, _mm512_madd_epi16(ax, bx));
			xy = _mm512_add_epi32(xy, _mm512_add_epi32(_mm512_madd_epi16(ax, by),
								   _mm512_madd_epi16(ay, bx)));
			ey = _mm512_add_epi32(ey, _mm512_madd_epi16(_mm512_add_epi16(ay, by), e));
			ex = _mm512_add_epi32(ex, _mm512_madd_epi16(_mm512_add_epi16(ax, bx), e));
		}
		sums[0] += (int32_t)_mm512_reduce_add_epi32(yy);
		sums[1] += (int32_t)_mm512_reduce_add_epi32(xx);
		sums[2] += (int32_t)_mm512_reduce_add_epi32(xy);
		sums[3] += (int32_t)_mm512_reduce_add_epi32(ey);
		sums[4] += (int32_t)_mm512_reduce_add_epi32(ex);
	}
}
#endif

void ogate_shift_sums_u8(const uint8_t *restrict a0, const uint8_t *restrict a1,
			 const uint8_t *restrict a2, const uint8_t *restrict b0,
			 const uint8_t *restrict b1, const uint8_t *restrict b2, int x0, int x1,
			 int64_t sums[5])
{
	int k = isa();
#if defined(__x86_64__)
	if (k == 2)
		shift_sums_u8_avx512(a0, a1, a2, b0, b1, b2, x0, x1, sums);
	else if (k == 1)
		shift_sums_u8_avx2(a0, a1, a2, b0, b1, b2, x0, x1, sums);
	else
#endif
		shift_sums_u8_plain(a0, a1, a2, b0, b1, b2, x0, x1, sums);
	(void)k;
}

static inline int clamp_px(int v, int hi)
{
	return v < 0 ? 0 : v > hi ? hi : v;
}

/* ext[x] = tmp[x - 1 + ix] for x < W + 3, the index clamped to 0 .. W - 1: one copy of the
 * columns inside and the edge values either side (a clamp per element does not vectorize) */
static void extend_row(int32_t *ext, const int32_t *tmp, int W, int ix)
{
	int a = 1 - ix, b = W + 1 - ix; /* x in [a, b): inside */
	if (a < 0)
		a = 0;
	if (b > W + 3)
		b = W + 3;
	if (a > W + 3)
		a = W + 3;
	if (b < a)
		b = a;
	for (int x = 0; x < a; x++)
		ext[x] = tmp[clamp_px(x - 1 + ix, W - 1)];
	memcpy(ext + a, tmp + (a - 1 + ix), sizeof(int32_t) * (size_t)(b - a));
	for (int x = b; x < W + 3; x++)
		ext[x] = tmp[clamp_px(x - 1 + ix, W - 1)];
}

/* the two passes of an 8-bit row of ogate_resample_taps4: from its four source rows the vertical
 * one into tmp, the columns extended, then the horizontal one (written for the vectorizer: the
 * kernels below are these bodies compiled for AVX2 and AVX-512, the same integer sums, so the
 * same bytes) */
static inline __attribute__((always_inline)) void
taps4_vert_u8(const uint8_t *restrict r0, const uint8_t *restrict r1, const uint8_t *restrict r2,
	      const uint8_t *restrict r3, int W, int ix, const int32_t cy[4], int32_t *restrict tmp,
	      int32_t *restrict ext)
{
	const int32_t c0 = cy[0], c1 = cy[1], c2 = cy[2], c3 = cy[3];
	for (int x = 0; x < W; x++) /* 1024 x 1024 x 255 fits 32 bits */
		tmp[x] = c0 * r0[x] + c1 * r1[x] + c2 * r2[x] + c3 * r3[x];
	extend_row(ext, tmp, W, ix);
}

static inline __attribute__((always_inline)) void
taps4_horiz_u8(uint8_t *restrict o, int W, const int32_t cx[4], const int32_t *restrict ext)
{
	const int32_t d0 = cx[0], d1 = cx[1], d2 = cx[2], d3 = cx[3];
	for (int x = 0; x < W; x++)
		o[x] = (uint8_t)((d0 * ext[x] + d1 * ext[x + 1] + d2 * ext[x + 2] +
				  d3 * ext[x + 3] + (1 << 19)) >>
				 20);
}

/* the 8-bit rows y0 + k r (k < nrows) of ogate_resample_taps4 into n frames, one vertical pass a
 * row for all (ogate_resample_taps4_multi; ogate_resample_taps4 is n = 1) */
#define TAPS4M_U8(name, attr) \
	attr static void name(struct ogate_frame *const *dst, const struct ogate_frame *src, \
			      int iy, int ix, const int32_t cy[4], const int32_t(*cx)[4], int n, \
			      int y0, int r, int nrows, int32_t *tmp, int32_t *ext) \
	{ \
		int W = src->width, H = src->height; \
		for (int k = 0; k < nrows; k++) { \
			int y = y0 + k * r; \
			taps4_vert_u8(ogate_frame_row(src, clamp_px(y + iy - 1, H - 1)), \
				      ogate_frame_row(src, clamp_px(y + iy, H - 1)), \
				      ogate_frame_row(src, clamp_px(y + iy + 1, H - 1)), \
				      ogate_frame_row(src, clamp_px(y + iy + 2, H - 1)), W, ix, \
				      cy, tmp, ext); \
			for (int j = 0; j < n; j++) \
				taps4_horiz_u8((uint8_t *)dst[j]->pixels + (size_t)y * dst[j]->stride, \
					       W, cx[j], ext); \
		} \
	}

TAPS4M_U8(taps4m_u8_plain, )
#if defined(__x86_64__)
TAPS4M_U8(taps4m_u8_avx2, __attribute__((target("avx2"))))
TAPS4M_U8(taps4m_u8_avx512, __attribute__((target("avx512f,avx512bw"))))
#endif

int ogate_resample_isa(int cap)
{
	int old = isa_cap;
	isa_cap = cap;
	return old;
}

void ogate_resample_taps4(struct ogate_frame *dst, const struct ogate_frame *src, int iy, int ix,
			  const int32_t cy[4], const int32_t cx[4], int y0, int r, int nrows)
{
	if (src->fmt == OGATE_PIX_U8) { /* the kernels of the multi-frame pass, one frame */
		ogate_resample_taps4_multi(&dst, src, iy, ix, cy, (const int32_t(*)[4])cx, 1, y0, r,
					   nrows);
		return;
	}
	int W = src->width, H = src->height;
	int32_t tmp[W], ext[W + 3]; /* ext[x + u]: column x + u - 1 + ix after the first pass */
	for (int k = 0; k < nrows; k++) {
		int y = y0 + k * r;
		const uint16_t *r0 = ogate_frame_row(src, clamp_px(y + iy - 1, H - 1)),
			       *r1 = ogate_frame_row(src, clamp_px(y + iy, H - 1)),
			       *r2 = ogate_frame_row(src, clamp_px(y + iy + 1, H - 1)),
			       *r3 = ogate_frame_row(src, clamp_px(y + iy + 2, H - 1));
		for (int x = 0; x < W; x++)
			tmp[x] = cy[0] * r0[x] + cy[1] * r1[x] + cy[2] * r2[x] + cy[3] * r3[x];
		extend_row(ext, tmp, W, ix);
		uint16_t *o = (uint16_t *)((char *)dst->pixels + (size_t)y * dst->stride);
		for (int x = 0; x < W; x++)
			o[x] = (uint16_t)(((int64_t)cx[0] * ext[x] + (int64_t)cx[1] * ext[x + 1] +
					   (int64_t)cx[2] * ext[x + 2] +
					   (int64_t)cx[3] * ext[x + 3] + (1 << 19)) >>
					  20);
	}
	dst->meta = src->meta;
}

void ogate_resample_taps4_multi(struct ogate_frame *const *dst, const struct ogate_frame *src,
				int iy, int ix, const int32_t cy[4], const int32_t (*cx)[4], int n,
				int y0, int r, int nrows)
{
	if (src->fmt != OGATE_PIX_U8) {
		for (int j = 0; j < n; j++)
			ogate_resample_taps4(dst[j], src, iy, ix, cy, cx[j], y0, r, nrows);
		return;
	}
	int W = src->width;
	int32_t tmp[W], ext[W + 3];
	int k = isa();
#if defined(__x86_64__)
	if (k == 2)
		taps4m_u8_avx512(dst, src, iy, ix, cy, cx, n, y0, r, nrows, tmp, ext);
	else if (k == 1)
		taps4m_u8_avx2(dst, src, iy, ix, cy, cx, n, y0, r, nrows, tmp, ext);
	else
#endif
		taps4m_u8_plain(dst, src, iy, ix, cy, cx, n, y0, r, nrows, tmp, ext);
	(void)k;
	for (int j = 0; j < n; j++)
		dst[j]->meta = src->meta;
}
