// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * reference.start_from_target (opt-in): the first reference taken so that the target lies in
 * its middle. A beat length the calibration's beat model misses (the reference holds P + m
 * frames, the model reads P) leaves the ramp m (u / P - 1/2) in the table, and the pin holds its
 * mean at the reference frames, so a target at u_t keeps m (u_t / P - 1/2): +m / 2 just after
 * the reference's first frame (early), -m / 2 just before its last (late), 0 in its middle
 * (docs/accuracy-log.md, "A target at the reference's wrap" and "The fast row's early bias",
 * point 3). Where the reference starts is the determination's choice: where the period is
 * accepted the target (and barrier) are chosen on the cut that frame would take, as without
 * the key (automatic, target.frame or target.phase_rad); where it lies within |key| beats of
 * that cut's wrap (a negative key: before the wrap only) the determination goes on until the
 * newest cut's first frame lies half a beat before that target (up to one beat later), and that
 * cut is taken with the target and barrier moved by the whole frames the cut moved: a target
 * before the wrap keeps its frame of the stream, one after it lands on the frame a beat of the
 * reference on (the reference cannot start before the buffer's oldest frames). Not the default:
 * docs/accuracy-log.md, "The reference started half a beat before the target" (session 20).
 */
#include <math.h>
#include <string.h>
#include "sync_private.h"

/* The target and barrier (unpadded frames) of a reference cut from the newest buffered frames
 * for period P, chosen as sync_establish_seq and sync_determine_first would, without moving
 * the frames; *seq0 its first unpadded frame's sequence. */
static void plan_target(struct ogate_sync *s, double P, double *tu, int *barrier, uint64_t *seq0)
{
	int L = (int)floor(P) + 1 + 2 * OGATE_NE, first = s->count - 1 - L, N = L - 2 * OGATE_NE;
	struct ogate_frame *fp[L];
	double delta[N];
	struct seq q;
	memset(&q, 0, sizeof(q));
	for (int j = 0; j < L; j++)
		fp[j] = sync_buf_at(s, first + j);
	q.f = fp;
	q.L = L;
	for (int i = 0; i < N; i++)
		delta[i] = s->prevsad[(s->head + first + OGATE_NE + i + 1) % s->cap];
	s->ref_rows = 1; /* the change profile reads the determination's stored SADs */
	s->ref_slot0 = (s->head + first) % s->cap;
	sync_change_profile(s, &q, P, delta, N);
	s->ref_rows = 0;
	ogate_target_barrier(delta, (size_t)N, P, tu, barrier);
	double pos[L];
	sync_ref_positions(s, fp, L, pos);
	*tu = sync_target_setting(s, pos, L, P, *tu);
	*seq0 = fp[OGATE_NE]->meta.sequence;
}

/* the accepted period P and the determination's values for it (on frame f) kept */
static void snapshot(struct ogate_sync *s, const struct ogate_frame *f, double P)
{
	s->rs_snap_seq = f->meta.sequence;
	s->rs_P = P;
	s->rs_trend = s->det_trend;
	s->rs_lagc = s->det_lagc;
	s->rs_period_ns = s->det_period_ns;
	memcpy(s->rs_lags, s->det_lags, sizeof(s->rs_lags));
}

/* the snapshot's values k frames on (the cut's middle k frames later): the beat length on its
 * trend, the lags' x (beat middle minus the reference's middle) k frames less */
static double snapshot_moved(struct ogate_sync *s, double k)
{
	double P = s->rs_P + s->rs_trend * k, *l = s->det_lags;
	memcpy(l, s->rs_lags, sizeof(s->rs_lags));
	l[3] = l[3] - 2 * k * l[1] + l[0] * k * k;
	l[4] = l[4] - k * l[2];
	l[1] = l[1] - l[0] * k;
	s->det_trend = s->rs_trend;
	s->det_lagc = s->rs_lagc;
	s->det_period_ns = s->rs_P > 0 ? s->rs_period_ns * P / s->rs_P : s->rs_period_ns;
	return P;
}

/* With *rc and *P the determination's answer on frame f (sync_determine): 1 while the first
 * reference waits for its cut (the frame takes none), else 0, with *rc 1 and *P the period
 * where the cut waited for is taken on a frame whose estimates do not agree. */
int sync_refstart_wait(struct ogate_sync *s, const struct ogate_frame *f, int gap, int *rc, double *P)
{
	if (gap)
		s->rs_plan = 0; /* the buffer restarted: a new acceptance plans again */
	if (*rc < 0 || (!s->rs_plan && *rc == 0))
		return 0;
	if (!s->rs_plan) {
		int b;
		double Pa = *P;
		plan_target(s, Pa, &s->rs_tu, &b, &s->rs_base);
		s->rs_bar = b;
		/* the cut whose first frame lies half a beat before the target (the nearest frame),
		 * at this frame's or later */
		double d = fmod(s->rs_tu - Pa / 2, Pa), w = fmod(s->rs_tu, Pa);
		if (d < 0)
			d += Pa;
		if (w < 0)
			w += Pa;
		/* a target farther than |start_from_target| beats from the wrap (or, where it is
		 * negative, after the wrap: a later cut holds the frame a beat on), or half a beat
		 * from this cut's first frame already, keeps this cut as without the key */
		double F = fabs(s->set.start_from_target);
		if ((w >= F * Pa && Pa - w > F * Pa) ||
		    (s->set.start_from_target < 0 && w < Pa / 2) || lround(d) == 0)
			return 0;
		s->rs_seq0 = s->rs_base + (uint64_t)lround(d);
		s->rs_plan = 1;
	}
	if (*rc == 1)
		snapshot(s, f, *P);
	double k = (double)(f->meta.sequence - s->rs_snap_seq);
	double Pn = *rc == 1 ? *P : s->rs_P + s->rs_trend * k;
	int L = (int)floor(Pn) + 1 + 2 * OGATE_NE;
	if (L > s->count - 1 || f->meta.sequence - (uint64_t)(L - OGATE_NE) < s->rs_seq0)
		return 1;
	if (*rc == 0) {
		*P = snapshot_moved(s, k);
		*rc = 1;
	}
	return 0;
}

/* After sync_establish_seq took slot 0: the planned target and barrier at the same frames of
 * the heart in the reference taken (*tu, its info's barrier). */
void sync_refstart_apply(struct ogate_sync *s, double *tu)
{
	if (!s->rs_plan)
		return;
	struct seq *q = &s->sq[0];
	double P = q->info.period_frames, shift = (double)(int64_t)(q->info.first_seq - s->rs_base);
	*tu = s->rs_tu - shift;
	double b = fmod(s->rs_bar - shift, P);
	if (b < 0)
		b += P;
	q->info.barrier = (int)floor(b);
	s->rs_plan = 0;
}
