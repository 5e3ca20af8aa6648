/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A time-sorted table of pulses for the userspace sinks (gpiod, dryrun),
 * with the kernel driver's contract: the same bounds, the same errnos, the
 * same pending -> active -> done life cycle, so a program behaves the same
 * whichever sink it drives.
 */
#ifndef OGATE_PULSES_H
#define OGATE_PULSES_H

#include <stdbool.h>
#include <stdint.h>

#include "sink.h"

#define OGATE_PULSE_TABLE_SIZE 256

enum ogate_slot_state { OGATE_SLOT_FREE = 0, OGATE_SLOT_PENDING, OGATE_SLOT_ACTIVE };

struct ogate_pulse_slot {
	struct ogate_pulse_req req;
	enum ogate_slot_state state;
	int edge_due; /* marked by _due(), settled by _commit() */
	int64_t rise_ns;
};

struct ogate_pulse_table {
	struct ogate_pulse_slot slot[OGATE_PULSE_TABLE_SIZE];
	unsigned int used;
	unsigned int nlines;
	uint8_t users[OGATE_SINK_MAX_LINES]; /* active pulses per line */
	uint32_t values;		     /* line levels */
};

typedef void (*ogate_pulse_cb)(void *ctx, const struct ogate_pulse_slot *s,
			       enum ogate_sink_event_type type, int64_t rise_ns, int64_t fall_ns);

void ogate_pulses_init(struct ogate_pulse_table *t, unsigned int nlines);
/* Validate and add, all or nothing: -ENXIO -EDOM -ERANGE -ETIME -EBUSY -ENOSPC. */
int ogate_pulses_add(struct ogate_pulse_table *t, const struct ogate_pulse_req *p, size_t n,
		     int64_t now);
/* Time of the next rise or fall, INT64_MAX if none. */
int64_t ogate_pulses_next_edge(const struct ogate_pulse_table *t);
/*
 * Mark every edge due at `now`; pulses later than their tolerance are
 * reported missed through cb and dropped. Returns the number of edges
 * marked; t->values then holds the levels to write.
 */
int ogate_pulses_due(struct ogate_pulse_table *t, int64_t now, ogate_pulse_cb cb, void *ctx);
/* After the lines were written at t_set: rises become active, falls fire. */
void ogate_pulses_commit(struct ogate_pulse_table *t, int64_t t_set, ogate_pulse_cb cb, void *ctx);
/* Cancel pending pulses (and with end_active, active ones); returns the count. */
int ogate_pulses_cancel(struct ogate_pulse_table *t, int end_active, ogate_pulse_cb cb, void *ctx);

/* A bounded event queue for the userspace sinks; overflow is counted and
 * reported as one OGATE_SINK_LOST event, never dropped silently. */
#define OGATE_EVQ_SIZE 1024

struct ogate_evq {
	struct ogate_sink_event ev[OGATE_EVQ_SIZE];
	unsigned int head, tail;
	uint64_t lost;
};

void ogate_evq_push(struct ogate_evq *q, const struct ogate_sink_event *ev);
int ogate_evq_pop(struct ogate_evq *q, struct ogate_sink_event *ev, size_t max);
/* Events (or a loss report) still to be read: the sink keeps its fd readable while so. */
bool ogate_evq_pending(const struct ogate_evq *q);
/* Adapter: an ogate_pulse_cb that pushes onto the ogate_evq given as ctx. */
void ogate_evq_pulse_cb(void *ctx, const struct ogate_pulse_slot *s,
			enum ogate_sink_event_type type, int64_t rise_ns, int64_t fall_ns);

#endif
