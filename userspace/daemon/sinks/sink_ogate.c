// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ogate device (/dev/ogateN) with two faces: the trigger sink (pulses go
 * to the kernel timing core as one all-or-nothing batch; their outcomes come
 * back as events) and the frame-edge input (edges.h: the frame strobe's edges,
 * stamped in hard IRQ). The kernel delivers both kinds of event through one
 * queue on one fd; whichever face is read takes what is waiting and keeps the
 * other face's events in that face's ring.
 * Closing the device cancels whatever is pending and drives lines inactive.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "ogate.h"
#include "sink_private.h"

/* Events kept for a face that has not read them yet; a kernel queue holds at most 1024. */
#define DEV_RING 512

/*
 * Threads: the rings, their counts and the reads of the fd are under lock (the
 * sink face is read by ogated's io thread, the edge face too); queue and
 * cancel_all are single ioctls and take no lock.
 */
struct ogdev {
	struct ogate_sink sink;	  /* the trigger face */
	struct ogate_edges edges; /* the frame-edge face, same fd */
	pthread_mutex_t lock;
	struct ogate_sink_event out[DEV_RING]; /* pulse outcomes not yet read */
	size_t out_head, out_n;
	struct ogate_frame_edge fe[DEV_RING]; /* frame edges not yet read */
	size_t fe_head, fe_n;
	uint64_t edges_lost;
};

static struct ogdev *dev_of_sink(struct ogate_sink *s)
{
	return (struct ogdev *)s;
}

static struct ogdev *dev_of_edges(const struct ogate_edges *e)
{
	return (struct ogdev *)((char *)e - offsetof(struct ogdev, edges));
}

static const struct ogate_edges_ops ogdev_edges_ops;

struct ogate_sink *ogate_sink_ogate_attach(int fd, int *err)
{
	struct ogdev *d = calloc(1, sizeof(*d));

	if (!d) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	d->sink.ops = &ogate_sink_ogate_ops;
	d->sink.fd = fd;
	d->edges.ops = &ogdev_edges_ops;
	d->edges.fd = fd;
	pthread_mutex_init(&d->lock, NULL);
	return &d->sink;
}

static struct ogate_sink *ogsink_open(const struct ogate_sink_opts *o, int *err)
{
	const char *path = o && o->device && *o->device ? o->device : "/dev/ogate0";
	struct ogate_version v = { 0 };
	struct ogate_info info;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*err = -errno;
		ogate_error("trigger sink ogate: cannot open %s: %s%s", path, strerror(errno),
			    errno == ENOENT ? " (is ogate.ko loaded and the overlay enabled?)" : "");
		return NULL;
	}
	if (ioctl(fd, OGATE_IOC_GET_VERSION, &v) || v.abi_version != OGATE_ABI_VERSION ||
	    ioctl(fd, OGATE_IOC_GET_INFO, &info)) {
		*err = -EPROTO;
		ogate_error("trigger sink ogate: %s speaks ABI %u, ogated needs %u", path,
			    v.abi_version, OGATE_ABI_VERSION);
		close(fd);
		return NULL;
	}
	ogate_info("trigger sink: %s (%u trigger lines, %u frame lines)", path, info.num_triggers,
		   info.num_frames);
	return ogate_sink_ogate_attach(fd, err);
}

static void ogsink_close(struct ogate_sink *s)
{
	struct ogdev *d = dev_of_sink(s);

	close(s->fd); /* the driver cancels and drives lines inactive */
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int ogsink_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	struct ogate_trigger t[OGATE_MAX_BATCH];
	struct ogate_trigger_batch b = { .triggers = (uintptr_t)t, .count = (uint32_t)n };
	size_t i;

	if (n > OGATE_MAX_BATCH)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (p[i].time_ns < 0)
			return -ETIME;
		t[i] = (struct ogate_trigger){
			.time_ns = (uint64_t)p[i].time_ns,
			.cookie = p[i].cookie,
			.line_mask = p[i].line_mask,
			.width_ns = p[i].width_ns,
			.late_ns = p[i].late_ns,
		};
	}
	return ioctl(s->fd, OGATE_IOC_QUEUE_BATCH, &b) ? -errno : 0;
}

static int ogsink_cancel_all(struct ogate_sink *s)
{
	struct ogate_cancel c = { .how = OGATE_CANCEL_ALL };

	return ioctl(s->fd, OGATE_IOC_CANCEL, &c) ? -errno : (int)c.count;
}

/* lock held, room in the outcome ring: one kernel event into its face's ring */
static void dev_route(struct ogdev *d, const struct ogate_event *ev)
{
	static const enum ogate_sink_event_type map[] = {
		[OGATE_EVENT_FIRED] = OGATE_SINK_FIRED,
		[OGATE_EVENT_MISSED] = OGATE_SINK_MISSED,
		[OGATE_EVENT_CANCELLED] = OGATE_SINK_CANCELLED,
		[OGATE_EVENT_OVERFLOW] = OGATE_SINK_LOST,
	};

	if (ev->type == OGATE_EVENT_FRAME) {
		if (d->fe_n == DEV_RING) { /* nobody reads the edges: drop the newest */
			d->edges_lost++;
			return;
		}
		d->fe[(d->fe_head + d->fe_n++) % DEV_RING] = (struct ogate_frame_edge){
			.line = ev->line,
			.seq = ev->seq,
			.time_ns = (int64_t)ev->time_ns,
		};
		return;
	}
	if (ev->type > OGATE_EVENT_OVERFLOW || !map[ev->type])
		return;
	if (ev->type == OGATE_EVENT_OVERFLOW) /* the kernel lost events of either kind */
		d->edges_lost += ev->seq;
	d->out[(d->out_head + d->out_n++) % DEV_RING] = (struct ogate_sink_event){
		.type = map[ev->type],
		.line = ev->line,
		.cookie = ev->cookie,
		.seq = ev->seq,
		.time_ns = (int64_t)ev->time_ns,
		.rise_ns = (int64_t)ev->rise_ns,
		.fall_ns = (int64_t)ev->fall_ns,
	};
}

/*
 * lock held: read what the kernel has, sorting it into the two rings. Stops
 * while the outcome ring has no room (outcomes are never dropped here; they
 * wait in the kernel's queue). 0 or -errno.
 */
static int dev_pump(struct ogdev *d)
{
	struct ogate_event ev[32];

	while (d->out_n + 32 <= DEV_RING) {
		ssize_t r = read(d->sink.fd, ev, sizeof(ev));
		size_t i;

		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (!r)
			return 0;
		for (i = 0; i < (size_t)r / sizeof(ev[0]); i++)
			dev_route(d, &ev[i]);
	}
	return 0;
}

static int ogsink_read(struct ogate_sink *s, struct ogate_sink_event *out, size_t max)
{
	struct ogdev *d = dev_of_sink(s);
	size_t n = 0;
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = d->out_n < max ? dev_pump(d) : 0;
	while (n < max && d->out_n) {
		out[n++] = d->out[d->out_head];
		d->out_head = (d->out_head + 1) % DEV_RING;
		d->out_n--;
	}
	pthread_mutex_unlock(&d->lock);
	return n || !ret ? (int)n : ret;
}

static struct ogate_edges *ogsink_edges(struct ogate_sink *s)
{
	return &dev_of_sink(s)->edges;
}

static int ogedges_read(struct ogate_edges *e, struct ogate_frame_edge *out, size_t max)
{
	struct ogdev *d = dev_of_edges(e);
	size_t n = 0;
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = d->fe_n < max ? dev_pump(d) : 0;
	while (n < max && d->fe_n) {
		out[n++] = d->fe[d->fe_head];
		d->fe_head = (d->fe_head + 1) % DEV_RING;
		d->fe_n--;
	}
	pthread_mutex_unlock(&d->lock);
	return n || !ret ? (int)n : ret;
}

static uint64_t ogedges_lost(const struct ogate_edges *e)
{
	struct ogdev *d = dev_of_edges(e);
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->edges_lost;
	pthread_mutex_unlock(&d->lock);
	return n;
}

static const struct ogate_edges_ops ogdev_edges_ops = {
	.read = ogedges_read,
	.lost = ogedges_lost,
};

const struct ogate_sink_ops ogate_sink_ogate_ops = {
	.kind = "ogate",
	.open = ogsink_open,
	.close = ogsink_close,
	.queue = ogsink_queue,
	.cancel_all = ogsink_cancel_all,
	.read = ogsink_read,
	.edges = ogsink_edges,
};
