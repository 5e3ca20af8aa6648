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
 * carried over by OGA). With stage.sequence (ASI), the stack's positions
 * are loaded into the controller's ring buffer and the trigger pulses clock
 * the stage; the final position is checked. Each run gets a directory
 * DIR/acq-<stamp>/ with provenance.txt, one OME-TIFF per stack (acq_out.h)
 * and the CSV:
 *   stack,plane,z_um,trigger,time_ns,rise_ns,fall_ns,phase_rad,move_start_ns,still_ns
 */
#ifndef OGATE_ACQ_H
#define OGATE_ACQ_H

#include <stdbool.h>
#include <stdint.h>

#include "ogate/provenance.h"
#include "ogate/stage.h"
#include "acq_out.h"
#include "pipeline.h"
#include "sink.h"

struct ogate_acq_plan {
	int planes;		/* 1..10000 */
	double step_um;
	double start_um;	/* NAN: start at the current position */
	int per_plane;		/* gated triggers per plane, 1..100 */
	int stacks;		/* 1 = a single z-stack; > 1 timelapse */
	double every_s;		/* timelapse: stack start to stack start */
	int ref_plane;		/* timelapse: refresh the reference here, -1 never */
	uint64_t max_triggers;	/* stop after this many, 0 = no limit */
	double time_limit_s;	/* 0 = no limit */
};

struct ogate_acq_status {
	const char *state;	/* idle, moving, waiting, exposing, done, aborted, failed */
	int stack, plane;
	double z_um;
	uint64_t triggers, retries;
	char csv[512];
	char ome[512];		/* the last OME-TIFF stack closed */
	char error[256];
};

struct ogate_acq;

/* stage may be NULL (then every start fails with -ENODEV). */
struct ogate_acq *ogate_acq_new(struct ogate_stage *stage, const char *csv_dir,
				unsigned int pulses_per_trigger, uint32_t laser_mask);
void ogate_acq_free(struct ogate_acq *a);	/* aborts a running program */
void ogate_acq_set_pipeline(struct ogate_acq *a, struct ogate_pipeline *p);
/* OME-TIFF and sequencing settings and the provenance (copied); -EBUSY while running. */
int ogate_acq_set_output(struct ogate_acq *a, const struct ogate_acq_output *o,
			 const struct ogate_provenance *prov);
/* -EBUSY running, -ENODEV no stage, -EINVAL bad plan (err says which value), -ERANGE limits. */
int ogate_acq_start(struct ogate_acq *a, const struct ogate_acq_plan *plan, char *err,
		    size_t errlen);
/* Pending triggers cancelled, stage stopped, position logged. -EALREADY if idle. */
int ogate_acq_abort(struct ogate_acq *a);
void ogate_acq_get_status(struct ogate_acq *a, struct ogate_acq_status *st);
/*
 * Move the stage outside a program (homing): triggers are held back and
 * in-flight pulses finish first, so no motion overlaps an exposure.
 * -EBUSY while a program runs.
 */
int ogate_acq_home(struct ogate_acq *a, double *pos_um, char *err, size_t errlen);

/* Pipeline hooks (analysis thread; io thread). */
bool ogate_acq_gate(void *ctx, uint64_t cookie, int64_t time_ns, double phase);
void ogate_acq_outcome(void *ctx, const struct ogate_sink_event *ev);
/* Frame hook (analysis thread): takes a gated plane's frame. */
void ogate_acq_frame(void *ctx, const struct ogate_frame *f, const struct ogate_sync_result *r);
/* Time the frame hook has spent on the analysis thread (ns), for the benchmark. */
int64_t ogate_acq_analysis_ns(const struct ogate_acq *a);

#endif
