/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sub-pixel translation of a frame (private). */
#ifndef OGATE_RESAMPLE_H
#define OGATE_RESAMPLE_H
#include "frame_private.h"

/* dst(y, x) = src(y - fy, x - fx), bilinear with weights in 1/16 px (8-bit) or 1/256 px (16-bit), edges replicated;
 * |fy|, |fx| <= 1. dst and src have the same geometry and format. */
void ogate_resample_subpixel(struct ogate_frame *dst, const struct ogate_frame *src, double fy,
			     double fx);
/* the same for rows y0 + k step (k >= 0; those below y0 too, down to y0 - halo) and the halo
 * rows either side of each only: the rest of dst is left as it was (all rows if step <=
 * 2 halo + 1) */
void ogate_resample_subpixel_rows(struct ogate_frame *dst, const struct ogate_frame *src, double fy,
				  double fx, int y0, int step, int halo);
/* dst(y, x) = sum over t, u of cy[t] cx[u] src(y + iy + t - 1, x + ix + u - 1) / 2^20, rounded,
 * edges replicated, on rows y = y0 + k r (k < nrows): four taps per axis in 1/1024 (each set
 * non-negative, summing to 1024), any integer offsets; dst and src differ and have the same
 * geometry and format. Vectorized (this file's flags). */
void ogate_resample_taps4(struct ogate_frame *dst, const struct ogate_frame *src, int iy, int ix,
			  const int32_t cy[4], const int32_t cx[4], int y0, int r, int nrows);
/* ogate_resample_taps4 into n frames dst[j] with horizontal taps cx[j], the rest shared: the
 * vertical pass made once a row for all (8-bit; the same bytes as n calls) */
void ogate_resample_taps4_multi(struct ogate_frame *const *dst, const struct ogate_frame *src,
				int iy, int ix, const int32_t cy[4], const int32_t (*cx)[4], int n,
				int y0, int r, int nrows);
/* the widest 8-bit ogate_resample_taps4 kernels allowed from now on (2 AVX-512, 1 AVX2, 0 the
 * plain loops; the widest the CPU runs at most), the old cap returned: for tests, which compare
 * them (every kernel gives the same bytes) */
int ogate_resample_isa(int cap);
/* Lucas-Kanade sums over pixels x0 .. x1 - 1 (x0 >= 1, x1 < width) of one row y of two 8-bit
 * frames a and b, given rows y - 1, y, y + 1 of each, added to sums: with the central
 * differences ay, ax, by, bx (twice the gradients) and e = b - a: ay by, ax bx, ax by + ay bx,
 * (ay + by) e, (ax + bx) e. Vectorized (this file's flags). */
void ogate_shift_sums_u8(const uint8_t *restrict a0, const uint8_t *restrict a1,
			 const uint8_t *restrict a2, const uint8_t *restrict b0,
			 const uint8_t *restrict b1, const uint8_t *restrict b2, int x0, int x1,
			 int64_t sums[5]);
#endif
