// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The hold's schedule (sync_held_per_frame, sync_hold_frames) and a trigger decided on a held
 * frame (sync.c's held frames: reference.smooth's job, the first
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

/*
 * Frames held matched per frame once the work that holds them is done (sync.c, held_step), at
 * least 2 (a backlog then shrinks by one a frame) and at most 8. After the first reference's
 * move alone (sync_refmove.c): as many as fit the time of one of the hold's own frames,
 * SYNC_SMOOTH_BUDGET pixels of work. Measured with analysis_bench at 512^2 (least CPU;
 * docs/accuracy-log.md, "The scan's plain SAD row and its hold"): a move's or a job's frame
 * 1.0-1.8 ms there, about 0.6 ns a budget pixel; a windowed locked step 0.11 ms, 0.25 ms with
 * the drift's vector taps (the locked mean 0.26-0.34 ms there, every 8th a full search) (HOLD_STEP budget pixels a frame pixel, the more costly one); every
 * 8th step a full search over the reference's L frames (HOLD_SEARCH a frame pixel and a
 * reference frame: 1.1-1.3 ms over the slow heart's 133 frames, 0.3 ms over the fast heart's
 * 37). A frame of k steps holds at most one full search: k - 1 windowed steps and one full
 * search within the budget (4 a frame at 512^2 over 37 frames, 2 over 133, 8 below 400^2; at 1.3, 0.2 ms a step, 5
 * at 512^2 made its catch-up frames 1.2-1.6 ms).
 * After reference.smooth's job (job: the frames waited for it) the old rate, a step taken as 8
 * budget pixels a frame pixel (0.6 ms at 512^2 before the vector taps; 2 a frame at 512^2, 4 at
 * 256^2): caught up faster the hold decided more triggers just after the lock, where the
 * young rate is off (held.txt seed 7 Kalman 0.074 / 0.600 -> 0.207 / 1.229 ms, seed 13 0.336 /
 * 1.281 -> 0.163 / 0.633, as trigger.held found).
 */
#define HOLD_STEP 1.6	 /* budget pixels a frame pixel: a windowed locked step */
#define HOLD_SEARCH 0.06 /* and a reference frame: a full search's */
int sync_held_per_frame(const struct ogate_sync *s, int L, int job)
{
	double px = (double)s->w * s->h, full = HOLD_SEARCH * L * px, n;
	if (job || !(px > 0))
		n = px > 0 ? s->smooth_budget / (8 * px) : 8;
	else
		n = 1 + ((double)s->smooth_budget - full) / (HOLD_STEP * px);
	return n < 2 ? 2 : n > 8 ? 8 : (int)n;
}

/*
 * The frames a hold holds (returned without a phase, their triggers undecided) after the frame
 * that establishes a first reference of L frames, where its work (the move's shares, the
 * smoothing job's start on a frame of its own) takes `work` frames: those, the first held frame
 * matched alone on the next one (its drift search, sync_drift_bootstrap), then
 * sync_held_per_frame a frame until the frame that arrives is matched on arrival. With m shares
 * and the job's start that is 2 m + 2 at two a frame, not the 2 m the fit once counted.
 */
int sync_hold_frames(const struct ogate_sync *s, int L, int work)
{
	int k = sync_held_per_frame(s, L, 0), q = work, held = work + 1;
	for (; q + 1 > k; q += 1 - k)
		held++;
	return held;
}
