/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Axis ticks shared by the SVG and PNG plotters: round steps (1, 2 or 5 times a power of ten),
 * whole numbers for counts, multiples of pi/2 for phase. */
#ifndef OGATE_PLOTAXIS_H
#define OGATE_PLOTAXIS_H

#define PLOT_MAXTICKS 24

struct plot_ticks {
	int n;
	double v[PLOT_MAXTICKS];
	char label[PLOT_MAXTICKS][24];
};

/* the round step (1, 2 or 5 x 10^k) that cuts span into at most `most` intervals; whole: at least 1 */
double plot_nice_step(double span, int most, int whole);
/* hi rounded up to a whole number of steps (so that the top of a count axis is a tick) */
double plot_nice_ceil(double hi, double step);
/* ticks at every multiple of step inside [lo, hi], labelled with just the decimals the step needs */
void plot_ticks_linear(struct plot_ticks *t, double lo, double hi, double step);
/* 0, pi/2, pi, 3pi/2, 2pi, with pi spelt as given ("pi" or the UTF-8 letter) */
void plot_ticks_phase(struct plot_ticks *t, const char *pi);
#endif
