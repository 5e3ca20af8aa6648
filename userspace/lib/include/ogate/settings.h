/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Analysis settings: defaults, and key=value parsing for config files and --set. */
#ifndef OGATE_SETTINGS_H
#define OGATE_SETTINGS_H

#ifdef __cplusplus
extern "C" {
#endif

#define OGATE_SMOOTH_AUTO 2 /* reference.smooth = auto */

struct ogate_settings {
	/* reference period determination */
	int min_period;		  /* reference.min_period (frames, 5) */
	double lower_threshold;	  /* reference.lower_threshold (0.5) */
	double upper_threshold;	  /* reference.upper_threshold (0.75) */
	double min_heart_rate_hz; /* reference.min_heart_rate_hz (1.0): buffer = 1/this s */
	int agree_count;	  /* reference.agree_count (5): estimates that must agree */
	double agree_tolerance;	  /* reference.agree_tolerance (0.03): relative to their median */
	double min_period_frames; /* reference.min_period_frames (6): shorter periods are refused */
	int max_buffer_frames;	  /* reference.max_buffer_frames (1024) */
	double max_buffer_mb;	  /* reference.max_buffer_mb (256): pixel memory of the buffer */
	int determine_row_step;	  /* reference.row_step (0 = auto: 1 up to 256^2 pixels, then
					 * pixels / 65536): rows compared while determining */
	/* prediction */
	int min_frames_for_fit;	  /* prediction.min_frames_for_fit (3) */
	int max_frames_for_fit;	  /* prediction.max_frames_for_fit (32) */
	double latency_s;	  /* prediction.latency_s (0.015) */
	int window_from_lock;	  /* prediction.window_from_lock (1): before the barrier's first
				   * crossing after a lock or a reference change, the fit takes the
				   * reference's frames since it once they span half a beat (0: no
				   * forecast until that crossing) */
	char predictor[16];	  /* prediction.predictor ("kalman-acc"), kalman, linear */
	double kalman_rate_noise; /* prediction.kalman_rate_noise (0.05): rate random walk, relative
					 * to the rate, per sqrt(s); the initial value: the filter uses
					 * the heart's own beat-to-beat variation once 3 are timed */
	double kalman_phase_noise; /* prediction.kalman_phase_noise (0.1): phase noise in frames; a
					  * floor under the noise measured from the innovations */
	/* trigger */
	double next_frame_factor; /* trigger.next_frame_factor (1.6): frame intervals the next
					 * frame's prediction needs before it can be acted on */
	double jitter_margin; /* trigger.jitter_margin (3): spreads of the frame intervals (capture
			       * jitter) added to that horizon: the next frame may come that late */
	double min_time_between_s; /* trigger.min_time_between_s (0) */
	int held_triggers; /* trigger.held (0; 1: opt-in): a frame held unphased (a reference's
				    * job or move, their catch-up) decides from the predictor's
				    * last state carried to its timestamp (sync_hold.c) */
	double late_max;   /* trigger.late_max (0.05): a beat whose target passed between two
			  * forecasts is fired at once (reason OGATE_TRIGGER_LATE) if the
			  * trigger lags it by at most this share of a period; 0: lost;
			  * the same bound for a panic commit sent at the latency */
	int panic_lat;	   /* trigger.panic_at_latency (1): a "panic" commit (a forecast closer
			    * than prediction.latency_s) is sent for the frame's time plus the
			    * latency, the earliest the instrument can honour; 0: for the
			    * forecast (the reference's way, fired late or refused) */
	int first_on_time; /* trigger.first_on_time (1): a reference's first trigger only as a
			    * standard commit, never a panic one sent late */
	/* sync */
	double gap_factor;	   /* sync.gap_factor (1.8): interval > this x measured = gap */
	int track_drift;	   /* sync.track_drift (1): +-1 px/frame xy drift tracking */
	int search_window;	   /* sync.search_window (6): match only reference frames within
					 * this many frames of the expected position (full search after
					 * a gap, every 8th frame and when unsure); 0 = always full */
	int bootstrap_drift_range; /* sync.bootstrap_drift_range (0): coarse drift search on the
					 * first frame after a reference, in range(-r, r+1, 3) */
	int subpixel_drift;	   /* sync.subpixel_drift (1): also compensate the sub-pixel part */
	int match_blur; /* sync.match_blur (1): a reference not moved for a drift has its frames
			 * blurred by the drift's four taps at no shift (1/4 px^2) and every live
			 * frame is matched through the same taps with its tracked sub-pixel shift:
			 * one blur on both sides whatever the drift's fraction (sync_refmove.c,
			 * docs/analysis.md); under sync.track_drift and sync.subpixel_drift, at once
			 * within 2^20 pixels, else where the frames it holds fit half a quarter
			 * beat; 0 matches the frames as recorded */
	int roi; /* sync.roi (0): match the phase only in the box of the tiles that change over the
		  * reference beat (learnt per reference; sync_roi.c, docs/analysis.md) */
	int ref_smooth; /* reference.smooth ("auto"): 1 matches against a reference whose pixels that
			 * change over the beat by less than their noise costs are replaced by their
			 * mean over the beat (Stein's risk estimate; sync_reference.c,
			 * docs/analysis.md); "auto" (OGATE_SMOOTH_AUTO) only where the heart's
			 * one-frame change is below the noise and those pixels' changes do not repeat
			 * from beat to beat, and always on frames of smooth_small_px or fewer
			 * pixels; 0 never */
	int smooth_small_px; /* reference.smooth_small_px (32768): under "auto", frames of this many
			      * pixels or fewer are smoothed without its tests (the frozen noise's
			      * share of the SAD is largest on small frames, and their job holds few
			      * frames; docs/analysis.md); 0: the tests on every size */
	double smooth_along_fpb; /* reference.smooth_along_fpb (45): on a smoothed reference, the
				  * moving pixels also averaged along the beat over 2r + 1 frames, r
				  * the largest with r (r + 1) / 3 <= P / (2 this), at most 8
				  * (sync_smooth_along.c); 0 off */
	double subpixel_gain; /* sync.subpixel_gain (0.02): smoothing of the sub-pixel estimate */
	int timestamp_positions; /* sync.timestamp_positions (1): reference frames at the phase of their
					 * timestamps (0 = of their index, as the reference system) */
	int calibrate;		 /* sync.calibrate (1): learn and remove each reference position's
					 * systematic matching error (sync_calib.c) */
	int calibrate_anchor; /* sync.calibrate_anchor (1): pin the calibration's mean at the
					 * reference frames, where matching is exact */
	int calibrate_prior;  /* sync.calibrate_prior (2): shrink the calibration's bins towards the
					 * reference beat's own map less its mean over the beat (1: the map
					 * itself; slow hearts' first beats); 0 towards 0 */
	double calibrate_pin_fit; /* sync.calibrate_pin_fit (0 = off), frames: E, the pin's level at
					 * the target moved by D^3 / (D^2 + E^2) towards a line plus a
					 * parabola through the table at the reference frames (D its
					 * departure from the beat model's level; opt-in) */
	double calibrate_pin_fit_z; /* sync.calibrate_pin_fit_z (0 = off): z, the pin fit's D
					 * shrunk by D^2 / (D^2 + E^2 + z^2 var), var the fit's own
					 * variance at the target; runs the pin fit (opt-in) */
	int beat_delta_table;	    /* sync.beat_delta_table (1): where the beats after an
					 * unmoved reference were dropped (a frame resampled for
					 * drift), delta read from the table's own line as for a moved
					 * reference (sync_calib.c, update_anchor; 0 = delta 0) */
	int calibrate_pin_offsets;  /* sync.calibrate_pin_offsets (0 = off): the pin reads the
					 * table at the live frames' measured offsets near the target
					 * (sync_calib.c, update_anchor; opt-in) */
	double beat_trend_prior;    /* sync.beat_trend_prior (0 = off): tau, the prior's sd of the
					 * beat model's trend k against the few samples it is fitted
					 * from (sync_calib.c, trend_prior_share; opt-in) */
	int beat_common;	    /* sync.beat_common (1; 0 = off): the beat model's lags at lock
					 * corrected by the common sub-frame error at their offset
					 * (sync_calib.c, beat_common_lags) */
	int beat_delta_live;	    /* sync.beat_delta_live (0 = off): the beat model's delta
					 * read from the live beats' lengths at one position over
					 * the first beats after the reference (sync_calib_live.c) */
	int beat_delta_wrap;	    /* sync.beat_delta_wrap (20; 0 = off): the beat model's
					 * delta read from live frames matched in both copies of
					 * the reference's wrap, once this many (sync_calib_live.c) */
	int beat_after_drift;	    /* sync.beat_after_drift (1; 0 = off): the beats after a
					 * reference not moved to one position measured on frames
					 * resampled for drift (sync_calib.c, beat_after_reference) */
	int beat_after_moved;	    /* sync.beat_after_moved (1; 0 = off): a reference moved to
					 * one position takes its beat model's trend from the beats
					 * after it alone (sync_calib_live.c, sync_calib_moved_trend) */
	int qa_local;		    /* sync.qa_local (32; 0 = off): K, on beats of more than 64
					 * frames whose beat model was not measured after the reference
					 * or has a delta beyond a frame, the live check's uncalibrated
					 * level from K frames a side, without the model, with a step
					 * at the reference's wrap (sync_qa.c) */
	char subframe[16];	    /* sync.subframe ("curve" from 9 fpb): sub-frame offset: vfit
					 * (the reference system's symmetric V fit), steps (a V from the
					 * reference's own step sizes, ogate_step_offset: exact on
					 * rendered hearts, worse on recorded ones) or curve (the V fit
					 * inverted through the reference's own SAD curve, subframe.c:
					 * smaller per-frame error, the default in its band; see
					 * docs/analysis.md) or quartic (the minimum of the quartic
					 * through the live frame's five SSDs where the beat has
					 * sync.quartic_min_fpb frames or more and the valley stands
					 * sync.quartic_z noise sds clear,
					 * the V fit elsewhere; opt-in) */
	double quartic_min_fpb;	    /* sync.quartic_min_fpb (20): sync.subframe = quartic only where
				 * the beat has at least this many frames (the V fit below) */
	double quartic_z;	    /* sync.quartic_z (20): and where the live frame's one-frame SSD
				 * excess stands this many noise sds clear */
	int quartic_shifted;	    /* sync.quartic_shifted (0): 1 = only on live frames resampled
				 * for a sub-pixel drift (the V fit on the others) */
	double subframe_span_z;	    /* sync.subframe_span_z (0 = off): under the V fit, where the
				 * live frame's SAD excess at one frame is within this many
				 * noise sds, the least-squares parabola over b - k .. b + k,
				 * k the first span whose excess stands that clear (sync_match.c) */
	int subframe_span_shifted;  /* sync.subframe_span_shifted (1): 0 = the span stands aside on
				 * live frames resampled for a sub-pixel drift (sync_match.c) */
	int subframe_span_ref;	    /* sync.subframe_span_ref (0): 1 = the span's vertex less the
				 * vertex the same fit reads on the reference's own squared
				 * differences around b (the valley's asymmetry), on live frames
				 * not resampled for a drift (sync_match.c) */
	double curve_min_fpb;	    /* sync.curve_min_fpb (8; 0 = none): sync.subframe = curve only
				 * where the beat has at least this many frames (the V fit below) */
	double curve_max_fpb;	    /* sync.curve_max_fpb (0 = none): and at most this many */
	char metric[16];      /* sync.metric ("sad"): how a frame is compared with each reference
					 * frame: sad (sum of absolute differences) or ssd (sum of squared
					 * differences, sub-frame offset by ogate_ssd_offset; subframe.c,
					 * docs/analysis.md); the drift tracker keeps the SAD */
	char sad_backend[16]; /* sync.sad_backend ("auto") */
	/* adaptive reference refresh (0 = never) and cross-refresh alignment (OGA) */
	int refresh_after_triggers; /* refresh.after_triggers (0) */
	int refresh_after_frames;   /* refresh.after_frames (0) */
	int align_pixels_per_frame; /* refresh.align_pixels_per_frame (300000): alignment work per frame
					 * (pixel products; at least 8 dot products) */
	int oga_resampled_period; /* oga.resampled_period (80) */
	int oga_max_offset;	  /* oga.max_offset (3) */
	/* target: phase in rad, or frame in the reference; both < 0 = automatic */
	double target_phase; /* target.phase_rad (-1) */
	double target_frame; /* target.frame (-1) */
	int register_drift;  /* reference.register_drift (1): register the drift before the period
			      * is refined at lock and follow it after (sync_driftreg.c) */
	int lag_ssd;   /* reference.lag_ssd (0): the lags at lock through SSDs, 2: for delta only */
	int lag_curve; /* reference.lag_curve (1): the lags at lock through the buffer's own SAD
			* curve (sync.subframe = curve's model, sync_sadrow.c): 1 within the
			* curve's band of frames a beat, 2 at any, 0 the V fit */
	int lag_sym;   /* reference.lag_sym (1): each lag through the curve read both ways, frame i
			* back to the beat before and that frame forward to i, and averaged */
	int lock_wait_frames; /* reference.lock_wait_frames (6): the lock waits until the buffer
			       * holds this many frames beyond the reference (more lags for P),
			       * unless it is held at its span or bound */
	int lag_even;	/* reference.lag_even (1): the lags at lock registered for a drift with each
			 * comparison's own shift and one blur on both frames (sync_driftreg.c) */
	int drift_move; /* reference.drift_move (1): the drift's velocity read at the lag itself
			 * (sync_driftreg.c) and a reference under a drift measured at lock moved
			 * to its middle, as under the scan's (sync_scanreg.c) */
	int spread_move;       /* reference.spread_move (0: where its hold fits a quarter beat, 1:
			  * always, 2, the default: as 0, and elsewhere in larger shares whose
			  * hold fits): the first reference taken under a drift the scan
			  * registered moved over the next frames, which are held meanwhile
			  * (sync_scanreg.c; drift_move's first reference under a drift
			  * register_drift measured always is) */
	int scan_drift_robust; /* reference.scan_drift_robust (0 = off): the period scan's drift
				* reading (no period for 1.5 spans) steps on the pixels that follow
				* the shift only, the heart's own move left out (sync_scanreg.c) */
	int scan_ramp; /* reference.scan_ramp (0 = off): the period scan's plain row with the
			* drift's share taken out of every lag where its valley's frames are
			* shifted by 0.1 px or more (sync_scanramp.c) */
	double start_from_target; /* reference.start_from_target (0 = off, -0.5..0.5): where the
				   * target chosen at the period's acceptance lies within |that| share
				   * of a beat of the reference's wrap (< 0: before it only), the first
				   * reference is taken once its first frame lies half a beat before
				   * it (sync_refstart.c) */
	/* sync.calibrate_pin_vfit (0 = off): up to that many frames a beat the pin sets the table at
	 * the reference frames to the V fit's expected reading there, from the reference's steps,
	 * not to 0 (sync_calib.c) */
	double calibrate_pin_vfit;
};

void ogate_settings_default(struct ogate_settings *s);
/* 0, -ENOENT for an unknown key, -EINVAL for a bad or out-of-range value. */
int ogate_settings_set(struct ogate_settings *s, const char *key, const char *value);
/* Every key, NULL-terminated (for help texts). */
const char *const *ogate_settings_keys(void);

#ifdef __cplusplus
}
#endif
#endif
