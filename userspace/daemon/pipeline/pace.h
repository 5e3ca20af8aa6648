/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * How the frame thread keeps up with the camera: from each frame it took
 * (the camera's timestamp and sequence) and the time it spent on it (a
 * timed source's rendering, then from the frame's arrival to coming back
 * for the next: analysis, hooks, recording), the camera's frame interval
 * (median of the last 15, per sequence step) and the frame thread's cost
 * (mean of the last 16 frames without their 2 largest: one slow frame, a
 * stall, is not a load) give
 *   the backlog: OGATE_PACE_BACKLOG analysed-frame intervals while the
 *     frame thread keeps up on average (it absorbs transient slow frames),
 *     0 while it does not (newest frame first; also before the interval is
 *     known);
 *   every k-th frame: raised, once 16 frames were timed since the last
 *     change, when the cost exceeds 0.9 of k intervals, to the smallest k
 *     at which it is at most 0.8; lowered to the smallest k at which it is
 *     at most 0.5, once that held for 64 frames in a row (the hysteresis:
 *     every change makes the analysis learn its reference anew), never
 *     above max_every.
 * The frame thread's own (no lock, no thread).
 */
#ifndef OGATE_PACE_H
#define OGATE_PACE_H

#include <stdint.h>

#define OGATE_PACE_WINDOW 16 /* frames timed, and the hold after a change */
#define OGATE_PACE_TRIM 2    /* the largest left out of the cost */
#define OGATE_PACE_IVL_N 15  /* intervals whose median is the camera's */
#define OGATE_PACE_BACKLOG 4 /* analysed-frame intervals a frame may be late */
#define OGATE_PACE_MAX_EVERY 16
#define OGATE_PACE_UP 0.9	/* cost / (k intervals) that raises k */
#define OGATE_PACE_AIM 0.8	/* ... to where it is at most this */
#define OGATE_PACE_DOWN 0.5	/* a smaller k where it would be at most this */
#define OGATE_PACE_DOWN_HOLD 64 /* ... for this many frames in a row */

struct ogate_pace {
	unsigned every, max_every;
	int64_t cost[OGATE_PACE_WINDOW];
	unsigned ncost, head, since_change, down_run;
	int64_t ivl[OGATE_PACE_IVL_N];
	unsigned nivl, ivl_head;
	int64_t last_ts;
	uint64_t last_seq;
	int have_last;
	int64_t ivl_ns, cost_ns; /* the camera's interval (0: unknown), the frame thread's cost */
};

/* max_every: 1 never decimates; 0 is OGATE_PACE_MAX_EVERY. */
void ogate_pace_init(struct ogate_pace *p, unsigned max_every);
/*
 * A frame taken (timestamp, sequence of the camera's) and the frame
 * thread's time on it. Returns the k to analyse every k-th frame at from
 * now on when it should change, 0 when it stays.
 */
unsigned ogate_pace_frame(struct ogate_pace *p, int64_t ts_ns, uint64_t seq, int64_t cost_ns);
/* Apply a change ogate_pace_frame asked for. */
void ogate_pace_set_every(struct ogate_pace *p, unsigned every);
/* How late (ns) a frame may be delivered in order; 0: newest first. */
int64_t ogate_pace_backlog_ns(const struct ogate_pace *p);

#endif
