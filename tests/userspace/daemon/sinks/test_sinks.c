// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The pulse table shared by the userspace sinks, the dry-run sink, trigger
 * programs and the pipeline ring. (The ogate and gpiod sinks drive real
 * lines and are tested in the VM suite.)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
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

#include "clock-util.h"
#include "program.h"
#include "pulses.h"
#include "ring.h"
#include "sink.h"

#define MS 1000000LL
#define US 1000LL

extern char ogate_test_last_log[];

static struct ogate_pulse_req req(int64_t t, uint32_t mask, uint32_t width)
{
	return (struct ogate_pulse_req){ .time_ns = t,
					 .line_mask = mask,
					 .width_ns = width,
					 .late_ns = (uint32_t)(1 * MS) };
}

static void test_pulse_table_rejects_bad_pulses_like_the_driver(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	int64_t now = 1000 * MS;
	struct ogate_pulse_req r;
	int i;

	ogate_pulses_init(t, 3);
	r = req(now + MS, 0, 10 * US);
	assert_int_equal(-ENXIO, ogate_pulses_add(t, &r, 1, now));
	r = req(now + MS, 1U << 3, 10 * US);
	assert_int_equal(-ENXIO, ogate_pulses_add(t, &r, 1, now));
	r = req(now + MS, 1, 999);
	assert_int_equal(-EDOM, ogate_pulses_add(t, &r, 1, now));
	r = req(now + 3601000 * MS, 1, 10 * US);
	assert_int_equal(-ERANGE, ogate_pulses_add(t, &r, 1, now));
	r = req(now - 2 * MS, 1, 10 * US);
	assert_int_equal(-ETIME, ogate_pulses_add(t, &r, 1, now));
	r = req(now + MS, 1, 100 * US);
	assert_int_equal(0, ogate_pulses_add(t, &r, 1, now));
	r = req(now + MS + 50 * US, 3, 100 * US);
	assert_int_equal(-EBUSY, ogate_pulses_add(t, &r, 1, now));
	for (i = 1; i < OGATE_PULSE_TABLE_SIZE; i++) {
		r = req(now + (10 + i) * MS, 2, 10 * US);
		assert_int_equal(0, ogate_pulses_add(t, &r, 1, now));
	}
	r = req(now + 5000 * MS, 4, 10 * US);
	assert_int_equal(-ENOSPC, ogate_pulses_add(t, &r, 1, now));
	free(t);
}

static void test_pulse_table_batch_is_all_or_nothing(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	struct ogate_pulse_req r[3] = { req(10 * MS, 1, 10 * US), req(11 * MS, 2, 10 * US),
					req(12 * MS, 1, 0) };

	ogate_pulses_init(t, 3);
	assert_int_equal(-EDOM, ogate_pulses_add(t, r, 3, 0));
	assert_int_equal(0, t->used);
	r[2].width_ns = 10 * US;
	assert_int_equal(0, ogate_pulses_add(t, r, 3, 0));
	assert_int_equal(3, t->used);
	free(t);
}

struct outcomes {
	int n;
	enum ogate_sink_event_type type[16];
	int64_t rise[16], fall[16];
};

static void record(void *ctx, const struct ogate_pulse_slot *s, enum ogate_sink_event_type type,
		   int64_t rise, int64_t fall)
{
	struct outcomes *o = ctx;

	o->type[o->n] = type;
	o->rise[o->n] = rise;
	o->fall[o->n++] = fall;
}

static void test_pulse_table_life_cycle_drives_lines_and_reports(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	struct ogate_pulse_req r[2] = { req(10 * MS, 3, 100 * US), req(20 * MS, 1, 100 * US) };
	struct outcomes o = { 0 };

	ogate_pulses_init(t, 3);
	r[1].late_ns = 0;
	assert_int_equal(0, ogate_pulses_add(t, r, 2, 0));
	assert_int_equal(10 * MS, ogate_pulses_next_edge(t));
	assert_int_equal(1, ogate_pulses_due(t, 10 * MS + 5, record, &o));
	assert_int_equal(3, t->values); /* both lines of the mask together */
	ogate_pulses_commit(t, 10 * MS + 7, record, &o);
	assert_int_equal(0, o.n);
	assert_int_equal(10 * MS + 7 + 100 * US, ogate_pulses_next_edge(t));
	assert_int_equal(1, ogate_pulses_due(t, 11 * MS, record, &o));
	assert_int_equal(0, t->values);
	ogate_pulses_commit(t, 11 * MS + 1, record, &o);
	assert_int_equal(1, o.n);
	assert_int_equal(OGATE_SINK_FIRED, o.type[0]);
	assert_int_equal(10 * MS + 7, o.rise[0]);
	assert_int_equal(11 * MS + 1, o.fall[0]);
	/* zero tolerance and 1 ns late: missed, the line never rises */
	assert_int_equal(0, ogate_pulses_due(t, 20 * MS + 1, record, &o));
	assert_int_equal(OGATE_SINK_MISSED, o.type[1]);
	assert_int_equal(0, t->values);
	assert_int_equal(0, t->used);
	free(t);
}

static void test_pulse_table_cancel_ends_active_only_when_asked(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	struct ogate_pulse_req r[2] = { req(10 * MS, 1, 100 * US), req(20 * MS, 2, 100 * US) };
	struct outcomes o = { 0 };

	ogate_pulses_init(t, 3);
	assert_int_equal(0, ogate_pulses_add(t, r, 2, 0));
	ogate_pulses_due(t, 10 * MS, record, &o);
	ogate_pulses_commit(t, 10 * MS, record, &o);
	assert_int_equal(1, ogate_pulses_cancel(t, 0, record, &o));
	assert_int_equal(1, t->values); /* the active pulse goes on */
	assert_int_equal(1, ogate_pulses_cancel(t, 1, record, &o));
	assert_int_equal(0, t->values);
	assert_int_equal(OGATE_SINK_CANCELLED, o.type[0]);
	assert_int_equal(OGATE_SINK_CANCELLED, o.type[1]);
	free(t);
}

/*
 * A sink running late finds the fall of one pulse and the rise of the next
 * on the same line due together. Each must reach the pin: two writes, the
 * fall first, never one merged write that leaves the line high.
 */
static void test_late_fall_and_next_rise_on_one_line_stay_two_edges(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	struct ogate_pulse_req r[2] = { req(10 * MS, 1, 2 * MS), req(13 * MS, 1, 2 * MS) };
	struct outcomes o = { 0 };

	ogate_pulses_init(t, 1);
	r[1].late_ns = 50 * MS;
	assert_int_equal(0, ogate_pulses_add(t, r, 2, 0));
	assert_int_equal(1, ogate_pulses_due(t, 10 * MS, record, &o));
	ogate_pulses_commit(t, 10 * MS, record, &o);
	assert_int_equal(1, t->values);
	/* woken 8 ms late: the fall (due at 12 ms) and the next rise (13 ms) */
	assert_int_equal(1, ogate_pulses_due(t, 20 * MS, record, &o));
	assert_int_equal(0, t->values); /* the fall alone */
	ogate_pulses_commit(t, 20 * MS, record, &o);
	assert_int_equal(OGATE_SINK_FIRED, o.type[0]);
	assert_int_equal(1, ogate_pulses_due(t, 20 * MS + 100, record, &o));
	assert_int_equal(1, t->values); /* then the rise */
	ogate_pulses_commit(t, 20 * MS + 200, record, &o);
	assert_int_equal(1, ogate_pulses_due(t, 23 * MS, record, &o));
	assert_int_equal(0, t->values);
	free(t);
}

/*
 * Back-to-back pulses: B starts where A ends, but A rose (and so falls) a
 * little late. B's rise waits for A's fall, in a separate write, and both
 * pulses keep their width instead of merging into one long pulse.
 */
static void test_rise_on_a_held_line_waits_for_its_fall(void **state)
{
	struct ogate_pulse_table *t = calloc(1, sizeof(*t));
	struct ogate_pulse_req r[2] = { req(10 * MS, 1, 2 * MS), req(12 * MS, 1, 2 * MS) };
	struct outcomes o = { 0 };

	ogate_pulses_init(t, 1);
	assert_int_equal(0, ogate_pulses_add(t, r, 2, 0));
	assert_int_equal(1, ogate_pulses_due(t, 10 * MS + 3000, record, &o));
	ogate_pulses_commit(t, 10 * MS + 3000, record, &o); /* A rose 3 us late */
	/* B's rise waits on A: the next edge to wake up for is A's fall */
	assert_int_equal(12 * MS + 3000, ogate_pulses_next_edge(t));
	assert_int_equal(0, ogate_pulses_due(t, 12 * MS, record, &o)); /* A holds the line */
	assert_int_equal(1, t->values);
	assert_int_equal(1, ogate_pulses_due(t, 12 * MS + 3000, record, &o));
	assert_int_equal(0, t->values); /* A's fall alone */
	ogate_pulses_commit(t, 12 * MS + 3000, record, &o);
	assert_int_equal(OGATE_SINK_FIRED, o.type[0]);
	assert_int_equal(2 * MS, o.fall[0] - o.rise[0]);
	assert_int_equal(1, ogate_pulses_due(t, 12 * MS + 3100, record, &o));
	assert_int_equal(1, t->values); /* then B's rise */
	free(t);
}

static void test_event_queue_reports_overflow_as_lost(void **state)
{
	struct ogate_evq *q = calloc(1, sizeof(*q));
	struct ogate_sink_event ev = { .type = OGATE_SINK_FIRED }, out[8];
	int i;

	for (i = 0; i < OGATE_EVQ_SIZE + 5; i++)
		ogate_evq_push(q, &ev);
	assert_int_equal(8, ogate_evq_pop(q, out, 8));
	assert_int_equal(OGATE_SINK_LOST, out[0].type);
	assert_int_equal(5, out[0].seq);
	assert_int_equal(OGATE_SINK_FIRED, out[1].type);
	free(q);
}

static void test_dryrun_sink_fires_at_exact_times_and_is_pollable(void **state)
{
	char path[] = "/tmp/ogate-dryrun-XXXXXX";
	int tmp = mkstemp(path);
	struct ogate_sink_opts o = { .record_path = path };
	struct ogate_sink_event ev[8];
	struct ogate_pulse_req r[2];
	struct pollfd p;
	int n = 0;
	struct ogate_sink *s = NULL;
	int64_t t0 = ogate_mono_ns() + 20 * MS;
	char line[256];
	FILE *f;

	assert_int_equal(0, ogate_sink_open(&s, "dryrun", &o));
	close(tmp);
	assert_string_equal("dryrun", ogate_sink_kind(s));
	r[0] = req(t0, 1, 2 * MS);
	r[1] = req(t0 + 5 * MS, 2, 1 * MS);
	r[1].cookie = 42;
	assert_int_equal(0, ogate_sink_queue(s, r, 2));
	assert_int_equal(0, ogate_sink_read(s, ev, 8)); /* nothing yet */
	while (n < 2) {
		p = (struct pollfd){ .fd = ogate_sink_fd(s), .events = POLLIN };
		assert_int_equal(1, poll(&p, 1, 2000));
		n += ogate_sink_read(s, ev + n, 8 - n);
	}
	assert_true(ogate_mono_ns() >= t0 + 6 * MS);
	assert_int_equal(OGATE_SINK_FIRED, ev[0].type);
	assert_int_equal(t0, ev[0].rise_ns);
	assert_int_equal(t0 + 2 * MS, ev[0].fall_ns);
	assert_int_equal(42, ev[1].cookie);
	assert_int_equal(t0 + 6 * MS, ev[1].fall_ns);

	r[0] = req(ogate_mono_ns() + 500 * MS, 1, MS);
	assert_int_equal(0, ogate_sink_queue(s, r, 1));
	assert_int_equal(-EBUSY, ogate_sink_queue(s, r, 1));
	assert_int_equal(1, ogate_sink_cancel_all(s));
	assert_int_equal(1, ogate_sink_read(s, ev, 8));
	assert_int_equal(OGATE_SINK_CANCELLED, ev[0].type);
	ogate_sink_close(s);

	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal("event,cookie,line_mask,time_ns,rise_ns,fall_ns\n", line);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(0, strncmp(line, "fired,0,1,", 10));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(0, strncmp(line, "fired,42,2,", 11));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(0, strncmp(line, "cancelled,0,1,", 14));
	fclose(f);
	unlink(path);
}

/* Wait for the sink's fd, read one event; its time of reading in *at. */
static int wait_one(struct ogate_sink *s, struct ogate_sink_event *ev, int64_t *at)
{
	struct pollfd p = { .fd = ogate_sink_fd(s), .events = POLLIN };
	int n = 0;

	while (n == 0) {
		assert_int_equal(1, poll(&p, 1, 2000));
		n = ogate_sink_read(s, ev, 1);
	}
	*at = ogate_mono_ns();
	return n;
}

/*
 * The sink re-arms its timer only when the earliest edge changes: a pulse
 * queued behind a pending one, one queued after every earlier pulse has
 * played (timer expired) and one queued ahead of a pending one must each
 * still wake the fd in time.
 */
static void test_dryrun_sink_wakes_for_each_edge_whatever_the_queue_order(void **state)
{
	struct ogate_sink_event ev;
	struct ogate_pulse_req r;
	int64_t t0, at;
	struct ogate_sink *s = NULL;

	assert_int_equal(0, ogate_sink_open(&s, "dryrun", NULL));
	/* behind a pending pulse */
	t0 = ogate_mono_ns() + 20 * MS;
	r = req(t0, 1, MS);
	assert_int_equal(0, ogate_sink_queue(s, &r, 1));
	r = req(t0 + 20 * MS, 2, MS);
	r.cookie = 2;
	assert_int_equal(0, ogate_sink_queue(s, &r, 1));
	assert_int_equal(1, wait_one(s, &ev, &at));
	assert_int_equal(0, ev.cookie);
	assert_int_equal(1, wait_one(s, &ev, &at));
	assert_int_equal(2, ev.cookie);
	assert_int_equal(t0 + 21 * MS, ev.fall_ns);
	/* after the timer expired: nothing pending */
	t0 = ogate_mono_ns() + 10 * MS;
	r = req(t0, 1, MS);
	r.cookie = 3;
	assert_int_equal(0, ogate_sink_queue(s, &r, 1));
	assert_int_equal(1, wait_one(s, &ev, &at));
	assert_int_equal(3, ev.cookie);
	/* ahead of a pending pulse: the fd wakes for the earlier one first */
	t0 = ogate_mono_ns() + 20 * MS;
	r = req(t0 + 400 * MS, 1, MS);
	r.cookie = 4;
	assert_int_equal(0, ogate_sink_queue(s, &r, 1));
	r = req(t0, 2, MS);
	r.cookie = 5;
	assert_int_equal(0, ogate_sink_queue(s, &r, 1));
	assert_int_equal(1, wait_one(s, &ev, &at));
	assert_int_equal(5, ev.cookie);
	assert_true(at < t0 + 400 * MS);
	assert_int_equal(1, ogate_sink_cancel_all(s));
	ogate_sink_close(s);
}

/*
 * Events left to read keep the fd readable: a read of fewer events than are
 * queued (two outcomes, read one at a time) and a cancel's outcomes each
 * still wake a poll. The fd had gone quiet with an outcome left queued:
 * the timer had expired and was read, and nothing re-armed it.
 */
static void test_dryrun_sink_stays_readable_while_events_are_left(void **state)
{
	struct pollfd p;
	struct ogate_sink_event ev;
	struct ogate_pulse_req r[2];
	struct ogate_sink *s = NULL;
	int64_t t0 = ogate_mono_ns() + 5 * MS;
	struct timespec ts = { 0, 20 * MS };

	assert_int_equal(0, ogate_sink_open(&s, "dryrun", NULL));
	r[0] = req(t0, 1, MS);
	r[1] = req(t0 + 2 * MS, 2, MS);
	r[1].cookie = 7;
	assert_int_equal(0, ogate_sink_queue(s, r, 2));
	nanosleep(&ts, NULL); /* both played before the first read */
	for (int k = 0; k < 2; k++) {
		p = (struct pollfd){ .fd = ogate_sink_fd(s), .events = POLLIN };
		assert_int_equal(1, poll(&p, 1, 500));
		assert_int_equal(1, ogate_sink_read(s, &ev, 1));
		assert_int_equal(k ? 7 : 0, ev.cookie);
	}
	p = (struct pollfd){ .fd = ogate_sink_fd(s), .events = POLLIN };
	assert_int_equal(0, poll(&p, 1, 0)); /* nothing left: quiet again */
	/* a cancel's outcome wakes the fd, a later pulse still does */
	r[0] = req(ogate_mono_ns() + 300 * MS, 1, MS);
	r[0].cookie = 8;
	assert_int_equal(0, ogate_sink_queue(s, r, 1));
	assert_int_equal(1, ogate_sink_cancel_all(s));
	p = (struct pollfd){ .fd = ogate_sink_fd(s), .events = POLLIN };
	assert_int_equal(1, poll(&p, 1, 500));
	assert_int_equal(1, ogate_sink_read(s, &ev, 1));
	assert_int_equal(OGATE_SINK_CANCELLED, ev.type);
	r[0] = req(ogate_mono_ns() + 10 * MS, 1, MS);
	r[0].cookie = 9;
	assert_int_equal(0, ogate_sink_queue(s, r, 1));
	p = (struct pollfd){ .fd = ogate_sink_fd(s), .events = POLLIN };
	assert_int_equal(1, poll(&p, 1, 500));
	while (ogate_sink_read(s, &ev, 1) == 0) /* woken at the rise: the outcome at the fall */
		assert_int_equal(1, poll(&p, 1, 500));
	assert_int_equal(9, ev.cookie);
	ogate_sink_close(s);
}

/*
 * The pipeline queues from its analysis thread, reads outcomes on its io
 * thread, and cancels from the thread that stops or aborts: the dry-run
 * sink takes all three at once, and every queued pulse gets exactly one
 * outcome. (Under ThreadSanitizer a missing lock is reported here.)
 */
struct three {
	struct ogate_sink *s;
	atomic_bool done;
	uint64_t queued, outcomes;
};

static void *three_queue(void *arg)
{
	struct three *t = arg;

	for (int i = 0; i < 400; i++) {
		struct ogate_pulse_req r = { .time_ns = ogate_mono_ns() + 200000,
					     .line_mask = 1u << (i % 4),
					     .width_ns = 50000,
					     .late_ns = 1000000000,
					     .cookie = (uint64_t)i + 1 };

		if (ogate_sink_queue(t->s, &r, 1) == 0)
			t->queued++;
		if (i % 7 == 0)
			usleep(300);
	}
	atomic_store(&t->done, true);
	return NULL;
}

static void *three_read(void *arg)
{
	struct three *t = arg;
	struct ogate_sink_event ev[16];
	int64_t end = 0;

	for (;;) {
		int n = ogate_sink_read(t->s, ev, 16);

		for (int i = 0; i < n; i++)
			if (ev[i].type == OGATE_SINK_FIRED || ev[i].type == OGATE_SINK_MISSED ||
			    ev[i].type == OGATE_SINK_CANCELLED)
				t->outcomes++;
		if (atomic_load(&t->done) && !end)
			end = ogate_mono_ns() + 300000000;
		if (end && ogate_mono_ns() > end)
			break;
		usleep(200);
	}
	return NULL;
}

static void *three_cancel(void *arg)
{
	struct three *t = arg;

	while (!atomic_load(&t->done)) {
		ogate_sink_cancel_all(t->s);
		usleep(1000);
	}
	return NULL;
}

static void test_dryrun_sink_takes_queue_read_and_cancel_from_three_threads(void **state)
{
	struct three t = { 0 };
	pthread_t q, r, c;

	assert_int_equal(0, ogate_sink_open(&t.s, "dryrun", NULL));
	assert_int_equal(pthread_create(&r, NULL, three_read, &t), 0);
	assert_int_equal(pthread_create(&c, NULL, three_cancel, &t), 0);
	assert_int_equal(pthread_create(&q, NULL, three_queue, &t), 0);
	pthread_join(q, NULL);
	pthread_join(c, NULL);
	pthread_join(r, NULL);
	printf("# %llu pulses queued, %llu outcomes\n", (unsigned long long)t.queued,
	       (unsigned long long)t.outcomes);
	assert_true(t.queued > 0);
	assert_true(t.outcomes == t.queued);
	ogate_sink_close(t.s);
}

static void test_gpiod_thread_runs_one_above_the_frame_thread(void **state)
{
	int max = sched_get_priority_max(SCHED_FIFO);

	(void)state;
	/* at equal SCHED_FIFO priority a pulse due during a frame's analysis
	 * waits for the frame: on the one-CPU chain VM every gpiod pulse was
	 * late, by 430 us on average and up to 2.5 ms */
	assert_int_equal(ogate_sink_thread_priority(50), 51);
	assert_int_equal(ogate_sink_thread_priority(1), 2);
	assert_int_equal(ogate_sink_thread_priority(max - 1), max);
	assert_int_equal(ogate_sink_thread_priority(max), max);
	assert_int_equal(ogate_sink_thread_priority(0), 0);
	assert_int_equal(ogate_sink_thread_priority(-3), 0);
}

static void test_unknown_sink_kind_is_an_error_naming_it(void **state)
{
	struct ogate_sink *s = NULL;

	assert_int_equal(-EINVAL, ogate_sink_open(&s, "laserbeam", NULL));
	assert_null(s);
	assert_non_null(strstr(ogate_test_last_log, "'laserbeam'"));
}

static void test_program_expose_holds_camera_as_long_as_laser(void **state)
{
	struct ogate_program p = { .laser_line = 0,
				   .camera_line = 1,
				   .mode = OGATE_PROGRAM_EXPOSE,
				   .laser_width_ns = 5 * MS,
				   .camera_delay_ns = 100 * US,
				   .camera_width_ns = 50 * US,
				   .late_ns = 500 * US };
	struct ogate_pulse_req r[OGATE_PROGRAM_MAX_PULSES];
	char msg[128];

	assert_int_equal(0, ogate_program_check(&p, msg, sizeof(msg)));
	assert_int_equal(2, ogate_program_build(&p, 1000 * MS, 7, r));
	assert_int_equal(1000 * MS, r[0].time_ns);
	assert_int_equal(1, r[0].line_mask);
	assert_int_equal(5 * MS, r[0].width_ns);
	assert_int_equal(1000 * MS + 100 * US, r[1].time_ns);
	assert_int_equal(2, r[1].line_mask);
	assert_int_equal(5 * MS, r[1].width_ns);
	assert_int_equal(7, r[1].cookie);
	assert_int_equal(1005 * MS + 100 * US, ogate_program_end(&p, 1000 * MS));

	p.mode = OGATE_PROGRAM_EDGE;
	ogate_program_build(&p, 1000 * MS, 7, r);
	assert_int_equal(50 * US, r[1].width_ns);
	assert_int_equal(1005 * MS, ogate_program_end(&p, 1000 * MS));

	p.camera_line = -1;
	assert_int_equal(1, ogate_program_build(&p, 1000 * MS, 7, r));
	p.camera_line = 0;
	assert_int_equal(-EINVAL, ogate_program_check(&p, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "both on line 0"));
}

struct ring_test {
	struct ogate_ring ring;
	size_t n;
	int ok;
};

static void *ring_consumer(void *arg)
{
	struct ring_test *rt = arg;
	uintptr_t expect = 1;

	while (expect <= rt->n) {
		void *p = ogate_ring_pop(&rt->ring);

		if (!p)
			continue;
		if ((uintptr_t)p != expect++) {
			rt->ok = 0;
			return NULL;
		}
	}
	return NULL;
}

static void test_ring_delivers_in_order_across_threads_and_refuses_when_full(void **state)
{
	struct ring_test *rt = calloc(1, sizeof(*rt));
	pthread_t th;
	uintptr_t i;

	ogate_ring_init(&rt->ring);
	for (i = 1; i <= OGATE_RING_SIZE; i++)
		assert_true(ogate_ring_push(&rt->ring, (void *)i));
	assert_false(ogate_ring_push(&rt->ring, (void *)i));
	for (i = 1; i <= OGATE_RING_SIZE; i++)
		assert_ptr_equal((void *)i, ogate_ring_pop(&rt->ring));
	assert_null(ogate_ring_pop(&rt->ring));

	rt->n = 200000;
	rt->ok = 1;
	assert_int_equal(0, pthread_create(&th, NULL, ring_consumer, rt));
	for (i = 1; i <= rt->n;)
		if (ogate_ring_push(&rt->ring, (void *)i))
			i++;
	pthread_join(th, NULL);
	assert_true(rt->ok);
	free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pulse_table_rejects_bad_pulses_like_the_driver),
		cmocka_unit_test(test_pulse_table_batch_is_all_or_nothing),
		cmocka_unit_test(test_pulse_table_life_cycle_drives_lines_and_reports),
		cmocka_unit_test(test_pulse_table_cancel_ends_active_only_when_asked),
		cmocka_unit_test(test_late_fall_and_next_rise_on_one_line_stay_two_edges),
		cmocka_unit_test(test_rise_on_a_held_line_waits_for_its_fall),
		cmocka_unit_test(test_event_queue_reports_overflow_as_lost),
		cmocka_unit_test(test_dryrun_sink_fires_at_exact_times_and_is_pollable),
		cmocka_unit_test(test_dryrun_sink_wakes_for_each_edge_whatever_the_queue_order),
		cmocka_unit_test(test_dryrun_sink_stays_readable_while_events_are_left),
		cmocka_unit_test(test_dryrun_sink_takes_queue_read_and_cancel_from_three_threads),
		cmocka_unit_test(test_gpiod_thread_runs_one_above_the_frame_thread),
		cmocka_unit_test(test_unknown_sink_kind_is_an_error_naming_it),
		cmocka_unit_test(test_program_expose_holds_camera_as_long_as_laser),
		cmocka_unit_test(test_ring_delivers_in_order_across_threads_and_refuses_when_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
