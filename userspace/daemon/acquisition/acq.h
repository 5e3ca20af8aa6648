/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Acquisition programs run by ogated: z-stacks and timelapses of z-stacks,
 * gated by the heartbeat, with a motorised stage.
 *
 * For each plane: the stage moves, and only once it reports still is one
 * gated trigger (or K) allowed through to the sink; the stage moves on only
 * after every pulse of the plane's last trigger has fallen (the measured
 * fall time, from the sink). A trigger that is missed or refused is retried
 * at the next beat, never skipped. A timelapse repeats the stack every
 * interval and refreshes the reference at its reference plane (target
 * carried over by OGA). With stage.sequence (ASI), a stack's positions are
 * loaded into the controller's ring buffer and the trigger pulses clock the
 * stage; the final position is checked. Each run gets a directory
 * DIR/acq-<stamp>/ with provenance.txt, one OME-TIFF per stack (acq_out.h),
 * the CSV:
 *   stack,plane,z_um,trigger,time_ns,rise_ns,fall_ns,phase_rad,move_start_ns,still_ns,
 *   trigger_reason
 * (trigger_reason: why the analysis fired it then: standard, panic or late;
 * other for a reason the daemon does not know, ogate_reason_name() in reasons.h)
 * and, when the run ends, acq-<stamp>.summary.json: the frames the analysis
 * skipped during the run and the planes acquired then (acq_drops.h).
 *
 * Threads. Every stage operation (homing, moves, waits, stop, position)
 * runs on the acquisition's own job thread, never on the caller's: start,
 * home and abort only hand work over and return at once; the job thread
 * calls the done hooks when the job ends. get_status may be called from
 * any thread and only takes a lock the job thread holds briefly. gate and
 * frame run on the pipeline's frame thread, outcome on its io thread.
 */
#ifndef OGATE_ACQ_H
#define OGATE_ACQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ogate/provenance.h"
#include "ogate/stage.h"
#include "acq_out.h"
#include "pipeline.h"
#include "reasons.h"
#include "sink.h"

/* Bounds of a plan, checked by ogate_acq_plan_parse() and ogate_acq_start(). */
#define OGATE_ACQ_MAX_PLANES 10000
#define OGATE_ACQ_MAX_PER_PLANE 100
#define OGATE_ACQ_MAX_STACKS 100000
#define OGATE_ACQ_MAX_EVERY_S 31536000.0 /* one year between stacks */
#define OGATE_ACQ_MAX_LIMIT_S 31536000.0
#define OGATE_ACQ_MAX_TRIGGERS 1000000000ULL
#define OGATE_ACQ_MAX_UM 1e6 /* |start|, |step| */

struct ogate_acq_plan {
	int planes; /* 1..10000 */
	double step_um;
	double start_um;       /* NAN: start at the current position */
	int per_plane;	       /* gated triggers per plane, 1..100 */
	int stacks;	       /* 1 = a single z-stack; > 1 timelapse */
	double every_s;	       /* timelapse: stack start to stack start */
	int ref_plane;	       /* timelapse: refresh the reference here, -1 never */
	uint64_t max_triggers; /* stop after this many, 0 = no limit */
	double time_limit_s;   /* 0 = no limit */
};

/*
 * "zstack|timelapse key=value ..." words into a plan. Every number is
 * checked before use: finite, integral where the field is a count, inside
 * its bounds; -EINVAL with err naming the word and the bound.
 */
int ogate_acq_plan_parse(int argc, char **argv, struct ogate_acq_plan *pl, char *err, size_t errlen);

struct ogate_acq_status {
	const char *state; /* idle, homing, moving, waiting, exposing, done, aborted, failed */
	int stack, plane;
	double z_um;
	uint64_t triggers, retries;
	struct ogate_reason_counts by_reason; /* of triggers, by the analysis's reason */
	/* the run's skipped frames so far (acq_drops.h), updated about every
	 * 0.1 s and at each plane: all, of those the analysis's (superseded
	 * while it was behind) and the camera's (lost by it), and their episodes */
	uint64_t skipped, skipped_analysis, skipped_camera, skipped_episodes;
	char csv[512];
	char ome[512]; /* the last OME-TIFF stack closed */
	char error[320];
};

struct ogate_acq;

/*
 * The acquisition owns the stage (closed by ogate_acq_free). stage may be
 * NULL (then every start fails with -ENODEV). reopen, when not NULL, is
 * used to open the stage again after it vanished (unplugged: -EPIPE or
 * -ENODEV) at the next home or start; its strings must outlive a.
 * 0, or -ENOMEM (logged; the stage then stays the caller's); *out is set
 * only on success.
 */
int ogate_acq_new(struct ogate_acq **out, struct ogate_stage *stage,
		  const struct ogate_stage_opts *reopen, const char *csv_dir,
		  unsigned int pulses_per_trigger, uint32_t laser_mask);
void ogate_acq_free(struct ogate_acq *a); /* aborts a running job and joins it */
void ogate_acq_set_pipeline(struct ogate_acq *a, struct ogate_pipeline *p);
/* OME-TIFF and sequencing settings and the provenance (copied); -EBUSY while running. */
int ogate_acq_set_output(struct ogate_acq *a, const struct ogate_acq_output *o,
			 const struct ogate_provenance *prov);

/* Called on the job thread when a job it was given to ends (err 0 or -errno, msg for the user). */
typedef void (*ogate_acq_done_fn)(void *token, int err, const char *msg);

/*
 * Check the plan and start it on the job thread. -EBUSY running, -ENODEV no
 * stage, -EINVAL bad plan (err says which value), -ERANGE limits.
 */
int ogate_acq_start(struct ogate_acq *a, const struct ogate_acq_plan *plan, char *err, size_t errlen);
/*
 * Home the stage on the job thread: triggers are held back and in-flight
 * pulses finish first, so no motion overlaps an exposure. done(token, ...)
 * once homed or failed. -EBUSY while a job runs (nothing called).
 */
int ogate_acq_home(struct ogate_acq *a, ogate_acq_done_fn done, void *token, char *err, size_t errlen);
/*
 * Ask the running job to stop: pending triggers cancelled at once, the
 * stage stopped by the job thread within one controller reply, position
 * logged; done(token, ...) then. -EALREADY if idle (nothing called).
 */
int ogate_acq_abort(struct ogate_acq *a, ogate_acq_done_fn done, void *token);
void ogate_acq_get_status(struct ogate_acq *a, struct ogate_acq_status *st);

/* Pipeline hooks (frame thread; io thread). */
bool ogate_acq_gate(void *ctx, uint64_t cookie, int64_t time_ns, double phase, int reason);
void ogate_acq_outcome(void *ctx, const struct ogate_sink_event *ev);
/* Frame hook (frame thread): takes a gated plane's frame (acq_out.h). */
bool ogate_acq_frame(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r);
/* Time the frame hook has spent on the frame thread (ns), for the benchmark. */
int64_t ogate_acq_analysis_ns(const struct ogate_acq *a);

#endif
