/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef OGATE_SOURCE_PRIVATE_H
#define OGATE_SOURCE_PRIVATE_H

#include <stdatomic.h>

#include "clock.h"
#include "source.h"

#define OGATE_SOURCE_POOL 8

struct ogate_source_ops {
	const char *kind;
	struct ogate_source *(*open)(const struct ogate_source_opts *o, int *err);
	void (*close)(struct ogate_source *s);
	int (*start)(struct ogate_source *s);
	void (*stop)(struct ogate_source *s);
	/* Timestamp of stream frame `index` relative to start; -ENODATA past the end. */
	int (*stamp)(struct ogate_source *s, uint64_t index, int64_t *rel_ns);
	/* Fill pool frame f with the pixels of stream frame `index`. */
	int (*render)(struct ogate_source *s, uint64_t index, struct ogate_frame *f);
	/* Sources with frames of their own (cameras) replace stamp/render: */
	int (*next)(struct ogate_source *s, int64_t deadline_ns, struct ogate_frame **f);
	void (*release)(struct ogate_source *s, struct ogate_frame *f);
};

/* The common part; implementations embed it first. */
struct ogate_source {
	const struct ogate_source_ops *ops;
	char desc[96];
	struct ogate_frame *pool[OGATE_SOURCE_POOL];
	atomic_int busy[OGATE_SOURCE_POOL]; /* held downstream */
	uint64_t index;			    /* next stream frame */
	_Atomic uint64_t drops;
	_Atomic uint64_t stale;	    /* of drops: superseded by a newer frame */
	_Atomic uint64_t decimated; /* of drops, not stale: off the grid of every-th frames */
	/* pace (ogate_source_set_pace), the reader's thread only: deliver the
	 * frames whose sequence is grid modulo every (the grid anchored at the
	 * first frame delivered after a change), in order while one is at most
	 * backlog_ns late, else the newest of them */
	uint64_t every, grid;
	int grid_set;
	int64_t backlog_ns;
	/* ogate_source_want, the reader's thread only: the first frame at or
	 * after want_ns is delivered even off the grid (want_set until then);
	 * off_grid: the last frame delivered was such a one */
	int64_t want_ns;
	int want_set, off_grid;
	int64_t render_ns;		 /* the last frame delivered: its rendering, on the clock */
	int64_t t0;			 /* clock time at start */
	const struct ogate_clock *clock; /* NULL: CLOCK_MONOTONIC */
	int fast;			 /* deliver without waiting for timestamps */
	int running;
};

extern const struct ogate_source_ops ogate_source_synthetic_ops;
extern const struct ogate_source_ops ogate_source_file_ops;
#ifdef OGATE_HAVE_LIBCAMERA
extern const struct ogate_source_ops ogate_source_libcamera_ops;
#endif

/*
 * Frame seq is on the grid of every-th frames (anchoring the grid on it when
 * none is yet); one that is not is counted (drops, decimated).
 */
int ogate_source_on_grid(struct ogate_source *s, uint64_t seq);
/* Frame seq is on the grid (or there is none); counts nothing, anchors nothing. */
int ogate_source_grid_has(const struct ogate_source *s, uint64_t seq);
/*
 * A frame stamped ts is about to be delivered (off: off the grid, wanted):
 * a pending want it satisfies is done, and off_grid says which it is.
 */
void ogate_source_delivering(struct ogate_source *s, int64_t ts, int off);

/* Allocate the pool (w x h, fmt); called by implementations' create. */
int ogate_source_pool_init(struct ogate_source *s, enum ogate_pixfmt fmt, int w, int h);

#endif
