/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the suites that pin the period at lock (test_lag_curve.c, test_lag_sym.c): a steady
 * cartoon heart under noise sd 3, fed to several syncs at once, each under its own settings;
 * the period each found at its lock and the frame it locked on. The including suite includes
 * cmocka, "heart.c" and "sync_private.h" first. */
#ifndef OGATE_TEST_LOCK_PERIOD_H
#define OGATE_TEST_LOCK_PERIOD_H
#include <math.h>
#include <stdint.h>
#include "noisy_frame.h"

#define LOCK_PERIOD_SZ 64
#define LOCK_PERIOD_FPS 40.0
#define LOCK_PERIOD_MAX 4 /* syncs at once */

/* up to two settings per sync, { NULL, NULL } where none */
typedef const char *lock_period_keys[2][2];

/* frame i of a steady heart of period_s under noise sd 3 */
static inline struct ogate_frame *
lock_period_frame(struct ogate_heart_blob *hb, struct ogate_heart_rng *rng, double period_s, int i)
{
	static float img[LOCK_PERIOD_SZ * LOCK_PERIOD_SZ];
	struct ogate_heart_law law = { period_s, 0.0, 0.0, 5.0, 1.1, 30.0 };
	ogate_heart_blob_render(hb, fmod(ogate_heart_law_psi(&law, i / LOCK_PERIOD_FPS), 2 * M_PI),
				img);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, LOCK_PERIOD_SZ, LOCK_PERIOD_SZ));
	noisy_frame_fill(f, img, LOCK_PERIOD_SZ, LOCK_PERIOD_SZ, 3.0, rng,
			 5000000000LL + llround(i / LOCK_PERIOD_FPS * 1e9), (uint64_t)i);
	return f;
}

/* heart `seed` of period_s over nframes fed to nk syncs, sync k under keys[k]: P[k] its period
 * at lock (frames), at[k] (if not NULL) the frame it locked on; every sync must lock */
static inline void lock_period_run(int seed, double period_s, int nframes, int nk,
				   lock_period_keys *keys, double *P, int *at)
{
	struct ogate_heart_blob hb;
	struct ogate_heart_rng rng;
	struct ogate_sync *sy[LOCK_PERIOD_MAX];
	assert_true(nk <= LOCK_PERIOD_MAX);
	ogate_heart_blob_init(&hb, LOCK_PERIOD_SZ, LOCK_PERIOD_SZ, (uint64_t)seed);
	ogate_heart_rng_seed(&rng, (uint64_t)seed + 100);
	for (int k = 0; k < nk; k++) {
		struct ogate_settings set;
		ogate_settings_default(&set);
		for (int j = 0; j < 2; j++)
			if (keys[k][j][0])
				assert_int_equal(0, ogate_settings_set(&set, keys[k][j][0],
								       keys[k][j][1]));
		assert_int_equal(0, ogate_sync_new(&sy[k], &set));
		P[k] = NAN;
		if (at)
			at[k] = -1;
	}
	for (int i = 0; i < nframes; i++) {
		struct ogate_frame *f = lock_period_frame(&hb, &rng, period_s, i);
		for (int k = 0; k < nk; k++) {
			struct ogate_sync_result r;
			assert_int_equal(0, ogate_sync_process(sy[k], f, &r));
			if (isnan(P[k]) && sy[k]->info.period_frames > 0) {
				P[k] = sy[k]->info.period_frames;
				if (at)
					at[k] = i;
			}
		}
		ogate_frame_free(f);
	}
	for (int k = 0; k < nk; k++) {
		assert_false(isnan(P[k]));
		ogate_sync_free(sy[k]);
	}
	ogate_heart_blob_free(&hb);
}

#endif
