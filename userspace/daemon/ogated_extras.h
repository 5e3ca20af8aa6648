/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated's wiring of what sits beside the frame path (ogated_extras.c):
 * the shared-memory frame stream (shm.*), the web interface (web.*) and the
 * housekeeping sampler (health.*). Kept out of ogated.c so that each file
 * says one thing.
 *
 * Threads: everything from the main thread, except ogated_extras_status
 * (control thread) and the two hooks ogated_extras_new puts into the
 * pipeline options. The frame tap (frame thread) does O(metadata) work per
 * frame: when the reference changes, it copies its frames out of the sync
 * object (lent to it for the call) and offers them to the web server, which
 * it sees only once ogated_extras_start has it listening. The frame copy
 * (io thread, on the camera frame the frame thread lent it, with the
 * metadata the frame thread computed) writes the ring; frames the io thread
 * is too far behind for are skipped and counted (status shm_skipped).
 */
#ifndef OGATED_EXTRAS_H
#define OGATED_EXTRAS_H

#include "config.h"
#include "control.h"
#include "pipeline.h"

struct ogated_extras;

/*
 * Create the frame ring (and set po->frame_tap to feed it), the web server
 * and the health sampler from the configuration; nothing runs yet. NULL on
 * failure (logged).
 */
struct ogated_extras *ogated_extras_new(const struct ogate_config *cfg, struct ogate_pipeline_opts *po);
/*
 * Start the sampler and the web server once the pipeline and the control
 * socket exist. A web server that cannot listen (port taken) is logged and
 * left out: the gating goes on. -errno when the sampler cannot start.
 */
int ogated_extras_start(struct ogated_extras *x, struct ogate_pipeline *pipe);
/* The mode's frame rate, for the frame-interval slip (0: unknown). */
void ogated_extras_set_nominal_fps(struct ogated_extras *x, double fps);
/* health_* lines for status (and stats). */
void ogated_extras_status(struct ogated_extras *x, struct ogate_reply *r);
/* Stop the web server and the sampler (before the pipeline goes). */
void ogated_extras_stop(struct ogated_extras *x);
/* After the pipeline is freed (its frame tap writes the ring). */
void ogated_extras_free(struct ogated_extras *x);

#endif
