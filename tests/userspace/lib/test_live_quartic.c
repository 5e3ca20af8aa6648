// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The live frame's sub-frame fit through squared differences (sync_match.c live_quartic,
 * sync.subframe = quartic; opt-in). Noise rounds the bottom of a
 * SAD valley and the heart's path bends it, so the V fit through three SADs reads a frame off by
 * an amount that depends on its offset; the quartic through its five SSDs has its minimum at the
 * frame's position whatever the noise, along a path curved to second order. */
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
#define NREF 9 /* reference frames 0..8, the live frames around frame 4 */
#define PERIOD 24.3

static uint64_t rng;
static double gauss(void)
{
	return xorshift_gauss(&rng);
}

/* the scene at time t (frames): every pixel on its own sine around the beat (a curved path),
 * amplitude a .. 3a grey levels, with Gaussian noise of sd `noise` */
static void fill(struct ogate_frame *f, double t, double a, double noise)
{
	for (int y = 0; y < H; y++) {
		uint8_t *row = (uint8_t *)f->pixels + (size_t)y * f->stride;
		for (int x = 0; x < W; x++) {
			int p = y * W + x;
			double amp = a * (1 + 2 * ((p * 37) % 101) / 100.0), ph = 0.061 * p;
			double v = 128 + amp * sin(2 * M_PI * t / PERIOD + ph) + noise * gauss();
			row[x] = (uint8_t)lround(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
}

struct scene {
	struct ogate_sync s;
	struct ogate_frame *ref[NREF], *live;
};

static void scene_init(struct scene *q, double a, double noise)
{
	memset(&q->s, 0, sizeof(q->s));
	q->s.L = NREF;
	q->s.subframe = SUBFRAME_QUARTIC;
	ogate_settings_default(&q->s.set);
	q->s.fmt = OGATE_PIX_U8;
	q->s.sad = ogate_sad_best();
	q->s.ref = q->ref;
	rng = 88172645463325252ULL;
	for (int j = 0; j < NREF; j++) {
		assert_int_equal(0, ogate_frame_new(&q->ref[j], OGATE_PIX_U8, W, H));
		fill(q->ref[j], j, a, noise);
	}
	assert_int_equal(0, ogate_frame_new(&q->live, OGATE_PIX_U8, W, H));
}

static void scene_free(struct scene *q)
{
	for (int j = 0; j < NREF; j++)
		ogate_frame_free(q->ref[j]);
	ogate_frame_free(q->live);
}

/* the live frame at 4 + x: the quartic's offset and the V fit's through its SADs */
static void fits(struct scene *q, double x, double a, double noise, double *quartic, double *vfit)
{
	fill(q->live, 4 + x, a, noise);
	*quartic = live_quartic(&q->s, q->live, 0, 0, 0, 0, W, H, 4, PERIOD);
	double S[3];
	for (int k = 0; k < 3; k++)
		S[k] = sad_win(&q->s, q->live, 0, 0, q->ref[3 + k], 0, 0, W, H);
	*vfit = ogate_vfit(S[0], S[1], S[2]).x;
}

/*
 * Ten live frames at offsets -0.45 .. +0.45 from reference frame 4 of a beat of 24.3 frames,
 * reference and live frames with noise of sd 4: the quartic reads each within 0.017 frame (mean
 * |error| 0.0088, no sign common to an offset), the V fit every one towards the half frame, by
 * up to 0.063 (mean 0.035): what the V fit errs by depends on the offset, which one beat's frames
 * share.
 */
static void quartic_places_noisy_live_frames_the_v_fit_does_not(void **state)
{
	(void)state;
	struct scene q;
	scene_init(&q, 20, 4);
	double eq = 0, ev = 0, mq = 0, mv = 0;
	for (int i = 0; i < 10; i++) {
		double x = -0.45 + 0.1 * i, xq, xv;
		fits(&q, x, 20, 4, &xq, &xv);
		assert_false(isnan(xq));
		print_message("x %+.2f: quartic %+.4f, V fit %+.4f\n", x, xq, xv);
		assert_true(fabs(xv) > fabs(x));
		eq += fabs(xq - x) / 10;
		ev += fabs(xv - x) / 10;
		mq = fmax(mq, fabs(xq - x));
		mv = fmax(mv, fabs(xv - x));
	}
	print_message("mean |error|: quartic %.5f, V fit %.5f; largest %.5f, %.5f\n", eq, ev, mq, mv);
	assert_true(fabs(eq - 0.00882) < 1e-5);
	assert_true(fabs(ev - 0.03516) < 1e-5);
	assert_true(fabs(mq - 0.01626) < 1e-5 && fabs(mv - 0.06254) < 1e-5);
	scene_free(&q);
}

/*
 * Where the fit does not apply it returns NAN (the caller keeps the V fit): a beat of fewer than
 * 20 frames (sync.quartic_min_fpb), a valley within two frames of either end of the reference,
 * and a heart that moves too little between frames for its one-frame excesses to stand 30 noise
 * sds clear (amplitudes 0.5 .. 2.5 grey levels under noise of sd 4).
 */
static void quartic_stands_aside_where_it_does_not_apply(void **state)
{
	(void)state;
	struct scene q;
	scene_init(&q, 20, 4);
	fill(q.live, 4.2, 20, 4);
	assert_false(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, PERIOD)));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 19.9)));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 1, PERIOD)));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, NREF - 2, PERIOD)));
	scene_free(&q);
	struct scene still;
	scene_init(&still, 1, 4); /* amplitudes 1 .. 3: a twentieth of the above */
	double xq, xv;
	fits(&still, 0.2, 1, 4, &xq, &xv);
	assert_true(isnan(xq));
	scene_free(&still);
}

/*
 * The frames-a-beat gate (sync.quartic_min_fpb, 20 by default): at 16-17 frames a beat the
 * quartic's five frames span a quarter of the beat and the cartoon rows' means there moved by
 * 0.2-0.4 ms (docs/accuracy-log.md, "A frames-a-beat gate for the quartic"), at 24
 * (blob512_30fps) it gains. The fit applies from the key's value up, and the key moves the gate.
 */
static void quartic_waits_for_the_frames_a_beat_the_gate_asks(void **state)
{
	(void)state;
	struct scene q;
	scene_init(&q, 20, 4);
	fill(q.live, 4.2, 20, 4);
	assert_true(q.s.set.quartic_min_fpb == 20);
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 16)));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 19.99)));
	assert_false(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 20)));
	assert_int_equal(0, ogate_settings_set(&q.s.set, "sync.quartic_min_fpb", "24"));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 23.9)));
	assert_false(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, PERIOD)));
	assert_int_equal(0, ogate_settings_set(&q.s.set, "sync.quartic_min_fpb", "16"));
	assert_false(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, 16)));
	assert_int_equal(-EINVAL, ogate_settings_set(&q.s.set, "sync.quartic_min_fpb", "-1"));
	scene_free(&q);
}

/*
 * sync.quartic_shifted = 1: the quartic only on a live frame resampled for a sub-pixel drift
 * (sync_match's s->shifted), the V fit on a frame matched as it came (the real model's rows
 * without drift lost by the quartic; docs/accuracy-log.md, "A frames-a-beat gate for the
 * quartic").
 */
static void quartic_only_on_shifted_frames_when_asked(void **state)
{
	(void)state;
	struct scene q;
	scene_init(&q, 20, 4);
	fill(q.live, 4.2, 20, 4);
	assert_int_equal(0, q.s.set.quartic_shifted);
	double x = live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, PERIOD);
	assert_false(isnan(x));
	assert_int_equal(0, ogate_settings_set(&q.s.set, "sync.quartic_shifted", "1"));
	assert_true(isnan(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, PERIOD)));
	q.s.shifted = q.live;
	assert_true(live_quartic(&q.s, q.live, 0, 0, 0, 0, W, H, 4, PERIOD) == x);
	q.s.shifted = NULL;
	scene_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quartic_places_noisy_live_frames_the_v_fit_does_not),
		cmocka_unit_test(quartic_stands_aside_where_it_does_not_apply),
		cmocka_unit_test(quartic_waits_for_the_frames_a_beat_the_gate_asks),
		cmocka_unit_test(quartic_only_on_shifted_frames_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
