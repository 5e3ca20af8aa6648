// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The pin fit's departure weighed against its own scatter (sync.calibrate_pin_fit_z; sync_calib.c,
 * update_anchor; docs/accuracy-log.md, "The pin's level on the unseen sweep's rows"). The pin fit
 * (sync.calibrate_pin_fit = E) reads N's level at the target from a line plus a parabola through
 * the table at the reference frames, its departure D from the beat model's level taken as
 * D^3 / (D^2 + E^2). The table there also holds each reference frame's own matching error, the
 * same every beat; whatever of it the fit cannot tell from N moves the pin. With z the
 * denominator also holds z^2 times the fit's variance at the target (the table's scatter about
 * the fit, through the fit's leverage there): a model that missed N is still corrected where the
 * table is clean, and a right model keeps its level where the table's scatter is the pattern.
 * The reference beat is u31's (13.21 frames, 0.16 short of P, as test_calib_pin_fit.c); the
 * pipeline's internals are compiled in and driven with known phases. */
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

#define IVL_S 0.0164

/* each reference frame's own matching error, frames (a fixed draw in [-1, 1], times the
 * pattern's amplitude): the same whenever a frame is matched nearest that reference frame */
static const double PAT[14] = { 0.62,  -0.91, 0.35,  0.78, -0.44, -0.12, 0.95,
				-0.67, 0.21,  -0.83, 0.49, 0.08,  -0.56, 0.71 };

/* The level left at the target u_t after 3000 frames of a reference beat P + delta frames long,
 * N's model set to trend k and delta d, every frame matched with amp x PAT at its nearest
 * reference frame; E and z the keys (frames, measured minus true, + = ahead). */
static double left_at_target(double delta, double k, double d, double ut, double E, double z, double amp)
{
	const double P = 13.21;
	struct ogate_sync *s = calib_locked_on(P);
	s->set.calibrate_pin_fit = E;
	s->set.calibrate_pin_fit_z = z; /* the key under test */
	calib_target(s, ut);
	s->cal_trend = k;
	s->cal_delta = d;
	double Pt = P + delta, x0 = 0.37;
	for (int i = 0; i < 3000; i++) {
		double x = i + x0, beat = floor(x / Pt), u = beat * P + (x - beat * Pt);
		int j = (int)lround(fmod(u, P)) % 14;
		calib_frame_push(s, llround(i * IVL_S * 1e9), u, amp * PAT[j]);
	}
	double left = -(sync_calib_offset(s, ut) + sync_calib_common(s, ut, &(double){ 0 }));
	ogate_sync_free(s);
	return left;
}

/* u31's model (k -0.12, d +0.11) on u31's beat, the table clean: the model's pin left -0.227 /
 * +0.074 / +0.063 frame at three targets, E = 0.1 alone -0.040 / +0.048 / +0.047; with z and no E
 * the fit's departure stands clear of its zero scatter and is taken whole */
static void a_missed_model_is_corrected_on_a_clean_table(void **state)
{
	(void)state;
	const double ut[3] = { 0.3, 6.6, 11.6 };
	for (int i = 0; i < 3; i++) {
		double off = left_at_target(-0.16, -0.12, 0.11, ut[i], 0, 0, 0);
		double z = left_at_target(-0.16, -0.12, 0.11, ut[i], 0, 4, 0);
		assert_true(fabs(off) > 0.06);
		assert_true(fabs(z) < 0.005);
	}
}

/* a right model (the beat's delta, no trend) and each reference frame matched 0.2 x PAT off:
 * the unshrunk fit (E 0.001) moves the level by the pattern it reads as N (0.006-0.015 frame);
 * with z = 4 the departure is within the fit's scatter and the level stays the model's */
static void a_right_model_keeps_its_level_over_a_pattern(void **state)
{
	(void)state;
	const double ut[3] = { 0.3, 6.6, 11.6 };
	double moved = 0;
	for (int i = 0; i < 3; i++) {
		double off = left_at_target(-0.16, 0, -0.16, ut[i], 0, 0, 0.2);
		double fit = left_at_target(-0.16, 0, -0.16, ut[i], 0.001, 0, 0.2);
		double z = left_at_target(-0.16, 0, -0.16, ut[i], 0, 4, 0.2);
		moved = fmax(moved, fabs(fit - off));
		assert_true(fabs(z - off) < 0.001);
	}
	assert_true(moved > 0.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_missed_model_is_corrected_on_a_clean_table),
		cmocka_unit_test(a_right_model_keeps_its_level_over_a_pattern),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
