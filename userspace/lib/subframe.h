/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sub-frame offset of a SAD minimum through the reference's own SAD curve (subframe.c). */
#ifndef OGATE_SUBFRAME_H
#define OGATE_SUBFRAME_H

/*
 * The offset t (frames, in [-1, 1]) from reference frame b of a frame whose SADs against
 * reference frames b-1, b, b+1 are s[0], s[1], s[2], given the reference's own curve around b:
 * e[0..3] = the SAD between reference frame b and frames b-2, b-1, b+1, b+2 minus the noise
 * floor (the SAD of two frames at the same phase). NAN when the curve cannot be used (an excess
 * at one frame that is not positive, or a V fit beyond what the curve produces); the caller then
 * uses the V fit.
 */
double ogate_curve_offset(const double s[3], const double e[4]);

#endif
