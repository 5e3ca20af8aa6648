// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's frame path end to end on the host: the synthetic camera (known
 * phase law) -> analysis -> trigger program -> dry-run sink, in real time.
 * Trigger times are checked against the generator's ground truth.
 */
#include <errno.h>
#include <math.h>
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

#include "clock-util.h"
#include "heart.h"
#include "stackio.h"
#include "pipeline.h"
#include "sink_private.h"
#include "source_private.h"
#include <sys/timerfd.h>

#define MS 1000000LL
#define US 1000LL

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static struct ogate_source_opts synth_opts(void)
{
	return (struct ogate_source_opts){ .kind = "synthetic", .size = 96, .fps = 80,
					   .period_s = 0.42, .noise = 2, .seed = 3 };
}

static struct ogate_pipeline_opts pipe_opts(void)
{
	struct ogate_pipeline_opts o = {
		.program = { .laser_line = 0, .camera_line = 1, .mode = OGATE_PROGRAM_EXPOSE,
			     .laser_width_ns = 2 * MS, .camera_delay_ns = 0,
			     .late_ns = 5 * MS },
		.rt_priority = 0, .cpu_capture = -1, .cpu_analysis = -1,
		.stop_grace_ns = 500 * MS, .record_every = 1,
	};

	ogate_settings_default(&o.settings);
	return o;
}

struct fired {
	int n;
	int64_t t[512];
};

/* Laser pulses (line mask 1) that the dry run fired. */
static void read_fired(const char *path, struct fired *out)
{
	FILE *f = fopen(path, "r");
	char line[256];

	out->n = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && out->n < 512) {
		unsigned long long cookie;
		unsigned int mask;
		long long t;

		if (sscanf(line, "fired,%llu,%u,%lld,", &cookie, &mask, &t) == 3 && mask == 1)
			out->t[out->n++] = t;
	}
	fclose(f);
}

static void test_pipeline_locks_and_triggers_on_the_true_target_phase(void **state)
{
	char rec[] = "/tmp/ogate-pipe-XXXXXX";
	int fd = mkstemp(rec), err = 0, i, far = 0;
	struct ogate_source_opts so = synth_opts();
	struct ogate_sink_opts ko = { .record_path = rec };
	struct ogate_pipeline_opts po = pipe_opts();
	struct ogate_source *src = ogate_source_open(&so, &err);
	struct ogate_sink *sink = NULL;
	struct ogate_pipeline *p;
	struct ogate_pipeline_status st;
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 1 };
	struct fired fired;
	double psi_target, sum2 = 0, worst = 0;
	int64_t t0;

	close(fd);
	assert_non_null(src);
	assert_int_equal(0, ogate_sink_open(&sink, "dryrun", &ko));
	p = ogate_pipeline_new(&po, src, sink, &err);
	assert_non_null(p);
	assert_int_equal(0, ogate_pipeline_start(p));
	assert_int_equal(-EALREADY, ogate_pipeline_start(p));
	sleep_ms(6000);
	ogate_pipeline_status(p, &st);
	assert_true(st.running);
	assert_true(st.locked);
	assert_true(st.period_s > 0.40 && st.period_s < 0.44);
#ifndef OGATE_TEST_TSAN	/* ThreadSanitizer slows analysis several times: no timing promises */
	assert_int_equal(0, st.queue_errors);
	assert_true(st.triggers >= 8);
	assert_true(st.latency_max_ns > 0 && st.latency_max_ns < 20 * MS);
#endif
	assert_int_equal(0, ogate_pipeline_stop(p));
	ogate_pipeline_status(p, &st);
	assert_false(st.running);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	assert_int_equal(0, st.drops_analysis);

	/* truth: frame k was taken at t0 + k/fps with phase psi(k/fps) */
	t0 = src->t0;
	psi_target = ogate_heart_law_psi(&law, ((double)st.ref_first_seq + st.target_u) / 80.0);
	ogate_sink_close(sink);
	read_fired(rec, &fired);
#ifndef OGATE_TEST_TSAN
	assert_true(fired.n >= 8);
#endif
	for (i = 0; i < fired.n; i++) {
		double t = (fired.t[i] - t0) / 1e9;
		double d = remainder(ogate_heart_law_psi(&law, t) - psi_target, 2 * M_PI);
		double err_s = d / (2 * M_PI * ogate_heart_law_freq(&law, t));

		sum2 += err_s * err_s;
		worst = fmax(worst, fabs(err_s));
		far += fabs(err_s) > 0.042;
	}
	printf("# %d triggers: RMS error %.2f ms, max %.2f ms, median latency %.1f us\n", fired.n,
	       sqrt(sum2 / fired.n) * 1e3, worst * 1e3, st.latency_p50_ns / 1e3);
#ifndef OGATE_TEST_TSAN
	assert_true(sqrt(sum2 / fired.n) < 0.004);
	assert_int_equal(0, far);	/* none beyond 10 % of a period */
#endif
	ogate_pipeline_free(p);
	ogate_source_close(src);
	unlink(rec);
}

static void test_stop_cancels_what_the_grace_period_leaves(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po = pipe_opts();
	struct ogate_pipeline_status st;
	int err = 0;
	struct ogate_source *src = ogate_source_open(&so, &err);
	struct ogate_sink *sink = NULL;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_sink_open(&sink, "dryrun", NULL));
	po.stop_grace_ns = 0;	/* cancel at once */
	po.program.laser_width_ns = 200 * MS;	/* long pulses: some are always pending */
	p = ogate_pipeline_new(&po, src, sink, &err);
	assert_int_equal(0, ogate_pipeline_start(p));
	sleep_ms(4000);
	assert_int_equal(0, ogate_pipeline_stop(p));
	ogate_pipeline_status(p, &st);
	assert_true(st.triggers > 0);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	ogate_pipeline_free(p);
	ogate_sink_close(sink);
	ogate_source_close(src);
}

/*
 * A frame-edge input double that reports an edge 2 ms before every synthetic
 * frame (as a camera strobe wired to the module would), beside a trigger sink
 * double that accepts pulses and reports nothing.
 */
struct edge_input {
	struct ogate_edges base;
	struct ogate_source *src;
	double fps;
	uint64_t next;
};

static int es_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n) { return 0; }
static int es_cancel(struct ogate_sink *s) { return 0; }
static int es_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max) { return 0; }
static void es_close(struct ogate_sink *s) { close(s->fd); }

/* readable every millisecond, as the kernel's fd is as soon as an edge is stamped */
static int ei_fd(void)
{
	struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);

	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

static int ei_read(struct ogate_edges *in, struct ogate_frame_edge *ev, size_t max)
{
	struct edge_input *e = (struct edge_input *)in;
	int64_t t;
	size_t n = 0;
	uint64_t ticks;

	if (read(in->fd, &ticks, sizeof(ticks)) < 0)
		ticks = 0;
	t = ogate_mono_ns();
	while (n < max && e->src->t0 &&
	       e->src->t0 + (int64_t)(e->next * 1e9 / e->fps) - 2 * MS <= t) {
		ev[n++] = (struct ogate_frame_edge){
			.line = 0, .seq = e->next + 1,
			.time_ns = e->src->t0 + (int64_t)(e->next * 1e9 / e->fps) - 2 * MS,
		};
		e->next++;
	}
	return (int)n;
}

static const struct ogate_sink_ops quiet_sink_ops = {
	.kind = "quiet-double", .close = es_close, .queue = es_queue,
	.cancel_all = es_cancel, .read = es_read,
};

static const struct ogate_edges_ops edge_input_ops = { .read = ei_read };

static void test_frames_take_the_kernel_edge_times_when_matching(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po = pipe_opts();
	struct ogate_pipeline_status st;
	struct edge_input ei = { .base = { .ops = &edge_input_ops }, .fps = 80 };
	struct ogate_sink qs = { .ops = &quiet_sink_ops };
	struct ogate_pipeline *p;
	int err = 0;

	ei.base.fd = ei_fd();
	qs.fd = ei_fd();
	ei.src = ogate_source_open(&so, &err);
	po.edge_match = true;
	po.edges = &ei.base;
	p = ogate_pipeline_new(&po, ei.src, &qs, &err);
	assert_non_null(p);
	assert_int_equal(0, ogate_pipeline_start(p));
	sleep_ms(3000);
	ogate_pipeline_status(p, &st);
	ogate_pipeline_stop(p);
	printf("# edges: matched %llu, unmatched %llu, offset %.1f us, jitter %.1f us\n",
	       (unsigned long long)st.edge_matched, (unsigned long long)st.edge_unmatched,
	       st.edge_offset_ns / 1e3, st.edge_jitter_ns / 1e3);
	assert_true(st.edge_learnt);
	assert_true(st.edge_matched > 150);
	assert_true(llabs(st.edge_offset_ns - 2 * MS) < 100 * US);
	assert_true(st.locked);		/* analysis runs on the edge times */
	ogate_pipeline_free(p);
	ogate_sink_close(&qs);
	close(ei.base.fd);
	ogate_source_close(ei.src);
}

/*
 * Restart: after a stop, a start is a new stream (timestamps and sequence
 * numbers start over); the analysis must start over with it and relock at
 * once, however long the first run was.
 */
static void run_stop_start(struct ogate_source *src, int first_ms)
{
	struct ogate_pipeline_opts po = pipe_opts();
	struct ogate_sink *sink = NULL;
	struct ogate_pipeline_status st;
	struct ogate_pipeline *p;
	uint64_t triggers;
	int err = 0;

	assert_int_equal(0, ogate_sink_open(&sink, "dryrun", NULL));
	p = ogate_pipeline_new(&po, src, sink, &err);
	assert_non_null(p);
	assert_int_equal(0, ogate_pipeline_start(p));
	sleep_ms(first_ms);
	ogate_pipeline_status(p, &st);
	assert_true(st.locked);
	assert_int_equal(0, ogate_pipeline_stop(p));
	triggers = st.triggers;
	assert_int_equal(0, ogate_pipeline_start(p));
	sleep_ms(3000);
	ogate_pipeline_status(p, &st);
	printf("# after the restart: locked %d, %llu triggers (%llu before)\n", st.locked,
	       (unsigned long long)st.triggers, (unsigned long long)triggers);
	assert_true(st.locked);
	assert_true(st.triggers >= triggers + 2);
	assert_int_equal(0, ogate_pipeline_stop(p));
	ogate_pipeline_free(p);
	ogate_sink_close(sink);
}

static void test_stop_then_start_relocks_on_the_synthetic_source(void **state)
{
	struct ogate_source_opts so = synth_opts();
	int err = 0;
	struct ogate_source *src = ogate_source_open(&so, &err);

	assert_non_null(src);
	run_stop_start(src, 5000);
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
	int fd = mkstemps(path, 4), err = 0;

	assert_true(fd >= 0);
	close(fd);
	stk.data = malloc((size_t)stk.n * 64 * 64);
	assert_non_null(stk.data);
	assert_int_equal(0, ogate_heart_blob_init(&heart, 64, 64, 5));
	for (int i = 0; i < stk.n; i++) {
		uint8_t *px = ogate_stack_frame(&stk, i);

		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, i / 80.0), 2 * M_PI), img);
		for (int k = 0; k < 64 * 64; k++)
			px[k] = (uint8_t)(img[k] < 0 ? 0 : img[k] > 255 ? 255 : img[k]);
	}
	ogate_heart_blob_free(&heart);
	assert_int_equal(0, ogate_stack_save_npy(path, &stk, msg, sizeof(msg)));
	ogate_stack_free(&stk);
	src = ogate_source_open(&so, &err);
	assert_non_null(src);
	run_stop_start(src, 5000);
	ogate_source_close(src);
	unlink(path);
}

static void test_source_rejects_bad_settings_naming_the_value(void **state)
{
	struct ogate_source_opts so = synth_opts();
	int err = 0;

	so.fps = 0;
	assert_null(ogate_source_open(&so, &err));
	assert_int_equal(-EINVAL, err);
	so = (struct ogate_source_opts){ .kind = "file", .path = "/nonexistent/beat.tif", .fps = 80 };
	assert_null(ogate_source_open(&so, &err));
	so.kind = "webcam";
	assert_null(ogate_source_open(&so, &err));
	assert_int_equal(-EINVAL, err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_rejects_bad_settings_naming_the_value),
		cmocka_unit_test(test_pipeline_locks_and_triggers_on_the_true_target_phase),
		cmocka_unit_test(test_stop_cancels_what_the_grace_period_leaves),
		cmocka_unit_test(test_frames_take_the_kernel_edge_times_when_matching),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_synthetic_source),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_file_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
