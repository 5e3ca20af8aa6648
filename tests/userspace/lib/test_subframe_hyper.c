// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.subframe = hyper: the minimum of the hyperbola through a frame's three SADs, its width the
 * one that passes closest to its SADs two frames out (subframe.c), pinned with exact values on
 * SADs made by a hyperbola of known minimum and width. */
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

/* A sqrt((d - x)^2 + w^2) + C: the SAD of a blurred edge at displacement d from a frame at x */
static double hyp(double d, double x, double w)
{
	return 3000 * sqrt((d - x) * (d - x) + w * w) + 41000;
}

/* the frame's SADs against b - 2 .. b + 2 */
static double offset_of(double w, double x, double *vfit, double *wfit)
{
	double s[5];
	for (int k = 0; k < 5; k++)
		s[k] = hyp(k - 2, x, w);
	*vfit = ogate_vfit(s[1], s[2], s[3]).x;
	return ogate_hyper_offset(s, 3, wfit);
}

/* On a valley rounded over half a frame the V fit pushes a frame away from the nearest reference
 * frame (a quarter frame past b read as 0.283, 0.1 before it as -0.128, 0.4 past it on a width of
 * a frame as 0.431); the hyperbola whose width passes through the SADs two frames out puts each
 * where it is and reads the width back. */
static void hyper_offset_undoes_the_v_fit_push_on_a_rounded_valley(void **state)
{
	(void)state;
	double v, w;
	assert_near(offset_of(0.5, 0.25, &v, &w), 0.25, 1e-5);
	assert_near(v, 0.2825593539905447, 1e-12);
	assert_near(w, 0.5, 1e-4);
	assert_near(offset_of(0.5, -0.1, &v, &w), -0.1, 1e-5);
	assert_near(v, -0.12796456620291125, 1e-12);
	assert_near(offset_of(1.0, 0.4, &v, &w), 0.4, 1e-5);
	assert_near(v, 0.43071730594943314, 1e-12);
	assert_near(w, 1.0, 1e-4);
	assert_near(offset_of(0.8, 0.0, &v, &w), 0.0, 1e-9);
}

/* A sharp V (width 0) is the V fit itself, also where the two-frame SADs saturate (below the V:
 * no wider hyperbola passes closer); the hyperbola of width 0 through three SADs is the V fit. */
static void hyper_offset_is_the_v_fit_on_a_v(void **state)
{
	(void)state;
	const double v[5] = { 49000, 45000, 41000, 43000, 47000 },
		     sat[5] = { 46000, 45000, 41000, 43000, 44000 };
	double w = -1;
	assert_near(ogate_hyper_offset(v, 3, &w), 0.25, 1e-9);
	assert_near(w, 0, 1e-9);
	assert_near(ogate_hyper_offset(sat, 3, &w), 0.25, 1e-9);
	assert_near(w, 0, 1e-9);
	assert_near(ogate_hyper_fit(v + 1, 0, NULL, NULL), ogate_vfit(v[1], v[2], v[3]).x, 1e-9);
}

/* A width far beyond a frame is the parabola's vertex through the three SADs; A and C are the
 * hyperbola's own. */
static void hyper_fit_tends_to_the_parabola_and_returns_its_scale(void **state)
{
	(void)state;
	const double s[3] = { 45000, 41000, 43000 };
	double A, C;
	assert_near(ogate_hyper_fit(s, 1e4, NULL, NULL), ogate_parabola_offset(s[0], s[1], s[2]), 1e-6);
	double t[3] = { hyp(-1, 0.3, 0.7), hyp(0, 0.3, 0.7), hyp(1, 0.3, 0.7) };
	assert_near(ogate_hyper_fit(t, 0.7, &A, &C), 0.3, 1e-9);
	assert_near(A, 3000, 1e-6);
	assert_near(C, 41000, 1e-6);
}

/* b not the least SAD: NAN (the caller keeps the V fit); a tie with a neighbour is half-way. */
static void hyper_offset_refuses_what_it_cannot_fit(void **state)
{
	(void)state;
	const double nb[5] = { 49000, 45000, 41000, 40000, 47000 },
		     tie[5] = { 49000, 45000, 41000, 41000, 47000 };
	assert_true(isnan(ogate_hyper_offset(nb, 3, NULL)));
	assert_near(ogate_hyper_offset(tie, 3, NULL), 0.5, 0);
}

/* The key takes hyper. */
static void sync_accepts_hyper(void **state)
{
	(void)state;
	struct ogate_settings set;
	struct ogate_sync *sy = NULL;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "sync.subframe", "hyper"));
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	ogate_sync_free(sy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hyper_offset_undoes_the_v_fit_push_on_a_rounded_valley),
		cmocka_unit_test(hyper_offset_is_the_v_fit_on_a_v),
		cmocka_unit_test(hyper_fit_tends_to_the_parabola_and_returns_its_scale),
		cmocka_unit_test(hyper_offset_refuses_what_it_cannot_fit),
		cmocka_unit_test(sync_accepts_hyper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
