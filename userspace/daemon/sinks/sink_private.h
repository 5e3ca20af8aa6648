/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Trigger sink implementations' side of sink.h. */
#ifndef OGATE_SINK_PRIVATE_H
#define OGATE_SINK_PRIVATE_H

#include "sink.h"

struct ogate_sink_ops {
	const char *kind;
	struct ogate_sink *(*open)(const struct ogate_sink_opts *o, int *err);
	void (*close)(struct ogate_sink *s);
	int (*queue)(struct ogate_sink *s, const struct ogate_pulse_req *p, size_t n);
	int (*cancel_all)(struct ogate_sink *s);
	int (*read)(struct ogate_sink *s, struct ogate_sink_event *ev, size_t max);
};

/* Every implementation embeds this first. */
struct ogate_sink {
	const struct ogate_sink_ops *ops;
	int fd;
};

extern const struct ogate_sink_ops ogate_sink_ogate_ops;
extern const struct ogate_sink_ops ogate_sink_gpiod_ops;
extern const struct ogate_sink_ops ogate_sink_dryrun_ops;

#endif
