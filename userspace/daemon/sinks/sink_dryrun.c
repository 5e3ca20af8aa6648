// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Dry-run sink: drives nothing. Pulses follow the kernel driver's contract
 * (bounds, errnos, overlap, queue depth) and are reported fired at exactly
 * their requested times once those have passed; a timerfd armed at the next
 * edge makes the sink pollable. With record_path, every outcome is appended
 * as CSV: event,cookie,line_mask,time_ns,rise_ns,fall_ns.
 *
 * Threads: the pipeline queues from its analysis thread, reads from its io
 * thread, and cancels from whichever thread stops or aborts; every op takes
 * the sink's lock, so any thread may call any op (create/destroy excepted).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock-util.h"
#include "log.h"
#include "pulses.h"
#include "sink_private.h"

struct dryrun {
	struct ogate_sink base;
	struct ogate_pulse_table table;
	struct ogate_evq evq;
	FILE *record;
	pthread_mutex_t lock; /* table, evq, record, timer, armed */
	int64_t armed;	      /* the timer's expiry as last set, INT64_MAX: none */
};

static const char *const outcome[] = {
	[OGATE_SINK_FIRED] = "fired",
	[OGATE_SINK_MISSED] = "missed",
	[OGATE_SINK_CANCELLED] = "cancelled",
};

static void dryrun_cb(void *ctx, const struct ogate_pulse_slot *s, enum ogate_sink_event_type type,
		      int64_t rise_ns, int64_t fall_ns)
{
	struct dryrun *d = ctx;

	ogate_evq_pulse_cb(&d->evq, s, type, rise_ns, fall_ns);
	if (d->record)
		fprintf(d->record, "%s,%" PRIu64 ",%u,%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
			outcome[type], s->req.cookie, s->req.line_mask, s->req.time_ns, rise_ns,
			fall_ns);
}

/*
 * Only a change of the timer costs a system call (2-6 us on the test VM): a
 * timer still pending at the earliest edge stays, and one that has expired is
 * already disarmed (one-shot). A queue used to make two calls. Events left to
 * read (a read of fewer than are queued, a cancel's outcomes) keep the fd
 * readable: the timer is set at a time long past (1 ns), so it expires at
 * once, and again at every call while they are left (a setting clears the
 * expirations counted); once they are read it is set at the next edge or
 * disarmed.
 */
static void dryrun_arm(struct dryrun *d)
{
	int64_t next = ogate_evq_pending(&d->evq) ? 1 : ogate_pulses_next_edge(&d->table);
	int64_t pending = d->armed > ogate_mono_ns() ? d->armed : INT64_MAX;
	struct itimerspec its = { 0 };

	if (next == pending && d->armed != 1)
		return;
	d->armed = next;
	if (next != INT64_MAX)
		its.it_value = ogate_timespec(next > 0 ? next : 1); /* 0 would disarm */
	timerfd_settime(d->base.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Play every edge that is due, each at exactly its own time; the caller arms the timer once it
 * has made its own change (queue, cancel, read). */
static void dryrun_play(struct dryrun *d)
{
	int64_t now = ogate_mono_ns(), edge;

	while ((edge = ogate_pulses_next_edge(&d->table)) <= now) {
		ogate_pulses_due(&d->table, edge, dryrun_cb, d);
		ogate_pulses_commit(&d->table, edge, dryrun_cb, d);
	}
}

static struct ogate_sink *dryrun_open(const struct ogate_sink_opts *o, int *err)
{
	struct dryrun *d = calloc(1, sizeof(*d));

	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	d->base.ops = &ogate_sink_dryrun_ops;
	pthread_mutex_init(&d->lock, NULL);
	d->armed = INT64_MAX; /* a new timerfd is disarmed */
	ogate_pulses_init(&d->table, OGATE_SINK_MAX_LINES);
	d->base.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->base.fd < 0) {
		*err = -errno;
		ogate_error("dry-run sink: timerfd: %s", strerror(errno));
		free(d);
		return NULL;
	}
	if (o && o->record_path && *o->record_path) {
		d->record = fopen(o->record_path, "w");
		if (!d->record) {
			*err = -errno;
			ogate_error("dry-run sink: cannot write %s: %s", o->record_path,
				    strerror(errno));
			close(d->base.fd);
			free(d);
			return NULL;
		}
		setvbuf(d->record, NULL, _IOLBF, 0); /* readable while running */
		fprintf(d->record, "event,cookie,line_mask,time_ns,rise_ns,fall_ns\n");
	}
	ogate_info("trigger sink: dry run (nothing is driven)%s%s",
		   d->record ? ", recording to " : "", d->record ? o->record_path : "");
	return &d->base;
}

static int dryrun_cancel_all(struct ogate_sink *s)
{
	struct dryrun *d = (struct dryrun *)s;
	int n;

	pthread_mutex_lock(&d->lock);
	dryrun_play(d);
	n = ogate_pulses_cancel(&d->table, 0, dryrun_cb, d);
	dryrun_arm(d);
	pthread_mutex_unlock(&d->lock);
	return n;
}

static void dryrun_close(struct ogate_sink *s)
{
	struct dryrun *d = (struct dryrun *)s;

	dryrun_play(d);
	ogate_pulses_cancel(&d->table, 1, dryrun_cb, d);
	if (d->record)
		fclose(d->record);
	close(d->base.fd);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int dryrun_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	struct dryrun *d = (struct dryrun *)s;
	int ret;

	pthread_mutex_lock(&d->lock);
	dryrun_play(d);
	ret = ogate_pulses_add(&d->table, p, n, ogate_mono_ns());
	dryrun_arm(d);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

static int dryrun_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	struct dryrun *d = (struct dryrun *)s;
	uint64_t expirations;
	int n;

	if (read(d->base.fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	pthread_mutex_lock(&d->lock);
	dryrun_play(d);
	n = ogate_evq_pop(&d->evq, ev, max);
	dryrun_arm(d);
	pthread_mutex_unlock(&d->lock);
	return n;
}

const struct ogate_sink_ops ogate_sink_dryrun_ops = {
	.kind = "dryrun",
	.open = dryrun_open,
	.close = dryrun_close,
	.queue = dryrun_queue,
	.cancel_all = dryrun_cancel_all,
	.read = dryrun_read,
};
