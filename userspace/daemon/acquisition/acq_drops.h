/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The frames the analysis skipped while an acquisition ran: when it falls
 * behind the camera, the source hands it the newest frame and drops the ones
 * it supersedes (the pipeline's drops_stale). A trigger decided just after
 * such a gap, or while the analysis was stalled, may have been decided late
 * or not at all, so the run says which planes were being acquired then.
 *
 * Frames the camera itself lost (the source's drops neither stale nor
 * decimated: no free buffer, or the camera's own sequence gaps) are skipped
 * frames too, counted with them and named apart (analysis, camera).
 *
 * The job thread feeds samples of the pipeline's counters (taken at every
 * plane's start and about every 0.1 s while it waits) and of the frame hook's
 * last analysed frame; each increase of the stale or camera count is one gap, placed
 * between the newest frame analysed at the sample before and the first frame
 * analysed after it, and shared among the planes whose time it overlaps (in
 * proportion; the stale and the camera frames each on their own, so every
 * plane's are split by cause too). Gaps less than 1 s apart make one episode (as a recording's
 * summary). Apart from them, decimation (the pipeline's drops_decimated and
 * decimate k: a steady rate reduction, not an episode): the frames off the
 * analysis's grid, the largest k, and each plane acquired while k > 1 with
 * the largest k sampled from its start to the next plane's. The result:
 * acq-<stamp>.summary.json beside the run's CSV (with the planes' triggers by
 * reason: standard, panic, late, other: reasons.h) and one log line when frames were skipped or
 * the analysis decimated. Job thread only.
 */
#ifndef OGATE_ACQ_DROPS_H
#define OGATE_ACQ_DROPS_H

#include <stddef.h>
#include <stdint.h>

#include "reasons.h"

/* a gap less than this after the last one continues its episode */
#define ACQ_DROPS_QUIET_NS 1000000000LL
#define ACQ_DROPS_LISTED 1000 /* episodes and affected planes listed in the summary */

struct acq_drops_sample {
	int64_t t_ns;	    /* when taken, CLOCK_MONOTONIC */
	uint64_t stale;	    /* the pipeline's drops_stale */
	uint64_t camera;    /* drops_source - drops_stale - drops_decimated: lost by the camera */
	int64_t lag_ns;	    /* its lag_ns (the last frame's) */
	int64_t lag_max_ns; /* its lag_max_ns (since the pipeline started) */
	int64_t last_frame_ns; /* timestamp of the newest analysed frame, 0 none yet */
	int64_t gap_end_ns; /* the newest analysed frame that came after a sequence gap, 0 none */
	uint64_t decimated; /* the pipeline's drops_decimated */
	unsigned decimate;  /* its decimate (k: every k-th frame analysed; 0 or 1: all) */
};

struct acq_drops_totals {
	uint64_t frames;     /* skipped during the run: analysis + camera */
	uint64_t analysis;   /* of those: superseded while the analysis was behind (stale) */
	uint64_t camera;     /* of those: lost by the camera (no free buffer, its own gaps) */
	uint64_t between;    /* of those: while no plane was under way (between stacks) */
	uint64_t episodes;   /* all of them, listed or not */
	uint64_t planes;     /* planes during which frames were skipped */
	int64_t lag_max_ns;  /* worst analysis lag seen during the run */
	int64_t duration_ns; /* first sample to the last */
	/* decimation (not skips: a steady rate, not an episode of falling behind) */
	uint64_t decimated;	   /* frames off the analysis's grid during the run */
	unsigned decimate_max;	   /* the largest k sampled during the run (1: none) */
	uint64_t planes_decimated; /* planes acquired while k > 1 (sampled) */
	/* the planes' accepted triggers by the analysis's reason (acq_drops_trigger) */
	struct ogate_reason_counts triggers;
};

struct acq_drops;

struct acq_drops *acq_drops_new(void);
void acq_drops_free(struct acq_drops *d);
/* A new run: forget the last one; s is the baseline (what came before is not the run's). */
void acq_drops_begin(struct acq_drops *d, const struct acq_drops_sample *s);
/* A sample while the run goes on. */
void acq_drops_note(struct acq_drops *d, const struct acq_drops_sample *s);
/* Sample s, then plane (stack, plane) at z_um starts at s->t_ns; stack < 0: none (between stacks). */
void acq_drops_plane(struct acq_drops *d, int stack, int plane, double z_um,
		     const struct acq_drops_sample *s);
/* A plane's trigger fired and was accepted; reason: its enum ogate_trigger_reason (any but
 * standard, panic and late counts as other, reasons.h). For the summary's "triggers". */
void acq_drops_trigger(struct acq_drops *d, int reason);
/* The last sample: the run ended. */
void acq_drops_end(struct acq_drops *d, const struct acq_drops_sample *s);
void acq_drops_get(const struct acq_drops *d, struct acq_drops_totals *t);
/* Skipped frames of plane (stack, plane), 0 when none (or not listed); of those, the
 * camera's (the rest: superseded while the analysis was behind). Each gap's frames
 * of either cause are shared among the planes it overlaps on their own. */
uint64_t acq_drops_plane_frames(const struct acq_drops *d, int stack, int plane);
uint64_t acq_drops_plane_camera(const struct acq_drops *d, int stack, int plane);
/* "planes 3-4" (one stack) or "stack 0 planes 3-4, stack 2 plane 7", "" when none. */
void acq_drops_planes_text(const struct acq_drops *d, int stacks, char *buf, size_t len);
/*
 * Write path (whole or not at all: aside, then renamed); ended says how the
 * run ended (done, aborted, failed), wall_minus_mono puts the start on the
 * wall clock. 0 or -errno (logged).
 */
int acq_drops_write(const struct acq_drops *d, const char *path, const char *ended,
		    int64_t wall_minus_mono);
/* The k a plane was acquired at (the largest sampled during it), 1 when not decimated (or not listed). */
unsigned acq_drops_plane_decimate(const struct acq_drops *d, int stack, int plane);
/* The log line at the end of a run (only when frames were skipped or the analysis decimated). */
void acq_drops_log(const struct acq_drops *d, int stacks);

#endif
