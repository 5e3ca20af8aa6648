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

void sync_held_decide(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	if (!s->have_ref || s->hn == 0 || !s->set.held_triggers)
		return;
	const struct hist *h0 = sync_hist_at(s, 0);
	/* the forecast the newest phased frame's own decision made (sync_predict_and_decide) */
	struct ogate_prediction pr;
	if (h0->ref_id != s->info.id ||
	    sync_forecast(s, ogate_wrap_2pi(h0->unw), h0->unw, h0->t_ns, &pr))
		return;
	/* the phase at the held frame's timestamp on the forecast's line, and the wait from it */
	int64_t tl = f->meta.timestamp_ns;
	double wait;
	if (ogate_forecast_wait(pr.phase_now + pr.rate * (double)(tl - h0->t_ns) * 1e-9, pr.rate,
				s->info.target_phase, &wait) ||
	    !(wait > 0))
		return;
	if (sync_fire(s, f, wait, pr.rate, r))
		s->triggers_since_ref++;
}
