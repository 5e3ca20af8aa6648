// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock-util.h"
#include "acq.h"
#include "acq_out.h"
#include "log.h"

#define WAIT_BEAT_NS	(10LL * 1000000000LL)	/* no trigger this long: say so */

struct ogate_acq {
	struct ogate_stage *stage;
	struct ogate_pipeline *pipe;
	char csv_dir[400];
	unsigned int pulses;		/* per trigger (laser, camera) */
	uint32_t laser_mask;

	pthread_t thread;
	bool thread_live;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* CLOCK_MONOTONIC */
	struct ogate_acq_plan plan;
	struct ogate_acq_status st;
	atomic_bool running;		/* a program is active: gate triggers */
	atomic_bool hold;		/* homing: no triggers at all */
	atomic_bool abort;

	/* the trigger of the current plane, handed over by the gate */
	atomic_bool armed;
	atomic_uint_least64_t cookie;	/* 0: none */
	int64_t t_ns;			/* under lock */
	double phase;
	unsigned int outcomes, fired;	/* pulses of cookie accounted for */
	int64_t rise_ns, fall_ns;	/* the laser pulse's measured edges */
	int64_t last_fall_ns;		/* latest fall of any pulse of cookie */

	/* OME-TIFF stacks, provenance, sequencing settings (acq_out.h) */
	struct acq_out *out;
	struct acq_plane_info done;	/* the plane trigger one_trigger() accepted */
	int64_t done_fall_ns;		/* its last pulse's fall */
};

struct ogate_acq *ogate_acq_new(struct ogate_stage *stage, const char *csv_dir,
				unsigned int pulses_per_trigger, uint32_t laser_mask)
{
	struct ogate_acq *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;

	if (!a)
		return NULL;
	a->stage = stage;
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
	if (!a->out) {
		free(a);
		return NULL;
	}
	return a;
}

int ogate_acq_set_output(struct ogate_acq *a, const struct ogate_acq_output *o,
			 const struct ogate_provenance *prov)
{
	if (atomic_load(&a->running))
		return -EBUSY;
	return acq_out_configure(a->out, o, prov);
}

void ogate_acq_frame(void *ctx, const struct ogate_frame *f, const struct ogate_sync_result *r)
{
	struct ogate_acq *a = ctx;

	if (atomic_load(&a->running))
		acq_out_frame(a->out, f, r);
}

int64_t ogate_acq_analysis_ns(const struct ogate_acq *a)
{
	return acq_out_analysis_ns(a->out);
}

void ogate_acq_set_pipeline(struct ogate_acq *a, struct ogate_pipeline *p)
{
	a->pipe = p;
}

bool ogate_acq_gate(void *ctx, uint64_t cookie, int64_t time_ns, double phase)
{
	struct ogate_acq *a = ctx;

	if (atomic_load(&a->hold))
		return false;
	if (!atomic_load(&a->running))
		return true;		/* no program: gate freely */
	if (!atomic_exchange(&a->armed, false))
		return false;		/* moving, or this plane's trigger is out */
	/* the lock is only ever held briefly by the acquisition thread */
	pthread_mutex_lock(&a->lock);
	a->t_ns = time_ns;
	a->phase = phase;
	a->outcomes = 0;
	a->fired = 0;
	a->rise_ns = a->fall_ns = a->last_fall_ns = 0;
	acq_out_arm_grab(a->out, time_ns);
	atomic_store(&a->cookie, cookie);
	pthread_mutex_unlock(&a->lock);
	return true;
}

void ogate_acq_outcome(void *ctx, const struct ogate_sink_event *ev)
{
	struct ogate_acq *a = ctx;

	if (ev->type == OGATE_SINK_FRAME || ev->type == OGATE_SINK_LOST || !ev->cookie ||
	    ev->cookie != atomic_load(&a->cookie))
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

static void set_state(struct ogate_acq *a, const char *state)
{
	pthread_mutex_lock(&a->lock);
	a->st.state = state;
	pthread_mutex_unlock(&a->lock);
}

static int fail(struct ogate_acq *a, const char *what, int err)
{
	pthread_mutex_lock(&a->lock);
	snprintf(a->st.error, sizeof(a->st.error), "%s: %s", what,
		 a->stage ? ogate_stage_last_error(a->stage) : strerror(-err));
	a->st.state = "failed";
	pthread_mutex_unlock(&a->lock);
	ogate_error("acquisition stopped: %s", a->st.error);
	return err;
}

/* Move and wait until still; records when. */
static int move_to(struct ogate_acq *a, double z, int64_t *start, int64_t *still)
{
	int ret;

	set_state(a, "moving");
	*start = ogate_mono_ns();
	ret = ogate_stage_move_abs(a->stage, z);
	if (!ret)
		ret = ogate_stage_wait_still(a->stage, 0);
	*still = ogate_mono_ns();
	if (ret) {
		ogate_stage_stop(a->stage);
		return fail(a, "stage move", ret);
	}
	return 0;
}

static bool limits_reached(struct ogate_acq *a, int64_t t_start)
{
	const struct ogate_acq_plan *pl = &a->plan;
	bool hit;

	pthread_mutex_lock(&a->lock);
	hit = (pl->max_triggers && a->st.triggers >= pl->max_triggers) ||
	      (pl->time_limit_s > 0 && ogate_mono_ns() - t_start > (int64_t)(pl->time_limit_s * 1e9));
	pthread_mutex_unlock(&a->lock);
	return hit;
}

/*
 * One gated trigger for this plane: arm the gate, wait until analysis queued
 * one and every pulse of it has an outcome. 1 when all fired, 0 to retry.
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

		if (c && a->outcomes >= a->pulses)
			break;
		if (c)
			a->st.state = "exposing";
		ts = ogate_timespec(c ? ogate_mono_ns() + 100000000LL : deadline);
		if (pthread_cond_timedwait(&a->cond, &a->lock, &ts) == ETIMEDOUT && !c &&
		    ogate_mono_ns() >= deadline) {
			ogate_warning("acquisition: no trigger for plane %d within %lld s (not locked?)",
				      plane, WAIT_BEAT_NS / 1000000000LL);
			deadline = ogate_mono_ns() + WAIT_BEAT_NS;
		}
	}
	if (!atomic_load(&a->abort)) {
		if (a->fired == a->pulses) {
			a->done = (struct acq_plane_info){
				.stack = stack, .plane = plane, .z_um = z,
				.cookie = atomic_load(&a->cookie), .t_ns = a->t_ns,
				.rise_ns = a->rise_ns, .fall_ns = a->fall_ns,
				.target_phase = a->phase,
			};
			a->done_fall_ns = a->last_fall_ns ? a->last_fall_ns : a->fall_ns;
			a->st.triggers++;
			fprintf(csv, "%d,%d,%.4f,%" PRIu64 ",%" PRId64 ",%" PRId64 ",%" PRId64
				",%.6f,%" PRId64 ",%" PRId64 "\n", stack, plane, z,
				atomic_load(&a->cookie), a->t_ns, a->rise_ns, a->fall_ns, a->phase,
				moved, still);
			fflush(csv);
			ret = 1;
		} else if (a->fired && acq_out_cfg(a->out)->sequence) {
			/* some pulses went out: the stage may or may not have moved */
			ret = -1;
		} else {
			a->st.retries++;
			ogate_warning("acquisition: plane %d trigger %" PRIu64 " not fired (%u of %u pulses); retrying at the next beat",
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
	       ogate_mono_ns() < deadline) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
	}
}

/* The plane's image and metadata into the stack's OME-TIFF (acquisition thread). */
static void write_plane(struct ogate_acq *a, int64_t t_start, double step)
{
	struct ogate_pipeline_status ps = { 0 };

	if (a->pipe)
		ogate_pipeline_status(a->pipe, &ps);
	a->done.t_start_ns = t_start;
	a->done.step_um = step;
	a->done.stacks = a->plan.stacks;
	a->done.ref_id = ps.ref_id;
	a->done.period_s = ps.period_s;
	/* the frame after the trigger is at most a frame interval away; allow 1 s */
	acq_out_plane(a->out, &a->done, 1000000000LL);
}

static void sleep_until(int64_t t)
{
	struct timespec ts = ogate_timespec(t);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Sequenced stack (ASI ring buffer): move to plane 0 over the serial line,
 * load the positions of triggers 1 .. N-1 and then of trigger 0 (N = planes
 * x triggers per plane), arm. Trigger j's pulse moves the stage to trigger
 * j+1's position; after the last the stage is back at plane 0.
 */
static int seq_begin(struct ogate_acq *a, double z0, int64_t *moved, int64_t *still)
{
	const struct ogate_acq_plan *pl = &a->plan;
	int n = pl->planes * pl->per_plane;
	double *ring = calloc((size_t)n, sizeof(*ring));
	int ret;

	if (!ring)
		return fail(a, "sequence", -ENOMEM);
	for (int j = 0; j < n; j++) {
		int next = (j + 1) % n;

		ring[j] = z0 + (next / pl->per_plane) * pl->step_um;
	}
	ret = move_to(a, z0, moved, still);
	if (!ret) {
		set_state(a, "loading");
		ret = ogate_stage_seq_load(a->stage, ring, (size_t)n);
		if (!ret)
			ret = ogate_stage_seq_arm(a->stage);
		if (ret)
			ret = fail(a, "sequence load", ret);
	}
	free(ring);
	return ret;
}

/* After a sequenced stack: disarm, read the position, compare with plane 0. */
static int seq_end(struct ogate_acq *a, double z0, int64_t last_fall)
{
	const struct ogate_acq_output *cfg = acq_out_cfg(a->out);
	double pos;
	int ret;

	sleep_until(last_fall + (int64_t)cfg->settle_ms * 1000000);
	ret = ogate_stage_seq_disarm(a->stage);
	if (!ret)
		ret = ogate_stage_position(a->stage, &pos);
	if (ret)
		return fail(a, "sequence end", ret);
	if (fabs(pos - z0) > cfg->tolerance_um) {
		pthread_mutex_lock(&a->lock);
		snprintf(a->st.error, sizeof(a->st.error),
			 "sequenced stack ended at %.3f um, expected %.3f um (plane 0): a trigger pulse "
			 "did not reach the stage, or an extra one did", pos, z0);
		a->st.state = "failed";
		pthread_mutex_unlock(&a->lock);
		ogate_error("acquisition: %s", a->st.error);
		return -EIO;
	}
	ogate_info("sequenced stack: stage back at %.3f um as expected%s", pos,
		   ogate_stage_seq_verified(a->stage) ? "" : " (ring buffer count not verifiable)");
	return 0;
}

static void stack_file(struct ogate_acq *a, int stack, char *path, size_t len)
{
	size_t n = strlen(a->st.csv);

	if (a->plan.stacks > 1)
		snprintf(path, len, "%.*s-t%04d.ome.tif", (int)(n - 4), a->st.csv, stack % 10000);
	else
		snprintf(path, len, "%.*s.ome.tif", (int)(n - 4), a->st.csv);
}

static void end_stack(struct ogate_acq *a)
{
	char path[512];

	if (!acq_out_end(a->out, path, sizeof(path)) && path[0]) {
		pthread_mutex_lock(&a->lock);
		snprintf(a->st.ome, sizeof(a->st.ome), "%s", path);
		pthread_mutex_unlock(&a->lock);
	}
}

static void *acq_main(void *arg)
{
	struct ogate_acq *a = arg;
	const struct ogate_acq_plan *pl = &a->plan;
	bool seq = acq_out_cfg(a->out)->sequence;
	int64_t settle = (int64_t)acq_out_cfg(a->out)->settle_ms * 1000000;
	int64_t t_start = ogate_mono_ns(), moved = 0, still = 0, prev_fall = 0;
	double z0 = pl->start_um, pos;
	char ome[512];
	FILE *csv;
	int stack, plane, k, r;

	csv = fopen(a->st.csv, "w");
	if (!csv) {
		fail(a, a->st.csv, -errno);
		atomic_store(&a->running, false);
		return NULL;
	}
	fprintf(csv, "stack,plane,z_um,trigger,time_ns,rise_ns,fall_ns,phase_rad,move_start_ns,still_ns\n");
	/* triggers queued before the program (free-running) finish before any move */
	wait_pulses_done(a, t_start + 5000000000LL);
	if (isnan(z0) && ogate_stage_position(a->stage, &z0)) {
		fail(a, "stage position", -EIO);
		goto out;
	}
	for (stack = 0; stack < pl->stacks && !atomic_load(&a->abort); stack++) {
		if (stack > 0) {	/* timelapse: the next stack at its absolute time */
			struct timespec ts = ogate_timespec(t_start + (int64_t)(stack * pl->every_s * 1e9));

			set_state(a, "waiting");
			pthread_mutex_lock(&a->lock);
			while (!atomic_load(&a->abort) &&
			       pthread_cond_timedwait(&a->cond, &a->lock, &ts) != ETIMEDOUT)
				;
			pthread_mutex_unlock(&a->lock);
		}
		stack_file(a, stack, ome, sizeof(ome));
		acq_out_begin(a->out, ome, pl->planes * pl->per_plane);
		if (seq && !atomic_load(&a->abort) && seq_begin(a, z0, &moved, &still))
			goto out;
		prev_fall = 0;
		for (plane = 0; plane < pl->planes && !atomic_load(&a->abort); plane++) {
			double z = z0 + plane * pl->step_um;

			pthread_mutex_lock(&a->lock);
			a->st.stack = stack;
			a->st.plane = plane;
			a->st.z_um = z;
			pthread_mutex_unlock(&a->lock);
			if (!seq && move_to(a, z, &moved, &still))
				goto out;
			if (stack > 0 && plane == pl->ref_plane && a->pipe) {
				ogate_info("timelapse stack %d: refreshing the reference at plane %d", stack,
					   plane);
				ogate_pipeline_refresh(a->pipe);
			}
			for (k = 0; k < pl->per_plane && !atomic_load(&a->abort);) {
				if (limits_reached(a, t_start))
					goto done;
				if (seq && prev_fall) {
					/* the previous pulse clocked a move: let it settle (no polling) */
					moved = prev_fall;
					still = prev_fall + settle;
					set_state(a, "moving");
					sleep_until(still);
				}
				r = one_trigger(a, stack, plane, z, moved, still, csv);
				if (r < 0) {
					pthread_mutex_lock(&a->lock);
					snprintf(a->st.error, sizeof(a->st.error),
						 "sequenced stack: plane %d's trigger only partly fired; the "
						 "stage may or may not have advanced, stack stopped", plane);
					a->st.state = "failed";
					pthread_mutex_unlock(&a->lock);
					ogate_error("acquisition stopped: %s", a->st.error);
					goto out;
				}
				if (r) {
					prev_fall = a->done_fall_ns;
					write_plane(a, t_start, pl->step_um);
				}
				k += r;
			}
		}
		if (seq && !atomic_load(&a->abort) && seq_end(a, z0, prev_fall))
			goto out;
		end_stack(a);
	}
done:
	if (!atomic_load(&a->abort)) {
		set_state(a, "done");
		ogate_success("acquisition done: %" PRIu64 " triggers, %" PRIu64 " retries, results in %s",
			      a->st.triggers, a->st.retries, a->st.csv);
	}
out:
	end_stack(a);
	atomic_store(&a->armed, false);
	if (seq)
		ogate_stage_seq_disarm(a->stage);
	if (atomic_load(&a->abort)) {
		ogate_stage_stop(a->stage);
		if (ogate_stage_position(a->stage, &pos) == 0)
			ogate_warning("acquisition aborted at stack %d plane %d; stage stopped at %.3f um",
				      a->st.stack, a->st.plane, pos);
		else
			ogate_warning("acquisition aborted; stage stopped, position unknown: %s",
				      ogate_stage_last_error(a->stage));
		set_state(a, "aborted");
	}
	fclose(csv);
	atomic_store(&a->running, false);
	return NULL;
}

int ogate_acq_start(struct ogate_acq *a, const struct ogate_acq_plan *plan, char *err,
		    size_t errlen)
{
	double lo, hi, first, last;
	char stamp[32], run_dir[448], plan_text[256];
	struct timespec ts;
	struct tm tm;

	if (!a->stage) {
		snprintf(err, errlen, "no stage configured (stage.driver)");
		return -ENODEV;
	}
	if (atomic_load(&a->running)) {
		snprintf(err, errlen, "an acquisition is running (abort it first)");
		return -EBUSY;
	}
	if (plan->planes < 1 || plan->planes > 10000 || plan->per_plane < 1 || plan->per_plane > 100 ||
	    plan->stacks < 1 || !isfinite(plan->step_um) ||
	    (plan->stacks > 1 && !(plan->every_s > 0))) {
		snprintf(err, errlen, "planes %d (1..10000), per_plane %d (1..100), stacks %d (>= 1), step %g um or every %g s (> 0 for a timelapse) out of range",
			 plan->planes, plan->per_plane, plan->stacks, plan->step_um, plan->every_s);
		return -EINVAL;
	}
	if (a->thread_live) {
		pthread_join(a->thread, NULL);
		a->thread_live = false;
	}
	first = plan->start_um;
	if (isnan(first) && ogate_stage_position(a->stage, &first)) {
		snprintf(err, errlen, "cannot read the stage position: %s",
			 ogate_stage_last_error(a->stage));
		return -EIO;
	}
	last = first + (plan->planes - 1) * plan->step_um;
	ogate_stage_limits(a->stage, &lo, &hi);
	if (fmin(first, last) < lo || fmax(first, last) > hi) {
		snprintf(err, errlen, "planes from %.3f to %.3f um leave the stage limits [%.3f, %.3f] um",
			 first, last, lo, hi);
		return -ERANGE;
	}
	if (acq_out_cfg(a->out)->sequence) {
		int cap = ogate_stage_seq_capacity(a->stage);

		if (plan->planes * plan->per_plane > cap) {
			snprintf(err, errlen, "a sequenced stack of %d planes x %d triggers needs %d ring "
				 "buffer entries; the controller holds %d (stage.ring_size)",
				 plan->planes, plan->per_plane, plan->planes * plan->per_plane, cap);
			return -ENOSPC;
		}
	}
	if (mkdir(a->csv_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", a->csv_dir, strerror(errno));
		return -errno;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	/* one directory per run: CSV, OME-TIFF stack(s), provenance.txt */
	snprintf(run_dir, sizeof(run_dir), "%.400s/acq-%.15s-%03d", a->csv_dir, stamp,
		 (int)(ts.tv_nsec / 1000000));
	if (mkdir(run_dir, 0755)) {
		snprintf(err, errlen, "cannot create %s: %s", run_dir, strerror(errno));
		return -errno;
	}
	snprintf(plan_text, sizeof(plan_text), "stacks=%d planes=%d step_um=%g start_um=%g "
		 "per_plane=%d every_s=%g ref_plane=%d sequence=%s", plan->stacks, plan->planes,
		 plan->step_um, first, plan->per_plane, plan->every_s, plan->ref_plane,
		 acq_out_cfg(a->out)->sequence ? "on" : "off");
	if (acq_out_provenance(a->out, run_dir, plan_text, err, errlen) < 0)
		return -EIO;
	a->plan = *plan;
	a->plan.start_um = first;
	memset(&a->st, 0, sizeof(a->st));
	snprintf(a->st.csv, sizeof(a->st.csv), "%.440s/acq-%.15s-%03d.csv", run_dir, stamp,
		 (int)(ts.tv_nsec / 1000000));
	a->st.state = "moving";
	atomic_store(&a->abort, false);
	atomic_store(&a->armed, false);
	atomic_store(&a->running, true);
	if (pthread_create(&a->thread, NULL, acq_main, a)) {
		atomic_store(&a->running, false);
		snprintf(err, errlen, "cannot start the acquisition thread");
		return -EAGAIN;
	}
	a->thread_live = true;
	ogate_info("acquisition: %d stack(s) of %d planes from %.3f um, step %.3f um, %d trigger(s) per plane",
		   plan->stacks, plan->planes, first, plan->step_um, plan->per_plane);
	return 0;
}

int ogate_acq_abort(struct ogate_acq *a)
{
	if (!atomic_load(&a->running))
		return -EALREADY;
	pthread_mutex_lock(&a->lock);
	atomic_store(&a->abort, true);
	atomic_store(&a->armed, false);
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	if (a->pipe)
		ogate_pipeline_cancel_pending(a->pipe);
	pthread_join(a->thread, NULL);
	a->thread_live = false;
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
	ogate_acq_abort(a);
	if (a->thread_live)
		pthread_join(a->thread, NULL);
	acq_out_free(a->out);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int ogate_acq_home(struct ogate_acq *a, double *pos_um, char *err, size_t errlen)
{
	int ret;

	if (atomic_load(&a->running)) {
		snprintf(err, errlen, "an acquisition is running (abort it first)");
		return -EBUSY;
	}
	atomic_store(&a->hold, true);
	wait_pulses_done(a, ogate_mono_ns() + 5000000000LL);
	ret = ogate_stage_home(a->stage);
	if (!ret)
		ret = ogate_stage_wait_still(a->stage, 0);
	if (!ret && ogate_stage_position(a->stage, pos_um))
		ret = -EIO;
	atomic_store(&a->hold, false);
	if (ret)
		snprintf(err, errlen, "homing failed: %s", ogate_stage_last_error(a->stage));
	return ret;
}
