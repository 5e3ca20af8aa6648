// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ogate/analysis.h"
#include "ogate/oga.h"
#include "frame_private.h"
#include "ogate/sad.h"

double ogate_frame_dot(const struct ogate_frame *a, const struct ogate_frame *b)
{
	uint64_t sum = 0;
	for (int y = 0; y < a->height; y++) {
		if (a->fmt == OGATE_PIX_U8) {
			static const struct ogate_sad *be;
			if (!be)
				be = ogate_sad_best();
			return (double)ogate_sad_dot_u8(be, a->pixels, a->stride, b->pixels,
							b->stride, a->width, a->height);
		} else {
			const uint16_t *p = ogate_frame_row(a, y), *q = ogate_frame_row(b, y);
			for (int x = 0; x < a->width; x++)
				sum += (uint64_t)p[x] * q[x];
		}
	}
	return (double)sum;
}

/* resampled frame k = (1 - f) R[i0] + f R[(i0 + 1) mod L], x = k P / Q from padded index 0 */
static void weights(double P, int L, int Q, int k, int *i0, int *i1, double *f)
{
	double x = k * P / Q;
	int i = (int)floor(x);
	*f = x - i;
	*i0 = i % L;
	*i1 = (i + 1) % L;
}

static double self_dot(const double *adj, int L, int i, int j)
{
	if (i == j)
		return adj[i];
	if ((i + 1) % L == j)
		return adj[L + i];
	return adj[L + j]; /* j + 1 == i */
}

void ogate_oga_scores(const double *hab, int La, int Lb, double Pa, double Pb, const double *ha_adj,
		      const double *hb_adj, int Q, double *score)
{
	double na = 0, nb = 0;
	int *a0 = malloc(sizeof(int) * 4 * (size_t)Q), *a1 = a0 + Q, *b0 = a0 + 2 * Q,
	    *b1 = a0 + 3 * Q;
	double *fa = malloc(sizeof(double) * 2 * (size_t)Q), *fb = fa + Q;
	for (int k = 0; k < Q; k++) {
		weights(Pa, La, Q, k, &a0[k], &a1[k], &fa[k]);
		weights(Pb, Lb, Q, k, &b0[k], &b1[k], &fb[k]);
		double u = 1 - fa[k], v = fa[k];
		na += u * u * self_dot(ha_adj, La, a0[k], a0[k]) +
		      2 * u * v * self_dot(ha_adj, La, a0[k], a1[k]) +
		      v * v * self_dot(ha_adj, La, a1[k], a1[k]);
		u = 1 - fb[k];
		v = fb[k];
		nb += u * u * self_dot(hb_adj, Lb, b0[k], b0[k]) +
		      2 * u * v * self_dot(hb_adj, Lb, b0[k], b1[k]) +
		      v * v * self_dot(hb_adj, Lb, b1[k], b1[k]);
	}
	for (int r = 0; r < Q; r++) {
		double c = 0;
		for (int k = 0; k < Q; k++) {
			int m = (k + r) % Q;
			double ua = 1 - fa[k], va = fa[k], ub = 1 - fb[m], vb = fb[m];
			c += ua * ub * hab[a0[k] * Lb + b0[m]] + ua * vb * hab[a0[k] * Lb + b1[m]] +
			     va * ub * hab[a1[k] * Lb + b0[m]] + va * vb * hab[a1[k] * Lb + b1[m]];
		}
		score[r] = na + nb - 2 * c;
	}
	free(a0);
	free(fa);
}

void ogate_oga_min_score(const double *score, int Q, double *pos, double *minval)
{
	int b = 0;
	for (int r = 1; r < Q; r++)
		if (score[r] < score[b])
			b = r;
	struct ogate_vfit v = ogate_vfit(score[(b - 1 + Q) % Q], score[b], score[(b + 1) % Q]);
	double p = fmod(b + v.x, Q);
	*pos = p < 0 ? p + Q : p;
	*minval = v.y < 0 ? 0.1 : v.y;
}

/* weighted least squares: minimise sum w (x_j - x_i - s)^2 + w0 x_0^2 (Gaussian elimination) */
static int wls(int n, const struct ogate_oga_shift *sh, const int *use, int nsh, double floor_score,
	       double *x)
{
	double *A = calloc((size_t)n * (n + 1), sizeof(double));
	if (!A)
		return -ENOMEM;
#define M(r, c) A[(r) * (n + 1) + (c)]
	double wmax = 0;
	for (int e = 0; e < nsh; e++) {
		if (!use[e])
			continue;
		double w = 1.0 / fmax(sh[e].score, floor_score);
		wmax = fmax(wmax, w);
		int i = sh[e].i, j = sh[e].j;
		M(i, i) += w;
		M(j, j) += w;
		M(i, j) -= w;
		M(j, i) -= w;
		M(j, n) += w * sh[e].shift;
		M(i, n) -= w * sh[e].shift;
	}
	M(0, 0) += wmax > 0 ? wmax : 1; /* x_0 = 0 */
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(M(r, c)) > fabs(M(p, c)))
				p = r;
		if (M(p, c) == 0) { /* not connected: leave at 0 */
			continue;
		}
		if (p != c)
			for (int k = 0; k <= n; k++) {
				double t = M(c, k);
				M(c, k) = M(p, k);
				M(p, k) = t;
			}
		for (int r = 0; r < n; r++) {
			if (r == c || M(r, c) == 0)
				continue;
			double f = M(r, c) / M(c, c);
			for (int k = c; k <= n; k++)
				M(r, k) -= f * M(c, k);
		}
	}
	for (int r = 0; r < n; r++)
		x[r] = M(r, r) != 0 ? M(r, n) / M(r, r) : 0;
#undef M
	free(A);
	return 0;
}

int ogate_oga_solve(int n, const struct ogate_oga_shift *sh, int nsh, int Q, double *x)
{
	if (n < 1 || Q < 3)
		return -EINVAL;
	if (n == 1) {
		x[0] = 0;
		return 0;
	}
	double smax = 0;
	for (int e = 0; e < nsh; e++)
		smax = fmax(smax, sh[e].score);
	double floor_score = fmax(smax * 1e-9, 1e-300);
	int *use = calloc((size_t)nsh + 1, sizeof(int));
	struct ogate_oga_shift *s2 = malloc(sizeof(*s2) * ((size_t)nsh + 1));
	if (!use || !s2) {
		free(use);
		free(s2);
		return -ENOMEM;
	}
	memcpy(s2, sh, sizeof(*s2) * (size_t)nsh);
	for (int e = 0; e < nsh; e++)
		use[e] = s2[e].j == s2[e].i + 1;
	int rc = wls(n, s2, use, nsh, floor_score, x);
	if (!rc) {
		for (int e = 0; e < nsh; e++) {
			if (s2[e].j == s2[e].i + 1) {
				use[e] = 1;
				continue;
			}
			/* offsets accumulate beyond Q: move the shift by whole cycles to the current
			 * solution (OGA's single +-Q step when it is off by 3Q/4..5Q/4), and drop it if
			 * it still disagrees by more than Q/4 */
			double d = s2[e].shift - (x[s2[e].j] - x[s2[e].i]);
			double cycles = round(d / Q);
			s2[e].shift -= cycles * Q;
			use[e] = fabs(d - cycles * Q) <= 0.25 * Q;
		}
		rc = wls(n, s2, use, nsh, floor_score, x);
	}
	free(use);
	free(s2);
	return rc;
}

double ogate_oga_target(double target0, double P0, double x_new, double P_new, int Q)
{
	double tq = Q * target0 / P0;
	double xm = fmod(x_new, Q);
	if (xm < 0)
		xm += Q;
	double t = fmod(tq + xm, Q) / Q * P_new;
	t = fmod(t, P_new);
	return t < 0 ? t + P_new : t;
}
