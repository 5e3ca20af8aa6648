/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Frame-edge input: the times at which the camera's frame strobe rose, stamped
 * in hard IRQ by the kernel module on /dev/ogateN's frame lines. It is an
 * input the pipeline reads (to time frames by their edges, see
 * sources/edgematch.h), not an event of the trigger sink, which only drives
 * outputs. On /dev/ogateN both are faces of one device with one fd and one
 * kernel event queue: reading either face takes the device's events and keeps
 * those of the other face for it. So the fd can be readable for the other
 * face's events, and a face can hold events while the fd is not readable:
 * poll the fd for a wake-up, then read every face of the device.
 *
 * Threads: read, fd and lost from any thread (the device's faces share one
 * lock); in ogated the pipeline's io thread reads both faces. The input is
 * borrowed from its sink and valid until ogate_sink_close().
 */
#ifndef OGATE_EDGES_H
#define OGATE_EDGES_H

#include <stddef.h>
#include <stdint.h>

struct ogate_frame_edge {
	uint32_t line;	 /* frame line index */
	uint64_t seq;	 /* the line's edge number, from 1 */
	int64_t time_ns; /* CLOCK_MONOTONIC time of the edge */
};

struct ogate_edges;

/* Readable when edges may be waiting (see above). */
int ogate_edges_fd(const struct ogate_edges *e);
/* Up to max edges, never blocks; returns the count or -errno. */
int ogate_edges_read(struct ogate_edges *e, struct ogate_frame_edge *out, size_t max);
/* Edges lost so far: the kernel's queue overflowed or nobody read them in time. */
uint64_t ogate_edges_lost(const struct ogate_edges *e);

#endif
