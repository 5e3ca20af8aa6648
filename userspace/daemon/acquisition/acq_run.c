// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The acquisition's job thread: runs a program (stacks of planes, one gated
 * trigger at a time, the stage moved or sequenced between them) or homes the
 * stage, then answers the waiters. Runs on the thread launched by acq.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "acq.h"
#include "acq_out.h"
#include "acq_private.h"
#include "log.h"
#include "reasons.h"

#define WAIT_BEAT_NS (10LL * 1000000000LL) /* no trigger this long: say so */
#define POLL_NS (20LL * 1000000LL)	   /* stage polling while it moves */
#define DROPS_NS (100LL * 1000000LL)	   /* the analysis's skipped frames: sampled this often */

/* t + s seconds, saturating: never overflows, whatever s is (inf and NaN included). */
static int64_t add_s_sat(int64_t t, double s)
{
	const int64_t cap = INT64_MAX / 2;
	double ns = s * 1e9;

	if (t >= cap || !(ns < (double)(cap - t)))
		return cap;
	if (!(ns > 0))
		return t;
	return t + (int64_t)ns;
}

static void set_state(struct ogate_acq *a, const char *state)
{
	pthread_mutex_lock(&a->lock);
	a->st.state = state;
	pthread_mutex_unlock(&a->lock);
}

/* The pipeline's counters and the frame hook's frames now (never under a->lock:
 * the pipeline's status takes its own locks, and its frame thread ours). */
static void drops_sample(struct ogate_acq *a, struct acq_drops_sample *s)
{
	struct ogate_pipeline_status ps;

	memset(s, 0, sizeof(*s));
	if (a->pipe) {
		ogate_pipeline_status(a->pipe, &ps);
		s->stale = ps.drops_stale;
		/* the rest of the source's drops, neither stale nor decimated: the camera's */
		if (ps.drops_source > ps.drops_stale + ps.drops_decimated)
			s->camera = ps.drops_source - ps.drops_stale - ps.drops_decimated;
		s->decimated = ps.drops_decimated;
		s->decimate = ps.decimate;
		s->lag_ns = ps.lag_ns;
		s->lag_max_ns = ps.lag_max_ns;
	}
	s->last_frame_ns = atomic_load_explicit(&a->last_frame_ns, memory_order_relaxed);
	s->gap_end_ns = atomic_load_explicit(&a->gap_end_ns, memory_order_relaxed);
	s->t_ns = ogate_mono_ns();
	a->drops_polled = s->t_ns;
}

/* The run's skipped frames so far into the status (live). */
static void drops_publish(struct ogate_acq *a)
{
	struct acq_drops_totals t;

	acq_drops_get(a->drops, &t);
	pthread_mutex_lock(&a->lock);
	a->st.skipped = t.frames;
	a->st.skipped_analysis = t.analysis;
	a->st.skipped_camera = t.camera;
	a->st.skipped_episodes = t.episodes;
	pthread_mutex_unlock(&a->lock);
}

/* A sample about every DROPS_NS while the job thread waits (not under a->lock). */
static void drops_poll(struct ogate_acq *a)
{
	struct acq_drops_sample s;

	if (ogate_mono_ns() - a->drops_polled < DROPS_NS)
		return;
	drops_sample(a, &s);
	acq_drops_note(a->drops, &s);
	drops_publish(a);
}

/* Plane (stack, plane) at z starts now; stack < 0: none (between stacks). */
static void drops_plane(struct ogate_acq *a, int stack, int plane, double z)
{
	struct acq_drops_sample s;

	drops_sample(a, &s);
	acq_drops_plane(a->drops, stack, plane, z, &s);
	drops_publish(a);
}

/* The run ended (done, aborted, failed): DIR/acq-<stamp>/acq-<stamp>.summary.json, the log line. */
static void drops_end(struct ogate_acq *a, const char *ended)
{
	struct acq_drops_sample s;
	struct timespec rt;
	char path[540];
	int n;

	drops_sample(a, &s);
	acq_drops_end(a->drops, &s);
	drops_publish(a);
	pthread_mutex_lock(&a->lock);
	n = (int)strlen(a->st.csv) - 4; /* without ".csv" */
	snprintf(path, sizeof(path), "%.*s.summary.json", n > 0 ? n : 0, a->st.csv);
	pthread_mutex_unlock(&a->lock);
	clock_gettime(CLOCK_REALTIME, &rt);
	acq_drops_write(a->drops, path, ended,
			(int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec - ogate_mono_ns());
	acq_drops_log(a->drops, a->plan.stacks);
}

/* Sleep until t on the condition variable: an abort wakes it. */
static void nap_until(struct ogate_acq *a, int64_t t)
{
	struct timespec ts = ogate_timespec(t);

	pthread_mutex_lock(&a->lock);
	if (!atomic_load(&a->abort))
		pthread_cond_timedwait(&a->cond, &a->lock, &ts);
	pthread_mutex_unlock(&a->lock);
}

void ogate_acq_stage_gone(struct ogate_acq *a, int err)
{
	if ((err == -EPIPE || err == -ENODEV) && a->can_reopen && a->stage) {
		ogate_stage_close(a->stage);
		a->stage = NULL;
		ogate_warning("stage: the port is gone; it is opened again at the next home or stack");
	}
}

/*
 * A stage operation failed: report the controller's own error (taken before
 * anything else is sent), then stop the stage and log where it is.
 */
static int fail_why(struct ogate_acq *a, const char *what, int err, const char *why)
{
	char cause[256];
	double pos;

	snprintf(cause, sizeof(cause), "%s",
		 why	    ? why
		 : a->stage ? ogate_stage_last_error(a->stage)
			    : "");
	if (!cause[0])
		snprintf(cause, sizeof(cause), "%s", strerror(-err));
	pthread_mutex_lock(&a->lock);
	snprintf(a->st.error, sizeof(a->st.error), "%s: %s", what, cause);
	a->st.state = "failed";
	pthread_mutex_unlock(&a->lock);
	if (a->stage && err != -EPIPE && err != -ENODEV) {
		ogate_stage_stop(a->stage);
		if (ogate_stage_position(a->stage, &pos) == 0)
			ogate_error("acquisition stopped: %s; stage stopped at %.3f um",
				    a->st.error, pos);
		else
			ogate_error("acquisition stopped: %s; stage stopped, position unknown: %s",
				    a->st.error, ogate_stage_last_error(a->stage));
	} else {
		ogate_error("acquisition stopped: %s; stage position unknown (port gone)", a->st.error);
	}
	ogate_acq_stage_gone(a, err);
	return err;
}

static int fail(struct ogate_acq *a, const char *what, int err)
{
	return fail_why(a, what, err, NULL);
}

/*
 * Wait until the stage is still, polling it; an abort ends the wait within
 * one controller reply. 0 still, -ECANCELED aborted, -ETIME still moving at
 * the move deadline, or the stage's -errno.
 */
static int wait_still(struct ogate_acq *a)
{
	int64_t deadline = add_s_sat(ogate_mono_ns(), a->move_timeout_ms / 1e3);

	for (;;) {
		int r;

		if (atomic_load(&a->abort))
			return -ECANCELED;
		r = ogate_stage_is_moving(a->stage);
		if (r <= 0)
			return r;
		if (ogate_mono_ns() >= deadline)
			return -ETIME;
		nap_until(a, ogate_mono_ns() + POLL_NS);
		drops_poll(a);
	}
}

/* Move and wait until still; records when. */
static int move_to(struct ogate_acq *a, double z, int64_t *start, int64_t *still)
{
	char what[64], why[64];
	int ret;

	set_state(a, "moving");
	*start = ogate_mono_ns();
	ret = ogate_stage_move_abs(a->stage, z);
	if (!ret)
		ret = wait_still(a);
	*still = ogate_mono_ns();
	if (ret == -ECANCELED)
		return ret;
	if (ret) {
		snprintf(what, sizeof(what), "stage move to %.3f um", z);
		snprintf(why, sizeof(why), "still moving after %d ms", a->move_timeout_ms);
		return fail_why(a, what, ret, ret == -ETIME ? why : NULL);
	}
	return 0;
}

static bool limits_reached(struct ogate_acq *a, int64_t t_start)
{
	const struct ogate_acq_plan *pl = &a->plan;
	bool hit;

	pthread_mutex_lock(&a->lock);
	hit = (pl->max_triggers && a->st.triggers >= pl->max_triggers) ||
	      (pl->time_limit_s > 0 && ogate_mono_ns() >= add_s_sat(t_start, pl->time_limit_s));
	pthread_mutex_unlock(&a->lock);
	return hit;
}

/*
 * One gated trigger for this plane: arm the gate, wait until analysis queued
 * one and every pulse of it has an outcome. 1 when all fired, 0 to retry,
 * -EPROTO when a sequenced stack's trigger only partly fired (the stage may
 * or may not have advanced), -errno when the results cannot be written.
 */
static int one_trigger(struct ogate_acq *a, int stack, int plane, double z, int64_t moved,
		       int64_t still, FILE *csv)
{
	int64_t deadline = ogate_mono_ns() + WAIT_BEAT_NS;
	struct timespec ts;
	int ret = 0;

	atomic_store(&a->cookie, 0);
	atomic_store(&a->armed, true);
	set_state(a, "waiting");
	pthread_mutex_lock(&a->lock);
	while (!atomic_load(&a->abort)) {
		uint64_t c = atomic_load(&a->cookie);
		int r;

		if (c && a->outcomes >= a->pulses)
			break;
		if (c)
			a->st.state = "exposing";
		/* awake at least every DROPS_NS: the skipped frames are sampled */
		ts = ogate_timespec(c || deadline - ogate_mono_ns() > DROPS_NS ? ogate_mono_ns() + DROPS_NS
									       : deadline);
		r = pthread_cond_timedwait(&a->cond, &a->lock, &ts);
		if (r == ETIMEDOUT && !c && ogate_mono_ns() >= deadline) {
			ogate_warning("acquisition: no trigger for plane %d within %lld s (not locked?)",
				      plane, WAIT_BEAT_NS / 1000000000LL);
			deadline = ogate_mono_ns() + WAIT_BEAT_NS;
		}
		if (r == ETIMEDOUT) {
			pthread_mutex_unlock(&a->lock);
			drops_poll(a);
			pthread_mutex_lock(&a->lock);
		}
	}
	if (!atomic_load(&a->abort)) {
		if (a->fired == a->pulses) {
			a->done = (struct acq_plane_info){
				.stack = stack,
				.plane = plane,
				.z_um = z,
				.t_ns = a->t_ns,
				.cookie = atomic_load(&a->cookie),
				.rise_ns = a->rise_ns,
				.fall_ns = a->fall_ns,
				.target_phase = a->phase,
			};
			a->done_fall_ns = a->last_fall_ns ? a->last_fall_ns : a->fall_ns;
			a->st.triggers++;
			ogate_reason_counts_add(&a->st.by_reason, a->reason);
			acq_drops_trigger(a->drops, a->reason);
			fprintf(csv,
				"%d,%d,%.4f,%" PRIu64 ",%" PRId64 ",%" PRId64 ",%" PRId64
				",%.6f,%" PRId64 ",%" PRId64 ",%s\n",
				stack, plane, z, atomic_load(&a->cookie), a->t_ns, a->rise_ns,
				a->fall_ns, a->phase, moved, still, ogate_reason_name(a->reason));
			ret = fflush(csv) || ferror(csv) ? -EIO : 1;
		} else if (a->fired && acq_out_cfg(a->out)->sequence) {
			ret = -EPROTO;
		} else {
			a->st.retries++;
			ogate_warning("acquisition: plane %d trigger %" PRIu64
				      " not fired (%u of %u pulses); retrying at the next beat",
				      plane, atomic_load(&a->cookie), a->fired, a->pulses);
		}
	}
	atomic_store(&a->cookie, 0);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

static void wait_pulses_done(struct ogate_acq *a, int64_t deadline)
{
	while (a->pipe && ogate_pipeline_pulses_in_flight(a->pipe) && !atomic_load(&a->abort) &&
	       ogate_mono_ns() < deadline)
		nap_until(a, ogate_mono_ns() + 2000000);
}

/* Wait for the next stack's absolute start time (sampling the skipped frames
 * every DROPS_NS); false when aborted. */
static bool wait_until(struct ogate_acq *a, int64_t t)
{
	struct timespec ts;
	int r = 0;

	while (!atomic_load(&a->abort) && ogate_mono_ns() < t) {
		ts = ogate_timespec(t - ogate_mono_ns() > DROPS_NS ? ogate_mono_ns() + DROPS_NS : t);
		pthread_mutex_lock(&a->lock);
		if (!atomic_load(&a->abort))
			r = pthread_cond_timedwait(&a->cond, &a->lock, &ts);
		pthread_mutex_unlock(&a->lock);
		if (r && r != ETIMEDOUT && r != EINTR) {
			/* cannot happen with a saturated time; never spin on it */
			ogate_error("acquisition: waiting for the next stack failed: %s", strerror(r));
			return false;
		}
		drops_poll(a);
	}
	return !atomic_load(&a->abort);
}

static void run_program(struct ogate_acq *a)
{
	const struct ogate_acq_plan *pl = &a->plan;
	const struct ogate_acq_output *cfg = acq_out_cfg(a->out);
	int64_t t_start = ogate_mono_ns(), moved = 0, still = 0, prev_fall = 0;
	double z0 = pl->start_um;
	char why[200], path[512];
	struct acq_drops_sample ds;
	bool ended = false;
	FILE *csv;
	int stack, plane, k, r;

	csv = fopen(a->st.csv, "w");
	if (!csv) {
		fail(a, a->st.csv, -errno);
		return;
	}
	drops_sample(a, &ds);
	acq_drops_begin(a->drops, &ds);
	drops_publish(a);
	fprintf(csv,
		"stack,plane,z_um,trigger,time_ns,rise_ns,fall_ns,phase_rad,move_start_ns,still_ns,trigger_reason\n");
	if (fflush(csv)) {
		fail(a, a->st.csv, -EIO);
		goto out;
	}
	/* triggers queued before the program (free-running) finish before any move */
	wait_pulses_done(a, t_start + 5000000000LL);
	for (stack = 0; stack < pl->stacks && !atomic_load(&a->abort); stack++) {
		/* timelapse: the next stack at its absolute time */
		if (stack > 0) {
			set_state(a, "waiting");
			if (!wait_until(a, add_s_sat(t_start, stack * pl->every_s)))
				break;
		}
		acq_out_stack_path(a->st.csv, pl->stacks, stack, path, sizeof(path));
		acq_out_begin(a->out, path, pl->planes * pl->per_plane);
		prev_fall = 0;
		if (cfg->sequence) { /* plane 0 by a move, then the ring buffer */
			if (move_to(a, z0, &moved, &still))
				goto out;
			set_state(a, "loading");
			r = acq_seq_load(a->stage, z0, pl->step_um, pl->planes, pl->per_plane);
			if (r) {
				fail(a, "sequence load", r);
				goto out;
			}
		}
		for (plane = 0; plane < pl->planes && !atomic_load(&a->abort); plane++) {
			double z = z0 + plane * pl->step_um;

			pthread_mutex_lock(&a->lock);
			a->st.stack = stack;
			a->st.plane = plane;
			a->st.z_um = z;
			pthread_mutex_unlock(&a->lock);
			drops_plane(a, stack, plane, z);
			if (!cfg->sequence && move_to(a, z, &moved, &still))
				goto out;
			if (stack > 0 && plane == pl->ref_plane && a->pipe) {
				ogate_info("timelapse stack %d: refreshing the reference at plane %d",
					   stack, plane);
				ogate_pipeline_refresh(a->pipe, NULL, 0);
			}
			for (k = 0; k < pl->per_plane && !atomic_load(&a->abort);) {
				if (limits_reached(a, t_start))
					goto done;
				if (cfg->sequence && prev_fall) {
					/* the last pulse clocked a move: let it settle, no polling */
					moved = prev_fall;
					still = prev_fall + (int64_t)cfg->settle_ms * 1000000;
					set_state(a, "moving");
					nap_until(a, still);
				}
				r = one_trigger(a, stack, plane, z, moved, still, csv);
				if (r == -EPROTO) {
					snprintf(why, sizeof(why),
						 "plane %d's trigger only partly fired; "
						 "the stage may or may not have advanced",
						 plane);
					fail_why(a, "sequenced stack", r, why);
					goto out;
				}
				if (r < 0) {
					fail(a, a->st.csv, r);
					goto out;
				}
				if (r) {
					prev_fall = a->done_fall_ns;
					a->done.t_start_ns = t_start;
					a->done.step_um = pl->step_um;
					acq_out_plane_write(a->out, a->pipe, &a->done);
				}
				k += r;
			}
		}
		if (cfg->sequence && !atomic_load(&a->abort)) {
			nap_until(a, prev_fall + (int64_t)cfg->settle_ms * 1000000);
			r = acq_seq_finish(a->stage, z0, cfg->tolerance_um, why, sizeof(why));
			if (r) {
				fail_why(a, "sequenced stack", r, r == -EIO ? why : NULL);
				goto out;
			}
		}
		acq_out_end(a->out, a->st.ome, sizeof(a->st.ome), &a->lock);
		drops_plane(a, -1, -1, 0);
	}
done:
	if (!atomic_load(&a->abort)) {
		/* written before the state says done: whoever sees done finds it */
		drops_end(a, "done");
		ended = true;
		set_state(a, "done");
		ogate_success("acquisition done: %" PRIu64 " triggers, %" PRIu64
			      " retries, results in %s",
			      a->st.triggers, a->st.retries, a->st.csv);
	}
out:
	atomic_store(&a->armed, false);
	acq_out_drop(a->out);
	acq_out_end(a->out, a->st.ome, sizeof(a->st.ome), &a->lock);
	if (cfg->sequence && a->stage)
		ogate_stage_seq_disarm(a->stage);
	fclose(csv);
	if (!ended)
		drops_end(a, atomic_load(&a->abort) ? "aborted" : "failed");
}

static int run_home(struct ogate_acq *a, char *msg, size_t len)
{
	double pos;
	int ret;

	set_state(a, "homing");
	atomic_store(&a->hold, true);
	wait_pulses_done(a, ogate_mono_ns() + 5000000000LL);
	ret = ogate_stage_home(a->stage);
	if (!ret)
		ret = wait_still(a);
	if (!ret && ogate_stage_position(a->stage, &pos))
		ret = -EIO;
	atomic_store(&a->hold, false);
	if (ret == -ECANCELED)
		return ret;
	if (ret) {
		fail_why(a, "homing", ret, ret == -ETIME ? "still moving at the move deadline" : NULL);
		snprintf(msg, len, "homing failed: %s", a->st.error);
		return ret;
	}
	set_state(a, "idle");
	ogate_info("stage homed at %.3f um", pos);
	snprintf(msg, len, "homed at %.3f um", pos);
	return 0;
}

void *ogate_acq_job_main(void *arg)
{
	struct ogate_acq *a = arg;
	struct waiter w[MAX_WAITERS];
	char msg[400] = "", where[160];
	int err = 0, n, i;
	double pos;

	if (a->job == JOB_PROGRAM) {
		atomic_store(&a->gating, true);
		run_program(a);
		atomic_store(&a->gating, false);
		acq_out_drop(a->out); /* a frame kept as the program ended */
	} else {
		err = run_home(a, msg, sizeof(msg));
	}
	if (atomic_load(&a->abort)) {
		if (a->stage) {
			ogate_stage_stop(a->stage);
			if (ogate_stage_position(a->stage, &pos) == 0)
				snprintf(where, sizeof(where), "stage stopped at %.3f um", pos);
			else
				snprintf(where, sizeof(where),
					 "stage stopped, position unknown: %.100s",
					 ogate_stage_last_error(a->stage));
		} else {
			snprintf(where, sizeof(where), "no stage");
		}
		if (a->job == JOB_PROGRAM)
			ogate_warning("acquisition aborted at stack %d plane %d; %s", a->st.stack,
				      a->st.plane, where);
		else
			ogate_warning("homing aborted; %s", where);
		set_state(a, "aborted");
		snprintf(msg, sizeof(msg), "%s aborted: pending triggers cancelled, %s",
			 a->job == JOB_PROGRAM ? "acquisition" : "homing", where);
		err = a->job == JOB_HOME ? -ECANCELED : 0;
	} else if (a->job == JOB_PROGRAM) {
		snprintf(msg, sizeof(msg), "acquisition %s", a->st.state);
	}
	/* the hooks are called without the lock: they only hand replies over */
	pthread_mutex_lock(&a->lock);
	n = a->nwaiters;
	memcpy(w, a->waiters, sizeof(w));
	a->nwaiters = 0;
	atomic_store(&a->running, false);
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < n; i++) {
		if (w[i].abort)
			w[i].fn(w[i].token, 0, msg);
		else
			w[i].fn(w[i].token, err, msg);
	}
	return NULL;
}
