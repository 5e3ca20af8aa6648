// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's frame path end to end on the host: the synthetic camera (known
 * phase law) -> analysis -> trigger program -> a sink with the driver's
 * contract, on a virtual clock the test drives (no real sleeps: the runs
 * take as long as the analysis needs and do not depend on the machine's
 * load). Trigger times are checked against the generator's ground truth.
 */
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
static void vclock_seen(struct vclock *v, uint64_t m, int n)
{
	if (n == 0)
		atomic_store(&v->seen, m);
}

static int64_t vclock_now(void *ctx)
{
	struct vclock *v = ctx;
	int64_t t;

	pthread_mutex_lock(&v->lock);
	t = v->now;
	pthread_mutex_unlock(&v->lock);
	return t;
}

static void vclock_sleep_until(void *ctx, int64_t t)
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
		if (st.analysed + st.drops_analysis >= st.frames)
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

static void vclock_init(struct vclock *v)
{
	*v = (struct vclock){ .c = { vclock_now, vclock_sleep_until, v },
			      .now = 1000 * SEC,
			      .limit = 1000 * SEC };
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->moved, NULL);
	v->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(v->wake >= 0);
}

static void vclock_destroy(struct vclock *v)
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
static void vclock_run_until(struct vclock *v, int64_t t)
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
static void vclock_skip_to(struct vclock *v, int64_t t)
{
	pthread_mutex_lock(&v->lock);
	if (t > v->now)
		v->now = t;
	v->limit = v->now; /* no longer free-running: the next start waits for run_until */
	pthread_cond_broadcast(&v->moved);
	pthread_mutex_unlock(&v->lock);
}

/* Let time run freely (before a stop: the capture thread must not wait). */
static void vclock_free_run(struct vclock *v)
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

static void vs_cb(void *ctx, const struct ogate_pulse_slot *s, enum ogate_sink_event_type type,
		  int64_t rise_ns, int64_t fall_ns)
{
	struct vsink *v = ctx;

	ogate_evq_pulse_cb(&v->evq, s, type, rise_ns, fall_ns);
	if (type == OGATE_SINK_FIRED && s->req.line_mask == 1 && v->nlaser < 1024)
		v->laser[v->nlaser++] = s->req.time_ns;
}

static void vs_advance(struct vsink *v)
{
	int64_t now = vclock_now(v->vc), edge;

	while ((edge = ogate_pulses_next_edge(&v->table)) <= now) {
		ogate_pulses_due(&v->table, edge, vs_cb, v);
		ogate_pulses_commit(&v->table, edge, vs_cb, v);
	}
}

static int vs_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	struct vsink *v = (struct vsink *)s;
	int ret;

	pthread_mutex_lock(&v->lock);
	vs_advance(v);
	ret = ogate_pulses_add(&v->table, p, n, vclock_now(v->vc) + v->lag_ns);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

static int vs_cancel(struct ogate_sink *s)
{
	struct vsink *v = (struct vsink *)s;
	int n;

	pthread_mutex_lock(&v->lock);
	vs_advance(v);
	n = ogate_pulses_cancel(&v->table, 0, vs_cb, v);
	pthread_mutex_unlock(&v->lock);
	return n;
}

static int vs_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
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

static void vs_destroy(struct ogate_sink *s)
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

static void vsink_init(struct vsink *v, struct vclock *vc)
{
	memset(v, 0, sizeof(*v));
	v->base = (struct ogate_sink){ .ops = &vsink_ops, .fd = vc->wake };
	v->vc = vc;
	pthread_mutex_init(&v->lock, NULL);
	ogate_pulses_init(&v->table, OGATE_SINK_MAX_LINES);
}

static struct ogate_source_opts synth_opts(void)
{
	return (struct ogate_source_opts){ .kind = "synthetic",
					   .size = 96,
					   .fps = 80,
					   .period_s = 0.42,
					   .noise = 2,
					   .seed = 3 };
}

static struct ogate_pipeline_opts pipe_opts(struct vclock *vc)
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
static void run_for(struct vclock *vc, struct ogate_pipeline *p, int64_t run_ns)
{
	vc->p = p;
	assert_int_equal(0, ogate_pipeline_start(p));
	vclock_run_until(vc, vclock_now(vc) + run_ns);
}

static void stop(struct vclock *vc, struct ogate_pipeline *p)
{
	vclock_free_run(vc);
	assert_int_equal(0, ogate_pipeline_stop(p));
}

static void test_pipeline_locks_and_triggers_on_the_true_target_phase(void **state)
{
	struct vclock vc;
	struct vsink sink;
	int i, far = 0;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;
	struct ogate_pipeline_status st;
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 1 };
	double psi_target, sum2 = 0, worst = 0;
	int64_t t0;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	assert_non_null(src);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 6 * SEC);
	assert_int_equal(-EALREADY, ogate_pipeline_start(p));
	ogate_pipeline_status(p, &st);
	assert_true(st.running);
	assert_true(st.locked);
	assert_true(st.period_s > 0.40 && st.period_s < 0.44);
	/* every frame of the 6 s analysed, none lost, on any machine */
	assert_int_equal(6 * 80, st.frames);
	assert_int_equal(st.frames, st.analysed);
	assert_int_equal(0, st.drops_source + st.drops_analysis);
	assert_int_equal(0, st.queue_errors);
	assert_int_equal(0, st.refused_late);
	assert_true(st.triggers >= 8);
	/* arrival and queueing are stamped on the injected clock: no time passes */
	assert_true(st.recent_latency_n > 0);
	assert_int_equal(0, st.latency_max_ns);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	assert_false(st.running);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	assert_int_equal(0, st.missed);
	assert_int_equal(0, st.drops_analysis);

	/* truth: frame k was taken at t0 + k/fps with phase psi(k/fps) */
	t0 = src->t0;
	psi_target = ogate_heart_law_psi(&law, ((double)st.ref_first_seq + st.target_u) / 80.0);
	assert_true(sink.nlaser >= 8);
	for (i = 0; i < sink.nlaser; i++) {
		double t = (sink.laser[i] - t0) / 1e9;
		double d = remainder(ogate_heart_law_psi(&law, t) - psi_target, 2 * M_PI);
		double err_s = d / (2 * M_PI * ogate_heart_law_freq(&law, t));

		sum2 += err_s * err_s;
		worst = fmax(worst, fabs(err_s));
		far += fabs(err_s) > 0.042;
	}
	printf("# %d triggers: RMS error %.2f ms, max %.2f ms\n", sink.nlaser,
	       sqrt(sum2 / sink.nlaser) * 1e3, worst * 1e3);
	assert_true(sqrt(sum2 / sink.nlaser) < 0.004);
	assert_int_equal(0, far); /* none beyond 10 % of a period */
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

/*
 * A trigger the sink refuses as too late (ETIME: decided after its time
 * plus the tolerance) is a missed trigger: stats count its pulses in
 * missed (as the outcome hook sees them), not as a queueing error.
 */
static void test_triggers_refused_as_too_late_count_as_missed(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_source *src = NULL;
	struct ogate_pipeline_status st;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	sink.lag_ns = 2 * SEC; /* every trigger reaches the sink after its time */
	po = pipe_opts(&vc);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 6 * SEC);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	printf("# refused late %llu, missed %llu, queue errors %llu\n",
	       (unsigned long long)st.refused_late, (unsigned long long)st.missed,
	       (unsigned long long)st.queue_errors);
	assert_true(st.locked);
	assert_int_equal(0, st.triggers);
	assert_int_equal(0, st.queue_errors);
	assert_true(st.missed >= 2 * 8); /* two pulses a trigger, one trigger a beat */
	assert_int_equal(2 * st.refused_late, st.missed);
	assert_int_equal(0, st.fired + st.cancelled);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

static void test_stop_cancels_what_the_grace_period_leaves(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	po.stop_grace_ns = 0;		      /* cancel at once */
	po.program.laser_width_ns = 200 * MS; /* long pulses: some are always pending */
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 4 * SEC);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	assert_true(st.triggers > 0);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
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

static int es_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	return 0;
}
static int es_cancel(struct ogate_sink *s)
{
	return 0;
}
static int es_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	return 0;
}
static void es_close(struct ogate_sink *s)
{
}

/* readable at every move of the clock, as the kernel's fd is once an edge is stamped */
static int ei_read(struct ogate_edges *in, struct ogate_frame_edge *ev, size_t max)
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

static void test_frames_take_the_kernel_edge_times_when_matching(void **state)
{
	struct vclock vc;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct edge_input ei = { .base = { .ops = &edge_input_ops }, .fps = 80, .vc = &vc };
	struct ogate_sink qs = { .ops = &quiet_sink_ops };
	struct ogate_pipeline *p;

	vclock_init(&vc);
	po = pipe_opts(&vc);
	ei.base.fd = vc.wake;
	qs.fd = vc.wake;
	assert_int_equal(0, ogate_source_open(&ei.src, &so));
	po.edge_match = true;
	po.edges = &ei.base;
	assert_int_equal(0, ogate_pipeline_new(&p, &po, ei.src, &qs));
	run_for(&vc, p, 3 * SEC);
	ogate_pipeline_status(p, &st);
	stop(&vc, p);
	printf("# edges: matched %llu, unmatched %llu, offset %.1f us, jitter %.1f us\n",
	       (unsigned long long)st.edge_matched, (unsigned long long)st.edge_unmatched,
	       st.edge_offset_ns / 1e3, st.edge_jitter_ns / 1e3);
	assert_true(st.edge_learnt);
	assert_true(st.edge_matched > 150);
	assert_true(llabs(st.edge_offset_ns - 2 * MS) < 100 * US);
	assert_true(st.locked); /* analysis runs on the edge times */
	ogate_pipeline_free(p);
	ogate_sink_close(&qs);
	ogate_source_close(ei.src);
	vclock_destroy(&vc);
}

/*
 * Restart: after a stop, a start is a new stream (timestamps and sequence
 * numbers start over); the analysis must start over with it and relock at
 * once, however long the first run was.
 */
static void run_stop_start(struct ogate_source *src, int64_t first_ns)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct ogate_pipeline *p;
	uint64_t triggers, frames;

	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, first_ns);
	ogate_pipeline_status(p, &st);
	assert_true(st.locked);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	triggers = st.triggers;
	frames = st.frames;
	vclock_skip_to(&vc, vclock_now(&vc) + 1 * SEC); /* stopped for a while */
	run_for(&vc, p, 3 * SEC);
	ogate_pipeline_status(p, &st);
	printf("# after the restart: locked %d, %llu triggers (%llu before)\n", st.locked,
	       (unsigned long long)st.triggers, (unsigned long long)triggers);
	assert_true(st.locked);
	assert_int_equal(frames + 3 * 80, st.frames);
	assert_int_equal(st.frames, st.analysed); /* no frame refused */
	assert_true(st.triggers >= triggers + 2);
	stop(&vc, p);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	vclock_destroy(&vc);
}

static void test_stop_then_start_relocks_on_the_synthetic_source(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_source *src = NULL;

	assert_int_equal(0, ogate_source_open(&src, &so));
	assert_non_null(src);
	run_stop_start(src, 5 * SEC);
	ogate_source_close(src);
}

static void test_stop_then_start_relocks_on_the_file_source(void **state)
{
	char path[] = "/tmp/ogate-pipe-XXXXXX.npy", msg[256];
	struct ogate_stack stk = { .n = 800, .h = 64, .w = 64, .bytes = 1 };
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 10 };
	struct ogate_source_opts so = { .kind = "file", .path = path, .fps = 80 };
	struct ogate_heart_blob heart;
	struct ogate_source *src;
	float img[64 * 64];
	int fd = mkstemps(path, 4);

	assert_true(fd >= 0);
	close(fd);
	stk.data = malloc((size_t)stk.n * 64 * 64);
	assert_non_null(stk.data);
	assert_int_equal(0, ogate_heart_blob_init(&heart, 64, 64, 5));
	for (int i = 0; i < stk.n; i++) {
		uint8_t *px = ogate_stack_frame(&stk, i);

		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, i / 80.0), 2 * M_PI),
					img);
		for (int k = 0; k < 64 * 64; k++)
			px[k] = (uint8_t)(img[k] < 0 ? 0 : img[k] > 255 ? 255 : img[k]);
	}
	ogate_heart_blob_free(&heart);
	assert_int_equal(0, ogate_stack_save_npy(path, &stk, msg, sizeof(msg)));
	ogate_stack_free(&stk);
	assert_int_equal(0, ogate_source_open(&src, &so));
	run_stop_start(src, 5 * SEC);
	ogate_source_close(src);
	unlink(path);
}

static void test_source_rejects_bad_settings_naming_the_value(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_source *src = NULL;

	so.fps = 0;
	assert_int_equal(-EINVAL, ogate_source_open(&src, &so));
	so = (struct ogate_source_opts){ .kind = "file", .path = "/nonexistent/beat.tif", .fps = 80 };
	assert_true(ogate_source_open(&src, &so) < 0);
	so.kind = "webcam";
	assert_int_equal(-EINVAL, ogate_source_open(&src, &so));
	assert_null(src); /* *out is set only on success */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_rejects_bad_settings_naming_the_value),
		cmocka_unit_test(test_pipeline_locks_and_triggers_on_the_true_target_phase),
		cmocka_unit_test(test_triggers_refused_as_too_late_count_as_missed),
		cmocka_unit_test(test_stop_cancels_what_the_grace_period_leaves),
		cmocka_unit_test(test_frames_take_the_kernel_edge_times_when_matching),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_synthetic_source),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_file_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
