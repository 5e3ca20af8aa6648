// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.lag_ssd's per-slot SSD store (sync_determine.c, determine_scan and
 * lag_ssd_on_arrival): cap x height x 56 bytes (7 MB at 128^2 with the default 1024 frames),
 * allocated on the first determining frame. Zeroed there (calloc), it cost that frame 3.8 ms of
 * CPU at 128^2 where the heap reused freed memory (analysis_bench, slow_unsmoothed, frame 1):
 * over the 2 ms bound. It is not zeroed now; a slot is read only once its frame has written it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "xorshift_gauss.h"
#include "frame_private.h"
#include "resample.h"
#include "subframe.h"
#include "sync_private.h"
#include "sync_scanramp.h"
#include "sync.c"
#include "sync_calib.c"
#include "sync_calib_common.c"
#include "sync_calib_live.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"

#include "alloc_spy.h" /* the store filled with garbage (0xa5): an unwritten SSD read moves the lags */

#define calloc alloc_spy_calloc
#define malloc alloc_spy_malloc
#include "sync_determine.c"
#undef calloc
#undef malloc

#define W 128
#define H 128
#define N 80
#define PERIOD 20.3

static uint64_t rng;

/* frame i: each pixel on a closed smooth path around a beat of PERIOD frames, noise of sd 4 */
static void fill_frame(struct ogate_frame *f, int i)
{
	f->meta.timestamp_ns = 5000000LL * i;
	for (int y = 0; y < H; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			int p = y * W + x;
			double amp = 3 + 9 * ((p * 37) % 101) / 100.0, ph = 0.061 * p;
			double v = 120 + amp * sin(2 * M_PI * i / PERIOD + ph) +
				   4 * xorshift_gauss(&rng);
			row[x] = (uint8_t)lround(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

/*
 * Determining frames zero no block of the store's size (the store is not cleared in one
 * frame), and the lags the lock reads from the store, its unwritten parts garbage, are the lags
 * it computes from the frames, to the last bit, for every frame that stored its SSDs.
 */
static void ssd_store_is_not_zeroed_and_gives_the_lock_time_lags(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.register_drift = 0;
	set.lag_ssd = 2;
	set.lag_sym = 0; /* every lag the V fit reads, the newest frames' too */
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->fmt = OGATE_PIX_U8;
	s->w = W;
	s->h = H;
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, W, H));
	rng = 88172645463325252ULL;
	alloc_spy_zeroed_max = 0;
	alloc_spy_fill = 0xa5;
	double P;
	for (int i = 0; i < N; i++) {
		fill_frame(f, i);
		assert_true(sync_determine(s, f, 0, &P) >= 0);
	}
	assert_int_equal(N, s->count);
	assert_non_null(s->lssd);
	size_t store = (size_t)s->cap * H * LSSD_N * sizeof(uint64_t);
	fprintf(stderr, "store %zu bytes, largest block zeroed %zu\n", store, alloc_spy_zeroed_max);
	assert_true(alloc_spy_zeroed_max < store / 16);
	double vfit[N], stored[N], fresh[N];
	sync_frame_lags(s, (int)lround(PERIOD), 0, vfit);
	memcpy(stored, vfit, sizeof(stored));
	memcpy(fresh, vfit, sizeof(fresh));
	s->lssd_hits = 0;
	lags_through_ssd(s, stored);
	assert_int_equal(N - 23, s->lssd_hits);
	memset(s->lssd_b, 0, sizeof(int) * (size_t)s->cap); /* without the store: computed now */
	s->lssd_hits = 0;
	lags_through_ssd(s, fresh);
	assert_int_equal(0, s->lssd_hits);
	int n = 0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(isnan(stored[i]), isnan(fresh[i]));
		if (isnan(stored[i]))
			continue;
		assert_memory_equal(&stored[i], &fresh[i], sizeof(double));
		n++;
	}
	assert_int_equal(N - 23, n);
	ogate_frame_free(f);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ssd_store_is_not_zeroed_and_gives_the_lock_time_lags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
