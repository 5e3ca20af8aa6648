// SPDX-License-Identifier: GPL-2.0 OR MIT
/* SSE2 SAD back end (built with -msse2). */
#include <emmintrin.h>
#include "sad_private.h"

static int have_sse2(void)
{
	return __builtin_cpu_supports("sse2");
}

/* 16 zero bytes then 16 0xff bytes: loadu(tailmask + r) keeps the last r bytes (see sad_avx2.c). */
static const uint8_t tailmask[32] = {
	0,   0,	  0,   0,   0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

static uint64_t hsum(__m128i v)
{
#if defined(__x86_64__)
	return (uint64_t)_mm_cvtsi128_si64(v) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
#else /* i386 has no 64-bit moves out of a vector: through memory */
	uint64_t lane[2];

	_mm_storeu_si128((__m128i *)lane, v);
	return lane[0] + lane[1];
#endif
}

static uint64_t sse2_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	__m128i acc = _mm_setzero_si128();
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		int x = 0;
		for (; x + 16 <= w; x += 16)
			acc = _mm_add_epi64(acc,
					    _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(pa + x)),
							 _mm_loadu_si128((const __m128i *)(pb + x))));
		if (x < w && w >= 16) {
			__m128i m = _mm_loadu_si128((const __m128i *)(tailmask + (w - x)));
			acc = _mm_add_epi64(
				acc,
				_mm_sad_epu8(
					_mm_and_si128(_mm_loadu_si128((const __m128i *)(pa + w - 16)), m),
					_mm_and_si128(_mm_loadu_si128((const __m128i *)(pb + w - 16)),
						      m)));
			x = w;
		}
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return hsum(acc) + tail;
}

/* |a-b| per 16-bit lane, then sum low bytes and high bytes separately with psadbw
 * (64-bit accumulators, no overflow): total = lo + 256 * hi. */
static uint64_t sse2_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	const __m128i zero = _mm_setzero_si128(), lomask = _mm_set1_epi16(0xff);
	__m128i lo = zero, hi = zero;
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 8 <= w; x += 8) {
			__m128i va = _mm_loadu_si128((const __m128i *)(pa + x));
			__m128i vb = _mm_loadu_si128((const __m128i *)(pb + x));
			__m128i d = _mm_or_si128(_mm_subs_epu16(va, vb), _mm_subs_epu16(vb, va));
			lo = _mm_add_epi64(lo, _mm_sad_epu8(_mm_and_si128(d, lomask), zero));
			hi = _mm_add_epi64(hi, _mm_sad_epu8(_mm_srli_epi16(d, 8), zero));
		}
		if (x < w && w >= 8) {
			__m128i m = _mm_loadu_si128((const __m128i *)(tailmask + 2 * (w - x)));
			__m128i va = _mm_and_si128(_mm_loadu_si128((const __m128i *)(pa + w - 8)), m);
			__m128i vb = _mm_and_si128(_mm_loadu_si128((const __m128i *)(pb + w - 8)), m);
			__m128i d = _mm_or_si128(_mm_subs_epu16(va, vb), _mm_subs_epu16(vb, va));
			lo = _mm_add_epi64(lo, _mm_sad_epu8(_mm_and_si128(d, lomask), zero));
			hi = _mm_add_epi64(hi, _mm_sad_epu8(_mm_srli_epi16(d, 8), zero));
			x = w;
		}
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return hsum(lo) + 256 * hsum(hi) + tail;
}

/* squared differences of 16 byte pairs, summed pairwise into four 32-bit lanes (<= 4 * 65025) */
static __m128i sq16_u8(__m128i va, __m128i vb)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i dl = _mm_sub_epi16(_mm_unpacklo_epi8(va, zero), _mm_unpacklo_epi8(vb, zero));
	__m128i dh = _mm_sub_epi16(_mm_unpackhi_epi8(va, zero), _mm_unpackhi_epi8(vb, zero));
	return _mm_add_epi32(_mm_madd_epi16(dl, dl), _mm_madd_epi16(dh, dh));
}

/* 32-bit lanes per row (a row of 65536 px adds at most 4096 * 260100 < 2^31 per lane), widened
 * into 64-bit lanes after each row */
static uint64_t sse2_ssd_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i acc = zero;
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		__m128i row = zero;
		int x = 0;
		for (; x + 16 <= w; x += 16)
			row = _mm_add_epi32(row, sq16_u8(_mm_loadu_si128((const __m128i *)(pa + x)),
							 _mm_loadu_si128((const __m128i *)(pb + x))));
		if (x < w && w >= 16) {
			__m128i m = _mm_loadu_si128((const __m128i *)(tailmask + (w - x)));
			row = _mm_add_epi32(
				row,
				sq16_u8(_mm_and_si128(_mm_loadu_si128((const __m128i *)(pa + w - 16)), m),
					_mm_and_si128(_mm_loadu_si128((const __m128i *)(pb + w - 16)),
						      m)));
			x = w;
		}
		acc = _mm_add_epi64(acc, _mm_add_epi64(_mm_unpacklo_epi32(row, zero),
						       _mm_unpackhi_epi32(row, zero)));
		for (; x < w; x++) {
			int d = (int)pa[x] - (int)pb[x];
			tail += (uint64_t)(d * d);
		}
	}
	return hsum(acc) + tail;
}

/* d * d of eight 16-bit |differences| as eight exact 32-bit products, added into 64-bit lanes */
static __m128i sq8_u16(__m128i acc, __m128i va, __m128i vb)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i d = _mm_or_si128(_mm_subs_epu16(va, vb), _mm_subs_epu16(vb, va));
	__m128i lo = _mm_mullo_epi16(d, d), hi = _mm_mulhi_epu16(d, d);
	__m128i p0 = _mm_unpacklo_epi16(lo, hi), p1 = _mm_unpackhi_epi16(lo, hi);
	acc = _mm_add_epi64(acc, _mm_unpacklo_epi32(p0, zero));
	acc = _mm_add_epi64(acc, _mm_unpackhi_epi32(p0, zero));
	acc = _mm_add_epi64(acc, _mm_unpacklo_epi32(p1, zero));
	return _mm_add_epi64(acc, _mm_unpackhi_epi32(p1, zero));
}

static uint64_t sse2_ssd_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	__m128i acc = _mm_setzero_si128();
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 8 <= w; x += 8)
			acc = sq8_u16(acc, _mm_loadu_si128((const __m128i *)(pa + x)),
				      _mm_loadu_si128((const __m128i *)(pb + x)));
		if (x < w && w >= 8) {
			__m128i m = _mm_loadu_si128((const __m128i *)(tailmask + 2 * (w - x)));
			acc = sq8_u16(acc,
				      _mm_and_si128(_mm_loadu_si128((const __m128i *)(pa + w - 8)), m),
				      _mm_and_si128(_mm_loadu_si128((const __m128i *)(pb + w - 8)), m));
			x = w;
		}
		for (; x < w; x++) {
			uint64_t d = pa[x] > pb[x] ? (uint64_t)(pa[x] - pb[x])
						   : (uint64_t)(pb[x] - pa[x]);
			tail += d * d;
		}
	}
	return hsum(acc) + tail;
}

/* 4 x 4 sums (as sad_avx2.c's), 8 a vector */
static void sse2_bin4_u8(const uint8_t *a, size_t as, uint16_t *o, size_t os, int bw, int bh)
{
	const __m128i lo = _mm_set1_epi16(0xff), one = _mm_set1_epi16(1);
	for (int y = 0; y < bh; y++) {
		const uint8_t *p = a + (size_t)(4 * y) * as;
		uint16_t *r = (uint16_t *)((char *)o + (size_t)y * os);
		int x = 0;
		for (; x + 8 <= bw; x += 8) {
			__m128i s0 = _mm_setzero_si128(), s1 = s0;
			for (int i = 0; i < 4; i++) {
				const uint8_t *q = p + (size_t)i * as + 4 * x;
				__m128i u = _mm_loadu_si128((const __m128i *)q);
				__m128i v = _mm_loadu_si128((const __m128i *)(q + 16));
				s0 = _mm_add_epi16(s0, _mm_add_epi16(_mm_and_si128(u, lo),
								     _mm_srli_epi16(u, 8)));
				s1 = _mm_add_epi16(s1, _mm_add_epi16(_mm_and_si128(v, lo),
								     _mm_srli_epi16(v, 8)));
			}
			_mm_storeu_si128((__m128i *)(r + x), _mm_packs_epi32(_mm_madd_epi16(s0, one),
									     _mm_madd_epi16(s1, one)));
		}
		for (; x < bw; x++)
			r[x] = ogate_sad_bin4_block(p, as, x);
	}
}

const struct ogate_sad ogate_sad_sse2 = {
	.name = "sse2",
	.available = have_sse2,
	.u8 = sse2_u8,
	.u16 = sse2_u16,
	.ssd_u8 = sse2_ssd_u8,
	.ssd_u16 = sse2_ssd_u16,
	.bin4_u8 = sse2_bin4_u8,
};
