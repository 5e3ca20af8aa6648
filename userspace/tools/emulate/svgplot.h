/* SPDX-License-Identifier: MIT */
/* Minimal SVG plots written directly: a line/scatter chart and a histogram. */
#ifndef OGATE_SVGPLOT_H
#define OGATE_SVGPLOT_H
#include <stdio.h>

/* Phase (wrapped, rad) against time with trigger markers (times, phases). */
int svg_phase_plot(FILE *f, const char *title, const double *t, const double *phase, int n,
		   const double *trig_t, const double *trig_phase, int ntrig, double target);
/* Histogram of values with nbins between lo and hi; vline drawn at vline if finite. */
int svg_histogram(FILE *f, const char *title, const char *xlabel, const double *v, int n,
		  double lo, double hi, int nbins, double vline);
#endif
