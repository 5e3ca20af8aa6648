// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The beat model's delta where the beats after the reference were dropped (sync_calib.c,
 * update_anchor, sync.beat_delta_table; docs/accuracy-log.md "The bias against the target phase
 * on clean hearts"). A frame of the half beat after the reference resampled for a sub-pixel drift
 * drops the beats after it (beat_after_reference): N falls back to the lags at lock, delta 0. The
 * lags miss the beat the reference holds where they all lie at one sub-frame offset (their
 * common matching error): unseen-104's u24_real176_0.95s_95fps (0.04 px of drift a second, the
 * reference not moved) held 88.51 frames for P = 88.68, delta 0 for a true -0.166, and its
 * triggers ran from +0.89 ms at a target of 0 rad to -0.97 ms at 6.02 (a sawtooth over the
 * target, the jump at the wrap). The table learns that beat as a ramp over the positions; a
 * moved reference had delta read from the table's own line (table_delta), and with the key an
 * unmoved one does too. Every frame here is matched without error; the pipeline's internals are
 * compiled into this test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "sync.c"
#include "sync_calib.c"
#include "sync_calib_common.c"
#include "sync_calib_live.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "calib_frame.h"

#define P0 88.68      /* the period at lock, frames (u24's) */
#define DELTA -0.166  /* the beat the reference holds less P0 */
#define IVL_NS 1.05e7 /* 95 fps */

/* A steady heart of P0 + DELTA frames a beat whose lags at lock all read P0 (delta 0), the
 * tracker's sub-pixel drift at fdx from the first frame after the reference, the reference not
 * moved, sync.beat_delta_table = key: the corrected phase's level at target u_t after n frames
 * (frames, measured less true, + = ahead; what the pin leaves there), and the delta then held. */
static double left_at_target(int key, double fdx, double ut, int n, double *d)
{
	struct ogate_sync *s = calib_locked_on(P0);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_delta_table", key ? "1" : "0"));
	/* the drop itself: the default since session 31 keeps an unmoved reference's beats after
	 * (test_beat_after_drift.c) */
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.beat_after_drift", "0"));
	double Pt = P0 + DELTA, u;
	calib_ref_at_lock(s, 0, IVL_NS);
	for (double x = -0.3 * P0; x <= 0; x += 1)
		calib_lag_add(s, x, P0);
	sync_calib_reset(s);
	assert_true(s->cal_ivl_ns > 0); /* the beats after it would be read */
	calib_target(s, ut);
	s->fdx = fdx;
	for (int k = 0; k < n; k++)
		calib_steady_push(s, Pt, IVL_NS, k + 0.37, &u);
	double left = -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
	*d = s->cal_delta;
	ogate_sync_free(s);
	return left;
}

/* u24's case: 25 beats, the target near the beat's end (6.02 rad: u 85) */
static void dropped_beats_after_read_delta_from_the_table(void **state)
{
	(void)state;
	double d0, d1;
	double before = left_at_target(0, 0.03, 85, 2200, &d0);
	double after = left_at_target(1, 0.03, 85, 2200, &d1);
	/* the beats after dropped: delta 0, and the pin leaves about delta (1 / 2 - u_t / P) there
	 * (+0.062 frame: the corrected phase ahead of the truth, a trigger 0.65 ms early at 95 fps) */
	assert_true(d0 == 0);
	assert_true(before > 0.055 && before < 0.07);
	/* with the key the table's line gives delta (-0.122 here), shrunk against the matching
	 * errors' line, and the pin leaves a quarter of what it left */
	assert_true(d1 < 0.6 * DELTA && d1 > 1.05 * DELTA);
	assert_true(fabs(after) < 0.3 * fabs(before));
}

/* no drift: the beats after the reference are measured, the key changes nothing */
static void measured_beats_after_are_kept(void **state)
{
	(void)state;
	double d0, d1;
	double off = left_at_target(0, 0, 85, 2200, &d0);
	double on = left_at_target(1, 0, 85, 2200, &d1);
	assert_memory_equal(&d0, &d1, sizeof(double));
	assert_memory_equal(&off, &on, sizeof(double));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dropped_beats_after_read_delta_from_the_table),
		cmocka_unit_test(measured_beats_after_are_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
