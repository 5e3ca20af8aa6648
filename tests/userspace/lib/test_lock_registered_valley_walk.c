// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lags at lock under a drift below the period scan's (reference.register_drift,
 * sync_driftreg.c): each buffered frame's SAD valley near the period is found again with the
 * frame shifted back by the drift over its lag. Unregistered, the drift raises the SAD along
 * the lag and pulls the stored valley short, by several frames where the valley is broad; the
 * registered valley was looked for within two frames of the stored one only, every lag it lay
 * beyond was lost, and the period at lock rested on the few left or fell back to the newest
 * frame's unregistered estimate. bigdrift.txt's g_blob64_0.5pb_60fps_1.2s (the cartoon at 64^2,
 * 1.2 s at 60 fps, 0.5 px of drift a beat, noise 4: the row the scan does not register) locked
 * 8.3 % short at seed 7 (2.5 % now); lockdrift.txt's ld_real128_2.5s_110fps 2.0 % and 2.7 %
 * (seeds 1, 2; 0.9 % and 1.2 % now). The same heart here (heartrun.h: ogate-synth's cartoon, its
 * drift and noise; its own camera noise and stamps). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "heartrun.h"

#define FPS 60.0
#define FRAMES 600

static double period = -1, beat = -1; /* at the first lock, frames: P, the beat it holds */

/* the true length of the beat from frame k on, in frames (the law's phase advanced 2 pi) */
static double beat_from(const struct ogate_heart_law *law, double k)
{
	double t0 = k / FPS, want = ogate_heart_law_psi(law, t0) + 2 * M_PI, lo = t0, hi = t0 + 3;
	for (int i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;
		if (ogate_heart_law_psi(law, mid) < want)
			lo = mid;
		else
			hi = mid;
	}
	return (lo - t0) * FPS;
}

static int setup(void **state)
{
	(void)state;
	struct heartrun_spec sp = { .sz = 64,
				    .blob_seed = 7,
				    .rng_seed = 7,
				    .law = { 1.2, 0.03, 0.02, 8.0, 1.9, 16.0 },
				    .fps = FPS,
				    .noise = 4.0,
				    .vy = 3.3 / 960,
				    .vx = 5.8 / 960 };
	struct heartrun *hr = heartrun_new(&sp);
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	for (int k = 0; k < FRAMES && period < 0; k++) {
		struct ogate_sync_result r;
		heartrun_step(hr, s, k, &r);
		struct ogate_reference_info info;
		if (r.established && ogate_sync_get_reference(s, &info) == 0) {
			period = info.period_frames;
			beat = beat_from(&sp.law, (double)info.first_seq);
		}
	}
	fprintf(stderr, "period at lock %.3f frames, the beat it holds %.3f (%+.2f %%)\n", period,
		beat, 100 * (period / beat - 1));
	ogate_sync_free(s);
	heartrun_free(hr);
	return 0;
}

/* The period at lock within 6 % of the beat it holds: 67.27 frames for 70.70 (-4.9 %; still
 * short, not chased: the drift read at lock on pairs the short lag apart is 10-20 % low on the
 * synth's twin). Before, 63.27 for 70.65 (-10.4 %): the newest frame's unregistered estimate. */
static void a_broad_valley_under_drift_keeps_its_registered_lags(void **state)
{
	(void)state;
	assert_true(period > 0);
	assert_true(fabs(period / beat - 1) < 0.06);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_broad_valley_under_drift_keeps_its_registered_lags),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
