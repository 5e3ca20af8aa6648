/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What an acquisition writes besides its CSV: one OME-TIFF per z-stack (per
 * time point of a timelapse), whose planes are the camera frames of the
 * gated triggers, and the run's provenance.
 *
 * The plane image is the first frame the frame thread sees whose
 * timestamp is at or after the trigger time: ogate_acq_gate() arms the grab
 * (frame thread), the frame hook keeps that camera frame instead of
 * releasing it (no copy: a pointer and a compare-and-swap), and the
 * acquisition's job thread writes it with the plane's metadata once the
 * trigger has fired, then hands it back to the pipeline, whose analysis
 * thread releases it to the camera. No copy and no file I/O happen on the
 * frame thread.
 *
 * A plane's phase_reached_rad (and phase_error_rad) is the phase at the
 * trigger's time measured on its frame. A frame delivered off the
 * analysis's decimation grid (ogate_source_want) has no phase of its own:
 * the next analysed frame's is taken instead (carried back to the
 * trigger's time with the reference period), named by
 * phase_reached_from_sequence; the writer waits for that frame at most
 * ACQ_OUT_PHASE_WAIT_NS, and writes the plane without a phase when none
 * came or it has none (the analysis not locked). Both waits (the grabbed
 * frame, the next analysed frame) sleep on a condition variable until an
 * absolute CLOCK_MONOTONIC deadline and wake when the frame thread sees the
 * frame, not at a polling step.
 *
 * Threads: arm_grab and frame run on the frame thread; everything else
 * on the acquisition thread (configure before a program starts).
 */
#ifndef OGATE_ACQ_OUT_H
#define OGATE_ACQ_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include <pthread.h>
#include <stddef.h>

#include "ogate/frame.h"
#include "ogate/provenance.h"
#include "ogate/stage.h"
#include "ogate/sync.h"

struct ogate_acq_plan;
struct ogate_pipeline;

#define ACQ_OUT_PHASE_WAIT_NS (200LL * 1000000LL) /* 16 frames at 80 fps */

struct ogate_acq_output {
	double pixel_size_um; /* camera pixel; <= 0: unknown */
	double magnification; /* <= 0: not given (pixel size is at the sample) */
	double exposure_s;    /* camera exposure if no laser pulse is measured; NaN */
	bool sequence;	      /* ASI ring buffer + TTL advance */
	int settle_ms;	      /* sequenced: after a trigger's pulses before the next */
	double tolerance_um;  /* sequenced: final position check */
};

struct acq_plane_info {
	int stack, plane, stacks;
	double z_um, step_um;
	uint64_t cookie;
	int64_t t_ns, rise_ns, fall_ns; /* trigger time; laser pulse edges */
	int64_t t_start_ns;		/* the acquisition's start (DeltaT origin) */
	double target_phase;
	uint32_t ref_id;
	double period_s; /* reference period, 0 unknown */
};

struct acq_out;

struct acq_out *acq_out_new(void);
void acq_out_free(struct acq_out *o);
/* Copies cfg and prov (may be NULL). */
int acq_out_configure(struct acq_out *o, const struct ogate_acq_output *cfg,
		      const struct ogate_provenance *prov);
const struct ogate_acq_output *acq_out_cfg(const struct acq_out *o);
/*
 * Create the run's directory DIR/acq-<stamp>/ with provenance.txt (the plan
 * added as run.plan); csv gets DIR/acq-<stamp>/acq-<stamp>.csv. 0 or -errno
 * with err.
 */
int acq_out_run_dir(struct acq_out *o, const char *dir, const struct ogate_acq_plan *plan,
		    double first_um, char *csv, size_t csvlen, char *err, size_t errlen);
/* The stack's file: <csv without .csv>.ome.tif, or -tNNNN.ome.tif in a timelapse. */
void acq_out_stack_path(const char *csv, int stacks, int stack, char *path, size_t len);

/* How a kept frame is handed back (ogated: ogate_pipeline_return_frame); set
 * before a program starts. Without it, no frame is kept (no plane images). */
typedef void (*acq_out_return_fn)(void *ctx, struct ogate_frame *f);
void acq_out_set_return(struct acq_out *o, acq_out_return_fn fn, void *ctx);
/* frame thread: arm the grab; the frame hook (true: f is kept, see
 * ogate_pipeline_opts.frame) */
void acq_out_arm_grab(struct acq_out *o, int64_t after_ns);
bool acq_out_frame(struct acq_out *o, struct ogate_frame *f, const struct ogate_sync_result *r);
/* job thread: wait until the grab holds a frame (true), or until deadline_ns
 * (absolute, CLOCK_MONOTONIC; false: none came) */
bool acq_out_wait_frame(struct acq_out *o, int64_t deadline_ns);
/* job thread: wait until the frame after a kept frame without a phase has
 * been seen (true; whether it has a phase is the writer's business), or
 * until deadline_ns (false) */
bool acq_out_wait_late(struct acq_out *o, int64_t deadline_ns);
/* job thread: give up a pending grab, hand back a kept frame (end of a program) */
void acq_out_drop(struct acq_out *o);
/* analysis-thread work so far (ns, CLOCK_MONOTONIC), for the benchmark */
int64_t acq_out_analysis_ns(const struct acq_out *o);

/* acquisition thread: a stack's file (opened at its first plane) */
void acq_out_begin(struct acq_out *o, const char *path, int planes);
/* Wait up to timeout for the grabbed frame and write it. 0, or -ETIMEDOUT
 * (no frame came: the plane is missing from the file, logged), -errno. */
int acq_out_plane(struct acq_out *o, const struct acq_plane_info *pi, int64_t timeout_ns);
/* The same with the reference id and period from the pipeline (may be NULL), 1 s timeout. */
int acq_out_plane_write(struct acq_out *o, struct ogate_pipeline *pipe, struct acq_plane_info *pi);
/* Close the stack's file (if open); its path into path under lock (unchanged
 * when nothing was written). */
int acq_out_end(struct acq_out *o, char *path, size_t pathlen, pthread_mutex_t *lock);

/*
 * Sequenced stacks (ASI ring buffer, job thread). load: positions of
 * triggers 1 .. N-1 and then of trigger 0 (N = planes x per_plane, trigger j
 * at plane j / per_plane), armed; trigger j's pulse moves the stage to
 * trigger j+1's position. finish: disarm, read the position, which must be
 * plane 0 again within tol_um: -EIO and why otherwise.
 */
int acq_seq_load(struct ogate_stage *s, double z0, double step_um, int planes, int per_plane);
int acq_seq_finish(struct ogate_stage *s, double z0, double tol_um, char *why, size_t len);

#endif
