/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where the first reference put its target, in the true heart's phase: shared by the suites that
 * pin the target heuristic (test_target_noise.c, test_change_profile_drift.c). Include after
 * "heart.c" and "sync_private.h".
 */
#ifndef OGATE_TEST_PLACED_TARGET_H
#define OGATE_TEST_PLACED_TARGET_H

struct placed {
	double target_psi; /* the true heart phase at the reference's target (rad) */
	double P;	   /* the reference's period (frames) */
	int lag;	   /* frames between the pairs the target was chosen on */
	int first;	   /* the reference's first frame in the heart's run */
	double tu;	   /* the target in the reference (frames) */
};

/* the established reference of sy, its stream started k0 frames into the heart's run (law) at fps */
static inline struct placed placed_read(struct ogate_sync *sy, const struct ogate_heart_law *law,
					double fps, int k0)
{
	struct ogate_reference_info info;
	struct placed out;

	assert_int_equal(0, ogate_sync_get_reference(sy, &info));
	double x = (double)(info.first_seq + (uint64_t)k0) + info.target_u;
	out.target_psi = fmod(ogate_heart_law_psi(law, x / fps), 2 * M_PI);
	out.P = info.period_frames;
	out.lag = sy->sq[sy->g_cur].change_lag;
	out.first = (int)info.first_seq + k0;
	out.tu = info.target_u;
	return out;
}

/* frames of the beat from a to b */
static inline double frames_apart(struct placed a, struct placed b)
{
	return fabs(ogate_wrap_pi(a.target_psi - b.target_psi)) * b.P / (2 * M_PI);
}

#endif
