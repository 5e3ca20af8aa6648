// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * blendvfit: what a SAD + V-fit matcher reads from ogate-synth's real model, without ogate
 * (issue 9, session 18, realsynth; a diagnostic, not part of the build).
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iuserspace/common/include -o blendvfit bench/eval/blendvfit.c \
 *      userspace/common/heart.c -lm
 *   blendvfit SIZE SRC_PERIOD FRAMES_A_BEAT [SEED] [NOISE] [PHI0]
 *
 * The model's source beat (SRC_PERIOD frames, ogate_heart_ref_init_real, synth seed SEED) is
 * rendered at the reference's phases phi0 + 2 pi j / N (N = FRAMES_A_BEAT, j = -3 .. N + 3) and
 * at 16 live phases per reference frame over one beat, every frame rounded to 8 bits (camera noise
 * NOISE grey levels, default 0); each live frame's least-SAD reference frame b among the seven
 * about its true position and the V fit through b - 1, b, b + 1 give its position, less the true
 * one (u = N (psi - phi0) / 2 pi), in frames and in ms of a 1 s beat (x T/N). The error is what
 * the pixels show against the truth's label: printed by the frame's offset from the reference
 * frames (eighths; what sync_calib's table can learn) and, after that per-offset mean is taken
 * away, by its offset on the source grid (quarters; what it cannot). Run it with SRC_PERIOD and
 * 10 x SRC_PERIOD (the finer source beat); the difference is the coarse grid's.
 * docs/accuracy-log.md, "The real-model rows of unseen-105".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "heart.h"

static uint64_t rs = 88172645463325252ull;

static double gauss(void)
{
	double u1, u2;
	rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
	u1 = ((rs >> 11) + 0.5) / 9007199254740992.0;
	rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
	u2 = ((rs >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void frame8(const struct ogate_heart_ref *r, double psi, double noise, uint8_t *o, float *tmp)
{
	size_t np = (size_t)r->h * r->w;
	ogate_heart_ref_render(r, psi, tmp);
	for (size_t i = 0; i < np; i++) {
		double v = tmp[i] + (noise > 0 ? noise * gauss() : 0);
		o[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v));
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr,
			"usage: blendvfit SIZE SRC_PERIOD FRAMES_A_BEAT [SEED] [NOISE] [PHI0]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	double src = atof(argv[2]), N = atof(argv[3]);
	int seed = argc > 4 ? atoi(argv[4]) : 1;
	double noise = argc > 5 ? atof(argv[5]) : 0, phi0 = argc > 6 ? atof(argv[6]) : 0.7;
	struct ogate_heart_ref r;
	if (ogate_heart_ref_init_real(&r, n, n, src, (uint64_t)seed))
		return 1;
	size_t np = (size_t)n * n;
	int nref = (int)ceil(N) + 7; /* j = -3 .. */
	uint8_t *ref = malloc(np * (size_t)nref), *live = malloc(np);
	float *tmp = malloc(sizeof(float) * np);
	for (int j = 0; j < nref; j++)
		frame8(&r, phi0 + 2 * M_PI * (j - 3) / N, noise, ref + (size_t)j * np, tmp);
	enum { SUB = 16, OB = 8, SB = 4 };
	int nl = (int)floor(N * SUB);
	double *e = malloc(sizeof(double) * nl), *ou = malloc(sizeof(double) * nl),
	       *os = malloc(sizeof(double) * nl);
	double so[OB] = { 0 }, ss[SB] = { 0 }, s2[SB] = { 0 }, tot = 0, tot2 = 0;
	int co[OB] = { 0 }, cs[SB] = { 0 };
	for (int k = 0; k < nl; k++) {
		double u = (k + 0.5) / SUB, psi = phi0 + 2 * M_PI * u / N;
		frame8(&r, psi, noise, live, tmp);
		int c = (int)lrint(u) + 3;
		double sad[7];
		for (int d = -3; d <= 3; d++) {
			const uint8_t *q = ref + (size_t)(c + d) * np;
			long a = 0;
			for (size_t i = 0; i < np; i++)
				a += abs((int)live[i] - (int)q[i]);
			sad[d + 3] = (double)a;
		}
		int b = 1;
		for (int d = 2; d <= 5; d++)
			if (sad[d] < sad[b])
				b = d;
		/* ogate_vfit's formula (userspace/lib/analysis.c) */
		double y1 = sad[b - 1], y2 = sad[b], y3 = sad[b + 1];
		double den = y1 > y3 ? y1 - y2 : y3 - y2;
		double x = den != 0 ? 0.5 * (y1 - y3) / den : 0;
		e[k] = (c - 3 + (b - 3) + x) - u;
		ou[k] = u - floor(u);
		double ph = fmod(psi, 2 * M_PI);
		os[k] = fmod(2 + src * ph / (2 * M_PI), 1.0);
		so[(int)(ou[k] * OB)] += e[k];
		co[(int)(ou[k] * OB)]++;
		tot += e[k];
		tot2 += e[k] * e[k];
	}
	double ms = 1000.0 / N;
	printf("size %d, source period %.3f, %.2f frames a beat, seed %d, noise %.1f: %d live phases\n",
	       n, src, N, seed, noise, nl);
	printf("error (frames): mean %+.4f, rms %.4f (x %.2f ms for a 1 s beat)\n", tot / nl,
	       sqrt(tot2 / nl), ms);
	printf("by reference offset (eighths):");
	for (int b = 0; b < OB; b++)
		printf(" %+.4f", co[b] ? so[b] / co[b] : NAN);
	double rr = 0;
	for (int k = 0; k < nl; k++) {
		int b = (int)(ou[k] * OB);
		double res = e[k] - so[b] / co[b];
		int q = (int)(os[k] * SB);
		ss[q] += res;
		s2[q] += res * res;
		cs[q]++;
		rr += res * res;
	}
	printf("\nleft after the per-offset mean: rms %.4f frames; by source offset (quarters):",
	       sqrt(rr / nl));
	for (int q = 0; q < SB; q++)
		printf(" %+.4f", cs[q] ? ss[q] / cs[q] : NAN);
	printf("\n");
	free(e), free(ou), free(os), free(ref), free(live), free(tmp);
	free(r.frames);
	return 0;
}
