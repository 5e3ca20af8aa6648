// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The period scan's registered rows (sync_scanreg.c, sync_scan_drift): cap x cap doubles (8 MB
 * with the default 1024 frames), allocated in the determining frame where the scan starts
 * registering a drift. Zeroed there (calloc), they cost that frame 6.2 ms of CPU at 160^2
 * (2073 minor page faults) where the heap reused freed memory (analysis_bench --drift 0 5 with
 * glibc's mmap threshold above the block; 0.5 ms and 26 faults without the clearing), as
 * reference.lag_ssd's store did (test_lag_ssd_store.c). They are not zeroed now: a slot's row
 * is read only up to the depth its frame wrote. The stream is drift_scene.h's disc drifting
 * 2.8 px a beat (test_determine_bigdrift.c's second drift), which locks only once the scan
 * registers the drift. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "frame_private.h"
#include "drift_scene.h"
#include "ogate/settings.h"
#include "ogate/sync.h"
#include "sync_private.h"

#include "alloc_spy.h" /* the rows filled with the byte a run asks for */

#define calloc alloc_spy_calloc
#define malloc alloc_spy_malloc
#include "sync_scanreg.c"
#undef calloc
#undef malloc

#define W 96
#define PERIOD 40.3 /* frames, at 100 fps */
#define FRAMES 300

static const struct drift_scene scene = { .period = PERIOD,
					  .centre = 48,
					  .r0 = 14,
					  .ra = 9,
					  .dot_orbit = 30 };

struct run {
	int lock_frame;
	double period;
	double phase[FRAMES]; /* NAN where there is none */
	size_t rows_bytes;
};

static void run(int byte, struct run *out)
{
	alloc_spy_fill = byte;
	alloc_spy_zeroed_max = 0;
	struct ogate_frame *f;
	struct ogate_sync *s = drift_scene_sync_new(W, &f);
	out->lock_frame = -1;
	out->period = -1;
	for (int k = 0; k < FRAMES; k++) {
		drift_scene_render(&scene, f, k, -0.07, 0);
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		struct ogate_reference_info info;
		if (r.established && out->lock_frame < 0 && ogate_sync_get_reference(s, &info) == 0) {
			out->lock_frame = k;
			out->period = info.period_frames;
		}
		out->phase[k] = r.has_phase ? r.phase : NAN;
	}
	assert_non_null(s->rrows); /* the scan registered the drift */
	out->rows_bytes = (size_t)s->cap * (size_t)s->cap * sizeof(double);
	fprintf(stderr,
		"fill 0x%02x: lock at frame %d, period %.4f; rows %zu bytes, largest block zeroed "
		"%zu\n",
		byte, out->lock_frame, out->period, out->rows_bytes, alloc_spy_zeroed_max);
	ogate_frame_free(f);
	ogate_sync_free(s);
}

/*
 * The frame that starts registering zeroes no block of the rows' size (before: the rows'
 * 8388608 bytes), and whatever the unwritten rows hold (zeros, as calloc gave, or 0x7f bytes,
 * doubles of 1.4e306) the lock comes on the same frame at the same period and every phase
 * after it is the same, to the bit.
 */
static void scan_rows_are_not_zeroed_and_give_the_same_lock(void **state)
{
	(void)state;
	static struct run zero, junk;
	run(0x00, &zero);
	assert_true(alloc_spy_zeroed_max < zero.rows_bytes / 16);
	run(0x7f, &junk);
	assert_true(alloc_spy_zeroed_max < junk.rows_bytes / 16);
	assert_true(zero.lock_frame >= 150); /* after the 1.5 spans without a period */
	assert_int_equal(zero.lock_frame, junk.lock_frame);
	assert_memory_equal(&zero.period, &junk.period, sizeof(double));
	for (int k = 0; k < FRAMES; k++) {
		assert_int_equal(isnan(zero.phase[k]), isnan(junk.phase[k]));
		if (!isnan(zero.phase[k]))
			assert_memory_equal(&zero.phase[k], &junk.phase[k], sizeof(double));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_rows_are_not_zeroed_and_give_the_same_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
