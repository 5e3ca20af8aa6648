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

/* the model's SADs of a frame at offset t in [-1/2, 1/2] from b against b - 1, b, b + 1: floor +
 * e1 a^g on each side of b (e2 = e1 2^g at two frames); against b and the neighbour on its side
 * the side it is in, against the far neighbour that side's whole frame and t of the near one's,
 * on the far side's curve */
static void model(const double e[4], double t, double s[3])
{
	double gm = log2(e[0] / e[1]), gp = log2(e[3] / e[2]);
	if (t >= 0) {
		s[0] = e[1] * pow(1 + t * pow(e[2] / e[1], 1 / gm), gm);
		s[1] = e[2] * pow(t, gp);
		s[2] = e[2] * pow(1 - t, gp);
	} else {
		s[0] = e[1] * pow(1 + t, gm);
		s[1] = e[1] * pow(-t, gm);
		s[2] = e[2] * pow(1 - t * pow(e[1] / e[2], 1 / gp), gp);
	}
	for (int k = 0; k < 3; k++)
		s[k] += 41000;
}

static double offset_of(const double e[4], double t, double *vfit)
{
	double s[3];
	model(e, t, s);
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
	assert_near(v, -0.03657329793022276, 1e-12);
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
 * 0.28 frame early. The inversion of a saturating curve would amplify the noise (subframe.c). */
static void curve_offset_takes_a_saturating_side_as_linear(void **state)
{
	(void)state;
	const double e[4] = { 4000 * pow(2, 0.7), 4000, 8000, 8000 * pow(2, 0.7) };
	const double t = 0.2,
		     s[3] = { 41000 + 4000 * (1 + 2 * t), 41000 + 8000 * t, 41000 + 8000 * (1 - t) };
	assert_near(ogate_vfit(s[0], s[1], s[2]).x, -1.0 / 12, 1e-12);
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

/* A scene whose SAD saturates (the excess at two frames less than twice that at one, so each
 * side is taken as linear) and whose image changes at different speeds in successive intervals:
 * the SAD of two phases is floor + F(|L(u) - L(v)|) with F saturating and L the image's path,
 * piecewise linear through the reference frames. A frame's position is b + the curve offset at
 * its least SAD b. It must rise with the frame's true position, also where the least SAD moves
 * from b to b + 1 (half-way, where both put it): the model that took the SAD against b from the
 * side away from the frame put a frame 0.48 past reference frame 2 at 2.59 and one 0.50 past at
 * 2.53, the position running back where the least SAD moves on. */
static const double path[7] = { 0, 1.0, 1.6, 3.2, 5.6, 6.6, 7.4 };

static double scene_sad(double u, double v)
{
	double lu = path[(int)u] + (u - (int)u) * (path[(int)u + 1] - path[(int)u]);
	return 41000 + 40000 * (1 - exp(-fabs(lu - path[(int)v])));
}

static double scene_position(double u)
{
	double S[6];
	int b = 2;
	for (int j = 0; j < 6; j++)
		S[j] = scene_sad(u, j);
	for (int j = 2; j <= 3; j++)
		if (S[j] < S[b])
			b = j;
	double e[4];
	for (int k = 0; k < 4; k++)
		e[k] = scene_sad(b, b - 2 + k + (k >= 2)) - 41000;
	return b + ogate_curve_offset(S + b - 1, e);
}

static void curve_position_rises_with_the_truth_where_the_sad_saturates(void **state)
{
	(void)state;
	double last = -1;
	for (int i = 0; i <= 80; i++) {
		double u = 2.1 + 0.01 * i, x = scene_position(u);
		assert_false(isnan(x));
		assert_true(x >= last);
		last = x;
	}
	assert_near(scene_position(2.5), 2.5, 1e-9);
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
		cmocka_unit_test(curve_position_rises_with_the_truth_where_the_sad_saturates),
		cmocka_unit_test(sync_accepts_curve_and_refuses_an_unknown_subframe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
