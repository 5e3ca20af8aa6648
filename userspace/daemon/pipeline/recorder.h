/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Recording: frames into a multi-page TIFF (libtiff), one CSV sidecar line
 * per frame: index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger
 * (trigger: the number of the trigger decided at that frame, empty if none).
 */
#ifndef OGATE_RECORDER_H
#define OGATE_RECORDER_H

#include <stdint.h>

#include "ogate/frame.h"

struct ogate_record_row {
	int locked;
	double phase, unwrapped;
	int64_t trigger;	/* -1: none */
};

struct ogate_recorder;

/* Creates DIR/ogate-<CLOCK_REALTIME stamp>.{tif,csv}. NULL and *err (logged). */
struct ogate_recorder *ogate_recorder_open(const char *dir, int *err);
int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row);
/* Flushes and closes; returns frames written. */
uint64_t ogate_recorder_close(struct ogate_recorder *r);
const char *ogate_recorder_path(const struct ogate_recorder *r);	/* the .tif */

#endif
