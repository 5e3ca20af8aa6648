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
	if (ogate_fit_line(t, phi, w, n, &out->phase_now, &out->rate))
		return -EINVAL;
	return ogate_forecast_wait(out->phase_now, out->rate, target, &out->wait_s);
}

const struct ogate_predictor_ops ogate_predictor_linear_ops = {
	.name = "linear",
	.new = linear_new,
	.free = linear_free,
	.predict = linear_predict,
};
