/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Cross-refresh target alignment (the "cc" algorithm of optical-gating-alignment, OGA):
 * cyclic cross-correlation of reference sequences resampled to Q frames, and a weighted
 * least-squares global solution for their relative offsets. Everything is computed from Gram
 * matrices (dot products of raw reference frames), so the work can be spread over frames. */
#ifndef OGATE_OGA_H
#define OGATE_OGA_H

#include <stddef.h>
#include <stdint.h>
#include "ogate/frame.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Dot product of two frames' pixels (same geometry), exact. */
double ogate_frame_dot(const struct ogate_frame *a, const struct ogate_frame *b);

/* score[r] = sum_k |S_a[k] - S_b[(k+r) mod Q]|^2 for the two padded sequences a (La frames,
 * period Pa) and b resampled to Q frames from padded index 0 with linear interpolation.
 * hab[i*Lb + j] = <a_i, b_j>; ha_adj[i] = <a_i, a_i>, ha_adj[La + i] = <a_i, a_{(i+1) mod La}>,
 * and the same for hb_adj. */
void ogate_oga_scores(const double *hab, int La, int Lb, double Pa, double Pb, const double *ha_adj,
		      const double *hb_adj, int Q, double *score);

/* Cyclic V fit at the minimum of score[0..Q-1]: sub-frame position in [0, Q) and the
 * interpolated minimum (a negative value is clamped to 0.1, as OGA does). */
void ogate_oga_min_score(const double *score, int Q, double *pos, double *minval);

struct ogate_oga_shift {
	int i, j;     /* sequences, i < j */
	double shift; /* x_j - x_i, in resampled frames */
	double score; /* the minimum score (weight = 1 / score, guarded) */
};

/* Global offsets x[0..n-1] (x[0] = 0): least squares on adjacent shifts, then every shift
 * moved by whole cycles of Q to the nearest agreement with that solution (dropped if still
 * more than Q/4 off) and solved again. For offsets below 2Q this is OGA's rule (> 3Q/4 off:
 * +-Q; Q/4..3Q/4 off: dropped); beyond, OGA's single +-Q step would leave it a cycle off.
 * Weights are 1/score with the score floored at 1e-9 of the largest score (and at 1e-300),
 * so identical sequences (score 0) cannot give an infinite weight. 0 or -EINVAL. */
int ogate_oga_solve(int n, const struct ogate_oga_shift *sh, int nsh, int Q, double *x);

/* Target (unpadded frames) in the new sequence, from the first sequence's target. */
double ogate_oga_target(double target0, double P0, double x_new, double P_new, int Q);

#ifdef __cplusplus
}
#endif
#endif
