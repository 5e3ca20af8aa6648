/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Trigger sinks: where ogated's absolute-time pulses go. A vtable with
 * several implementations (linuxptp's servo style):
 *   "ogate"   /dev/ogateN, the kernel timing core (hrtimer, measured edges);
 *             the same device's frame-edge timestamps are a separate input,
 *             ogate_sink_edges() (edges.h)
 *   "gpiod"   libgpiod v1 lines driven from the sink's own real-time thread
 *             with absolute-time waits (fallback without the module)
 *   "dryrun"  nothing is driven; pulses are recorded (and written as CSV)
 *             and reported as fired at exactly their requested times
 * All calls are non-blocking: queue hands pulses over and returns; outcomes
 * come back as events on a pollable fd. Freeing a sink cancels what is
 * pending and leaves every output inactive.
 *
 * Threads: in ogated, queue is called from the pipeline's analysis thread,
 * read from its io thread, cancel_all from the thread that stops or aborts
 * (the daemon's command worker, an acquisition's job thread). Every kind
 * therefore makes queue, read and cancel_all safe to call concurrently:
 * "ogate" through the kernel (each is one syscall on the device), "gpiod"
 * and "dryrun" with a lock of their own. new and free belong to one thread
 * with no other call in flight.
 */
#ifndef OGATE_SINK_H
#define OGATE_SINK_H

#include <stddef.h>
#include <stdint.h>

#define OGATE_SINK_MAX_LINES 32

struct ogate_pulse_req {
	int64_t time_ns;    /* absolute CLOCK_MONOTONIC rise time */
	uint32_t line_mask; /* sink line bits: bit n = output line n */
	uint32_t width_ns;
	uint32_t late_ns; /* fire if at most this late, else missed */
	uint64_t cookie;  /* echoed in events (ogated: trigger number) */
};

enum ogate_sink_event_type {
	OGATE_SINK_FIRED = 1,
	OGATE_SINK_MISSED,
	OGATE_SINK_CANCELLED,
	OGATE_SINK_LOST, /* events lost: count in seq */
};

struct ogate_sink_event {
	enum ogate_sink_event_type type;
	uint32_t line; /* line mask */
	uint64_t cookie;
	uint64_t seq;	 /* lost count */
	int64_t time_ns; /* requested time */
	int64_t rise_ns; /* measured (dry run: requested) */
	int64_t fall_ns;
};

struct ogate_sink_opts {
	const char *device;	   /* ogate: /dev/ogate0 */
	const char *gpiochip;	   /* gpiod: chip name, path or label */
	const unsigned int *lines; /* gpiod: offsets of output lines 0..n-1 */
	unsigned int nlines;
	int rt_priority;	 /* the frame thread's SCHED_FIFO priority, 0 = none */
	const char *record_path; /* dryrun: CSV of every pulse, NULL = none */
};

struct ogate_sink;
struct ogate_edges;

/*
 * The SCHED_FIFO priority of a sink's own thread (gpiod) given the frame
 * thread's: one above it, so that an edge falling due while a frame is
 * analysed preempts the analysis (at equal FIFO priority it would wait for
 * the frame to finish); at most the policy's maximum; 0 = normal scheduling.
 */
int ogate_sink_thread_priority(int frame_priority);

/* kind: "ogate", "gpiod" or "dryrun". 0 and *out, or -errno (logged). */
int ogate_sink_open(struct ogate_sink **out, const char *kind, const struct ogate_sink_opts *o);
void ogate_sink_close(struct ogate_sink *s);
const char *ogate_sink_kind(const struct ogate_sink *s);
/* All or nothing; 0 or -errno (EBUSY overlap, ENOSPC full, ETIME too late, ...). */
int ogate_sink_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n);
/* Cancel every pulse not yet started; returns the count or -errno. */
int ogate_sink_cancel_all(struct ogate_sink *s);
/* Readable when events are waiting. */
int ogate_sink_fd(const struct ogate_sink *s);
/* Up to max events, never blocks; returns the count or -errno. */
int ogate_sink_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max);
/*
 * The frame-edge input of the device behind s (edges.h), NULL when it has no
 * frame lines ("gpiod", "dryrun"). Borrowed: valid until ogate_sink_close().
 */
struct ogate_edges *ogate_sink_edges(struct ogate_sink *s);

#endif
