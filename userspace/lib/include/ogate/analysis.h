/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Pure analysis primitives shared by the sync pipeline (no state, no I/O). */
#ifndef OGATE_ANALYSIS_H
#define OGATE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Padding frames at each end of a reference sequence (fixed, not a setting). */
#define OGATE_NE 2

struct ogate_vfit {
	double x; /* sub-sample offset of the minimum from the centre point */
	double y; /* interpolated minimum value */
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
 * reference resolves by reading diffs[-1]) uses x = 0; the V fit's offset is limited to one
 * lag either side of the discrete minimum (a valley at the first lag scanned could otherwise
 * be extrapolated to any value, even a negative one). */
double ogate_period_scan(const double *diffs, size_t n, int min_period, double lower, double upper);

/* Sub-frame phase (rad, in [0, 2 pi)) of the best match in S[0..L-1], a SAD vector against
 * a padded reference of period P frames (L = floor(P) + 1 + 2 OGATE_NE). The argmin is
 * searched among unpadded frames; if a padded neighbour is lower, the minimum is followed
 * into the padding and the V fit done there (no phase-0 fallback). *b_out (optional) gets
 * the padded index of the discrete minimum used. */
double ogate_subframe_phase(const double *S, size_t L, double P, size_t *b_out);

/*
 * Sub-frame offset of a SAD minimum at b from the reference's own geometry. The V fit assumes
 * the image changes equally fast on both sides of b; where the heart accelerates it does not,
 * and the error is systematic for each reference position (up to 0.25 frame on the cartoon
 * heart), so a fit through those positions carries a bias of a millisecond or more.
 * step_lo / step_hi are the noise-free image distances from reference frame b-1 to b and
 * from b to b+1 (adjacent-frame SAD minus the noise floor; see ogate_reference_steps). With
 * y = S[b-1], S[b], S[b+1]:
 *   between b and b+1: S[b+1] - S[b] = step_hi (1 - 2x)  ->  x_hi = (1 - (y3 - y2)/step_hi)/2
 *   between b-1 and b: S[b-1] - S[b] = step_lo (1 + 2x)  ->  x_lo = ((y1 - y2)/step_lo - 1)/2
 * The noise floor common to the three SADs cancels; in the exact piecewise-linear case one of
 * the two is 0 and the other the offset, so x = clamp(x_hi, 0, 0.5) + clamp(x_lo, -0.5, 0).
 * A step that is not positive falls back to the V fit.
 */
double ogate_step_offset(double y1, double y2, double y3, double step_lo, double step_hi);

/*
 * Noise-free distances between adjacent frames of a sequence from adj[j] = SAD(R[j], R[j+1])
 * (j = 0..L-2) and skip[j] = SAD(R[j], R[j+2]) (j = 0..L-3): the noise floor is the median
 * triangle defect adj[j] + adj[j+1] - skip[j] (0 for noise-free monotone motion, the
 * static pixels' noise SAD otherwise) and step[j] = adj[j] - floor (at least 1e-3 of the
 * median step). scratch holds L doubles. Returns the floor.
 */
double ogate_reference_steps(const double *adj, const double *skip, size_t L, double *step,
			     double *scratch);

/* ogate_subframe_phase with the sub-frame offset from ogate_step_offset; steps[j] (j = 0..L-2)
 * as from ogate_reference_steps, scaled to the area the SADs were computed on. */
double ogate_subframe_phase_steps(const double *S, size_t L, double P, const double *steps,
				  size_t *b_out);

/*
 * Reference positions from timestamps. Frame j of a reference is assigned the phase of its
 * capture time, not of its index: pos[j] = (t_j - t_NE) / mean interval, so pos[NE] = 0 and
 * pos[j] = j - NE for evenly spaced frames. With timestamp jitter the index convention puts
 * every reference frame off by its own jitter (0.04 frame at 0.5 ms and 80 fps), which a fit
 * through those positions turns into a trigger bias of that order.
 * ogate_reference_positions fills pos[0..L-1] from t_ns[0..L-1] (CLOCK_MONOTONIC ns);
 * ogate_ref_position maps a fractional padded index y in [0, L-1] to its position (linear
 * between frames); ogate_ref_index is its inverse (clamped to [0, L-1]).
 */
void ogate_reference_positions(const int64_t *t_ns, size_t L, double *pos);
double ogate_ref_position(const double *pos, size_t L, double y);
double ogate_ref_index(const double *pos, size_t L, double w);

/* Target/barrier heuristic on delta[i] = SAD(R[i+NE], R[i+NE+1]), i = 0..N-1 (N = L - 2 NE).
 * *target_u gets the target position in unpadded frames ([0, P)), *barrier the barrier frame. */
void ogate_target_barrier(const double *delta, size_t N, double P, double *target_u, int *barrier);

/* Number of frames from the barrier up to and including a frame at unpadded position u
 * (fractional), counted modulo the period P: floor((u - barrier) mod P) + 1. */
int ogate_frames_since_barrier(double u, double barrier, double P);

enum ogate_trigger_reason {
	OGATE_TRIGGER_NONE = 0,	     /* wait for the next frame's better prediction */
	OGATE_TRIGGER_STANDARD = 1,  /* the next frame would arrive too late: commit now */
	OGATE_TRIGGER_PANIC = 2,     /* less than the latency budget left: commit anyway (sync sends
				      * it at the budget: trigger.panic_at_latency) */
	OGATE_TRIGGER_SAME_BEAT = 3, /* this beat already has a trigger (wait moved one period on) */
	OGATE_TRIGGER_LATE = 4,	     /* the target was passed since the previous frame, whose
				      * forecast still had it ahead: fired at once, late (sync) */
};

/* Trigger decision for a frame at time t (s) with a predicted wait (s). frame_interval_s is
 * the measured frame interval, next_frame_factor the number of frame intervals the next
 * frame's prediction needs (1.6 in the reference), latency_s the prediction latency budget.
 * *recent_trigger (s) is the last committed trigger time, updated on commit. */
enum ogate_trigger_reason ogate_trigger_decide(double t, double *wait, double frame_interval_s,
					       double period_s, double latency_s,
					       double next_frame_factor, double *recent_trigger);

/* The fewest frames a least-squares line must span so that its value extrapolated d frame
 * intervals beyond the newest frame is no noisier than one frame's phase: the smallest n >= 2
 * with 1/n + (d + (n - 1)/2)^2 / (n (n^2 - 1) / 12) <= 1 (equal spacing, independent errors).
 * A trigger is committed at most next_frame_factor + latency / interval frames ahead. */
int ogate_fit_min_frames(double d);

#ifdef __cplusplus
}
#endif
#endif
