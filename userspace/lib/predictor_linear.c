// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Linear predictor: ordinary least-squares line through (t, unwrapped phase). */
#include <errno.h>
#include <stdlib.h>
#include "predictor_private.h"

static struct ogate_predictor *linear_new(void)
{
	struct ogate_predictor *p = calloc(1, sizeof(*p));
	if (p)
		p->ops = &ogate_predictor_linear_ops;
	return p;
}

static void linear_free(struct ogate_predictor *p)
{
	free(p);
}

static int linear_predict(struct ogate_predictor *p, const double *t, const double *phi,
			  const double *w, size_t n, double target, struct ogate_prediction *out)
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
	double beta = sxy / sxx;
	out->rate = beta;
	out->phase_now = pm + beta * (t[n - 1] - tm);
	return ogate_forecast_wait(out->phase_now, beta, target, &out->wait_s);
}

const struct ogate_predictor_ops ogate_predictor_linear_ops = {
	.name = "linear",
	.new = linear_new,
	.free = linear_free,
	.predict = linear_predict,
};
