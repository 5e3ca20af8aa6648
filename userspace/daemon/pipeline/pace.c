// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The frame thread's pace: camera interval, its own cost, the backlog and every k-th frame (pace.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pace.h"

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void ogate_pace_init(struct ogate_pace *p, unsigned max_every)
{
	memset(p, 0, sizeof(*p));
	p->every = 1;
	p->max_every = max_every ? max_every : OGATE_PACE_MAX_EVERY;
}

/* The camera's interval: the median of the last ones, per sequence step. */
static void take_interval(struct ogate_pace *p, int64_t ts, uint64_t seq)
{
	int64_t v[OGATE_PACE_IVL_N];

	if (p->have_last && seq > p->last_seq && ts > p->last_ts) {
		p->ivl[p->ivl_head] = (ts - p->last_ts) / (int64_t)(seq - p->last_seq);
		p->ivl_head = (p->ivl_head + 1) % OGATE_PACE_IVL_N;
		if (p->nivl < OGATE_PACE_IVL_N)
			p->nivl++;
		memcpy(v, p->ivl, sizeof(v[0]) * p->nivl);
		qsort(v, p->nivl, sizeof(v[0]), cmp64);
		p->ivl_ns = v[p->nivl / 2];
	}
	p->have_last = 1;
	p->last_ts = ts;
	p->last_seq = seq;
}

/* The cost: the window's mean, without its OGATE_PACE_TRIM largest once it is full. */
static void take_cost(struct ogate_pace *p, int64_t cost)
{
	int64_t v[OGATE_PACE_WINDOW], sum = 0;
	unsigned i, n;

	p->cost[p->head] = cost > 0 ? cost : 0;
	p->head = (p->head + 1) % OGATE_PACE_WINDOW;
	if (p->ncost < OGATE_PACE_WINDOW)
		p->ncost++;
	p->since_change++;
	memcpy(v, p->cost, sizeof(v[0]) * p->ncost);
	qsort(v, p->ncost, sizeof(v[0]), cmp64);
	n = p->ncost == OGATE_PACE_WINDOW ? p->ncost - OGATE_PACE_TRIM : p->ncost;
	for (i = 0; i < n; i++)
		sum += v[i];
	p->cost_ns = sum / (int64_t)n;
}

unsigned ogate_pace_frame(struct ogate_pace *p, int64_t ts_ns, uint64_t seq, int64_t cost_ns)
{
	double load, ivl;
	unsigned k;

	take_interval(p, ts_ns, seq);
	take_cost(p, cost_ns);
	if (p->ivl_ns <= 0 || p->since_change < OGATE_PACE_WINDOW)
		return 0;
	ivl = (double)p->ivl_ns;
	load = (double)p->cost_ns / (p->every * ivl);
	if (load > OGATE_PACE_UP)
		k = (unsigned)ceil((double)p->cost_ns / (OGATE_PACE_AIM * ivl));
	else
		k = (unsigned)ceil((double)p->cost_ns / (OGATE_PACE_DOWN * ivl));
	if (k < 1)
		k = 1;
	if (k > p->max_every)
		k = p->max_every;
	if (load > OGATE_PACE_UP) {
		p->down_run = 0;
		return k > p->every ? k : 0;
	}
	if (k >= p->every) {
		p->down_run = 0;
		return 0;
	}
	return ++p->down_run >= OGATE_PACE_DOWN_HOLD ? k : 0;
}

void ogate_pace_set_every(struct ogate_pace *p, unsigned every)
{
	p->every = every < 1 ? 1 : every;
	p->since_change = 0;
	p->down_run = 0;
}

int64_t ogate_pace_backlog_ns(const struct ogate_pace *p)
{
	int64_t span = (int64_t)p->every * p->ivl_ns;

	if (p->ivl_ns <= 0 || !p->ncost || p->cost_ns > span)
		return 0;
	return OGATE_PACE_BACKLOG * span;
}
