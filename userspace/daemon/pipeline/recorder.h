/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Recording: frames into OME-TIFF (DIR/ogate-<stamp>.ome.tif; a new part
 * DIR/ogate-<stamp>-NNN.ome.tif every OGATE_RECORD_PART_FRAMES frames, as the
 * OME-XML holds every frame's metadata), one time point per frame with
 * DeltaT and ExposureTime, and per-frame time, sequence, state, phase and
 * trigger in an ogate.frame MapAnnotation; the provenance in
 * DIR/ogate-<stamp>.provenance.txt and in the OME-XML; one CSV sidecar line
 * per frame, DIR/ogate-<stamp>.csv:
 * index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger,
 * qa_trigger,qa_error_ms,qa_phase_error_rad,trigger_reason
 * (trigger: the number of the trigger decided at that frame, empty if none;
 * trigger_reason: why it was fired then, ogate_reason_name(), reasons.h).
 * The OME-XML goes into the file when it is closed (or a part is full); a
 * recording cut short by a crash is a plain multi-page TIFF whose pages
 * still match the CSV rows.
 *
 * At close, DIR/ogate-<stamp>.summary.json: the frames recorded, the frames
 * the source superseded while the analysis was behind (they are missing
 * from the files: gaps in the sequence column) and their episodes (a gap
 * less than OGATE_RECORD_BEHIND_QUIET_NS after the last one continues it;
 * at most OGATE_RECORD_EPISODES listed, all counted), and the worst analysis
 * lag (frame taken - its timestamp) of the recorded frames, and the triggers
 * of the recorded rows by reason (standard, panic, late, other: reasons.h).
 */
#ifndef OGATE_RECORDER_H
#define OGATE_RECORDER_H

#include <stdint.h>

#include "ogate/frame.h"
#include "ogate/provenance.h"

#define OGATE_RECORD_PART_FRAMES 10000
#define OGATE_RECORD_EPISODES 1000
#define OGATE_RECORD_BEHIND_QUIET_NS 1000000000LL /* as the daemon's log */

struct ogate_record_row {
	int locked;
	double phase, unwrapped;
	int64_t trigger;    /* -1: none */
	int trigger_reason; /* its enum ogate_trigger_reason */
	/* the live check of an earlier trigger, made on this frame (or on an
	 * unrecorded frame since the last recorded one): qa_trigger is its
	 * number as in the trigger column, -1 none */
	int64_t qa_trigger;
	double qa_error_s;     /* positive = late */
	double qa_phase_error; /* rad */
	/* the source's count of superseded frames when this frame was taken
	 * (cumulative: frames the recording queue lost do not lose their gaps),
	 * and this frame's lag: taken - its timestamp */
	uint64_t stale;
	int64_t lag_ns;
};

struct ogate_recorder;

/*
 * Threads: a recorder belongs to one thread at a time (ogated: opened by the
 * command worker or at start, written and closed by the pipeline's io
 * thread, under the pipeline's rec_lock).
 */
/* DIR exists (created if missing) and is writable; else -errno and why. */
int ogate_recorder_check_dir(const char *dir, char *why, size_t whylen);
/*
 * Creates DIR/ogate-<CLOCK_REALTIME stamp>.{ome.tif,csv,provenance.txt}
 * (and .summary.json at close)
 * (the OME-TIFF gets its first page with the first frame). prov may be NULL;
 * pixel_size_um <= 0: unknown. 0, or -errno and why (not logged: the caller
 * decides what the failure means); *out is set only on success.
 */
int ogate_recorder_open(struct ogate_recorder **out, const char *dir,
			const struct ogate_provenance *prov, double pixel_size_um, char *why,
			size_t whylen);
/*
 * One frame: its CSV row (flushed) and its TIFF page. -errno when either
 * cannot be written; the files then still agree (rows = pages) and the
 * caller should close the recorder.
 */
int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row);
uint64_t ogate_recorder_count(const struct ogate_recorder *r); /* frames written */
/* Writes the OME-XML and the summary, flushes and closes; returns frames written. */
uint64_t ogate_recorder_close(struct ogate_recorder *r);
const char *ogate_recorder_path(const struct ogate_recorder *r); /* the current .ome.tif */

#endif
