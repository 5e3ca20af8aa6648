// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Histogram binning shared by the SVG and PNG plotters (plotbins.h). */
#include <math.h>
#include <stdlib.h>

#include "plotbins.h"

/* Counts of v[] in nb equal bins over [lo, hi] (outside values clamp to the end bins, non-finite
 * ones are left out); *max gets the largest count, at least 1. NULL on a bad range or no memory. */
int *plot_bin_counts(const double *v, int n, double lo, double hi, int nb, int *max)
{
	if (nb < 1 || !(hi > lo))
		return NULL;
	int *cnt = calloc((size_t)nb, sizeof(int));
	if (!cnt)
		return NULL;
	*max = 1;
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		int b = (int)floor((v[i] - lo) / (hi - lo) * nb);
		b = b < 0 ? 0 : b >= nb ? nb - 1 : b;
		if (++cnt[b] > *max)
			*max = cnt[b];
	}
	return cnt;
}
