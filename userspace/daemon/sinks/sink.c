// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Trigger sink front end: picks the implementation by name; the frame-edge input's front end. */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "log.h"
#include "sink_private.h"

static const struct ogate_sink_ops *const sink_kinds[] = {
	&ogate_sink_ogate_ops,
	&ogate_sink_gpiod_ops,
	&ogate_sink_dryrun_ops,
};

int ogate_sink_thread_priority(int frame_priority)
{
	int max = sched_get_priority_max(SCHED_FIFO);

	if (frame_priority <= 0)
		return 0;
	return frame_priority < max ? frame_priority + 1 : max;
}

int ogate_sink_open(struct ogate_sink **out, const char *kind, const struct ogate_sink_opts *o)
{
	struct ogate_sink *s;
	int err = 0;
	size_t i;

	for (i = 0; i < sizeof(sink_kinds) / sizeof(sink_kinds[0]); i++) {
		if (strcmp(kind, sink_kinds[i]->kind))
			continue;
		s = sink_kinds[i]->open(o, &err);
		if (!s)
			return err ? err : -EINVAL;
		*out = s;
		return 0;
	}
	ogate_error("trigger sink '%s' unknown (ogate, gpiod or dryrun)", kind);
	return -EINVAL;
}

void ogate_sink_close(struct ogate_sink *s)
{
	if (s)
		s->ops->close(s);
}

const char *ogate_sink_kind(const struct ogate_sink *s)
{
	return s->ops->kind;
}

int ogate_sink_queue(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n)
{
	return n ? s->ops->queue(s, p, n) : 0;
}

int ogate_sink_cancel_all(struct ogate_sink *s)
{
	return s->ops->cancel_all(s);
}

int ogate_sink_fd(const struct ogate_sink *s)
{
	return s->fd;
}

int ogate_sink_read(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max)
{
	return s->ops->read(s, ev, max);
}

struct ogate_edges *ogate_sink_edges(struct ogate_sink *s)
{
	return s->ops->edges ? s->ops->edges(s) : NULL;
}

int ogate_edges_fd(const struct ogate_edges *e)
{
	return e->fd;
}

int ogate_edges_read(struct ogate_edges *e, struct ogate_frame_edge *out, size_t max)
{
	return max ? e->ops->read(e, out, max) : 0;
}

uint64_t ogate_edges_lost(const struct ogate_edges *e)
{
	return e->ops->lost ? e->ops->lost(e) : 0;
}
