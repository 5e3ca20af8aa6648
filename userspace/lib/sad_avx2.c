// SPDX-License-Identifier: GPL-2.0 OR MIT
/* AVX2 SAD back end (built with -mavx2; only called when the CPU reports AVX2). */
#include <immintrin.h>
#include "cpu_isa.h"
#include "sad_private.h"

static int have_avx2(void)
{
	return ogate_cpu_isa() >= 1;
}

/* 32 zero bytes then 32 0xff bytes: loadu(tailmask + r) keeps the last r bytes of a vector.
 * Row tails are done with one overlapping load at the row end, masked, instead of scalar code. */
static const uint8_t tailmask[64] = {
	0,   0,	  0,   0,   0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,
	0,   0,	  0,   0,   0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

static uint64_t hsum256(__m256i v)
{
	__m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
#if defined(__x86_64__)
	return (uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1);
#else /* through memory, as sad_sse2.c's hsum */
	uint64_t lane[2];

	_mm_storeu_si128((__m128i *)lane, s);
	return lane[0] + lane[1];
#endif
}

static uint64_t avx2_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	__m256i acc = _mm256_setzero_si256(), acc2 = _mm256_setzero_si256();
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		int x = 0;
		for (; x + 64 <= w; x += 64) {
			acc = _mm256_add_epi64(
				acc, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(pa + x)),
						     _mm256_loadu_si256((const __m256i *)(pb + x))));
			acc2 = _mm256_add_epi64(
				acc2,
				_mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(pa + x + 32)),
						_mm256_loadu_si256((const __m256i *)(pb + x + 32))));
		}
		for (; x + 32 <= w; x += 32)
			acc = _mm256_add_epi64(
				acc, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(pa + x)),
						     _mm256_loadu_si256((const __m256i *)(pb + x))));
		if (x < w && w >= 32) {
			__m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + (w - x)));
			__m256i va =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + w - 32)), m);
			__m256i vb =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pb + w - 32)), m);
			acc2 = _mm256_add_epi64(acc2, _mm256_sad_epu8(va, vb));
			x = w;
		}
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return hsum256(_mm256_add_epi64(acc, acc2)) + tail;
}

static uint64_t avx2_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	const __m256i zero = _mm256_setzero_si256(), lomask = _mm256_set1_epi16(0xff);
	__m256i lo = zero, hi = zero;
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 16 <= w; x += 16) {
			__m256i va = _mm256_loadu_si256((const __m256i *)(pa + x));
			__m256i vb = _mm256_loadu_si256((const __m256i *)(pb + x));
			__m256i d = _mm256_or_si256(_mm256_subs_epu16(va, vb),
						    _mm256_subs_epu16(vb, va));
			lo = _mm256_add_epi64(lo, _mm256_sad_epu8(_mm256_and_si256(d, lomask), zero));
			hi = _mm256_add_epi64(hi, _mm256_sad_epu8(_mm256_srli_epi16(d, 8), zero));
		}
		if (x < w && w >= 16) {
			__m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + 2 * (w - x)));
			__m256i va =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + w - 16)), m);
			__m256i vb =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pb + w - 16)), m);
			__m256i d = _mm256_or_si256(_mm256_subs_epu16(va, vb),
						    _mm256_subs_epu16(vb, va));
			lo = _mm256_add_epi64(lo, _mm256_sad_epu8(_mm256_and_si256(d, lomask), zero));
			hi = _mm256_add_epi64(hi, _mm256_sad_epu8(_mm256_srli_epi16(d, 8), zero));
			x = w;
		}
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return hsum256(lo) + 256 * hsum256(hi) + tail;
}

static void avx2_u8_x4(const uint8_t *a, size_t as, const uint8_t *const b[4], size_t bs, int w,
		       int h, uint64_t out[4])
{
	if (w < 32) {
		for (int k = 0; k < 4; k++)
			out[k] = avx2_u8(a, as, b[k], bs, w, h);
		return;
	}
	__m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
	const __m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + (w & 31)));
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as;
		size_t ro = (size_t)y * bs;
		const uint8_t *p0 = b[0] + ro, *p1 = b[1] + ro, *p2 = b[2] + ro, *p3 = b[3] + ro;
		int x = 0;
		for (; x + 32 <= w; x += 32) {
			__m256i va = _mm256_loadu_si256((const __m256i *)(pa + x));
			acc0 = _mm256_add_epi64(
				acc0,
				_mm256_sad_epu8(va, _mm256_loadu_si256((const __m256i *)(p0 + x))));
			acc1 = _mm256_add_epi64(
				acc1,
				_mm256_sad_epu8(va, _mm256_loadu_si256((const __m256i *)(p1 + x))));
			acc2 = _mm256_add_epi64(
				acc2,
				_mm256_sad_epu8(va, _mm256_loadu_si256((const __m256i *)(p2 + x))));
			acc3 = _mm256_add_epi64(
				acc3,
				_mm256_sad_epu8(va, _mm256_loadu_si256((const __m256i *)(p3 + x))));
		}
		if (x < w) {
			int o = w - 32;
			__m256i va = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + o)), m);
#define TAIL(acc, p) \
	acc = _mm256_add_epi64( \
		acc, \
		_mm256_sad_epu8(va, \
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)((p) + o)), m)))
			TAIL(acc0, p0);
			TAIL(acc1, p1);
			TAIL(acc2, p2);
			TAIL(acc3, p3);
#undef TAIL
		}
	}
	out[0] = hsum256(acc0);
	out[1] = hsum256(acc1);
	out[2] = hsum256(acc2);
	out[3] = hsum256(acc3);
}

uint64_t ogate_sad_avx2_dot_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		/* 32-bit lanes: each madd adds <= 2 * 65025 per lane; 16 px per step, so a row of
		 * 65536 px adds at most 4096 * 130050 < 2^31 per lane */
		__m256i acc = _mm256_setzero_si256();
		int x = 0;
		for (; x + 16 <= w; x += 16) {
			__m256i va = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(pa + x)));
			__m256i vb = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(pb + x)));
			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
		}
		__m128i s4 =
			_mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
		uint32_t l[4];
		_mm_storeu_si128((__m128i *)l, s4);
		sum += (uint64_t)l[0] + l[1] + l[2] + l[3];
		for (; x < w; x++)
			sum += (uint32_t)pa[x] * pb[x];
	}
	return sum;
}

/* squared differences of 32 byte pairs, summed pairwise into eight 32-bit lanes (<= 4 * 65025;
 * the unpacks work within 128-bit halves, which a sum does not mind) */
static __m256i sq32_u8(__m256i va, __m256i vb)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i dl = _mm256_sub_epi16(_mm256_unpacklo_epi8(va, zero), _mm256_unpacklo_epi8(vb, zero));
	__m256i dh = _mm256_sub_epi16(_mm256_unpackhi_epi8(va, zero), _mm256_unpackhi_epi8(vb, zero));
	return _mm256_add_epi32(_mm256_madd_epi16(dl, dl), _mm256_madd_epi16(dh, dh));
}

/* 32-bit lanes per row (a row of 65536 px adds at most 2048 * 260100 < 2^31 per lane), widened
 * into 64-bit lanes after each row */
uint64_t ogate_sad_avx2_ssd_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i acc = zero;
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		__m256i row = zero;
		int x = 0;
		for (; x + 32 <= w; x += 32)
			row = _mm256_add_epi32(row,
					       sq32_u8(_mm256_loadu_si256((const __m256i *)(pa + x)),
						       _mm256_loadu_si256((const __m256i *)(pb + x))));
		if (x < w && w >= 32) {
			__m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + (w - x)));
			__m256i va =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + w - 32)), m);
			__m256i vb =
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pb + w - 32)), m);
			row = _mm256_add_epi32(row, sq32_u8(va, vb));
			x = w;
		}
		acc = _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_unpacklo_epi32(row, zero),
							     _mm256_unpackhi_epi32(row, zero)));
		for (; x < w; x++) {
			int d = (int)pa[x] - (int)pb[x];
			tail += (uint64_t)(d * d);
		}
	}
	return hsum256(acc) + tail;
}

/* the squared differences of one 32-byte vector of the frame (widened: al, ah) against b's,
 * added into a row's 32-bit lanes */
static inline __attribute__((always_inline)) __m256i sq32_x4(__m256i row, __m256i al, __m256i ah,
							     __m256i vb)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i dl = _mm256_sub_epi16(al, _mm256_unpacklo_epi8(vb, zero));
	__m256i dh = _mm256_sub_epi16(ah, _mm256_unpackhi_epi8(vb, zero));
	return _mm256_add_epi32(row, _mm256_add_epi32(_mm256_madd_epi16(dl, dl),
						      _mm256_madd_epi16(dh, dh)));
}

/* a row's 32-bit lanes widened into 64-bit ones */
static inline __m256i widen_x4(__m256i acc, __m256i row)
{
	const __m256i zero = _mm256_setzero_si256();
	return _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_unpacklo_epi32(row, zero),
						      _mm256_unpackhi_epi32(row, zero)));
}

/* SSD of one frame against four others: each 32-byte vector of the frame is loaded and widened
 * once. 32-bit lanes per row (as ogate_sad_avx2_ssd_u8), widened into 64-bit lanes after each row.
 * The four frames are written out (not a loop over arrays of sums, which GCC kept on the stack:
 * a load and a store of each row sum per vector) and the row's last partial vector is one masked
 * step after the loop, as before: the same lane sums in the same order. */
void ogate_sad_avx2_ssd_u8_x4(const uint8_t *a, size_t as, const uint8_t *const b[4], size_t bs,
			      int w, int h, uint64_t out[4])
{
	if (w < 32) {
		for (int k = 0; k < 4; k++)
			out[k] = ogate_sad_avx2_ssd_u8(a, as, b[k], bs, w, h);
		return;
	}
	const __m256i zero = _mm256_setzero_si256();
	const __m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + (w & 31)));
	__m256i acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as;
		size_t ro = (size_t)y * bs;
		const uint8_t *p0 = b[0] + ro, *p1 = b[1] + ro, *p2 = b[2] + ro, *p3 = b[3] + ro;
		__m256i row0 = zero, row1 = zero, row2 = zero, row3 = zero;
		int x = 0;
		for (; x + 32 <= w; x += 32) {
			__m256i va = _mm256_loadu_si256((const __m256i *)(pa + x));
			__m256i al = _mm256_unpacklo_epi8(va, zero),
				ah = _mm256_unpackhi_epi8(va, zero);
			row0 = sq32_x4(row0, al, ah, _mm256_loadu_si256((const __m256i *)(p0 + x)));
			row1 = sq32_x4(row1, al, ah, _mm256_loadu_si256((const __m256i *)(p1 + x)));
			row2 = sq32_x4(row2, al, ah, _mm256_loadu_si256((const __m256i *)(p2 + x)));
			row3 = sq32_x4(row3, al, ah, _mm256_loadu_si256((const __m256i *)(p3 + x)));
		}
		if (x < w) {
			int o = w - 32;
			__m256i va = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + o)), m);
			__m256i al = _mm256_unpacklo_epi8(va, zero),
				ah = _mm256_unpackhi_epi8(va, zero);
#define TAIL(row, p) \
	row = sq32_x4(row, al, ah, \
		      _mm256_and_si256(_mm256_loadu_si256((const __m256i *)((p) + o)), m))
			TAIL(row0, p0);
			TAIL(row1, p1);
			TAIL(row2, p2);
			TAIL(row3, p3);
#undef TAIL
		}
		acc0 = widen_x4(acc0, row0);
		acc1 = widen_x4(acc1, row1);
		acc2 = widen_x4(acc2, row2);
		acc3 = widen_x4(acc3, row3);
	}
	out[0] = hsum256(acc0);
	out[1] = hsum256(acc1);
	out[2] = hsum256(acc2);
	out[3] = hsum256(acc3);
}

/* d * d of sixteen 16-bit |differences| as exact 32-bit products, added into 64-bit lanes */
static __m256i sq16_u16(__m256i acc, __m256i va, __m256i vb)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i d = _mm256_or_si256(_mm256_subs_epu16(va, vb), _mm256_subs_epu16(vb, va));
	__m256i lo = _mm256_mullo_epi16(d, d), hi = _mm256_mulhi_epu16(d, d);
	__m256i p0 = _mm256_unpacklo_epi16(lo, hi), p1 = _mm256_unpackhi_epi16(lo, hi);
	acc = _mm256_add_epi64(acc, _mm256_unpacklo_epi32(p0, zero));
	acc = _mm256_add_epi64(acc, _mm256_unpackhi_epi32(p0, zero));
	acc = _mm256_add_epi64(acc, _mm256_unpacklo_epi32(p1, zero));
	return _mm256_add_epi64(acc, _mm256_unpackhi_epi32(p1, zero));
}

uint64_t ogate_sad_avx2_ssd_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	__m256i acc = _mm256_setzero_si256();
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 16 <= w; x += 16)
			acc = sq16_u16(acc, _mm256_loadu_si256((const __m256i *)(pa + x)),
				       _mm256_loadu_si256((const __m256i *)(pb + x)));
		if (x < w && w >= 16) {
			__m256i m = _mm256_loadu_si256((const __m256i *)(tailmask + 2 * (w - x)));
			acc = sq16_u16(
				acc,
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pa + w - 16)), m),
				_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(pb + w - 16)), m));
			x = w;
		}
		for (; x < w; x++) {
			uint64_t d = pa[x] > pb[x] ? (uint64_t)(pa[x] - pb[x])
						   : (uint64_t)(pb[x] - pa[x]);
			tail += d * d;
		}
	}
	return hsum256(acc) + tail;
}

/* 4 x 4 sums: a row's pixel pairs in 16-bit lanes (their low and high bytes added), four rows
 * added, then the lanes' pairs (madd: 32-bit), packed back to 16 bits in order (at most 4080) */
void ogate_sad_avx2_bin4_u8(const uint8_t *a, size_t as, uint16_t *o, size_t os, int bw, int bh)
{
	const __m256i lo = _mm256_set1_epi16(0xff), one = _mm256_set1_epi16(1);
	for (int y = 0; y < bh; y++) {
		const uint8_t *p = a + (size_t)(4 * y) * as;
		uint16_t *r = (uint16_t *)((char *)o + (size_t)y * os);
		int x = 0;
		for (; x + 16 <= bw; x += 16) {
			__m256i s0 = _mm256_setzero_si256(), s1 = s0;
			for (int i = 0; i < 4; i++) {
				const uint8_t *q = p + (size_t)i * as + 4 * x;
				__m256i u = _mm256_loadu_si256((const __m256i *)q);
				__m256i v = _mm256_loadu_si256((const __m256i *)(q + 32));
				s0 = _mm256_add_epi16(s0, _mm256_add_epi16(_mm256_and_si256(u, lo),
									   _mm256_srli_epi16(u, 8)));
				s1 = _mm256_add_epi16(s1, _mm256_add_epi16(_mm256_and_si256(v, lo),
									   _mm256_srli_epi16(v, 8)));
			}
			__m256i w = _mm256_packs_epi32(_mm256_madd_epi16(s0, one),
						       _mm256_madd_epi16(s1, one));
			_mm256_storeu_si256((__m256i *)(r + x), _mm256_permute4x64_epi64(w, 0xd8));
		}
		for (; x < bw; x++)
			r[x] = ogate_sad_bin4_block(p, as, x);
	}
}

const struct ogate_sad ogate_sad_avx2 = {
	.name = "avx2",
	.available = have_avx2,
	.u8 = avx2_u8,
	.u16 = avx2_u16,
	.u8_x4 = avx2_u8_x4,
	.ssd_u8 = ogate_sad_avx2_ssd_u8,
	.ssd_u16 = ogate_sad_avx2_ssd_u16,
	.ssd_u8_x4 = ogate_sad_avx2_ssd_u8_x4,
	.dot_u8 = ogate_sad_avx2_dot_u8,
	.bin4_u8 = ogate_sad_avx2_bin4_u8,
};
