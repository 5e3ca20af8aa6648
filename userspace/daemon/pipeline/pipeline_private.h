/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Inside the pipeline: the object shared by pipeline.c (threads) and pipeline_ctl.c (commands). */
#ifndef OGATE_PIPELINE_PRIVATE_H
#define OGATE_PIPELINE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ogate/sync.h"
#include "pipeline.h"
#include "recorder.h"
#include "ring.h"
#include "edgematch.h"
#include "pace.h"

#define LAT_WINDOW 1024 /* recent frame -> queued latencies kept */
#define REC_POOL 16
#define FIRED_KEPT 16 /* queued triggers remembered for their live checks */
/* camera frames handed to the io thread for the frame copy hook at once
 * (the source's pool is 8: the rest stays for capture and the acquisition) */
#define TAP_POOL 4
/* an episode of superseded frames ends after this long without one */
#define BEHIND_QUIET_NS 1000000000LL
/*
 * The io thread takes lent frames on its tick (IO_TICK_COPY_MS); the frame
 * thread wakes it (an eventfd write, 3 us of its CPU here: as much as the
 * copy it saves) only when TAP_WAKE frames wait, i.e. when it is behind.
 */
#define TAP_WAKE 3
#define IO_TICK_MS 20	  /* io thread's poll without a frame copy hook */
#define IO_TICK_COPY_MS 2 /* with one: lent frames wait at most this long */

enum { CMD_TARGET = 1, CMD_RESET, CMD_REFRESH };

/* A command for the frame thread; lives on its caller's stack until done. */
struct pcmd {
	int type;
	double arg;
	int result;
	bool done;
	char msg[300];
	struct pcmd *next;
};

struct rec_item {
	struct ogate_frame *f;
	struct ogate_record_row row;
};

/* a camera frame lent to the io thread with what the frame thread knew of it */
struct tap_item {
	struct ogate_frame *f;
	struct ogate_pipeline_tap t;
};

struct ogate_pipeline {
	struct ogate_pipeline_opts o;
	struct ogate_source *src;
	struct ogate_sink *sink;
	struct ogate_sync *sync;

	pthread_t frame, io;
	pthread_barrier_t ready;   /* every stage set up before the first frame */
	atomic_bool running;	   /* streaming */
	atomic_bool analysis_done; /* the frame thread left */
	atomic_bool io_stop;
	bool started;

	/* frames the frame hook kept (the acquisition writes them): handed back
	 * through returned (any thread), released by the frame thread */
	_Atomic(struct ogate_frame *) returned;
	atomic_int frames_kept;
	struct ogate_ring to_record; /* struct rec_item * */
	struct ogate_ring rec_free;  /* struct rec_item * */
	struct rec_item rec_items[REC_POOL];
	atomic_bool recording;
	/* frame copy hook: camera frames lent to the io thread (to_tap), given
	 * back through tap_back and released by the frame thread; tap_free and
	 * tap_out are the frame thread's alone */
	struct ogate_ring to_tap;   /* struct tap_item *, frame -> io */
	struct ogate_ring tap_back; /* struct tap_item *, io -> frame */
	struct ogate_ring tap_free; /* struct tap_item *, frame thread only */
	struct tap_item tap_items[TAP_POOL];
	int tap_out;		  /* lent, not yet given back */
	int wake_fd;		  /* eventfd: the frame thread wakes the io thread, -1 none */
	pthread_mutex_t rec_lock; /* rec: io thread writes, commands open */
	struct ogate_recorder *rec;
	int64_t arrival[64]; /* by sequence % 64 */
	/* an episode of superseded frames (the analysis behind), frame thread only:
	 * the source's stale count seen, when the episode began and its last drop */
	uint64_t stale_seen, stale_from;
	int64_t behind_since, behind_last;
	/* the pace (pipeline_pace.c), frame thread only: the analysed frames
	 * numbered an_base + (camera sequence - an_first) / every; an_anchor:
	 * anchor at the next frame (every changed) */
	struct ogate_pace pace;
	uint64_t an_first, an_base, an_seq;
	bool an_anchor, pace_warned;
	/* the frame being analysed: the source's stale count when it was taken
	 * and its lag, for its recorded row (frame thread only) */
	uint64_t frame_stale;
	int64_t frame_lag;
	/* triggers queued, by time, so a live check names its trigger's number,
	 * and the check waiting for the next recorded row (frame thread only) */
	struct {
		int64_t time_ns;
		uint64_t cookie;
	} queued[FIRED_KEPT];
	unsigned nqueued;
	struct ogate_record_row qa_row; /* qa_* fields; qa_trigger -1: none */

	/* frame-edge matching: edges from io, frames in the frame thread */
	pthread_mutex_t em_lock;
	struct ogate_edgematch em;
	atomic_uint_least64_t em_busy; /* frames not matched: lock busy */
	int64_t em_offset; /* frame thread: the learnt offset at its last matched frame, 0 none */

	/* preview: requested by a command, filled by the frame thread */
	pthread_mutex_t prev_lock;
	pthread_cond_t prev_cond; /* CLOCK_MONOTONIC */
	atomic_bool prev_wanted;
	struct ogate_frame *prev;

	/* command queue to the frame thread */
	pthread_mutex_t cmd_lock;
	pthread_cond_t cmd_cond; /* a command was applied */
	struct pcmd *cmd_head, *cmd_tail;
	bool analysis_live; /* under cmd_lock: the frame thread applies */

	/* status, written by one thread each, read by anyone */
	pthread_mutex_t st_lock;
	struct ogate_pipeline_status st;
	int64_t lat[LAT_WINDOW];
	int64_t stage[OGATE_STAGE_N][LAT_WINDOW]; /* lat's parts, same index */
	uint64_t nlat;
	int64_t ana[LAT_WINDOW]; /* per-frame analysis time */
	uint64_t nana;
	int64_t lateness_sum;
	uint64_t queued_pulses, done_pulses;
};

/* The io thread's body (pipeline_io.c); arg: the pipeline. */
void *pipeline_io_main(void *arg);

/* The pace (pipeline_pace.c), frame thread only: at start; a frame's
 * number for the analysis (set in its meta); a camera sequence back from
 * the analysis's; the frame thread's time on a frame (its camera timestamp
 * and sequence), which may change every k-th frame and sets the source's. */
void pipeline_pace_start(struct ogate_pipeline *p);
void pipeline_pace_number(struct ogate_pipeline *p, struct ogate_frame *f);
uint64_t pipeline_pace_source_seq(const struct ogate_pipeline *p, uint64_t an_seq);
void pipeline_pace_frame(struct ogate_pipeline *p, int64_t ts_ns, uint64_t seq, int64_t cost_ns);

/* Apply every queued command, in order (frame thread; stop, once it left). */
void pipeline_apply_pending(struct ogate_pipeline *p);

#endif
