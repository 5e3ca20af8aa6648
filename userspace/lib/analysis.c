// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Pure analysis primitives: V fit, period scan, sub-frame phase, target/barrier. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ogate/analysis.h"

struct ogate_vfit ogate_vfit(double y1, double y2, double y3)
{
	struct ogate_vfit r = { 0.0, y2 };
	if (y1 > y3) {
		double den = y1 - y2;
		if (den == 0.0)
			return r;
		r.x = 0.5 * (y1 - y3) / den;
		r.y = y2 - r.x * den;
	} else {
		double den = y3 - y2;
		if (den == 0.0)
			return r;
		r.x = 0.5 * (y1 - y3) / den;
		r.y = y2 + r.x * den;
	}
	return r;
}

double ogate_wrap_pi(double x)
{
	double r = fmod(x + M_PI, 2 * M_PI);
	if (r <= 0)
		r += 2 * M_PI;
	return r - M_PI;
}

double ogate_wrap_2pi(double x)
{
	double r = fmod(x, 2 * M_PI);
	if (r < 0)
		r += 2 * M_PI;
	if (r >= 2 * M_PI)
		r = 0;
	return r;
}

double ogate_period_scan(const double *diffs, size_t n, int min_period, double lower, double upper)
{
	if (n < 2)
		return -1;
	double s = diffs[n - 1];
	double mn = s, mx = s, min_since_max = s;
	size_t d_min = 0;
	int stage = 1, got = 0;
	for (size_t d = (size_t)(min_period > 0 ? min_period : 1); d <= n; d++) {
		s = diffs[n - d];
		double lo = mn + (mx - mn) * lower, hi = mn + (mx - mn) * upper;
		if (s < lo && stage == 1)
			stage = 2;
		if (s > hi && stage == 2) {
			got = 1;
			break;
		}
		if (s > mx) {
			mx = s;
			min_since_max = s;
			d_min = d;
			stage = 1;
		} else if (s != 0 && (mn == 0 || s < mn)) {
			mn = s;
		}
		if (s < min_since_max) {
			min_since_max = s;
			d_min = d;
		}
	}
	if (!got)
		return -1;
	size_t e = n - d_min;
	double x = 0;
	if (e >= 1 && e + 1 < n)
		x = ogate_vfit(diffs[e - 1], diffs[e], diffs[e + 1]).x;
	/* At the first lag scanned the lag before it may be lower (it was never compared), and a
	 * nearly flat far side then sends the V fit anywhere, even below 0: a valley can be placed
	 * at most one lag beyond the discrete minimum. */
	if (x > 1)
		x = 1;
	else if (x < -1)
		x = -1;
	return (double)d_min - x;
}

static size_t subframe_argmin(const double *S, size_t L)
{
	size_t b = OGATE_NE;
	for (size_t j = OGATE_NE + 1; j + OGATE_NE < L; j++)
		if (S[j] < S[b])
			b = j;
	/* follow the valley into the padding if that is where it bottoms out */
	while (b > 0 && S[b - 1] < S[b])
		b--;
	while (b + 1 < L && S[b + 1] < S[b])
		b++;
	return b;
}

double ogate_subframe_phase(const double *S, size_t L, double P, size_t *b_out)
{
	size_t b = subframe_argmin(S, L);
	double x = 0;
	if (b >= 1 && b + 1 < L)
		x = ogate_vfit(S[b - 1], S[b], S[b + 1]).x;
	if (b_out)
		*b_out = b;
	double u = (double)b - OGATE_NE + x;
	return ogate_wrap_2pi(2 * M_PI * u / P);
}

double ogate_step_offset(double y1, double y2, double y3, double step_lo, double step_hi)
{
	if (!(step_lo > 0) || !(step_hi > 0))
		return ogate_vfit(y1, y2, y3).x;
	double xh = 0.5 * (1 - (y3 - y2) / step_hi), xl = 0.5 * ((y1 - y2) / step_lo - 1);
	xh = xh < 0 ? 0 : xh > 0.5 ? 0.5 : xh;
	xl = xl > 0 ? 0 : xl < -0.5 ? -0.5 : xl;
	return xh + xl;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_d);
	return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double ogate_reference_steps(const double *adj, const double *skip, size_t L, double *step,
			     double *scratch)
{
	if (L < 2)
		return 0;
	double fl = 0;
	if (L >= 3) {
		for (size_t j = 0; j + 2 < L; j++)
			scratch[j] = adj[j] + adj[j + 1] - skip[j];
		fl = median_of(scratch, L - 2);
		if (fl < 0)
			fl = 0;
	}
	for (size_t j = 0; j + 1 < L; j++)
		scratch[j] = adj[j] - fl;
	double med = median_of(scratch, L - 1), lo = 1e-3 * (med > 0 ? med : 1);
	for (size_t j = 0; j + 1 < L; j++)
		step[j] = adj[j] - fl > lo ? adj[j] - fl : lo;
	return fl;
}

double ogate_subframe_phase_steps(const double *S, size_t L, double P, const double *steps, size_t *b_out)
{
	size_t b = subframe_argmin(S, L);
	double x = 0;
	if (b >= 1 && b + 1 < L)
		x = ogate_step_offset(S[b - 1], S[b], S[b + 1], steps[b - 1], steps[b]);
	if (b_out)
		*b_out = b;
	return ogate_wrap_2pi(2 * M_PI * ((double)b - OGATE_NE + x) / P);
}

void ogate_reference_positions(const int64_t *t_ns, size_t L, double *pos)
{
	double ivl = L > 1 ? (double)(t_ns[L - 1] - t_ns[0]) / (double)(L - 1) : 0;
	for (size_t j = 0; j < L; j++)
		pos[j] = ivl > 0 && L > OGATE_NE ? (double)(t_ns[j] - t_ns[OGATE_NE]) / ivl
						 : (double)j - OGATE_NE;
}

double ogate_ref_position(const double *pos, size_t L, double y)
{
	if (L < 2)
		return y - OGATE_NE;
	double fl = floor(y);
	size_t i = fl < 0 ? 0 : fl > (double)(L - 2) ? L - 2 : (size_t)fl;
	return pos[i] + (y - (double)i) * (pos[i + 1] - pos[i]);
}

double ogate_ref_index(const double *pos, size_t L, double w)
{
	if (L < 2)
		return w + OGATE_NE;
	size_t i = 0;
	while (i + 2 < L && pos[i + 1] <= w)
		i++;
	double d = pos[i + 1] - pos[i];
	double y = (double)i + (d > 0 ? (w - pos[i]) / d : 0);
	return y < 0 ? 0 : y > (double)(L - 1) ? (double)(L - 1) : y;
}

void ogate_target_barrier(const double *delta, size_t N, double P, double *target_u, int *barrier)
{
	size_t imax = 0, imin = 0;
	for (size_t i = 1; i < N; i++) {
		if (delta[i] > delta[imax])
			imax = i;
		if (delta[i] < delta[imin])
			imin = i;
	}
	double t = 0;
	if (imax != 0 && imax != N - 1)
		t = (double)imax + ogate_vfit(-delta[imax - 1], -delta[imax], -delta[imax + 1]).x;
	t = fmod(t + P / 3.0, P);
	if (t < 0)
		t += P;
	*target_u = t;

	double thr = (delta[imin] + delta[imax]) / 2;
	size_t fl = (size_t)floor(P);
	size_t b = imin;
	if (fl > 0) {
		while (delta[b] < thr) {
			b = (b + 1) % fl;
			if (b == imin)
				break;
		}
	}
	*barrier = (int)b;
}

int ogate_frames_since_barrier(double u, double barrier, double P)
{
	double d = fmod(u - barrier, P);
	if (d < 0)
		d += P;
	return (int)floor(d) + 1;
}

int ogate_fit_min_frames(double d)
{
	if (!(d >= 0))
		d = 0;
	for (int n = 2; n < 1000; n++) {
		double c = d + 0.5 * (n - 1), sxx = n * ((double)n * n - 1) / 12.0;
		if (1.0 / n + c * c / sxx <= 1.0)
			return n;
	}
	return 1000;
}

enum ogate_trigger_reason ogate_trigger_decide(double t, double *wait, double frame_interval_s,
					       double period_s, double latency_s,
					       double next_frame_factor, double *recent_trigger)
{
	enum ogate_trigger_reason r;
	if (*recent_trigger >= t - period_s / 2) {
		*wait += period_s;
		return OGATE_TRIGGER_SAME_BEAT;
	}
	if (*wait < latency_s)
		r = OGATE_TRIGGER_PANIC;
	else if (*wait - next_frame_factor * frame_interval_s < latency_s)
		r = OGATE_TRIGGER_STANDARD;
	else
		return OGATE_TRIGGER_NONE;
	*recent_trigger = t + *wait;
	return r;
}
