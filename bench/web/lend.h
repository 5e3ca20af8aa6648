/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* analysis_cost.c's hand-over of camera frames to its io thread, as ogated's pipeline does it. */
#ifndef OGATE_BENCH_WEB_LEND_H
#define OGATE_BENCH_WEB_LEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "ogate-shm.h"

/* a camera frame lent to the io thread (as the pipeline's tap_item), and an SPSC ring of them */
struct lent {
	int idx; /* pool index */
	struct ogate_shm_meta m;
};
struct lring {
	_Alignas(64) atomic_size_t head;
	_Alignas(64) atomic_size_t tail;
	struct lent slot[8];
};

static inline bool lring_push(struct lring *q, const struct lent *l)
{
	size_t h = atomic_load_explicit(&q->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&q->tail, memory_order_acquire) >= 8)
		return false;
	q->slot[h % 8] = *l;
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return true;
}

static inline bool lring_pop(struct lring *q, struct lent *l)
{
	size_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (t == atomic_load_explicit(&q->head, memory_order_acquire))
		return false;
	*l = q->slot[t % 8];
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return true;
}

#endif
