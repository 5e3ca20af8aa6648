// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Live phase-error estimate without ground truth (the reference system's retrospective
 * check): once the frames around a committed trigger have arrived, the phase actually reached
 * at the trigger time is read from them and compared with the target. The reference
 * interpolates between the two frames that bracket the trigger; a single frame's phase
 * carries its matching noise (~0.05-0.1 frame), which is as large as the error to be judged,
 * so here a line is fitted through QA_K frames on each side (QA_K = 1 is the reference's
 * method). Positive errors are late triggers.
 */
#include <math.h>
#include "sync_private.h"

#define QA_K 8

void sync_qa_add(struct ogate_sync *s, const struct ogate_sync_trigger *t)
{
	if (s->qa_n == QA_PENDING) { /* full: the oldest is dropped unchecked */
		s->qa_stats.unchecked++;
		for (int i = 1; i < QA_PENDING; i++)
			s->qa_pend[i - 1] = s->qa_pend[i];
		s->qa_n--;
	}
	s->qa_pend[s->qa_n++] = *t;
}

static double qa_weight(const struct hist *e)
{
	double ns = e->ns > 1 ? e->ns : 1, v = ns * ns;
	return 1 / (e->sp > v ? e->sp : v);
}

/* 1 and *out when the pending trigger t can be judged now, 0 to wait, -1 never */
static int judge(const struct ogate_sync *s, const struct ogate_sync_trigger *t,
		 struct ogate_sync_qa *out)
{
	int after = 0, k = 0;
	while (k < s->hn && sync_hist_at(s, k)->t_ns > t->time_ns)
		k++;
	after = k; /* entries 0..after-1 are later than the trigger */
	if (after < QA_K)
		return k == s->hn ? -1 : 0;
	if (after + QA_K > s->hn)
		return -1;
	/* weighted as the prediction's fit weighs its frames (sync_timing.c): by the inverse of
	 * the larger of the match's two relative variance estimates */
	double tm = 0, pm = 0, sw = 0;
	int n = 2 * QA_K, first = after - QA_K;
	for (int i = first; i < first + n; i++) {
		const struct hist *e = sync_hist_at(s, i);
		if (e->ref_id != t->ref_id || (i < first + n - 1 && e->gap_before))
			return -1;
		double w = qa_weight(e);
		tm += w * (double)(e->t_ns - t->time_ns) * 1e-9;
		pm += w * e->unw;
		sw += w;
	}
	tm /= sw;
	pm /= sw;
	double sxx = 0, sxy = 0;
	for (int i = first; i < first + n; i++) {
		const struct hist *e = sync_hist_at(s, i);
		double dt = (double)(e->t_ns - t->time_ns) * 1e-9 - tm, w = qa_weight(e);
		sxx += w * dt * dt;
		sxy += w * dt * (e->unw - pm);
	}
	double rate = sxx > 0 ? sxy / sxx : 0;
	if (!(rate > 0))
		return -1;
	double phi = pm - rate * tm; /* the line at the trigger time */
	out->trigger_time_ns = t->time_ns;
	out->target_phase = t->target_phase;
	out->phase_error = ogate_wrap_pi(phi - t->target_phase);
	out->error_s = out->phase_error / rate;
	return 1;
}

void sync_qa_step(struct ogate_sync *s, struct ogate_sync_result *r)
{
	int i = 0;
	while (i < s->qa_n) {
		struct ogate_sync_qa q;
		int rc = judge(s, &s->qa_pend[i], &q);
		if (rc == 0) {
			i++;
			continue;
		}
		if (rc > 0) {
			struct ogate_sync_qa_stats *st = &s->qa_stats;
			st->n++;
			s->qa_sum_s += q.error_s;
			s->qa_sum2_s += q.error_s * q.error_s;
			s->qa_sum2_rad += q.phase_error * q.phase_error;
			st->mean_s = s->qa_sum_s / (double)st->n;
			st->rms_s = sqrt(s->qa_sum2_s / (double)st->n);
			st->rms_rad = sqrt(s->qa_sum2_rad / (double)st->n);
			if (!r->has_qa) {
				r->has_qa = 1;
				r->qa = q;
			}
		} else {
			s->qa_stats.unchecked++;
		}
		for (int j = i + 1; j < s->qa_n; j++)
			s->qa_pend[j - 1] = s->qa_pend[j];
		s->qa_n--;
	}
}

int ogate_sync_get_qa_stats(const struct ogate_sync *s, struct ogate_sync_qa_stats *st)
{
	*st = s->qa_stats;
	return 0;
}
