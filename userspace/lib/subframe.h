/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sub-frame offset of a SAD minimum through the reference's own SAD curve or a hyperbola, and of
 * an SSD minimum (sync.metric = ssd) through its SSD curve (subframe.c). */
#ifndef OGATE_SUBFRAME_H
#define OGATE_SUBFRAME_H

/*
 * The offset t (frames, in [-1/2, 1/2]) from reference frame b of a frame whose SADs against
 * reference frames b-1, b, b+1 are s[0], s[1], s[2], given the reference's own curve around b:
 * e[0..3] = the SAD between reference frame b and frames b-2, b-1, b+1, b+2 minus the noise
 * floor (the SAD of two frames at the same phase). +-1/2 where the V fit ties b with a
 * neighbour, as the neighbour's own offset does: the position rises with the true one across b.
 * NAN when the curve cannot be used (an excess at one frame that is not positive, or a V fit
 * beyond +-1/2: b not the least SAD); the caller then uses the V fit.
 */
double ogate_curve_offset(const double s[3], const double e[4]);

/*
 * The offset x (frames, in [-1/2, 1/2]) from reference frame b of a frame whose sums of squared
 * differences against reference frames b-1, b, b+1 are s0, s1, s2 (s1 the least): the vertex of
 * the parabola through the three. 0 where they are flat or curve downwards.
 */
double ogate_parabola_offset(double s0, double s1, double s2);

/*
 * sync.metric = ssd: the position (frames, relative to reference frame b) of a frame whose SSDs
 * against b-1, b, b+1 are s[0..2], through the reference's own SSD curve around b: e[0..3] = the
 * SSD between reference frame b and frames b-2, b-1, b+1, b+2 minus the noise floor, p[0..3] =
 * their positions relative to b (-2, -1, 1, 2 without timestamp jitter), sd = the standard
 * deviation of the noise in one of e[]. NAN where the curve cannot be used (an excess at one
 * frame within 3 sd of the noise, a side growing less than linearly, or a vertex beyond what the
 * curve produces); the caller then uses ogate_parabola_offset.
 */
double ogate_ssd_offset(const double s[3], const double e[4], const double p[4], double sd);

/*
 * The lags at lock (sync_determine.c): the offset x (frames, in (-1, 1)) from lag b of the
 * minimum of the quartic through the sums of squared differences s[0..4] at lags b-2 .. b+2.
 * Noise adds a constant to an SSD (E (d + n)^2 = d^2 + 2 sigma^2), and a frame's difference
 * from frames along the heart's path, d = a (k - x) + c (k - x)^2 / 2 per pixel to second
 * order, gives an SSD that is a quartic in the lag k with its minimum at x: exact for any noise
 * and any curvature of the path. NAN where the quartic has no minimum within a frame of b.
 */
double ogate_quartic_offset(const double s[5]);

/*
 * sync.subframe_span_z: the offset x (frames) from reference frame b of the vertex of the
 * least-squares parabola through a frame's SADs s[-k .. k] against reference frames b - k ..
 * b + k (s points at b's), k >= 2, clamped to +-k/2. Where a slow heart changes less in a frame
 * than a SAD's noise, the SAD's excess is quadratic in the distance (E|a + n| - E|n| ~ a^2) and
 * the V fit through b - 1, b, b + 1 reads the noise of three SADs; the parabola over 2k + 1
 * reads the curve. NAN where it does not curve upwards.
 */
double ogate_span_offset(const double *s, int k);

/*
 * sync.subframe_span_ref: the vertex (frames from b, not clamped) of the least-squares parabola
 * through t[-k .. -1] and t[1 .. k] at x = -k .. -1, 1 .. k (t[0] is not read): on the
 * reference's own squared differences from frame b, whose true minimum is at 0, the offset the
 * span's fit reads from the valley's shape alone. NAN where it does not curve upwards, k < 2.
 */
double ogate_span_bias(const double *t, int k);

/*
 * sync.subframe = hyper: the offset x (frames, in [-1/2, 1/2]) from reference frame b of the
 * minimum of the hyperbola S(d) = A sqrt((d - x)^2 + w^2) + C through a frame's SADs s[1..3]
 * against b - 1, b, b + 1, its width w in [0, wmax] the one that passes closest to s[0] and s[4]
 * (b - 2, b + 2) by least squares; *w_out (if not NULL) the width. NAN where b is not the least
 * SAD; the caller then uses the V fit.
 */
double ogate_hyper_offset(const double s[5], double wmax, double *w_out);

/* the widest hyperbola sync_match.c fits (frames): over +-2 frames one of width 3 grows from one
 * frame to two within 7 % of a parabola's factor 4 */
#define OGATE_HYPER_WMAX 3.0

/*
 * The minimum x (frames, in [-1/2, 1/2]) of the hyperbola of width w (frames) through s[0..2] at
 * b - 1, b, b + 1, and its *A and *C (if both not NULL). w = 0 is the V fit. NAN where s[1] is not
 * the least.
 */
double ogate_hyper_fit(const double s[3], double w, double *A, double *C);

#endif
