// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Synthetic camera: ogate-synth's cartoon heart with the generator's phase
 * law (userspace/common/heart.c), rendered live, 8-bit, frame i at
 * i / fps after start. A product feature for dry runs and demos, chosen
 * with camera.source = synthetic; never a fallback for a missing camera.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "heart.h"
#include "log.h"
#include "source_private.h"

struct synth {
	struct ogate_source base;
	struct ogate_heart_blob heart;
	struct ogate_heart_law law;
	struct ogate_heart_rng rng;
	double fps, noise;
	int size;
	float *img;
};

static struct ogate_source *synth_open(const struct ogate_source_opts *o, int *err)
{
	struct synth *y = calloc(1, sizeof(*y));

	if (!y) {
		*err = -ENOMEM;
		return NULL;
	}
	y->base.ops = &ogate_source_synthetic_ops;
	if (o->size < 16 || o->size > 1024 || !(o->fps >= 1 && o->fps <= 2000) || !(o->period_s > 0)) {
		ogate_error("synthetic camera: size %d (16..1024), fps %g (1..2000) or period %g s (> 0) out of range",
			    o->size, o->fps, o->period_s);
		*err = -EINVAL;
		free(y);
		return NULL;
	}
	y->size = o->size;
	y->fps = o->fps;
	y->noise = o->noise;
	y->law = (struct ogate_heart_law){ .period_s = o->period_s,
					   .mod_amp = o->mod_amp,
					   .mod_period_s = o->mod_period_s > 0 ? o->mod_period_s : 7,
					   .t_run = 1 };
	ogate_heart_rng_seed(&y->rng, o->seed);
	y->img = malloc(sizeof(float) * (size_t)o->size * o->size);
	if (!y->img || ogate_heart_blob_init(&y->heart, o->size, o->size, o->seed) ||
	    ogate_source_pool_init(&y->base, OGATE_PIX_U8, o->size, o->size)) {
		*err = -ENOMEM;
		ogate_source_close(&y->base);
		return NULL;
	}
	snprintf(y->base.desc, sizeof(y->base.desc), "synthetic %dx%d @ %g fps, period %g s",
		 o->size, o->size, o->fps, o->period_s);
	return &y->base;
}

static void synth_close(struct ogate_source *s)
{
	struct synth *y = (struct synth *)s;

	if (y->heart.bg)
		ogate_heart_blob_free(&y->heart);
	free(y->img);
	free(y);
}

static int synth_stamp(struct ogate_source *s, uint64_t index, int64_t *rel_ns)
{
	struct synth *y = (struct synth *)s;

	*rel_ns = (int64_t)llround((double)index * 1e9 / y->fps);
	return 0;
}

static int synth_render(struct ogate_source *s, uint64_t index, struct ogate_frame *f)
{
	struct synth *y = (struct synth *)s;
	double psi = ogate_heart_law_psi(&y->law, (double)index / y->fps);
	uint8_t *px = ogate_frame_pixels(f);
	size_t stride = ogate_frame_stride(f);
	int r, c;

	ogate_heart_blob_render(&y->heart, fmod(psi, 2 * M_PI), y->img);
	for (r = 0; r < y->size; r++) {
		for (c = 0; c < y->size; c++) {
			double v = y->img[(size_t)r * y->size + c];

			if (y->noise > 0)
				v += y->noise * ogate_heart_rng_normal(&y->rng);
			v = rint(v);
			px[(size_t)r * stride + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	return 0;
}

const struct ogate_source_ops ogate_source_synthetic_ops = {
	.kind = "synthetic",
	.open = synth_open,
	.close = synth_close,
	.stamp = synth_stamp,
	.render = synth_render,
};
