// SPDX-License-Identifier: GPL-2.0 OR MIT
/* SAD: scalar reference back end and runtime dispatch. */
#include <errno.h>
#include <string.h>
#include "frame_private.h"
#include "sad_private.h"

static int always(void)
{
	return 1;
}

static uint64_t scalar_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		uint32_t row = 0; /* w <= 65536: 255 * 65536 fits */
		for (int x = 0; x < w; x++)
			row += (uint32_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
		sum += row;
	}
	return sum;
}

static uint64_t scalar_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		for (int x = 0; x < w; x++)
			sum += (uint64_t)(pa[x] > pb[x] ? pa[x] - pb[x] : pb[x] - pa[x]);
	}
	return sum;
}

static uint64_t scalar_ssd_u8(const uint8_t *a, size_t as, const uint8_t *b, size_t bs, int w, int h)
{
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *pa = a + (size_t)y * as, *pb = b + (size_t)y * bs;
		uint32_t row = 0; /* w <= 65536: 65025 * 65536 < 2^32 */
		for (int x = 0; x < w; x++) {
			int d = (int)pa[x] - (int)pb[x];
			row += (uint32_t)(d * d);
		}
		sum += row;
	}
	return sum;
}

/* exact while w * h < 2^32 (each square is below 2^32) */
static uint64_t scalar_ssd_u16(const uint16_t *a, size_t as, const uint16_t *b, size_t bs, int w, int h)
{
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint16_t *pa = (const uint16_t *)((const char *)a + (size_t)y * as);
		const uint16_t *pb = (const uint16_t *)((const char *)b + (size_t)y * bs);
		for (int x = 0; x < w; x++) {
			uint32_t d = pa[x] > pb[x] ? (uint32_t)pa[x] - pb[x] : (uint32_t)pb[x] - pa[x];
			sum += (uint64_t)d * d;
		}
	}
	return sum;
}

static void scalar_bin4_u8(const uint8_t *a, size_t as, uint16_t *o, size_t os, int bw, int bh)
{
	for (int y = 0; y < bh; y++) {
		uint16_t *r = (uint16_t *)((char *)o + (size_t)y * os);
		for (int x = 0; x < bw; x++)
			r[x] = ogate_sad_bin4_block(a + (size_t)(4 * y) * as, as, x);
	}
}

const struct ogate_sad ogate_sad_scalar = {
	.name = "scalar",
	.available = always,
	.u8 = scalar_u8,
	.u16 = scalar_u16,
	.ssd_u8 = scalar_ssd_u8,
	.ssd_u16 = scalar_ssd_u16,
	.bin4_u8 = scalar_bin4_u8,
};

static const struct ogate_sad *const all[] = {
#if defined(__x86_64__) || defined(__i386__)
	&ogate_sad_avx512, &ogate_sad_avx2, &ogate_sad_sse2,
#endif
#if defined(__ARM_NEON) || defined(__aarch64__)
	&ogate_sad_neon,
#endif
	&ogate_sad_scalar,
};
#define N_ALL (sizeof(all) / sizeof(all[0]))

const struct ogate_sad *ogate_sad_best(void)
{
	for (size_t i = 0; i < N_ALL; i++)
		if (all[i]->available())
			return all[i];
	return &ogate_sad_scalar;
}

const struct ogate_sad *ogate_sad_by_name(const char *name)
{
	if (!name || !strcmp(name, "auto"))
		return ogate_sad_best();
	for (size_t i = 0; i < N_ALL; i++)
		if (!strcmp(all[i]->name, name))
			return all[i]->available() ? all[i] : NULL;
	return NULL;
}

size_t ogate_sad_list(const struct ogate_sad **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < N_ALL && n < max; i++)
		if (all[i]->available())
			out[n++] = all[i];
	return n;
}

const char *ogate_sad_name(const struct ogate_sad *s)
{
	return s->name;
}

uint64_t ogate_sad_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, const uint8_t *b,
		      size_t bstride, int w, int h)
{
	return (w > 0 && h > 0) ? s->u8(a, astride, b, bstride, w, h) : 0;
}

uint64_t ogate_sad_u16(const struct ogate_sad *s, const uint16_t *a, size_t astride,
		       const uint16_t *b, size_t bstride, int w, int h)
{
	return (w > 0 && h > 0) ? s->u16(a, astride, b, bstride, w, h) : 0;
}

void ogate_sad_u8_multi(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			const uint8_t *const *b, size_t n, size_t bstride, int w, int h, uint64_t *out)
{
	size_t k = 0;
	if (w > 0 && h > 0 && s->u8_x4)
		for (; k + 4 <= n; k += 4)
			s->u8_x4(a, astride, b + k, bstride, w, h, out + k);
	for (; k < n; k++)
		out[k] = ogate_sad_u8(s, a, astride, b[k], bstride, w, h);
}

uint64_t ogate_ssd_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, const uint8_t *b,
		      size_t bstride, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	return (s->ssd_u8 ? s->ssd_u8 : scalar_ssd_u8)(a, astride, b, bstride, w, h);
}

uint64_t ogate_ssd_u16(const struct ogate_sad *s, const uint16_t *a, size_t astride,
		       const uint16_t *b, size_t bstride, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	return (s->ssd_u16 ? s->ssd_u16 : scalar_ssd_u16)(a, astride, b, bstride, w, h);
}

void ogate_ssd_u8_multi(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			const uint8_t *const *b, size_t n, size_t bstride, int w, int h, uint64_t *out)
{
	size_t k = 0;
	if (w > 0 && h > 0 && s->ssd_u8_x4)
		for (; k + 4 <= n; k += 4)
			s->ssd_u8_x4(a, astride, b + k, bstride, w, h, out + k);
	for (; k < n; k++)
		out[k] = ogate_ssd_u8(s, a, astride, b[k], bstride, w, h);
}

uint64_t ogate_sad_dot_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			  const uint8_t *b, size_t bstride, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	if (s->dot_u8)
		return s->dot_u8(a, astride, b, bstride, w, h);
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *p = a + (size_t)y * astride, *q = b + (size_t)y * bstride;
		uint32_t row = 0; /* 65025 * 65536 < 2^32 */
		for (int x = 0; x < w; x++)
			row += (uint32_t)p[x] * q[x];
		sum += row;
	}
	return sum;
}

int ogate_sad_frames(const struct ogate_sad *s, const struct ogate_frame *a,
		     const struct ogate_frame *b, uint64_t *out)
{
	if (a->fmt != b->fmt || a->width != b->width || a->height != b->height)
		return -EINVAL;
	if (a->fmt == OGATE_PIX_U8)
		*out = ogate_sad_u8(s, a->pixels, a->stride, b->pixels, b->stride, a->width, a->height);
	else
		*out = ogate_sad_u16(s, a->pixels, a->stride, b->pixels, b->stride, a->width,
				     a->height);
	return 0;
}

void ogate_sad_bin4_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, uint16_t *o,
		       size_t ostride, int bw, int bh)
{
	if (bw > 0 && bh > 0)
		(s->bin4_u8 ? s->bin4_u8 : scalar_bin4_u8)(a, astride, o, ostride, bw, bh);
}
