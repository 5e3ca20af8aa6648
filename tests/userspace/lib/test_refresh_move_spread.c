// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A refreshed reference taken under a measured drift (reference.drift_move = 1) has its frames
 * moved to one position over the refresh's frames after the one that establishes it
 * (sync_scanreg.c, sync_scan_refresh_move), SYNC_SHIFT_BUDGET pixels of them a frame, and nothing
 * is held meanwhile: the old reference stays current until the switch. The alignment's dot
 * products start once its frames are moved (they read them), so the switch comes as many frames
 * later; the new reference's frames, its target and barrier are those of the move on one frame
 * (smooth_budget 0, as before) to the bit, and every phase before that switch too. All at once
 * the move took 5 ms at 160^2 and 25 ms at 512^2 on the refresh's establishing frame (issue 9:
 * no frame over 2 ms). */
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

#define NF 760
#define SZ 192
#define NOISE 4.0

struct run {
	int has_phase[NF];
	double unw[NF];
	int trig[NF];
	int64_t trig_ns[NF];
	int est;       /* the frame that established the first reference */
	int rest;      /* the refresh's establishing frame (its slot pending from it) */
	int sw;	       /* the frame that switched to the refreshed reference */
	int moved[NF]; /* the pending reference's frames moved on frame i */
	int held;      /* frames from rest to sw returned without a phase */
	int L;	       /* the refreshed reference's length */
	double target_phase, target_u, xabs;
	int barrier;
	uint8_t *ref; /* the refreshed reference's frames at the switch, L x SZ x SZ */
};

/* frames of slot q that differ from the input frame they were recorded from */
static int moved_frames(const struct seq *q, uint8_t *const *in)
{
	int n = 0;
	for (int j = 0; j < q->L; j++) {
		const uint8_t *src = in[q->f[j]->meta.sequence];
		for (int y = 0; y < SZ; y++)
			if (memcmp(ogate_frame_row(q->f[j], y), src + (size_t)y * SZ, SZ)) {
				n++;
				break;
			}
	}
	return n;
}

/* A blob heart (0.4 s at 80 fps) at 192^2 drifting 0.19 px a beat, noise 4, refreshed after 3
 * triggers; the smoothing's budget as given (0: everything on the frame that takes it) */
static void heart_run(long budget, uint8_t *const *in, struct run *out)
{
	memset(out, 0, sizeof(*out));
	out->est = out->rest = out->sw = -1;
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(0, ogate_settings_set(&set, "reference.drift_move", "1"));
	assert_int_equal(0, ogate_settings_set(&set, "refresh.after_triggers", "3"));
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->smooth_budget = budget;
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	int before = 0;
	for (int i = 0; i < NF && out->sw < 0; i++) {
		for (int y = 0; y < SZ; y++)
			memcpy((uint8_t *)f->pixels + (size_t)y * f->stride, in[i] + (size_t)y * SZ,
			       SZ);
		struct ogate_frame_meta m = { .timestamp_ns = 1000000000LL + llround(i / 80.0 * 1e9),
					      .sequence = (uint64_t)i };
		ogate_frame_set_meta(f, &m);
		struct ogate_sync_result r;
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		out->has_phase[i] = r.has_phase;
		out->unw[i] = r.unwrapped;
		out->trig[i] = r.triggered;
		out->trig_ns[i] = r.triggered ? r.trigger.time_ns : 0;
		if (r.established && out->est < 0) {
			out->est = i;
			continue;
		}
		if (out->rest >= 0)
			out->held += !r.has_phase;
		if (r.established) { /* the switch: the refreshed reference is current */
			out->sw = i;
			const struct seq *q = &sy->sq[sy->g_cur % sy->nseq];
			out->moved[i] = moved_frames(q, in) - before;
			out->L = q->L;
			out->target_phase = sy->info.target_phase;
			out->target_u = sy->info.target_u;
			out->barrier = sy->info.barrier;
			out->xabs = sy->xabs[sy->g_cur];
			size_t np = (size_t)SZ * SZ;
			out->ref = malloc(np * (size_t)q->L);
			assert_non_null(out->ref);
			for (int k = 0; k < q->L; k++)
				for (int y = 0; y < SZ; y++)
					memcpy(out->ref + np * k + (size_t)y * SZ,
					       ogate_frame_row(q->f[k], y), SZ);
			break;
		}
		if (sy->pend >= 0) {
			if (out->rest < 0)
				out->rest = i;
			int now = moved_frames(&sy->sq[sy->pend], in);
			out->moved[i] = now - before;
			before = now;
		}
	}
	assert_true(out->est >= 0);
	assert_true(out->rest > out->est);
	assert_true(out->sw > out->rest);
	ogate_frame_free(f);
	ogate_sync_free(sy);
}

static void a_refreshed_reference_is_moved_over_frames_none_held(void **state)
{
	(void)state;
	size_t np = (size_t)SZ * SZ;
	uint8_t *in[NF];
	struct ogate_heart_blob heart;
	assert_int_equal(0, ogate_heart_blob_init(&heart, SZ, SZ, 3));
	struct ogate_heart_law law = { 0.4, 0.0, 0.0, 7.0, 0.9, NF / 80.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 9);
	float *img = malloc(sizeof(float) * np), *sh = malloc(sizeof(float) * np);
	assert_non_null(img);
	assert_non_null(sh);
	for (int i = 0; i < NF; i++) {
		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, i / 80.0), 2 * M_PI),
					img);
		ogate_heart_rigid_shift(img, sh, SZ, SZ, 0.006 * i, -0.0045 * i);
		in[i] = malloc(np);
		assert_non_null(in[i]);
		for (size_t p = 0; p < np; p++) {
			double v = rint(sh[p] + NOISE * ogate_heart_rng_normal(&rng));
			in[i][p] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	static struct run one, spread;
	heart_run(0, in, &one);
	heart_run(SYNC_SMOOTH_BUDGET, in, &spread);
	int per = (int)(SYNC_SHIFT_BUDGET / np), most = 0;
	per = per > 1 ? per : 1;
	for (int i = spread.rest; i <= spread.sw; i++)
		most = spread.moved[i] > most ? spread.moved[i] : most;
	int shares = (spread.L + per - 1) / per;
	print_message("one frame: est %d, refresh est %d (moved %d on it), switch %d; spread: "
		      "refresh est %d (moved %d on it), at most %d a frame (budget %d), switch %d, "
		      "held %d, L %d\n",
		      one.est, one.rest, one.moved[one.rest], one.sw, spread.rest,
		      spread.moved[spread.rest], most, per, spread.sw, spread.held, spread.L);
	assert_int_equal(one.est, spread.est);
	assert_int_equal(one.rest, spread.rest);
	assert_int_equal(one.moved[one.rest], one.L);	/* the move on one frame, as before */
	assert_int_equal(spread.moved[spread.rest], 0); /* none on the establishing frame */
	assert_true(most >= 1 && most <= per);		/* no frame moves more than a share */
	assert_int_equal(spread.held, 0);		/* nothing held: the old reference gates */
	assert_int_equal(spread.sw, one.sw + shares);	/* the switch that many frames later */
	/* the same reference, target and barrier to the bit */
	assert_int_equal(one.L, spread.L);
	assert_memory_equal(one.ref, spread.ref, np * (size_t)one.L);
	assert_true(one.target_phase == spread.target_phase);
	assert_true(one.target_u == spread.target_u);
	assert_true(one.xabs == spread.xabs);
	assert_int_equal(one.barrier, spread.barrier);
	/* after the first reference's hold, every frame before the earlier switch phased alike */
	int nt = 0;
	for (int i = spread.est + 1; i < one.sw; i++) {
		assert_int_equal(one.trig[i], spread.trig[i]);
		assert_true(one.trig_ns[i] == spread.trig_ns[i]);
		nt += one.trig[i];
		if (!one.has_phase[i] || !spread.has_phase[i])
			continue;
		assert_true(one.unw[i] == spread.unw[i]);
	}
	assert_true(nt >= 3);
	free(one.ref);
	free(spread.ref);
	for (int i = 0; i < NF; i++)
		free(in[i]);
	free(img);
	free(sh);
	ogate_heart_blob_free(&heart);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_refreshed_reference_is_moved_over_frames_none_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
