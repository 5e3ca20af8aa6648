/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Histogram binning shared by the SVG and PNG plotters. */
#ifndef OGATE_PLOTBINS_H
#define OGATE_PLOTBINS_H

/* A histogram to draw: v[n] in nbins equal bins over [lo, hi]; a vertical line at vline (NAN: none)
 * labelled vlabel; note: up to two lines under the title, split at '\n' (NULL: none). */
struct plot_hist {
	const char *title, *xlabel, *note;
	const double *v;
	int n, nbins;
	double lo, hi, vline;
	const char *vlabel;
};

/* Counts of v[] in nb equal bins over [lo, hi] (outside values clamp to the end bins, non-finite
 * ones are left out); *max gets the largest count, at least 1. NULL on a bad range or no memory. */
int *plot_bin_counts(const double *v, int n, double lo, double hi, int nb, int *max);
#endif
