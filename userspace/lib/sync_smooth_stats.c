// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's statistics: the noise (median second difference), the replacement rule, M and the repeat test (their per-pixel sums: sync_smooth_look.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"
#if defined(__x86_64__)
#include <immintrin.h>

#include "cpu_isa.h"
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

/* qsort's order of doubles (every sync_*.c file's sorts) */
int sync_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* the median of n samples from their histogram of nb bins b wide (bin k >= 1: [k - 1/2, k + 1/2)
 * b, bin 0: [0, 1/2) b), HUGE_VAL where it lies in the last (overflow) bin; reads only the bins
 * up to the median's */
static double hist_median(const unsigned *hist, int nb, int n, double b)
{
	double half = 0.5 * n, cum = 0;
	for (int k = 0; k < nb - 1; k++) {
		if (cum + hist[k] >= half)
			return ((k ? k - 0.5 : 0) + (half - cum) / hist[k] * (k ? 1 : 0.5)) * b;
		cum += hist[k];
	}
	return HUGE_VAL;
}

/* the median of n absolute second differences ad (a histogram of bins 1, then 16 times wider
 * while the median lies beyond them: 16-bit), or HUGE_VAL */
double sync_smooth_abs_median(const double *ad, int n)
{
	unsigned hist[SYNC_SMOOTH_HBINS];
	for (double b = 1; b <= 65536; b *= 16) {
		double ib = 1 / b; /* a power of 2: the same as dividing by b */
		int top = SYNC_SMOOTH_HBINS - 1;
		if (n < SYNC_SMOOTH_HBINS) { /* few samples: clear only up to the highest bin they
					      * reach, where the scan below stops at the latest */
			top = 0;
			for (int p = 0; p < n; p++) {
				double v = ad[p] * ib + 0.5;
				int k = v < SYNC_SMOOTH_HBINS - 1 ? (int)v : SYNC_SMOOTH_HBINS - 1;
				top = k > top ? k : top;
			}
		}
		memset(hist, 0, sizeof(hist[0]) * (size_t)(top + 1));
		for (int p = 0; p < n; p++) {
			double v = ad[p] * ib + 0.5;
			hist[v < SYNC_SMOOTH_HBINS - 1 ? (int)v : SYNC_SMOOTH_HBINS - 1]++;
		}
		double m = hist_median(hist, SYNC_SMOOTH_HBINS, n, b);
		if (m != HUGE_VAL)
			return m;
	}
	return HUGE_VAL;
}

/* sync_smooth_median_u8 by scattered increments: every |second difference| (<= 1020) in its own
 * bin; four histograms take the samples in turn (a run of samples in one bin does not wait on its
 * own increments), added up before the scan */
static double median_u8_hist(const struct ogate_frame *fa, const struct ogate_frame *fb,
			     const struct ogate_frame *fc, int rows, int r, int W)
{
	enum { NB = 1024, CH = 256 }; /* > 1020; columns a chunk */
	unsigned h4[4][NB], hist[SYNC_SMOOTH_HBINS];
	uint16_t dd[CH];
	memset(h4, 0, sizeof(h4));
	for (int i = 0; i < rows; i++) {
		const uint8_t *a = ogate_frame_row(fa, i * r), *b = ogate_frame_row(fb, i * r),
			      *c = ogate_frame_row(fc, i * r);
		for (int x0 = 0; x0 < W; x0 += CH) {
			int m = W - x0 < CH ? W - x0 : CH, x = 0;
			for (int k = 0; k < m; k++) { /* vectorized */
				int d = a[x0 + k] - 2 * b[x0 + k] + c[x0 + k];
				dd[k] = (uint16_t)(d < 0 ? -d : d);
			}
			for (; x + 4 <= m; x += 4) {
				h4[0][dd[x]]++;
				h4[1][dd[x + 1]]++;
				h4[2][dd[x + 2]]++;
				h4[3][dd[x + 3]]++;
			}
			for (; x < m; x++)
				h4[0][dd[x]]++;
		}
	}
	for (int k = 0; k < NB; k++)
		hist[k] = h4[0][k] + h4[1][k] + h4[2][k] + h4[3][k];
	memset(hist + NB, 0, sizeof(hist[0]) * (SYNC_SMOOTH_HBINS - NB));
	return hist_median(hist, SYNC_SMOOTH_HBINS, rows * W, 1);
}

/* bins 0..SMALL_BINS - 1 of the |second differences| counted by vector compares */
enum { SMALL_BINS = 16 };

/* the columns from x of one row after the vector compares: bins 0..SMALL_BINS - 1, the rest in
 * hist[SMALL_BINS] */
static inline void small_hist_tail(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x,
				   int W, unsigned *hist)
{
	for (; x < W; x++) {
		int d = a[x] - 2 * b[x] + c[x];
		d = d < 0 ? -d : d;
		hist[d < SMALL_BINS ? d : SMALL_BINS]++;
	}
}

#if defined(__x86_64__)

/* the 32 byte counters of a bin added up */
__attribute__((target("avx2"))) static unsigned bytes_sum(__m256i v)
{
	__m256i s = _mm256_sad_epu8(v, _mm256_setzero_si256());
	__m128i h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
	return (unsigned)(_mm_cvtsi128_si64(h) + _mm_extract_epi64(h, 1));
}

/* hist[0..SMALL_BINS - 1]: how many |a - 2 b + c| are 0, 1, .. SMALL_BINS - 1 (hist[SMALL_BINS],
 * the overflow bin, only some of the rest: hist_median does not read it) */
__attribute__((target("avx2"))) static void small_hist_avx2(const struct ogate_frame *fa,
							    const struct ogate_frame *fb,
							    const struct ogate_frame *fc, int rows,
							    int r, int W, unsigned *hist)
{
	const __m256i top = _mm256_set1_epi16(SMALL_BINS);
	__m256i acc[SMALL_BINS];
	int nv = 0; /* vectors counted since the byte counters were added up (<= 255) */
	memset(hist, 0, sizeof(hist[0]) * (SMALL_BINS + 1));
	for (int k = 0; k < SMALL_BINS; k++)
		acc[k] = _mm256_setzero_si256();
	for (int i = 0; i < rows; i++) {
		const uint8_t *a = ogate_frame_row(fa, i * r), *b = ogate_frame_row(fb, i * r),
			      *c = ogate_frame_row(fc, i * r);
		int x = 0;
		for (; x + 32 <= W; x += 32) {
			__m256i t[2];
			for (int h = 0; h < 2; h++) { /* 16 columns: min(|a - 2 b + c|, 16) */
				__m256i va = _mm256_cvtepu8_epi16(
						_mm_loadu_si128((const __m128i *)(a + x + 16 * h))),
					vb = _mm256_cvtepu8_epi16(
						_mm_loadu_si128((const __m128i *)(b + x + 16 * h))),
					vc = _mm256_cvtepu8_epi16(
						_mm_loadu_si128((const __m128i *)(c + x + 16 * h)));
				__m256i d = _mm256_sub_epi16(_mm256_add_epi16(va, vc),
							     _mm256_add_epi16(vb, vb));
				t[h] = _mm256_min_epi16(_mm256_abs_epi16(d), top);
			}
			/* as bytes, in another order (the counts do not depend on it) */
			__m256i v = _mm256_packus_epi16(t[0], t[1]);
#pragma GCC unroll 16
			for (int k = 0; k < SMALL_BINS; k++) /* a match is -1 */
				acc[k] = _mm256_sub_epi8(
					acc[k], _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)k)));
			if (++nv == 255) {
				for (int k = 0; k < SMALL_BINS; k++) {
					hist[k] += bytes_sum(acc[k]);
					acc[k] = _mm256_setzero_si256();
				}
				nv = 0;
			}
		}
		small_hist_tail(a, b, c, x, W, hist);
	}
	for (int k = 0; k < SMALL_BINS; k++)
		hist[k] += bytes_sum(acc[k]);
}
#elif defined(__aarch64__)
/* small_hist_avx2 with NEON (always present on aarch64), 16 samples a vector: |a + c - 2 b| as
 * the unsigned 16-bit difference of a + c and 2 b, narrowed with saturation (every |d| >= 16 stays
 * >= 16: at most 255), each bin 0-15 counted by a byte compare and subtract (bins 8-15 as 0-7 of
 * the bytes less 8: 8 constants, and the 16 counters stay in the 32 registers); the byte counters
 * added up (widened: at most 16 * 255) every 255 vectors, before any can wrap */
static void small_hist_neon(const struct ogate_frame *fa, const struct ogate_frame *fb,
			    const struct ogate_frame *fc, int rows, int r, int W, unsigned *hist)
{
	uint8x16_t acc[SMALL_BINS];
	int nv = 0; /* vectors counted since the byte counters were added up (<= 255) */
	memset(hist, 0, sizeof(hist[0]) * (SMALL_BINS + 1));
#pragma GCC unroll 16 /* every loop over acc unrolled: else GCC keeps the counters in memory */
	for (int k = 0; k < SMALL_BINS; k++)
		acc[k] = vdupq_n_u8(0);
	for (int i = 0; i < rows; i++) {
		const uint8_t *a = ogate_frame_row(fa, i * r), *b = ogate_frame_row(fb, i * r),
			      *c = ogate_frame_row(fc, i * r);
		int x = 0;
		for (; x + 16 <= W; x += 16) {
			uint8x16_t va = vld1q_u8(a + x), vb = vld1q_u8(b + x), vc = vld1q_u8(c + x);
			uint16x8_t lo = vabdq_u16(vaddl_u8(vget_low_u8(va), vget_low_u8(vc)),
						  vshll_n_u8(vget_low_u8(vb), 1)),
				   hi = vabdq_u16(vaddl_high_u8(va, vc), vshll_high_n_u8(vb, 1));
			uint8x16_t v = vcombine_u8(vqmovn_u16(lo), vqmovn_u16(hi)),
				   v8 = vsubq_u8(v, vdupq_n_u8(8)); /* k + 8 at k (mod 256) */
#pragma GCC unroll 8
			for (int k = 0; k < SMALL_BINS / 2; k++) {  /* a match is 0xff: -1 */
				uint8x16_t vk = vdupq_n_u8((uint8_t)k);
				acc[k] = vsubq_u8(acc[k], vceqq_u8(v, vk));
				acc[k + 8] = vsubq_u8(acc[k + 8], vceqq_u8(v8, vk));
			}
			if (++nv == 255) {
#pragma GCC unroll 16
				for (int k = 0; k < SMALL_BINS; k++) {
					hist[k] += vaddlvq_u8(acc[k]);
					acc[k] = vdupq_n_u8(0);
				}
				nv = 0;
			}
		}
		small_hist_tail(a, b, c, x, W, hist);
	}
#pragma GCC unroll 16
	for (int k = 0; k < SMALL_BINS; k++)
		hist[k] += vaddlvq_u8(acc[k]);
}
#endif

/*
 * sync_smooth_abs_median of the |second differences| |a - 2 b + c| of three 8-bit frames over
 * `rows` rows (every r-th from 0) of W pixels, counted in integers: each difference is an integer
 * <= 1020, which the double path puts in its own bin of the first histogram (bins 1 wide), so the
 * histogram and the median are the same, without a double per sample and a pass to find the top
 * bin. The noise stage of the smoothing job (2-4 ms of one frame at 512^2 in doubles, 1.6 ms in
 * scattered increments). With AVX2, bins 0-15 are counted first by vector compares, 32 samples
 * a compare (0.2 ns a sample against ~1 ns scattered): where the median lies in them
 * (hist_median reads only the bins up to the median's, here the same counts), that is the
 * median; else (a noise sd above ~9 levels: the median |d| is 1.65 sd) every bin is counted as
 * before, after the compares' pass (on aarch64 the same with NEON, 16 samples a compare; not
 * timed on a Pi). At 512^2 the job's first frame 1.7 -> 1.1 ms of least CPU
 * (docs/accuracy-log.md, "The smoothing job's noise by vector compares").
 */
double sync_smooth_median_u8(const struct ogate_frame *fa, const struct ogate_frame *fb,
			     const struct ogate_frame *fc, int rows, int r, int W)
{
	unsigned hist[SMALL_BINS + 1];
	int counted = 0;
#if defined(__x86_64__)
	if (ogate_cpu_isa() >= 1) {
		small_hist_avx2(fa, fb, fc, rows, r, W, hist);
		counted = 1;
	}
#elif defined(__aarch64__)
	small_hist_neon(fa, fb, fc, rows, r, W, hist);
	counted = 1;
#endif
	double m = counted ? hist_median(hist, SMALL_BINS + 1, rows * W, 1) : HUGE_VAL;
	return m != HUGE_VAL ? m : median_u8_hist(fa, fb, fc, rows, r, W);
}

/* the noise variance from the smallest median |second difference| */
double sync_smooth_noise_of_median(double med)
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
		double m = sync_smooth_abs_median(ad, n);
		med = m < med ? m : med;
	}
	free(ad);
	return sync_smooth_noise_of_median(med);
}

/* reference.smooth = auto's first look (sync_smooth_first.c): as sync_smooth_noise but
 * from the tenth percentile over the frames of each frame's median |second difference| (the
 * least of them up to 11 frames). The least of L noisy medians falls with L: at hundreds of
 * frames a beat over the first look's few dozen pixels a frame it read a third of the noise
 * variance, and M three times its value over every pixel, so slow hearts filmed fast were
 * matched unsmoothed (docs/accuracy-log.md, "The matching error of slow hearts filmed fast").
 * The full look keeps the least (its rows hold every pixel). */
double sync_smooth_noise_look(const float *x, int L, int n)
{
	int nm = L - 2 > 0 ? L - 2 : 0;
	double *ad = malloc(sizeof(double) * ((size_t)(n > 0 ? n : 1) + (size_t)(nm > 0 ? nm : 1)));
	if (!ad)
		return 0;
	double *meds = ad + (n > 0 ? n : 1), med = HUGE_VAL;
	for (int j = 1; j + 1 < L; j++) {
		const float *p0 = x + (size_t)(j - 1) * n, *p1 = p0 + n, *p2 = p1 + n;
		for (int p = 0; p < n; p++)
			ad[p] = fabs((double)p0[p] - 2.0 * p1[p] + p2[p]);
		meds[j - 1] = sync_smooth_abs_median(ad, n);
	}
	if (nm > 0) {
		qsort(meds, (size_t)nm, sizeof(double), sync_cmp_dbl);
		med = meds[(int)(0.1 * (nm - 1))];
	}
	free(ad);
	return sync_smooth_noise_of_median(med);
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
