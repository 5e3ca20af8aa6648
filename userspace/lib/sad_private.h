/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* SAD back-end operations (private): one static instance per back end. */
#ifndef OGATE_SAD_PRIVATE_H
#define OGATE_SAD_PRIVATE_H

#include "ogate/sad.h"

struct ogate_sad {
	const char *name;
	int (*available)(void);
	uint64_t (*u8)(const uint8_t *a, size_t astride, const uint8_t *b, size_t bstride, int w,
		       int h);
	uint64_t (*u16)(const uint16_t *a, size_t astride, const uint16_t *b, size_t bstride, int w,
			int h);
	/* optional: one frame against four others at once (the frame is loaded once per vector) */
	void (*u8_x4)(const uint8_t *a, size_t astride, const uint8_t *const b[4], size_t bstride,
		      int w, int h, uint64_t out[4]);
	/* exact sums of squared differences (sync.metric = ssd); a back end without them uses the
	 * scalar ones */
	uint64_t (*ssd_u8)(const uint8_t *a, size_t astride, const uint8_t *b, size_t bstride,
			   int w, int h);
	uint64_t (*ssd_u16)(const uint16_t *a, size_t astride, const uint16_t *b, size_t bstride,
			    int w, int h);
	/* optional: SSD of one frame against four others at once */
	void (*ssd_u8_x4)(const uint8_t *a, size_t astride, const uint8_t *const b[4],
			  size_t bstride, int w, int h, uint64_t out[4]);
	/* optional: exact dot product of two 8-bit windows (used for OGA Gram matrices) */
	uint64_t (*dot_u8)(const uint8_t *a, size_t astride, const uint8_t *b, size_t bstride,
			   int w, int h);
	/* optional: 4 x 4 sums, o[y][x] = the 16 pixels a[4y .. 4y + 3][4x .. 4x + 3], bw x bh of
	 * them (ostride in bytes), exact (at most 4080) */
	void (*bin4_u8)(const uint8_t *a, size_t astride, uint16_t *o, size_t ostride, int bw, int bh);
};

/* the back end's 4 x 4 sums, or the scalar ones (the full search's lower bound, sync_match.c) */
void ogate_sad_bin4_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, uint16_t *o,
		       size_t ostride, int bw, int bh);

/* one 4 x 4 block's sum, block x of the four rows from p (stride as): the scalar back end's
 * every block and the vector back ends' tail blocks */
static inline uint16_t ogate_sad_bin4_block(const uint8_t *p, size_t as, int x)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		const uint8_t *q = p + (size_t)i * as + 4 * x;
		v += (unsigned)q[0] + q[1] + q[2] + q[3];
	}
	return (uint16_t)v;
}

extern const struct ogate_sad ogate_sad_scalar;
#if defined(__x86_64__) || defined(__i386__)
extern const struct ogate_sad ogate_sad_sse2;
extern const struct ogate_sad ogate_sad_avx2;
extern const struct ogate_sad ogate_sad_avx512;
/* AVX2's SSD and dot product kernels, which the AVX-512 back end shares */
uint64_t ogate_sad_avx2_ssd_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h);
uint64_t ogate_sad_avx2_ssd_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w,
				int h);
void ogate_sad_avx2_ssd_u8_x4(const uint8_t *a, size_t as, const uint8_t *const b[4], size_t bs,
			      int w, int h, uint64_t out[4]);
uint64_t ogate_sad_avx2_dot_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h);
void ogate_sad_avx2_bin4_u8(const uint8_t *a, size_t as, uint16_t *o, size_t os, int bw, int bh);
#endif
#if defined(__ARM_NEON) || defined(__aarch64__)
extern const struct ogate_sad ogate_sad_neon;
#endif

#endif
