/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Phase predictors as plug-ins (linuxptp servo style): callers see only this interface. */
#ifndef OGATE_PREDICTOR_H
#define OGATE_PREDICTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ogate_predictor;

struct ogate_prediction {
	double phase_now; /* fitted unwrapped phase at the newest sample (rad) */
	double rate;	  /* phase rate (rad/s), > 0 */
	double wait_s;	  /* time from the newest sample to the next target phase (s), >= 0 */
};

/* "linear" (ordinary least squares over the fit window) or "kalman" (a filter on phase and
 * rate fed every locked frame); 0, or -ENOENT for an unknown name, -ENOMEM; *out is set
 * only on success. */
int ogate_predictor_new(struct ogate_predictor **out, const char *name);
void ogate_predictor_free(struct ogate_predictor *p);
const char *ogate_predictor_name(const struct ogate_predictor *p);
void ogate_predictor_reset(struct ogate_predictor *p);
/* Tuning of stateful predictors (kalman: rate noise relative to the rate per sqrt(s), phase
 * noise in frames); ignored by the others. */
void ogate_predictor_configure(struct ogate_predictor *p, double rate_noise, double phase_noise_frames);
/* The heart's rate (rad/s) as the reference measured it at lock, known to rel_sd of itself
 * (after ogate_predictor_reset, before the first observation): a stateful predictor starts
 * from it instead of from the first two noisy phases. Ignored by the others. */
void ogate_predictor_expect_rate(struct ogate_predictor *p, double rate, double rel_sd);
/* Every locked frame: time (s, any origin, increasing), unwrapped phase (rad) and how much less
 * certain it is than usual, as a standard deviation (1 = the configured phase noise; the pipeline
 * passes 1 / sqrt of the weight its line fit gives the frame: more where the image barely
 * changes between reference frames, as in the quiet interval of a slow heart, or where matches
 * at this reference position have scattered more over the beats so far). The linear predictor
 * ignores it; the Kalman filter updates its state. */
void ogate_predictor_observe(struct ogate_predictor *p, double t_s, double phase, double noise_scale);
/* The camera frame counter (frame.h: sequence) of the next observation, before
 * ogate_predictor_observe: the Kalman filter fits the frame clock to it and tells uneven captures
 * from wrong timestamps. Ignored by the others; without it the timestamps are used as given. */
void ogate_predictor_frame(struct ogate_predictor *p, uint64_t sequence);
/* Fit n samples (t_s relative to any origin, unwrapped phase) and forecast when
 * target_phase (rad, [0, 2 pi)) next occurs after t_s[n-1]. 0 or -EINVAL/-ERANGE. The Kalman
 * filter forecasts from its state at its newest observation, which t_s[n-1] must be (n = 0 and
 * NULL arrays allowed), and moves its level towards the samples' own line where its innovations
 * show a matching offset that persists from frame to frame. */
int ogate_predictor_predict(struct ogate_predictor *p, const double *t_s, const double *phase,
			    size_t n, double target_phase, struct ogate_prediction *out);
/* The same with a weight per point (the linear fit: weighted least squares; NULL = equal). */
int ogate_predictor_predict_weighted(struct ogate_predictor *p, const double *t_s,
				     const double *phase, const double *weight, size_t n,
				     double target_phase, struct ogate_prediction *out);

#ifdef __cplusplus
}
#endif
#endif
