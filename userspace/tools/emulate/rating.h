/* SPDX-License-Identifier: MIT */
/* Whether a trigger-time error is good for gating: its RMS as a share of the heart cycle (the heart
 * barely moves within 1 % of its cycle, 3.6 degrees; beyond 5 %, 18 degrees, gated images of a
 * beating heart visibly differ). */
#ifndef OGATE_RATING_H
#define OGATE_RATING_H
#include <math.h>
#include <stdio.h>

#define RATING_GOOD_SHARE 0.01
#define RATING_FAIR_SHARE 0.05

static inline const char *rating_word(double rms_s, double cycle_s)
{
	double share = rms_s / cycle_s;
	if (!isfinite(share))
		return "unknown";
	return share <= RATING_GOOD_SHARE ? "good" : share <= RATING_FAIR_SHARE ? "fair" : "poor";
}

/* "RMS 0.58 ms = 0.50 deg of the 420 ms heart cycle: good (good <= 3.6 deg, fair <= 18 deg)" */
static inline void rating_text(char *b, size_t bl, double rms_s, double cycle_s)
{
	snprintf(b, bl, "RMS %.2f ms = %.2f deg of the %.0f ms heart cycle: %s (good <= %.1f deg, fair <= %.0f deg)",
		 rms_s * 1e3, rms_s / cycle_s * 360, cycle_s * 1e3, rating_word(rms_s, cycle_s), RATING_GOOD_SHARE * 360,
		 RATING_FAIR_SHARE * 360);
}
#endif
