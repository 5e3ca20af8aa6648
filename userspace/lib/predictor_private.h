/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef OGATE_PREDICTOR_PRIVATE_H
#define OGATE_PREDICTOR_PRIVATE_H
#include "ogate/predictor.h"

struct ogate_predictor_ops {
	const char *name;
	struct ogate_predictor *(*new)(void);
	void (*free)(struct ogate_predictor *p);
	void (*reset)(struct ogate_predictor *p);
	/* optional: tuning (rate noise per sqrt(s) relative to the rate, phase noise in frames) */
	void (*configure)(struct ogate_predictor *p, double rate_noise, double phase_noise_frames);
	/* optional: the rate measured at lock and its relative standard deviation */
	void (*expect_rate)(struct ogate_predictor *p, double rate, double rel_sd);
	/* optional: the camera frame counter of the next observation */
	void (*frame)(struct ogate_predictor *p, uint64_t sequence);
	/* optional: every locked frame's time (s) and unwrapped phase, for stateful predictors */
	void (*observe)(struct ogate_predictor *p, double t_s, double phase, double noise_scale);
	/* weight: per-point weights (NULL = all equal); predictors without a window may ignore it */
	int (*predict)(struct ogate_predictor *p, const double *t_s, const double *phase,
		       const double *weight, size_t n, double target_phase,
		       struct ogate_prediction *out);
};

/* Every predictor embeds this as its first member. */
struct ogate_predictor {
	const struct ogate_predictor_ops *ops;
};

extern const struct ogate_predictor_ops ogate_predictor_linear_ops;
extern const struct ogate_predictor_ops ogate_predictor_kalman_ops;
extern const struct ogate_predictor_ops ogate_predictor_kalman_acc_ops;

/* Shared forecast: from a fitted phase phi_now and rate (rad/s) to the wait until target. */
int ogate_forecast_wait(double phi_now, double rate, double target_phase, double *wait_s);
/* The weighted least-squares line through n samples (weights w, NULL = equal): its phase at
 * t[n - 1] and its slope (rad/s); 0, or -EINVAL without a line (n < 2, no weight or one time). */
int ogate_fit_line(const double *t, const double *phi, const double *w, size_t n,
		   double *phase_last, double *rate);
#endif
