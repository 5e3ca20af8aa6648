/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Whether a trigger-time error is good for gating: its RMS as a share of the heart cycle (the heart
 * barely moves within 1 % of its cycle, 3.6 degrees; beyond 5 %, 18 degrees, gated images of a
 * beating heart visibly differ). */
#ifndef OGATE_RATING_H
#define OGATE_RATING_H
#include <math.h>
#include <stdio.h>
#include <string.h>

#define RATING_GOOD_SHARE 0.01
#define RATING_FAIR_SHARE 0.05

struct rating {
	const char *from; /* "truth" or "live_check"; NULL: nothing to rate */
	int n;
	double rms_s, mean_s, cycle_s;
	char text[200]; /* "RMS 0.58 ms = 0.50 deg of the 420 ms heart cycle: good (...)" */
	char note[300]; /* the histogram's caption: counts and mean, then text */
};

static inline const char *rating_word(double rms_s, double cycle_s)
{
	double share = rms_s / cycle_s;
	if (!isfinite(share))
		return "unknown";
	return share <= RATING_GOOD_SHARE ? "good" : share <= RATING_FAIR_SHARE ? "fair" : "poor";
}

/* rate n errors (their sum and sum of squares, s) over a heart cycle of cycle_s */
static inline void rating_make(struct rating *r, const char *from, int n, double sum, double sumsq,
			       double cycle_s)
{
	int truth = !strcmp(from, "truth");
	r->from = from, r->n = n, r->rms_s = sqrt(sumsq / n), r->mean_s = sum / n, r->cycle_s = cycle_s;
	snprintf(r->text, sizeof(r->text),
		 "RMS %.2f ms = %.2f deg of the %.0f ms heart cycle: %s (good <= %.1f deg, "
		 "fair <= %.0f deg)",
		 r->rms_s * 1e3, r->rms_s / cycle_s * 360, cycle_s * 1e3,
		 rating_word(r->rms_s, cycle_s), RATING_GOOD_SHARE * 360, RATING_FAIR_SHARE * 360);
	snprintf(r->note, sizeof(r->note), "%s%d triggers, mean %+.2f ms (positive = late)\n%s",
		 truth ? "" : "live check, no ground truth: ", n, r->mean_s * 1e3, r->text);
}

/* the summary.json member (with its leading ",\n"), nothing when there is no rating */
static inline void rating_json(FILE *f, const struct rating *r)
{
	if (r->from)
		fprintf(f,
			",\n  \"rating\": {\"from\": \"%s\", \"rms_ms\": %.4f, \"rms_deg\": %.4f, \"cycle_ms\": %.3f, "
			"\"verdict\": \"%s\"}",
			r->from, r->rms_s * 1e3, r->rms_s / r->cycle_s * 360, r->cycle_s * 1e3,
			rating_word(r->rms_s, r->cycle_s));
}

/* the line on standard error */
static inline void rating_print(FILE *f, const char *prog, const struct rating *r)
{
	if (r->from)
		fprintf(f, "%s: %s: mean %+.2f ms (positive = late), %s\n", prog,
			strcmp(r->from, "truth") ? "live check (no ground truth)"
						 : "trigger error against ground truth",
			r->mean_s * 1e3, r->text);
}
#endif
