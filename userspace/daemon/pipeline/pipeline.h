/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated's frame path: two threads.
 *   frame  takes each frame from the source at its own time and analyses
 *          it at once (libogate); when a trigger is decided it queues the
 *          whole trigger program on the sink. No hand-off between capture
 *          and analysis: waking another thread cost 8-16 us per frame.
 *   io     sink outcomes (fired, missed, cancelled), frame edges, the
 *          recorder and the frame copy hook (the shared-memory stream's
 *          pixels), fed through bounded lock-free rings.
 * The frame thread never waits for the io thread: a full ring drops the
 * recorded frame (drops_record) or the copied frame (drops_tap) and counts
 * it; frames lent to the io thread come back through a ring and the frame
 * thread releases them to the source between frames; an analysis slower than the camera shows
 * as source drops (the camera has no free buffer). Commands (target,
 * reset, refresh) reach the frame thread through a queue it reads between
 * frames (within one frame interval, or 100 ms without frames); each is
 * applied in order and its caller returns only once it has been applied
 * (when the pipeline is stopped, the caller applies it itself).
 *
 * Threads: the sync object and the settings belong to the frame thread
 * while streaming, to whoever holds the command lock otherwise; the
 * recorder to the io thread (opened by the caller of record/start and
 * closed by the caller of record off, both under rec_lock). start, stop, set_source, record, preview, target, reset and
 * refresh may be called from any one thread at a time besides the frame
 * path (ogated: its command worker; refresh also from an acquisition's job
 * thread); status and pulses_in_flight from any thread at any time.
 */
#ifndef OGATE_PIPELINE_H
#define OGATE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "ogate/provenance.h"
#include "ogate/settings.h"
#include "ogate/sync.h"
#include "clock.h"
#include "edges.h"
#include "program.h"
#include "reasons.h"
#include "sink.h"
#include "source.h"

/* What the frame thread knows of a frame, for the frame tap. */
struct ogate_pipeline_tap {
	bool locked;
	double phase;	    /* rad, -1 when not locked */
	bool triggered;	    /* a trigger was queued on this frame */
	int64_t trigger_ns; /* its time */
	uint32_t ref_id;
	/* the camera sequence of the reference's frame 0 and the camera frames
	 * between two of its frames (the frames analysed: pipeline_pace.c), so
	 * frame i is camera frame ref_first_seq + i * ref_seq_step; 0 unlocked */
	uint64_t ref_first_seq;
	uint32_t ref_seq_step;
	double target_phase;	       /* rad, -1 before lock */
	const struct ogate_sync *sync; /* read-only, during the call (ogate_sync_get_reference_frame) */
};

struct ogate_pipeline_opts {
	struct ogate_settings settings;
	struct ogate_program program;
	int rt_priority; /* SCHED_FIFO for the frame thread, 0 = off */
	/* CPU of the frame thread, -1 = any; cpu_capture: kept for old
	 * configurations, used only when cpu_analysis is -1 */
	int cpu_capture, cpu_analysis;
	int64_t stop_grace_ns; /* wait this long for queued pulses at stop */
	/*
	 * Time base of frame pacing (timed sources), arrival and queueing
	 * stamps and the stop grace period (clock.h); NULL = CLOCK_MONOTONIC,
	 * as ogated runs. Per-frame analysis time is always measured on
	 * CLOCK_MONOTONIC (it is CPU work, not frame time).
	 */
	const struct ogate_clock *clock;
	const char *record_dir;
	int record_every; /* every n-th analysed frame */
	/*
	 * An analysis that cannot keep up with the camera analyses every k-th
	 * frame, k chosen from its measured cost (pace.h); k at most this (0:
	 * OGATE_PACE_MAX_EVERY, 1: never decimate).
	 */
	unsigned max_decimate;
	/* recordings: what produced them (copied per recording) and the pixel size */
	const struct ogate_provenance *provenance;
	double pixel_size_um;
	/* take frame times from these frame edges on this frame line (see edgematch.h):
	 * the frame-edge input (edges.h), read by the io thread, NULL = none */
	bool edge_match;
	unsigned int edge_line;
	struct ogate_edges *edges;
	/*
	 * Acquisition hooks, may be NULL: gate decides on the frame thread
	 * whether a decided trigger is queued (reason: its enum
	 * ogate_trigger_reason); outcome sees every pulse outcome (io thread),
	 * refused queueing included as MISSED.
	 */
	bool (*gate)(void *ctx, uint64_t cookie, int64_t time_ns, double phase, int reason);
	void (*outcome)(void *ctx, const struct ogate_sink_event *ev);
	/*
	 * Every analysed frame (frame thread; must not block), and a frame
	 * asked for off the decimation grid (ogate_pipeline_want_frame, not
	 * analysed: r->has_phase 0): the acquisition takes the frame of a
	 * gated plane from here without copying it. Returning true keeps f (not released): the taker hands it
	 * back with ogate_pipeline_return_frame() (one frame at a time).
	 */
	bool (*frame)(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r);
	void *hook_ctx;
	/*
	 * Sees every analysed frame on the frame thread, may be NULL; must not
	 * block and should do O(metadata) work: no pixel copies (ogated: the
	 * reference's frames for the page, once per reference).
	 */
	void (*frame_tap)(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t);
	/*
	 * The pixel work on every analysed frame (ogated: the shared-memory
	 * ring write), may be NULL. Called on the io thread with the camera
	 * frame itself, lent by the frame thread (not copied; t->sync is NULL,
	 * the other fields are the frame thread's, as frame_tap saw them); the
	 * frame goes back to the source once the hook returned. The io thread
	 * takes lent frames every 2 ms (sooner when 3 wait). At most
	 * TAP_POOL (4) frames are lent at once: when they are all out, the
	 * frame is skipped and counted (drops_tap), the frame thread never
	 * waits. A frame the frame hook keeps (acquisition) is not lent: the
	 * hook sees it on the frame thread, once per gated plane.
	 */
	void (*frame_copy)(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t);
	void *tap_ctx;
	/* pinged from the analysis loop (systemd watchdog), may be NULL */
	void (*watchdog)(void *ctx);
	void *watchdog_ctx;
};

struct ogate_pipeline_status {
	bool running, locked, recording;
	char source[96];      /* description of the source */
	double period_s;      /* reference period, 0 before lock */
	double period_frames; /* the same in reference frames */
	double target_phase;  /* rad, -1 before lock */
	uint32_t ref_id;
	uint64_t ref_first_seq; /* source sequence of reference frame 0 */
	double target_u;	/* target position in reference frames */
	/* reference.smooth (ogate_reference_info): its still pixels matched as their mean; the
	 * repeat of their changes one beat earlier and the heart's one-frame change against the
	 * noise, NAN where not measured (and before lock) */
	bool ref_smoothed;
	double ref_repeat_z, ref_change_m;
	/* reference.smooth_along_fpb: the frames its moving pixels average along the beat (1:
	 * none; 0 before lock) */
	int ref_along_frames;
	/* sync.match_blur: its frames blurred and every frame matched through the same taps */
	bool ref_blurred;
	/* sync.timestamp_positions: the reference sits on the frame clock because its images
	 * showed the timestamps wrong; the test's slope (1 uneven captures, 0 wrong stamps) and
	 * its standard error, NAN where not made (and before lock) */
	bool ref_ts_clock;
	double ref_ts_beta, ref_ts_beta_se;
	double phase;	 /* of the last analysed frame, -1 if none */
	uint64_t frames; /* delivered by the source */
	uint64_t analysed;
	uint64_t drops_source;	  /* lost at the camera: no free buffer, or superseded */
	uint64_t drops_stale;	  /* of those: superseded, the analysis behind (source.h) */
	uint64_t drops_decimated; /* of those, not stale: not every k-th frame (decimate) */
	uint64_t off_grid;	  /* frames: off the grid, to the frame hook alone (want_frame) */
	unsigned decimate;	  /* every decimate-th camera frame is analysed (1: all) */
	int64_t backlog_ns;    /* a frame this late is still delivered in order (0: newest first) */
	int64_t frame_cost_ns; /* the frame thread's time a frame (pace.h) */
	uint64_t drops_analysis; /* 0: capture and analysis share a thread (see drops_source) */
	uint64_t drops_record;	 /* recorder behind */
	uint64_t drops_tap;	 /* frames not given to frame_copy: io thread behind */
	uint64_t record_errors;	 /* recordings stopped by a write error */
	char record_error[200];	 /* the last such error, "" if none */
	uint64_t triggers;	 /* decided and queued */
	/* of those, by the library's reason (enum ogate_trigger_reason): committed in time
	 * (standard), inside the latency budget (panic), the beat's target passed between
	 * two forecasts and fired at once (late, docs/analysis.md "Late trigger"), or any
	 * other value (other, reasons.h) */
	struct ogate_reason_counts by_reason;
	uint64_t held;	       /* decided but held back by an acquisition */
	uint64_t queue_errors; /* refused by the sink, too late excepted */
	uint64_t refused_late; /* refused by the sink as too late (ETIME) */
	/* pulses: missed counts those the sink reported missed and those of
	 * triggers refused as too late (outcome sees both as MISSED) */
	uint64_t fired, missed, cancelled, lost_events;
	int64_t lock_time_ns; /* first lock after start, 0 if none */
	int64_t latency_p50_ns, latency_p99_ns, latency_max_ns;	   /* frame arrival -> queued */
	int64_t analysis_p50_ns, analysis_p99_ns, analysis_max_ns; /* per frame, recent */
	uint64_t late;				   /* fired more than 10 us after their time */
	int64_t lateness_mean_ns, lateness_max_ns; /* fired pulses: rise - requested */
	double fps;				   /* measured from frame timestamps */
	int64_t lag_ns, lag_max_ns;		   /* frame taken - its timestamp: last, max */
	bool edge_learnt;			   /* edge matching: offset learnt */
	int64_t edge_offset_ns;			   /* camera timestamp - edge */
	double edge_jitter_ns;
	uint64_t edge_matched, edge_unmatched, edge_seq_jumps;
	int64_t recent_latency_n;
	/* live phase-error check of past triggers (no ground truth), see ogate_sync_get_qa_stats */
	struct ogate_sync_qa_stats qa;
	/* period determination while unlocked (how far it has widened), see ogate_sync_get_determination */
	bool determining;
	struct ogate_sync_determination det;
};

struct ogate_pipeline;

/*
 * Where frame -> queued goes, for the recent triggers: the source (frame
 * timestamp -> the frame thread has it: wake-up lateness, and for the
 * synthetic camera its rendering), the hand-off (arrival -> analysis
 * start, now only the edge matching and counters),
 * the analysis (libogate), the program build (acquisition gate included)
 * and the sink's queueing. latency_p50/p99 cover hand-off to queue.
 */
enum ogate_pipeline_stage {
	OGATE_STAGE_SOURCE,
	OGATE_STAGE_HANDOFF,
	OGATE_STAGE_ANALYSIS,
	OGATE_STAGE_BUILD,
	OGATE_STAGE_QUEUE,
	OGATE_STAGE_N
};
struct ogate_pipeline_stages {
	const char *name[OGATE_STAGE_N]; /* "source", "handoff", ... */
	int64_t p50_ns[OGATE_STAGE_N], p99_ns[OGATE_STAGE_N];
	int64_t n; /* triggers looked at */
};

/* Takes ownership of neither source nor sink. 0, or -errno; *out is set only on success. */
int ogate_pipeline_new(struct ogate_pipeline **out, const struct ogate_pipeline_opts *o,
		       struct ogate_source *src, struct ogate_sink *sink);
void ogate_pipeline_free(struct ogate_pipeline *p); /* stops first */
int ogate_pipeline_start(struct ogate_pipeline *p); /* -EALREADY if running */
/* Stop streaming; give queued pulses the grace period, then cancel the rest. */
int ogate_pipeline_stop(struct ogate_pipeline *p);
/* Only while stopped (mode switch); -EBUSY otherwise. NULL: no source (start fails). */
int ogate_pipeline_set_source(struct ogate_pipeline *p, struct ogate_source *src);
/*
 * The commands below return once the frame thread applied them (or the
 * caller did, while stopped); msg (may be NULL) says what was done.
 * -EDOM: phase not finite or outside [0, 2 pi).
 */
int ogate_pipeline_set_target_phase(struct ogate_pipeline *p, double phase, char *msg, size_t msglen);
/* Forget the reference and learn anew; msg says what was dropped. */
int ogate_pipeline_reset(struct ogate_pipeline *p, char *msg, size_t msglen);
/* Hand back a frame the frame hook kept (any thread); the frame thread
 * releases it to the source. The pipeline's stop waits for it (up to 5 s). */
void ogate_pipeline_return_frame(struct ogate_pipeline *p, struct ogate_frame *f);
/*
 * From the gate hook (frame thread) only: the first camera frame whose
 * timestamp is at or after t_ns goes to the frame hook even when the
 * analysis decimates and it is off its grid of every k-th frame (once; a
 * later call replaces it). Such a frame is not analysed, recorded, tapped
 * or copied: the hook alone sees it, with a result that has no phase
 * (counted in off_grid; the analysis's stream stays every k-th frame).
 * With edge matching, t_ns is on the edges' times (as the frames the
 * analysis sees): the source is asked for t_ns plus the offset learnt at
 * the last matched frame. Within the source's backlog (source.h): a frame
 * thread further behind loses it as any other superseded frame. At every
 * frame, nothing changes.
 */
void ogate_pipeline_want_frame(struct ogate_pipeline *p, int64_t t_ns);
/* Pulses queued on the sink without an outcome yet. */
uint64_t ogate_pipeline_pulses_in_flight(struct ogate_pipeline *p);
/* Cancel every pulse queued on the sink and not yet started (abort). */
int ogate_pipeline_cancel_pending(struct ogate_pipeline *p);
/*
 * Learn a new reference while gating on, target carried over (OGA
 * alignment). -ENOENT no reference yet, -EALREADY a refresh under way.
 */
int ogate_pipeline_refresh(struct ogate_pipeline *p, char *msg, size_t msglen);
/*
 * Recording on: while streaming, the files are created now (-errno and msg
 * when they cannot be); while stopped, the directory is checked now and the
 * files are created at start. A write error later stops the recording once
 * (logged once, counted in record_errors) and leaves a TIFF and a CSV that
 * agree page for row; each row is flushed as it is written.
 */
int ogate_pipeline_record(struct ogate_pipeline *p, bool on, char *msg, size_t msglen);
void ogate_pipeline_status(struct ogate_pipeline *p, struct ogate_pipeline_status *st);
/* The frame -> queued latency by stage (any thread; heavier than status). */
void ogate_pipeline_stages(struct ogate_pipeline *p, struct ogate_pipeline_stages *s);
/*
 * Latest-frame preview: the frame thread copies the next frame it sees
 * (only when asked, so previews cost the frame path nothing otherwise);
 * written as PNG or binary PGM as path's extension says (preview.h);
 * -EPROTONOSUPPORT for any other name, before waiting. Waits at most
 * timeout_ns; -ETIMEDOUT when no frame came (stopped), -errno on I/O.
 */
int ogate_pipeline_preview(struct ogate_pipeline *p, const char *path, int64_t timeout_ns,
			   uint64_t *sequence);

#endif
