/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the drift suites (test_determine_drift.c, test_drift_lags_even.c,
 * test_drift_after_lock.c, test_determine_bigdrift.c, test_drift_reference_one_position.c): a
 * stream rendered analytically, without resampling blur or pixel noise
 * (test_determine_drift_at_bound.c renders its own and shares drift_scene_sync_new). Include after
 * cmocka.h. A smooth static texture drifts by (vy, vx) px per frame; a disc on it beats at a given
 * period (quick contraction, slow relaxation); optionally its centre circles once a beat or a dark
 * dot circles it, so that every phase looks different. Frames are 100 fps apart. */
#ifndef OGATE_TEST_DRIFT_SCENE_H
#define OGATE_TEST_DRIFT_SCENE_H

#include <math.h>
#include <stdint.h>
#include "frame_private.h"
#include "ogate/settings.h"
#include "ogate/sync.h"

struct drift_scene {
	double period;	  /* frames a beat */
	double centre;	  /* the disc's resting centre, px on both axes */
	double r0, ra;	  /* its radius: r0 + ra x the beat's shape */
	double wobble;	  /* radius of the circle its centre follows once a beat (0: still) */
	double dot_orbit; /* radius of the dot's orbit about the centre (0: no dot) */
};

/* frame k of the scene into f (8-bit, square: its width) */
static inline void drift_scene_render(const struct drift_scene *sc, struct ogate_frame *f, int k,
				      double vy, double vx)
{
	double ph = fmod(k / sc->period + 0.37, 1.0);
	double r = sc->r0 +
		   sc->ra * (ph < 0.3 ? sin(M_PI * ph / 0.6) : cos(M_PI / 2 * (ph - 0.3) / 0.7));
	double cx = sc->centre, cy = sc->centre;
	if (sc->wobble > 0) {
		cx += sc->wobble * cos(2 * M_PI * ph);
		cy += sc->wobble * sin(2 * M_PI * ph);
	}
	double ex = sc->centre + sc->dot_orbit * cos(2 * M_PI * ph);
	double ey = sc->centre + sc->dot_orbit * sin(2 * M_PI * ph);
	int w = f->width;
	for (int y = 0; y < w; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < w; x++) {
			double u = x - vx * k, v = y - vy * k;
			double bg = 90 + 30 * sin(0.61 * u + 0.3) * cos(0.47 * v) +
				    20 * sin(0.23 * u - 0.83 * v + 1.1);
			double d = hypot(u - cx, v - cy) - r, in = 1 / (1 + exp(2 * d));
			double px = bg * (1 - in) + 200 * in;
			if (sc->dot_orbit > 0) {
				double e = hypot(u - ex, v - ey) - 4, dot = 1 / (1 + exp(2 * e));
				px = px * (1 - dot) + 30 * dot;
			}
			row[x] = (uint8_t)lround(px);
		}
	}
	f->meta.timestamp_ns = 10000000LL * k; /* 100 fps */
	f->meta.sequence = (uint64_t)k;
}

/* A sync object on the default settings, and *f a w x w 8-bit frame to render into (the test
 * stops here if either cannot be made). */
static inline struct ogate_sync *drift_scene_sync_new(int w, struct ogate_frame **f)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	*f = NULL;
	assert_int_equal(0, ogate_frame_new(f, OGATE_PIX_U8, w, w));
	return s;
}

/* The period (frames) of the first reference the scene at (vy, vx) px a frame establishes on
 * settings set with w x w frames, within 400 frames (-1: none). */
static inline double drift_scene_period_at_lock(const struct drift_scene *sc,
						const struct ogate_settings *set, int w, double vy,
						double vx)
{
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, set));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, w, w));
	double P = -1;
	for (int k = 0; k < 400 && P < 0; k++) {
		drift_scene_render(sc, f, k, vy, vx);
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		struct ogate_reference_info info;
		if (r.established && ogate_sync_get_reference(s, &info) == 0)
			P = info.period_frames;
	}
	ogate_frame_free(f);
	ogate_sync_free(s);
	return P;
}

/* The lock as a drift suite measures after it: the first established reference's frame, period
 * and first frame's sequence number. */
struct drift_lock {
	int k;	      /* the frame that took it (-1: not yet) */
	double P;     /* its period, frames */
	double first; /* its first frame's sequence number */
};

/* After frame k's result r: notes the first lock; returns 1 for a frame to measure (matched, from
 * two beats of `period` frames after the lock), 0 for one to skip, -1 once `beats` beats are
 * measured. */
static inline int drift_lock_step(struct drift_lock *L, struct ogate_sync *s,
				  const struct ogate_sync_result *r, int k, double period, int beats)
{
	struct ogate_reference_info info;
	if (L->k < 0 && r->established && ogate_sync_get_reference(s, &info) == 0) {
		L->k = k;
		L->P = info.period_frames;
		L->first = (double)info.first_seq;
	}
	if (L->k < 0 || k < L->k + 2 * period || isnan(r->phase) || r->sad_argmin < 0)
		return 0;
	return k >= L->k + (2 + beats) * period ? -1 : 1;
}

#endif
