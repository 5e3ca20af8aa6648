/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Camera sources for ogated, as a vtable:
 *   "synthetic"  the generator's beating heart (ogate-synth's cartoon model
 *                and phase law), paced in real time: frame i is delivered at
 *                its own timestamp t0 + i / fps
 *   "file"       a TIFF or .npy stack, timestamps from a CSV or fps, paced in
 *                real time or as fast as possible (virtual timeline)
 *   "libcamera"  a real camera (userspace/daemon/camera/)
 * A source owns a small pool of frames; a frame not released in time means
 * the next camera frame has nowhere to go and is dropped (counted, and
 * visible to analysis as a sequence gap), as on a real camera.
 *
 * A bounded backlog, then the newest frame, whatever the source: a reader
 * that comes back late gets the frames taken meanwhile in order as long as
 * the next one is at most the pace's backlog late (ogate_source_set_pace;
 * 0, the default, is none); beyond it, the newest of them, and the older
 * ones are dropped (counted in drops and in stale). A timed source's camera
 * runs on its clock while the reader is away, as a real one does, and the
 * libcamera source skips the completed frames that a newer one supersedes:
 * a transient slow frame costs no frame, and an analysis slower than the
 * frame rate works on frames at most the backlog (plus one frame interval)
 * old instead of on a backlog that grows without bound (a prospective
 * trigger decided from a stale frame is useless). The pace can also ask for
 * every k-th frame only (an analysis that cannot keep up with all of them):
 * the others are dropped (counted in drops and decimated) and the
 * backlog rule applies to the ones kept, except one frame the reader
 * wants (ogate_source_want: the one an acquisition's trigger lit),
 * delivered off the grid. Only a file read as fast as
 * possible (fast = 1, a virtual timeline) ignores the pace and delivers
 * every frame.
 *
 * Threads: start, stop and free belong to one controlling thread (ogated's
 * command worker) while no frame is in flight; next is called only from
 * the pipeline's frame thread; release from the frame thread (the
 * pool's busy flags are atomics); drops and describe from any thread. Each
 * start begins a new stream: sequence numbers restart at 0 and timestamps
 * at the start time, which is why the pipeline starts its analysis anew.
 */
#ifndef OGATE_SOURCE_H
#define OGATE_SOURCE_H

#include <stdint.h>

#include "clock.h"
#include "ogate/frame.h"

struct ogate_source_opts {
	const char *kind; /* "synthetic", "file", "libcamera" */
	/* synthetic */
	int size;
	double fps;
	double period_s;
	double noise;
	double mod_amp;
	double mod_period_s;
	uint64_t seed;
	/* file */
	const char *path;
	const char *timestamps; /* CSV, last column seconds; NULL/"" = fps */
	int fast;		/* 0: real time, 1: as fast as possible */
	int loop;
	/* libcamera (size and fps also from the mode) */
	const char *camera_id; /* "" = first camera */
	int width, height;
	int roi_x, roi_y, roi_w, roi_h;
	int exposure_us;
	double analogue_gain;
};

struct ogate_source;

/* 0, or -errno on failure (logged, naming the file or value); *out is set only on success. */
int ogate_source_open(struct ogate_source **out, const struct ogate_source_opts *o);
void ogate_source_close(struct ogate_source *s);
/* Start streaming: frame timestamps count from now (CLOCK_MONOTONIC). */
int ogate_source_start(struct ogate_source *s);
/*
 * The clock a timed source (synthetic, file) paces and stamps with; NULL
 * (the default) is CLOCK_MONOTONIC. Cameras ignore it. Only while stopped;
 * the pipeline sets its own clock here at start.
 */
void ogate_source_set_clock(struct ogate_source *s, const struct ogate_clock *c);
void ogate_source_stop(struct ogate_source *s);
/*
 * The next frame, waiting at most until deadline_ns (absolute). 0 and *f,
 * -EAGAIN when the deadline passed first, -ENODATA at the end of a file.
 */
int ogate_source_next(struct ogate_source *s, int64_t deadline_ns, struct ogate_frame **f);
void ogate_source_release(struct ogate_source *s, struct ogate_frame *f);
uint64_t ogate_source_drops(const struct ogate_source *s);
/* Of the drops: frames superseded by a newer one beyond the backlog. */
uint64_t ogate_source_stale(const struct ogate_source *s);
/* Of the drops, and not stale: frames off the grid of every-th frames. */
uint64_t ogate_source_decimated(const struct ogate_source *s);
/*
 * How the next frames are handed over (the reader's thread, between next
 * calls; start resets it to every 1, no backlog): only every-th frame
 * (every >= 1; the grid anchored at the next frame delivered when every
 * changes), and in order while the next of them is at most backlog_ns late
 * (frame taken - its timestamp), else the newest. Ignored by a fast file.
 */
void ogate_source_set_pace(struct ogate_source *s, unsigned every, int64_t backlog_ns);
/*
 * The first frame whose timestamp is at or after t_ns is delivered even
 * when it is off the grid of every-th frames (an acquisition's gated frame:
 * the one its trigger lit), once; such a frame is neither decimated nor
 * stale, and ogate_source_off_grid says it was off the grid. A later call
 * replaces a pending one. Within the backlog only: a wanted frame that a
 * newer one supersedes (the reader more than the backlog late) is lost as
 * before. Reader's thread; start forgets it. No effect on a fast file or at
 * every frame (the frame comes anyway).
 */
void ogate_source_want(struct ogate_source *s, int64_t t_ns);
/* The last frame next delivered was off the grid (wanted), not one of every-th. Reader's thread. */
int ogate_source_off_grid(const struct ogate_source *s);
/*
 * The reader's work in the last next that delivered a frame: a timed
 * source renders the frame then (on its clock); 0 for cameras, whose
 * frames are wrapped, not copied. Reader's thread.
 */
int64_t ogate_source_render_ns(const struct ogate_source *s);
/* 0: a virtual timeline (a file read as fast as possible): nothing is late. */
int ogate_source_realtime(const struct ogate_source *s);
const char *ogate_source_describe(const struct ogate_source *s);

#endif
