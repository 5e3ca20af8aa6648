/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Synthetic heartbeat models with known phase (the phase law and image models of
 * gen_synthetic.py): a cartoon two-chamber heart, and a time-warped real reference beat. */
#ifndef OGATE_HEART_H
#define OGATE_HEART_H
#include <stdint.h>

struct ogate_heart_law {
	double period_s; /* T0 */
	double drift;	 /* fractional linear rate change over the run */
	double mod_amp;	 /* fractional sinusoidal rate modulation */
	double mod_period_s;
	double psi0;
	double t_run; /* n_frames / fps */
};

/* psi(t) = psi0 + 2 pi f0 [t + d t^2/(2 T_run) + (a T_mod / 2 pi)(1 - cos(2 pi t / T_mod))] */
double ogate_heart_law_psi(const struct ogate_heart_law *p, double t);
double ogate_heart_law_freq(const struct ogate_heart_law *p, double t);
/* the same with the modulation at phase phi at t = 0: a (cos phi - cos(2 pi t / T_mod + phi)) in
 * place of a (1 - cos(2 pi t / T_mod)) (ogate-synth --mod-phase) */
double ogate_heart_law_psi_at(const struct ogate_heart_law *p, double phi, double t);
double ogate_heart_law_freq_at(const struct ogate_heart_law *p, double phi, double t);

struct ogate_heart_rng {
	uint64_t s[4];
	int have_spare;
	double spare;
};
void ogate_heart_rng_seed(struct ogate_heart_rng *r, uint64_t seed);
double ogate_heart_rng_uniform(struct ogate_heart_rng *r); /* [0, 1) */
double ogate_heart_rng_normal(struct ogate_heart_rng *r);

struct ogate_heart_blob {
	int h, w;
	float *bg; /* static texture */
	float s;   /* scale: min(h, w) / 128 */
};
int ogate_heart_blob_init(struct ogate_heart_blob *b, int h, int w, uint64_t seed); /* 0 or -ENOMEM */
void ogate_heart_blob_free(struct ogate_heart_blob *b);
/* Render phase psi (rad) into out (h x w floats). */
void ogate_heart_blob_render(const struct ogate_heart_blob *b, double psi, float *out);

struct ogate_heart_ref {
	int n, h, w;
	float *frames; /* n x h x w */
	double period; /* frames */
};
/* Frame i = linear interpolation of reference frames at x = 2 + P (psi mod 2pi) / 2pi. */
void ogate_heart_ref_render(const struct ogate_heart_ref *r, double psi, float *out);

/*
 * A stand-in for a recorded heartbeat, made without data: floor(period)+5 source frames (2
 * padding frames each side, as a recorded reference) of a cartoon heart with a different
 * texture, an uneven beat (fast contraction, slow refill: the phase is warped), blood cells
 * carried round with the beat, a slow brightness trend across the recording (so the beat does
 * not close exactly at the wrap, as in real data) and frozen sensor noise. Rendered like a
 * real reference: linear interpolation between source frames. 0 or -ENOMEM.
 */
int ogate_heart_ref_init_real(struct ogate_heart_ref *r, int h, int w, double period_frames,
			      uint64_t seed);

/* Rigid sub-pixel shift by (sy, sx): bilinear, edge-replicated (scipy.ndimage.shift order 1, nearest). */
void ogate_heart_rigid_shift(const float *in, float *out, int h, int w, double sy, double sx);
/* The same shift band-limited (Lanczos-3, edge-replicated): unlike the bilinear one it does not
 * blur the image by an amount that depends on the shift's fractional part (a two-tap average
 * with weights f, 1 - f halves a fine texture's contrast at f = 0.5 and leaves it at f = 0), as
 * a real drifting specimen under a camera does not. -ENOMEM or 0. */
int ogate_heart_rigid_shift_lanczos(const float *in, float *out, int h, int w, double sy, double sx);
#endif
