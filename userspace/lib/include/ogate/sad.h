/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sum of absolute differences with pluggable back ends (scalar, SSE2, AVX2, NEON). */
#ifndef OGATE_SAD_H
#define OGATE_SAD_H

#include <stddef.h>
#include <stdint.h>
#include "ogate/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ogate_sad; /* a back end; see sad_private.h */

/* Fastest back end usable on this CPU (runtime dispatch: cpu_isa.c for AVX2 and AVX-512). */
const struct ogate_sad *ogate_sad_best(void);
/* "scalar", "sse2", "avx2", "avx512", "neon" or "auto"; NULL if unknown or unsupported on this CPU. */
const struct ogate_sad *ogate_sad_by_name(const char *name);
/* Fill out[] with up to max usable back ends; returns how many. */
size_t ogate_sad_list(const struct ogate_sad **out, size_t max);
const char *ogate_sad_name(const struct ogate_sad *s);

/* Exact SAD of two w x h windows; strides in bytes. */
uint64_t ogate_sad_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, const uint8_t *b,
		      size_t bstride, int w, int h);
uint64_t ogate_sad_u16(const struct ogate_sad *s, const uint16_t *a, size_t astride,
		       const uint16_t *b, size_t bstride, int w, int h);
/* out[k] = SAD(a, b[k]) for k < n; all b[k] share bstride. Uses the back end's
 * four-at-a-time kernel where it has one. */
void ogate_sad_u8_multi(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			const uint8_t *const *b, size_t n, size_t bstride, int w, int h,
			uint64_t *out);
/* Exact sum of squared differences of two w x h windows (8-bit; 16-bit while w * h < 2^32),
 * with the back end's kernel where it has one, else the scalar one. */
uint64_t ogate_ssd_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride, const uint8_t *b,
		      size_t bstride, int w, int h);
uint64_t ogate_ssd_u16(const struct ogate_sad *s, const uint16_t *a, size_t astride,
		       const uint16_t *b, size_t bstride, int w, int h);
/* out[k] = SSD(a, b[k]) for k < n; all b[k] share bstride. */
void ogate_ssd_u8_multi(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			const uint8_t *const *b, size_t n, size_t bstride, int w, int h,
			uint64_t *out);
/* Exact dot product sum a*b of two 8-bit windows (back end's kernel if it has one). */
uint64_t ogate_sad_dot_u8(const struct ogate_sad *s, const uint8_t *a, size_t astride,
			  const uint8_t *b, size_t bstride, int w, int h);
/* SAD of two whole frames; -EINVAL (returned through the int) if geometry/format differ. */
int ogate_sad_frames(const struct ogate_sad *s, const struct ogate_frame *a,
		     const struct ogate_frame *b, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
