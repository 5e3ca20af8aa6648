// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A trigger decided on a held frame (sync.c's held frames: reference.smooth's job, the first
 * reference's move, their catch-up). A held frame is phased only later, so the decision a
 * phased frame makes (sync_predict_and_decide) cannot be made on it; a trigger due meanwhile
 * was lost: from 384^2 the scan's first reference held 26-46 frames and lost the first target
 * (docs/accuracy-log.md, "The scan-registered reference's move spread"). Here the frame that
 * arrives held decides from the predictor's last state: the forecast made on the newest phased
 * frame (the same window and weights that frame's decision would have fitted) is carried to the
 * held frame's own timestamp, and the same rules decide (latency, panic, half a period since the
 * last trigger, the minimum time between triggers). When the held frames are matched later the
 * trigger stands as the beat's: the same rules keep their decisions from sending a second one.
 * Opt-in (trigger.held = 1): just after the lock the window's rate is still 5-9 % off on the
 * scan's drifting path, and carried over the backlog as well as the wait the first trigger
 * fell 3.4-7.8 ms early at 512^2; on the matrix (seed 29) the one trigger it gained was 1.25 ms
 * late with Kalman (docs/accuracy-log.md, "Triggers decided on held frames").
 */
#include <math.h>
#include "predictor_private.h"
#include "sync_private.h"

/* The frames of the current reference's window ending at the newest phased frame, as
 * sync_predict_and_decide chooses them for that frame: back to the barrier crossing and at
 * least nmin, never across a gap or a reference change; 0 where that frame would not predict. */
static int held_window(const struct ogate_sync *s)
{
	const struct ogate_settings *st = &s->set;
	const struct hist *h0 = sync_hist_at(s, 0);
	double P = s->info.period_frames;
	double phi_b = 2 * M_PI * s->info.barrier / P;
	double unw_b = h0->unw - ogate_wrap_2pi(ogate_wrap_2pi(h0->unw) - phi_b) - 1e-9;
	double ivl0 = ogate_sync_frame_interval(s);
	int nmin = ogate_fit_min_frames(st->next_frame_factor + (ivl0 > 0 ? st->latency_s / ivl0 : 0));
	if (nmin < st->min_frames_for_fit)
		nmin = st->min_frames_for_fit;
	if (nmin > st->max_frames_for_fit)
		nmin = st->max_frames_for_fit;
	int n = 0, reached = 0;
	while (n < s->hn && n < st->max_frames_for_fit) {
		const struct hist *e = sync_hist_at(s, n);
		if (e->ref_id != s->info.id)
			break;
		if (e->unw < unw_b) {
			reached = 1;
			if (n >= nmin)
				break;
		}
		n++;
		if (e->gap_before)
			break;
	}
	if (n == st->max_frames_for_fit)
		reached = 1;
	return reached && n >= nmin ? n : 0;
}

void sync_held_decide(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	const struct ogate_settings *st = &s->set;
	if (!s->have_ref || s->hn == 0 || !s->set.held_triggers)
		return;
	const struct hist *h0 = sync_hist_at(s, 0);
	int n = h0->ref_id == s->info.id ? held_window(s) : 0;
	if (n == 0)
		return;
	for (int i = 0; i < n; i++) {
		const struct hist *e = sync_hist_at(s, n - 1 - i);
		s->fit_t[i] = (double)(e->t_ns - h0->t_ns) * 1e-9;
		s->fit_p[i] = e->unw;
		s->fit_w[i] = sync_hist_weight(e);
	}
	struct ogate_prediction pr;
	if (ogate_predictor_predict_weighted(s->pred, s->fit_t, s->fit_p, s->fit_w, (size_t)n,
					     s->info.target_phase, &pr))
		return;
	/* the phase at the held frame's timestamp on the forecast's line, and the wait from it */
	int64_t tl = f->meta.timestamp_ns;
	double wait;
	if (ogate_forecast_wait(pr.phase_now + pr.rate * (double)(tl - h0->t_ns) * 1e-9, pr.rate,
				s->info.target_phase, &wait) ||
	    !(wait > 0))
		return;
	double t = (double)(tl - s->t0_ns) * 1e-9;
	double recent = s->recent_trigger_s;
	int reason = ogate_trigger_decide(t, &wait, ogate_sync_frame_interval(s), 2 * M_PI / pr.rate,
					  st->latency_s, st->next_frame_factor, &recent);
	if (reason != OGATE_TRIGGER_STANDARD && reason != OGATE_TRIGGER_PANIC)
		return;
	int64_t when = tl + (int64_t)llround(wait * 1e9);
	if (s->have_sent && (double)(when - s->last_sent_ns) * 1e-9 < st->min_time_between_s)
		return;
	s->recent_trigger_s = recent;
	s->last_sent_ns = when;
	s->have_sent = 1;
	s->triggers_since_ref++;
	r->triggered = 1;
	r->trigger = (struct ogate_sync_trigger){
		.time_ns = when,
		.decided_at_ns = tl,
		.decided_at_seq = f->meta.sequence,
		.target_phase = s->info.target_phase,
		.period_s = 2 * M_PI / pr.rate,
		.ref_id = s->info.id,
		.ref_first_seq = s->info.first_seq,
		.ref_period_frames = s->info.period_frames,
		.target_u = s->info.target_u,
		.reason = reason,
	};
	sync_qa_add(s, &r->trigger);
	if (s->sink)
		s->sink(s->sink_ctx, &r->trigger);
}
