// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <string.h>
#include "predictor_private.h"

static const struct ogate_predictor_ops *const predictors[] = { &ogate_predictor_linear_ops,
								&ogate_predictor_kalman_ops,
								&ogate_predictor_kalman_acc_ops };

int ogate_predictor_new(struct ogate_predictor **out, const char *name)
{
	for (size_t i = 0; i < sizeof(predictors) / sizeof(predictors[0]); i++)
		if (!name || !strcmp(name, predictors[i]->name)) {
			struct ogate_predictor *p = predictors[i]->new ();

			if (!p)
				return -ENOMEM;
			*out = p;
			return 0;
		}
	return -ENOENT;
}

void ogate_predictor_free(struct ogate_predictor *p)
{
	if (p)
		p->ops->free(p);
}
const char *ogate_predictor_name(const struct ogate_predictor *p)
{
	return p->ops->name;
}
void ogate_predictor_reset(struct ogate_predictor *p)
{
	if (p->ops->reset)
		p->ops->reset(p);
}

void ogate_predictor_configure(struct ogate_predictor *p, double rate_noise, double phase_noise_frames)
{
	if (p->ops->configure)
		p->ops->configure(p, rate_noise, phase_noise_frames);
}

void ogate_predictor_expect_rate(struct ogate_predictor *p, double rate, double rel_sd)
{
	if (p->ops->expect_rate && rate > 0 && rel_sd > 0)
		p->ops->expect_rate(p, rate, rel_sd);
}

void ogate_predictor_frame(struct ogate_predictor *p, uint64_t sequence)
{
	if (p->ops->frame)
		p->ops->frame(p, sequence);
}

void ogate_predictor_observe(struct ogate_predictor *p, double t_s, double phase, double noise_scale)
{
	if (p->ops->observe)
		p->ops->observe(p, t_s, phase, noise_scale > 1 ? noise_scale : 1);
}

int ogate_predictor_predict(struct ogate_predictor *p, const double *t_s, const double *phase,
			    size_t n, double target_phase, struct ogate_prediction *out)
{
	return p->ops->predict(p, t_s, phase, NULL, n, target_phase, out);
}

int ogate_predictor_predict_weighted(struct ogate_predictor *p, const double *t_s,
				     const double *phase, const double *weight, size_t n,
				     double target_phase, struct ogate_prediction *out)
{
	return p->ops->predict(p, t_s, phase, weight, n, target_phase, out);
}

int ogate_fit_line(const double *t, const double *phi, const double *w, size_t n,
		   double *phase_last, double *rate)
{
	if (n < 2)
		return -EINVAL;
	/* centre both axes for numerical stability (weighted means) */
	double tm = 0, pm = 0, sw = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1;
		tm += wi * t[i];
		pm += wi * phi[i];
		sw += wi;
	}
	if (!(sw > 0))
		return -EINVAL;
	tm /= sw;
	pm /= sw;
	double sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		double dt = t[i] - tm, wi = w ? w[i] : 1;
		sxx += wi * dt * dt;
		sxy += wi * dt * (phi[i] - pm);
	}
	if (!(sxx > 0))
		return -EINVAL;
	*rate = sxy / sxx;
	*phase_last = pm + *rate * (t[n - 1] - tm);
	return 0;
}

int ogate_forecast_wait(double phi_now, double rate, double target_phase, double *wait_s)
{
	if (!(rate > 0) || !isfinite(phi_now))
		return -ERANGE;
	double m = floor(phi_now / (2 * M_PI));
	double d = target_phase + 2 * M_PI * m - phi_now;
	while (d < 0)
		d += 2 * M_PI;
	*wait_s = d / rate;
	return 0;
}
