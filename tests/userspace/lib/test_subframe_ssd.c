// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sync.metric = ssd: the sub-frame offset of a sum-of-squared-differences minimum (subframe.c),
 * pinned with exact values on the expected curves of a moving image under noise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/analysis.h"
#include "ogate/settings.h"
#include "ogate/sync.h"
#include "subframe.h"
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* E|X| for X ~ N(mu, sd^2): a pixel's expected absolute difference */
static double e_abs(double mu, double sd)
{
	return sd * sqrt(2 / M_PI) * exp(-mu * mu / (2 * sd * sd)) + mu * erf(mu / (sd * sqrt(2)));
}

/* A frame 0.3 frame past reference frame b; each pixel changes by v grey levels per frame and
 * the difference of two frames' noise has sd `sd`. The expected SSD against b-1, b, b+1 is
 * v^2 d^2 + sd^2 per pixel: a parabola whose vertex is the offset, whatever the noise. The
 * expected SAD is a V without noise and a parabola under it, so the V fit of the same frame
 * moves with the noise (0.3 without, 0.372-0.375 with). */
static void ssd_offset_does_not_depend_on_the_noise_while_the_sad_v_fit_does(void **state)
{
	(void)state;
	const double t = 0.3, v = 1, sd[4] = { 1e-9, 2, 4 * M_SQRT2, 16 };
	const double vfit_expected[4] = { 0.3, 0.3719364, 0.3746103, 0.3749512 };
	for (int k = 0; k < 4; k++) {
		double ssd[3], sad[3];
		for (int i = 0; i < 3; i++) {
			double d = v * (i - 1 - t);
			ssd[i] = 4096 * (d * d + sd[k] * sd[k]);
			sad[i] = 4096 * e_abs(fabs(d), sd[k]);
		}
		assert_near(ogate_parabola_offset(ssd[0], ssd[1], ssd[2]), t, 1e-9);
		assert_near(ogate_vfit(sad[0], sad[1], sad[2]).x, vfit_expected[k], 1e-7);
	}
}

/* The vertex of the parabola through the three SSDs, for offsets on both sides and any floor;
 * flat or inverted triples give 0, and the result stays within half a frame. */
static void ssd_offset_is_the_parabola_vertex(void **state)
{
	(void)state;
	const double ts[4] = { -0.45, -0.15, 0, 0.3 }, floors[3] = { 0, 5e4, 1e7 };
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 3; k++) {
			double f = floors[k], t = ts[i], a = 1234.5;
			double x = ogate_parabola_offset(f + a * (1 + t) * (1 + t), f + a * t * t,
							 f + a * (1 - t) * (1 - t));
			assert_near(x, t, 1e-9);
		}
	assert_near(ogate_parabola_offset(5, 5, 5), 0, 0);
	assert_near(ogate_parabola_offset(5, 7, 5), 0, 0);
	/* 4, 1, 2: 0.5 * 2 / 4 */
	assert_near(ogate_parabola_offset(4, 1, 2), 0.25, 1e-12);
	assert_near(ogate_parabola_offset(10, 0, 0), 0.5, 1e-12);
}

/* the model's SSD at signed distance d from reference frame b: floor + e1 (|d| / d1)^g on each
 * side (m: d < 0, q: d > 0) */
struct side_m {
	double e1, d1, g;
};
static double model(const struct side_m *m, const struct side_m *q, double d)
{
	const struct side_m *sd = d < 0 ? m : q;
	return 52000 + sd->e1 * pow(fabs(d) / sd->d1, sd->g);
}

/* s[] and e[] of a frame at position t for reference frames at positions p[] (b at 0) */
static double ssd_offset_of(const struct side_m *m, const struct side_m *q, const double p[4],
			    double t, double *parabola)
{
	double s[3] = { model(m, q, p[1] - t), model(m, q, -t), model(m, q, p[2] - t) };
	double e[4] = { model(m, q, p[0]) - 52000, model(m, q, p[1]) - 52000,
			model(m, q, p[2]) - 52000, model(m, q, p[3]) - 52000 };
	*parabola = ogate_parabola_offset(s[0], s[1], s[2]);
	return ogate_ssd_offset(s, e, p, 100);
}

/* The image changes smoothly before b (the excess grows as the square) and a sharp edge moves
 * after it, three times as fast (power 1.2): the plain vertex puts a frame 0.2 frame past b on
 * the other side of it (-0.117) and an exact match a quarter frame early; the reference's own
 * curve recovers both exactly. */
static void ssd_offset_is_exact_on_a_valley_smooth_on_one_side_and_sharp_on_the_other(void **state)
{
	(void)state;
	const struct side_m m = { 2000, 1, 2 }, q = { 6000, 1, 1.2 };
	const double p[4] = { -2, -1, 1, 2 }, ts[4] = { -0.4, -0.1, 0, 0.2 };
	double par;
	for (int i = 0; i < 4; i++)
		assert_near(ssd_offset_of(&m, &q, p, ts[i], &par), ts[i], 1e-8);
	ssd_offset_of(&m, &q, p, 0.2, &par);
	assert_near(par, -0.1169888, 1e-6);
	ssd_offset_of(&m, &q, p, 0, &par);
	assert_near(par, -0.25, 1e-12);
	/* equal smooth sides: the parabola itself */
	const struct side_m sm = { 3000, 1, 2 };
	assert_near(ssd_offset_of(&sm, &sm, p, 0.3, &par), 0.3, 1e-8);
	assert_near(par, 0.3, 1e-12);
}

/* Under timestamp jitter the reference frames sit at uneven positions; the curve is read at
 * them, so the offset stays exact. */
static void ssd_offset_is_exact_at_uneven_reference_positions(void **state)
{
	(void)state;
	const struct side_m m = { 2500, 0.93, 1.6 }, q = { 4000, 1.06, 1.3 };
	const double p[4] = { -2.1, -0.93, 1.06, 2.02 }, ts[3] = { -0.35, 0.05, 0.4 };
	double par;
	for (int i = 0; i < 3; i++)
		assert_near(ssd_offset_of(&m, &q, p, ts[i], &par), ts[i], 1e-8);
}

/* The curve is used only where the reference shows it: an excess at one frame within 3 sd of the
 * noise (here sd = 100), or a side growing less than linearly to two frames, gives NAN (the
 * caller then takes the plain vertex). */
static void ssd_offset_needs_excesses_clear_of_the_noise_and_not_saturating(void **state)
{
	(void)state;
	const double p[4] = { -2, -1, 1, 2 }, s[3] = { 60000, 52100, 57000 };
	const double ok[4] = { 8000, 2000, 3000, 12000 };
	assert_false(isnan(ogate_ssd_offset(s, ok, p, 100)));
	const double quiet[4] = { 1200, 300, 3000, 12000 }; /* 300 <= 3 * 100 */
	const double sat[4] = { 8000, 2000, 3000, 5900 };   /* 5900 < 2 * 3000 */
	assert_true(isnan(ogate_ssd_offset(s, quiet, p, 100)));
	assert_true(isnan(ogate_ssd_offset(s, sat, p, 100)));
}

/* sync.metric takes sad or ssd; anything else is refused when the pipeline is made. */
static void metric_setting_is_sad_or_ssd(void **state)
{
	(void)state;
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	assert_string_equal(set.metric, "sad");
	assert_int_equal(ogate_settings_set(&set, "sync.metric", "ssd"), 0);
	assert_string_equal(set.metric, "ssd");
	struct ogate_sync *s = NULL;
	assert_int_equal(ogate_sync_new(&s, &set), 0);
	ogate_sync_free(s);
	assert_int_equal(ogate_settings_set(&set, "sync.metric", "ncc"), 0);
	s = NULL;
	assert_int_equal(ogate_sync_new(&s, &set), -EINVAL);
	assert_null(s);
}

#define SZ 96
#define FPS 60.0
#define NOISE 4.0

struct run {
	double sd;    /* per-frame phase error, its sd over the locked frames (frames) */
	double floor; /* the SSD's noise floor per pixel the reference gave (ssd only) */
	double phase[1500];
};

/* a slow cartoon heart (1.3 s at 60 fps, 96^2, pixel noise 4, as in the slow rows of
 * bench/eval/matrix.txt), matched by SAD or SSD; the same frames every time, 8 or 16 bit */
static void slow_heart(const char *metric, int bits, struct run *out)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	assert_int_equal(ogate_settings_set(&set, "sync.metric", metric), 0);
	set.ref_smooth = 0; /* the metrics against the noise frozen in the recorded reference */
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 11));
	struct ogate_heart_law law = { 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, SZ, SZ));
	static float img[SZ * SZ];
	static double err[1500];
	struct ogate_sync_result r = { 0 };
	int n = 0;
	double P = 1.3 * FPS;
	for (int i = 0; i < 1500; i++) {
		double psi = noisy_heart_frame(f, &heart, &law, img, SZ, FPS, NOISE, &rng, i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		out->phase[i] = r.has_phase ? r.phase : -1;
		if (r.has_phase && i > 600)
			err[n++] = ogate_wrap_pi(r.phase - psi) * P / (2 * M_PI);
	}
	assert_true(n > 800);
	double mean = 0, ss = 0;
	for (int k = 0; k < n; k++)
		mean += err[k] / n;
	for (int k = 0; k < n; k++)
		ss += (err[k] - mean) * (err[k] - mean);
	out->sd = sqrt(ss / n);
	/* the floor back from the sd of one SSD's noise part over the region (sync_match.c) */
	const struct seq *q = &sy->sq[sy->g_cur % sy->nseq];
	double RW = q->roi[2] - q->roi[0], RH = q->roi[3] - q->roi[1];
	out->floor = q->ssd_sd * sqrt(RW * RH) / M_SQRT2 / (RW * RH) / (bits == 16 ? 65536 : 1);
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
}

/* On a slow heart the SSD's match is less noisy than the SAD's; the floor it measures from the
 * reference alone is the noise's 2 sigma^2 (32 and 1/6 of rounding: 32.17) within 3 %; 16-bit
 * frames (the 8-bit ones times 256) give the same phases to the last bit. */
static void ssd_matches_a_slow_heart_with_less_noise_than_sad(void **state)
{
	(void)state;
	static struct run sad, ssd, ssd16;
	slow_heart("sad", 8, &sad);
	slow_heart("ssd", 8, &ssd);
	slow_heart("ssd", 16, &ssd16);
	print_message("per-frame error sd: SAD %.4f, SSD %.4f frame; SSD floor %.3f per pixel\n",
		      sad.sd, ssd.sd, ssd.floor);
	assert_true(ssd.sd < 0.95 * sad.sd); /* 0.2223 against 0.2485 frame */
	assert_near(ssd.floor, 32.17, 0.03 * 32.17);
	for (int i = 0; i < 1500; i++)
		assert_true(ssd.phase[i] == ssd16.phase[i]);
	assert_near(ssd16.floor, ssd.floor, 1e-9 * ssd.floor);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ssd_offset_does_not_depend_on_the_noise_while_the_sad_v_fit_does),
		cmocka_unit_test(ssd_offset_is_the_parabola_vertex),
		cmocka_unit_test(
			ssd_offset_is_exact_on_a_valley_smooth_on_one_side_and_sharp_on_the_other),
		cmocka_unit_test(ssd_offset_is_exact_at_uneven_reference_positions),
		cmocka_unit_test(ssd_offset_needs_excesses_clear_of_the_noise_and_not_saturating),
		cmocka_unit_test(metric_setting_is_sad_or_ssd),
		cmocka_unit_test(ssd_matches_a_slow_heart_with_less_noise_than_sad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
