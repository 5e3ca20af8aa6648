/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the lib suites that run a synthetic heart through a sync frame by frame
 * (test_scan_hold_length.c, test_scan_plain_row.c, test_drift_move_sliced.c, test_held_trigger.c,
 * test_ref_smooth_sliced.c, test_ref_smooth.c, test_ref_smooth_along.c): ogate-synth's blob heart
 * following a law, drifting rigidly if asked, with camera noise, as 8- or 16-bit frames stamped
 * 1 s + i / fps (noisy_frame.h); the matched phase's per-frame error; and the history entries
 * each frame's step wrote, read back by the frame they belong to. Include after cmocka.h,
 * heart.c and sync_private.h; the helpers are static inline so a test that does not use one does
 * not warn. */
#ifndef OGATE_TEST_HEARTRUN_H
#define OGATE_TEST_HEARTRUN_H

#include <stdlib.h>
#include "noisy_frame.h"

/* What a run shows. Frame i is the heart at t = i / fps shifted by (vy i, vx i) px, plus noise *
 * N(0, 1) a pixel from the rng seeded rng_seed; frames must be asked for in order (the rng). */
struct heartrun_spec {
	int sz;			    /* frames sz x sz */
	int bits;		    /* 16: 16-bit frames (the 8-bit values x 256); else 8 */
	uint64_t blob_seed;	    /* ogate_heart_blob_init's */
	uint64_t rng_seed;	    /* the camera noise's */
	struct ogate_heart_law law; /* the heart's phase over time */
	double fps, noise;
	double vy, vx; /* the drift, px a frame (rows, cols); both 0: not shifted at all */
};

/* The fast heart whose drift the period scan registers (sync_scanreg.c): 0.4 s at 80 fps (32
 * frames a beat) drifting 1.6 px a beat, at sz^2 with noise 4, over nf frames */
static inline struct heartrun_spec heartrun_fast_drifting(int sz, int nf)
{
	return (struct heartrun_spec){ .sz = sz,
				       .blob_seed = 3,
				       .rng_seed = 9,
				       .law = { 0.4, 0.0, 0.0, 7.0, 0.9, nf / 80.0 },
				       .fps = 80.0,
				       .noise = 4.0,
				       .vy = 0.04,
				       .vx = -0.03 };
}

/* a run's state: read it through the functions below */
struct heartrun {
	struct heartrun_spec spec;
	struct ogate_heart_blob heart;
	struct ogate_heart_rng rng;
	float *img, *sh; /* the rendered heart, and shifted */
	struct ogate_frame *f;
	int head; /* the sync's history ring's head after the entries read so far */
};

/* A run of spec; the test stops here if it cannot be made. heartrun_free() frees it. */
static inline struct heartrun *heartrun_new(const struct heartrun_spec *spec)
{
	struct heartrun *hr = calloc(1, sizeof(*hr));
	assert_non_null(hr);
	hr->spec = *spec;
	int sz = spec->sz;
	assert_int_equal(0, ogate_heart_blob_init(&hr->heart, sz, sz, spec->blob_seed));
	ogate_heart_rng_seed(&hr->rng, spec->rng_seed);
	size_t np = (size_t)sz * sz;
	hr->img = malloc(sizeof(float) * np);
	hr->sh = malloc(sizeof(float) * np);
	assert_non_null(hr->img);
	assert_non_null(hr->sh);
	assert_int_equal(0, ogate_frame_new(&hr->f, spec->bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8,
					    sz, sz));
	return hr;
}

/* The slow cartoon heart the reference smoothing is tried on: 1.3 s at 60 fps (78 frames a
 * beat), 96^2, noise 4, at 8 or 16 bits */
static inline struct heartrun_spec heartrun_slow_smooth(int bits)
{
	return (struct heartrun_spec){ .sz = 96,
				       .bits = bits,
				       .blob_seed = 11,
				       .rng_seed = 5,
				       .law = { 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 },
				       .fps = 60.0,
				       .noise = 4.0 };
}

static inline void heartrun_free(struct heartrun *hr)
{
	free(hr->img);
	free(hr->sh);
	ogate_frame_free(hr->f);
	ogate_heart_blob_free(&hr->heart);
	free(hr);
}

/* frame i (the run's one frame, rewritten) */
static inline struct ogate_frame *heartrun_frame(struct heartrun *hr, int i)
{
	const struct heartrun_spec *sp = &hr->spec;
	if (sp->vy == 0 && sp->vx == 0) {
		noisy_heart_frame(hr->f, &hr->heart, &sp->law, hr->img, sp->sz, sp->fps, sp->noise,
				  &hr->rng, i);
		return hr->f;
	}
	double t = i / sp->fps;
	ogate_heart_blob_render(&hr->heart, fmod(ogate_heart_law_psi(&sp->law, t), 2 * M_PI), hr->img);
	ogate_heart_rigid_shift(hr->img, hr->sh, sp->sz, sp->sz, sp->vy * i, sp->vx * i);
	noisy_frame_fill(hr->f, hr->sh, sp->sz, sp->sz, sp->noise, &hr->rng,
			 1000000000LL + llround(t * 1e9), (uint64_t)i);
	return hr->f;
}

/* frame i through sy into *r (the test stops if ogate_sync_process() fails); returns the frame */
static inline const struct ogate_frame *heartrun_step(struct heartrun *hr, struct ogate_sync *sy,
						      int i, struct ogate_sync_result *r)
{
	struct ogate_frame *f = heartrun_frame(hr, i);
	assert_int_equal(ogate_sync_process(sy, f, r), 0);
	return f;
}

/* Frames 0 .. nf - 1 through sy: the sd about their mean of the phase errors (frames of the law's
 * period at spec fps) of the frames phased after frame `from`; the test stops unless more than
 * `least` of them were */
static inline double heartrun_phase_sd(struct heartrun *hr, struct ogate_sync *sy, int nf, int from,
				       int least)
{
	const struct heartrun_spec *sp = &hr->spec;
	double *err = malloc(sizeof(double) * (size_t)nf), P = sp->law.period_s * sp->fps;
	assert_non_null(err);
	struct ogate_sync_result r = { 0 };
	int n = 0;
	for (int i = 0; i < nf; i++) {
		heartrun_step(hr, sy, i, &r);
		if (r.has_phase && i > from)
			err[n++] = ogate_wrap_pi(r.phase - ogate_heart_law_psi(&sp->law, i / sp->fps)) *
				   P / (2 * M_PI);
	}
	assert_true(n > least);
	double mean = 0, ss = 0;
	for (int k = 0; k < n; k++)
		mean += err[k] / n;
	for (int k = 0; k < n; k++)
		ss += (err[k] - mean) * (err[k] - mean);
	free(err);
	return sqrt(ss / n);
}

/* After frame i's step: the next history entry it wrote (held frames matched now, then frame i
 * itself; oldest first) into *e, and the frame it belongs to (checked: 0 .. i); -1 once every
 * entry written so far is read. */
static inline int heartrun_matched(struct heartrun *hr, const struct ogate_sync *sy, int i,
				   const struct hist **e)
{
	int left = (sy->hhead - hr->head + sy->hcap) % sy->hcap;
	if (left == 0)
		return -1;
	*e = sync_hist_at(sy, left - 1);
	hr->head = (hr->head + 1) % sy->hcap;
	int fi = (int)llround((double)((*e)->t_ns - 1000000000LL) * 1e-9 * hr->spec.fps);
	assert_true(fi >= 0 && fi <= i);
	return fi;
}
#endif
