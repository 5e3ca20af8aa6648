// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The drift's velocity at lock (sync_driftreg.c, drift_velocity) reads the shifts of frame pairs
 * a beat apart, from the newest frame back; each pair's shift depends on its two frames, the
 * integer start and the row step alone. They are computed as each determining frame arrives
 * (sync_drift_pairs_on_arrival) and kept under those keys, so the frame that takes the
 * reference computes its own pair only (0.4-0.6 ms of the 512^2 establishing frame were the
 * pairs), and the lock is the same as where every pair is computed there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "drift_scene.h"
#include "sync_private.h"

#define W 64
#define PERIOD 20.3
#define VY 0.05
#define VX -0.03

static const struct drift_scene scene = { .period = PERIOD, .centre = 32, .r0 = 9, .ra = 6, .wobble = 3 };

struct lock {
	int k;		   /* the frame that took it */
	long misses, hits; /* pair shifts computed and looked up on that frame */
	double P, vel[2], trend, lags[6];
};

/* the determination of the drifting scene up to its lock; with `cold` the stored pairs are
 * dropped before frame `cold` (the lock frame: every pair computed there, as before) */
static void run(int cold, struct lock *L)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.determine_row_step = 2; /* as frames over about 132^2 read them */
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = OGATE_PIX_U8;
	s->w = W;
	s->h = W;
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, W, W));
	L->k = -1;
	for (int k = 0; k < 300 && L->k < 0; k++) {
		drift_scene_render(&scene, f, k, VY, VX);
		if (k == cold && s->pmemo)
			memset(s->pmemo, 0, sizeof(*s->pmemo) * (size_t)s->cap * SYNC_PAIR_MEMO);
		long m0 = s->pmemo_misses, h0 = s->pmemo_hits;
		double P;
		int rc = sync_determine(s, f, 0, &P);
		assert_true(rc >= 0);
		if (rc == 1) {
			L->k = k;
			L->misses = s->pmemo_misses - m0;
			L->hits = s->pmemo_hits - h0;
			L->P = P;
			L->trend = s->det_trend;
			memcpy(L->vel, s->det_vel, sizeof(L->vel));
			memcpy(L->lags, s->det_lags, sizeof(L->lags));
		}
	}
	ogate_frame_free(f);
	ogate_sync_free(s);
}

/* The lock frame computes its own two pairs (reference.drift_move: the frames floor(lag) and
 * floor(lag) + 1 back) and reads the others' stored on their arrival (before: 16 computed
 * there); the velocity, period, trend and lags are bit for bit those of a lock that computes
 * every pair itself. */
static void the_lock_reads_the_pairs_stored_on_arrival(void **state)
{
	(void)state;
	struct lock warm, cold;
	run(-1, &warm);
	assert_true(warm.k > 0);
	run(warm.k, &cold);
	assert_int_equal(warm.k, cold.k);
	print_message("lock at frame %d: P %.4f, vel %+.5f %+.5f; pairs computed %ld / %ld, read "
		      "%ld / %ld (stored / computed at lock)\n",
		      warm.k, warm.P, warm.vel[0], warm.vel[1], warm.misses, cold.misses, warm.hits,
		      cold.hits);
	assert_true(fabs(warm.vel[0] - VY) < 0.01 && fabs(warm.vel[1] - VX) < 0.01);
	assert_true(warm.misses <= 2);
	assert_true(cold.misses >= 8);
	assert_true(warm.hits >= cold.misses - 2);
	assert_memory_equal(&warm.P, &cold.P, sizeof(double));
	assert_memory_equal(warm.vel, cold.vel, sizeof(warm.vel));
	assert_memory_equal(&warm.trend, &cold.trend, sizeof(double));
	assert_memory_equal(warm.lags, cold.lags, sizeof(warm.lags));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_lock_reads_the_pairs_stored_on_arrival),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
