// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The pin at the V fit's reading (sync.calibrate_pin_vfit, sync_calib.c; docs/accuracy-log.md,
 * "The pin at the V fit's reading"). At few frames a beat the V fit puts a frame towards the
 * reference frame's slower side and bunches the faster side's frames near it
 * (test_vfit_unequal_sides.c), so the frames the pin reads at a reference frame's own position
 * are not truly there: pinning the table there to 0 leaves the calibrated phases a level off.
 * Here a heart of P frames a beat changes at a speed that varies over the beat, its SADs linear
 * along the image's path (the reference's steps), every frame matched by the V fit on them; the
 * calibrated phases' mean error over the run is the level the pin leaves. With the key the pin
 * models the V fit's reading from the same steps and the level is near 0. The pipeline's
 * internals are compiled into this test. The key is the most frames a beat it acts at (0 = off). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
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

#define IVL_S 0.033

/* the image's speed at position w (SAD per frame of position), periodic in P */
static double speed(double w, double P, double A, double ph)
{
	return 1 + A * sin(2 * M_PI * w / P + ph);
}

/* the V fit's position of a frame truly at u (frames, 0 <= u < P) on SADs linear along the path
 * over the padded reference's steps */
static double vfit_position(const struct ogate_sync *s, double u)
{
	double r = floor(u + 0.5), t = u - r;
	int b = (int)r + OGATE_NE;
	const double *st = s->step;
	double m = st[b - 1], p = st[b], y[3];
	if (t >= 0) {
		y[0] = m + p * t;
		y[1] = p * t;
		y[2] = p * (1 - t);
	} else {
		y[0] = m * (1 + t);
		y[1] = -m * t;
		y[2] = -m * t + p;
	}
	return r + ogate_vfit(y[0], y[1], y[2]).x;
}

/* what the pin holds after n frames of a heart of P frames a beat whose speed varies by A over
 * the beat, with the key on or off: its anchor, the model's mean V-fit error at the reference
 * frames (*em) and the largest departure of the table there from the model, less its mean over
 * the reference frames after the first (*dev; the first lies at the wrap, whose last interval is
 * P - floor(P) long) */
static double pin_after(double P, double A, double ph, const char *key, double *em, double *dev)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "prediction.predictor", "linear"));
	assert_int_equal(0, ogate_settings_set(&set, "sync.beat_delta_table", "0"));
	/* the key acts under the V fit only (sync_calib.c); the default is the curve at 9-20 */
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "vfit"));
	assert_int_equal(0, ogate_settings_set(&set, "sync.calibrate_pin_vfit", key));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	s->have_ref = 1;
	s->configured = 1;
	s->info.id = 1;
	s->info.period_frames = P;
	s->L = (int)floor(P) + 1 + 2 * OGATE_NE;
	for (int j = 0; j < s->L; j++)
		s->sq[0].pos[j] = j - OGATE_NE;
	s->pos = s->sq[0].pos;
	/* the steps: frame j to j + 1, then from ref_cap frame j to j + 2 (additive along the path) */
	double *st = calloc((size_t)(s->ref_cap + s->L + 1), sizeof(double));
	assert_non_null(st);
	for (int j = 0; j + 1 < s->L; j++)
		st[j] = speed(j - OGATE_NE + 0.5, P, A, ph);
	for (int j = 0; j + 2 < s->L; j++)
		st[s->ref_cap + j] = st[j] + st[j + 1];
	s->step = st;
	sync_calib_reset(s);
	calib_target(s, 0.3 * P);
	for (int k = 0; k < 6000; k++) {
		double x = 0.37 + k, u = fmod(x, P), e = vfit_position(s, u) - u;
		calib_frame_push(s, llround(k * IVL_S * 1e9), x, e);
	}
	int N = s->L - 2 * OGATE_NE;
	double d[64], dm = 0;
	*em = 0;
	for (int j = 0; j < N; j++) {
		double e = vfit_read_error(s, j + OGATE_NE);
		*em += e / N;
		d[j] = table_at(s, s->pos[j + OGATE_NE]) - e;
		dm += j > 0 ? d[j] / (N - 1) : 0;
	}
	*dev = 0;
	for (int j = 1; j < N; j++)
		*dev = fmax(*dev, fabs(d[j] - dm));
	double anchor = s->cal_anchor;
	s->step = NULL;
	free(st);
	ogate_sync_free(s);
	return anchor;
}

/* 10.37 frames a beat, the speed 1 +- 0.5 over the beat: the V fit's errors at the reference
 * frames are up to 0.14 frame, which the table learns there (the model holds it to 0.04 frame
 * away from the wrap), and the pin with the key sets the table there to them, not to 0: its
 * anchor moves by their mean */
static void the_pin_reads_the_table_against_the_v_fits_reading(void **state)
{
	(void)state;
	const double ph[3] = { 0, 2.0, 4.0 };
	for (int i = 0; i < 3; i++) {
		double em, dev, off = pin_after(10.37, 0.5, ph[i], "0", &em, &dev);
		double on = pin_after(10.37, 0.5, ph[i], "25", &em, &dev);
		print_message("phase %.1f: anchor %+.4f -> %+.4f, model mean %+.4f, table less model "
			      "within %.4f frame\n",
			      ph[i], off, on, em, dev);
		assert_true(dev < 0.045);
		assert_true(fabs(em) > 0.001);
		assert_true(fabs(off - on - em) < 1e-9);
	}
}

/* equal steps everywhere: the V fit is exact on linear SADs and the key changes nothing */
static void with_equal_steps_the_key_changes_nothing(void **state)
{
	(void)state;
	double em, dev, off = pin_after(10.37, 0, 0, "0", &em, &dev);
	double on = pin_after(10.37, 0, 0, "25", &em, &dev);
	assert_true(fabs(em) < 1e-12);
	assert_true(fabs(on - off) < 1e-12);
}

/* the key is the most frames a beat it acts at: 10 leaves a heart of 10.37 frames a beat alone */
static void above_the_keys_frames_a_beat_the_pin_is_unchanged(void **state)
{
	(void)state;
	double em, dev, off = pin_after(10.37, 0.5, 0, "0", &em, &dev);
	double on = pin_after(10.37, 0.5, 0, "10", &em, &dev);
	assert_true(fabs(em) > 0.001);
	assert_true(on == off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_pin_reads_the_table_against_the_v_fits_reading),
		cmocka_unit_test(with_equal_steps_the_key_changes_nothing),
		cmocka_unit_test(above_the_keys_frames_a_beat_the_pin_is_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
