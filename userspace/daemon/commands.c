// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's commands: what each control-socket command does, and the command
 * worker thread that applies the queued ones in order (see daemon.h).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acq.h"
#include "config.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "ogated_extras.h"
#include "pipeline.h"
#include "reasons.h"
#include "numparse.h"

/* ---- control commands ---------------------------------------------------
 *
 * Threads. status, stats and abort run on the control thread and never
 * wait: they read snapshots taken under short locks. Every other command is
 * queued, in arrival order, to the command worker thread, which applies it
 * and only then answers (a deferred reply); the client's next command waits
 * for that answer, other clients are served meanwhile. Stage work (homing,
 * stacks) runs on the acquisition's job thread, which answers home and
 * abort when the stage is done. start, stop, mode and every pipeline
 * command therefore run on the worker only.
 */

/* A queued command: returns true when its reply is complete, false when handed on. */
typedef bool (*work_fn)(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr);

struct job {
	work_fn fn;
	int argc;
	char *argv[20];
	char words[1100];
	struct ogate_deferred *dr;
	struct job *next;
};

void *ogate_daemon_worker(void *arg)
{
	struct daemon *d = arg;

	pthread_mutex_lock(&d->wlock);
	for (;;) {
		struct job *j;

		while (!d->jobs && !d->wstop)
			pthread_cond_wait(&d->wcond, &d->wlock);
		j = d->jobs;
		if (!j)
			break; /* stopping with nothing queued */
		d->jobs = j->next;
		pthread_mutex_unlock(&d->wlock);
		if (d->wstop) {
			ogate_reply_err(ogate_deferred_reply(j->dr), ESHUTDOWN, "ogated is stopping");
			ogate_deferred_finish(j->dr);
		} else if (j->fn(d, j->argc, j->argv, j->dr)) {
			ogate_deferred_finish(j->dr);
		}
		free(j);
		pthread_mutex_lock(&d->wlock);
	}
	pthread_mutex_unlock(&d->wlock);
	return NULL;
}

/* Control thread: copy the words, defer the reply, queue for the worker. */
static void enqueue(struct daemon *d, work_fn fn, int argc, char **argv, struct ogate_reply *r)
{
	struct job *j = calloc(1, sizeof(*j)), **tail;
	size_t off = 0;
	int i;

	if (!j || !(j->dr = ogate_reply_defer(r))) {
		free(j);
		ogate_reply_err(r, ENOMEM, "out of memory");
		return;
	}
	j->fn = fn;
	for (i = 0; i < argc && i < 19; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (off + n > sizeof(j->words))
			break;
		memcpy(j->words + off, argv[i], n);
		j->argv[i] = j->words + off;
		off += n;
	}
	j->argc = i;
	j->argv[i] = NULL;
	pthread_mutex_lock(&d->wlock);
	for (tail = &d->jobs; *tail; tail = &(*tail)->next)
		;
	*tail = j;
	pthread_cond_signal(&d->wcond);
	pthread_mutex_unlock(&d->wlock);
}

#define QUEUED(name) \
	static void cmd_##name(void *ctx, int argc, char **argv, struct ogate_reply *r) \
	{ \
		enqueue(ctx, work_##name, argc, argv, r); \
	}

static const char *mode_now(struct daemon *d, char *buf, size_t len)
{
	pthread_mutex_lock(&d->st_lock);
	snprintf(buf, len, "%s", d->mode);
	pthread_mutex_unlock(&d->st_lock);
	return buf;
}

/* <prefix>_standard, _panic, _late and _other: triggers by the analysis's reason (reasons.h) */
static void reply_reasons(struct ogate_reply *r, const char *prefix,
			  const struct ogate_reason_counts *c)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_standard", prefix);
	ogate_reply_kv(r, key, "%llu", (unsigned long long)c->standard);
	snprintf(key, sizeof(key), "%s_panic", prefix);
	ogate_reply_kv(r, key, "%llu", (unsigned long long)c->panic);
	snprintf(key, sizeof(key), "%s_late", prefix);
	ogate_reply_kv(r, key, "%llu", (unsigned long long)c->late);
	snprintf(key, sizeof(key), "%s_other", prefix);
	ogate_reply_kv(r, key, "%llu", (unsigned long long)c->other);
}

static void cmd_status(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	struct daemon *d = ctx;
	struct ogate_pipeline_status st;
	char mode[OGATE_MODE_NAME_LEN];

	ogate_pipeline_status(d->pipe, &st);
	ogate_reply_kv(r, "state", "%s", st.running ? "running" : "stopped");
	ogate_reply_kv(r, "locked", "%s", st.locked ? "yes" : "no");
	ogate_reply_kv(r, "source", "%s", st.source);
	ogate_reply_kv(r, "sink", "%s", ogate_sink_kind(d->sink));
	ogate_reply_kv(r, "mode", "%s", mode_now(d, mode, sizeof(mode)));
	ogate_reply_kv(r, "fps", "%.2f", st.fps);
	ogate_reply_kv(r, "decimate", "%u", st.decimate);
	ogate_reply_kv(r, "recording", "%s", st.recording ? "on" : "off");
	if (st.record_error[0])
		ogate_reply_kv(r, "record_error", "%s", st.record_error);
	/* what only a locked reference has says so instead of a placeholder */
	if (st.locked) {
		ogate_reply_kv(r, "period_s", "%.6f", st.period_s);
		ogate_reply_kv(r, "target_phase_rad", "%.6f", st.target_phase);
		ogate_reply_kv(r, "reference", "%u", st.ref_id);
		ogate_reply_kv(r, "period_frames", "%.4f", st.period_frames);
		ogate_reply_kv(r, "ref_first_seq", "%llu", (unsigned long long)st.ref_first_seq);
		ogate_reply_kv(r, "target_u", "%.4f", st.target_u);
		/* reference.smooth, as summary.json reports it; none: not measured */
		ogate_reply_kv(r, "ref_smoothed", "%s", st.ref_smoothed ? "yes" : "no");
		ogate_reply_kv(r, "ref_along_frames", "%d", st.ref_along_frames);
		ogate_reply_kv(r, "ref_blurred", "%s", st.ref_blurred ? "yes" : "no");
		if (isfinite(st.ref_repeat_z))
			ogate_reply_kv(r, "ref_repeat_z", "%.3f", st.ref_repeat_z);
		else
			ogate_reply_kv(r, "ref_repeat_z", "none");
		if (isfinite(st.ref_change_m))
			ogate_reply_kv(r, "ref_change_m", "%.3f", st.ref_change_m);
		else
			ogate_reply_kv(r, "ref_change_m", "none");
		/* sync.timestamp_positions: where the reference's frames sit, as summary.json says */
		ogate_reply_kv(r, "ref_timestamps", "%s",
			       st.ref_ts_clock ? "frame_clock" : "as_stamped");
		if (isfinite(st.ref_ts_beta))
			ogate_reply_kv(r, "ref_ts_beta", "%.3f+-%.3f", st.ref_ts_beta,
				       st.ref_ts_beta_se);
		else
			ogate_reply_kv(r, "ref_ts_beta", "none");
	} else {
		ogate_reply_kv(r, "period_s", "unlocked");
		ogate_reply_kv(r, "target_phase_rad", "unlocked");
		ogate_reply_kv(r, "reference", "unlocked");
		ogate_reply_kv(r, "period_frames", "unlocked");
		ogate_reply_kv(r, "ref_first_seq", "unlocked");
		ogate_reply_kv(r, "target_u", "unlocked");
		ogate_reply_kv(r, "ref_smoothed", "unlocked");
		ogate_reply_kv(r, "ref_along_frames", "unlocked");
		ogate_reply_kv(r, "ref_blurred", "unlocked");
		ogate_reply_kv(r, "ref_repeat_z", "unlocked");
		ogate_reply_kv(r, "ref_change_m", "unlocked");
		ogate_reply_kv(r, "ref_timestamps", "unlocked");
		ogate_reply_kv(r, "ref_ts_beta", "unlocked");
	}
	if (st.determining) {
		/* what the period search is doing, so a slow heart is never a silent "unlocked" */
		ogate_reply_kv(r, "searching_s", "%.1f", st.det.searching_s);
		ogate_reply_kv(r, "search_span_s", "%.2f", st.det.span_s);
		ogate_reply_kv(r, "search_longest_period_s", "%.2f", st.det.longest_period_s);
		ogate_reply_kv(r, "search_widened", "%d", st.det.widened);
		ogate_reply_kv(r, "search_at_limit", "%s", st.det.at_limit ? "yes" : "no");
		/* and what the scan sees: too slow ("no valley"), too fast, or scattering */
		ogate_reply_kv(r, "search_state", "%s", ogate_sync_det_reason_name(st.det.reason));
		ogate_reply_kv(r, "search_shortest_period_s", "%.3f", st.det.shortest_period_s);
		char est[OGATE_SYNC_DET_ESTIMATES * 24];
		size_t o = 0;
		for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES && o < sizeof(est); j++)
			o += (size_t)snprintf(est + o, sizeof(est) - o, "%s%.3f", j ? "," : "",
					      st.det.estimates_s[j]);
		ogate_reply_kv(r, "search_estimates_s", "%s", est);
		ogate_reply_kv(r, "search_estimates_agree", "%s",
			       st.det.estimates_agree ? "yes" : "no");
	}
	if (st.phase >= 0)
		ogate_reply_kv(r, "phase", "%.6f", st.phase);
	else
		ogate_reply_kv(r, "phase", "unlocked");
	/* the same under the name /api/status documents */
	if (st.phase >= 0)
		ogate_reply_kv(r, "phase_rad", "%.6f", st.phase);
	else
		ogate_reply_kv(r, "phase_rad", "unlocked");
	ogate_reply_kv(r, "frames", "%llu", (unsigned long long)st.frames);
	ogate_reply_kv(r, "triggers", "%llu", (unsigned long long)st.triggers);
	/* of those, by the analysis's reason (docs/analysis.md "Late trigger") */
	reply_reasons(r, "triggers", &st.by_reason);
	ogate_reply_kv(r, "fired", "%llu", (unsigned long long)st.fired);
	ogate_reply_kv(r, "missed", "%llu", (unsigned long long)st.missed);
	if (d->acq) {
		struct ogate_acq_status as;

		ogate_acq_get_status(d->acq, &as);
		ogate_reply_kv(r, "acq_state", "%s", as.state);
		ogate_reply_kv(r, "acq_stack", "%d", as.stack);
		ogate_reply_kv(r, "acq_plane", "%d", as.plane);
		ogate_reply_kv(r, "acq_z_um", "%.4f", as.z_um);
		ogate_reply_kv(r, "acq_triggers", "%llu", (unsigned long long)as.triggers);
		ogate_reply_kv(r, "acq_retries", "%llu", (unsigned long long)as.retries);
		reply_reasons(r, "acq_triggers", &as.by_reason);
		ogate_reply_kv(r, "acq_skipped_frames", "%llu", (unsigned long long)as.skipped);
		ogate_reply_kv(r, "acq_skipped_analysis", "%llu",
			       (unsigned long long)as.skipped_analysis);
		ogate_reply_kv(r, "acq_skipped_camera", "%llu", (unsigned long long)as.skipped_camera);
		ogate_reply_kv(r, "acq_skipped_episodes", "%llu",
			       (unsigned long long)as.skipped_episodes);
		ogate_reply_kv(r, "acq_csv", "%s", as.csv);
		if (as.ome[0])
			ogate_reply_kv(r, "acq_ome", "%s", as.ome);
		if (as.error[0])
			ogate_reply_kv(r, "acq_error", "%s", as.error);
	}
	ogated_extras_status(d->extras, r);
}

static void cmd_stats(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	struct daemon *d = ctx;
	struct ogate_pipeline_status st;

	ogate_pipeline_status(d->pipe, &st);
	ogate_reply_kv(r, "frames", "%llu", (unsigned long long)st.frames);
	ogate_reply_kv(r, "analysed", "%llu", (unsigned long long)st.analysed);
	ogate_reply_kv(r, "drops_source", "%llu", (unsigned long long)st.drops_source);
	ogate_reply_kv(r, "drops_stale", "%llu", (unsigned long long)st.drops_stale);
	ogate_reply_kv(r, "drops_decimated", "%llu", (unsigned long long)st.drops_decimated);
	ogate_reply_kv(r, "decimate", "%u", st.decimate);
	ogate_reply_kv(r, "off_grid", "%llu", (unsigned long long)st.off_grid);
	ogate_reply_kv(r, "frame_cost_ms", "%.3f", st.frame_cost_ns / 1e6);
	ogate_reply_kv(r, "backlog_ms", "%.3f", st.backlog_ns / 1e6);
	ogate_reply_kv(r, "drops_analysis", "%llu", (unsigned long long)st.drops_analysis);
	ogate_reply_kv(r, "lag_ms", "%.3f", st.lag_ns / 1e6);
	ogate_reply_kv(r, "lag_max_ms", "%.3f", st.lag_max_ns / 1e6);
	ogate_reply_kv(r, "drops_record", "%llu", (unsigned long long)st.drops_record);
	ogate_reply_kv(r, "record_errors", "%llu", (unsigned long long)st.record_errors);
	ogate_reply_kv(r, "triggers", "%llu", (unsigned long long)st.triggers);
	reply_reasons(r, "triggers", &st.by_reason);
	ogate_reply_kv(r, "queue_errors", "%llu", (unsigned long long)st.queue_errors);
	ogate_reply_kv(r, "refused_late", "%llu", (unsigned long long)st.refused_late);
	ogate_reply_kv(r, "fired", "%llu", (unsigned long long)st.fired);
	ogate_reply_kv(r, "missed", "%llu", (unsigned long long)st.missed);
	ogate_reply_kv(r, "cancelled", "%llu", (unsigned long long)st.cancelled);
	ogate_reply_kv(r, "late", "%llu", (unsigned long long)st.late);
	ogate_reply_kv(r, "lost_events", "%llu", (unsigned long long)st.lost_events);
	ogate_reply_kv(r, "lateness_mean_us", "%.2f", st.lateness_mean_ns / 1e3);
	ogate_reply_kv(r, "lateness_max_us", "%.2f", st.lateness_max_ns / 1e3);
	ogate_reply_kv(r, "analysis_p50_us", "%.1f", st.analysis_p50_ns / 1e3);
	ogate_reply_kv(r, "analysis_p99_us", "%.1f", st.analysis_p99_ns / 1e3);
	ogate_reply_kv(r, "analysis_max_us", "%.1f", st.analysis_max_ns / 1e3);
	if (st.edge_learnt || st.edge_matched || st.edge_unmatched) {
		ogate_reply_kv(r, "edge_matched", "%llu", (unsigned long long)st.edge_matched);
		ogate_reply_kv(r, "edge_unmatched", "%llu", (unsigned long long)st.edge_unmatched);
		ogate_reply_kv(r, "edge_seq_jumps", "%llu", (unsigned long long)st.edge_seq_jumps);
		ogate_reply_kv(r, "edge_offset_us", "%.2f", st.edge_offset_ns / 1e3);
		ogate_reply_kv(r, "edge_jitter_us", "%.2f", st.edge_jitter_ns / 1e3);
	}
	/* each trigger checked afterwards against the frames around it (no ground truth) */
	ogate_reply_kv(r, "qa_checked", "%llu", (unsigned long long)st.qa.n);
	ogate_reply_kv(r, "qa_unchecked", "%llu", (unsigned long long)st.qa.unchecked);
	if (st.qa.n) {
		ogate_reply_kv(r, "qa_mean_ms", "%.3f", st.qa.mean_s * 1e3);
		ogate_reply_kv(r, "qa_rms_ms", "%.3f", st.qa.rms_s * 1e3);
		ogate_reply_kv(r, "qa_rms_deg", "%.2f", st.qa.rms_rad * 180.0 / M_PI);
	}
	ogate_reply_kv(r, "latency_p50_us", "%.1f", st.latency_p50_ns / 1e3);
	ogate_reply_kv(r, "latency_p99_us", "%.1f", st.latency_p99_ns / 1e3);
	ogate_reply_kv(r, "latency_max_us", "%.1f", st.latency_max_ns / 1e3);
}

static bool work_start(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	int ret = ogate_pipeline_start(d->pipe);

	if (ret == -EALREADY)
		ogate_reply_err(r, EALREADY, "already running");
	else if (ret)
		ogate_reply_err(r, -ret, "camera would not start: %s", strerror(-ret));
	else
		ogate_reply_ok(r, "started");
	return true;
}
QUEUED(start)

static bool work_stop(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);

	if (ogate_pipeline_stop(d->pipe))
		ogate_reply_err(r, EALREADY, "not running");
	else
		ogate_reply_ok(r, "stopped");
	return true;
}
QUEUED(stop)

/* A whole word as a finite number. */
static bool finite_number(const char *s, double *v)
{
	if (s && !ogate_parse_double(s, v))
		return true;
	*v = NAN;
	return false;
}

static bool work_target(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	struct ogate_pipeline_status st;
	char msg[300];
	double v, phase;
	int ret;

	if (!strncmp(argv[1], "frame=", 6)) {
		ogate_pipeline_status(d->pipe, &st);
		if (!finite_number(argv[1] + 6, &v) || v < 0) {
			ogate_reply_err(r, EINVAL, "target frame '%.64s' is not a finite number >= 0",
					argv[1] + 6);
			return true;
		}
		if (!st.locked || st.period_frames <= 0) {
			ogate_reply_err(r, EAGAIN, "no reference yet: a target frame needs its period");
			return true;
		}
		if (v >= st.period_frames) {
			ogate_reply_err(r, EDOM, "target frame %g outside the reference's [0, %.3f)",
					v, st.period_frames);
			return true;
		}
		phase = 2 * M_PI * v / st.period_frames;
	} else if (!finite_number(argv[1], &phase)) {
		ogate_reply_err(r, EINVAL,
				"target '%.64s' is neither a finite phase in rad nor frame=U",
				argv[1]);
		return true;
	}
	ret = ogate_pipeline_set_target_phase(d->pipe, phase, msg, sizeof(msg));
	if (ret)
		ogate_reply_err(r, -ret, "%s",
				ret == -EDOM ? "target phase outside [0, 2 pi) rad" : msg);
	else
		ogate_reply_ok(r, "%s", msg);
	return true;
}
QUEUED(target)

static bool work_reset(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	char msg[300];
	int ret = !strcmp(argv[0], "refresh") ? ogate_pipeline_refresh(d->pipe, msg, sizeof(msg))
					      : ogate_pipeline_reset(d->pipe, msg, sizeof(msg));

	if (ret)
		ogate_reply_err(r, -ret, "%s", msg);
	else
		ogate_reply_ok(r, "%s", msg);
	return true;
}
QUEUED(reset)

static bool work_record(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	bool on = !strcmp(argv[1], "on");
	char msg[300];
	int ret;

	if (!on && strcmp(argv[1], "off")) {
		ogate_reply_err(r, EINVAL, "record takes 'on' or 'off', not '%.64s'", argv[1]);
		return true;
	}
	ret = ogate_pipeline_record(d->pipe, on, msg, sizeof(msg));
	if (ret)
		ogate_reply_err(r, -ret, "%s", msg);
	else
		ogate_reply_ok(r, "%s", msg);
	return true;
}
QUEUED(record)

static bool work_mode(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	struct ogate_pipeline_status st;
	struct ogate_source *src;
	char mode[OGATE_MODE_NAME_LEN];
	struct ogate_mode m;
	int err = 0;

	if (ogate_config_mode(d->cfg, argv[1], &m)) {
		ogate_reply_err(r, ENOENT, "mode '%.64s' is not defined in the configuration", argv[1]);
		return true;
	}
	ogate_pipeline_status(d->pipe, &st);
	/*
	 * A full stop / reconfigure / start. A camera can be open only once,
	 * so the old source is closed before the new one opens; if the new
	 * mode fails, the old one is set up again.
	 */
	if (st.running)
		ogate_pipeline_stop(d->pipe);
	ogate_pipeline_set_source(d->pipe, NULL);
	ogate_source_close(d->src);
	d->src = NULL;
	if (ogate_daemon_make_source(&src, d, argv[1])) {
		ogate_daemon_make_source(&d->src, d, mode_now(d, mode, sizeof(mode))); /* NULL if not */
		ogate_pipeline_set_source(d->pipe, d->src); /* NULL: no camera */
		if (d->src && st.running)
			ogate_pipeline_start(d->pipe);
		ogate_reply_err(r, EINVAL, "mode '%.64s' cannot be set up (see the log); %s", argv[1],
				d->src ? "previous mode restored"
				       : "no camera now: set a mode that works");
		return true;
	}
	ogate_pipeline_set_source(d->pipe, src);
	d->src = src;
	pthread_mutex_lock(&d->st_lock);
	snprintf(d->mode, sizeof(d->mode), "%s", argv[1]);
	pthread_mutex_unlock(&d->st_lock);
	err = st.running ? ogate_pipeline_start(d->pipe) : 0;
	if (err)
		ogate_reply_err(r, -err, "mode '%.64s' set but the camera would not start", argv[1]);
	else
		ogate_reply_ok(r, "mode %s: %s", argv[1], ogate_source_describe(src));
	return true;
}
QUEUED(mode)

static bool work_preview(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	uint64_t seq;
	int ret = ogate_pipeline_preview(d->pipe, argv[1], 1000000000LL, &seq);

	if (ret == -ETIMEDOUT)
		ogate_reply_err(r, ETIMEDOUT, "no frame within 1 s (is streaming stopped?)");
	else if (ret == -EPROTONOSUPPORT)
		ogate_reply_err(r, EINVAL, "preview writes .png or .pgm files, not '%.200s'", argv[1]);
	else if (ret)
		ogate_reply_err(r, -ret, "cannot write %.200s: %s", argv[1], strerror(-ret));
	else
		ogate_reply_ok(r, "frame %llu written to %s", (unsigned long long)seq, argv[1]);
	return true;
}
QUEUED(preview)

static bool work_acquire(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	struct ogate_acq_plan plan;
	char err[400];
	int ret;

	if (!d->acq) {
		ogate_reply_err(r, ENODEV, "no stage configured (stage.driver)");
		return true;
	}
	ret = ogate_acq_plan_parse(argc, argv, &plan, err, sizeof(err));
	if (!ret)
		ret = ogate_acq_start(d->acq, &plan, err, sizeof(err));
	if (ret)
		ogate_reply_err(r, -ret, "%s", err);
	else
		ogate_reply_ok(r, "%s started: %d plane(s) x %d stack(s)", argv[0], plan.planes,
			       plan.stacks);
	return true;
}
QUEUED(acquire)

/* The acquisition's job thread answers home and abort when the stage is done. */
static void acq_done(void *token, int err, const char *msg)
{
	struct ogate_deferred *dr = token;

	if (err)
		ogate_reply_err(ogate_deferred_reply(dr), -err, "%s", msg);
	else
		ogate_reply_ok(ogate_deferred_reply(dr), "%s", msg);
	ogate_deferred_finish(dr);
}

static bool work_home(struct daemon *d, int argc, char **argv, struct ogate_deferred *dr)
{
	struct ogate_reply *r = ogate_deferred_reply(dr);
	char err[300];
	int ret;

	if (!d->acq) {
		ogate_reply_err(r, ENODEV, "no stage configured (stage.driver)");
		return true;
	}
	ret = ogate_acq_home(d->acq, acq_done, dr, err, sizeof(err));
	if (ret) {
		ogate_reply_err(r, -ret, "%s", err);
		return true;
	}
	return false; /* answered by the job thread once homed */
}
QUEUED(home)

static void cmd_abort(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	struct daemon *d = ctx;
	struct ogate_deferred *dr;

	if (!d->acq) {
		ogate_reply_err(r, EALREADY, "no acquisition running");
		return;
	}
	dr = ogate_reply_defer(r);
	if (!dr) {
		ogate_reply_err(r, ENOMEM, "out of memory");
		return;
	}
	if (ogate_acq_abort(d->acq, acq_done, dr)) {
		ogate_reply_err(ogate_deferred_reply(dr), EALREADY, "no acquisition running");
		ogate_deferred_finish(dr);
	}
}

const struct ogate_control_cmd ogate_daemon_commands[] = {
	{ "status", "status", 0, 0, cmd_status },
	{ "stats", "stats", 0, 0, cmd_stats },
	{ "start", "start", 0, 0, cmd_start },
	{ "stop", "stop", 0, 0, cmd_stop },
	{ "target", "target <phase_rad|frame=U>", 1, 1, cmd_target },
	{ "reset", "reset", 0, 0, cmd_reset },
	{ "refresh", "refresh", 0, 0, cmd_reset },
	{ "record", "record on|off", 1, 1, cmd_record },
	{ "mode", "mode NAME", 1, 1, cmd_mode },
	{ "preview", "preview PATH.png|PATH.pgm (the latest frame)", 1, 1, cmd_preview },
	{ "zstack",
	  "zstack planes=N step_um=S [per_plane=K] [start_um=Z] [max_triggers=N] [time_limit_s=T]",
	  1, 8, cmd_acquire },
	{ "timelapse", "timelapse stacks=N every_s=T planes=N step_um=S [ref_plane=K] [...]", 2, 9,
	  cmd_acquire },
	{ "abort", "abort (stop a zstack, timelapse or homing)", 0, 0, cmd_abort },
	{ "home", "home (home the stage; controllers such as the SMC100 need it after power-up)", 0,
	  0, cmd_home },
};

const size_t ogate_daemon_ncommands = sizeof(ogate_daemon_commands) / sizeof(ogate_daemon_commands[0]);
