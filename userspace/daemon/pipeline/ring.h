/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Bounded single-producer single-consumer ring of pointers, lock-free (C11
 * atomics), joining ogated's pipeline stages. A full ring refuses the push
 * and the producer counts the drop: nothing is lost silently, and no stage
 * ever waits on another.
 */
#ifndef OGATE_RING_H
#define OGATE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define OGATE_RING_SIZE 64 /* power of two */

struct ogate_ring {
	_Alignas(64) atomic_size_t head; /* written by the producer */
	_Alignas(64) atomic_size_t tail; /* written by the consumer */
	void *slot[OGATE_RING_SIZE];
};

static inline void ogate_ring_init(struct ogate_ring *r)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
}

static inline bool ogate_ring_push(struct ogate_ring *r, void *p)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail >= OGATE_RING_SIZE)
		return false;
	r->slot[head % OGATE_RING_SIZE] = p;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

static inline void *ogate_ring_pop(struct ogate_ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	void *p;

	if (tail == head)
		return NULL;
	p = r->slot[tail % OGATE_RING_SIZE];
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return p;
}

static inline size_t ogate_ring_count(struct ogate_ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

#endif
