// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "heart.h"

double ogate_heart_law_psi(const struct ogate_heart_law *p, double t)
{
	double f0 = 1.0 / p->period_s;
	return p->psi0 + 2 * M_PI * f0 *
				 (t + p->drift * t * t / (2 * p->t_run) +
				  (p->mod_amp * p->mod_period_s / (2 * M_PI)) *
					  (1 - cos(2 * M_PI * t / p->mod_period_s)));
}

double ogate_heart_law_freq(const struct ogate_heart_law *p, double t)
{
	return (1.0 / p->period_s) *
	       (1 + p->drift * t / p->t_run + p->mod_amp * sin(2 * M_PI * t / p->mod_period_s));
}

/* The law with its modulation starting at phase phi; phi = 0 is the functions above exactly, so
 * that streams at the default do not change by a bit. */
double ogate_heart_law_psi_at(const struct ogate_heart_law *p, double phi, double t)
{
	if (phi == 0)
		return ogate_heart_law_psi(p, t);
	struct ogate_heart_law l = *p;
	l.mod_amp = 0;
	double w = 2 * M_PI / p->mod_period_s;
	return ogate_heart_law_psi(&l, t) +
	       p->mod_amp * p->mod_period_s / p->period_s * (cos(phi) - cos(w * t + phi));
}

double ogate_heart_law_freq_at(const struct ogate_heart_law *p, double phi, double t)
{
	if (phi == 0)
		return ogate_heart_law_freq(p, t);
	struct ogate_heart_law l = *p;
	l.mod_amp = 0;
	return ogate_heart_law_freq(&l, t) +
	       p->mod_amp / p->period_s * sin(2 * M_PI * t / p->mod_period_s + phi);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(struct ogate_heart_rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

void ogate_heart_rng_seed(struct ogate_heart_rng *r, uint64_t seed)
{
	uint64_t z = seed;
	for (int i = 0; i < 4; i++) { /* splitmix64 */
		z += 0x9e3779b97f4a7c15ull;
		uint64_t x = z;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		r->s[i] = x ^ (x >> 31);
	}
	r->have_spare = 0;
}

double ogate_heart_rng_uniform(struct ogate_heart_rng *r)
{
	return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

double ogate_heart_rng_normal(struct ogate_heart_rng *r)
{
	if (r->have_spare) {
		r->have_spare = 0;
		return r->spare;
	}
	double u, v, q;
	do {
		u = 2 * ogate_heart_rng_uniform(r) - 1;
		v = 2 * ogate_heart_rng_uniform(r) - 1;
		q = u * u + v * v;
	} while (q >= 1 || q == 0);
	double m = sqrt(-2 * log(q) / q);
	r->spare = v * m;
	r->have_spare = 1;
	return u * m;
}

int ogate_heart_blob_init(struct ogate_heart_blob *b, int h, int w, uint64_t seed)
{
	b->h = h;
	b->w = w;
	b->s = (float)((h < w ? h : w) / 128.0);
	b->bg = malloc(sizeof(float) * (size_t)h * w);
	double *tex = malloc(sizeof(double) * (size_t)h * w),
	       *tmp = malloc(sizeof(double) * (size_t)h * w);
	if (!b->bg || !tex || !tmp) {
		free(tex);
		free(tmp);
		free(b->bg);
		return -ENOMEM;
	}
	struct ogate_heart_rng r;
	ogate_heart_rng_seed(&r, seed + 12345);
	for (size_t i = 0; i < (size_t)h * w; i++)
		tex[i] = ogate_heart_rng_normal(&r);
	static const double k[5] = { 1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0 };
	/* 'same' convolution with zero padding along rows, then columns */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int j = -2; j <= 2; j++)
				if (y + j >= 0 && y + j < h)
					a += k[j + 2] * tex[(size_t)(y + j) * w + x];
			tmp[(size_t)y * w + x] = a;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int j = -2; j <= 2; j++)
				if (x + j >= 0 && x + j < w)
					a += k[j + 2] * tmp[(size_t)y * w + x + j];
			tex[(size_t)y * w + x] = a;
		}
	double m = 0, v = 0;
	for (size_t i = 0; i < (size_t)h * w; i++)
		m += tex[i];
	m /= (double)h * w;
	for (size_t i = 0; i < (size_t)h * w; i++)
		v += (tex[i] - m) * (tex[i] - m);
	double sd = sqrt(v / ((double)h * w));
	for (size_t i = 0; i < (size_t)h * w; i++)
		b->bg[i] = (float)(160 + 25 * tex[i] / (sd + 1e-9));
	free(tex);
	free(tmp);
	return 0;
}

void ogate_heart_blob_free(struct ogate_heart_blob *b)
{
	free(b->bg);
	b->bg = NULL;
}

static double vm(double psi, double centre, double kappa)
{
	return exp(kappa * (cos(psi - centre) - 1.0));
}

void ogate_heart_blob_render(const struct ogate_heart_blob *b, double psi, float *out)
{
	const float s = b->s;
	double v = vm(psi, M_PI, 2.0), a = vm(psi, 0.5 * M_PI, 3.0);
	float cy = (float)(b->h / 2.0 + 1.5 * s * sin(psi)),
	      cx = (float)(b->w / 2.0 + 1.5 * s * cos(psi));
	float rv = (float)(22 * s * (1 - 0.35 * v)), ra = (float)(16 * s * (1 - 0.4 * a));
	float vy = cy + 8 * s, vx = cx + 10 * s, ay = cy - 14 * s, ax = cx - 16 * s;
	float ps = (float)(2 * psi);
	for (int y = 0; y < b->h; y++) {
		const float *bg = b->bg + (size_t)y * b->w;
		float *o = out + (size_t)y * b->w;
		float yv = (y - vy), ya = (y - ay) / 1.2f;
		for (int x = 0; x < b->w; x++) {
			float img = bg[x];
			float xv = (x - vx) / 1.25f;
			float dv = sqrtf(yv * yv + xv * xv);
			float zv = (dv - rv) / (1.2f * s);
			if (zv < 40)
				img -= 70 / (1 + expf(zv));
			float gv = (dv - rv - 2.5f * s) / (2.0f * s);
			if (gv * gv < 60)
				img += 35 * expf(-gv * gv);
			float xa = (x - ax);
			float da = sqrtf(ya * ya + xa * xa);
			float za = (da - ra) / (1.2f * s);
			if (za < 40)
				img -= 55 / (1 + expf(za));
			float ga = (da - ra - 2.0f * s) / (2.0f * s);
			if (ga * ga < 60)
				img += 25 * expf(-ga * ga);
			if (dv < rv)
				img += 10 * sinf(0.35f * x / s + 0.25f * y / s - ps);
			o[x] = img;
		}
	}
}

int ogate_heart_ref_init_real(struct ogate_heart_ref *r, int h, int w, double period_frames,
			      uint64_t seed)
{
	struct ogate_heart_blob b;
	if (ogate_heart_blob_init(&b, h, w, seed * 7919 + 17))
		return -ENOMEM;
	r->n = (int)floor(period_frames) + 5;
	r->h = h;
	r->w = w;
	r->period = period_frames;
	size_t np = (size_t)h * w;
	r->frames = malloc(sizeof(float) * np * (size_t)r->n);
	if (!r->frames) {
		ogate_heart_blob_free(&b);
		return -ENOMEM;
	}
	struct ogate_heart_rng g;
	ogate_heart_rng_seed(&g, seed * 104729 + 3);
	enum { NCELL = 12 };
	double cy[NCELL], cx[NCELL], ph[NCELL];
	for (int c = 0; c < NCELL; c++) {
		cy[c] = ogate_heart_rng_uniform(&g);
		cx[c] = ogate_heart_rng_uniform(&g);
		ph[c] = 2 * M_PI * ogate_heart_rng_uniform(&g);
	}
	for (int k = 0; k < r->n; k++) {
		float *o = r->frames + (size_t)k * np;
		double psi = 2 * M_PI * (k - 2) / period_frames;
		ogate_heart_blob_render(&b, psi - 0.55 * sin(psi - 0.3), o); /* uneven beat */
		double trend = 3.0 * k / r->n;
		for (int c = 0; c < NCELL; c++) { /* cells circulate once per beat */
			double a = psi + ph[c];
			double y0 = h * (0.3 + 0.4 * cy[c]) + 0.12 * h * sin(a),
			       x0 = w * (0.3 + 0.4 * cx[c]) + 0.12 * w * cos(a);
			double rad = 1.5 * b.s;
			int y1 = (int)floor(y0 - 3 * rad), y2 = (int)ceil(y0 + 3 * rad);
			int x1 = (int)floor(x0 - 3 * rad), x2 = (int)ceil(x0 + 3 * rad);
			for (int y = y1 < 0 ? 0 : y1; y <= y2 && y < h; y++)
				for (int x = x1 < 0 ? 0 : x1; x <= x2 && x < w; x++) {
					double d2 = ((y - y0) * (y - y0) + (x - x0) * (x - x0)) /
						    (rad * rad);
					o[(size_t)y * w + x] += (float)(30 * exp(-d2));
				}
		}
		for (size_t i = 0; i < np; i++)
			o[i] += (float)(trend + 2.0 * ogate_heart_rng_normal(&g));
	}
	ogate_heart_blob_free(&b);
	return 0;
}

void ogate_heart_ref_render(const struct ogate_heart_ref *r, double psi, float *out)
{
	double ph = fmod(psi, 2 * M_PI);
	if (ph < 0)
		ph += 2 * M_PI;
	double x = 2 + r->period * ph / (2 * M_PI);
	int i0 = (int)floor(x);
	double f = x - i0;
	if (i0 > r->n - 1)
		i0 = r->n - 1;
	int i1 = i0 + 1 < r->n ? i0 + 1 : r->n - 1;
	size_t np = (size_t)r->h * r->w;
	const float *a = r->frames + (size_t)i0 * np, *c = r->frames + (size_t)i1 * np;
	for (size_t i = 0; i < np; i++)
		out[i] = (float)((1 - f) * a[i] + f * c[i]);
}

void ogate_heart_rigid_shift(const float *in, float *out, int h, int w, double sy, double sx)
{
	if (sy == 0 && sx == 0) {
		memcpy(out, in, sizeof(float) * (size_t)h * w);
		return;
	}
	for (int y = 0; y < h; y++) {
		double yy = y - sy;
		if (yy < 0)
			yy = 0;
		if (yy > h - 1)
			yy = h - 1;
		int y0 = (int)floor(yy), y1 = y0 + 1 < h ? y0 + 1 : h - 1;
		float fy = (float)(yy - y0);
		for (int x = 0; x < w; x++) {
			double xx = x - sx;
			if (xx < 0)
				xx = 0;
			if (xx > w - 1)
				xx = w - 1;
			int x0 = (int)floor(xx), x1 = x0 + 1 < w ? x0 + 1 : w - 1;
			float fx = (float)(xx - x0);
			float top = in[(size_t)y0 * w + x0] * (1 - fx) + in[(size_t)y0 * w + x1] * fx;
			float bot = in[(size_t)y1 * w + x0] * (1 - fx) + in[(size_t)y1 * w + x1] * fx;
			out[(size_t)y * w + x] = top * (1 - fy) + bot * fy;
		}
	}
}

/* Lanczos-3 taps for a shift s: out[x] = sum_k wt[k] in[floor(x - s) - 2 + k], the same for every
 * x (the shift is rigid), normalised to sum 1 */
static void lanczos3_taps(double s, int *base, double wt[6])
{
	double xx = -s, sum = 0;
	int x0 = (int)floor(xx);
	for (int k = 0; k < 6; k++) {
		double d = xx - (x0 - 2 + k);
		wt[k] = fabs(d) < 1e-12 ? 1
			: fabs(d) >= 3
				? 0
				: 3 * sin(M_PI * d) * sin(M_PI * d / 3) / (M_PI * M_PI * d * d);
		sum += wt[k];
	}
	for (int k = 0; k < 6; k++)
		wt[k] /= sum;
	*base = x0 - 2;
}

int ogate_heart_rigid_shift_lanczos(const float *in, float *out, int h, int w, double sy, double sx)
{
	float *t = malloc(sizeof(float) * (size_t)h * w);
	if (!t)
		return -ENOMEM;
	int bx, by;
	double wx[6], wy[6];
	lanczos3_taps(sx, &bx, wx);
	lanczos3_taps(sy, &by, wy);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double acc = 0;
			for (int k = 0; k < 6; k++) {
				int j = x + bx + k;
				j = j < 0 ? 0 : j > w - 1 ? w - 1 : j;
				acc += wx[k] * in[(size_t)y * w + j];
			}
			t[(size_t)y * w + x] = (float)acc;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double acc = 0;
			for (int k = 0; k < 6; k++) {
				int j = y + by + k;
				j = j < 0 ? 0 : j > h - 1 ? h - 1 : j;
				acc += wy[k] * t[(size_t)j * w + x];
			}
			out[(size_t)y * w + x] = (float)acc;
		}
	free(t);
	return 0;
}
