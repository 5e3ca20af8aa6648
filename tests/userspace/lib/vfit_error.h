/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The V fit's error by measured sub-frame offset, c(x), of real192_subpixdrift (seed 7, measured
 * by eighths of a frame; calerr.py's twoway), for the pin suites (test_calib_pin_offset_level.c,
 * test_calib_pin_offsets.c): a frame at reference position p with matching noise n1 is measured
 * at p + n1 + c(p + n1 + e), its error e solved for the offset it produces.
 */
#ifndef OGATE_TEST_VFIT_ERROR_H
#define OGATE_TEST_VFIT_ERROR_H

#include <math.h>

static const double vfit_c8[8] = { +0.043, +0.062, +0.054, +0.016, +0.012, -0.114, -0.063, -0.010 };

/* c at position w (frames), linear between the eighths */
static inline double vfit_c_at(double w)
{
	double y = (w - floor(w)) * 8, f = y - floor(y);
	int b = (int)floor(y) % 8;
	return (1 - f) * vfit_c8[b] + f * vfit_c8[(b + 1) % 8];
}

/* the error of a frame at position p measured with matching noise n1 (frames) */
static inline double vfit_measured_error(double p, double n1)
{
	double e = 0;
	for (int it = 0; it < 30; it++)
		e = vfit_c_at(p + n1 + e);
	return e + n1;
}

#endif
