// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Sub-frame offset of the SAD minimum through the reference's own SAD curve
 * (sync.subframe = curve).
 *
 * The V fit assumes that the SAD grows linearly and equally fast either side of the minimum.
 * Neither holds: a change smaller than the noise adds to the SAD quadratically, not linearly
 * (E|a + n| - E|n| ~ a^2 for |a| << sigma; at 8-bit noise 4 the floor of two frames at the same
 * phase is 5-10 times the SAD one frame's motion adds), a change beyond the image's features
 * saturates, and the image changes at different speeds either side of a frame. So the V fit's
 * offset is a distorted function of the true one: a frame truly 0.2 frame past b can be put
 * 0.09 frame before it. The reference measures that distortion itself: the SAD between its
 * frames b and b-2, b-1, b+1, b+2 is what a new frame at the phase of b has against them (both
 * are noisy frames of the same heart), less the noise floor. Each side of b is modelled as
 *     C(d) = e1 |d|^g,  g = log2(e2 / e1)
 * through the excess e1 at one frame and e2 at two, the V fit V(t) of a frame at offset t in
 * [-1/2, 1/2] on that model (model_vfit) rises with t, and the offset returned is the t whose
 * V(t) equals the frame's own V fit. A power of 1 with equal sides gives V(t) = t, the V fit
 * itself. The frame's SADs against b and the neighbour on its side come from the side it is in
 * (the interval between them), so a tie with a neighbour is half-way in b's model and in the
 * neighbour's: the position rises with the true one also where the least SAD moves on. (Taking
 * the SAD against b from the curve centred on the frame, C(-t), took it from the side away from
 * the frame: ties went up to a frame from half-way, a frame truly 0.50 past reference frame 1 was
 * put at 1.95 and one 0.51 past at 1.08 where the SAD saturates at 7.5 frames a beat;
 * docs/accuracy-log.md, "A monotone curve".) The exponent is bounded to [1, 2]. Above by 2: a per-pixel excess E|a + n| - E|n|
 * grows at most quadratically (its curvature falls with |a|), so doubling the distance at most
 * quadruples it. Below by 1: where the SAD saturates (g < 1, the image changes beyond its
 * features within a frame, where the heart moves fastest) the model's V fit rises more slowly
 * than the offset (V(t) ~ g t next to b), so inverting it would multiply the frame's noise by
 * about 1/g exactly where the prediction weighs frames most, to remove a bias that is a fixed
 * function of the position, which the position calibration (sync_calib.c) removes anyway; a
 * saturating side is taken as linear.
 */
#include <math.h>
#include "ogate/analysis.h"
#include "subframe.h"

struct side {
	double e1, e2, g;
};

static int side_init(struct side *sd, double e1, double e2)
{
	if (!(e1 > 0))
		return -1;
	double g = e2 > e1 ? log2(e2 / e1) : 0;
	sd->g = g < 1 ? 1 : g > 2 ? 2 : g;
	sd->e1 = e1;
	sd->e2 = e1 * pow(2, sd->g);
	return 0;
}

/* the model's excess SAD at signed distance d (frames) from b */
static double excess(const struct side *m, const struct side *p, double d)
{
	const struct side *sd = d < 0 ? m : p;
	double a = fabs(d);
	return a <= 1 ? sd->e1 * pow(a, sd->g) : sd->e2 * pow(a / 2, sd->g);
}

/*
 * The excess over a path a whole frame of side `far` (the interval beyond b) plus a fraction f of
 * side `near` (the interval the frame is in), on far's curve: that curve is e1 l^g in a length l
 * of the image's change, a frame of far is l = 1 and the fraction of near is f (e1n / e1)^(1/g),
 * the length in which far's curve reaches near's excess.
 */
static double path_excess(const struct side *far, const struct side *near, double f)
{
	double l = 1 + f * pow(near->e1 / far->e1, 1 / far->g);
	return far->e1 * pow(l, far->g);
}

/*
 * The V fit's offset on the model's SADs of a frame at offset t in [-1/2, 1/2]. Its SADs against
 * b and the neighbour on its side measure the image's change within the interval it is in, on
 * that side's curve: for t > 0 P(t) against b and P(1 - t) against b + 1 (P, M: the sides after
 * and before b). So a frame at +1/2 has the same SAD against b and b + 1: the model's tie with a
 * neighbour is half-way, where the V fit's (+-1/2) is and where b + 1's model (its side towards
 * b is the same interval) puts it too. Its SAD against the far neighbour b - 1 spans M's whole
 * frame and t of P's (path_excess), not M(1 + t): where the image changes much faster after b
 * than before, M(1 + t) fell below P(t), the model's least SAD left b and its V fit ran to -1/2,
 * a step that put a range of true positions at one. Clamped to the V fit's own range [-1/2, 1/2].
 */
static double model_vfit(const struct side *m, const struct side *p, double t)
{
	if (t >= 0.5)
		return 0.5;
	if (t <= -0.5)
		return -0.5;
	double s0, s1, s2;
	if (t >= 0) {
		s0 = path_excess(m, p, t);
		s1 = excess(m, p, t);
		s2 = excess(m, p, 1 - t);
	} else {
		s0 = excess(m, p, -1 - t);
		s1 = excess(m, p, t);
		s2 = path_excess(p, m, -t);
	}
	double x = ogate_vfit(s0, s1, s2).x;
	return x < -0.5 ? -0.5 : x > 0.5 ? 0.5 : x;
}

/*
 * The t in [a, b] where f(t, ctx) = 0, f rising (regula falsi, Illinois variant); NAN where the
 * target lies beyond what f reaches on [a, b].
 */
static double illinois(double (*f)(double t, const void *ctx), const void *ctx, double a, double b)
{
	double fa = f(a, ctx), fb = f(b, ctx);
	if (fa > 0 || fb < 0)
		return NAN;
	int last = 0;
	for (int it = 0; it < 60 && b - a > 1e-9; it++) {
		double c = fb > fa ? (a * fb - b * fa) / (fb - fa) : 0.5 * (a + b);
		double fc = f(c, ctx);
		if (fc == 0)
			return c;
		if (fc < 0) {
			a = c;
			fa = fc;
			if (last < 0)
				fb /= 2;
			last = -1;
		} else {
			b = c;
			fb = fc;
			if (last > 0)
				fa /= 2;
			last = 1;
		}
	}
	return fb > fa ? (a * fb - b * fa) / (fb - fa) : 0.5 * (a + b);
}

struct curve_ctx {
	struct side m, p;
	double x;
};

static double curve_gap(double t, const void *ctx)
{
	const struct curve_ctx *c = ctx;
	return model_vfit(&c->m, &c->p, t) - c->x;
}

double ogate_curve_offset(const double s[3], const double e[4])
{
	struct curve_ctx c;
	if (side_init(&c.m, e[1], e[0]) || side_init(&c.p, e[2], e[3]))
		return NAN;
	c.x = ogate_vfit(s[0], s[1], s[2]).x;
	/* a V fit beyond +-1/2 (b not the least SAD) is outside the model: NAN; at +-1/2 up to the
	 * rounding, the end */
	if (fabs(c.x) > 0.5 + 1e-9)
		return NAN;
	c.x = c.x < -0.5 ? -0.5 : c.x > 0.5 ? 0.5 : c.x;
	return illinois(curve_gap, &c, -0.5, 0.5);
}

/*
 * sync.metric = ssd. The expected SSD of a frame against a reference frame is the image's own
 * squared change between their phases plus a noise floor that is the same for every reference
 * frame of equal noise, so its shape does not depend on the noise: where the image changes
 * smoothly the excess grows as the square of the phase distance (the parabola through three
 * SSDs has its vertex exactly at the frame), where a sharp edge moves it grows linearly. The
 * reference's own SSDs from b to b-2, b-1, b+1, b+2 show which, at their true distances (the
 * reference frames' positions, which timestamp jitter makes uneven): each side is modelled as
 * e1 (d / d1)^g, g = log(e2 / e1) / log(d2 / d1) within [1, 2], and the frame's position is the
 * one whose parabola vertex on the model (through the same uneven positions) equals its own.
 * The floor must be subtracted first, and its noise, sum n_k^2 - sum n_j^2 of two reference
 * frames, has an sd of 1/sqrt(pixels) of the floor: where the heart rests, one frame's excess is
 * a few per cent of the floor and the shape cannot be read, and the plain vertex (exact for the
 * smooth case, which is what little motion gives) is used.
 */
struct pside {
	double e1, d1, g;
};

/* one side from its excesses e1, e2 at distances d1 < d2; -1 if it cannot be used: an excess
 * within 3 sd of the noise, or growing less than linearly (saturating: outside the model) */
static int pside_init(struct pside *ps, double e1, double e2, double d1, double d2, double sd)
{
	if (!(e1 > 3 * sd) || !(d1 > 0) || !(d2 > d1) || !(e2 * d1 >= e1 * d2))
		return -1;
	double g = log(e2 / e1) / log(d2 / d1);
	ps->g = g < 1 ? 1 : g > 2 ? 2 : g;
	ps->e1 = e1;
	ps->d1 = d1;
	return 0;
}

static double pexcess(const struct pside *m, const struct pside *p, double d)
{
	const struct pside *ps = d < 0 ? m : p;
	return ps->e1 * pow(fabs(d) / ps->d1, ps->g);
}

/* the vertex of the parabola through (x0, y0), (0, y1), (x2, y2), x0 < 0 < x2; a steep finite
 * value where it has none (so that it stays monotone in the frame's position) */
static double vertex(double x0, double y0, double y1, double x2, double y2)
{
	double s0 = (y0 - y1) / x0, s2 = (y2 - y1) / x2, a = (s0 - s2) / (x0 - x2);
	if (!(a > 1e-12 * (fabs(s0) + fabs(s2)) / (x2 - x0)))
		return s0 < s2 ? 10 : s0 > s2 ? -10 : 0;
	double v = -(s0 - a * x0) / (2 * a);
	return v > 10 ? 10 : v < -10 ? -10 : v;
}

double ogate_parabola_offset(double s0, double s1, double s2)
{
	double c = s0 - 2 * s1 + s2;
	if (!(c > 0))
		return 0;
	double x = 0.5 * (s0 - s2) / c;
	return x < -0.5 ? -0.5 : x > 0.5 ? 0.5 : x;
}

struct ssd_ctx {
	struct pside m, q;
	const double *p;
	double v;
};

/* the model's parabola vertex for a frame at offset t, less the frame's own */
static double ssd_gap(double t, const void *ctx)
{
	const struct ssd_ctx *c = ctx;
	const double *p = c->p;
	return vertex(p[1], pexcess(&c->m, &c->q, p[1] - t), pexcess(&c->m, &c->q, -t), p[2],
		      pexcess(&c->m, &c->q, p[2] - t)) -
	       c->v;
}

double ogate_ssd_offset(const double s[3], const double e[4], const double p[4], double sd)
{
	struct ssd_ctx c = { .p = p };
	if (pside_init(&c.m, e[1], e[0], -p[1], -p[0], sd) ||
	    pside_init(&c.q, e[2], e[3], p[2], p[3], sd))
		return NAN;
	c.v = vertex(p[1], s[0], s[1], p[2], s[2]);
	return illinois(ssd_gap, &c, p[1], p[2]);
}

/* the slope of the quartic a1 x + a2 x^2 + a3 x^3 + a4 x^4 (a[0..3] = a1..a4) */
static double quartic_slope(double x, const void *ctx)
{
	const double *a = ctx;
	return a[0] + x * (2 * a[1] + x * (3 * a[2] + x * 4 * a[3]));
}

double ogate_quartic_offset(const double s[5])
{
	double e1 = 0.5 * (s[1] + s[3]) - s[2], e2 = 0.5 * (s[0] + s[4]) - s[2];
	double o1 = 0.5 * (s[3] - s[1]), o2 = 0.5 * (s[4] - s[0]);
	double a[4];
	a[3] = (e2 - 4 * e1) / 12;
	a[1] = e1 - a[3];
	a[2] = (o2 - 2 * o1) / 6;
	a[0] = o1 - a[2];
	if (!(quartic_slope(-1, a) < 0) || !(quartic_slope(1, a) > 0))
		return NAN; /* no minimum within a frame of the middle one */
	double x = illinois(quartic_slope, a, -1, 1);
	if (isnan(x) || !(2 * a[1] + x * (6 * a[2] + x * 12 * a[3]) > 0))
		return NAN; /* a maximum between two minima */
	return x;
}

/*
 * sync.subframe_span_z. The parabola c0 + c1 x + c2 x^2 through s[-k .. k] at x = -k .. k by
 * least squares: the abscissae are symmetric, so c1 = sum x s / sum x^2 (the odd part alone) and
 * c2 = sum (x^2 - m2) s / sum (x^2 - m2)^2, m2 the mean of x^2 (the even part alone).
 */
double ogate_span_offset(const double *s, int k)
{
	double n = 2 * k + 1, m2 = 0, sx = 0, sxx = 0, sq = 0, sqq = 0;
	for (int x = -k; x <= k; x++)
		m2 += (double)x * x / n;
	for (int x = -k; x <= k; x++) {
		double q = (double)x * x - m2;
		sx += x * s[x];
		sxx += (double)x * x;
		sq += q * s[x];
		sqq += q * q;
	}
	double c1 = sx / sxx, c2 = sq / sqq;
	if (!(c2 > 0))
		return NAN;
	double v = -c1 / (2 * c2), h = 0.5 * k;
	return v < -h ? -h : v > h ? h : v;
}

/* as ogate_span_offset without x = 0: 2k abscissae, still symmetric */
double ogate_span_bias(const double *t, int k)
{
	if (k < 2)
		return NAN;
	double n = 2 * k, m2 = 0, sx = 0, sxx = 0, sq = 0, sqq = 0;
	for (int x = 1; x <= k; x++)
		m2 += 2.0 * x * x / n;
	for (int x = -k; x <= k; x++) {
		if (!x)
			continue;
		double q = (double)x * x - m2;
		sx += x * t[x];
		sxx += (double)x * x;
		sq += q * t[x];
		sqq += q * q;
	}
	double c1 = sx / sxx, c2 = sq / sqq;
	return c2 > 0 ? -c1 / (2 * c2) : NAN;
}

/*
 * sync.subframe = hyper. The SAD of a moving blurred edge (and of any change rounded by the
 * noise, E|a + n| - E|n|) against the displacement is quadratic near its minimum and linear far
 * out: a hyperbola A sqrt((d - x)^2 + w^2) + C. The V fit (w = 0) through three SADs of such a
 * curve pushes a frame away from the nearest reference frame (truly a quarter frame past b at
 * w = 1/2, the V fit says 0.283) and the parabola (w infinite) pulls it towards it. The width is
 * read from the frame's own SADs two frames out: through b - 1, b, b + 1 each width gives one
 * hyperbola (ogate_hyper_fit), and the width taken is the one whose hyperbola passes closest to
 * the SADs against b - 2 and b + 2 (least squares over a grid of 9 widths, then golden section).
 * The reference's own curve cannot give it: its excess is measured over a noise floor that is
 * itself estimated as 2 S(1) - S(2) (ogate_reference_steps), i.e. as if the curve were a V, so its
 * excess at two frames is twice that at one by construction.
 */
struct hyper_ctx {
	double w2, R;
};

/*
 * The hyperbola's (S(-1) - S(1)) / (S(-1) + S(1) - 2 S(0)) at minimum x, less the frame's own:
 * differences of square roots as (a^2 - b^2) / (sqrt(a^2) + sqrt(b^2)), exact at any width. It
 * rises from -1 at x = -1/2 (a tie with b - 1) to 1 at +1/2 for every width.
 */
static double hyper_gap(double x, const void *ctx)
{
	const struct hyper_ctx *c = ctx;
	double hm = sqrt((1 + x) * (1 + x) + c->w2), h0 = sqrt(x * x + c->w2),
	       hp = sqrt((1 - x) * (1 - x) + c->w2);
	double num = 4 * x / (hm + hp);
	double den = (1 + 2 * x) / (hm + h0) + (1 - 2 * x) / (hp + h0);
	return num / den - c->R;
}

/*
 * The x in [-1/2, 1/2] where hyper_gap is 0 (|R| < 1): the secant from the V's answer R / (1 + |R|)
 * and the parabola's R / 2 (the two ends of the widths, the root between them), kept in the bracket
 * by bisection; 5-7 evaluations where the Illinois method took 20-60 (3-4 from a guess: the
 * answer at a nearby width, in [-1/2, 1/2]; NAN for none).
 */
static double hyper_solve(const struct hyper_ctx *c, double guess)
{
	double a = -0.5, b = 0.5;
	double x1 = c->R / (1 + fabs(c->R)), x2 = 0.5 * c->R;
	if (guess > -0.5 && guess < 0.5) { /* a nearby width's answer, and a step beside it */
		x1 = guess;
		x2 = guess + (guess < 0 ? 1e-4 : -1e-4);
	}
	double f1 = hyper_gap(x1, c), f2 = hyper_gap(x2, c);
	for (int it = 0; it < 60; it++) {
		if (f1 == 0)
			return x1;
		if (f2 == 0 || fabs(x2 - x1) < 1e-13)
			return x2;
		if (f1 < 0 && x1 > a)
			a = x1;
		if (f1 > 0 && x1 < b)
			b = x1;
		if (f2 < 0 && x2 > a)
			a = x2;
		if (f2 > 0 && x2 < b)
			b = x2;
		double x3 = f2 != f1 ? x2 - f2 * (x2 - x1) / (f2 - f1) : NAN;
		if (!(x3 > a && x3 < b))
			x3 = 0.5 * (a + b);
		x1 = x2;
		f1 = f2;
		x2 = x3;
		f2 = hyper_gap(x2, c);
	}
	return x2;
}

static double hyper_fit_from(const double s[3], double w, double guess, double *A, double *C)
{
	double c2 = s[0] + s[2] - 2 * s[1];
	if (!(c2 > 0) || s[1] > s[0] || s[1] > s[2] || !(w >= 0))
		return NAN; /* b not the least SAD */
	struct hyper_ctx c = { w * w, (s[0] - s[2]) / c2 };
	double x = c.R <= -1 ? -0.5 : c.R >= 1 ? 0.5 : hyper_solve(&c, guess);
	if (A && C) {
		double hm = sqrt((1 + x) * (1 + x) + c.w2), h0 = sqrt(x * x + c.w2),
		       hp = sqrt((1 - x) * (1 - x) + c.w2);
		*A = c2 / (hm + hp - 2 * h0);
		*C = s[1] - *A * h0;
	}
	return x;
}

double ogate_hyper_fit(const double s[3], double w, double *A, double *C)
{
	return hyper_fit_from(s, w, NAN, A, C);
}

/* the squared miss at b - 2 and b + 2 of the hyperbola of width w through s[1..3]; *x its minimum
 * (on entry: a guess, or NAN) */
static double hyper_miss(const double s[5], double w, double *x)
{
	double A, C;
	*x = hyper_fit_from(s + 1, w, *x, &A, &C);
	if (isnan(*x))
		return HUGE_VAL;
	double m = A * sqrt((2 + *x) * (2 + *x) + w * w) + C - s[0],
	       p = A * sqrt((2 - *x) * (2 - *x) + w * w) + C - s[4];
	return m * m + p * p;
}

double ogate_hyper_offset(const double s[5], double wmax, double *w_out)
{
	enum { NG = 8 };
	double best = HUGE_VAL, x = NAN, wb = 0, xx = NAN; /* each solve starts from the last */
	int kb = 0;
	for (int k = 0; k <= NG; k++) {
		double v = hyper_miss(s, wmax * k / NG, &xx);
		if (v < best) {
			best = v;
			kb = k;
			x = xx;
		}
	}
	if (isnan(x))
		return NAN;
	wb = wmax * kb / NG;
	/* golden section around the best grid point */
	double a = wmax * (kb > 0 ? kb - 1 : 0) / NG, b = wmax * (kb < NG ? kb + 1 : NG) / NG;
	const double g = 0.6180339887498949;
	double c = b - g * (b - a), d = a + g * (b - a), xc = x, xd = x;
	double fc = hyper_miss(s, c, &xc), fd = hyper_miss(s, d, &xd);
	for (int it = 0; it < 16; it++) {
		if (fc < fd) {
			b = d;
			d = c;
			fd = fc;
			xd = xc;
			c = b - g * (b - a);
			fc = hyper_miss(s, c, &xc);
		} else {
			a = c;
			c = d;
			fc = fd;
			xc = xd;
			d = a + g * (b - a);
			fd = hyper_miss(s, d, &xd);
		}
	}
	if (fc < best && fc <= fd) {
		best = fc;
		x = xc;
		wb = c;
	} else if (fd < best) {
		best = fd;
		x = xd;
		wb = d;
	}
	if (w_out)
		*w_out = wb;
	return x;
}
