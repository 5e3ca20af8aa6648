// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.subframe = curve: the V fit's offset inverted through the reference's own SAD curve
 * (subframe.c), pinned with exact values on SADs made by the curve model itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/analysis.h"
#include "ogate/settings.h"
#include "ogate/sync.h"
#include "subframe.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* the model's SAD: floor + e1 |d|^g on each side of b (e2 = e1 2^g at two frames) */
static double model(const double e[4], double d)
{
	double e1 = d < 0 ? e[1] : e[2], g = log2((d < 0 ? e[0] : e[3]) / e1), a = fabs(d);
	return 41000 + (a <= 1 ? e1 * pow(a, g) : e1 * pow(2, g) * pow(a / 2, g));
}

static double offset_of(const double e[4], double t, double *vfit)
{
	double s[3] = { model(e, -1 - t), model(e, -t), model(e, 1 - t) };
	*vfit = ogate_vfit(s[0], s[1], s[2]).x;
	return ogate_curve_offset(s, e);
}

/* The image changes twice as fast after b as before it, and the slower side is below the
 * noise (power 1.5): the V fit puts a frame truly 0.2 frame past b on the other side of it, and
 * an exact match a quarter frame early; the reference's curve recovers both. */
static void curve_offset_is_exact_on_an_uneven_noise_rounded_valley(void **state)
{
	(void)state;
	const double e[4] = { 4000 * pow(2, 1.5), 4000, 8000, 16000 };
	double v;
	assert_near(offset_of(e, 0.2, &v), 0.2, 1e-9);
	assert_near(v, -0.0944902472740117, 1e-12);
	assert_near(offset_of(e, 0.0, &v), 0.0, 1e-9);
	assert_near(v, -0.25, 1e-12);
	assert_near(offset_of(e, -0.4, &v), -0.4, 1e-9);
}

/* Noise-dominated on both sides (power 2, the largest an excess can grow): the V fit pushes a
 * frame a quarter frame past b to a third; the curve puts it back. */
static void curve_offset_undoes_the_v_fit_push_on_a_quadratic_valley(void **state)
{
	(void)state;
	const double e[4] = { 24000, 6000, 6000, 24000 };
	double v;
	assert_near(offset_of(e, 0.25, &v), 0.25, 1e-9);
	assert_near(v, 1.0 / 3, 1e-12);
}

/* A saturating side (the excess at two frames only 2^0.7 times that at one) is taken as linear:
 * the curve is then a V with the reference's own slope on each side, and a frame 0.2 frame past
 * b on a linear valley twice as steep after b as before comes out exact where the V fit puts it
 * 0.14 frame early. The inversion of a saturating curve would amplify the noise (subframe.c). */
static void curve_offset_takes_a_saturating_side_as_linear(void **state)
{
	(void)state;
	const double e[4] = { 4000 * pow(2, 0.7), 4000, 8000, 8000 * pow(2, 0.7) };
	const double t = 0.2,
		     s[3] = { 41000 + 4000 * (1 + t), 41000 + 4000 * t, 41000 + 8000 * (1 - t) };
	assert_near(ogate_vfit(s[0], s[1], s[2]).x, -1.0 / 7, 1e-12);
	assert_near(ogate_curve_offset(s, e), t, 1e-9);
}

/* Linear and even: the model is the V fit's own, and the offsets agree. */
static void curve_offset_is_the_v_fit_on_a_linear_even_valley(void **state)
{
	(void)state;
	const double e[4] = { 6000, 3000, 3000, 6000 };
	double v;
	assert_near(offset_of(e, -0.3, &v), -0.3, 1e-9);
	assert_near(v, -0.3, 1e-12);
}

/* No excess at one frame (a reference frame repeated): no curve, the caller uses the V fit. */
static void curve_offset_refuses_a_curve_without_excess(void **state)
{
	(void)state;
	const double s[3] = { 45000, 41000, 49000 }, e0[4] = { 8000, 0, 4000, 8000 },
		     en[4] = { 8000, 4000, -5, 8000 };
	assert_true(isnan(ogate_curve_offset(s, e0)));
	assert_true(isnan(ogate_curve_offset(s, en)));
}

static void sync_accepts_curve_and_refuses_an_unknown_subframe(void **state)
{
	(void)state;
	struct ogate_settings set;
	struct ogate_sync *sy = NULL;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "curve"));
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	ogate_sync_free(sy);
	sy = NULL;
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "parabola"));
	assert_int_equal(-EINVAL, ogate_sync_new(&sy, &set));
	assert_null(sy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(curve_offset_is_exact_on_an_uneven_noise_rounded_valley),
		cmocka_unit_test(curve_offset_undoes_the_v_fit_push_on_a_quadratic_valley),
		cmocka_unit_test(curve_offset_takes_a_saturating_side_as_linear),
		cmocka_unit_test(curve_offset_is_the_v_fit_on_a_linear_even_valley),
		cmocka_unit_test(curve_offset_refuses_a_curve_without_excess),
		cmocka_unit_test(sync_accepts_curve_and_refuses_an_unknown_subframe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
