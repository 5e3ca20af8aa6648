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
	return (uint64_t)_mm_cvtsi128_si64(v) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
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

const struct ogate_sad ogate_sad_sse2 = {
	.name = "sse2",
	.available = have_sse2,
	.u8 = sse2_u8,
	.u16 = sse2_u16,
};
