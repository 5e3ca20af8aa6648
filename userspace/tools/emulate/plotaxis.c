// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Axis ticks shared by the SVG and PNG plotters (plotaxis.h). */
#include <math.h>
#include <stdio.h>

#include "plotaxis.h"

/* the round step (1, 2 or 5 x 10^k) that cuts span into at most `most` intervals; whole: at least 1 */
double plot_nice_step(double span, int most, int whole)
{
	if (!(span > 0) || !isfinite(span))
		return 1;
	double raw = span / (most > 0 ? most : 1), p = pow(10, floor(log10(raw))), step = p;
	static const double m[] = { 1, 2, 5, 10 };
	for (int i = 0; i < 4; i++)
		if (m[i] * p >= raw * (1 - 1e-9)) {
			step = m[i] * p;
			break;
		}
	return whole && step < 1 ? 1 : step;
}

/* hi rounded up to a whole number of steps (so that the top of a count axis is a tick) */
double plot_nice_ceil(double hi, double step)
{
	return ceil(hi / step - 1e-9) * step;
}

/* ticks at every multiple of step inside [lo, hi], labelled with just the decimals the step needs */
void plot_ticks_linear(struct plot_ticks *t, double lo, double hi, double step)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	t->n = 0;
	for (double k = ceil(lo / step - 1e-9); t->n < PLOT_MAXTICKS; k++) {
		double v = k * step;
		if (v > hi + 1e-9 * step)
			break;
		if (fabs(v) < 1e-12 * step)
			v = 0; /* no "-0" */
		t->v[t->n] = v;
		snprintf(t->label[t->n], sizeof(t->label[0]), "%.*f", dec, v);
		t->n++;
	}
}

/* 0, pi/2, pi, 3pi/2, 2pi, with pi spelt as given ("pi" or the UTF-8 letter) */
void plot_ticks_phase(struct plot_ticks *t, const char *pi)
{
	static const char *const fmt[] = { "0", "%s/2", "%s", "3%s/2", "2%s" };
	t->n = 5;
	for (int i = 0; i < 5; i++) {
		t->v[i] = i * M_PI / 2;
		snprintf(t->label[i], sizeof(t->label[0]), fmt[i], pi);
	}
}
