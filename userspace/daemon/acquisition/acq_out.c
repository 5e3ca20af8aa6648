// SPDX-License-Identifier: GPL-2.0 OR MIT
/* OME-TIFF stacks and provenance of an acquisition (see acq_out.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include "clock-util.h"
#include "acq.h"
#include "acq_out.h"
#include "log.h"
#include "pipeline.h"
#include "ogate/ome.h"

enum { GRAB_IDLE, GRAB_ARMED, GRAB_FULL };

/*
 * The grab: the frame thread arms it (IDLE/FULL -> ARMED) and fills it
 * (ARMED -> FULL, keeping the camera frame itself: no copy); the job thread
 * writes the frame and empties it (FULL -> IDLE, frame handed back to the
 * pipeline), or gives up (ARMED -> IDLE). Every transition is a
 * compare-and-swap, so a kept frame is handed back exactly once.
 */

struct acq_out {
	struct ogate_acq_output cfg;
	struct ogate_provenance *prov;
	/* the grab: frame thread fills, acquisition thread empties */
	atomic_int grab;
	atomic_int_least64_t grab_after;
	struct ogate_frame *frame; /* the kept camera frame while FULL */
	acq_out_return_fn give;	   /* to hand it back */
	void *give_ctx;
	int64_t frame_ns;
	double frame_phase;
	int frame_has_phase;
	uint64_t frame_seq;
	/* a kept frame without a phase (off the decimation grid: not analysed):
	 * the next frame the hook sees after it, whether it has a phase, its
	 * phase, timestamp and sequence, set once (late_set, frame thread)
	 * while FULL, read by the job thread */
	atomic_bool late_set;
	int late_has;
	double late_phase;
	int64_t late_ns;
	uint64_t late_seq;
	atomic_int_least64_t analysis_ns;
	/* the job thread sleeps on cond (CLOCK_MONOTONIC, absolute deadlines)
	 * for the grab to fill and for the late frame; the frame thread
	 * broadcasts under lock after each of those two transitions (once per
	 * plane, never per frame), and the job thread holds lock only to look
	 * at them before it sleeps (priority inheritance: the frame thread may
	 * run SCHED_FIFO) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* the stack's file */
	struct ogate_ome_writer *w;
	char path[512];
	int planes;
	int64_t wall_minus_mono;
};

struct acq_out *acq_out_new(void)
{
	struct acq_out *o = calloc(1, sizeof(*o));
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int rm, rc;

	if (!o)
		return NULL;
	o->cfg.exposure_s = NAN;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	rm = pthread_mutex_init(&o->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&o->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rm || rc) {
		if (!rm)
			pthread_mutex_destroy(&o->lock);
		if (!rc)
			pthread_cond_destroy(&o->cond);
		free(o);
		return NULL;
	}
	return o;
}

void acq_out_free(struct acq_out *o)
{
	if (!o)
		return;
	acq_out_drop(o);
	ogate_ome_abandon(o->w);
	ogate_provenance_free(o->prov);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

int acq_out_configure(struct acq_out *o, const struct ogate_acq_output *cfg,
		      const struct ogate_provenance *prov)
{
	o->cfg = *cfg;
	ogate_provenance_free(o->prov);
	o->prov = NULL;
	return prov ? ogate_provenance_dup(&o->prov, prov) : ogate_provenance_new(&o->prov);
}

const struct ogate_acq_output *acq_out_cfg(const struct acq_out *o)
{
	return &o->cfg;
}

int acq_out_run_dir(struct acq_out *o, const char *dir, const struct ogate_acq_plan *plan,
		    double first_um, char *csv, size_t csvlen, char *err, size_t errlen)
{
	char stamp[32], run[448];
	struct timespec ts;
	struct tm tm;
	int ms, rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	ms = (int)(ts.tv_nsec / 1000000);
	snprintf(run, sizeof(run), "%.400s/acq-%.15s-%03d", dir, stamp, ms);
	if (mkdir(run, 0755)) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", run, strerror(errno));
		return rc;
	}
	snprintf(csv, csvlen, "%.440s/acq-%.15s-%03d.csv", run, stamp, ms);
	rc = ogate_provenance_set(o->prov, "run.plan",
				  "stacks=%d planes=%d step_um=%g start_um=%g "
				  "per_plane=%d every_s=%g ref_plane=%d sequence=%s",
				  plan->stacks, plan->planes, plan->step_um, first_um, plan->per_plane,
				  plan->every_s, plan->ref_plane, o->cfg.sequence ? "on" : "off");
	if (rc) {
		snprintf(err, errlen, "provenance: %s", strerror(-rc));
		return rc;
	}
	return ogate_provenance_write(o->prov, run, err, errlen);
}

void acq_out_stack_path(const char *csv, int stacks, int stack, char *path, size_t len)
{
	int n = (int)strlen(csv) - 4; /* without ".csv" */

	if (stacks > 1)
		snprintf(path, len, "%.*s-t%04d.ome.tif", n, csv, stack % 10000);
	else
		snprintf(path, len, "%.*s.ome.tif", n, csv);
}

void acq_out_set_return(struct acq_out *o, acq_out_return_fn fn, void *ctx)
{
	o->give = fn;
	o->give_ctx = ctx;
}

/* FULL -> IDLE: hand the kept frame back (whoever wins the swap). */
static void give_back(struct acq_out *o)
{
	int full = GRAB_FULL;

	if (atomic_compare_exchange_strong(&o->grab, &full, GRAB_IDLE) && o->give)
		o->give(o->give_ctx, o->frame);
}

void acq_out_drop(struct acq_out *o)
{
	int armed = GRAB_ARMED;

	atomic_compare_exchange_strong(&o->grab, &armed, GRAB_IDLE);
	give_back(o);
}

void acq_out_arm_grab(struct acq_out *o, int64_t after_ns)
{
	int64_t t0 = ogate_mono_ns();

	give_back(o); /* a retried trigger's frame that was never written */
	atomic_store(&o->late_set, false);
	atomic_store(&o->grab_after, after_ns);
	atomic_store(&o->grab, GRAB_ARMED);
	atomic_fetch_add(&o->analysis_ns, ogate_mono_ns() - t0);
}

/* frame thread: the grab filled or the late frame came; wake the job thread */
static void wake(struct acq_out *o)
{
	pthread_mutex_lock(&o->lock);
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

static bool grab_full(struct acq_out *o)
{
	return atomic_load_explicit(&o->grab, memory_order_acquire) == GRAB_FULL;
}

static bool late_seen(struct acq_out *o)
{
	return atomic_load_explicit(&o->late_set, memory_order_acquire);
}

/* job thread: sleep until ready(o) or the absolute CLOCK_MONOTONIC deadline; ready(o) then */
static bool wait_until(struct acq_out *o, bool (*ready)(struct acq_out *), int64_t deadline_ns)
{
	struct timespec ts = ogate_timespec(deadline_ns);
	bool ok;

	pthread_mutex_lock(&o->lock);
	while (!(ok = ready(o)))
		if (pthread_cond_timedwait(&o->cond, &o->lock, &ts) == ETIMEDOUT) {
			ok = ready(o);
			break;
		}
	pthread_mutex_unlock(&o->lock);
	return ok;
}

bool acq_out_wait_frame(struct acq_out *o, int64_t deadline_ns)
{
	return wait_until(o, grab_full, deadline_ns);
}

bool acq_out_wait_late(struct acq_out *o, int64_t deadline_ns)
{
	return wait_until(o, late_seen, deadline_ns);
}

bool acq_out_frame(struct acq_out *o, struct ogate_frame *f, const struct ogate_sync_result *r)
{
	const struct ogate_frame_meta *m;
	int armed = GRAB_ARMED;
	int64_t t0 = ogate_mono_ns();
	bool kept = false;

	if (atomic_load_explicit(&o->grab, memory_order_acquire) == GRAB_ARMED && o->give) {
		m = ogate_frame_get_meta(f);
		if (m->timestamp_ns >= atomic_load(&o->grab_after)) {
			o->frame = f;
			o->frame_ns = m->timestamp_ns;
			o->frame_seq = m->sequence;
			o->frame_has_phase = r->has_phase;
			o->frame_phase = r->phase;
			/* the job thread may have given up meanwhile: then keep nothing */
			kept = atomic_compare_exchange_strong(&o->grab, &armed, GRAB_FULL);
			if (kept)
				wake(o);
		}
	} else if (atomic_load_explicit(&o->grab, memory_order_acquire) == GRAB_FULL &&
		   !o->frame_has_phase && !atomic_load_explicit(&o->late_set, memory_order_relaxed)) {
		/* the kept frame has no phase: the next frame may measure it */
		m = ogate_frame_get_meta(f);
		if (m->timestamp_ns > o->frame_ns) {
			o->late_has = r->has_phase;
			o->late_phase = r->phase;
			o->late_ns = m->timestamp_ns;
			o->late_seq = m->sequence;
			atomic_store_explicit(&o->late_set, true, memory_order_release);
			wake(o);
		}
	}
	atomic_fetch_add(&o->analysis_ns, ogate_mono_ns() - t0);
	return kept;
}

int64_t acq_out_analysis_ns(const struct acq_out *o)
{
	return atomic_load(&((struct acq_out *)o)->analysis_ns);
}

void acq_out_begin(struct acq_out *o, const char *path, int planes)
{
	struct timespec rt;

	ogate_ome_abandon(o->w);
	o->w = NULL;
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->planes = planes;
	clock_gettime(CLOCK_REALTIME, &rt);
	o->wall_minus_mono = (int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec - ogate_mono_ns();
}

static int open_file(struct acq_out *o, const struct acq_plane_info *pi)
{
	const struct ogate_frame *f = o->frame;
	struct ogate_ome_opts oo;
	char err[600], name[160];
	const char *base = strrchr(o->path, '/');
	double px = o->cfg.pixel_size_um;
	int rc;

	ogate_ome_opts_init(&oo);
	oo.width = (uint32_t)ogate_frame_width(f);
	oo.height = (uint32_t)ogate_frame_height(f);
	oo.bits = ogate_frame_format(f) == OGATE_PIX_U16 ? 16 : 8;
	oo.planes_hint = (uint32_t)o->planes;
	if (px > 0 && o->cfg.magnification > 0)
		px /= o->cfg.magnification;
	oo.pixel_size_x_um = oo.pixel_size_y_um = px > 0 ? px : NAN;
	oo.step_z_um = fabs(pi->step_um) > 0 ? fabs(pi->step_um) : NAN;
	oo.objective_magnification = o->cfg.magnification > 0 ? o->cfg.magnification : NAN;
	snprintf(name, sizeof(name), "%.150s", base ? base + 1 : o->path);
	oo.image_name = name;
	oo.description = "ogate gated z-stack: each plane is the first camera frame at or after "
			 "its trigger; per-plane gating metadata in the ogate.gating annotations";
	oo.acquisition_wall_ns = pi->t_start_ns + o->wall_minus_mono;
	oo.provenance = ogate_provenance_pairs(o->prov);
	oo.n_provenance = ogate_provenance_count(o->prov);
	oo.creator = "ogate";
	rc = ogate_ome_open(&o->w, o->path, &oo, err, sizeof(err));
	if (rc)
		ogate_error("acquisition: %s", err);
	return rc;
}

static double wrap2pi(double a)
{
	a = fmod(a, 2 * M_PI);
	return a < 0 ? a + 2 * M_PI : a;
}

/*
 * The phase the plane's frame was taken at, as at the trigger's time: from
 * the frame's own phase, or for a frame the analysis did not see (off the
 * decimation grid) from the next frame's, waited for at most
 * ACQ_OUT_PHASE_WAIT_NS. 0 and *reached, *from (the sequence of the frame
 * it was measured on), or -1 when there is none.
 */
static int phase_reached(struct acq_out *o, const struct acq_plane_info *pi, double *reached,
			 uint64_t *from)
{
	int64_t end = ogate_mono_ns() + ACQ_OUT_PHASE_WAIT_NS, t;
	double phase;

	if (!(pi->period_s > 0))
		return -1;
	if (o->frame_has_phase) {
		phase = o->frame_phase;
		t = o->frame_ns;
		*from = o->frame_seq;
	} else {
		if (!acq_out_wait_late(o, end) || !o->late_has)
			return -1;
		phase = o->late_phase;
		t = o->late_ns;
		*from = o->late_seq;
	}
	*reached = wrap2pi(phase - 2 * M_PI * (t - pi->t_ns) / 1e9 / pi->period_s);
	return 0;
}

int acq_out_plane(struct acq_out *o, const struct acq_plane_info *pi, int64_t timeout_ns)
{
	int64_t end = ogate_mono_ns() + timeout_ns;
	struct ogate_ome_plane p;
	uint64_t from;
	double reached;
	int64_t wall;
	int rc;

	if (!acq_out_wait_frame(o, end)) {
		int armed = GRAB_ARMED;

		/* given up, unless the frame thread filled it just now */
		if (atomic_compare_exchange_strong(&o->grab, &armed, GRAB_IDLE) || !grab_full(o)) {
			ogate_warning("acquisition: no camera frame after the trigger of stack %d plane %d;"
				      " the plane is missing from %s",
				      pi->stack, pi->plane, o->path);
			return -ETIMEDOUT;
		}
	}
	if (!o->w && (rc = open_file(o, pi))) {
		give_back(o);
		return rc;
	}
	ogate_ome_plane_init(&p);
	p.z = (uint32_t)pi->plane;
	p.position_z_um = pi->z_um;
	p.delta_t_s = (o->frame_ns - pi->t_start_ns) / 1e9;
	p.exposure_s = pi->fall_ns > pi->rise_ns && pi->rise_ns ? (pi->fall_ns - pi->rise_ns) / 1e9
								: o->cfg.exposure_s;
	wall = pi->t_ns + o->wall_minus_mono;
	ogate_ome_plane_kv(&p, "target_phase_rad", "%.6f", pi->target_phase);
	ogate_ome_plane_kv(&p, "trigger_mono_ns", "%" PRId64, pi->t_ns);
	ogate_ome_plane_kv(&p, "trigger_wall_ns", "%" PRId64, wall);
	ogate_ome_plane_kv(&p, "laser_rise_ns", "%" PRId64, pi->rise_ns);
	ogate_ome_plane_kv(&p, "laser_fall_ns", "%" PRId64, pi->fall_ns);
	if (!phase_reached(o, pi, &reached, &from)) {
		double err = wrap2pi(reached - pi->target_phase + M_PI) - M_PI;

		ogate_ome_plane_kv(&p, "phase_reached_rad", "%.6f", reached);
		ogate_ome_plane_kv(&p, "phase_error_rad", "%.6f", err);
		if (from != o->frame_seq) /* measured on a later frame */
			ogate_ome_plane_kv(&p, "phase_reached_from_sequence", "%" PRIu64, from);
	}
	ogate_ome_plane_kv(&p, "reference_id", "%" PRIu32, pi->ref_id);
	ogate_ome_plane_kv(&p, "trigger", "%" PRIu64, pi->cookie);
	ogate_ome_plane_kv(&p, "stack", "%d", pi->stack);
	ogate_ome_plane_kv(&p, "frame_sequence", "%" PRIu64, o->frame_seq);
	ogate_ome_plane_kv(&p, "frame_mono_ns", "%" PRId64, o->frame_ns);
	rc = ogate_ome_write_plane_strided(o->w, &p, ogate_frame_pixels(o->frame),
					   ogate_frame_stride(o->frame));
	give_back(o);
	if (rc)
		ogate_error("acquisition: writing plane %d to %s: %s", pi->plane, o->path,
			    strerror(-rc));
	return rc;
}

int acq_out_plane_write(struct acq_out *o, struct ogate_pipeline *pipe, struct acq_plane_info *pi)
{
	struct ogate_pipeline_status ps;

	memset(&ps, 0, sizeof(ps));
	if (pipe)
		ogate_pipeline_status(pipe, &ps);
	pi->ref_id = ps.ref_id;
	pi->period_s = ps.period_s;
	/* the frame after the trigger is at most a frame interval away */
	return acq_out_plane(o, pi, 1000000000LL);
}

int acq_out_end(struct acq_out *o, char *path, size_t pathlen, pthread_mutex_t *lock)
{
	char err[600];
	int rc;

	if (!o->w)
		return 0;
	rc = ogate_ome_close(o->w, err, sizeof(err));
	o->w = NULL;
	if (rc) {
		ogate_error("acquisition: %s", err);
		return rc;
	}
	pthread_mutex_lock(lock);
	snprintf(path, pathlen, "%s", o->path);
	pthread_mutex_unlock(lock);
	return 0;
}

int acq_seq_load(struct ogate_stage *s, double z0, double step_um, int planes, int per_plane)
{
	int n = planes * per_plane, rc;
	double *ring = calloc((size_t)n, sizeof(*ring));

	if (!ring)
		return -ENOMEM;
	for (int j = 0; j < n; j++)
		ring[j] = z0 + (((j + 1) % n) / per_plane) * step_um;
	rc = ogate_stage_seq_load(s, ring, (size_t)n);
	if (!rc)
		rc = ogate_stage_seq_arm(s);
	free(ring);
	return rc;
}

int acq_seq_finish(struct ogate_stage *s, double z0, double tol_um, char *why, size_t len)
{
	double pos;
	int rc = ogate_stage_seq_disarm(s);

	if (!rc)
		rc = ogate_stage_position(s, &pos);
	if (rc)
		return rc;
	if (fabs(pos - z0) > tol_um) {
		snprintf(why, len,
			 "the stage ended at %.3f um, expected %.3f um (plane 0): a trigger "
			 "pulse did not reach it, or an extra one did",
			 pos, z0);
		return -EIO;
	}
	ogate_info("sequenced stack: the stage is back at %.3f um as expected%s", pos,
		   ogate_stage_seq_verified(s) ? "" : " (ring buffer count not verifiable)");
	return 0;
}
