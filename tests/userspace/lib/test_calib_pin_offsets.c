// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sync.calibrate_pin_offsets = 1 (opt-in): the pin (sync_calib.c update_anchor) reads the position
 * table at the measured sub-frame offsets of the live frames near the target rather than at the
 * reference frames' own positions (docs/accuracy-log.md, "The pin at the live frames' offsets").
 *
 * The frames carry real192_subpixdrift's error by measured offset c(x) (as in
 * test_calib_pin_offset_level.c: 35 frames a beat on a reference of 34.75, 100 fps, matching
 * noise 0.1 frame). The table learns part of c by raw position; with the key the pin takes the
 * table's mean over the offsets the frames within a frame of the target were measured at (each
 * weighted 1 - its distance, shrunk towards offset 0 by one pseudo-frame). Where the live
 * frames' offsets spread it leaves the frames nearer their truth than the pin at the reference
 * frames; where they are concentrated (a live beat of a whole number of frames) it pins the
 * table's read of their own error and leaves them further from it. The pipeline's internals are
 * compiled in and fed phases whose error is known.
 */
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
#include "xorshift_gauss.h"
#include "vfit_error.h"

#define IVL_S 0.01
#define PER 34.75
#define TARGET 11.58 /* real192_subpixdrift's target position (seed 7) */

struct left {
	double left;   /* the frames' error after the calibration, mean over the last 3000 */
	double anchor; /* the pin's level (frames) */
	double near; /* the table less its beat model, read at the frames' offsets near the target */
	double hx[4]; /* those offsets' shares, quarters */
};

/* 6000 frames, `fpb` a live beat (the reference's P = 34.75 of its frames), each measured at its true position plus c at the measured
 * offset plus matching noise of 0.1 frame; sync.calibrate_pin_offsets = key */
static struct left run(int key, double fpb)
{
	struct ogate_sync *s = calib_locked_on(PER);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.calibrate_pin_offsets", key ? "1" : "0"));
	s->info.target_u = TARGET;
	uint64_t rng = 88172645463325252ULL;
	struct left l = { 0, 0, 0, { 0 } };
	int n = 0;
	for (int k = 0; k < 6000; k++) {
		double u = k * (PER / fpb) + 0.13, p = fmod(u, PER), n1 = 0.1 * xorshift_gauss(&rng);
		double e = vfit_measured_error(p, n1);
		double left = e - calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
		if (k < 3000)
			continue;
		l.left += left;
		n++;
	}
	l.left /= n;
	l.anchor = s->cal_anchor;
	double H = 0;
	for (int m = 0; m < 4; m++)
		H += s->cal_hx[m];
	int N = s->L - 2 * OGATE_NE;
	for (int m = 0; m < 4; m++) {
		l.hx[m] = H > 0 ? s->cal_hx[m] / H : 0;
		for (int j = 0; j < N; j++) {
			double u = s->pos[j + OGATE_NE] + m / 4.0;
			l.near += l.hx[m] * (table_at(s, u) - beat_map(s, u)) / N;
		}
	}
	print_message("key %d, %.2f frames a beat: left %+.4f, anchor %+.4f, table at the near "
		      "offsets %+.4f; offsets %.3f %.3f %.3f %.3f (%.1f frames)\n",
		      key, fpb, l.left, l.anchor, l.near, l.hx[0], l.hx[1], l.hx[2], l.hx[3], H);
	ogate_sync_free(s);
	return l;
}

static void off_by_default(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, set.calibrate_pin_offsets);
}

/* The key off: the pin at the reference frames (test_calib_pin_offset_level.c's figures), and no
 * offsets are gathered. */
static void without_the_key_the_pin_is_at_the_reference_frames(void **state)
{
	(void)state;
	struct left l = run(0, 35);
	assert_float_equal(l.left, 0.0198, 2e-4);
	assert_float_equal(l.anchor, -0.0073, 2e-4);
	for (int m = 0; m < 4; m++)
		assert_float_equal(l.hx[m], 0, 1e-12);
}

/* A live beat of 34.75 frames on the reference of 34.75: each beat's frames a quarter frame
 * further, the frames near the target spread over the four offsets (weight ~170 frames, one
 * pseudo-frame at 0). The pin is the table's mean there (as last set, up to 7 frames before) and
 * the frames are left +0.0085 frame late, against +0.0307 with the pin at the reference frames. */
static void spread_live_offsets_take_the_tables_mean_there(void **state)
{
	(void)state;
	struct left off = run(0, PER), on = run(1, PER);
	assert_float_equal(off.left, 0.0307, 2e-4);
	assert_float_equal(off.anchor, 0.0242, 2e-4);
	assert_float_equal(on.hx[0], 0.195, 2e-3);
	assert_float_equal(on.hx[1], 0.299, 2e-3);
	assert_float_equal(on.hx[2], 0.308, 2e-3);
	assert_float_equal(on.hx[3], 0.199, 2e-3);
	assert_float_equal(on.anchor, on.near, 1e-3);
	assert_float_equal(on.anchor, 0.0012, 2e-4);
	assert_float_equal(on.left, 0.0085, 2e-4);
}

/* 35 frames a beat: every beat's frames at the same positions, those near the target truly at
 * offset ~0.05 and measured at 0-1/4 (0.52 / 0.41), where c is late and the table learnt +0.029
 * of it. The pin takes that as the level of exact frames: the frames are left +0.0527 late,
 * against +0.0198 with the pin at the reference frames. Truth is known only for frames truly
 * at a reference frame, not for frames measured where the live frames are. */
static void concentrated_live_offsets_pin_their_own_error(void **state)
{
	(void)state;
	struct left l = run(1, 35);
	assert_float_equal(l.hx[0], 0.520, 2e-3);
	assert_float_equal(l.hx[1], 0.408, 2e-3);
	assert_float_equal(l.anchor, l.near, 1e-3);
	assert_float_equal(l.anchor, 0.0291, 2e-4);
	assert_float_equal(l.left, 0.0527, 2e-4);
}

/* offset_near_target's histogram of the last n frames against the target at ut */
static void hx_of_last(const struct ogate_sync *s, int n, double ut, double hx[4])
{
	double P = s->info.period_frames;
	for (int m = 0; m < 4; m++)
		hx[m] = 0;
	for (int k = 0; k < n; k++) {
		const struct hist *e = sync_hist_at(s, k);
		double d = fmod(e->w - ut, P);
		d += d < -P / 2 ? P : d > P / 2 ? -P : 0;
		double wt = 1 - fabs(d), x = e->off * 4, f = x - floor(x);
		int q = ((int)floor(x) % 4 + 4) % 4;
		if (!(wt > 0))
			continue;
		hx[q] += (1 - f) * wt;
		hx[(q + 1) % 4] += f * wt;
	}
}

/* The target moved mid-run (ogate_sync_set_target_phase) after 3000 frames filled the histogram
 * near A (~85 frames' weight): from the move's first frame on the pin reads the offsets of the
 * frames near B alone, and is set for them at that frame (not up to 7 calibration samples later
 * with A's). */
static void a_target_move_restarts_the_live_offsets(void **state)
{
	(void)state;
	struct ogate_sync *s = calib_locked_on(PER);
	assert_int_equal(0, ogate_settings_set(&s->set, "sync.calibrate_pin_offsets", "1"));
	s->info.target_u = TARGET;
	uint64_t rng = 88172645463325252ULL;
	int k = 0;
	for (; k < 3000; k++) {
		double u = k + 0.13, p = fmod(u, PER),
		       e = vfit_measured_error(p, 0.1 * xorshift_gauss(&rng));
		calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
	}
	double H = 0, hx[4];
	for (int m = 0; m < 4; m++)
		H += s->cal_hx[m];
	assert_true(H > 50);
	assert_int_equal(0, ogate_sync_set_target_phase(s, 2 * M_PI * 25.3 / PER));
	double ut = s->info.target_u;
	assert_float_equal(ut, 25.3, 1e-9);
	for (int n = 1; k < 3000 + 120; k++, n++) {
		double u = k + 0.13, p = fmod(u, PER),
		       e = vfit_measured_error(p, 0.1 * xorshift_gauss(&rng));
		calib_frame_push(s, llround(k * IVL_S * 1e9), u, e);
		hx_of_last(s, n, ut, hx);
		for (int m = 0; m < 4; m++)
			assert_float_equal(s->cal_hx[m], hx[m], 1e-9);
		if (n == 1) { /* the pin as update_anchor sets it from those */
			double a = s->cal_anchor;
			update_anchor(s);
			assert_float_equal(a, s->cal_anchor, 1e-12);
		}
	}
	H = 0;
	for (int m = 0; m < 4; m++)
		H += s->cal_hx[m];
	assert_true(H > 2 && H < 6); /* three or four beats near B */
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(off_by_default),
		cmocka_unit_test(without_the_key_the_pin_is_at_the_reference_frames),
		cmocka_unit_test(spread_live_offsets_take_the_tables_mean_there),
		cmocka_unit_test(concentrated_live_offsets_pin_their_own_error),
		cmocka_unit_test(a_target_move_restarts_the_live_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
