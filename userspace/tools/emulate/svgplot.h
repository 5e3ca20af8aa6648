/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Minimal SVG plots written directly: a line/scatter chart and a histogram. 0 or -errno
 * (-EINVAL no points, -ENOMEM, -EIO when the stream has failed). */
#ifndef OGATE_SVGPLOT_H
#define OGATE_SVGPLOT_H
#include <stdio.h>
#include "plotbins.h"

/* Phase (wrapped, rad) against time with trigger markers (times, phases) and the target phase
 * (NAN: none) drawn and labelled. */
int svg_phase_plot(FILE *f, const char *title, const double *t, const double *phase, int n,
		   const double *trig_t, const double *trig_phase, int ntrig, double target);
int svg_histogram(FILE *f, const struct plot_hist *h);
#endif
