// SPDX-License-Identifier: GPL-2.0 OR MIT
/* NEON SAD back end (compiled on ARM only). Accumulates per row in 32-bit lanes,
 * then widens into 64-bit lanes, so rows up to 65536 pixels cannot overflow. */
#include <arm_neon.h>
#include "sad_private.h"

static int have_neon(void)
{
	return 1;
}

static uint64_t sum64(uint64x2_t v)
{
	return vgetq_lane_u64(v, 0) + vgetq_lane_u64(v, 1);
}

static uint64_t neon_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	uint64x2_t acc = vdupq_n_u64(0);
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		uint32x4_t row = vdupq_n_u32(0);
		int x = 0;
		for (; x + 16 <= w; x += 16)
			row = vpadalq_u16(row,
					  vpaddlq_u8(vabdq_u8(vld1q_u8(pa + x), vld1q_u8(pb + x))));
		acc = vpadalq_u32(acc, row);
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return sum64(acc) + tail;
}

static uint64_t neon_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	uint64x2_t acc = vdupq_n_u64(0);
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		uint32x4_t row = vdupq_n_u32(0);
		int x = 0;
		for (; x + 8 <= w; x += 8)
			row = vpadalq_u16(row, vabdq_u16(vld1q_u16(pa + x), vld1q_u16(pb + x)));
		acc = vpadalq_u32(acc, row);
		for (; x < w; x++)
			tail += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return sum64(acc) + tail;
}

/* |a - b| squared into 16-bit lanes (<= 65025), added pairwise into 32-bit lanes per row (a row of
 * 65536 px adds at most 4096 * 4 * 65025 < 2^32 per lane), widened into 64-bit lanes per row */
static uint64_t neon_ssd_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	uint64x2_t acc = vdupq_n_u64(0);
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		uint32x4_t row = vdupq_n_u32(0);
		int x = 0;
		for (; x + 16 <= w; x += 16) {
			uint8x16_t d = vabdq_u8(vld1q_u8(pa + x), vld1q_u8(pb + x));
			row = vpadalq_u16(row, vmull_u8(vget_low_u8(d), vget_low_u8(d)));
			row = vpadalq_u16(row, vmull_u8(vget_high_u8(d), vget_high_u8(d)));
		}
		acc = vpadalq_u32(acc, row);
		for (; x < w; x++) {
			int d = (int)pa[x] - (int)pb[x];
			tail += (uint64_t)(d * d);
		}
	}
	return sum64(acc) + tail;
}

/* |a - b| squared into exact 32-bit lanes, added pairwise into 64-bit lanes */
static uint64_t neon_ssd_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	uint64x2_t acc = vdupq_n_u64(0);
	uint64_t tail = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		int x = 0;
		for (; x + 8 <= w; x += 8) {
			uint16x8_t d = vabdq_u16(vld1q_u16(pa + x), vld1q_u16(pb + x));
			acc = vpadalq_u32(acc, vmull_u16(vget_low_u16(d), vget_low_u16(d)));
			acc = vpadalq_u32(acc, vmull_u16(vget_high_u16(d), vget_high_u16(d)));
		}
		for (; x < w; x++) {
			uint64_t d = pa[x] > pb[x] ? (uint64_t)(pa[x] - pb[x])
						   : (uint64_t)(pb[x] - pa[x]);
			tail += d * d;
		}
	}
	return sum64(acc) + tail;
}

/* 4 x 4 sums: four rows' pairs added long, then the pairs of those, narrowed back */
static void neon_bin4_u8(const uint8_t *a, size_t as, uint16_t *o, size_t os, int bw, int bh)
{
	for (int y = 0; y < bh; y++) {
		const uint8_t *p = a + (size_t)(4 * y) * as;
		uint16_t *r = (uint16_t *)((char *)o + (size_t)y * os);
		int x = 0;
		for (; x + 8 <= bw; x += 8) {
			uint16x8_t s0 = vdupq_n_u16(0), s1 = s0;
			for (int i = 0; i < 4; i++) {
				const uint8_t *q = p + (size_t)i * as + 4 * x;
				s0 = vpadalq_u8(s0, vld1q_u8(q));
				s1 = vpadalq_u8(s1, vld1q_u8(q + 16));
			}
			vst1q_u16(r + x, vcombine_u16(vmovn_u32(vpaddlq_u16(s0)),
						      vmovn_u32(vpaddlq_u16(s1))));
		}
		for (; x < bw; x++)
			r[x] = ogate_sad_bin4_block(p, as, x);
	}
}

const struct ogate_sad ogate_sad_neon = {
	.name = "neon",
	.available = have_neon,
	.u8 = neon_u8,
	.u16 = neon_u16,
	.ssd_u8 = neon_ssd_u8,
	.ssd_u16 = neon_ssd_u16,
	.bin4_u8 = neon_bin4_u8,
};
