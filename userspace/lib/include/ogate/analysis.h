/* SPDX-License-Identifier: MIT */
/* Pure analysis primitives shared by the sync pipeline (no state, no I/O). */
#ifndef OGATE_ANALYSIS_H
#define OGATE_ANALYSIS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Padding frames at each end of a reference sequence (fixed, not a setting). */
#define OGATE_NE 2

struct ogate_vfit {
	double x;	/* sub-sample offset of the minimum from the centre point */
	double y;	/* interpolated minimum value */
};

/* Symmetric V fit through (-1,y1), (0,y2), (+1,y3). A zero denominator
 * (flat neighbour) gives x = 0, y = y2 instead of the reference's nan/inf. */
struct ogate_vfit ogate_vfit(double y1, double y2, double y3);

/* wrap into (-pi, pi] */
double ogate_wrap_pi(double x);
/* wrap into [0, 2 pi) */
double ogate_wrap_2pi(double x);

/* Period length (frames, sub-frame) from diffs[i] = SAD(newest, buffer[i]), oldest first
 * (diffs[n-d] compares with the frame d frames back). -1 when no period is found.
 * Same scan as the reference calculate_period_length; the e == 0 case (which the
 * reference resolves by reading diffs[-1]) uses x = 0. */
double ogate_period_scan(const double *diffs, size_t n, int min_period, double lower, double upper);

/* Sub-frame phase (rad, in [0, 2 pi)) of the best match in S[0..L-1], a SAD vector against
 * a padded reference of period P frames (L = floor(P) + 1 + 2 OGATE_NE). The argmin is
 * searched among unpadded frames; if a padded neighbour is lower, the minimum is followed
 * into the padding and the V fit done there (no phase-0 fallback). *b_out (optional) gets
 * the padded index of the discrete minimum used. */
double ogate_subframe_phase(const double *S, size_t L, double P, size_t *b_out);

/* Target/barrier heuristic on delta[i] = SAD(R[i+NE], R[i+NE+1]), i = 0..N-1 (N = L - 2 NE).
 * *target_u gets the target position in unpadded frames ([0, P)), *barrier the barrier frame. */
void ogate_target_barrier(const double *delta, size_t N, double P, double *target_u, int *barrier);

/* Number of frames from the barrier up to and including a frame at unpadded position u
 * (fractional), counted modulo the period P: floor((u - barrier) mod P) + 1. */
int ogate_frames_since_barrier(double u, double barrier, double P);


enum ogate_trigger_reason {
	OGATE_TRIGGER_NONE = 0,		/* wait for the next frame's better prediction */
	OGATE_TRIGGER_STANDARD = 1,	/* the next frame would arrive too late: commit now */
	OGATE_TRIGGER_PANIC = 2,	/* less than the latency budget left: commit anyway */
	OGATE_TRIGGER_SAME_BEAT = 3,	/* this beat already has a trigger (wait moved one period on) */
};

/* Trigger decision for a frame at time t (s) with a predicted wait (s). frame_interval_s is
 * the measured frame interval, next_frame_factor the number of frame intervals the next
 * frame's prediction needs (1.6 in the reference), latency_s the prediction latency budget.
 * *recent_trigger (s) is the last committed trigger time, updated on commit. */
enum ogate_trigger_reason ogate_trigger_decide(double t, double *wait, double frame_interval_s,
					       double period_s, double latency_s,
					       double next_frame_factor, double *recent_trigger);

#ifdef __cplusplus
}
#endif
#endif
