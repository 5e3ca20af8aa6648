/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What an acquisition writes besides its CSV: one OME-TIFF per z-stack (per
 * time point of a timelapse), whose planes are the camera frames of the
 * gated triggers, and the run's provenance.
 *
 * The plane image is the first frame the analysis thread sees whose
 * timestamp is at or after the trigger time: ogate_acq_gate() arms the grab
 * (analysis thread), the frame hook copies that one frame into a buffer
 * allocated once (analysis thread: one frame copy per plane, nothing else),
 * and the acquisition thread writes it with the plane's metadata once the
 * trigger has fired. So no file I/O happens on the analysis thread.
 *
 * Threads: arm_grab and frame run on the analysis thread; everything else
 * on the acquisition thread (configure before a program starts).
 */
#ifndef OGATE_ACQ_OUT_H
#define OGATE_ACQ_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "ogate/frame.h"
#include "ogate/provenance.h"
#include "ogate/sync.h"

struct ogate_acq_output {
	double pixel_size_um;		/* camera pixel; <= 0: unknown */
	double magnification;		/* <= 0: not given (pixel size is at the sample) */
	double exposure_s;		/* camera exposure if no laser pulse is measured; NaN */
	bool sequence;			/* ASI ring buffer + TTL advance */
	int settle_ms;			/* sequenced: after a trigger's pulses before the next */
	double tolerance_um;		/* sequenced: final position check */
};

struct acq_plane_info {
	int stack, plane, stacks;
	double z_um, step_um;
	uint64_t cookie;
	int64_t t_ns, rise_ns, fall_ns;	/* trigger time; laser pulse edges */
	int64_t t_start_ns;		/* the acquisition's start (DeltaT origin) */
	double target_phase;
	uint32_t ref_id;
	double period_s;		/* reference period, 0 unknown */
};

struct acq_out;

struct acq_out *acq_out_new(void);
void acq_out_free(struct acq_out *o);
/* Copies cfg and prov (may be NULL). */
int acq_out_configure(struct acq_out *o, const struct ogate_acq_output *cfg,
		      const struct ogate_provenance *prov);
const struct ogate_acq_output *acq_out_cfg(const struct acq_out *o);
/* Write dir/provenance.txt (with the plan added). */
int acq_out_provenance(struct acq_out *o, const char *dir, const char *plan, char *err,
		       size_t errlen);

/* analysis thread */
void acq_out_arm_grab(struct acq_out *o, int64_t after_ns);
void acq_out_frame(struct acq_out *o, const struct ogate_frame *f, const struct ogate_sync_result *r);
/* analysis-thread work so far (ns, CLOCK_MONOTONIC), for the benchmark */
int64_t acq_out_analysis_ns(const struct acq_out *o);

/* acquisition thread: a stack's file (opened at its first plane) */
void acq_out_begin(struct acq_out *o, const char *path, int planes);
/* Wait up to timeout for the grabbed frame and write it. 0, or -ETIMEDOUT
 * (no frame came: the plane is missing from the file, logged), -errno. */
int acq_out_plane(struct acq_out *o, const struct acq_plane_info *pi, int64_t timeout_ns);
/* Close the stack's file; its path in path (empty when nothing was written). */
int acq_out_end(struct acq_out *o, char *path, size_t pathlen);

#endif
