/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Trigger sink implementations' side of sink.h. */
#ifndef OGATE_SINK_PRIVATE_H
#define OGATE_SINK_PRIVATE_H

#include "edges.h"
#include "sink.h"

struct ogate_sink_ops {
	const char *kind;
	struct ogate_sink *(*open)(const struct ogate_sink_opts *o, int *err);
	void (*close)(struct ogate_sink *s);
	int (*queue)(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n);
	int (*cancel_all)(struct ogate_sink *s);
	int (*read)(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max);
	struct ogate_edges *(*edges)(struct ogate_sink *s); /* NULL: no frame lines */
};

/* Every implementation embeds this first. */
struct ogate_sink {
	const struct ogate_sink_ops *ops;
	int fd;
};

/* A frame-edge input's implementation (edges.h); read and lost may be called concurrently. */
struct ogate_edges_ops {
	int (*read)(struct ogate_edges *e, struct ogate_frame_edge *out, size_t max);
	uint64_t (*lost)(const struct ogate_edges *e);
};

struct ogate_edges {
	const struct ogate_edges_ops *ops;
	int fd;
};

extern const struct ogate_sink_ops ogate_sink_ogate_ops;
extern const struct ogate_sink_ops ogate_sink_gpiod_ops;
extern const struct ogate_sink_ops ogate_sink_dryrun_ops;

/* The ogate device on an fd already open and checked (sink_ogate.c; its tests feed it
 * struct ogate_event records through a pipe). Takes the fd; NULL and -errno in *err. */
struct ogate_sink *ogate_sink_ogate_attach(int fd, int *err);

#endif
