// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's full look on 8-bit frames in integers: the per-pixel sums along the beat (sync_smooth.c's look_row_u8). */
#include "sync_private.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/*
 * On 8-bit frames every sum the full look keeps per pixel is an integer: a pixel x <= 255, its
 * one-frame change d and the repeat's u = R A, v = R C (|R|, |A|, |C| <= 255, so |u|, |v| <=
 * 65025). sync_smooth.c kept them in doubles, exact (each below 2^53); here they are kept in
 * integer lanes of the width they need, so that they are the same numbers, turned into doubles
 * only where they are added across pixels (in the same order as before): every result is the
 * same to the last bit, without a conversion per sample. The limits: sum x^2 and sum d^2 <=
 * 65025 L fit 32 bits, and sum u and sum v (signed) too, while L <= SYNC_LOOK_U8_MAX_L; d^4 <=
 * 65025^2 < 2^32 and the products of u and v are added in 64 bits. On x86-64 with AVX2 (checked
 * at run time) each block of pixels keeps its sums in registers over the whole beat (the
 * compiler did not vectorize the 64-bit products); the remaining columns, and other machines,
 * take the plain loops. Integer sums: the same whichever runs.
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
				if (!first) {
					u1[c] += (int64_t)u * up[c];
					x1[c] += (int64_t)u * vp[c] + (int64_t)v * up[c];
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
	return any;
}

#if defined(__x86_64__)
static int have_avx2(void)
{
	static int k = -1;
	if (k < 0) /* the same answer from any thread: a benign race */
		k = __builtin_cpu_supports("avx2") ? 1 : 0;
	return k;
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

/* sums_c on blocks of 8 columns from 0, the sums in registers along the beat; the columns
 * done */
__attribute__((target("avx2"))) static int sums_avx2(const uint8_t *const *rows, int L, int n,
						     uint32_t *sum, uint32_t *sum2, uint32_t *p2,
						     uint64_t *p4)
{
	int c = 0;
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

/* repeat_c on blocks of 4 columns from 0 in 64-bit lanes (the products of two int32: vpmuldq),
 * the sums in registers along the beat; the columns done */
__attribute__((target("avx2"))) static int
repeat_avx2(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc, int L,
	    int n, const int32_t *want, int32_t *su, int32_t *sv, int64_t *acc, int S)
{
	int c = 0;
	for (; c + 4 <= n; c += 4) {
		if (want && want[c] < 0 && want[c + 1] < 0 && want[c + 2] < 0 && want[c + 3] < 0)
			continue; /* no candidate: sums not wanted */
		__m256i z = _mm256_setzero_si256(), Su = z, Sv = z, Uu = z, Uv = z, Vv = z, U1 = z,
			X1 = z, V1 = z, up = z, vp = z, r0 = z, a0 = z, q0 = z;
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
				Su = _mm256_add_epi64(Su, u);
				Sv = _mm256_add_epi64(Sv, v);
				Uu = _mm256_add_epi64(Uu, _mm256_mul_epi32(u, u));
				Uv = _mm256_add_epi64(Uv, _mm256_mul_epi32(u, v));
				Vv = _mm256_add_epi64(Vv, _mm256_mul_epi32(v, v));
				if (!first) {
					U1 = _mm256_add_epi64(U1, _mm256_mul_epi32(u, up));
					X1 = _mm256_add_epi64(
						X1, _mm256_add_epi64(_mm256_mul_epi32(u, vp),
								     _mm256_mul_epi32(v, up)));
					V1 = _mm256_add_epi64(V1, _mm256_mul_epi32(v, vp));
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
		int64_t t[4];
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
#endif

void sync_look_sums_u8(const uint8_t *const *rows, int L, int n, uint32_t *restrict sum,
		       uint32_t *restrict sum2, uint32_t *restrict p2, uint64_t *restrict p4)
{
	int c0 = 0;
#if defined(__x86_64__)
	if (have_avx2())
		c0 = sums_avx2(rows, L, n, sum, sum2, p2, p4);
#endif
	sums_c(rows, L, c0, n, sum, sum2, p2, p4);
}

int sync_look_repeat_u8(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			int L, int n, const int32_t *want, int32_t *restrict up, int32_t *restrict vp,
			int32_t *restrict su, int32_t *restrict sv, int64_t *restrict acc, int S)
{
	int c0 = 0;
#if defined(__x86_64__)
	if (have_avx2())
		c0 = repeat_avx2(r, a, cc, L, n, want, su, sv, acc, S);
#endif
	return repeat_c(r, a, cc, L, c0, n, up, vp, su, sv, acc, S);
}
