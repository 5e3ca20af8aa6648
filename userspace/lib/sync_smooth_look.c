// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's full look on 8-bit frames in integers: the per-pixel sums along the beat (sync_smooth.c's look_row_u8). */
#include <math.h>

#include "sync_private.h"
#if defined(__x86_64__)
#include <immintrin.h>

#include "cpu_isa.h"
#endif

/*
 * On 8-bit frames every sum the full look keeps per pixel is an integer: a pixel x <= 255, its
 * one-frame change d and the repeat's u = R A, v = R C (|R|, |A|, |C| <= 255, so |u|, |v| <=
 * 65025). sync_smooth.c kept them in doubles, exact (each below 2^53); here they are kept in
 * integer lanes of the width they need, so that they are the same numbers, turned into doubles
 * only where they are added across pixels (in the same order as before): every result is the
 * same to the last bit, without a conversion per sample. The limits: sum x^2 and sum d^2 <=
 * 65025 L fit 32 bits, and sum u and sum v (signed) too, while L <= SYNC_LOOK_U8_MAX_L; d^4 <=
 * 65025^2 < 2^32 and the products of u and v are added in 64 bits. The repeat's cross sum X1 =
 * sum (u v' + v u') is added as W1 = sum (u + v)(u' + v') (|u + v| <= 130050 fits 32 bits,
 * W1 within 33000 * 130050^2 < 2^63) and X1 = W1 - U1 - V1 taken at the end, the same integer
 * with one product a pixel fewer. On x86-64 with AVX-512 or
 * AVX2 (checked at run time) each block of pixels keeps its sums in registers over the whole beat
 * (the compiler did not vectorize the 64-bit products): blocks of 16 columns with AVX-512, then
 * of 8 / 4 with AVX2; the remaining columns, and other machines, take the plain loops. Integer
 * sums: the same whichever runs (sync_look_isa caps the width for the tests). The repeat's sums
 * are only ever added over a row's candidates (in doubles, exact below 2^53), so with AVX-512 a
 * row takes them as totals (sync_look_repeat_tot_u8: 16-bit lanes, two columns a 32-bit sum, about
 * a third of the per-column kernel's operations) wherever no lane can wrap, and the replacement
 * test runs in 8 double lanes (sync_look_pixels_u8): the same doubles either way.
 */

/* columns c0 .. n-1 of sync_look_sums_u8 */
static void sums_c(const uint8_t *const *rows, int L, int c0, int n, uint32_t *restrict sum,
		   uint32_t *restrict sum2, uint32_t *restrict p2, uint64_t *restrict p4)
{
	for (int c = c0; c < n; c++) {
		uint32_t x = rows[0][c];
		sum[c] = x;
		sum2[c] = x * x;
		p2[c] = 0;
		p4[c] = 0;
	}
	for (int j = 1; j < L; j++) {
		const uint8_t *restrict a = rows[j - 1], *restrict b = rows[j];
		for (int c = c0; c < n; c++) {
			uint32_t x = b[c];
			int32_t d = (int32_t)x - (int32_t)a[c];
			uint32_t d2 = (uint32_t)(d * d);
			sum[c] += x;
			sum2[c] += x * x;
			p2[c] += d2;
			p4[c] += (uint64_t)(d2 * d2);
		}
	}
}

/* columns c0 .. n-1 of sync_look_repeat_u8 */
static int repeat_c(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
		    int L, int c0, int n, int32_t *restrict up, int32_t *restrict vp,
		    int32_t *restrict su, int32_t *restrict sv, int64_t *restrict acc, int S)
{
	int64_t *uu = acc, *uv = acc + S, *vv = acc + 2 * (size_t)S, *u1 = acc + 3 * (size_t)S,
		*x1 = acc + 4 * (size_t)S, *v1 = acc + 5 * (size_t)S;
	for (int c = c0; c < n; c++) {
		su[c] = sv[c] = 0;
		uu[c] = uv[c] = vv[c] = u1[c] = x1[c] = v1[c] = 0;
	}
	int have = 0, first = 1, any = 0;
	for (int j = 0; j < L; j++) {
		if (!a[j]) {
			have = 0;
			first = 1; /* the next pair has no neighbour */
			continue;
		}
		if (have) {
			const uint8_t *r0 = r[j - 1], *r1 = r[j], *a0 = a[j - 1], *a1 = a[j];
			const uint8_t *q0 = cc[j - 1], *q1 = cc[j];
			for (int c = c0; c < n; c++) {
				int32_t R = (int32_t)r1[c] - r0[c];
				int32_t u = R * ((int32_t)a1[c] - a0[c]);
				int32_t v = R * ((int32_t)q1[c] - q0[c]);
				su[c] += u;
				sv[c] += v;
				uu[c] += (int64_t)u * u;
				uv[c] += (int64_t)u * v;
				vv[c] += (int64_t)v * v;
				if (!first) { /* x1 holds W1 = sum (u + v)(u' + v') until the end */
					u1[c] += (int64_t)u * up[c];
					x1[c] += (int64_t)(u + v) * (up[c] + vp[c]);
					v1[c] += (int64_t)v * vp[c];
				}
				up[c] = u;
				vp[c] = v;
			}
			first = 0;
			any = 1;
		}
		have = 1;
	}
	for (int c = c0; c < n; c++)
		x1[c] -= u1[c] + v1[c]; /* X1 = W1 - U1 - V1 */
	return any;
}

/* the widest kernels allowed (sync_look_isa): 2 AVX-512, 1 AVX2, 0 the plain loops */
static int isa_cap = 2;

int sync_look_isa(int cap)
{
	int old = isa_cap;
	isa_cap = cap;
	return old;
}

#if defined(__x86_64__)
/* the widest kernels this machine runs and sync_look_isa allows */
static int isa(void)
{
	int k = ogate_cpu_isa();
	return k < isa_cap ? k : isa_cap;
}

/* 8 pixels from p as 32-bit lanes */
__attribute__((target("avx2"))) static inline __m256i load8(const uint8_t *p)
{
	return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
}

/* 4 pixels from p as 64-bit lanes */
__attribute__((target("avx2"))) static inline __m256i load4(const uint8_t *p)
{
	int32_t w;
	__builtin_memcpy(&w, p, 4);
	return _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(w));
}

/* sums_c on blocks of 8 columns from c0, the sums in registers along the beat; the next column
 * not done */
__attribute__((target("avx2"))) static int sums_avx2(const uint8_t *const *rows, int L, int c0,
						     int n, uint32_t *sum, uint32_t *sum2,
						     uint32_t *p2, uint64_t *p4)
{
	int c = c0;
	for (; c + 8 <= n; c += 8) {
		__m256i x = load8(rows[0] + c), s = x, s2 = _mm256_mullo_epi32(x, x);
		__m256i q2 = _mm256_setzero_si256(), qe = q2, qo = q2;
		for (int j = 1; j < L; j++) {
			__m256i y = load8(rows[j] + c), d = _mm256_sub_epi32(y, x);
			__m256i d2 = _mm256_mullo_epi32(d, d);
			s = _mm256_add_epi32(s, y);
			s2 = _mm256_add_epi32(s2, _mm256_mullo_epi32(y, y));
			q2 = _mm256_add_epi32(q2, d2);
			qe = _mm256_add_epi64(qe, _mm256_mul_epu32(d2, d2)); /* lanes 0 2 4 6 */
			__m256i h = _mm256_srli_epi64(d2, 32);
			qo = _mm256_add_epi64(qo, _mm256_mul_epu32(h, h)); /* lanes 1 3 5 7 */
			x = y;
		}
		_mm256_storeu_si256((__m256i *)(sum + c), s);
		_mm256_storeu_si256((__m256i *)(sum2 + c), s2);
		_mm256_storeu_si256((__m256i *)(p2 + c), q2);
		uint64_t e[4], o[4];
		_mm256_storeu_si256((__m256i *)e, qe);
		_mm256_storeu_si256((__m256i *)o, qo);
		for (int k = 0; k < 4; k++) {
			p4[c + 2 * k] = e[k];
			p4[c + 2 * k + 1] = o[k];
		}
	}
	return c;
}

/* repeat_c on blocks of 4 columns from c0 in 64-bit lanes (the products of two int32: vpmuldq),
 * the sums in registers along the beat; the next column not done */
__attribute__((target("avx2"))) static int
repeat_avx2(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc, int L,
	    int c0, int n, const int32_t *want, int32_t *su, int32_t *sv, int64_t *acc, int S)
{
	int c = c0;
	for (; c + 4 <= n; c += 4) {
		if (want && want[c] < 0 && want[c + 1] < 0 && want[c + 2] < 0 && want[c + 3] < 0)
			continue; /* no candidate: sums not wanted */
		__m256i z = _mm256_setzero_si256(), Su = z, Sv = z, Uu = z, Uv = z, Vv = z, U1 = z,
			W1 = z, V1 = z, up = z, vp = z, wp = z, r0 = z, a0 = z, q0 = z;
		int have = 0, first = 1;
		for (int j = 0; j < L; j++) {
			if (!a[j]) {
				have = 0;
				first = 1;
				continue;
			}
			__m256i r1 = load4(r[j] + c), a1 = load4(a[j] + c), q1 = load4(cc[j] + c);
			if (have) {
				__m256i R = _mm256_sub_epi64(r1, r0);
				__m256i u = _mm256_mul_epi32(R, _mm256_sub_epi64(a1, a0));
				__m256i v = _mm256_mul_epi32(R, _mm256_sub_epi64(q1, q0));
				__m256i w = _mm256_add_epi64(u, v);
				Su = _mm256_add_epi64(Su, u);
				Sv = _mm256_add_epi64(Sv, v);
				Uu = _mm256_add_epi64(Uu, _mm256_mul_epi32(u, u));
				Uv = _mm256_add_epi64(Uv, _mm256_mul_epi32(u, v));
				Vv = _mm256_add_epi64(Vv, _mm256_mul_epi32(v, v));
				if (!first) {
					U1 = _mm256_add_epi64(U1, _mm256_mul_epi32(u, up));
					W1 = _mm256_add_epi64(W1, _mm256_mul_epi32(w, wp));
					V1 = _mm256_add_epi64(V1, _mm256_mul_epi32(v, vp));
				}
				up = u;
				vp = v;
				wp = w;
				first = 0;
			}
			r0 = r1;
			a0 = a1;
			q0 = q1;
			have = 1;
		}
		int64_t t[4];
		__m256i X1 = _mm256_sub_epi64(_mm256_sub_epi64(W1, U1), V1); /* W1 - U1 - V1 */
		__m256i all[8] = { Su, Sv, Uu, Uv, Vv, U1, X1, V1 };
		for (int k = 0; k < 8; k++) {
			_mm256_storeu_si256((__m256i *)t, all[k]);
			for (int i = 0; i < 4; i++)
				if (k == 0)
					su[c + i] = (int32_t)t[i];
				else if (k == 1)
					sv[c + i] = (int32_t)t[i];
				else
					acc[(size_t)(k - 2) * S + c + i] = t[i];
		}
	}
	return c;
}

/*
 * AVX-512 (F and BW): 16 columns a block in 32-bit lanes, every pixel zero-extended, so that a
 * difference taken in 16-bit lanes (vpsubw) leaves its 32-bit lane's upper half 0 and vpmaddwd
 * of two such lanes is their exact product (|x|, |d| <= 255: the 16-bit lanes hold them); the
 * 64-bit sums take the even lanes, then the odd ones shifted down (vpmuludq / vpmuldq read a
 * lane's low 32 bits). Half the instructions a pixel of the AVX2 blocks; each block walks the beat
 * through L frames a page or more apart, so the next cache line of every row it reads is
 * prefetched on the way (it is the next block's). The look of the 512^2 job: 36-57 ms with the
 * AVX2 blocks, 21-24 ms (docs/accuracy-log.md, prune512); the same integers. The previous beat's
 * frames are consecutive, so frame j's row a is frame j-1's row c: read once where the pointers
 * are the same. With their sums in registers the blocks are bound by the count of 512-bit
 * operations, not by the memory: the same rows hot in the cache take as long (look512).
 */
#define L512 __attribute__((target("avx512f,avx512bw")))

/* 16 pixels from p as 32-bit lanes */
L512 static inline __m512i load16(const uint8_t *p)
{
	return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p));
}

/* 8 64-bit lanes e (pixels 0 2 .. 14) and o (1 3 .. 15) into out[0..15] */
L512 static inline void store_eo(int64_t *out, __m512i e, __m512i o)
{
	int64_t te[8], to[8];
	_mm512_storeu_si512(te, e);
	_mm512_storeu_si512(to, o);
	for (int k = 0; k < 8; k++) {
		out[2 * k] = te[k];
		out[2 * k + 1] = to[k];
	}
}

/* sums_c on NB blocks of 16 columns from c, the sums in registers along the beat: inlined with
 * NB a constant (4 or 1), so that its blocks' sums stay in registers (with NB a variable they
 * were kept on the stack, a load and a store for every sum at every frame) */
L512 static inline __attribute__((always_inline)) void sums512_blocks(const uint8_t *const *rows,
								      int L, int c, const int NB,
								      uint32_t *sum, uint32_t *sum2,
								      uint32_t *p2, uint64_t *p4)
{
	__m512i x[4], s[4], s2[4], q2[4], qe[4], qo[4];
#pragma GCC unroll 4
	for (int b = 0; b < NB; b++) {
		x[b] = load16(rows[0] + c + 16 * b);
		s[b] = x[b];
		s2[b] = _mm512_madd_epi16(x[b], x[b]);
		q2[b] = qe[b] = qo[b] = _mm512_setzero_si512();
	}
	for (int j = 1; j < L; j++) {
		_mm_prefetch((const char *)rows[j] + c + 64, _MM_HINT_T0);
#pragma GCC unroll 4
		for (int b = 0; b < NB; b++) {
			__m512i y = load16(rows[j] + c + 16 * b), d = _mm512_sub_epi16(y, x[b]);
			__m512i d2 = _mm512_madd_epi16(d, d);
			s[b] = _mm512_add_epi32(s[b], y);
			s2[b] = _mm512_add_epi32(s2[b], _mm512_madd_epi16(y, y));
			q2[b] = _mm512_add_epi32(q2[b], d2);
			qe[b] = _mm512_add_epi64(qe[b], _mm512_mul_epu32(d2, d2));
			__m512i h = _mm512_srli_epi64(d2, 32);
			qo[b] = _mm512_add_epi64(qo[b], _mm512_mul_epu32(h, h));
			x[b] = y;
		}
	}
#pragma GCC unroll 4
	for (int b = 0; b < NB; b++, c += 16) {
		_mm512_storeu_si512(sum + c, s[b]);
		_mm512_storeu_si512(sum2 + c, s2[b]);
		_mm512_storeu_si512(p2 + c, q2[b]);
		store_eo((int64_t *)(p4 + c), qe[b], qo[b]);
	}
}

/* sums_c on blocks of 16 columns from 0, four blocks (a cache line of each row) at a time where
 * they fit; the next column not done */
L512 static int sums_avx512(const uint8_t *const *rows, int L, int n, uint32_t *sum, uint32_t *sum2,
			    uint32_t *p2, uint64_t *p4)
{
	int c = 0;
	for (; c + 64 <= n; c += 64)
		sums512_blocks(rows, L, c, 4, sum, sum2, p2, p4);
	for (; c + 16 <= n; c += 16)
		sums512_blocks(rows, L, c, 1, sum, sum2, p2, p4);
	return c;
}

/* repeat_c on blocks of 16 columns from 0 (u, v in 32-bit lanes: |u|, |v| <= 65025); the next
 * column not done */
L512 static int repeat_avx512(const uint8_t *const *r, const uint8_t *const *a,
			      const uint8_t *const *cc, int L, int n, const int32_t *want,
			      int32_t *su, int32_t *sv, int64_t *acc, int S)
{
	int c = 0;
	for (; c + 16 <= n; c += 16) {
		if (want) {
			int w = 0;
			for (int i = 0; i < 16; i++)
				w |= want[c + i] >= 0;
			if (!w)
				continue; /* no candidate: sums not wanted */
		}
		__m512i z = _mm512_setzero_si512(), Su = z, Sv = z, Ue = z, Uo = z, Xe = z, Xo = z,
			Ve = z, Vo = z, U1e = z, U1o = z, W1e = z, W1o = z, V1e = z, V1o = z,
			up = z, vp = z, wp = z, upo = z, vpo = z, wpo = z, r0 = z, a0 = z, q0 = z;
		int have = 0, first = 1, pf = (c & 63) == 0;
		for (int j = 0; j < L; j++) {
			if (!a[j]) {
				have = 0;
				first = 1;
				continue;
			}
			if (pf) {
				_mm_prefetch((const char *)a[j] + c + 64, _MM_HINT_T0);
				_mm_prefetch((const char *)cc[j] + c + 64, _MM_HINT_T0);
			}
			__m512i r1 = load16(r[j] + c), q1 = load16(cc[j] + c);
			__m512i a1 = have && a[j] == cc[j - 1] ? q0 : load16(a[j] + c);
			if (have) {
				__m512i R = _mm512_sub_epi16(r1, r0);
				__m512i u = _mm512_madd_epi16(R, _mm512_sub_epi16(a1, a0));
				__m512i v = _mm512_madd_epi16(R, _mm512_sub_epi16(q1, q0));
				__m512i w = _mm512_add_epi32(u, v); /* |u + v| <= 130050 */
				__m512i uo = _mm512_srli_epi64(u, 32),
					vo = _mm512_srli_epi64(v, 32), wo = _mm512_add_epi32(uo, vo);
				Su = _mm512_add_epi32(Su, u);
				Sv = _mm512_add_epi32(Sv, v);
				Ue = _mm512_add_epi64(Ue, _mm512_mul_epi32(u, u));
				Uo = _mm512_add_epi64(Uo, _mm512_mul_epi32(uo, uo));
				Xe = _mm512_add_epi64(Xe, _mm512_mul_epi32(u, v));
				Xo = _mm512_add_epi64(Xo, _mm512_mul_epi32(uo, vo));
				Ve = _mm512_add_epi64(Ve, _mm512_mul_epi32(v, v));
				Vo = _mm512_add_epi64(Vo, _mm512_mul_epi32(vo, vo));
				if (!first) {
					U1e = _mm512_add_epi64(U1e, _mm512_mul_epi32(u, up));
					U1o = _mm512_add_epi64(U1o, _mm512_mul_epi32(uo, upo));
					W1e = _mm512_add_epi64(W1e, _mm512_mul_epi32(w, wp));
					W1o = _mm512_add_epi64(W1o, _mm512_mul_epi32(wo, wpo));
					V1e = _mm512_add_epi64(V1e, _mm512_mul_epi32(v, vp));
					V1o = _mm512_add_epi64(V1o, _mm512_mul_epi32(vo, vpo));
				}
				up = u;
				vp = v;
				wp = w;
				upo = uo;
				vpo = vo;
				wpo = wo;
				first = 0;
			}
			r0 = r1;
			a0 = a1;
			q0 = q1;
			have = 1;
		}
		/* X1 = W1 - U1 - V1 */
		__m512i X1e = _mm512_sub_epi64(_mm512_sub_epi64(W1e, U1e), V1e),
			X1o = _mm512_sub_epi64(_mm512_sub_epi64(W1o, U1o), V1o);
		_mm512_storeu_si512(su + c, Su);
		_mm512_storeu_si512(sv + c, Sv);
		store_eo(acc + c, Ue, Uo);
		store_eo(acc + (size_t)S + c, Xe, Xo);
		store_eo(acc + 2 * (size_t)S + c, Ve, Vo);
		store_eo(acc + 3 * (size_t)S + c, U1e, U1o);
		store_eo(acc + 4 * (size_t)S + c, X1e, X1o);
		store_eo(acc + 5 * (size_t)S + c, V1e, V1o);
	}
	return c;
}

/*
 * The repeat's totals over a row's candidate pixels (sync_look_repeat_tot_u8) in 16-bit lanes, 32
 * columns a block: R is zeroed where the column is not a candidate (so its u = v = 0 add nothing
 * to any sum), u = R A and v = R C by vpmullw, and every sum of products by vpmaddwd into 32-bit
 * lanes (two columns a lane: only the totals are wanted). Exact where 2 L b^2 < 2^31, b a
 * block's largest |R| times its largest |A|, |C| over the beat (so |u|, |v| <= b < 2^15): then no
 * 16-bit product and no 32-bit sum wraps. Returns the largest b over the row's blocks, or -1
 * where a block's bound fails (nothing is then usable).
 */
L512 static int64_t repeat_tot_avx512(const uint8_t *const *r, const uint8_t *const *a,
				      const uint8_t *const *cc, int L, int n, const int32_t *want,
				      int64_t tot[8])
{
	int64_t bmax = 0;
	const __m512i one = _mm512_set1_epi16(1), z = _mm512_setzero_si512();
	for (int c = 0; c + 32 <= n; c += 32) {
		__mmask16 m0 = _mm512_cmpge_epi32_mask(_mm512_loadu_si512(want + c), z);
		__mmask16 m1 = _mm512_cmpge_epi32_mask(_mm512_loadu_si512(want + c + 16), z);
		__mmask32 k = (__mmask32)m0 | (__mmask32)m1 << 16;
		if (!k)
			continue; /* no candidate */
		__m512i Su = z, Sv = z, Uu = z, Uv = z, Vv = z, U1 = z, Xa = z, Xb = z, V1 = z,
			mR = z, mA = z, up = z, vp = z, r0 = z, a0 = z, q0 = z;
		int have = 0, first = 1, pf = (c & 63) == 0;
		for (int j = 0; j < L; j++) {
			if (!a[j]) {
				have = 0;
				first = 1;
				continue;
			}
			if (pf) {
				_mm_prefetch((const char *)r[j] + c + 64, _MM_HINT_T0);
				_mm_prefetch((const char *)a[j] + c + 64, _MM_HINT_T0);
				_mm_prefetch((const char *)cc[j] + c + 64, _MM_HINT_T0);
			}
			__m512i r1 =
				_mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(r[j] + c)));
			__m512i q1 = _mm512_cvtepu8_epi16(
				_mm256_loadu_si256((const __m256i *)(cc[j] + c)));
			__m512i a1 = have && a[j] == cc[j - 1]
					     ? q0
					     : _mm512_cvtepu8_epi16(_mm256_loadu_si256(
						       (const __m256i *)(a[j] + c)));
			if (have) {
				__m512i R = _mm512_maskz_sub_epi16(k, r1, r0);
				__m512i A = _mm512_sub_epi16(a1, a0), C = _mm512_sub_epi16(q1, q0);
				mR = _mm512_max_epu16(mR, _mm512_abs_epi16(R));
				mA = _mm512_max_epu16(mA, _mm512_max_epu16(_mm512_abs_epi16(A),
									   _mm512_abs_epi16(C)));
				__m512i u = _mm512_mullo_epi16(R, A), v = _mm512_mullo_epi16(R, C);
				Su = _mm512_add_epi32(Su, _mm512_madd_epi16(u, one));
				Sv = _mm512_add_epi32(Sv, _mm512_madd_epi16(v, one));
				Uu = _mm512_add_epi32(Uu, _mm512_madd_epi16(u, u));
				Uv = _mm512_add_epi32(Uv, _mm512_madd_epi16(u, v));
				Vv = _mm512_add_epi32(Vv, _mm512_madd_epi16(v, v));
				if (!first) {
					U1 = _mm512_add_epi32(U1, _mm512_madd_epi16(u, up));
					Xa = _mm512_add_epi32(Xa, _mm512_madd_epi16(u, vp));
					Xb = _mm512_add_epi32(Xb, _mm512_madd_epi16(v, up));
					V1 = _mm512_add_epi32(V1, _mm512_madd_epi16(v, vp));
				}
				up = u;
				vp = v;
				first = 0;
			}
			r0 = r1;
			a0 = a1;
			q0 = q1;
			have = 1;
		}
		/* the block's bound b: the largest |R| times |A|, |C| of a column, in 32 bits */
		__m512i bl = _mm512_mullo_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(mR)),
						_mm512_cvtepu16_epi32(_mm512_castsi512_si256(mA)));
		__m512i bh =
			_mm512_mullo_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(mR, 1)),
					   _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(mA, 1)));
		int64_t b = (int64_t)_mm512_reduce_max_epu32(_mm512_max_epu32(bl, bh));
		if (2 * (int64_t)L * b * b >= ((int64_t)1 << 31))
			return -1;
		bmax = b > bmax ? b : bmax;
		__m512i all[9] = { Su, Sv, Uu, Uv, Vv, U1, Xa, Xb, V1 };
		int64_t t[9];
		for (int i = 0; i < 9; i++)
			t[i] = _mm512_reduce_add_epi64(
				       _mm512_cvtepi32_epi64(_mm512_castsi512_si256(all[i]))) +
			       _mm512_reduce_add_epi64(
				       _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(all[i], 1)));
		for (int i = 0; i < 6; i++)
			tot[i] += t[i];
		tot[6] += t[6] + t[7]; /* X1 = sum u v' + v u' */
		tot[7] += t[8];
	}
	return bmax;
}

/* sync_look_pixels_u8 on blocks of 8 columns from 0 in doubles: the same operations as
 * sync_smooth_pixel's, lane by lane (no contraction: C11's -ffp-contract=off), the mean rounded
 * by vcvtpd2dq in the default rounding mode as lrint; the next column not done */
L512 static int pixels_avx512(const uint32_t *sum, const uint32_t *sum2, int n, int L, double thr,
			      int32_t *mrow, int *any)
{
	int c = 0, got = 0;
	const __m512d Ld = _mm512_set1_pd((double)L), t = _mm512_set1_pd(thr);
	const __m256i none = _mm256_set1_epi32(-1);
	for (; c + 8 <= n; c += 8) {
		__m512d s = _mm512_cvtepu32_pd(_mm256_loadu_si256((const __m256i *)(sum + c)));
		__m512d s2 = _mm512_cvtepu32_pd(_mm256_loadu_si256((const __m256i *)(sum2 + c)));
		__m512d mu = _mm512_div_pd(s, Ld);
		__m512d msd = _mm512_sub_pd(_mm512_div_pd(s2, Ld), _mm512_mul_pd(mu, mu));
		__mmask8 rep = _mm512_cmp_pd_mask(msd, t, _CMP_LT_OQ);
		__m256i m = _mm512_mask_cvtpd_epi32(none, rep, mu);
		_mm256_storeu_si256((__m256i *)(mrow + c), m);
		got |= rep != 0;
	}
	*any |= got;
	return c;
}
#endif

void sync_look_sums_u8(const uint8_t *const *rows, int L, int n, uint32_t *restrict sum,
		       uint32_t *restrict sum2, uint32_t *restrict p2, uint64_t *restrict p4)
{
	int c0 = 0;
#if defined(__x86_64__)
	int k = isa();
	if (k >= 2)
		c0 = sums_avx512(rows, L, n, sum, sum2, p2, p4);
	if (k >= 1)
		c0 = sums_avx2(rows, L, c0, n, sum, sum2, p2, p4);
#endif
	sums_c(rows, L, c0, n, sum, sum2, p2, p4);
}

int sync_look_repeat_u8(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			int L, int n, const int32_t *want, int32_t *restrict up, int32_t *restrict vp,
			int32_t *restrict su, int32_t *restrict sv, int64_t *restrict acc, int S)
{
	int c0 = 0;
#if defined(__x86_64__)
	int k = isa();
	if (k >= 2)
		c0 = repeat_avx512(r, a, cc, L, n, want, su, sv, acc, S);
	if (k >= 1)
		c0 = repeat_avx2(r, a, cc, L, c0, n, want, su, sv, acc, S);
#endif
	return repeat_c(r, a, cc, L, c0, n, up, vp, su, sv, acc, S);
}

int64_t sync_look_repeat_tot_u8(const uint8_t *const *r, const uint8_t *const *a,
				const uint8_t *const *cc, int L, int n, const int32_t *want,
				int64_t tot[8], int *any)
{
	for (int i = 0; i < 8; i++)
		tot[i] = 0;
	*any = 0;
	for (int j = 1; j < L; j++)
		*any |= a[j] && a[j - 1];
#if defined(__x86_64__)
	if (n % 32 == 0 && isa() >= 2)
		return repeat_tot_avx512(r, a, cc, L, n, want, tot);
#else
	(void)r;
	(void)cc;
	(void)want;
#endif
	return -1;
}

int sync_look_pixels_u8(const uint32_t *sum, const uint32_t *sum2, int n, int L, double s2,
			int32_t *mrow)
{
	int c = 0, any = 0;
#if defined(__x86_64__)
	if (L >= 2 && isa() >= 2)
		c = pixels_avx512(sum, sum2, n, L, s2 * (2 - 2.0 / L) - 1.0 / 12, mrow, &any);
#endif
	for (; c < n; c++) {
		double mu;
		int rep = sync_smooth_pixel(sum[c], sum2[c], L, s2, &mu);
		mrow[c] = rep ? (int32_t)lrint(mu) : -1;
		any |= rep;
	}
	return any;
}

/* Sums of integers in doubles are exact while every partial sum's magnitude is below 2^53: the
 * row's integer totals added at once where S + total < 2^53 (every term >= 0, so every partial
 * sum is below it) are the same doubles as its columns added one by one, as before. */
void sync_look_add_changes(double *S2, double *S4, const uint32_t *p2, const uint64_t *p4, int n, int L)
{
	if ((double)n * L * 65025.0 * 65025.0 < 0x1p63) { /* the totals fit 64 bits */
		uint64_t t2 = 0, t4 = 0;
		for (int k = 0; k < n; k++) {
			t2 += p2[k];
			t4 += p4[k];
		}
		if (*S2 + (double)t2 < 0x1p53 && *S4 + (double)t4 < 0x1p53) {
			*S2 += (double)t2;
			*S4 += (double)t4;
			return;
		}
	}
	for (int k = 0; k < n; k++) {
		*S2 += p2[k];
		*S4 += (double)p4[k];
	}
}
