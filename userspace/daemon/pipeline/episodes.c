// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Episodes of skipped frames (see episodes.h). */
#include <stdlib.h>

#include "episodes.h"

struct ogate_episodes {
	int64_t quiet_ns;
	size_t max; /* listed at most */
	struct ogate_episode *ep;
	size_t nep, cap;
	uint64_t closed; /* all closed ones, listed or not */
	uint64_t frames;
	struct ogate_episode cur; /* the open one (cur.frames 0: none) */
};

struct ogate_episodes *ogate_episodes_new(size_t listed, int64_t quiet_ns)
{
	struct ogate_episodes *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->max = listed;
	e->quiet_ns = quiet_ns;
	return e;
}

void ogate_episodes_free(struct ogate_episodes *e)
{
	if (!e)
		return;
	free(e->ep);
	free(e);
}

void ogate_episodes_reset(struct ogate_episodes *e)
{
	e->nep = 0;
	e->closed = 0;
	e->frames = 0;
	e->cur = (struct ogate_episode){ 0 };
}

void ogate_episodes_close(struct ogate_episodes *e)
{
	if (!e->cur.frames)
		return;
	e->closed++;
	if (e->nep == e->cap && e->cap < e->max) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct ogate_episode *ep;

		if (cap > e->max)
			cap = e->max;
		ep = realloc(e->ep, cap * sizeof(*ep));
		if (ep) {
			e->ep = ep;
			e->cap = cap;
		}
	}
	if (e->nep < e->cap)
		e->ep[e->nep++] = e->cur;
	e->cur.frames = 0;
}

void ogate_episodes_gap(struct ogate_episodes *e, int64_t a, int64_t b, uint64_t n, uint64_t tag)
{
	if (!n)
		return;
	if (e->cur.frames && a - e->cur.end_ns > e->quiet_ns)
		ogate_episodes_close(e);
	if (!e->cur.frames) {
		e->cur.start_ns = a;
		e->cur.end_ns = b;
		e->cur.tag = tag;
		e->cur.lag_max_ns = INT64_MIN;
	}
	if (b > e->cur.end_ns)
		e->cur.end_ns = b;
	e->cur.frames += n;
	e->frames += n;
}

void ogate_episodes_lag(struct ogate_episodes *e, int64_t t, int64_t lag_ns)
{
	if (e->cur.frames && t - e->cur.end_ns <= e->quiet_ns && lag_ns > e->cur.lag_max_ns)
		e->cur.lag_max_ns = lag_ns;
}

uint64_t ogate_episodes_count(const struct ogate_episodes *e)
{
	return e->closed + (e->cur.frames ? 1 : 0);
}

uint64_t ogate_episodes_frames(const struct ogate_episodes *e)
{
	return e->frames;
}

size_t ogate_episodes_listed(const struct ogate_episodes *e)
{
	return e->nep + (e->cur.frames && e->nep < e->max ? 1 : 0);
}

const struct ogate_episode *ogate_episodes_at(const struct ogate_episodes *e, size_t i)
{
	return i < e->nep ? &e->ep[i] : &e->cur;
}
