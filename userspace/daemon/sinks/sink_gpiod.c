// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The gpiod sink (libgpiod v1, as in Debian 12 and Pi OS Bookworm): a
 * fallback without the kernel module. One thread of its own (SCHED_FIFO
 * one above the frame thread when permitted, ogate_sink_thread_priority()) waits with absolute CLOCK_MONOTONIC deadlines for the
 * next edge and writes all lines with one bulk set; queueing only takes a
 * mutex and signals it. Lateness is what the kernel path avoids: expect tens
 * of microseconds on a Pi (see bench/kernel for the comparison).
 */
#include <errno.h>
#include <gpiod.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock-util.h"
#include "log.h"
#include "pulses.h"
#include "sink_private.h"

struct gsink {
	struct ogate_sink base;
	struct gpiod_chip *chip;
	struct gpiod_line_bulk bulk;
	unsigned int nlines;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	int stop;
	struct ogate_pulse_table table;
	struct ogate_evq evq;
};

static void gsink_notify(struct gsink *g)
{
	uint64_t one = 1;

	if (write(g->base.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		ogate_warning("gpiod sink: eventfd: %s", strerror(errno));
}

static int gsink_write(struct gsink *g, uint32_t values)
{
	int v[OGATE_SINK_MAX_LINES];
	unsigned int i;

	for (i = 0; i < g->nlines; i++)
		v[i] = values >> i & 1;
	return gpiod_line_set_value_bulk(&g->bulk, v);
}

static void *gsink_thread(void *arg)
{
	struct gsink *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		int64_t next = ogate_pulses_next_edge(&g->table), now;

		if (next == INT64_MAX) {
			pthread_cond_wait(&g->cond, &g->lock);
			continue;
		}
		now = ogate_mono_ns();
		if (now < next) {
			struct timespec ts = ogate_timespec(next);

			pthread_cond_timedwait(&g->cond, &g->lock, &ts);
			continue; /* re-evaluate: woken early or by a new pulse */
		}
		if (ogate_pulses_due(&g->table, now, ogate_evq_pulse_cb, &g->evq) > 0) {
			if (gsink_write(g, g->table.values))
				ogate_error("gpiod sink: setting lines failed: %s", strerror(errno));
			ogate_pulses_commit(&g->table, ogate_mono_ns(), ogate_evq_pulse_cb, &g->evq);
		}
		gsink_notify(g);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static struct ogate_sink *gsink_open(const struct ogate_sink_opts *o, int *err)
{
	struct gsink *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	pthread_attr_t ta;
	int init[OGATE_SINK_MAX_LINES] = { 0 };

	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	g->base.ops = &ogate_sink_gpiod_ops;
	g->base.fd = -1;
	if (!o || !o->gpiochip || !o->nlines || o->nlines > OGATE_SINK_MAX_LINES) {
		ogate_error("gpiod sink: needs a chip and 1..%d line offsets", OGATE_SINK_MAX_LINES);
		*err = -EINVAL;
		goto fail;
	}
	g->chip = gpiod_chip_open_lookup(o->gpiochip);
	if (!g->chip) {
		*err = -errno;
		ogate_error("gpiod sink: cannot open GPIO chip '%s': %s", o->gpiochip, strerror(errno));
		goto fail;
	}
	g->nlines = o->nlines;
	if (gpiod_chip_get_lines(g->chip, (unsigned int *)o->lines, o->nlines, &g->bulk) ||
	    gpiod_line_request_bulk_output(&g->bulk, "ogated", init)) {
		*err = -errno;
		ogate_error("gpiod sink: cannot request lines of '%s' as outputs: %s", o->gpiochip,
			    strerror(errno));
		goto fail;
	}
	g->base.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ogate_pulses_init(&g->table, o->nlines);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_attr_init(&ta);
	if (o->rt_priority > 0) {
		struct sched_param sp = { .sched_priority = ogate_sink_thread_priority(o->rt_priority) };

		pthread_attr_setinheritsched(&ta, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&ta, SCHED_FIFO);
		pthread_attr_setschedparam(&ta, &sp);
	}
	*err = -pthread_create(&g->thread, &ta, gsink_thread, g);
	if (*err && o->rt_priority > 0) {
		ogate_warning("gpiod sink: SCHED_FIFO %d not permitted; using normal scheduling",
			      ogate_sink_thread_priority(o->rt_priority));
		pthread_attr_setinheritsched(&ta, PTHREAD_INHERIT_SCHED);
		*err = -pthread_create(&g->thread, &ta, gsink_thread, g);
	}
	pthread_attr_destroy(&ta);
	if (*err) {
		ogate_error("gpiod sink: cannot start its thread: %s", strerror(-*err));
		goto fail;
	}
	ogate_info("trigger sink: gpiod on %s (%u lines, %s)", o->gpiochip, o->nlines,
		   gpiod_version_string());
	return &g->base;
fail:
	if (g->base.fd >= 0)
		close(g->base.fd);
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
	return NULL;
}

static void gsink_close(struct ogate_sink *s)
{
	struct gsink *g = (struct gsink *)s;

	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	ogate_pulses_cancel(&g->table, 1, ogate_evq_pulse_cb, &g->evq);
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	gsink_write(g, 0); /* safe state: every output inactive */
	gpiod_line_release_bulk(&g->bulk);
	gpiod_chip_close(g->chip);
	close(g->base.fd);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static int gsink_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	struct gsink *g = (struct gsink *)s;
	int ret;

	pthread_mutex_lock(&g->lock);
	ret = ogate_pulses_add(&g->table, p, n, ogate_mono_ns());
	if (!ret)
		pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return ret;
}

static int gsink_cancel_all(struct ogate_sink *s)
{
	struct gsink *g = (struct gsink *)s;
	int n;

	pthread_mutex_lock(&g->lock);
	n = ogate_pulses_cancel(&g->table, 0, ogate_evq_pulse_cb, &g->evq);
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
	gsink_notify(g);
	return n;
}

static int gsink_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	struct gsink *g = (struct gsink *)s;
	uint64_t count;
	bool more;
	int n;

	if (read(g->base.fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&g->lock);
	n = ogate_evq_pop(&g->evq, ev, max);
	more = ogate_evq_pending(&g->evq);
	pthread_mutex_unlock(&g->lock);
	if (more) /* the read cleared the count: events left keep the fd readable */
		gsink_notify(g);
	return n;
}

const struct ogate_sink_ops ogate_sink_gpiod_ops = {
	.kind = "gpiod",
	.open = gsink_open,
	.close = gsink_close,
	.queue = gsink_queue,
	.cancel_all = gsink_cancel_all,
	.read = gsink_read,
};
