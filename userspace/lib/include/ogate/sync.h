/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The online prospective-gating pipeline: period determination, phase matching,
 * prediction and trigger decision, one frame at a time. Never blocks, never reads a clock. */
#ifndef OGATE_SYNC_H
#define OGATE_SYNC_H

#include <stdint.h>
#include "ogate/frame.h"
#include "ogate/settings.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ogate_sync_state {
	OGATE_SYNC_DETERMINE = 0, /* collecting frames to learn a reference period */
	OGATE_SYNC_LOCKED = 1,	  /* a reference exists: every frame is phase-matched */
};

/* A committed trigger (named apart from the kernel ABI's struct ogate_trigger in
 * include/uapi/ogate.h, so both headers can be used in one file). */
struct ogate_sync_trigger {
	int64_t time_ns;	 /* absolute CLOCK_MONOTONIC time to fire */
	int64_t decided_at_ns;	 /* timestamp of the frame that decided it */
	uint64_t decided_at_seq; /* sequence of that frame */
	double target_phase;	 /* rad */
	double period_s;	 /* heart period estimated by the fit */
	uint32_t ref_id;
	uint64_t ref_first_seq; /* sequence of that reference's unpadded frame 0 */
	double ref_period_frames;
	double target_u; /* target position in that reference (frames) */
	int reason;	 /* enum ogate_trigger_reason */
};

/* Non-blocking trigger sink: called from ogate_sync_process; must not wait. */
typedef void (*ogate_trigger_sink)(void *ctx, const struct ogate_sync_trigger *t);

/* Retrospective check of one trigger, made when the frames around its time have arrived:
 * the phase reached at the trigger time (a weighted parabola through 32 frames, or half a
 * period, either side) minus the target. No ground truth needed; positive = late. */
struct ogate_sync_qa {
	int64_t trigger_time_ns;
	double target_phase; /* rad */
	double phase_error;  /* rad, (-pi, pi] */
	double error_s;	     /* phase_error / measured rate */
};

/* Summary over every checked trigger since ogate_sync_new (for status and recordings). */
struct ogate_sync_qa_stats {
	uint64_t n;	      /* triggers checked */
	uint64_t unchecked;   /* triggers that could not be (gap, refresh or end) */
	double mean_s, rms_s; /* error in time */
	double rms_rad;	      /* error in phase (x 180/pi for degrees) */
};

struct ogate_sync_result {
	enum ogate_sync_state state;
	int has_phase;	       /* phase fields valid (locked state) */
	double phase;	       /* [0, 2 pi) */
	double unwrapped;      /* continuous phase (rad) */
	int sad_argmin;	       /* padded index of the best reference frame, -1 if none */
	int dx, dy;	       /* integer drift used for this frame (rows, cols) */
	double sub_dx, sub_dy; /* sub-pixel part compensated by resampling (px) */
	int gap;	       /* a gap (dropped frames / late frame) preceded this frame */
	int established;       /* this frame established a new reference */
	int has_prediction;
	double wait_s; /* predicted time to the next target phase */
	int triggered;
	struct ogate_sync_trigger trigger;
	int has_qa; /* an earlier trigger was checked on this frame */
	struct ogate_sync_qa qa;
};

struct ogate_reference_info {
	uint32_t id;		  /* 1, 2, ... ; 0 = none yet */
	double period_frames;	  /* P */
	int length;		  /* L = floor(P) + 1 + 2 OGATE_NE */
	uint64_t first_seq;	  /* sequence of unpadded frame 0 */
	int64_t first_ns;	  /* its timestamp */
	uint64_t established_seq; /* frame that established it */
	double target_u;	  /* target position in unpadded frames */
	double target_phase;	  /* 2 pi target_u / P */
	int barrier;		  /* unpadded barrier frame */
	int smoothed;		  /* reference.smooth: its still pixels are matched as their mean */
	int along_frames;	  /* reference.smooth_along_fpb: its moving pixels are the mean of
				   * this many frames along the beat (1: as recorded) */
	double repeat_z;   /* reference.smooth = auto: how significantly those pixels' frame-to-
				   * frame changes repeat one beat earlier (> 3: not smoothed); NAN
				   * when not measured */
	double change_m;   /* reference.smooth: the heart's energy-weighted one-frame change
				   * against a frame difference's noise (auto: smoothed only below
				   * 5.3, where the SAD is nearer quadratic); NAN when not measured */
	int ts_clock;	   /* sync.timestamp_positions = 1, but its frames sit on the frame clock:
			    * the matched beats showed that the timestamps do not say when the
			    * images were taken (docs/analysis.md, "Wrong timestamps") */
	double ts_beta;	   /* that test's slope: 1 for uneven captures, 0 for wrong stamps; the
			    * locked frames' latest once looked at, else the reference's buffer's;
			    * NAN when not made (too few matched beats, stamps on the clock) */
	double ts_beta_se; /* and its standard error */
	int blurred;	   /* sync.match_blur: its frames were blurred by the drift's taps at no
			    * shift and every live frame is matched through them (0: as recorded,
			    * or moved for a drift) */
};

/*
 * What the period scan decided on the latest determination frame, one value per decision of
 * the determination (docs/analysis.md, "Widening"); ogate_sync_det_reason_name() gives the
 * short name that status and summary.json show.
 */
enum ogate_sync_det_reason {
	OGATE_DET_COLLECTING = 0, /* "collecting": fewer than 2 consecutive frames (start, gap) */
	OGATE_DET_NO_VALLEY,	  /* "no valley": the scan found no period in the buffer (a heart
				   * slower than the span, or no heart) */
	OGATE_DET_TOO_SHORT,	  /* "below the shortest period": an estimate of at most
				   * reference.min_period_frames, not confirmed over a beat */
	OGATE_DET_FEW_ESTIMATES,  /* "too few estimates": fewer than reference.agree_count since
				   * the start or the last gap */
	OGATE_DET_DISAGREE,	  /* "estimates disagree": not within reference.agree_tolerance */
	OGATE_DET_FILLING,	  /* "agreed, filling": agreed, but the buffer does not yet hold a
				   * whole reference */
	OGATE_DET_AGREED,	  /* "agreed": a period was accepted (a reference was learnt) */
};

#define OGATE_SYNC_DET_ESTIMATES 5 /* single estimates reported, newest first */

/* State of the period determination, for status and summaries. */
struct ogate_sync_determination {
	double span_s;		       /* buffer span now (starts at 1/min_heart_rate_hz) */
	double longest_period_s;       /* about the longest period that span can find (0.7 x) */
	int widened;		       /* times the span was doubled because no period was seen */
	int at_limit;		       /* the memory bound is reached: no further widening */
	int buffer_frames, max_frames; /* frames held now; the bound */
	double searching_s;	       /* time since the (first) determination started */
	/*
	 * What the scan sees (added after the fields above: the struct only grows at its end).
	 * shortest_period_s: periods must be longer than this, reference.min_period frames
	 * where the beat-averaged agreement reaches down to it (the defaults), else
	 * reference.min_period_frames; 0 while the frame interval is unknown.
	 * estimates_s: the scan's last single period estimates, newest first, by the measured
	 * frame interval; 0 where a scan found none or the buffer was emptied since (a gap, or
	 * the frames taken into a reference). estimates_agree: the last agree_count estimates
	 * agree (within agree_tolerance, or over a beat for short periods), even on a period
	 * refused as too short. reason: the latest determination frame's decision.
	 */
	double shortest_period_s;
	double estimates_s[OGATE_SYNC_DET_ESTIMATES];
	int estimates_agree;
	enum ogate_sync_det_reason reason;
};

struct ogate_sync;

/*
 * 0, or -EINVAL for bad settings, -ENOENT for an unknown back end/predictor
 * (both said on stderr), -ENOMEM; *out is set only on success.
 */
int ogate_sync_new(struct ogate_sync **out, const struct ogate_settings *s);
void ogate_sync_free(struct ogate_sync *s);
void ogate_sync_set_sink(struct ogate_sync *s, ogate_trigger_sink fn, void *ctx);
/* Process one frame. 0, or -EINVAL if its format/size differs from the first frame's or
 * its timestamp goes backwards. The frame is not retained (it is copied if needed). */
int ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r);
/* 0 and *info filled, or -ENOENT if no reference has been established yet. */
int ogate_sync_get_reference(const struct ogate_sync *s, struct ogate_reference_info *info);
/*
 * Frame i of the current reference, for display (reference_frames.c): i counts the unpadded
 * frames, 0 <= i < info.length - 2 OGATE_NE (= floor(period_frames) + 1), from the frame of
 * sequence info.first_seq. Its pixels and metadata are copied into dst (NULL: none; same
 * format and size as the stream's frames) and its phase into *phase (NULL: none): rad in
 * [0, 2 pi), the phase that ogate_sync_set_target_phase maps back to this frame. The frames
 * change only with the reference, that is when info.id does. Under a drift the period scan
 * registered (or, with reference.drift_move = 1, one reference.register_drift measured) they
 * are moved to the position of the reference's middle and blurred by 1/4 px^2, as they are
 * matched. 0; -ENOENT before the first lock; -ERANGE for i out of range; -EINVAL for dst of
 * another format or size.
 */
int ogate_sync_get_reference_frame(const struct ogate_sync *s, int i, struct ogate_frame *dst,
				   double *phase);
/* Change the target (rad in [0, 2 pi)) of the current reference; -ENOENT if none, -EINVAL. */
int ogate_sync_set_target_phase(struct ogate_sync *s, double phase);
/*
 * Learn a new reference now, as the adaptive refresh does: triggering goes on
 * with the current reference meanwhile and the target is carried over to the
 * new one by OGA alignment. -ENOENT before the first lock, -EALREADY while a
 * refresh is under way.
 */
int ogate_sync_refresh(struct ogate_sync *s);
/* Fill *d; returns 1 once a reference exists, else 0. */
int ogate_sync_get_determination(const struct ogate_sync *s, struct ogate_sync_determination *d);
/* The short name of a reason ("no valley", ...); "unknown" for a value out of range. */
const char *ogate_sync_det_reason_name(enum ogate_sync_det_reason reason);
/* Live phase-error summary (struct ogate_sync_qa_stats); always 0. */
int ogate_sync_get_qa_stats(const struct ogate_sync *s, struct ogate_sync_qa_stats *st);
/* Measured frame interval (median of recent intervals), 0 if unknown. */
double ogate_sync_frame_interval(const struct ogate_sync *s);
const char *ogate_sync_sad_backend(const struct ogate_sync *s);

#ifdef __cplusplus
}
#endif
#endif
