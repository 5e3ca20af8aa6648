// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sadfold: the SAD along the heart's path from one reference frame, for ogate-synth's real model
 * and its cartoon (blob) model (issue 9, session 20, pinband; a diagnostic, not part of the build).
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iuserspace/common/include -o sadfold bench/eval/sadfold.c \
 *      userspace/common/heart.c -lm
 *   sadfold [SIZE [SRC_PERIOD [FRAMES_A_BEAT [SEED]]]]     (64 36.17 71 105: u23's v_r64_d0)
 *
 * For a reference frame a fraction f0 = 0, 1/4, 1/2 of the way between two of the real model's
 * source frames (ogate_heart_ref_init_real: SRC_PERIOD source frames a beat, each with its own
 * static noise, rendered as a cross-fade of the two about the phase), and for the blob at the same
 * phases, prints the SAD of the frame t camera frames away (t = -2 .. 2 in quarters, FRAMES_A_BEAT
 * camera frames a beat) against it; no camera noise, no rounding. The blob's SAD grows about
 * linearly with |t|; the real model's grows linearly only up to the next source frame and then
 * stalls or falls (the cross-fade starts fading out the reference's own static noise), so a V fit
 * through b - 1, b, b + 1 reads a reference frame midway between source frames through two folds
 * (docs/accuracy-log.md, "Does the pin at the live offsets hold at many frames a beat").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "heart.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 64;
	double src = argc > 2 ? atof(argv[2]) : 36.17, fpb = argc > 3 ? atof(argv[3]) : 71.0;
	unsigned long long seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 105;
	struct ogate_heart_ref r;
	struct ogate_heart_blob b;
	if (n < 16 || src < 6 || fpb < 2 || ogate_heart_ref_init_real(&r, n, n, src, seed) ||
	    ogate_heart_blob_init(&b, n, n, seed)) {
		fprintf(stderr,
			"usage: sadfold [SIZE>=16 [SRC_PERIOD>=6 [FRAMES_A_BEAT>=2 [SEED]]]]\n");
		return 2;
	}
	size_t np = (size_t)n * n;
	float *a = malloc(sizeof(float) * np), *c = malloc(sizeof(float) * np);
	if (!a || !c)
		return 1;
	double dpsi = 2 * M_PI / fpb;
	printf("t (camera frames):");
	for (int i = -8; i <= 8; i++)
		printf(" %+.2f", i * 0.25);
	printf("\n");
	for (int model = 0; model < 2; model++)
		for (int k = 0; k < 3; k++) {
			double f0 = 0.25 * k, psi0 = 2 * M_PI * (10 + f0) / src;
			if (model)
				ogate_heart_blob_render(&b, psi0, a);
			else
				ogate_heart_ref_render(&r, psi0, a);
			printf("%s f0 %.2f:", model ? "blob" : "real", f0);
			for (int i = -8; i <= 8; i++) {
				double s = 0, psi = psi0 + i * 0.25 * dpsi;
				if (model)
					ogate_heart_blob_render(&b, psi, c);
				else
					ogate_heart_ref_render(&r, psi, c);
				for (size_t p = 0; p < np; p++)
					s += fabs(c[p] - a[p]);
				printf(" %.0f", s);
			}
			printf("\n");
		}
	free(a);
	free(c);
	free(r.frames);
	ogate_heart_blob_free(&b);
	return 0;
}
