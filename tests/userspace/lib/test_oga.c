// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Cross-refresh alignment (OGA "cc"): the reference's vectors on five real heartbeats. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>
#include "ogate/oga.h"
#include "ref_vectors.h"
#include "oga_gram.h"

#define Q 80

static const double *gram(int i, int j)
{
	static const double *const t[5][5] = {
		[0][1] = oga_h01, [0][2] = oga_h02, [1][2] = oga_h12,
		[0][3] = oga_h03, [1][3] = oga_h13, [2][3] = oga_h23,
		[1][4] = oga_h14, [2][4] = oga_h24, [3][4] = oga_h34,
	};
	return t[i][j];
}

static const double *adj(int k)
{
	static const double *const t[5] = { oga_adj0, oga_adj1, oga_adj2, oga_adj3, oga_adj4 };
	return t[k];
}

static void toy_cyclic_minimum_matches_reference(void **state)
{
	double pos, mv;
	ogate_oga_min_score(oga_toy_scores, Q, &pos, &mv);
	assert_true(fabs(pos - oga_toy_min_pos) < 1e-9);
	assert_true(mv == oga_toy_min_score); /* negative interpolated minimum clamped to 0.1 */
}

static void real_sequences_give_the_reference_shifts_and_scores(void **state)
{
	for (size_t e = 0; e < sizeof(oga_shift_history) / sizeof(oga_shift_history[0]); e++) {
		const struct oga_shift_vec *v = &oga_shift_history[e];
		double score[Q], pos, mv;
		ogate_oga_scores(gram(v->i, v->j), oga_len[v->i], oga_len[v->j], oga_period[v->i],
				 oga_period[v->j], adj(v->i), adj(v->j), Q, score);
		ogate_oga_min_score(score, Q, &pos, &mv);
		assert_true(fabs(pos - v->shift) < 1e-6);
		assert_true(fabs(mv - v->score) < 1e-6 * v->score);
	}
}

static void real_sequences_give_the_reference_targets(void **state)
{
	struct ogate_oga_shift sh[16];
	int nsh = 0;
	for (size_t e = 0; e < sizeof(oga_shift_history) / sizeof(oga_shift_history[0]); e++)
		sh[nsh++] = (struct ogate_oga_shift){ oga_shift_history[e].i, oga_shift_history[e].j,
						      oga_shift_history[e].shift,
						      oga_shift_history[e].score };
	for (int n = 1; n <= 5; n++) {
		double x[5];
		int m = 0;
		while (m < nsh && sh[m].j < n)
			m++;
		assert_int_equal(ogate_oga_solve(n, sh, m, Q, x), 0);
		double t = ogate_oga_target(10.0, oga_period[0], x[n - 1], oga_period[n - 1], Q);
		assert_true(fabs(t - oga_targets[n - 1]) < 1e-6);
		if (n == 5)
			for (int k = 0; k < 5; k++)
				assert_true(fabs(x[k] - oga_global_last[k]) < 1e-6);
	}
}

static void defect8_zero_score_gives_a_finite_solution(void **state)
{
	/* identical sequences: score 0; the reference's weight 1/score is infinite */
	struct ogate_oga_shift sh[3] = { { 0, 1, 0.0, 0.0 }, { 1, 2, 5.0, 1e8 }, { 0, 2, 5.0, 0.0 } };
	double x[3];
	assert_int_equal(ogate_oga_solve(3, sh, 3, Q, x), 0);
	for (int k = 0; k < 3; k++)
		assert_true(isfinite(x[k]));
	assert_true(fabs(x[0]) < 1e-9 && fabs(x[1]) < 1e-6 && fabs(x[2] - 5.0) < 1e-6);
}

static void offsets_accumulating_over_several_cycles_stay_consistent(void **state)
{
	/* true offsets beyond 2Q; shifts are only known modulo Q. The (0, 3) shift reads 39 but
	 * the adjacent solution says 199: two cycles, which OGA's single +-Q step leaves wrong. */
	const double truth[5] = { 0, 45, 120, 199, 240 };
	struct ogate_oga_shift sh[16];
	int m = 0;
	for (int j = 1; j < 5; j++)
		for (int i = j - 3 < 0 ? 0 : j - 3; i < j; i++)
			sh[m++] = (struct ogate_oga_shift){ i, j, fmod(truth[j] - truth[i], Q), 1e6 };
	double x[5];
	assert_int_equal(ogate_oga_solve(5, sh, m, Q, x), 0);
	for (int k = 0; k < 5; k++)
		assert_true(fabs(x[k] - truth[k]) < 1e-6);
}

static void gram_scores_equal_direct_resampled_scores(void **state)
{
	/* small random sequences: resample explicitly and sum squared differences */
	enum { La = 9, Lb = 11, W = 5, Hh = 3, QQ = 16 };
	double Pa = 6.4, Pb = 7.3;
	uint8_t a[La][W * Hh], b[Lb][W * Hh];
	uint32_t s = 99;
	for (int i = 0; i < La; i++)
		for (int p = 0; p < W * Hh; p++)
			a[i][p] = (uint8_t)((s = s * 1103515245 + 12345) >> 16);
	for (int i = 0; i < Lb; i++)
		for (int p = 0; p < W * Hh; p++)
			b[i][p] = (uint8_t)((s = s * 1103515245 + 12345) >> 16);
	struct ogate_frame *fa[La], *fb[Lb];
	for (int i = 0; i < La; i++)
		fa[i] = ogate_frame_wrap(OGATE_PIX_U8, W, Hh, W, a[i]);
	for (int i = 0; i < Lb; i++)
		fb[i] = ogate_frame_wrap(OGATE_PIX_U8, W, Hh, W, b[i]);
	double hab[La * Lb], ha[2 * La], hb[2 * Lb];
	for (int i = 0; i < La; i++)
		for (int j = 0; j < Lb; j++)
			hab[i * Lb + j] = ogate_frame_dot(fa[i], fb[j]);
	for (int i = 0; i < La; i++) {
		ha[i] = ogate_frame_dot(fa[i], fa[i]);
		ha[La + i] = ogate_frame_dot(fa[i], fa[(i + 1) % La]);
	}
	for (int i = 0; i < Lb; i++) {
		hb[i] = ogate_frame_dot(fb[i], fb[i]);
		hb[Lb + i] = ogate_frame_dot(fb[i], fb[(i + 1) % Lb]);
	}
	double score[QQ];
	ogate_oga_scores(hab, La, Lb, Pa, Pb, ha, hb, QQ, score);
	double ra[QQ][W * Hh], rb[QQ][W * Hh];
	for (int k = 0; k < QQ; k++) {
		double x = k * Pa / QQ, f = x - floor(x);
		int i0 = (int)floor(x);
		for (int p = 0; p < W * Hh; p++)
			ra[k][p] = (1 - f) * a[i0][p] + f * a[(i0 + 1) % La][p];
		x = k * Pb / QQ;
		f = x - floor(x);
		i0 = (int)floor(x);
		for (int p = 0; p < W * Hh; p++)
			rb[k][p] = (1 - f) * b[i0][p] + f * b[(i0 + 1) % Lb][p];
	}
	for (int r = 0; r < QQ; r++) {
		double d = 0;
		for (int k = 0; k < QQ; k++)
			for (int p = 0; p < W * Hh; p++) {
				double e = ra[k][p] - rb[(k + r) % QQ][p];
				d += e * e;
			}
		assert_true(fabs(d - score[r]) < 1e-6 * d);
	}
	for (int i = 0; i < La; i++)
		ogate_frame_free(fa[i]);
	for (int i = 0; i < Lb; i++)
		ogate_frame_free(fb[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(toy_cyclic_minimum_matches_reference),
		cmocka_unit_test(real_sequences_give_the_reference_shifts_and_scores),
		cmocka_unit_test(real_sequences_give_the_reference_targets),
		cmocka_unit_test(defect8_zero_score_gives_a_finite_solution),
		cmocka_unit_test(offsets_accumulating_over_several_cycles_stay_consistent),
		cmocka_unit_test(gram_scores_equal_direct_resampled_scores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
