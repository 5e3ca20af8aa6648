// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.scan_ramp (sync_scanramp.c): a drift adds a ramp to the period scan's SAD row (the
 * newest frame against frames shifted further the longer ago they were taken); the valley's
 * floor rises with its lag while the row's value at lag 1 does not, the rise after the valley
 * passed the upper threshold frames before the heart's own rise, and the lock came on fewer
 * lags with a short period (docs/accuracy-log.md, "Why drifting hearts lock early"). With the
 * key the row is scanned with the drift's share taken out of every lag. The stream is
 * drift_scene.h's disc whose centre circles once a beat (every phase looks different), with
 * pixel noise added, at 100 fps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "frame_private.h"
#include "drift_scene.h"
#include "ogate/settings.h"
#include "ogate/sync.h"

#define W 64

/* the sum of four uniform deviates (a bell of unit variance) times amp, per pixel, seeded by
 * the frame's index: the same noise for every run of frame k */
static void add_noise(struct ogate_frame *f, int k, double amp)
{
	uint32_t x = 2463534242u + (uint32_t)k * 2654435761u;
	for (int y = 0; y < f->height; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int i = 0; i < f->width; i++) {
			double g = 0;
			for (int j = 0; j < 4; j++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				g += (x & 0xffff) / 65536.0 - 0.5;
			}
			double v = row[i] + amp * g * sqrt(3.0);
			row[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
		}
	}
}

/* the first lock (its frame and period) of the scene beating at `period` frames with pixel
 * noise `noise`, drifting (vy, vx) px a frame, reference.scan_ramp = ramp */
static struct drift_lock lock_at(double period, double noise, double vy, double vx, int ramp)
{
	const struct drift_scene sc = { .period = period, .centre = 32, .r0 = 9, .ra = 6, .wobble = 3 };
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.scan_ramp = ramp;
	set.lag_even = 0; /* the early lock this suite pins reads the bilinear lags (lag_even off) */
	set.lag_sym = 0;  /* ... read one way, the lock as soon as the reference fits */
	set.lock_wait_frames = 0;
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, W, W));
	struct drift_lock L = { -1, -1, -1 };
	for (int k = 0; k < 400 && L.k < 0; k++) {
		drift_scene_render(&sc, f, k, vy, vx);
		if (noise > 0)
			add_noise(f, k, noise);
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		drift_lock_step(&L, s, &r, k, period, 1);
	}
	ogate_frame_free(f);
	ogate_sync_free(s);
	fprintf(stderr,
		"period %.1f noise %.0f drift %+.3f %+.3f px/frame, scan_ramp %d: lock at %d, %.4f frames\n",
		period, noise, vy, vx, ramp, L.k, L.P);
	assert_true(L.k > 0);
	return L;
}

/* Without a drift the valley's frames are not shifted: the key changes no estimate, and the
 * lock and its period are the same. */
static void without_drift_the_key_changes_nothing(void **state)
{
	(void)state;
	const double per[2][2] = { { 40.3, 4 }, { 30.6, 0 } };
	for (int k = 0; k < 2; k++) {
		struct drift_lock a = lock_at(per[k][0], per[k][1], 0, 0, 0);
		struct drift_lock b = lock_at(per[k][0], per[k][1], 0, 0, 1);
		assert_int_equal(a.k, b.k);
		assert_true(a.P == b.P);
	}
}

/*
 * At 2.2 px/s the ramp alone passed the rise test: the drifting stream locked 7 and 5 frames
 * before the drift-free one (48 / 55 at 40.3 frames a beat, 38 / 43 at 30.6) on lags whose
 * period was 0.66 and 0.33 frame short (39.64, 30.27). With the ramp taken out the lock comes
 * no sooner than the drift-free one's and its period is within 0.15 frame of the beat (67,
 * 40.19; 51, 30.57).
 */
static void a_drift_does_not_lock_early_on_a_short_period(void **state)
{
	(void)state;
	const double per[2][2] = { { 40.3, 4 }, { 30.6, 0 } };
	for (int k = 0; k < 2; k++) {
		double P = per[k][0], noise = per[k][1];
		struct drift_lock still = lock_at(P, noise, 0, 0, 0);
		struct drift_lock off = lock_at(P, noise, -0.02, 0.01, 0);
		struct drift_lock on = lock_at(P, noise, -0.02, 0.01, 1);
		assert_true(off.k <= still.k - 5 && P - off.P > 0.3); /* the early lock, as before */
		assert_true(on.k >= still.k && fabs(on.P - P) < 0.15);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_drift_the_key_changes_nothing),
		cmocka_unit_test(a_drift_does_not_lock_early_on_a_short_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
