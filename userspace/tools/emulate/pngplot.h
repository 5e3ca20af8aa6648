/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The same two plots as svgplot.h, rasterised and written as PNG (libpng): 0 or -errno. */
#ifndef OGATE_PNGPLOT_H
#define OGATE_PNGPLOT_H
#include "plotbins.h"

int png_phase_plot(const char *path, const char *title, const double *t, const double *phase, int n,
		   const double *trig_t, const double *trig_phase, int ntrig, double target);
int png_histogram(const char *path, const struct plot_hist *h);
#endif
