/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Percentiles of a latency sample, shared by ogatectl and the benchmarks. */
#ifndef OGATE_STATS_UTIL_H
#define OGATE_STATS_UTIL_H

#include <stdint.h>
#include <stdlib.h>

struct ogate_stats_summary {
	int64_t min, p50, p99, max;
	double mean;
};

static inline int ogate_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place; nearest-rank percentiles. */
static inline void ogate_summarize(int64_t *v, size_t n, struct ogate_stats_summary *s)
{
	double sum = 0;
	size_t i;

	*s = (struct ogate_stats_summary){ 0 };
	if (!n)
		return;
	qsort(v, n, sizeof(*v), ogate_cmp_i64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = v[(n * 50 + 99) / 100 - 1];
	s->p99 = v[(n * 99 + 99) / 100 - 1];
	s->mean = sum / (double)n;
}

#endif
