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
 * the key (automatic, target.frame or target.phase_rad), then the determination goes on until
 * the newest cut's first frame lies half a beat before that target (up to one beat later), and
 * that cut is taken with the target and barrier kept at the same frames of the heart.
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
	if (s->set.target_frame >= 0) {
		*tu = s->set.target_frame;
	} else if (s->set.target_phase >= 0) {
		double pos[L];
		if (s->set.timestamp_positions && !s->ts_clock) {
			int64_t t[L];
			for (int j = 0; j < L; j++)
				t[j] = fp[j]->meta.timestamp_ns;
			ogate_reference_positions(t, (size_t)L, pos);
		} else {
			for (int j = 0; j < L; j++)
				pos[j] = j - OGATE_NE;
		}
		*tu = ogate_ref_index(pos, (size_t)L, s->set.target_phase * P / (2 * M_PI)) - OGATE_NE;
	}
	*seq0 = fp[OGATE_NE]->meta.sequence;
}

/* With rc and P the determination's answer on this frame (sync_determine): 1 while the first
 * reference waits for its cut (the frame takes none), else 0. */
int sync_refstart_wait(struct ogate_sync *s, int gap, int rc, double P)
{
	if (gap)
		s->rs_plan = 0; /* the buffer restarted: a new acceptance plans again */
	if (rc <= 0)
		return 0;
	int L = (int)floor(P) + 1 + 2 * OGATE_NE;
	if (!s->rs_plan) {
		int b;
		plan_target(s, P, &s->rs_tu, &b, &s->rs_base);
		s->rs_bar = b;
		/* the cut whose first frame lies half a beat before the target (the nearest frame),
		 * at this frame's or later */
		double d = fmod(s->rs_tu - P / 2, P), w = fmod(s->rs_tu, P);
		if (d < 0)
			d += P;
		if (w < 0)
			w += P;
		/* a target farther than start_from_target beats from the wrap, or half a beat from
		 * this cut's first frame already, keeps this cut as without the key */
		if ((w >= s->set.start_from_target * P && P - w > s->set.start_from_target * P) ||
		    lround(d) == 0)
			return 0;
		s->rs_seq0 = s->rs_base + (uint64_t)lround(d);
		s->rs_plan = 1;
	}
	uint64_t seq0 = sync_buf_at(s, s->count - 1 - L + OGATE_NE)->meta.sequence;
	if (seq0 < s->rs_seq0)
		return 1;
	/* agreement lost on the frames before (no reference taken): the next beat's cut */
	if ((double)(seq0 - s->rs_seq0) > P / 4) {
		s->rs_seq0 += (uint64_t)lround(P * ceil(((double)(seq0 - s->rs_seq0) - P / 4) / P));
		return seq0 < s->rs_seq0;
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
