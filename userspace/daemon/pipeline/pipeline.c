// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "edgematch.h"
#include "clock-util.h"
#include "stats-util.h"
#include "log.h"
#include "ogate/analysis.h"
#include "ogate/sync.h"
#include "pipeline.h"
#include "pipeline_private.h"
#include "preview.h"
#include "recorder.h"
#include "ring.h"

static void set_realtime(const char *name, int prio, int cpu)
{
	static atomic_bool warned;

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			ogate_warning("%s thread: cannot pin to CPU %d", name, cpu);
	}
	if (prio > 0) {
		struct sched_param sp = { .sched_priority = prio };
		int e = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

		if (e && !atomic_exchange(&warned, true))
			ogate_warning("SCHED_FIFO priority %d not permitted (%s); running without real-time scheduling",
				      prio, strerror(e));
	}
}

/*
 * Frame thread: log an episode of superseded frames once when it begins
 * (the source dropped frames because this thread came back late) and once
 * when none was superseded for BEHIND_QUIET_NS.
 */
static void note_behind(struct ogate_pipeline *p, int64_t now, int64_t lag)
{
	uint64_t stale = ogate_source_stale(p->src);

	if (stale > p->stale_seen) {
		if (!p->behind_since) {
			p->behind_since = now;
			p->stale_from = p->stale_seen;
			ogate_warning("analysis behind the camera: %llu frames superseded, analysing the newest (taken %.1f ms after its time)",
				      (unsigned long long)(stale - p->stale_seen), lag / 1e6);
		}
		p->behind_last = now;
		p->stale_seen = stale;
	} else if (p->behind_since && now - p->behind_last > BEHIND_QUIET_NS) {
		ogate_info("analysis caught up: %llu frames superseded in %.1f s",
			   (unsigned long long)(stale - p->stale_from),
			   (p->behind_last - p->behind_since) / 1e9);
		p->behind_since = 0;
	}
}

/*
 * Frame thread, one step: take the next frame from the source (waiting at
 * most 100 ms), stamp its arrival and match it to its frame edge. 0 and *f,
 * -EAGAIN none yet, or the end of the stream (logged).
 */
static int take_frame(struct ogate_pipeline *p, struct ogate_frame **out)
{
	struct ogate_frame *f;
	int64_t now, lag;
	int ret = ogate_source_next(p->src, ogate_clock_now(p->o.clock) + 100000000LL, &f);

	if (ret == -EAGAIN)
		return ret;
	if (ret == -ENODATA) {
		ogate_info("camera source: end of stream");
		return ret;
	}
	if (ret) {
		ogate_error("camera source failed: %s", strerror(-ret));
		return ret;
	}
	now = ogate_clock_now(p->o.clock);
	p->arrival[ogate_frame_get_meta(f)->sequence % 64] = now;
	lag = now - ogate_frame_get_meta(f)->timestamp_ns;
	note_behind(p, now, lag);
	p->frame_stale = ogate_source_stale(p->src);
	p->frame_lag = lag;
	if (p->o.edge_match) {
		struct ogate_frame_meta m = *ogate_frame_get_meta(f);
		int64_t edge;

		/* never wait for the io thread: a busy lock leaves this frame unmatched */
		if (pthread_mutex_trylock(&p->em_lock) == 0) {
			if (ogate_edgematch_frame(&p->em, m.timestamp_ns, m.sequence, &edge)) {
				p->em_offset = m.timestamp_ns - edge;
				m.timestamp_ns = edge;
				ogate_frame_set_meta(f, &m);
			}
			pthread_mutex_unlock(&p->em_lock);
		} else {
			atomic_fetch_add(&p->em_busy, 1);
		}
	}
	pthread_mutex_lock(&p->st_lock);
	p->st.frames++;
	p->st.drops_source = ogate_source_drops(p->src);
	p->st.drops_stale = ogate_source_stale(p->src);
	p->st.drops_decimated = ogate_source_decimated(p->src);
	p->st.lag_ns = lag;
	if (lag > p->st.lag_max_ns)
		p->st.lag_max_ns = lag;
	pthread_mutex_unlock(&p->st_lock);
	*out = f;
	return 0;
}

static void record_frame(struct ogate_pipeline *p, const struct ogate_frame *f,
			 const struct ogate_sync_result *r, int64_t trigger)
{
	struct rec_item *it;

	/* a live check of a queued trigger: carried to the next recorded row */
	for (unsigned k = 0; r->has_qa && k < FIRED_KEPT && k < p->nqueued; k++)
		if (p->queued[k].time_ns == r->qa.trigger_time_ns) {
			p->qa_row.qa_trigger = (int64_t)p->queued[k].cookie;
			p->qa_row.qa_error_s = r->qa.error_s;
			p->qa_row.qa_phase_error = r->qa.phase_error;
			break;
		}
	if (!atomic_load(&p->recording)) {
		p->qa_row.qa_trigger = -1; /* not a check of this recording's */
		return;
	}
	if (p->an_seq % (uint64_t)p->o.record_every)
		return;
	it = ogate_ring_pop(&p->rec_free);
	if (it && (!it->f || ogate_frame_width(it->f) != ogate_frame_width(f) ||
		   ogate_frame_height(it->f) != ogate_frame_height(f) ||
		   ogate_frame_format(it->f) != ogate_frame_format(f))) {
		ogate_frame_free(it->f);
		if (ogate_frame_new(&it->f, ogate_frame_format(f), ogate_frame_width(f),
				    ogate_frame_height(f)))
			it->f = NULL;
	}
	/* the row is filled before the push: once pushed, the item is the io thread's */
	if (it)
		it->row = (struct ogate_record_row){ .locked = r->has_phase,
						     .phase = r->phase,
						     .unwrapped = r->unwrapped,
						     .trigger = trigger,
						     .trigger_reason =
							     trigger >= 0 ? r->trigger.reason : 0,
						     .qa_trigger = p->qa_row.qa_trigger,
						     .qa_error_s = p->qa_row.qa_error_s,
						     .qa_phase_error = p->qa_row.qa_phase_error,
						     .stale = p->frame_stale,
						     .lag_ns = p->frame_lag };
	if (!it || !it->f || ogate_frame_copy(it->f, f) || !ogate_ring_push(&p->to_record, it)) {
		if (it)
			ogate_ring_push(&p->rec_free, it);
		pthread_mutex_lock(&p->st_lock);
		p->st.drops_record++;
		pthread_mutex_unlock(&p->st_lock);
		return; /* the check waits for the next row that is written */
	}
	p->qa_row.qa_trigger = -1;
}

static void wake_io(struct ogate_pipeline *p)
{
	uint64_t one = 1;

	if (p->wake_fd >= 0 && write(p->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, the io thread is awake anyway */
	}
}

/*
 * Frame thread: lend f to the io thread for the frame copy hook, with what
 * this thread knew of it. O(metadata): no pixel is touched here. false when
 * every item is out (the io thread is behind): the caller releases f.
 */
static bool lend_frame(struct ogate_pipeline *p, struct ogate_frame *f,
		       const struct ogate_pipeline_tap *t)
{
	struct tap_item *it = ogate_ring_pop(&p->tap_free);

	if (!it) {
		pthread_mutex_lock(&p->st_lock);
		p->st.drops_tap++;
		pthread_mutex_unlock(&p->st_lock);
		return false;
	}
	it->f = f;
	it->t = *t;
	it->t.sync = NULL;		 /* the sync object is this thread's */
	ogate_ring_push(&p->to_tap, it); /* never full: TAP_POOL items < ring size */
	if (++p->tap_out >= TAP_WAKE)
		wake_io(p);
	return true;
}

/* Frame thread: release the frames the io thread gave back. */
static void release_lent(struct ogate_pipeline *p)
{
	struct tap_item *it;

	while ((it = ogate_ring_pop(&p->tap_back))) {
		ogate_source_release(p->src, it->f);
		it->f = NULL;
		p->tap_out--;
		ogate_ring_push(&p->tap_free, it);
	}
}

/* Analysis thread: release a frame the acquisition handed back. */
static void release_returned(struct ogate_pipeline *p)
{
	struct ogate_frame *f = atomic_exchange(&p->returned, NULL);

	release_lent(p);

	if (f) {
		ogate_source_release(p->src, f);
		atomic_fetch_sub(&p->frames_kept, 1);
	}
}

void ogate_pipeline_return_frame(struct ogate_pipeline *p, struct ogate_frame *f)
{
	/* one frame is kept at a time; spin only if the last one is still in the slot */
	while (f) {
		struct ogate_frame *none = NULL;

		if (atomic_compare_exchange_weak(&p->returned, &none, f))
			break;
		sched_yield();
	}
	/* released by the frame thread before it takes its next frame */
}

/*
 * Frame thread: a frame the source delivered off the decimation grid
 * (ogate_pipeline_want_frame) goes to the frame hook alone, not analysed:
 * the analysis keeps its regular stream of every k-th frame. r says no
 * phase (none was measured).
 */
static void hook_off_grid(struct ogate_pipeline *p, struct ogate_frame *f)
{
	struct ogate_sync_result r;
	bool kept;

	memset(&r, 0, sizeof(r));
	r.sad_argmin = -1;
	kept = p->o.frame && p->o.frame(p->o.hook_ctx, f, &r);
	if (kept)
		atomic_fetch_add(&p->frames_kept, 1); /* released once handed back */
	else
		ogate_source_release(p->src, f);
	pthread_mutex_lock(&p->st_lock);
	p->st.off_grid++;
	pthread_mutex_unlock(&p->st_lock);
}

void ogate_pipeline_want_frame(struct ogate_pipeline *p, int64_t t_ns)
{
	/* the source compares its own timestamps; a matched frame's is its edge's */
	ogate_source_want(p->src, t_ns + p->em_offset);
}

/*
 * The frame thread: takes each frame from the source and analyses it at
 * once, queueing a decided trigger program on the sink; between frames it
 * applies queued commands and releases frames handed back. One thread, so
 * no frame waits for another thread to wake up (the hand-off cost 8-16 us
 * at the median on the test VM); a slow analysis shows as source drops.
 */
static void *frame_main(void *arg)
{
	struct ogate_pipeline *p = arg;
	int64_t last_ping = 0;

	set_realtime("frame", p->o.rt_priority,
		     p->o.cpu_analysis >= 0 ? p->o.cpu_analysis : p->o.cpu_capture);
	pthread_barrier_wait(&p->ready);
	for (;;) {
		struct ogate_reference_info ref;
		struct ogate_sync_result r;
		struct ogate_frame *f;
		struct ogate_frame_meta cam;
		int64_t trigger = -1, now, t_done, t_queued, t_pop, t_an, t_built;
		bool kept = false;
		int ret_sync, ret_take;

		release_returned(p);
		pipeline_apply_pending(p);
		if (!atomic_load(&p->running))
			break;
		ret_take = take_frame(p, &f);
		if (ret_take == -EAGAIN)
			continue;
		if (ret_take)
			break;
		if (ogate_source_off_grid(p->src)) {
			hook_off_grid(p, f);
			continue;
		}
		now = ogate_mono_ns();
		t_pop = ogate_clock_now(p->o.clock);
		cam = *ogate_frame_get_meta(f);
		pipeline_pace_number(p, f); /* the analysis's own stream (pipeline_pace.c) */
		ret_sync = ogate_sync_process(p->sync, f, &r);
		ogate_frame_set_meta(f, &cam); /* the camera's sequence for everyone else */
		t_done = ogate_mono_ns();
		t_an = ogate_clock_now(p->o.clock);
		if (ret_sync == 0 && r.triggered) {
			struct ogate_pulse_req req[OGATE_PROGRAM_MAX_PULSES];
			uint64_t cookie;
			size_t n;
			int ret;

			pthread_mutex_lock(&p->st_lock);
			cookie = p->st.triggers + p->st.queue_errors + p->st.refused_late +
				 p->st.held + 1;
			pthread_mutex_unlock(&p->st_lock);
			if (p->o.gate && !p->o.gate(p->o.hook_ctx, cookie, r.trigger.time_ns,
						    r.trigger.target_phase, r.trigger.reason)) {
				pthread_mutex_lock(&p->st_lock);
				p->st.held++;
				pthread_mutex_unlock(&p->st_lock);
				goto analysed;
			}
			n = ogate_program_build(&p->o.program, r.trigger.time_ns, cookie, req);
			t_built = ogate_clock_now(p->o.clock);
			ret = ogate_sink_queue(p->sink, req, n);
			t_queued = ogate_clock_now(p->o.clock);
			if (ret && p->o.outcome) {
				for (size_t k = 0; k < n; k++) {
					struct ogate_sink_event miss = {
						.type = OGATE_SINK_MISSED,
						.line = req[k].line_mask,
						.cookie = cookie,
						.time_ns = req[k].time_ns,
					};

					p->o.outcome(p->o.hook_ctx, &miss);
				}
			}
			pthread_mutex_lock(&p->st_lock);
			if (ret == -ETIME) {
				/* decided too late: a missed trigger, as the sink reports it when it
				 * finds the time passed after queueing (its pulses go to missed) */
				p->st.refused_late++;
				p->st.missed += n;
				ogate_warning("trigger %llu missed: decided %.3f ms after its time, refused by the %s sink",
					      (unsigned long long)cookie,
					      (t_queued - r.trigger.time_ns) / 1e6,
					      ogate_sink_kind(p->sink));
			} else if (ret) {
				p->st.queue_errors++;
				ogate_warning("trigger %llu at %.6f s refused by the %s sink: %s",
					      (unsigned long long)cookie, r.trigger.time_ns / 1e9,
					      ogate_sink_kind(p->sink), strerror(-ret));
			} else {
				p->st.triggers++;
				ogate_reason_counts_add(&p->st.by_reason, r.trigger.reason);
				p->queued_pulses += n;
				trigger = (int64_t)cookie;
				p->queued[p->nqueued % FIRED_KEPT].time_ns = r.trigger.time_ns;
				p->queued[p->nqueued++ % FIRED_KEPT].cookie = cookie;
				int64_t arr = p->arrival[ogate_frame_get_meta(f)->sequence % 64];
				size_t k = p->nlat++ % LAT_WINDOW;

				p->lat[k] = t_queued - arr;
				p->stage[OGATE_STAGE_SOURCE][k] =
					arr - ogate_frame_get_meta(f)->timestamp_ns;
				p->stage[OGATE_STAGE_HANDOFF][k] = t_pop - arr;
				p->stage[OGATE_STAGE_ANALYSIS][k] = t_an - t_pop;
				p->stage[OGATE_STAGE_BUILD][k] = t_built - t_an;
				p->stage[OGATE_STAGE_QUEUE][k] = t_queued - t_built;
			}
			pthread_mutex_unlock(&p->st_lock);
		}
analysed:
		if (p->o.frame && ret_sync == 0)
			kept = p->o.frame(p->o.hook_ctx, f, &r);
		record_frame(p, f, &r, trigger);
		if (atomic_load(&p->prev_wanted) && pthread_mutex_trylock(&p->prev_lock) == 0) {
			if (!p->prev || ogate_frame_width(p->prev) != ogate_frame_width(f) ||
			    ogate_frame_height(p->prev) != ogate_frame_height(f) ||
			    ogate_frame_format(p->prev) != ogate_frame_format(f)) {
				ogate_frame_free(p->prev);
				if (ogate_frame_new(&p->prev, ogate_frame_format(f),
						    ogate_frame_width(f), ogate_frame_height(f)))
					p->prev = NULL;
			}
			if (p->prev && !ogate_frame_copy(p->prev, f)) {
				atomic_store(&p->prev_wanted, false);
				pthread_cond_broadcast(&p->prev_cond);
			}
			pthread_mutex_unlock(&p->prev_lock);
		}
		pthread_mutex_lock(&p->st_lock);
		p->ana[p->nana++ % LAT_WINDOW] = t_done - now;
		if (p->pace.ivl_ns > 0) /* the camera's rate, whichever frames are analysed */
			p->st.fps = 1e9 / (double)p->pace.ivl_ns;
		else if (ogate_sync_frame_interval(p->sync) > 0)
			p->st.fps = 1.0 / ogate_sync_frame_interval(p->sync);
		p->st.analysed++;
		p->st.locked = r.state == OGATE_SYNC_LOCKED;
		if (r.has_qa)
			ogate_sync_get_qa_stats(p->sync, &p->st.qa);
		p->st.determining = !p->st.locked &&
				    ogate_sync_get_determination(p->sync, &p->st.det) == 0;
		p->st.phase = r.has_phase ? r.phase : -1;
		if (r.established && !p->st.lock_time_ns)
			p->st.lock_time_ns = ogate_frame_get_meta(f)->timestamp_ns;
		pthread_mutex_unlock(&p->st_lock);
		/* publish the reference from this thread: status never touches sync */
		if (r.state == OGATE_SYNC_LOCKED && ogate_sync_get_reference(p->sync, &ref) == 0) {
			double dt = ogate_sync_frame_interval(p->sync);

			pthread_mutex_lock(&p->st_lock);
			p->st.period_s = ref.period_frames * dt;
			p->st.period_frames = ref.period_frames;
			p->st.target_phase = ref.target_phase;
			p->st.ref_id = ref.id;
			p->st.ref_first_seq = pipeline_pace_source_seq(p, ref.first_seq);
			p->st.target_u = ref.target_u;
			p->st.ref_smoothed = ref.smoothed;
			p->st.ref_along_frames = ref.along_frames;
			p->st.ref_blurred = ref.blurred;
			p->st.ref_repeat_z = ref.repeat_z;
			p->st.ref_change_m = ref.change_m;
			p->st.ref_ts_clock = ref.ts_clock;
			p->st.ref_ts_beta = ref.ts_beta;
			p->st.ref_ts_beta_se = ref.ts_beta_se;
			pthread_mutex_unlock(&p->st_lock);
		}
		if (p->o.frame_tap || p->o.frame_copy) {
			/* st's reference fields are written by this thread only */
			struct ogate_pipeline_tap tap = {
				.locked = r.state == OGATE_SYNC_LOCKED,
				.phase = r.has_phase ? r.phase : -1,
				.triggered = trigger >= 0,
				.trigger_ns = trigger >= 0 ? r.trigger.time_ns : 0,
				.ref_id = r.state == OGATE_SYNC_LOCKED ? p->st.ref_id : 0,
				.ref_first_seq = r.state == OGATE_SYNC_LOCKED ? p->st.ref_first_seq : 0,
				.ref_seq_step =
					r.state == OGATE_SYNC_LOCKED ? (uint32_t)p->pace.every : 0,
				.target_phase = r.state == OGATE_SYNC_LOCKED ? p->st.target_phase : -1,
				.sync = p->sync,
			};

			if (p->o.frame_tap)
				p->o.frame_tap(p->o.tap_ctx, f, &tap);
			if (p->o.frame_copy && kept) /* not lent twice: once per gated plane */
				p->o.frame_copy(p->o.tap_ctx, f, &tap);
			else if (p->o.frame_copy && lend_frame(p, f, &tap))
				f = NULL; /* released once the io thread gave it back */
		}
		if (kept)
			atomic_fetch_add(&p->frames_kept, 1); /* released once handed back */
		else if (f)
			ogate_source_release(p->src, f);
		/* this frame's whole cost here (its rendering by a timed source, then
		 * arrival to the next take): the pace */
		pipeline_pace_frame(p, cam.timestamp_ns, cam.sequence,
				    ogate_clock_now(p->o.clock) - p->arrival[cam.sequence % 64] +
					    ogate_source_render_ns(p->src));

		now = ogate_mono_ns();
		if (p->o.watchdog && now - last_ping > 1000000000LL) {
			p->o.watchdog(p->o.watchdog_ctx);
			last_ping = now;
		}
	}
	atomic_store(&p->running, false);
	/* a frame the acquisition kept comes back within a plane's write, a lent one at once */
	if (p->tap_out)
		wake_io(p);
	for (int64_t end = ogate_mono_ns() + 5000000000LL;
	     (atomic_load(&p->frames_kept) || p->tap_out) && ogate_mono_ns() < end;) {
		struct timespec ts = { 0, 1000000 };

		release_returned(p);
		nanosleep(&ts, NULL);
	}
	release_returned(p);
	if (atomic_load(&p->frames_kept))
		ogate_error("pipeline: a camera frame kept for the acquisition was not handed back");
	if (p->tap_out)
		ogate_error("pipeline: %d camera frames lent to the io thread were not given back",
			    p->tap_out);
	atomic_store(&p->analysis_done, true);
	return NULL;
}

int ogate_pipeline_new(struct ogate_pipeline **out, const struct ogate_pipeline_opts *o,
		       struct ogate_source *src, struct ogate_sink *sink)
{
	struct ogate_pipeline *p = calloc(1, sizeof(*p));
	int i, ret;

	if (!p)
		return -ENOMEM;
	p->o = *o;
	if (p->o.record_every < 1)
		p->o.record_every = 1;
	p->src = src;
	p->sink = sink;
	pthread_mutex_init(&p->st_lock, NULL);
	pthread_mutex_init(&p->prev_lock, NULL);
	pthread_mutex_init(&p->em_lock, NULL);
	pthread_mutex_init(&p->rec_lock, NULL);
	pthread_mutex_init(&p->cmd_lock, NULL);
	pthread_cond_init(&p->cmd_cond, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&p->prev_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	ogate_ring_init(&p->to_record);
	ogate_ring_init(&p->rec_free);
	for (i = 0; i < REC_POOL; i++)
		ogate_ring_push(&p->rec_free, &p->rec_items[i]);
	ogate_ring_init(&p->to_tap);
	ogate_ring_init(&p->tap_back);
	ogate_ring_init(&p->tap_free);
	for (i = 0; i < TAP_POOL; i++)
		ogate_ring_push(&p->tap_free, &p->tap_items[i]);
	p->wake_fd = -1;
	p->qa_row.qa_trigger = -1;
	if (p->o.frame_copy) {
		p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (p->wake_fd < 0) {
			ret = -errno;
			ogate_error("pipeline: eventfd: %s", strerror(errno));
			free(p);
			return ret;
		}
	}
	ret = ogate_sync_new(&p->sync, &p->o.settings);
	if (ret) {
		ogate_error("analysis: cannot create the sync pipeline");
		if (p->wake_fd >= 0)
			close(p->wake_fd);
		free(p);
		return ret;
	}
	p->st.phase = -1;
	snprintf(p->st.source, sizeof(p->st.source), "%s", src ? ogate_source_describe(src) : "none");
	*out = p;
	return 0;
}

int ogate_pipeline_start(struct ogate_pipeline *p)
{
	int ret;

	if (p->started)
		return -EALREADY;
	if (!p->src) {
		ogate_error("no camera source set up (see the mode command)");
		return -ENODEV;
	}
	/*
	 * A new stream: its timestamps and sequence numbers start over, so the
	 * analysis starts over too (the user's target is kept in the settings).
	 */
	pthread_mutex_lock(&p->cmd_lock);
	{
		struct ogate_sync *fresh;

		ret = ogate_sync_new(&fresh, &p->o.settings);
		if (ret) {
			pthread_mutex_unlock(&p->cmd_lock);
			return ret;
		}
		ogate_sync_free(p->sync);
		p->sync = fresh;
	}
	pthread_mutex_unlock(&p->cmd_lock);
	ogate_source_set_clock(p->src, p->o.clock);
	ret = ogate_source_start(p->src);
	if (ret) {
		ogate_error("camera source %s would not start: %s", ogate_source_describe(p->src),
			    strerror(-ret));
		return ret;
	}
	pthread_mutex_lock(&p->rec_lock);
	if (atomic_load(&p->recording) && !p->rec) {
		char why[256];

		if (ogate_recorder_open(&p->rec, p->o.record_dir, p->o.provenance,
					p->o.pixel_size_um, why, sizeof(why))) {
			atomic_store(&p->recording, false);
			pthread_mutex_lock(&p->st_lock);
			p->st.record_errors++;
			snprintf(p->st.record_error, sizeof(p->st.record_error), "%.199s", why);
			pthread_mutex_unlock(&p->st_lock);
			ogate_error("recording off: %s", why);
		}
	}
	pthread_mutex_unlock(&p->rec_lock);
	atomic_store(&p->running, true);
	atomic_store(&p->analysis_done, false);
	atomic_store(&p->io_stop, false);
	pthread_mutex_lock(&p->st_lock);
	p->st.lock_time_ns = 0;
	p->st.lag_max_ns = 0;
	p->st.locked = false;
	p->st.phase = -1;
	pthread_mutex_unlock(&p->st_lock);
	pthread_mutex_lock(&p->cmd_lock);
	p->analysis_live = true;
	pthread_mutex_unlock(&p->cmd_lock);
	pthread_mutex_lock(&p->em_lock);
	ogate_edgematch_init(&p->em); /* a new stream: learn the offset anew */
	p->em_offset = 0;
	atomic_store(&p->em_busy, 0);
	pthread_mutex_unlock(&p->em_lock);
	p->stale_seen = ogate_source_stale(p->src);
	p->behind_since = 0;
	pipeline_pace_start(p);
	pthread_barrier_init(&p->ready, NULL, 3);
	if (pthread_create(&p->io, NULL, pipeline_io_main, p) ||
	    pthread_create(&p->frame, NULL, frame_main, p)) {
		ogate_critical("cannot start pipeline threads");
		abort();
	}
	pthread_barrier_wait(&p->ready); /* all stages ready: frames may flow */
	p->started = true;
	ogate_success("streaming from %s to the %s sink", ogate_source_describe(p->src),
		      ogate_sink_kind(p->sink));
	return 0;
}

int ogate_pipeline_stop(struct ogate_pipeline *p)
{
	int64_t end;
	int n;

	if (!p->started)
		return -EALREADY;
	atomic_store(&p->running, false);
	pthread_join(p->frame, NULL);
	/* commands queued after the frame thread's last look: applied here */
	pthread_mutex_lock(&p->cmd_lock);
	p->analysis_live = false;
	pthread_mutex_unlock(&p->cmd_lock);
	pipeline_apply_pending(p);
	ogate_source_stop(p->src);
	/* let queued pulses finish within the grace period, then cancel */
	end = ogate_clock_now(p->o.clock) + p->o.stop_grace_ns;
	for (;;) {
		int64_t now = ogate_clock_now(p->o.clock);
		uint64_t q, d;

		pthread_mutex_lock(&p->st_lock);
		q = p->queued_pulses;
		d = p->done_pulses;
		pthread_mutex_unlock(&p->st_lock);
		if (d >= q || now >= end)
			break;
		ogate_clock_sleep_until(p->o.clock, now + 5000000 < end ? now + 5000000 : end);
	}
	n = ogate_sink_cancel_all(p->sink);
	if (n > 0)
		ogate_warning("stop: %d pulses still queued after the grace period were cancelled", n);
	atomic_store(&p->io_stop, true);
	pthread_join(p->io, NULL);
	pthread_barrier_destroy(&p->ready);
	pthread_mutex_lock(&p->rec_lock);
	if (p->rec) {
		ogate_recorder_close(p->rec);
		p->rec = NULL;
	}
	pthread_mutex_unlock(&p->rec_lock);
	p->started = false;
	ogate_info("stopped: %llu frames, %llu triggers, %llu superseded while the analysis was behind",
		   (unsigned long long)p->st.frames, (unsigned long long)p->st.triggers,
		   (unsigned long long)p->st.drops_stale);
	return 0;
}

void ogate_pipeline_free(struct ogate_pipeline *p)
{
	int i;

	if (!p)
		return;
	if (p->started)
		ogate_pipeline_stop(p);
	ogate_sync_free(p->sync);
	for (i = 0; i < REC_POOL; i++)
		ogate_frame_free(p->rec_items[i].f);
	ogate_frame_free(p->prev);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	pthread_mutex_destroy(&p->em_lock);
	pthread_mutex_destroy(&p->rec_lock);
	pthread_mutex_destroy(&p->cmd_lock);
	pthread_cond_destroy(&p->cmd_cond);
	pthread_cond_destroy(&p->prev_cond);
	pthread_mutex_destroy(&p->prev_lock);
	pthread_mutex_destroy(&p->st_lock);
	free(p);
}

int ogate_pipeline_set_source(struct ogate_pipeline *p, struct ogate_source *src)
{
	struct ogate_sync *fresh;
	int ret;

	if (p->started)
		return -EBUSY;
	ret = ogate_sync_new(&fresh, &p->o.settings);
	if (ret)
		return ret;
	pthread_mutex_lock(&p->cmd_lock);
	ogate_sync_free(p->sync);
	p->sync = fresh; /* a new mode is a new image: learn a new reference */
	pthread_mutex_unlock(&p->cmd_lock);
	p->src = src;
	pthread_mutex_lock(&p->st_lock);
	snprintf(p->st.source, sizeof(p->st.source), "%s", src ? ogate_source_describe(src) : "none");
	p->st.drops_source = 0;
	p->st.drops_stale = 0;
	p->st.drops_decimated = 0;
	pthread_mutex_unlock(&p->st_lock);
	return 0;
}

uint64_t ogate_pipeline_pulses_in_flight(struct ogate_pipeline *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->st_lock);
	n = p->queued_pulses - p->done_pulses;
	pthread_mutex_unlock(&p->st_lock);
	return n;
}

int ogate_pipeline_cancel_pending(struct ogate_pipeline *p)
{
	return ogate_sink_cancel_all(p->sink);
}
