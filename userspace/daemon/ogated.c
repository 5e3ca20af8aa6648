// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated: the gating daemon. Camera frames in, phase analysis, trigger
 * programs out at absolute CLOCK_MONOTONIC times; controlled over a Unix
 * socket (see control.h and ogated(8)); run by systemd as Type=notify.
 *
 * Exit status (ogated(8)): 0 clean stop or a valid --check-config; 1 a
 * device, camera or the control socket could not be set up; 2 a usage or
 * configuration error, nothing started.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "acq.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "notify.h"
#include "ogate/settings.h"
#include "pipeline.h"
#include "run_provenance.h"

#define DEFAULT_CONFIG "/etc/ogate/ogated.conf"
#ifndef OGATE_VERSION
#define OGATE_VERSION "0.1.0"
#endif

struct daemon {
	struct ogate_config *cfg;
	struct ogate_settings settings;
	struct ogate_sink *sink;
	struct ogate_source *src;
	struct ogate_pipeline *pipe;
	struct ogate_stage *stage;
	struct ogate_acq *acq;
	struct ogate_provenance *prov;	/* what produced the runs (run_provenance.h); main thread */
	char mode[OGATE_MODE_NAME_LEN];	/* written by the worker, under st_lock */
	pthread_mutex_t st_lock;
	/* the command worker: queued commands, applied in order */
	pthread_t worker;
	pthread_mutex_t wlock;
	pthread_cond_t wcond;
	struct job *jobs;	/* under wlock */
	bool wstop;		/* under wlock */
};

static int settings_delegate(void *ctx, const char *key, const char *value, char *msg,
			     size_t msglen)
{
	int ret = ogate_settings_set(ctx, key, value);

	if (ret == -EINVAL)
		snprintf(msg, msglen, "not a valid value for this analysis setting (see ogated.conf(5))");
	return ret;
}

static void watchdog_ping(void *ctx)
{
	(void)ctx;
	ogate_notify("WATCHDOG=1");
}

/* Build the camera source for the configured source kind and mode. */
static struct ogate_source *make_source(struct daemon *d, const char *mode_name, int *err)
{
	const struct ogate_config *c = d->cfg;
	const char *kind = ogate_config_str(c, "camera.source");
	struct ogate_source_opts o = { .kind = kind };
	struct ogate_mode m;

	if (ogate_config_mode(c, mode_name, &m)) {
		ogate_error("mode '%s' is not defined in the configuration", mode_name);
		*err = -ENOENT;
		return NULL;
	}
	if (!strcmp(kind, "synthetic")) {
		/* a mode sets the size and rate; [synthetic] the heart */
		o.size = strcmp(mode_name, "default") ? m.width : (int)ogate_config_int(c, "synthetic.size");
		o.fps = strcmp(mode_name, "default") ? m.fps : ogate_config_double(c, "synthetic.fps");
		if (strcmp(mode_name, "default") && !(m.fps >= 1)) {
			ogate_error("mode '%s': the synthetic camera needs fps >= 1, not %g", mode_name,
				    m.fps);
			*err = -EINVAL;
			return NULL;
		}
		if (strcmp(mode_name, "default") && m.width != m.height) {
			ogate_error("mode '%s': the synthetic camera is square; width %d != height %d",
				    mode_name, m.width, m.height);
			*err = -EINVAL;
			return NULL;
		}
		o.period_s = ogate_config_double(c, "synthetic.period_s");
		o.noise = ogate_config_double(c, "synthetic.noise");
		o.mod_amp = ogate_config_double(c, "synthetic.mod_amp");
		o.mod_period_s = ogate_config_double(c, "synthetic.mod_period_s");
		o.seed = (uint64_t)ogate_config_int(c, "synthetic.seed");
	} else if (!strcmp(kind, "libcamera")) {
		o.camera_id = ogate_config_str(c, "camera.id");
		o.width = m.width;
		o.height = m.height;
		o.fps = m.fps;
		o.roi_x = m.roi_x;
		o.roi_y = m.roi_y;
		o.roi_w = m.roi_w;
		o.roi_h = m.roi_h;
		o.exposure_us = (int)ogate_config_int(c, "camera.exposure_us");
		o.analogue_gain = ogate_config_double(c, "camera.analogue_gain");
	} else if (!strcmp(kind, "file")) {
		o.path = ogate_config_str(c, "file.path");
		o.timestamps = ogate_config_str(c, "file.timestamps");
		o.fps = ogate_config_double(c, "file.fps");
		o.fast = !strcmp(ogate_config_str(c, "file.pace"), "fast");
		o.loop = ogate_config_bool(c, "file.loop");
	}
	return ogate_source_new(&o, err);
}

static struct ogate_sink *make_sink(const struct ogate_config *c, struct ogate_program *prog,
				    int *err)
{
	const char *kind = ogate_config_str(c, "output.sink");
	unsigned int lines[2];
	struct ogate_sink_opts o = {
		.device = ogate_config_str(c, "output.device"),
		.gpiochip = ogate_config_str(c, "output.gpiochip"),
		.rt_priority = (int)ogate_config_int(c, "daemon.rt_priority"),
		.record_path = ogate_config_str(c, "output.dryrun_file"),
	};
	char msg[160];

	*prog = (struct ogate_program){
		.laser_line = (int)ogate_config_int(c, "output.laser_line"),
		.camera_line = (int)ogate_config_int(c, "output.camera_line"),
		.mode = strcmp(ogate_config_str(c, "output.mode"), "edge") ? OGATE_PROGRAM_EXPOSE
									    : OGATE_PROGRAM_EDGE,
		.laser_width_ns = (uint32_t)ogate_config_int(c, "output.laser_width_us") * 1000,
		.camera_delay_ns = (int32_t)ogate_config_int(c, "output.camera_laser_delay_us") * 1000,
		.camera_width_ns = (uint32_t)ogate_config_int(c, "output.camera_width_us") * 1000,
		.late_ns = (uint32_t)ogate_config_int(c, "output.late_us") * 1000,
	};
	if (!strcmp(kind, "gpiod")) {
		/* gpiod: the configured lines are chip offsets; the sink numbers them 0, 1 */
		lines[0] = (unsigned int)prog->laser_line;
		o.nlines = 1;
		if (prog->camera_line >= 0) {
			lines[1] = (unsigned int)prog->camera_line;
			o.nlines = 2;
		}
		o.lines = lines;
		prog->laser_line = 0;
		prog->camera_line = prog->camera_line >= 0 ? 1 : -1;
	}
	if (ogate_program_check(prog, msg, sizeof(msg))) {
		ogate_error("trigger program: %s", msg);
		*err = -EINVAL;
		return NULL;
	}
	return ogate_sink_new(kind, &o, err);
}

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

static void *worker_main(void *arg)
{
	struct daemon *d = arg;

	pthread_mutex_lock(&d->wlock);
	for (;;) {
		struct job *j;

		while (!d->jobs && !d->wstop)
			pthread_cond_wait(&d->wcond, &d->wlock);
		j = d->jobs;
		if (!j)
			break;		/* stopping with nothing queued */
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

#define QUEUED(name)									\
	static void cmd_##name(void *ctx, int argc, char **argv, struct ogate_reply *r)	\
	{										\
		enqueue(ctx, work_##name, argc, argv, r);				\
	}

static const char *mode_now(struct daemon *d, char *buf, size_t len)
{
	pthread_mutex_lock(&d->st_lock);
	snprintf(buf, len, "%s", d->mode);
	pthread_mutex_unlock(&d->st_lock);
	return buf;
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
	} else {
		ogate_reply_kv(r, "period_s", "unlocked");
		ogate_reply_kv(r, "target_phase_rad", "unlocked");
		ogate_reply_kv(r, "reference", "unlocked");
		ogate_reply_kv(r, "period_frames", "unlocked");
		ogate_reply_kv(r, "ref_first_seq", "unlocked");
		ogate_reply_kv(r, "target_u", "unlocked");
	}
	if (st.phase >= 0)
		ogate_reply_kv(r, "phase", "%.6f", st.phase);
	else
		ogate_reply_kv(r, "phase", "unlocked");
	ogate_reply_kv(r, "frames", "%llu", (unsigned long long)st.frames);
	ogate_reply_kv(r, "triggers", "%llu", (unsigned long long)st.triggers);
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
		ogate_reply_kv(r, "acq_csv", "%s", as.csv);
		if (as.ome[0])
			ogate_reply_kv(r, "acq_ome", "%s", as.ome);
		if (as.error[0])
			ogate_reply_kv(r, "acq_error", "%s", as.error);
	}
}

static void cmd_stats(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	struct daemon *d = ctx;
	struct ogate_pipeline_status st;

	ogate_pipeline_status(d->pipe, &st);
	ogate_reply_kv(r, "frames", "%llu", (unsigned long long)st.frames);
	ogate_reply_kv(r, "analysed", "%llu", (unsigned long long)st.analysed);
	ogate_reply_kv(r, "drops_source", "%llu", (unsigned long long)st.drops_source);
	ogate_reply_kv(r, "drops_analysis", "%llu", (unsigned long long)st.drops_analysis);
	ogate_reply_kv(r, "drops_record", "%llu", (unsigned long long)st.drops_record);
	ogate_reply_kv(r, "record_errors", "%llu", (unsigned long long)st.record_errors);
	ogate_reply_kv(r, "triggers", "%llu", (unsigned long long)st.triggers);
	ogate_reply_kv(r, "queue_errors", "%llu", (unsigned long long)st.queue_errors);
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
	char *end;

	*v = s && *s ? strtod(s, &end) : NAN;
	return s && *s && !*end && isfinite(*v);
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
		ogate_reply_err(r, EINVAL, "target '%.64s' is neither a finite phase in rad nor frame=U",
				argv[1]);
		return true;
	}
	ret = ogate_pipeline_set_target_phase(d->pipe, phase, msg, sizeof(msg));
	if (ret)
		ogate_reply_err(r, -ret, "%s", ret == -EDOM ? "target phase outside [0, 2 pi) rad" : msg);
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
	ogate_source_free(d->src);
	d->src = NULL;
	src = make_source(d, argv[1], &err);
	if (!src) {
		d->src = make_source(d, mode_now(d, mode, sizeof(mode)), &err);
		ogate_pipeline_set_source(d->pipe, d->src);	/* NULL: no camera */
		if (d->src && st.running)
			ogate_pipeline_start(d->pipe);
		ogate_reply_err(r, EINVAL, "mode '%.64s' cannot be set up (see the log); %s", argv[1],
				d->src ? "previous mode restored" : "no camera now: set a mode that works");
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
	return false;	/* answered by the job thread once homed */
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

static const struct ogate_control_cmd commands[] = {
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
	{ "zstack", "zstack planes=N step_um=S [per_plane=K] [start_um=Z] [max_triggers=N] [time_limit_s=T]",
	  1, 8, cmd_acquire },
	{ "timelapse", "timelapse stacks=N every_s=T planes=N step_um=S [ref_plane=K] [...]", 2, 9,
	  cmd_acquire },
	{ "abort", "abort (stop a zstack, timelapse or homing)", 0, 0, cmd_abort },
	{ "home", "home (home the stage; controllers such as the SMC100 need it after power-up)",
	  0, 0, cmd_home },
};

/* The stage, when one is configured (opts kept to reopen it after an unplug). */
static int open_stage(struct daemon *d, struct ogate_stage_opts *opts)
{
	const struct ogate_config *c = d->cfg;
	const char *driver = ogate_config_str(c, "stage.driver");
	struct ogate_stage_opts o;
	char err[256];
	int ret;

	if (!strcmp(driver, "none"))
		return 0;
	ogate_stage_opts_init(&o);
	o.driver = driver;
	o.port = ogate_config_str(c, "stage.port");
	o.address = (int)ogate_config_int(c, "stage.address");
	o.baud = (int)ogate_config_int(c, "stage.baud");
	o.axis = ogate_config_str(c, "stage.axis")[0];
	o.min_um = ogate_config_double(c, "stage.min_um");
	o.max_um = ogate_config_double(c, "stage.max_um");
	o.reply_timeout_ms = (int)ogate_config_int(c, "stage.reply_timeout_ms");
	o.move_timeout_ms = (int)ogate_config_int(c, "stage.move_timeout_ms");
	o.sim_speed_um_s = ogate_config_double(c, "stage.sim_speed_um_s");
	o.seq_capacity = (int)ogate_config_int(c, "stage.ring_size");
	o.seq_axis_byte = (int)ogate_config_int(c, "stage.axis_byte");
	o.card_address = (int)ogate_config_int(c, "stage.card");
	*opts = o;
	ret = ogate_stage_open(&d->stage, &o, err, sizeof(err));
	if (ret)
		ogate_error("stage %s on %s: %s", driver, o.port[0] ? o.port : "(no port)", err);
	else
		ogate_info("stage: %s %s", driver, ogate_stage_identity(d->stage));
	return ret;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: ogated [--config FILE] [--set section.key=value]... [--check-config]\n"
		   "              [--foreground] [--help-config]\n"
		   "  --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		   "  --set K=V       override one key, e.g. --set camera.source=synthetic\n"
		   "  --check-config  validate the configuration and exit\n"
		   "  --help-config   list every configuration key\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help-config", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *sets[64];
	struct ogate_pipeline_opts po = { 0 };
	struct ogate_control *ctl;
	struct daemon d = { 0 };
	struct ogate_stage_opts sopts;
	enum ogate_log_level lvl;
	char err[OGATE_CONFIG_ERR_LEN];
	int nsets = 0, check = 0, c, e = 0, rc = 0;
	sigset_t sigs;

	while ((c = getopt_long(argc, argv, "c:s:kfKhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "ogated: at most 64 --set options\n");
				return 2;
			}
			sets[nsets++] = optarg;
			break;
		case 'k': check = 1; break;
		case 'f': break;	/* ogated never forks; kept for scripts */
		case 'K': ogate_config_print_table(stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogated %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ogated: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* libcamera logs every INFO line to stderr (the journal) unless told otherwise */
	setenv("LIBCAMERA_LOG_LEVELS", "*:WARN", 0);
	ogate_settings_default(&d.settings);
	d.cfg = ogate_config_new(settings_delegate, &d.settings);
	if (!d.cfg)
		return 1;
	if (config_path || access(DEFAULT_CONFIG, F_OK) == 0) {
		if (ogate_config_load(d.cfg, config_path ? config_path : DEFAULT_CONFIG, err,
				      sizeof(err))) {
			ogate_critical("%s", err);
			return 2;
		}
	} else {
		ogate_warning("%s missing: running on the built-in defaults", DEFAULT_CONFIG);
	}
	for (c = 0; c < nsets; c++) {
		if (ogate_config_set(d.cfg, sets[c], err, sizeof(err))) {
			ogate_critical("%s", err);
			return 2;
		}
	}
	if (ogate_config_check(d.cfg, err, sizeof(err))) {
		ogate_critical("%s", err);
		return 2;
	}
	if (check) {
		printf("configuration OK\n");
		return 0;
	}
	if (ogate_log_level_parse(ogate_config_str(d.cfg, "daemon.log_level"), &lvl) == 0)
		ogate_log_set_level(lvl);
	if (ogate_config_bool(d.cfg, "daemon.mlockall") && mlockall(MCL_CURRENT | MCL_FUTURE))
		ogate_warning("mlockall not permitted (%s): page faults may delay frames",
			      strerror(errno));

	/* signals are taken synchronously by the main thread only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&d.st_lock, NULL);
	pthread_mutex_init(&d.wlock, NULL);
	pthread_cond_init(&d.wcond, NULL);
	signal(SIGXFSZ, SIG_IGN);	/* a file-size limit is a write error, not a kill */
	snprintf(d.mode, sizeof(d.mode), "%s", ogate_config_str(d.cfg, "camera.mode"));
	po.settings = d.settings;
	po.rt_priority = (int)ogate_config_int(d.cfg, "daemon.rt_priority");
	po.cpu_capture = (int)ogate_config_int(d.cfg, "daemon.cpu_capture");
	po.cpu_analysis = (int)ogate_config_int(d.cfg, "daemon.cpu_analysis");
	po.stop_grace_ns = ogate_config_int(d.cfg, "daemon.stop_grace_ms") * 1000000LL;
	po.record_dir = ogate_config_str(d.cfg, "record.dir");
	/* frame edges mean something only for a real camera wired to the module */
	po.edge_match = ogate_config_bool(d.cfg, "camera.edge_match") &&
			!strcmp(ogate_config_str(d.cfg, "camera.source"), "libcamera") &&
			!strcmp(ogate_config_str(d.cfg, "output.sink"), "ogate");
	po.edge_line = 0;
	po.record_every = (int)ogate_config_int(d.cfg, "record.every");
	if (ogate_notify_watchdog_ns() > 0)
		po.watchdog = watchdog_ping;
	/* the analysis keys were applied to d.settings, once each, as they were read */

	d.sink = make_sink(d.cfg, &po.program, &e);
	if (!d.sink)
		return 1;
	d.src = make_source(&d, d.mode, &e);
	if (!d.src) {
		ogate_sink_free(d.sink);
		return 1;
	}
	if (open_stage(&d, &sopts)) {
		ogate_source_free(d.src);
		ogate_sink_free(d.sink);
		return 1;
	}
	d.prov = ogate_run_provenance(d.cfg, ogate_source_describe(d.src), ogate_sink_kind(d.sink),
				      d.stage, d.mode);
	if (d.stage) {
		d.acq = ogate_acq_new(d.stage, &sopts, ogate_config_str(d.cfg, "record.dir"),
				      po.program.camera_line >= 0 ? 2 : 1, 1U << po.program.laser_line);
		d.stage = NULL;	/* the acquisition owns it now */
		po.gate = ogate_acq_gate;
		po.outcome = ogate_acq_outcome;
		po.frame = ogate_acq_frame;
		po.hook_ctx = d.acq;
	}
	po.provenance = d.prov;
	po.pixel_size_um = ogate_config_double(d.cfg, "camera.pixel_size_um");
	if (po.pixel_size_um > 0 && ogate_config_double(d.cfg, "camera.magnification") > 0)
		po.pixel_size_um /= ogate_config_double(d.cfg, "camera.magnification");
	if (d.acq) {
		struct ogate_acq_output out = {
			.pixel_size_um = ogate_config_double(d.cfg, "camera.pixel_size_um"),
			.magnification = ogate_config_double(d.cfg, "camera.magnification"),
			.exposure_s = ogate_config_int(d.cfg, "camera.exposure_us") > 0 ?
				      ogate_config_int(d.cfg, "camera.exposure_us") / 1e6 : NAN,
			.sequence = ogate_config_bool(d.cfg, "stage.sequence"),
			.settle_ms = (int)ogate_config_int(d.cfg, "stage.settle_ms"),
			.tolerance_um = ogate_config_double(d.cfg, "stage.tolerance_um"),
		};

		if (ogate_acq_set_output(d.acq, &out, d.prov))
			return 1;
	}
	d.pipe = ogate_pipeline_new(&po, d.src, d.sink, &e);
	if (!d.pipe)
		return 1;
	if (d.acq)
		ogate_acq_set_pipeline(d.acq, d.pipe);
	ctl = ogate_control_new(ogate_config_str(d.cfg, "daemon.socket"),
				ogate_config_str(d.cfg, "daemon.socket_group"),
				(unsigned int)ogate_config_int(d.cfg, "daemon.socket_mode"),
				commands, sizeof(commands) / sizeof(commands[0]), &d, &e);
	if (ctl && pthread_create(&d.worker, NULL, worker_main, &d)) {
		ogate_control_free(ctl);
		ctl = NULL;
	}
	if (!ctl || ogate_control_start(ctl)) {
		ogate_pipeline_free(d.pipe);
		ogate_source_free(d.src);
		ogate_sink_free(d.sink);
		return 1;
	}
	if (ogate_config_bool(d.cfg, "record.enabled")) {
		char msg[300];

		if (ogate_pipeline_record(d.pipe, true, msg, sizeof(msg)))
			ogate_error("record.enabled: %s; not recording", msg);
	}
	if (ogate_config_bool(d.cfg, "daemon.autostart") && ogate_pipeline_start(d.pipe))
		rc = 1;
	if (!rc) {
		ogate_notify("READY=1");
		ogate_success("ogated ready on %s", ogate_config_str(d.cfg, "daemon.socket"));
		for (;;) {
			struct timespec one = { 1, 0 };
			int sig = sigtimedwait(&sigs, NULL, &one);

			if (sig == SIGTERM || sig == SIGINT) {
				ogate_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
				break;
			}
			if (sig == SIGHUP)
				ogate_warning("SIGHUP ignored: the configuration is read only at start; restart ogated to apply a changed file");
			/* the analysis loop pings while streaming; keep systemd informed when stopped */
			if (po.watchdog) {
				struct ogate_pipeline_status st;

				ogate_pipeline_status(d.pipe, &st);
				if (!st.running)
					ogate_notify("WATCHDOG=1");
			}
		}
	}
	ogate_notify("STOPPING=1");
	ogate_control_stop(ctl);
	pthread_mutex_lock(&d.wlock);
	d.wstop = true;		/* what is still queued is refused */
	pthread_cond_signal(&d.wcond);
	pthread_mutex_unlock(&d.wlock);
	pthread_join(d.worker, NULL);
	ogate_acq_free(d.acq);	/* aborts a job: stage stopped */
	ogate_pipeline_free(d.pipe);	/* stops: grace period, then cancel */
	ogate_control_free(ctl);
	ogate_sink_free(d.sink);	/* outputs inactive */
	if (d.stage)
		ogate_stage_close(d.stage);
	ogate_source_free(d.src);
	ogate_config_free(d.cfg);
	ogate_provenance_free(d.prov);
	ogate_info("ogated stopped");
	return rc;
}
