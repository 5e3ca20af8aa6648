/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the lib suites that draw their own pixel noise: a fixed xorshift64 generator and a
 * Box-Muller normal from it, so that a suite's exact expected values do not depend on libc. */
#ifndef OGATE_TEST_XORSHIFT_GAUSS_H
#define OGATE_TEST_XORSHIFT_GAUSS_H
#include <math.h>
#include <stdint.h>

/* one N(0, 1) draw from the generator state *rng (two steps of it) */
static inline double xorshift_gauss(uint64_t *rng)
{
	double u[2];
	for (int k = 0; k < 2; k++) {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		u[k] = ((*rng >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}
#endif
