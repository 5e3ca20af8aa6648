// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The establishing frame reads the reference's SADs from the determination's stored rows
 * (sync_ref_stored_sad): its change profile (sync_change_profile, the target and barrier) and
 * its steps (sync_reference_steps) compare the frames the rows compared, over the same rows, so
 * the reference must be the one fresh SADs give, to the last bit: 8 and 16 bits, every row and
 * every few rows, a one-frame and a longer-spacing change profile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"

/* SAD between two frames over every r-th row of the whole frame, as the backend computes it */
static double fresh_sad(const struct ogate_sync *s, const struct ogate_frame *a,
			const struct ogate_frame *b, int r)
{
	int hr = (s->h + r - 1) / r;
	if (s->fmt == OGATE_PIX_U8)
		return (double)s->sad->u8(a->pixels, a->stride * r, b->pixels, b->stride * r, s->w, hr);
	return (double)s->sad->u16(a->pixels, a->stride * r, b->pixels, b->stride * r, s->w, hr);
}

struct cfg {
	int sz, bits, row_step;
	double fps, period_s, noise;
};

/* a cartoon heart run until its first reference; then the reference's steps, change profile,
 * target and barrier computed again from fresh SADs must equal the establishing frame's */
static void check(const struct cfg *c, int *lag_out)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	set.ref_smooth = 0; /* the reference keeps the frames it was established on */
	set.determine_row_step = c->row_step;
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, c->sz, c->sz, 11));
	struct ogate_heart_law law = { c->period_s, 0.0, 0.0, 11.0, 2.5, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 5);
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, c->bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, c->sz,
					    c->sz));
	float *img = malloc(sizeof(float) * (size_t)(c->sz * c->sz));
	assert_non_null(img);
	struct ogate_sync_result r = { 0 };
	for (int i = 0; i < 3000 && !r.established; i++) {
		noisy_heart_frame(f, &heart, &law, img, c->sz, c->fps, c->noise, &rng, i);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
	}
	assert_true(r.established);
	assert_int_equal(sy->ref_rows, 0); /* no stored rows once the buffer is reset */
	struct seq *q = &sy->sq[sy->g_cur];
	int L = q->L, N = L - 2 * OGATE_NE, rs = set.determine_row_step;
	int rstep = rs > 0 ? rs
			   : (int)((long)sy->w * sy->h / 65536 > 1 ? (long)sy->w * sy->h / 65536 : 1);
	double P = q->info.period_frames;

	/* the steps: sync_reference_steps with fresh SADs (no stored rows now) */
	size_t nb = sizeof(double) * 2 * (size_t)sy->ref_cap;
	double *step = malloc(nb);
	assert_non_null(step);
	memcpy(step, q->step, nb);
	double step_med = q->step_med;
	sync_reference_steps(sy, q);
	for (int j = 0; j + 1 < L; j++)
		assert_true(step[j] == q->step[j]);
	for (int j = 0; j + 2 < L; j++)
		assert_true(step[sy->ref_cap + j] == q->step[sy->ref_cap + j]);
	assert_true(step_med == q->step_med);

	/* the change profile, target and barrier from fresh one-frame SADs */
	double *delta = malloc(sizeof(double) * (size_t)N);
	assert_non_null(delta);
	for (int i = 0; i < N; i++)
		delta[i] = fresh_sad(sy, q->f[OGATE_NE + i], q->f[OGATE_NE + i + 1], rstep);
	int lag = q->change_lag;
	sync_change_profile(sy, q, P, delta, N);
	assert_int_equal(lag, q->change_lag);
	double tu;
	int barrier;
	ogate_target_barrier(delta, (size_t)N, P, &tu, &barrier);
	assert_int_equal(barrier, q->info.barrier);
	tu = fmod(tu, P);
	assert_true((tu < 0 ? tu + P : tu) == q->info.target_u);
	*lag_out = lag;
	free(delta);
	free(step);
	free(img);
	ogate_frame_free(f);
	ogate_heart_blob_free(&heart);
	ogate_sync_free(sy);
}

/* 60 frames a beat: a clean heart keeps the one-frame profile, a noisy one takes a longer
 * spacing (pairs 3 and more frames apart, some wrapped across the beat's seam) */
static void the_reference_from_stored_sads_is_the_one_fresh_sads_give(void **state)
{
	(void)state;
	static const struct cfg cfgs[] = {
		{ 40, 8, 0, 55.0, 1.1, 0 },  { 40, 8, 0, 55.0, 1.1, 9 },
		{ 40, 16, 0, 55.0, 1.1, 9 }, { 48, 8, 3, 55.0, 1.1, 9 },
		{ 48, 16, 2, 55.0, 1.1, 0 }, { 64, 8, 0, 80.0, 0.4, 2 },
	};
	int longer = 0;
	for (size_t k = 0; k < sizeof(cfgs) / sizeof(cfgs[0]); k++) {
		int lag = 0;
		check(&cfgs[k], &lag);
		print_message("%d^2, %d bits, row step %d, noise %.0f: change lag %d\n", cfgs[k].sz,
			      cfgs[k].bits, cfgs[k].row_step, cfgs[k].noise, lag);
		longer += lag > 1;
	}
	assert_true(longer >= 1); /* the longer spacings' pairs were read too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_reference_from_stored_sads_is_the_one_fresh_sads_give),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
