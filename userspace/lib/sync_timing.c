// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Frame timing (measured interval, gaps), the fit window back to the barrier, prediction and the trigger decision. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"

double ogate_sync_frame_interval(const struct ogate_sync *s)
{
	if (!s->ivl_n)
		return 0;
	double v[IVL_N];
	memcpy(v, s->ivl, sizeof(double) * (size_t)s->ivl_n);
	return sync_median_in_place(v, s->ivl_n);
}

/* The current reference's mean frame interval (s): the span of its frames' timestamps over
 * L - 1, the unit of its positions (ogate_reference_positions) and so of its period. The median
 * of the last 15 intervals (ogate_sync_frame_interval) is the same on even captures, but with
 * capture jitter it scatters by 1.25 x sqrt(2) sd / sqrt(15) (0.9 ms at 2 ms): 14 % of a 150 fps
 * interval, where the rate the Kalman filter starts from at lock may be off by 1.5 %
 * (docs/accuracy-log.md, "A bias that grows with capture jitter"). The median where there is no
 * reference. */
double sync_reference_interval(const struct ogate_sync *s)
{
	if (s->have_ref && s->L > 1) {
		int64_t span = s->ref[s->L - 1]->meta.timestamp_ns - s->ref[0]->meta.timestamp_ns;
		if (span > 0)
			return (double)span * 1e-9 / (s->L - 1);
	}
	return ogate_sync_frame_interval(s);
}

/* The measured intervals' spread: capture jitter, as a standard deviation (1.2533 x their mean
 * absolute deviation from the measured interval, a running mean over the last ~64: the median
 * absolute deviation of the 15 intervals kept for the median scatters by a third, and at 2 ms
 * of jitter at 200 fps its low draws still let one interval in a few thousand be a gap). A
 * late frame is a gap only beyond 4 spreads of it, so that uneven captures with consecutive
 * sequence numbers do not cut the stream into pieces; a dropped frame that shows in the
 * sequence is a gap whatever the jitter. Also sync.beat_delta_wrap's gate (sync_calib_live.c). */
#define IVL_DEV_N 64

double sync_interval_spread(const struct ogate_sync *s)
{
	return 1.2533 * s->ivl_dev;
}

/* Check that time and sequence advance, detect a gap (a sequence jump, or an interval longer
 * than gap_factor x the measured one plus 4 x its spread) and update the measured interval. 0 or -EINVAL. */
int sync_timing_advance(struct ogate_sync *s, const struct ogate_frame *f, int *gap)
{
	int g = 0;
	if (s->have_last) {
		int64_t dt = f->meta.timestamp_ns - s->last_ns;
		if (dt <= 0 || f->meta.sequence <= s->last_seq) {
			fprintf(stderr, "ogate: frame %llu: timestamp or sequence does not advance\n",
				(unsigned long long)f->meta.sequence);
			return -EINVAL;
		}
		double ivl = ogate_sync_frame_interval(s);
		if (f->meta.sequence != s->last_seq + 1)
			g = 1;
		else if (ivl > 0 &&
			 (double)dt * 1e-9 > s->set.gap_factor * ivl + 4 * sync_interval_spread(s) &&
			 s->ivl_n >= 3)
			g = 1;
		if (f->meta.sequence == s->last_seq + 1 && !g) {
			if (ivl > 0) {
				s->ivl_dev_n++;
				s->ivl_dev += (fabs((double)dt * 1e-9 - ivl) - s->ivl_dev) /
					      (double)(s->ivl_dev_n < IVL_DEV_N ? s->ivl_dev_n
										: IVL_DEV_N);
			}
			s->ivl[s->ivl_pos] = (double)dt * 1e-9;
			s->ivl_pos = (s->ivl_pos + 1) % IVL_N;
			if (s->ivl_n < IVL_N)
				s->ivl_n++;
		}
	}
	s->have_last = 1;
	s->last_ns = f->meta.timestamp_ns;
	s->last_seq = f->meta.sequence;
	*gap = g;
	return 0;
}

static double seconds(const struct ogate_sync *s, int64_t ns)
{
	return (double)(ns - s->t0_ns) * 1e-9;
}

const struct hist *sync_hist_at(const struct ogate_sync *s, int back)
{
	return &s->hist[(s->hhead - 1 - back + 2 * s->hcap) % s->hcap];
}

/* The window reaches back to the barrier crossing (unwrapped phase unw_b), and at least as far as
 * a line needs to extrapolate to the trigger no noisier than one frame's phase: with few frames
 * per beat the barrier can lie 3-5 frames before the target, and a line through 3 frames carried
 * 2 frames ahead multiplies each frame's matching error by ~2 (a bias wherever those errors
 * repeat every beat). Never across a gap or a reference change, and never with fewer frames
 * than that: 0 then (just after the lock, a gap or a reference change: no prediction; the first
 * trigger after a lock at 6-8 frames per beat was decided on 4 frames, and one of them matched
 * a frame late put it 1.6 frames (50 ms on a 0.25 s heart) early; the next beat's trigger, from
 * a full window, is better than a wrong one now).
 * After a lock or a reference change the barrier's first crossing may lie before the
 * reference's first frame in the history, so no window reached it until the next beat: a target
 * just past the barrier lost the beat after the lock (unseen-103.txt's u02_real240_0.35s_45fps,
 * barrier 0.25 frame before the target: coverage 96 % on its 8.7 s). Every frame since then lies
 * after that crossing, so with prediction.window_from_lock (the default) they are the window
 * once they span half a beat and the extrapolation's frames; *from_lock says so, and such a
 * forecast commits only a standard trigger (sync_fire, sync_fire_late: a panic one from it
 * fired 10.7 ms late, 0.45 frame, on unseen-102.txt's u32_blob48_0.39s_42fps). */
static int sync_fit_window(const struct ogate_sync *s, double unw_b, int *from_lock)
{
	const struct ogate_settings *st = &s->set;
	double ivl0 = ogate_sync_frame_interval(s);
	int nmin = ogate_fit_min_frames(st->next_frame_factor + (ivl0 > 0 ? st->latency_s / ivl0 : 0));
	if (nmin < st->min_frames_for_fit)
		nmin = st->min_frames_for_fit;
	if (nmin > st->max_frames_for_fit)
		nmin = st->max_frames_for_fit;
	/* all: the loop stopped at this reference's first frame (a reference change or the
	 * history's start, which is longer than the longest window: sync_new), not at a gap */
	int n = 0, reached = 0, all = 1;
	*from_lock = 0;
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
		if (e->gap_before) {
			all = 0;
			break; /* the fit never spans a gap */
		}
	}
	if (n == st->max_frames_for_fit)
		reached = 1;
	if (reached)
		return n >= nmin ? n : 0;
	if (st->window_from_lock && all && n >= nmin && n >= s->info.period_frames / 2) {
		*from_lock = 1;
		return n;
	}
	return 0;
}

/* The newest n history entries into the fit's arrays, oldest first, times from t_ref_ns. */
static void sync_fit_fill(struct ogate_sync *s, int n, int64_t t_ref_ns)
{
	for (int i = 0; i < n; i++) {
		const struct hist *e = sync_hist_at(s, n - 1 - i);
		s->fit_t[i] = (double)(e->t_ns - t_ref_ns) * 1e-9;
		s->fit_p[i] = e->unw;
		s->fit_w[i] = sync_hist_weight(e);
	}
}

/* The predictor's forecast from the window back to the barrier crossing before the frame at
 * phase (wrapped) and unw (unwrapped), its times from t_ref_ns: 0 and *pr, or -1 where there is
 * none (too few frames since a lock, gap or reference change; the predictor not ready). The
 * phased frame's decision and the held frame's (sync_hold.c). */
int sync_forecast(struct ogate_sync *s, double phase, double unw, int64_t t_ref_ns,
		  struct ogate_prediction *pr)
{
	double phi_b = 2 * M_PI * s->info.barrier / s->info.period_frames;
	double since = ogate_wrap_2pi(phase - phi_b); /* phase travelled since the barrier */
	int n = sync_fit_window(s, unw - since - 1e-9, &s->fit_from_lock);
	if (n == 0)
		return -1;
	sync_fit_fill(s, n, t_ref_ns);
	return ogate_predictor_predict_weighted(s->pred, s->fit_t, s->fit_p, s->fit_w, (size_t)n,
						s->info.target_phase, pr)
		       ? -1
		       : 0;
}

/* Commit a trigger decided on frame f: wait s after its timestamp, for reason, the beat's
 * trigger time recent (s); 0 when the minimum time between triggers refuses it, else 1
 * (r->trigger filled, the live check and the sink told). */
static int sync_commit(struct ogate_sync *s, const struct ogate_frame *f, double wait, double rate,
		       int reason, double recent, struct ogate_sync_result *r)
{
	int64_t tl = f->meta.timestamp_ns;
	int64_t when = tl + (int64_t)llround(wait * 1e9);
	if (s->have_sent && (double)(when - s->last_sent_ns) * 1e-9 < s->set.min_time_between_s)
		return 0;
	s->recent_trigger_s = recent;
	s->last_sent_ns = when;
	s->have_sent = 1;
	r->triggered = 1;
	r->trigger = (struct ogate_sync_trigger){
		.time_ns = when,
		.decided_at_ns = tl,
		.decided_at_seq = f->meta.sequence,
		.target_phase = s->info.target_phase,
		.period_s = 2 * M_PI / rate,
		.ref_id = s->info.id,
		.ref_first_seq = s->info.first_seq,
		.ref_period_frames = s->info.period_frames,
		.target_u = s->info.target_u,
		.reason = reason,
	};
	sync_qa_add(s, &r->trigger);
	if (s->sink)
		s->sink(s->sink_ctx, &r->trigger);
	return 1;
}

/*
 * trigger.first_on_time (the default): on the lock's first beat (no trigger since the reference
 * was taken, less than a period of frames matched to it) a trigger is sent only on time, as a
 * standard commit: a panic commit or a late one there is refused and the beat left. The first
 * forecasts after a lock land inside the latency budget on about latency / period of the locks
 * (the lock comes wherever the determination agrees), and sent at the budget they fired 8-14 ms
 * late, each the worst trigger of its row (blob96_0.2s_60fps at four seeds: +10.0 ms against
 * at most 0.74 for the 98 others, RMS 1.06 ms against 0.33 without it). Coverage counts from a
 * period after the lock, so it never counted that beat. After the first beat panics are sent
 * again, so a stream whose every forecast is a panic still fires. docs/accuracy-log.md, "The
 * lock's first beat: on time or not at all".
 */
static int lock_first_beat(const struct ogate_sync *s)
{
	return s->set.first_on_time && !s->triggers_since_ref &&
	       s->frames_since_ref < s->info.period_frames;
}

/* Frame f decides: a trigger wait s after its timestamp at heart rate rate (rad/s), through the
 * latency, panic and half-period rules and the minimum time between triggers; 1 if it fired
 * (r->trigger filled, the live check and the sink told). A panic commit (the forecast closer
 * than the latency budget, the time the instrument needs from a frame's timestamp to a trigger
 * it can still honour) is sent for the frame's time plus the budget when
 * trigger.panic_at_latency is set (the default), as the late rule sends its triggers: the sink
 * gets the time that fires. Like the late rule's, such a trigger is sent only if it lags the
 * forecast by at most trigger.late_max of a period (a 0.2 s heart's first forecast after a lock
 * landing 1-6 ms ahead of its frame would otherwise be imaged 9-14 ms, 5-7 % of a period, late);
 * beyond that the beat is lost, and the next one is gated in time. Sent for the forecast instead
 * (the reference's way), the real chain fires it late, when it gets to it, or refuses it as past
 * (ogated's output.late_us), while the emulator scored it at the forecast (docs/accuracy-log.md,
 * "A panic trigger the instrument cannot honour"). The next frame counted on for a standard
 * commit is next_frame_factor intervals on, or under capture jitter one interval plus
 * trigger.jitter_margin spreads of them if later: at 200 fps with 2 ms of jitter a frame that came
 * late found the target inside the budget on 3-5 beats a row, sent 4-5 ms late ("Panic commits
 * under capture jitter"). */
int sync_fire(struct ogate_sync *s, const struct ogate_frame *f, double wait, double rate,
	      struct ogate_sync_result *r)
{
	const struct ogate_settings *st = &s->set;
	double recent = s->recent_trigger_s, t = seconds(s, f->meta.timestamp_ns);
	double ivl = ogate_sync_frame_interval(s), nff = st->next_frame_factor;
	if (ivl > 0)
		nff = fmax(nff, 1 + st->jitter_margin * sync_interval_spread(s) / ivl);
	int reason = ogate_trigger_decide(t, &wait, ivl, 2 * M_PI / rate, st->latency_s, nff, &recent);
	if (reason != OGATE_TRIGGER_STANDARD &&
	    (reason != OGATE_TRIGGER_PANIC || s->fit_from_lock || lock_first_beat(s)))
		return 0;
	if (reason == OGATE_TRIGGER_PANIC && st->panic_lat && wait < st->latency_s) {
		/* sent late by latency - wait: within trigger.late_max of a period, as the
		 * late rule's, or the beat is lost rather than imaged at the wrong phase */
		if (st->latency_s - wait > st->late_max * (2 * M_PI / rate))
			return 0;
		wait = st->latency_s;
		recent = t + wait;
	}
	return sync_commit(s, f, wait, rate, reason, recent, r);
}

/* the frames without a forecast the late rule looks back over */
#define LATE_MAX_BACK 16

/* The late rule. The decision waits while a later frame can still commit in time (over
 * next_frame_factor frames and the latency ahead), so the frame that commits is the one whose
 * forecast has the target within that horizon. When no frame sees it there, the forecast
 * crossing passes between two forecasts and the wait rolls on to almost a period: the beat is
 * lost unless fired now. Two ways: the forecast crossing steps earlier by more than a frame (a
 * matched phase that holds for some frames then jumps several reference frames at once, as small
 * noise-free frames do), or the frames in between had no forecast (the Kalman filter restarting
 * after consecutive outliers: 4 frames without one on a noise-free 48^2 real heart, and 4 of its
 * 23 beats lost; docs/accuracy-log.md, "Hearts nobody tuned on" and "A beat lost between two
 * forecasts"). The beat is fired now (at the latency) with its own reason (OGATE_TRIGGER_LATE)
 * when: the last forecast (same reference, no gap since) waited, its crossing before this frame
 * or less than half a period after it (the same beat); this frame's forecast has the crossing
 * passed (however long ago: a wrong rate can hold the forecast crossing ahead while the phase
 * goes by it, as a noisy 300-frames-a-beat heart's line did, its period read as 4.3 s for 2.7,
 * then 26 ms passed a frame later); the trigger would lag the crossing by at most
 * trigger.late_max of a period (0.05: half the outlier bound, a trigger over 10 % of a
 * period off; 0: never, the beat is lost); and the beat has no trigger (none in the last half
 * period). Otherwise nothing changes (a stream where every beat is committed in time gives
 * byte-identical triggers). 1 if it fired. */
static int sync_fire_late(struct ogate_sync *s, const struct ogate_frame *f, double wait,
			  double rate, struct ogate_sync_result *r)
{
	int64_t tl = f->meta.timestamp_ns;
	if (s->fit_from_lock || !s->late_armed || !(s->set.late_max > 0) || s->hn < 2 ||
	    sync_hist_at(s, 0)->t_ns != tl || lock_first_beat(s))
		return 0;
	/* back to the frame of the forecast that waited: same reference, no gap */
	for (int i = 0;; i++) {
		if (i + 1 >= s->hn || i >= LATE_MAX_BACK)
			return 0;
		const struct hist *e = sync_hist_at(s, i), *o = sync_hist_at(s, i + 1);
		if (e->gap_before || o->ref_id != s->info.id)
			return 0;
		if (o->t_ns == s->late_prev_ns)
			break;
	}
	double per = 2 * M_PI / rate;
	double passed = per - wait; /* the forecast crossing lies `passed` s before tl */
	double lat = s->set.latency_s, t = seconds(s, tl);
	if (!(passed > 0) || passed + lat > s->set.late_max * per ||
	    (double)(s->late_cross_ns - tl) * 1e-9 >= per / 2 || s->recent_trigger_s >= t - per / 2)
		return 0;
	return sync_commit(s, f, lat, rate, OGATE_TRIGGER_LATE, t + lat, r);
}

void sync_predict_and_decide(struct ogate_sync *s, const struct ogate_frame *f,
			     struct ogate_sync_result *r)
{
	struct ogate_prediction pr;
	if (sync_forecast(s, r->phase, r->unwrapped, f->meta.timestamp_ns, &pr))
		return;
	r->has_prediction = 1;
	r->wait_s = pr.wait_s;
	if (!(pr.wait_s > 0))
		return;
	int fired = sync_fire_late(s, f, pr.wait_s, pr.rate, r) ||
		    sync_fire(s, f, pr.wait_s, pr.rate, r);
	/* a forecast that waited: a later frame's late rule may find its target passed */
	s->late_armed = !fired;
	s->late_prev_ns = f->meta.timestamp_ns;
	s->late_cross_ns = f->meta.timestamp_ns + (int64_t)llround(pr.wait_s * 1e9);
}
