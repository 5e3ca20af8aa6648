/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the lib suites that render their own hearts: a rendered image plus camera noise
 * written into an 8- or 16-bit frame, as ogate-synth writes its stacks. */
#ifndef OGATE_TEST_NOISY_FRAME_H
#define OGATE_TEST_NOISY_FRAME_H
#include <math.h>
#include <stdint.h>
#include "heart.h"
#include "ogate/frame.h"

/* f (w x h, u8 or u16) = img + noise * N(0, 1) per pixel in row order, rounded and clipped to
 * [0, 255], times 256 for 16 bits; stamped ts_ns and seq */
static inline void noisy_frame_fill(struct ogate_frame *f, const float *img, int w, int h, double noise,
				    struct ogate_heart_rng *rng, int64_t ts_ns, uint64_t seq)
{
	char *px = ogate_frame_pixels(f);
	int u16 = ogate_frame_format(f) == OGATE_PIX_U16;
	for (int y = 0; y < h; y++) {
		char *row = px + (size_t)y * ogate_frame_stride(f);
		for (int x = 0; x < w; x++) {
			double v = rint(img[y * w + x] + noise * ogate_heart_rng_normal(rng));
			v = v < 0 ? 0 : v > 255 ? 255 : v;
			if (u16)
				((uint16_t *)row)[x] = (uint16_t)(v * 256);
			else
				((uint8_t *)row)[x] = (uint8_t)v;
		}
	}
	struct ogate_frame_meta m = { .timestamp_ns = ts_ns, .sequence = seq };
	ogate_frame_set_meta(f, &m);
}

/* pixel (x, y) of an 8- or 16-bit frame, as noisy_frame_fill wrote it */
static inline int noisy_frame_px(const struct ogate_frame *f, int x, int y)
{
	const char *row = (const char *)ogate_frame_pixels(f) + (size_t)y * ogate_frame_stride(f);
	if (ogate_frame_format(f) == OGATE_PIX_U16)
		return ((const uint16_t *)row)[x];
	return ((const uint8_t *)row)[x];
}

/* frame i of a blob heart following law at fps frames a second: its phase at t = i / fps
 * rendered into img (sz x sz) and written into f with noise, stamped 1 s + t; returns that
 * phase, unwrapped */
static inline double noisy_heart_frame(struct ogate_frame *f, const struct ogate_heart_blob *heart,
				       const struct ogate_heart_law *law, float *img, int sz,
				       double fps, double noise, struct ogate_heart_rng *rng, int i)
{
	double t = i / fps, psi = ogate_heart_law_psi(law, t);
	ogate_heart_blob_render(heart, fmod(psi, 2 * M_PI), img);
	noisy_frame_fill(f, img, sz, sz, noise, rng, 1000000000LL + llround(t * 1e9), (uint64_t)i);
	return psi;
}
#endif
