/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Recording: frames into OME-TIFF (DIR/ogate-<stamp>.ome.tif; a new part
 * -NNN.ome.tif every OGATE_RECORD_PART_FRAMES frames, as the OME-XML holds
 * every frame's metadata), one time point per frame with DeltaT and
 * ExposureTime, and per-frame time, sequence, state, phase and trigger in
 * an ogate.frame MapAnnotation; the provenance in DIR/ogate-<stamp>.provenance.txt
 * and in the OME-XML; and one CSV sidecar line per frame:
 * index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger
 * (trigger: the number of the trigger decided at that frame, empty if none).
 * Used by the pipeline's io thread only.
 */
#ifndef OGATE_RECORDER_H
#define OGATE_RECORDER_H

#include <stdint.h>

#include "ogate/frame.h"
#include "ogate/provenance.h"

#define OGATE_RECORD_PART_FRAMES 10000

struct ogate_record_row {
	int locked;
	double phase, unwrapped;
	int64_t trigger;	/* -1: none */
};

struct ogate_recorder;

/* Creates the CSV and provenance at once, the OME-TIFF at the first frame.
 * prov may be NULL; pixel_size_um <= 0: unknown. NULL and *err (logged). */
struct ogate_recorder *ogate_recorder_open(const char *dir, const struct ogate_provenance *prov,
					   double pixel_size_um, int *err);
int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row);
/* Flushes and closes; returns frames written. */
uint64_t ogate_recorder_close(struct ogate_recorder *r);
const char *ogate_recorder_path(const struct ogate_recorder *r);	/* the current .ome.tif */

#endif
