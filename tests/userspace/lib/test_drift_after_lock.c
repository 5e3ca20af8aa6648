// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The drift after lock on a reference taken under drift (reference.register_drift,
 * sync_driftreg.c): the reference's frames were taken while the specimen moved, so frame u of
 * the reference sits velocity x u from its frame 0. A live frame drifts steadily; against the
 * reference frames it matches, one per position, its shift is a staircase (a step of velocity
 * x P at every wrap of the beat). The tracker smoothed that staircase into a ramp and
 * registered the live frame up to velocity x P / 2 off, early and late in the beat with
 * opposite signs. The stream is rendered analytically (no resampling blur): a smooth static
 * texture drifting at a constant velocity and a disc beating at an exactly known period, as in
 * test_determine_drift.c. */
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
#define PERIOD 40.3 /* frames */
#define BEATS 10    /* beats measured after lock */

/* the drift suites' scene (drift_scene.h) */
static const struct drift_scene scene = { .period = PERIOD, .centre = 32, .r0 = 9, .ra = 6, .wobble = 4 };

struct misreg {
	double rms;	 /* RMS over the frames of the registration's error, px (both axes) */
	double early;	 /* its mean along the drift over the first third of the beat, px */
	double late;	 /* and over the last third */
	double phase_sd; /* the matched position's error against truth: its sd, frames */
};

/*
 * BEATS beats from two beats after the first lock: the shift each frame was registered with
 * (rows r.dx + r.sub_dx, cols r.dy + r.sub_dy; the frame's content sits there against the
 * reference frame's) against the true one, frame k's content shift against the reference
 * frame at the position it matched (stream frame first + u; the default, the reference's
 * frames left along the drift) or, with reference.drift_move = 1 (move), against the
 * reference's frames all moved to the position of its middle (stream frame first + P / 2,
 * docs/accuracy-log.md "The drift rows' early bias"), and the matched position's error.
 */
static struct misreg after_lock(double vy, double vx, int move)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	set.register_drift = 1;
	assert_int_equal(0, ogate_settings_set(&set, "reference.drift_move", move ? "1" : "0"));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, W, W));
	struct drift_lock L = { .k = -1 };
	int n = 0, ne = 0, nl = 0;
	double s2 = 0, se = 0, sl = 0, pe = 0, pe2 = 0;
	for (int k = 0; k < 1000; k++) {
		drift_scene_render(&scene, f, k, vy, vx);
		struct ogate_sync_result r;
		assert_int_equal(0, ogate_sync_process(s, f, &r));
		int step = drift_lock_step(&L, s, &r, k, PERIOD, BEATS);
		if (step < 0)
			break;
		if (!step)
			continue;
		double P = L.P, first = L.first;
		double u = r.phase * P / (2 * M_PI); /* the matched position, frames */
		/* moved: the reference's frames sit at its middle's (sync_scan_register_ref) */
		double at = move ? P / 2 : u;
		double ey = r.dx + r.sub_dx + vy * (k - first - at);
		double ex = r.dy + r.sub_dy + vx * (k - first - at);
		s2 += ey * ey + ex * ex;
		n++;
		double v = hypot(vy, vx), along = v > 0 ? (ey * vy + ex * vx) / v : 0; /* along it */
		if (u < P / 3) {
			se += along;
			ne++;
		} else if (u > 2 * P / 3) {
			sl += along;
			nl++;
		}
		double t = fmod(k - first, PERIOD), e = u - t; /* position against truth */
		e -= P * round(e / P);
		pe += e;
		pe2 += e * e;
	}
	ogate_frame_free(f);
	ogate_sync_free(s);
	assert_true(L.k > 0 && n > BEATS * 30 && ne > 0 && nl > 0);
	struct misreg m = { sqrt(s2 / (2 * n)), se / ne, sl / nl,
			    sqrt(fmax(pe2 / n - (pe / n) * (pe / n), 0)) };
	fprintf(stderr,
		"drift %.4f %.4f px/frame%s: registration error RMS %.4f px, early %+.4f late "
		"%+.4f; position sd %.4f frames\n",
		vy, vx, move ? " (moved)" : "", m.rms, m.early, m.late, m.phase_sd);
	return m;
}

/* At 1 px/s (0.007 px per frame on each axis at 100 fps, 0.4 px over the beat) and at 1.3 px/s
 * in another direction each live frame is registered to the reference frame it matches within
 * 0.03 / 0.06 px RMS, 0.03 / 0.05 px along the drift early in the beat, and the matched
 * position's sd is 0.06 / 0.09 frame. The smoothed staircase left 0.15 / 0.22 px RMS, 0.27 /
 * 0.38 px early in the beat (-0.03 / -0.02 late) and a position sd of 0.17 / 0.25 frame.
 * With the reference moved to its middle (reference.drift_move = 1): 0.04 / 0.05 px RMS, 0.03 /
 * 0.02 px early, a position sd of 0.07 / 0.08 frame. */
static void a_live_frame_is_registered_to_the_frame_it_matches(void **state)
{
	(void)state;
	struct misreg m4[4];
	for (int move = 0; move < 2; move++) {
		m4[2 * move] = after_lock(-0.007, 0.007, move);
		m4[2 * move + 1] = after_lock(0.004, 0.012, move);
	}
	for (int i = 0; i < 4; i++) {
		const struct misreg *m = &m4[i];
		assert_true(m->rms < 0.1);
		assert_true(fabs(m->early) < 0.1 && fabs(m->late) < 0.1);
		assert_true(m->phase_sd < 0.15);
	}
}

/* Without drift nothing is moved: the registration stays at the pixel it starts at. */
static void without_drift_the_registration_stays(void **state)
{
	(void)state;
	for (int move = 0; move < 2; move++) {
		struct misreg m = after_lock(0, 0, move);
		assert_true(m.rms == 0);
		assert_true(m.phase_sd < 0.05);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_live_frame_is_registered_to_the_frame_it_matches),
		cmocka_unit_test(without_drift_the_registration_stays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
