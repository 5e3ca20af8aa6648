/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The pipeline suites' fixture (test_pipeline.c, test_pipeline_io.c): a
 * virtual clock the test drives, a sink with the driver's contract on it,
 * the synthetic camera's options and the pipeline's, run_for and stop; a
 * frame-edge input double and a quiet sink (test_pipeline.c's edge tests).
 */
#ifndef OGATE_TEST_PIPELINE_FIXTURE_H
#define OGATE_TEST_PIPELINE_FIXTURE_H

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sys/eventfd.h>

#include "heart.h"
#include "stackio.h"
#include "pipeline.h"
#include "pulses.h"
#include "sink_private.h"
#include "source_private.h"

#define MS 1000000LL
#define US 1000LL
#define SEC 1000000000LL

/*
 * The virtual clock: time stands still while the pipeline works and moves
 * to the instant asked for (the source's next frame, a step of the stop's
 * grace period) only once every frame delivered so far has been analysed,
 * and never past the limit the test set (vclock_run_until). Any thread.
 */
struct vclock {
	struct ogate_clock c;
	pthread_mutex_t lock;
	pthread_cond_t moved; /* now or limit changed */
	int64_t now, limit;
	int parked;		  /* sleepers waiting for the limit to move */
	int64_t want;		  /* the instant the last of them waits for */
	struct ogate_pipeline *p; /* whose frames are waited for; NULL: none */
	int wake;		  /* eventfd, written at every move: the sinks' fd */
	/* moves made, and the last move after which the io thread found no more
	 * sink events: a move waits for that, so outcomes and frame edges are
	 * handled before the next frame, as they would be in real time */
	atomic_uint_least64_t moves, seen;
};

/* Sinks' read (io thread): n events read after move m. */
static inline void vclock_seen(struct vclock *v, uint64_t m, int n)
{
	if (n == 0)
		atomic_store(&v->seen, m);
}

static inline int64_t vclock_now(void *ctx)
{
	struct vclock *v = ctx;
	int64_t t;

	pthread_mutex_lock(&v->lock);
	t = v->now;
	pthread_mutex_unlock(&v->lock);
	return t;
}

static inline void vclock_sleep_until(void *ctx, int64_t t)
{
	struct vclock *v = ctx;
	struct ogate_pipeline_status st;
	uint64_t one = 1, m;

	/* the frames so far are analysed (their triggers queued) at their own times */
	for (;;) {
		struct timespec ts = { 0, 20000 };

		if (!v->p)
			break;
		ogate_pipeline_status(v->p, &st);
		if (st.analysed + st.drops_analysis + st.off_grid >= st.frames)
			break;
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&v->lock);
	if (t > v->limit) {
		v->parked++;
		v->want = t;
		pthread_cond_broadcast(&v->moved);
		while (t > v->limit)
			pthread_cond_wait(&v->moved, &v->lock);
		v->parked--;
	}
	if (t > v->now)
		v->now = t;
	pthread_cond_broadcast(&v->moved);
	pthread_mutex_unlock(&v->lock);
	m = atomic_fetch_add(&v->moves, 1) + 1;
	if (write(v->wake, &one, sizeof(one)) < 0)
		fail_msg("eventfd write");
	for (int i = 0; v->p && atomic_load(&v->seen) < m && i < 500000; i++) {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL); /* bounded (10 s): a test that hangs says nothing */
	}
}

static inline void vclock_init(struct vclock *v)
{
	*v = (struct vclock){ .c = { vclock_now, vclock_sleep_until, v },
			      .now = 1000 * SEC,
			      .limit = 1000 * SEC };
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->moved, NULL);
	v->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(v->wake >= 0);
}

static inline void vclock_destroy(struct vclock *v)
{
	close(v->wake);
	pthread_cond_destroy(&v->moved);
	pthread_mutex_destroy(&v->lock);
}

/*
 * Let time run up to just before t and wait until the frame thread asks for
 * a later instant: every frame before t is then taken and analysed, and the
 * frame due at t is not (returning when now reached t raced with it).
 * Bounded (10 s): a test that hangs says nothing.
 */
static inline void vclock_run_until(struct vclock *v, int64_t t)
{
	struct timespec dl;
	bool done = false;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	pthread_mutex_lock(&v->lock);
	v->limit = t - 1;
	pthread_cond_broadcast(&v->moved);
	for (;;) {
		done = v->p ? v->parked && v->want > v->limit : v->now >= v->limit;
		if (done || pthread_cond_timedwait(&v->moved, &v->lock, &dl) == ETIMEDOUT)
			break;
	}
	if (v->now < t)
		v->now = t;
	pthread_mutex_unlock(&v->lock);
	if (!done)
		fail_msg("virtual clock: the frame thread did not reach %lld", (long long)t);
}

/* Move time to t while nothing streams (a pause between runs). */
static inline void vclock_skip_to(struct vclock *v, int64_t t)
{
	pthread_mutex_lock(&v->lock);
	if (t > v->now)
		v->now = t;
	v->limit = v->now; /* no longer free-running: the next start waits for run_until */
	pthread_cond_broadcast(&v->moved);
	pthread_mutex_unlock(&v->lock);
}

/* Let time run freely (before a stop: the capture thread must not wait). */
static inline void vclock_free_run(struct vclock *v)
{
	pthread_mutex_lock(&v->lock);
	v->limit = INT64_MAX;
	pthread_cond_broadcast(&v->moved);
	pthread_mutex_unlock(&v->lock);
}

/*
 * A sink with the driver's contract (pulses.c: bounds, ETIME, overlap,
 * pending -> active -> done) on the virtual clock; lag_ns makes it see
 * every queueing that much later (a stalled analysis). Laser pulses fired
 * are kept for the truth check. Any thread (its lock).
 */
struct vsink {
	struct ogate_sink base;
	struct vclock *vc;
	pthread_mutex_t lock;
	struct ogate_pulse_table table;
	struct ogate_evq evq;
	int64_t lag_ns;
	int nlaser;
	int64_t laser[1024]; /* requested times of laser pulses fired */
};

static inline void vs_cb(void *ctx, const struct ogate_pulse_slot *s,
			 enum ogate_sink_event_type type, int64_t rise_ns, int64_t fall_ns)
{
	struct vsink *v = ctx;

	ogate_evq_pulse_cb(&v->evq, s, type, rise_ns, fall_ns);
	if (type == OGATE_SINK_FIRED && s->req.line_mask == 1 && v->nlaser < 1024)
		v->laser[v->nlaser++] = s->req.time_ns;
}

static inline void vs_advance(struct vsink *v)
{
	int64_t now = vclock_now(v->vc), edge;

	while ((edge = ogate_pulses_next_edge(&v->table)) <= now) {
		ogate_pulses_due(&v->table, edge, vs_cb, v);
		ogate_pulses_commit(&v->table, edge, vs_cb, v);
	}
}

static inline int vs_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	struct vsink *v = (struct vsink *)s;
	int ret;

	pthread_mutex_lock(&v->lock);
	vs_advance(v);
	ret = ogate_pulses_add(&v->table, p, n, vclock_now(v->vc) + v->lag_ns);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

static inline int vs_cancel(struct ogate_sink *s)
{
	struct vsink *v = (struct vsink *)s;
	int n;

	pthread_mutex_lock(&v->lock);
	vs_advance(v);
	n = ogate_pulses_cancel(&v->table, 0, vs_cb, v);
	pthread_mutex_unlock(&v->lock);
	return n;
}

static inline int vs_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	struct vsink *v = (struct vsink *)s;
	uint64_t moves, m = atomic_load(&v->vc->moves);
	int n;

	if (read(v->vc->wake, &moves, sizeof(moves)) < 0)
		moves = 0;
	pthread_mutex_lock(&v->lock);
	vs_advance(v);
	n = ogate_evq_pop(&v->evq, ev, max);
	pthread_mutex_unlock(&v->lock);
	vclock_seen(v->vc, m, n);
	return n;
}

static inline void vs_destroy(struct ogate_sink *s)
{
	pthread_mutex_destroy(&((struct vsink *)s)->lock);
}

static const struct ogate_sink_ops vsink_ops = {
	.kind = "virtual",
	.close = vs_destroy,
	.queue = vs_queue,
	.cancel_all = vs_cancel,
	.read = vs_read,
};

static inline void vsink_init(struct vsink *v, struct vclock *vc)
{
	memset(v, 0, sizeof(*v));
	v->base = (struct ogate_sink){ .ops = &vsink_ops, .fd = vc->wake };
	v->vc = vc;
	pthread_mutex_init(&v->lock, NULL);
	ogate_pulses_init(&v->table, OGATE_SINK_MAX_LINES);
}

static inline struct ogate_source_opts synth_opts(void)
{
	return (struct ogate_source_opts){ .kind = "synthetic",
					   .size = 96,
					   .fps = 80,
					   .period_s = 0.42,
					   .noise = 2,
					   .seed = 3 };
}

static inline struct ogate_pipeline_opts pipe_opts(struct vclock *vc)
{
	struct ogate_pipeline_opts o = {
		.program = { .laser_line = 0,
			     .camera_line = 1,
			     .mode = OGATE_PROGRAM_EXPOSE,
			     .laser_width_ns = 2 * MS,
			     .camera_delay_ns = 0,
			     .late_ns = 5 * MS },
		.rt_priority = 0,
		.cpu_capture = -1,
		.cpu_analysis = -1,
		.stop_grace_ns = 500 * MS,
		.record_every = 1,
		.clock = &vc->c,
	};

	ogate_settings_default(&o.settings);
	return o;
}

/* Start p on the virtual clock and run it for run_ns of stream time. */
static inline void run_for(struct vclock *vc, struct ogate_pipeline *p, int64_t run_ns)
{
	vc->p = p;
	assert_int_equal(0, ogate_pipeline_start(p));
	vclock_run_until(vc, vclock_now(vc) + run_ns);
}

static inline void stop(struct vclock *vc, struct ogate_pipeline *p)
{
	vclock_free_run(vc);
	assert_int_equal(0, ogate_pipeline_stop(p));
}

/*
 * A frame-edge input double that reports an edge 2 ms before every synthetic
 * frame (as a camera strobe wired to the module would), beside a trigger sink
 * double that accepts pulses and reports nothing. The edge input is read last
 * in each round of the io thread, so it tells the virtual clock what was seen.
 */
struct edge_input {
	struct ogate_edges base;
	struct ogate_source *src;
	struct vclock *vc;
	double fps;
	uint64_t next;
};

static inline int es_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	return 0;
}
static inline int es_cancel(struct ogate_sink *s)
{
	return 0;
}
static inline int es_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	return 0;
}
static inline void es_close(struct ogate_sink *s)
{
}

/* readable at every move of the clock, as the kernel's fd is once an edge is stamped */
static inline int ei_read(struct ogate_edges *in, struct ogate_frame_edge *ev, size_t max)
{
	struct edge_input *e = (struct edge_input *)in;
	uint64_t moves, m = atomic_load(&e->vc->moves);
	int64_t t = vclock_now(e->vc);
	size_t n = 0;

	if (read(in->fd, &moves, sizeof(moves)) < 0)
		moves = 0;
	while (n < max && e->src->t0 && e->src->t0 + (int64_t)(e->next * 1e9 / e->fps) - 2 * MS <= t) {
		ev[n++] = (struct ogate_frame_edge){
			.line = 0,
			.seq = e->next + 1,
			.time_ns = e->src->t0 + (int64_t)(e->next * 1e9 / e->fps) - 2 * MS,
		};
		e->next++;
	}
	vclock_seen(e->vc, m, (int)n);
	return (int)n;
}

static const struct ogate_sink_ops quiet_sink_ops = {
	.kind = "quiet-double",
	.close = es_close,
	.queue = es_queue,
	.cancel_all = es_cancel,
	.read = es_read,
};

static const struct ogate_edges_ops edge_input_ops = { .read = ei_read };

#endif
