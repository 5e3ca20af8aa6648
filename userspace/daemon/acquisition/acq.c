// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The acquisition's command side: create, configure, start a program, home,
 * abort, status and free; the gate and outcome hooks. Called from the
 * controlling thread (ogated's command worker), the hooks from the pipeline's
 * threads; the job itself runs on its own thread (acq_run.c).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acq.h"
#include "acq_out.h"
#include "acq_private.h"
#include "log.h"

int ogate_acq_new(struct ogate_acq **out, struct ogate_stage *stage,
		  const struct ogate_stage_opts *reopen, const char *csv_dir,
		  unsigned int pulses_per_trigger, uint32_t laser_mask)
{
	struct ogate_acq *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;

	if (!a) {
		ogate_error("acquisition: out of memory");
		return -ENOMEM;
	}
	a->stage = stage;
	a->move_timeout_ms = 60000;
	if (reopen) {
		a->sopts = *reopen;
		a->can_reopen = true;
		if (reopen->move_timeout_ms > 0)
			a->move_timeout_ms = reopen->move_timeout_ms;
	}
	snprintf(a->csv_dir, sizeof(a->csv_dir), "%s", csv_dir ? csv_dir : ".");
	a->pulses = pulses_per_trigger ? pulses_per_trigger : 1;
	a->laser_mask = laser_mask;
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_condattr_destroy(&ca);
	a->st.state = "idle";
	a->out = acq_out_new();
	a->drops = acq_drops_new();
	if (!a->out || !a->drops) {
		ogate_error("acquisition: out of memory");
		acq_out_free(a->out);
		acq_drops_free(a->drops);
		pthread_cond_destroy(&a->cond);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

int ogate_acq_set_output(struct ogate_acq *a, const struct ogate_acq_output *o,
			 const struct ogate_provenance *prov)
{
	return atomic_load(&a->running) ? -EBUSY : acq_out_configure(a->out, o, prov);
}

bool ogate_acq_frame(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r)
{
	struct ogate_acq *a = ctx;
	const struct ogate_frame_meta *m = ogate_frame_get_meta(f);

	/* when the analysis skipped frames (acq_drops.h): two stores, no lock */
	if (a->next_seq && m->sequence > a->next_seq)
		atomic_store_explicit(&a->gap_end_ns, m->timestamp_ns, memory_order_relaxed);
	a->next_seq = m->sequence + 1;
	atomic_store_explicit(&a->last_frame_ns, m->timestamp_ns, memory_order_relaxed);
	return atomic_load(&a->gating) && acq_out_frame(a->out, f, r);
}

int64_t ogate_acq_analysis_ns(const struct ogate_acq *a)
{
	return acq_out_analysis_ns(a->out);
}

static void return_frame(void *ctx, struct ogate_frame *f)
{
	ogate_pipeline_return_frame(ctx, f);
}

void ogate_acq_set_pipeline(struct ogate_acq *a, struct ogate_pipeline *p)
{
	a->pipe = p;
	acq_out_set_return(a->out, p ? return_frame : NULL, p);
}

bool ogate_acq_gate(void *ctx, uint64_t cookie, int64_t time_ns, double phase, int reason)
{
	struct ogate_acq *a = ctx;

	if (atomic_load(&a->hold))
		return false;
	if (!atomic_load(&a->gating))
		return true; /* no program: gate freely */
	if (!atomic_exchange(&a->armed, false))
		return false; /* moving, or this plane's trigger is out */
	/* the lock is only ever held briefly by the job thread */
	pthread_mutex_lock(&a->lock);
	a->t_ns = time_ns;
	a->phase = phase;
	a->reason = reason;
	a->outcomes = 0;
	a->fired = 0;
	a->rise_ns = a->fall_ns = a->last_fall_ns = 0;
	acq_out_arm_grab(a->out, time_ns);
	atomic_store(&a->cookie, cookie);
	pthread_mutex_unlock(&a->lock);
	/* the frame this trigger lights, even off the analysis's decimation grid */
	if (a->pipe)
		ogate_pipeline_want_frame(a->pipe, time_ns);
	return true;
}

void ogate_acq_outcome(void *ctx, const struct ogate_sink_event *ev)
{
	struct ogate_acq *a = ctx;

	if (ev->type == OGATE_SINK_LOST || !ev->cookie || ev->cookie != atomic_load(&a->cookie))
		return;
	pthread_mutex_lock(&a->lock);
	a->outcomes++;
	if (ev->type == OGATE_SINK_FIRED) {
		a->fired++;
		if (ev->fall_ns > a->last_fall_ns)
			a->last_fall_ns = ev->fall_ns;
		if (ev->line & a->laser_mask) {
			a->rise_ns = ev->rise_ns;
			a->fall_ns = ev->fall_ns;
		}
	}
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/* Reopen an unplugged stage (the user asked for work: home or a stack). */
static int ensure_stage(struct ogate_acq *a, char *err, size_t errlen)
{
	char why[256];
	int ret;

	if (a->stage) {
		/* a cheap query: an unplugged controller answers -EPIPE or -ENODEV */
		ret = ogate_stage_is_moving(a->stage);
		if (ret >= 0 || (ret != -EPIPE && ret != -ENODEV) || !a->can_reopen)
			return 0;
		ogate_warning("stage: %s; opening it again", ogate_stage_last_error(a->stage));
		ogate_stage_close(a->stage);
		a->stage = NULL;
	}
	if (!a->can_reopen) {
		snprintf(err, errlen, "no stage configured (stage.driver)");
		return -ENODEV;
	}
	ret = ogate_stage_open(&a->stage, &a->sopts, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "stage %s on %s cannot be opened again: %s", a->sopts.driver,
			 a->sopts.port ? a->sopts.port : "-", why);
		return ret;
	}
	ogate_info("stage: %s reopened on %s", a->sopts.driver, a->sopts.port ? a->sopts.port : "-");
	return 0;
}

/* Join the last job (it has ended: running is false) before a new one. */
static void reap(struct ogate_acq *a)
{
	if (a->thread_live) {
		pthread_join(a->thread, NULL);
		a->thread_live = false;
	}
}

static int launch(struct ogate_acq *a, enum job job, char *err, size_t errlen)
{
	a->job = job;
	atomic_store(&a->abort, false);
	atomic_store(&a->armed, false);
	atomic_store(&a->running, true);
	if (pthread_create(&a->thread, NULL, ogate_acq_job_main, a)) {
		atomic_store(&a->running, false);
		snprintf(err, errlen, "cannot start the acquisition thread");
		return -EAGAIN;
	}
	a->thread_live = true;
	return 0;
}

static bool plan_ok(const struct ogate_acq_plan *p)
{
	return p->planes >= 1 && p->planes <= OGATE_ACQ_MAX_PLANES && p->per_plane >= 1 &&
	       p->per_plane <= OGATE_ACQ_MAX_PER_PLANE && p->stacks >= 1 &&
	       p->stacks <= OGATE_ACQ_MAX_STACKS && isfinite(p->step_um) &&
	       fabs(p->step_um) <= OGATE_ACQ_MAX_UM &&
	       (isnan(p->start_um) || fabs(p->start_um) <= OGATE_ACQ_MAX_UM) &&
	       (p->stacks == 1 || (p->every_s > 0 && p->every_s <= OGATE_ACQ_MAX_EVERY_S)) &&
	       p->time_limit_s >= 0 && p->time_limit_s <= OGATE_ACQ_MAX_LIMIT_S &&
	       p->max_triggers <= OGATE_ACQ_MAX_TRIGGERS && p->ref_plane >= -1 &&
	       p->ref_plane < p->planes;
}

int ogate_acq_start(struct ogate_acq *a, const struct ogate_acq_plan *plan, char *err, size_t errlen)
{
	double lo, hi, first, last;
	char csv[512];
	int ret;

	if (atomic_load(&a->running)) {
		snprintf(err, errlen, "an acquisition or homing is running (abort it first)");
		return -EBUSY;
	}
	if (!plan_ok(plan)) {
		snprintf(err, errlen,
			 "plan out of range: planes %d (1..%d), per_plane %d (1..%d), stacks %d (1..%d), step %g um (|step| <= %g), every %g s (0..%g for a timelapse), time_limit %g s (0..%g), ref_plane %d (-1..planes-1)",
			 plan->planes, OGATE_ACQ_MAX_PLANES, plan->per_plane,
			 OGATE_ACQ_MAX_PER_PLANE, plan->stacks, OGATE_ACQ_MAX_STACKS, plan->step_um,
			 OGATE_ACQ_MAX_UM, plan->every_s, OGATE_ACQ_MAX_EVERY_S, plan->time_limit_s,
			 OGATE_ACQ_MAX_LIMIT_S, plan->ref_plane);
		return -EINVAL;
	}
	reap(a);
	ret = ensure_stage(a, err, errlen);
	if (ret)
		return ret;
	first = plan->start_um;
	if (isnan(first) && (ret = ogate_stage_position(a->stage, &first))) {
		snprintf(err, errlen, "cannot read the stage position: %s",
			 ogate_stage_last_error(a->stage));
		ogate_acq_stage_gone(a, ret);
		return -EIO;
	}
	last = first + (plan->planes - 1) * plan->step_um;
	ogate_stage_limits(a->stage, &lo, &hi);
	if (fmin(first, last) < lo || fmax(first, last) > hi) {
		snprintf(err, errlen,
			 "planes from %.3f to %.3f um leave the stage limits [%.3f, %.3f] um",
			 first, last, lo, hi);
		return -ERANGE;
	}
	if (acq_out_cfg(a->out)->sequence &&
	    plan->planes * plan->per_plane > ogate_stage_seq_capacity(a->stage)) {
		snprintf(err, errlen,
			 "a sequenced stack of %d planes x %d triggers needs %d ring buffer "
			 "entries; the controller holds %d (stage.ring_size)",
			 plan->planes, plan->per_plane, plan->planes * plan->per_plane,
			 ogate_stage_seq_capacity(a->stage));
		return -ENOSPC;
	}
	if (mkdir(a->csv_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", a->csv_dir, strerror(errno));
		return -errno;
	}
	/* one directory per run: provenance.txt, the CSV, the OME-TIFF stacks */
	ret = acq_out_run_dir(a->out, a->csv_dir, plan, first, csv, sizeof(csv), err, errlen);
	if (ret)
		return ret;
	a->plan = *plan;
	a->plan.start_um = first;
	pthread_mutex_lock(&a->lock);
	memset(&a->st, 0, sizeof(a->st));
	snprintf(a->st.csv, sizeof(a->st.csv), "%s", csv);
	a->st.state = "moving";
	pthread_mutex_unlock(&a->lock);
	ret = launch(a, JOB_PROGRAM, err, errlen);
	if (ret)
		return ret;
	ogate_info("acquisition: %d stack(s) of %d planes from %.3f um, step %.3f um, %d trigger(s) per plane",
		   plan->stacks, plan->planes, first, plan->step_um, plan->per_plane);
	return 0;
}

int ogate_acq_home(struct ogate_acq *a, ogate_acq_done_fn done, void *token, char *err, size_t errlen)
{
	int ret;

	if (atomic_load(&a->running)) {
		snprintf(err, errlen, "an acquisition or homing is running (abort it first)");
		return -EBUSY;
	}
	reap(a);
	ret = ensure_stage(a, err, errlen);
	if (ret)
		return ret;
	pthread_mutex_lock(&a->lock);
	a->st.error[0] = '\0';
	a->st.state = "homing";
	a->nwaiters = 0;
	if (done)
		a->waiters[a->nwaiters++] = (struct waiter){ done, token, false };
	pthread_mutex_unlock(&a->lock);
	return launch(a, JOB_HOME, err, errlen);
}

int ogate_acq_abort(struct ogate_acq *a, ogate_acq_done_fn done, void *token)
{
	pthread_mutex_lock(&a->lock);
	if (!atomic_load(&a->running)) {
		pthread_mutex_unlock(&a->lock);
		return -EALREADY;
	}
	if (done && a->nwaiters < MAX_WAITERS)
		a->waiters[a->nwaiters++] = (struct waiter){ done, token, true };
	else if (done) {
		pthread_mutex_unlock(&a->lock);
		done(token, 0, "abort already requested");
		pthread_mutex_lock(&a->lock);
	}
	atomic_store(&a->abort, true);
	atomic_store(&a->armed, false);
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	if (a->pipe)
		ogate_pipeline_cancel_pending(a->pipe);
	return 0;
}

void ogate_acq_get_status(struct ogate_acq *a, struct ogate_acq_status *st)
{
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
}

void ogate_acq_free(struct ogate_acq *a)
{
	if (!a)
		return;
	ogate_acq_abort(a, NULL, NULL);
	reap(a);
	if (a->stage)
		ogate_stage_close(a->stage);
	acq_out_free(a->out);
	acq_drops_free(a->drops);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}
