// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The live frame's sub-frame fit over a span (sync_match.c live_span, sync.subframe_span_z;
 * opt-in). A slow heart filmed fast changes less in a frame than a SAD's noise: its SAD excess
 * is quadratic in the distance and one frame's is buried, so the V fit through b - 1, b, b + 1
 * reads the noise of three SADs (the reference's frozen noise and the live frame's) and the
 * least SAD wanders over frames. The parabola over b - k .. b + k, k the span whose excess
 * stands sync.subframe_span_z noise sds clear, reads the valley's curve. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>
#include "sync_match.c"
#include "xorshift_gauss.h"

#define W 64
#define H 64
#define NREF 41 /* reference frames 0..40, the live frames around frame B */
#define B 20

static uint64_t rng;
static double gauss(void)
{
	return xorshift_gauss(&rng);
}

/* the scene at time t (frames) of a beat of `period` frames: every pixel on its own sine around
 * the beat, amplitude 20 .. 60 grey levels, with Gaussian noise of sd `noise` */
static void fill(struct ogate_frame *f, double t, double period, double noise)
{
	for (int y = 0; y < H; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			int p = y * W + x;
			double amp = 20 * (1 + 2 * ((p * 37) % 101) / 100.0), ph = 0.061 * p;
			double v = 128 + amp * sin(2 * M_PI * t / period + ph) + noise * gauss();
			row[x] = (uint8_t)lround(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

struct scene {
	struct ogate_sync s;
	struct ogate_frame *ref[NREF], *live;
	double S[NREF];
	double period;
};

static void scene_init(struct scene *q, double period, double noise, const char *z)
{
	memset(q, 0, sizeof(*q));
	q->s.L = NREF;
	q->s.subframe = SUBFRAME_VFIT;
	ogate_settings_default(&q->s.set);
	if (z)
		assert_int_equal(0, ogate_settings_set(&q->s.set, "sync.subframe_span_z", z));
	q->s.fmt = OGATE_PIX_U8;
	q->s.sad = ogate_sad_best();
	q->s.ref = q->ref;
	q->s.S = q->S;
	q->period = period;
	rng = 88172645463325252ULL;
	for (int j = 0; j < NREF; j++) {
		assert_int_equal(0, ogate_frame_new(&q->ref[j], OGATE_PIX_U8, W, H));
		fill(q->ref[j], j, period, noise);
	}
	assert_int_equal(0, ogate_frame_new(&q->live, OGATE_PIX_U8, W, H));
}

static void scene_free(struct scene *q)
{
	for (int j = 0; j < NREF; j++)
		ogate_frame_free(q->ref[j]);
	ogate_frame_free(q->live);
}

static int span_used; /* frames the span fit placed */

/* the live frame at B + x: its offset from B by the span fit (NAN where it stands aside) and by
 * the V fit through its least SAD b near B and b's neighbours (as sync_match) */
static void fits(struct scene *q, double x, double noise, double *span, double *vfit)
{
	fill(q->live, B + x, q->period, noise);
	for (int j = 0; j < NREF; j++)
		q->S[j] = HUGE_VAL;
	int b = B;
	for (int j = B - 6; j <= B + 6; j++) { /* the windowed search's +-6 */
		q->S[j] = sad_win(&q->s, q->live, 0, 0, q->ref[j], 0, 0, W, H);
		b = q->S[j] < q->S[b] ? j : b;
	}
	*vfit = b - B + ogate_vfit(q->S[b - 1], q->S[b], q->S[b + 1]).x;
	*span = b - B + live_span(&q->s, q->live, 0, 0, 0, 0, W, H, b, q->period, 0);
	span_used += !isnan(*span);
}

/*
 * A beat of 320 frames (the sweep's slow hearts at 150-400 frames a beat), reference and live
 * frames with noise of sd 4: the heart changes each pixel by 0.4-1.2 grey levels a frame, below
 * the noise of a frame difference (5.7), and the least SAD wanders up to 3 frames. Twenty live
 * frames at offsets -0.95 .. +0.95 from reference frame 20: the V fit errs by 0.836 frame RMS;
 * under sync.subframe_span_z = 3 (a span of 3 frames each side on most, 2 on some; on 2 frames
 * one frame's excess stood clear by chance and the V fit stays) by 0.560. The same heart without
 * noise is read by the V fit within 0.028 frame: the error is the noise's, and there the span
 * fit stands aside (one frame's excess stands clear).
 */
static void span_places_a_slow_noisy_heart_the_v_fit_does_not(void **state)
{
	(void)state;
	struct scene q;
	scene_init(&q, 320, 4, "3");
	double es = 0, ev = 0;
	span_used = 0;
	for (int i = 0; i < 20; i++) {
		double x = -0.95 + 0.1 * i, xs, xv;
		fits(&q, x, 4, &xs, &xv);
		xs = isnan(xs) ? xv : xs; /* as sync_match: the V fit where the span stands aside */
		print_message("x %+.2f: span %+.4f, V fit %+.4f\n", x, xs, xv);
		es += (xs - x) * (xs - x) / 20;
		ev += (xv - x) * (xv - x) / 20;
	}
	es = sqrt(es);
	ev = sqrt(ev);
	print_message("RMS error: span %.5f, V fit %.5f; span on %d frames\n", es, ev, span_used);
	assert_true(fabs(es - 0.56041) < 1e-5);
	assert_true(fabs(ev - 0.83622) < 1e-5);
	assert_int_equal(18, span_used);
	scene_free(&q);
	struct scene clean;
	scene_init(&clean, 320, 0, "3");
	double e0 = 0, s0 = 0;
	for (int i = 0; i < 20; i++) {
		double x = -0.95 + 0.1 * i, xs, xv;
		fits(&clean, x, 0, &xs, &xv);
		e0 = fmax(e0, fabs(xv - x));
		s0 = isnan(xs) ? s0 : fmax(s0, fabs(xs - x));
	}
	print_message("noise-free: largest error V fit %.5f, span %.5f\n", e0, s0);
	assert_true(fabs(e0 - 0.02812) < 1e-5);
	assert_true(s0 == 0); /* one frame's excess stands clear of the rounding: the V fit */
	scene_free(&clean);
}

/*
 * The span fit stands aside (NAN: the V fit) where the key is 0 (the default), where one frame's
 * excess already stands clear (a beat of 32 frames: the heart changes 4-12 grey levels a frame),
 * and where the beat has fewer than 32 frames (the span at most P / 16 frames each side).
 */
static void span_stands_aside_where_one_frame_stands_clear(void **state)
{
	(void)state;
	struct scene q;
	double xs, xv;
	scene_init(&q, 320, 4, NULL);
	assert_true(q.s.set.subframe_span_z == 0);
	fits(&q, 0.3, 4, &xs, &xv);
	assert_true(isnan(xs));
	scene_free(&q);
	scene_init(&q, 32, 4, "3");
	fits(&q, 0.3, 4, &xs, &xv);
	assert_true(isnan(xs));
	scene_free(&q);
	scene_init(&q, 320, 4, "3");
	fits(&q, 0.3, 4, &xs, &xv);
	assert_false(isnan(xs));
	assert_true(isnan(live_span(&q.s, q.live, 0, 0, 0, 0, W, H, B, 31.9, 0)));
	assert_int_equal(-EINVAL, ogate_settings_set(&q.s.set, "sync.subframe_span_z", "-1"));
	scene_free(&q);
}

/* ogate_span_offset: the least-squares parabola's vertex, exact on a parabola, clamped to +-k/2,
 * NAN where the SADs do not curve upwards */
static void span_offset_is_the_parabola_vertex(void **state)
{
	(void)state;
	double s[9];
	for (int x = -4; x <= 4; x++)
		s[x + 4] = 1000 + 7 * (x - 0.8) * (x - 0.8);
	assert_true(fabs(ogate_span_offset(s + 4, 4) - 0.8) < 1e-12);
	assert_true(fabs(ogate_span_offset(s + 4, 2) - 0.8) < 1e-12);
	for (int x = -4; x <= 4; x++)
		s[x + 4] = 1000 + 7 * (x - 3.1) * (x - 3.1);
	assert_true(ogate_span_offset(s + 4, 4) == 2);
	for (int x = -4; x <= 4; x++)
		s[x + 4] = 1000 - x * x;
	assert_true(isnan(ogate_span_offset(s + 4, 3)));
}

#define BW 16
#define BH 32 /* four bands of 8 rows */
#define BN 9

/* reference frame r: zero but for sums put in its bands (the live frame is zero, so its SAD
 * against r is the sum of r's pixels) */
static void put_band(struct ogate_frame *r, int band, int sum)
{
	for (int y = band * 8; y < band * 8 + 8 && sum > 0; y++) {
		uint8_t *row = (uint8_t *)ogate_frame_pixels(r) + (size_t)y * r->stride;
		for (int x = 0; x < BW && sum > 0; x++) {
			int v = sum > 200 ? 200 : sum;
			row[x] = (uint8_t)v;
			sum -= v;
		}
	}
}

/*
 * The bounded full search (sync_search_bounded) leaves frame 6 a partial sum (500 of its 700: cut
 * once it passed the least, 400 at frame 4) outside the valley it makes whole; the span the fit
 * reads (sync.subframe_span_z = 10 here: one frame's excess, 80, is within 10 sds of 13.3, two
 * frames' 350 stands clear) reaches it, and live_span makes it whole: the vertex of the parabola
 * through 800, 500, 400, 460, 700 at -2 .. +2 (+0.1355 frame, exactly that of the whole SADs),
 * not through the partial sum 500 in place of 700 (+0.5333). Fails where the partial sum is read.
 */
static void span_makes_the_bounded_searchs_partial_sums_whole(void **state)
{
	(void)state;
	static const int bands[BN][4] = {
		{ 2000, 0, 0, 0 },  { 1300, 0, 0, 0 }, { 800, 0, 0, 0 },
		{ 500, 0, 0, 0 },   { 400, 0, 0, 0 },  { 300, 160, 0, 0 },
		{ 500, 200, 0, 0 }, { 1100, 0, 0, 0 }, { 1600, 0, 0, 0 },
	};
	struct ogate_sync s;
	struct ogate_frame *ref[BN], *f = NULL;
	double S[BN], whole[BN];
	uint64_t mark[BN];
	memset(&s, 0, sizeof(s));
	ogate_settings_default(&s.set);
	assert_int_equal(0, ogate_settings_set(&s.set, "sync.subframe_span_z", "10"));
	s.L = BN;
	s.subframe = SUBFRAME_VFIT;
	s.fmt = OGATE_PIX_U8;
	s.sad = ogate_sad_best();
	s.ref = ref;
	s.S = S;
	s.sad_out = mark;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, BW, BH));
	memset(ogate_frame_pixels(f), 0, (size_t)f->stride * BH);
	for (int j = 0; j < BN; j++) {
		assert_int_equal(0, ogate_frame_new(&ref[j], OGATE_PIX_U8, BW, BH));
		memset(ogate_frame_pixels(ref[j]), 0, (size_t)ref[j]->stride * BH);
		for (int b = 0; b < 4; b++)
			put_band(ref[j], b, bands[j][b]);
		S[j] = HUGE_VAL;
		whole[j] = bands[j][0] + bands[j][1] + bands[j][2] + bands[j][3];
	}
	sync_search_bounded(&s, f, 0, 0, 0, 0, BW, BH, 64);
	size_t b;
	ogate_subframe_phase(S, BN, 64, &b);
	assert_int_equal(4, (int)b);
	assert_true(S[6] == 500 && mark[6] == 2); /* a partial sum, left */
	double part[5] = { S[2], S[3], S[4], S[5], S[6] };
	double x = live_span(&s, f, 0, 0, 0, 0, BW, BH, 4, 64, 1);
	print_message("span offset %.6f; through the whole SADs %.6f, through the partial %.6f\n",
		      x, ogate_span_offset(whole + 4, 2), ogate_span_offset(part + 2, 2));
	assert_true(S[6] == 700 && mark[6] == 0);
	assert_true(x == ogate_span_offset(whole + 4, 2));
	assert_true(fabs(x - ogate_span_offset(part + 2, 2)) > 0.1);
	ogate_frame_free(f);
	for (int j = 0; j < BN; j++)
		ogate_frame_free(ref[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(span_places_a_slow_noisy_heart_the_v_fit_does_not),
		cmocka_unit_test(span_stands_aside_where_one_frame_stands_clear),
		cmocka_unit_test(span_offset_is_the_parabola_vertex),
		cmocka_unit_test(span_makes_the_bounded_searchs_partial_sums_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
