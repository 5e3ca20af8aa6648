// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The pipeline's control side: commands queued to the frame thread and
 * answered once applied, recording on/off, status snapshots and previews.
 * Called from the controlling thread (ogated's command worker), status from
 * any thread; see pipeline.h for the thread contract.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock-util.h"
#include "log.h"
#include "ogate/sync.h"
#include "pipeline.h"
#include "pipeline_private.h"
#include "preview.h"
#include "recorder.h"
#include "stats-util.h"

/* Apply one command (frame thread, or the caller while nothing streams). */
static void apply_one(struct ogate_pipeline *p, struct pcmd *c)
{
	struct ogate_reference_info ref;
	int ret;

	c->result = 0;
	if (c->type == CMD_TARGET) {
		p->o.settings.target_phase = c->arg;
		p->o.settings.target_frame = -1;
		if (ogate_sync_set_target_phase(p->sync, c->arg))
			snprintf(c->msg, sizeof(c->msg),
				 "target phase %.6f rad (applies once a reference is locked)", c->arg);
		else
			snprintf(c->msg, sizeof(c->msg), "target phase %.6f rad", c->arg);
		ogate_info("%s", c->msg);
	} else if (c->type == CMD_REFRESH) {
		ret = ogate_sync_refresh(p->sync);
		if (ret == 0)
			snprintf(c->msg, sizeof(c->msg),
				 "refresh: learning a new reference, target carried over");
		else
			snprintf(c->msg, sizeof(c->msg), "refresh refused: %s",
				 ret == -ENOENT ? "no reference yet"
						: "a refresh is already under way");
		c->result = ret == -ENOENT ? -ENOENT : ret ? -EALREADY : 0;
		ogate_info("%s", c->msg);
	} else if (c->type == CMD_RESET) {
		struct ogate_sync *fresh;
		int err = ogate_sync_new(&fresh, &p->o.settings);
		int have = ogate_sync_get_reference(p->sync, &ref) == 0;
		double dt = ogate_sync_frame_interval(p->sync);
		char target[64];

		if (err) {
			c->result = err;
			snprintf(c->msg, sizeof(c->msg), "reset failed: cannot create the analysis");
			return;
		}
		if (p->o.settings.target_phase >= 0)
			snprintf(target, sizeof(target), "target phase %.6f rad",
				 p->o.settings.target_phase);
		else
			snprintf(target, sizeof(target), "the automatic target");
		if (have)
			snprintf(c->msg, sizeof(c->msg),
				 "reset: dropped reference %u (period %.4f s, %.2f frames) and the heart position of its target; learning a new reference, %s will apply to it",
				 ref.id, ref.period_frames * dt, ref.period_frames, target);
		else
			snprintf(c->msg, sizeof(c->msg),
				 "reset: no reference had been learnt; learning anew, %s", target);
		ogate_sync_free(p->sync);
		p->sync = fresh;
		pthread_mutex_lock(&p->st_lock);
		p->st.lock_time_ns = 0;
		p->st.locked = false;
		pthread_mutex_unlock(&p->st_lock);
		ogate_info("%s", c->msg);
	}
}

/* Apply every queued command, in order (frame thread; stop, once it left). */
void pipeline_apply_pending(struct ogate_pipeline *p)
{
	struct pcmd *c;

	pthread_mutex_lock(&p->cmd_lock); /* uncontended: commands are rare */
	while ((c = p->cmd_head)) {
		p->cmd_head = c->next;
		if (!p->cmd_head)
			p->cmd_tail = NULL;
		apply_one(p, c);
		c->done = true;
	}
	pthread_cond_broadcast(&p->cmd_cond);
	pthread_mutex_unlock(&p->cmd_lock);
}

/* Queue a command and return once it has been applied. */
static int run_command(struct ogate_pipeline *p, int type, double arg, char *msg, size_t msglen)
{
	struct pcmd c = { .type = type, .arg = arg };

	pthread_mutex_lock(&p->cmd_lock);
	if (!p->analysis_live) {
		apply_one(p, &c);
	} else {
		if (p->cmd_tail)
			p->cmd_tail->next = &c;
		else
			p->cmd_head = &c;
		p->cmd_tail = &c;
		/* the frame thread applies it before it takes its next frame */
		while (!c.done)
			pthread_cond_wait(&p->cmd_cond, &p->cmd_lock);
	}
	pthread_mutex_unlock(&p->cmd_lock);
	if (msg && msglen)
		snprintf(msg, msglen, "%s", c.msg);
	return c.result;
}

int ogate_pipeline_set_target_phase(struct ogate_pipeline *p, double phase, char *msg, size_t msglen)
{
	if (!(isfinite(phase) && phase >= 0 && phase < 2 * M_PI)) {
		if (msg && msglen)
			snprintf(msg, msglen, "target phase %g rad outside [0, 2 pi)", phase);
		return -EDOM;
	}
	return run_command(p, CMD_TARGET, phase, msg, msglen);
}

int ogate_pipeline_reset(struct ogate_pipeline *p, char *msg, size_t msglen)
{
	return run_command(p, CMD_RESET, 0, msg, msglen);
}

int ogate_pipeline_refresh(struct ogate_pipeline *p, char *msg, size_t msglen)
{
	return run_command(p, CMD_REFRESH, 0, msg, msglen);
}

int ogate_pipeline_record(struct ogate_pipeline *p, bool on, char *msg, size_t msglen)
{
	char why[256] = "";
	int ret = 0;

	if (!on) {
		/* closed here, under rec_lock: the reply comes once the files are complete */
		pthread_mutex_lock(&p->rec_lock);
		atomic_store(&p->recording, false);
		if (p->rec) {
			ogate_recorder_close(p->rec);
			p->rec = NULL;
		}
		pthread_mutex_unlock(&p->rec_lock);
		snprintf(msg, msglen, "recording off");
		return 0;
	}
	if (!p->o.record_dir || !*p->o.record_dir) {
		snprintf(msg, msglen, "no record.dir configured");
		return -EINVAL;
	}
	pthread_mutex_lock(&p->rec_lock);
	if (p->started && !p->rec) {
		ret = ogate_recorder_open(&p->rec, p->o.record_dir, p->o.provenance,
					  p->o.pixel_size_um, why, sizeof(why));
	} else if (!p->started) {
		ret = ogate_recorder_check_dir(p->o.record_dir, why, sizeof(why));
	}
	if (!ret)
		atomic_store(&p->recording, true);
	if (ret)
		snprintf(msg, msglen, "%s", why);
	else if (p->rec)
		snprintf(msg, msglen, "recording to %s", ogate_recorder_path(p->rec));
	else
		snprintf(msg, msglen, "recording on: files are created in %s at start",
			 p->o.record_dir);
	pthread_mutex_unlock(&p->rec_lock);
	return ret;
}

static void percentiles(int64_t *v, size_t n, int64_t *p50, int64_t *p99, int64_t *max)
{
	struct ogate_stats_summary sum;

	if (!n)
		return;
	ogate_summarize(v, n, &sum);
	*p50 = sum.p50;
	*p99 = sum.p99;
	*max = sum.max;
}

void ogate_pipeline_status(struct ogate_pipeline *p, struct ogate_pipeline_status *st)
{
	int64_t lat[LAT_WINDOW], ana[LAT_WINDOW];
	size_t n, na;

	pthread_mutex_lock(&p->st_lock);
	*st = p->st;
	n = p->nlat < LAT_WINDOW ? p->nlat : LAT_WINDOW;
	memcpy(lat, p->lat, n * sizeof(lat[0]));
	na = p->nana < LAT_WINDOW ? p->nana : LAT_WINDOW;
	memcpy(ana, p->ana, na * sizeof(ana[0]));
	st->lateness_mean_ns = p->st.fired ? p->lateness_sum / (int64_t)p->st.fired : 0;
	pthread_mutex_unlock(&p->st_lock);
	if (p->o.edge_match) {
		struct ogate_edgematch_stats es;

		pthread_mutex_lock(&p->em_lock);
		ogate_edgematch_get_stats(&p->em, &es);
		pthread_mutex_unlock(&p->em_lock);
		st->edge_learnt = es.learnt;
		st->edge_offset_ns = es.offset_ns;
		st->edge_jitter_ns = es.jitter_ns;
		st->edge_matched = es.matched;
		st->edge_unmatched = es.unmatched + atomic_load(&p->em_busy);
		st->edge_seq_jumps = es.seq_jumps;
	}
	st->running = atomic_load(&p->running);
	st->recording = atomic_load(&p->recording);
	if (!st->locked) {
		st->period_s = 0;
		st->period_frames = 0;
		st->target_phase = -1;
		st->ref_smoothed = false;
		st->ref_along_frames = 0;
		st->ref_blurred = false;
		st->ref_repeat_z = NAN;
		st->ref_change_m = NAN;
		st->ref_ts_clock = false;
		st->ref_ts_beta = NAN;
		st->ref_ts_beta_se = NAN;
	}
	st->recent_latency_n = (int64_t)n;
	percentiles(lat, n, &st->latency_p50_ns, &st->latency_p99_ns, &st->latency_max_ns);
	percentiles(ana, na, &st->analysis_p50_ns, &st->analysis_p99_ns, &st->analysis_max_ns);
}

void ogate_pipeline_stages(struct ogate_pipeline *p, struct ogate_pipeline_stages *s)
{
	static const char *const names[OGATE_STAGE_N] = { "source", "handoff", "analysis", "build",
							  "queue" };
	int64_t *v = malloc(sizeof(int64_t) * LAT_WINDOW), max;
	size_t n;

	memset(s, 0, sizeof(*s));
	memcpy(s->name, names, sizeof(names));
	if (!v)
		return;
	for (int k = 0; k < OGATE_STAGE_N; k++) {
		pthread_mutex_lock(&p->st_lock);
		n = p->nlat < LAT_WINDOW ? p->nlat : LAT_WINDOW;
		memcpy(v, p->stage[k], n * sizeof(v[0]));
		pthread_mutex_unlock(&p->st_lock);
		percentiles(v, n, &s->p50_ns[k], &s->p99_ns[k], &max);
		s->n = (int64_t)n;
	}
	free(v);
}

int ogate_pipeline_preview(struct ogate_pipeline *p, const char *path, int64_t timeout_ns,
			   uint64_t *sequence)
{
	int64_t end = ogate_mono_ns() + timeout_ns;
	struct timespec ts = ogate_timespec(end);
	int ret = ogate_preview_format(path);

	if (ret < 0)
		return ret; /* refused before waiting for anything */
	ret = 0;
	pthread_mutex_lock(&p->prev_lock);
	atomic_store(&p->prev_wanted, true);
	while (atomic_load(&p->prev_wanted) && ret == 0)
		ret = pthread_cond_timedwait(&p->prev_cond, &p->prev_lock, &ts);
	if (atomic_load(&p->prev_wanted)) {
		atomic_store(&p->prev_wanted, false);
		pthread_mutex_unlock(&p->prev_lock);
		return -ETIMEDOUT;
	}
	*sequence = ogate_frame_get_meta(p->prev)->sequence;
	ret = ogate_preview_write(p->prev, path);
	pthread_mutex_unlock(&p->prev_lock);
	return ret;
}
