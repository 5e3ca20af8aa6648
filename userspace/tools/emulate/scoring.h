/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ogate-emulate's scoring against ground truth: when a trigger fires (--score), its error
 * against the true occurrence of its target phase, and the error figures of summary.json. */
#ifndef OGATE_SCORING_H
#define OGATE_SCORING_H
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "ogate/analysis.h"

/* y at x, linear between the samples of increasing x, extrapolated by the end segments */
static inline double interp(const double *x, const double *y, int n, double xq)
{
	if (xq <= x[0])
		return y[0] + (n > 1 ? (xq - x[0]) * (y[1] - y[0]) / (x[1] - x[0]) : 0);
	if (xq >= x[n - 1])
		return y[n - 1] +
		       (n > 1 ? (xq - x[n - 1]) * (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]) : 0);
	int lo = 0, hi = n - 1;
	while (hi - lo > 1) {
		int m = (lo + hi) / 2;
		if (x[m] <= xq)
			lo = m;
		else
			hi = m;
	}
	return y[lo] + (xq - x[lo]) * (y[hi] - y[lo]) / (x[hi] - x[lo]);
}

/* y at fractional index x (linear between samples) */
static inline double interp_idx(const double *y, int n, double x)
{
	int i = (int)floor(x);
	if (i < 0)
		i = 0;
	if (i > n - 2)
		i = n - 2;
	return y[i] + (x - i) * (y[i + 1] - y[i]);
}

/* When a trigger requested for time_ns, decided on the frame of decided_ns, fires (--score
 * fired, the default): no earlier than the frame's timestamp plus the latency budget
 * (prediction.latency_s, the time the instrument needs from a frame's timestamp to a trigger it
 * can still honour). A time requested closer than that (a "panic" commit sent for its forecast,
 * trigger.panic_at_latency = 0) is scored where the chain can fire it at the latest it promises:
 * a chain faster than its budget fires it earlier, and a sink with a lateness bound (ogated's
 * output.late_us) refuses it instead. --score requested: at the time requested, as before. */
static inline int64_t score_fire_ns(int64_t time_ns, int64_t decided_ns, double latency_s, int fired)
{
	int64_t at = decided_ns + llround(latency_s * 1e9);
	return fired && time_ns < at ? at : time_ns;
}

/* A trigger at T (s) aimed at the reference position u (stream frames, fractional) against the
 * truth (tr_t, tr_psi: ntr frames, fidx their indices): T minus the nearest time the true phase
 * passes u's; *phase_err the true phase at T minus u's, *period the true period there. */
static inline double score_truth_error(const double *tr_t, const double *tr_psi, const double *fidx,
				       int ntr, double u, double T, double *phase_err, double *period)
{
	double psi_target = ogate_wrap_2pi(interp(fidx, tr_psi, ntr, u));
	double psi_at = interp(tr_t, tr_psi, ntr, T);
	double goal = psi_target + 2 * M_PI * round((psi_at - psi_target) / (2 * M_PI));
	double tstar = interp(tr_psi, tr_t, ntr, goal); /* psi is monotone */
	double rate =
		(interp(tr_t, tr_psi, ntr, tstar + 1e-3) - interp(tr_t, tr_psi, ntr, tstar - 1e-3)) /
		2e-3;
	*phase_err = ogate_wrap_pi(psi_at - psi_target);
	*period = 2 * M_PI / rate;
	return T - tstar;
}

/* error figures over triggers (s) */
struct score_acc {
	int n, beyond; /* beyond: more than 10 % of the true period off */
	double sum, sq, max_abs;
};

static inline void score_add(struct score_acc *a, double e, double period)
{
	a->n++;
	a->sum += e;
	a->sq += e * e;
	if (fabs(e) > a->max_abs)
		a->max_abs = fabs(e);
	if (fabs(e) > 0.1 * period)
		a->beyond++;
}

/* summary.json's member name (with its leading ",\n"): n, mean, RMS, worst, beyond 10 % */
static inline void score_json(FILE *f, const char *name, const struct score_acc *a)
{
	fprintf(f,
		",\n  \"%s\": {\"n\": %d, \"mean_ms\": %.4f, \"rms_ms\": %.4f, \"max_abs_ms\": %.4f, "
		"\"beyond_10pct_period\": %d, \"share_beyond_10pct_period\": %.5f}",
		name, a->n, a->n ? a->sum / a->n * 1e3 : 0.0, a->n ? sqrt(a->sq / a->n) * 1e3 : 0.0,
		a->max_abs * 1e3, a->beyond, a->n ? (double)a->beyond / a->n : 0.0);
}
#endif
