// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ogate sink: pulses go to the kernel timing core (/dev/ogateN) as one
 * all-or-nothing batch; outcomes and frame edges come back as its events.
 * Closing the device cancels whatever is pending and drives lines inactive.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "ogate.h"
#include "sink_private.h"

struct ogsink {
	struct ogate_sink base;
	char path[64];
};

static struct ogate_sink *ogsink_open(const struct ogate_sink_opts *o, int *err)
{
	const char *path = o && o->device && *o->device ? o->device : "/dev/ogate0";
	struct ogate_version v = { 0 };
	struct ogate_info info;
	struct ogsink *k = calloc(1, sizeof(*k));

	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	k->base.ops = &ogate_sink_ogate_ops;
	snprintf(k->path, sizeof(k->path), "%s", path);
	k->base.fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (k->base.fd < 0) {
		*err = -errno;
		ogate_error("trigger sink ogate: cannot open %s: %s%s", path, strerror(errno),
			    errno == ENOENT ? " (is ogate.ko loaded and the overlay enabled?)" : "");
		free(k);
		return NULL;
	}
	if (ioctl(k->base.fd, OGATE_IOC_GET_VERSION, &v) || v.abi_version != OGATE_ABI_VERSION ||
	    ioctl(k->base.fd, OGATE_IOC_GET_INFO, &info)) {
		*err = -EPROTO;
		ogate_error("trigger sink ogate: %s speaks ABI %u, ogated needs %u", path,
			    v.abi_version, OGATE_ABI_VERSION);
		close(k->base.fd);
		free(k);
		return NULL;
	}
	ogate_info("trigger sink: %s (%u trigger lines, %u frame lines)", path,
		   info.num_triggers, info.num_frames);
	return &k->base;
}

static void ogsink_close(struct ogate_sink *s)
{
	close(s->fd);	/* the driver cancels and drives lines inactive */
	free(s);
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

static int ogsink_read(struct ogate_sink *s, struct ogate_sink_event *out, size_t max)
{
	struct ogate_event ev[32];
	size_t n = 0;

	while (n < max) {
		size_t want = max - n < 32 ? max - n : 32, i;
		ssize_t r = read(s->fd, ev, want * sizeof(ev[0]));

		if (r < 0)
			return errno == EAGAIN ? (int)n : -errno;
		for (i = 0; i < (size_t)r / sizeof(ev[0]); i++) {
			static const enum ogate_sink_event_type map[] = {
				[OGATE_EVENT_FRAME] = OGATE_SINK_FRAME,
				[OGATE_EVENT_FIRED] = OGATE_SINK_FIRED,
				[OGATE_EVENT_MISSED] = OGATE_SINK_MISSED,
				[OGATE_EVENT_CANCELLED] = OGATE_SINK_CANCELLED,
				[OGATE_EVENT_OVERFLOW] = OGATE_SINK_LOST,
			};

			if (ev[i].type > OGATE_EVENT_OVERFLOW || !map[ev[i].type])
				continue;
			out[n++] = (struct ogate_sink_event){
				.type = map[ev[i].type],
				.line = ev[i].line,
				.cookie = ev[i].cookie,
				.seq = ev[i].seq,
				.time_ns = (int64_t)ev[i].time_ns,
				.rise_ns = (int64_t)ev[i].rise_ns,
				.fall_ns = (int64_t)ev[i].fall_ns,
			};
		}
	}
	return (int)n;
}

const struct ogate_sink_ops ogate_sink_ogate_ops = {
	.kind = "ogate",
	.open = ogsink_open,
	.close = ogsink_close,
	.queue = ogsink_queue,
	.cancel_all = ogsink_cancel_all,
	.read = ogsink_read,
};
