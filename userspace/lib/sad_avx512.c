// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * AVX-512 (F + BW) SAD back end, chosen at run time: built with target attributes (the file is
 * compiled with the library's plain flags on every machine, empty off x86), called only when the
 * CPU reports both. 64 bytes a vector; a row's tail is one masked load (the masked-off bytes are
 * neither read nor counted), so every sum is the scalar one exactly. The SSD and dot product
 * kernels are AVX2's (sad_avx2.c): the full search's SADs are what a frame waits for at 512^2.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "cpu_isa.h"
#include "sad_private.h"

#define T512 __attribute__((target("avx512f,avx512bw")))

static int have_avx512(void)
{
	return ogate_cpu_isa() == 2;
}

/* the last r bytes of a 64-byte vector (0 < r < 64) */
static inline __mmask64 tail8(int r)
{
	return ((__mmask64)1 << r) - 1;
}

T512 static inline __m512i load8(const uint8_t *p)
{
	return _mm512_loadu_si512((const void *)p);
}

T512 static inline uint64_t hsum512(__m512i v)
{
	return (uint64_t)_mm512_reduce_add_epi64(v);
}

T512 static uint64_t avx512_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	__m512i acc = _mm512_setzero_si512(), acc2 = acc;
	const int r = w & 63;
	const __mmask64 m = tail8(r);
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		int x = 0;
		for (; x + 128 <= w; x += 128) {
			acc = _mm512_add_epi64(acc, _mm512_sad_epu8(load8(pa + x), load8(pb + x)));
			acc2 = _mm512_add_epi64(acc2, _mm512_sad_epu8(load8(pa + x + 64),
								      load8(pb + x + 64)));
		}
		for (; x + 64 <= w; x += 64)
			acc = _mm512_add_epi64(acc, _mm512_sad_epu8(load8(pa + x), load8(pb + x)));
		if (r)
			acc2 = _mm512_add_epi64(acc2,
						_mm512_sad_epu8(_mm512_maskz_loadu_epi8(m, pa + x),
								_mm512_maskz_loadu_epi8(m, pb + x)));
	}
	return hsum512(_mm512_add_epi64(acc, acc2));
}

/* |a - b| of 32 16-bit pairs, its low and high bytes summed separately (exact: 64-bit lanes) */
T512 static inline void sad16(__m512i va, __m512i vb, __m512i *lo, __m512i *hi)
{
	const __m512i zero = _mm512_setzero_si512(), lomask = _mm512_set1_epi16(0xff);
	__m512i d = _mm512_or_si512(_mm512_subs_epu16(va, vb), _mm512_subs_epu16(vb, va));
	*lo = _mm512_add_epi64(*lo, _mm512_sad_epu8(_mm512_and_si512(d, lomask), zero));
	*hi = _mm512_add_epi64(*hi, _mm512_sad_epu8(_mm512_srli_epi16(d, 8), zero));
}

T512 static uint64_t avx512_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	__m512i lo = _mm512_setzero_si512(), hi = lo;
	const int r = w & 31;
	const __mmask32 m = ((__mmask32)1 << r) - 1;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 32 <= w; x += 32)
			sad16(_mm512_loadu_si512((const void *)(pa + x)),
			      _mm512_loadu_si512((const void *)(pb + x)), &lo, &hi);
		if (r)
			sad16(_mm512_maskz_loadu_epi16(m, pa + x),
			      _mm512_maskz_loadu_epi16(m, pb + x), &lo, &hi);
	}
	return hsum512(lo) + 256 * hsum512(hi);
}

/* one frame against four: each 64-byte vector of the frame is loaded once */
T512 static void avx512_u8_x4(const uint8_t *a, size_t as, const uint8_t *const b[4], size_t bs,
			      int w, int h, uint64_t out[4])
{
	__m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
	const int r = w & 63;
	const __mmask64 m = tail8(r);
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as;
		size_t ro = (size_t)y * bs;
		const uint8_t *p0 = b[0] + ro, *p1 = b[1] + ro, *p2 = b[2] + ro, *p3 = b[3] + ro;
		int x = 0;
		for (; x + 64 <= w; x += 64) {
			__m512i va = load8(pa + x);
			acc0 = _mm512_add_epi64(acc0, _mm512_sad_epu8(va, load8(p0 + x)));
			acc1 = _mm512_add_epi64(acc1, _mm512_sad_epu8(va, load8(p1 + x)));
			acc2 = _mm512_add_epi64(acc2, _mm512_sad_epu8(va, load8(p2 + x)));
			acc3 = _mm512_add_epi64(acc3, _mm512_sad_epu8(va, load8(p3 + x)));
		}
		if (r) {
			__m512i va = _mm512_maskz_loadu_epi8(m, pa + x);
			acc0 = _mm512_add_epi64(
				acc0, _mm512_sad_epu8(va, _mm512_maskz_loadu_epi8(m, p0 + x)));
			acc1 = _mm512_add_epi64(
				acc1, _mm512_sad_epu8(va, _mm512_maskz_loadu_epi8(m, p1 + x)));
			acc2 = _mm512_add_epi64(
				acc2, _mm512_sad_epu8(va, _mm512_maskz_loadu_epi8(m, p2 + x)));
			acc3 = _mm512_add_epi64(
				acc3, _mm512_sad_epu8(va, _mm512_maskz_loadu_epi8(m, p3 + x)));
		}
	}
	out[0] = hsum512(acc0);
	out[1] = hsum512(acc1);
	out[2] = hsum512(acc2);
	out[3] = hsum512(acc3);
}

const struct ogate_sad ogate_sad_avx512 = {
	.name = "avx512",
	.available = have_avx512,
	.u8 = avx512_u8,
	.u16 = avx512_u16,
	.u8_x4 = avx512_u8_x4,
	.ssd_u8 = ogate_sad_avx2_ssd_u8,
	.ssd_u16 = ogate_sad_avx2_ssd_u16,
	.ssd_u8_x4 = ogate_sad_avx2_ssd_u8_x4,
	.dot_u8 = ogate_sad_avx2_dot_u8,
	.bin4_u8 = ogate_sad_avx2_bin4_u8,
};
#else
typedef int sad_avx512_is_x86_only; /* an empty file is not a translation unit */
#endif
