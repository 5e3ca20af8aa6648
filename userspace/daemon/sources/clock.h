/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The frame path's time base, injectable: CLOCK_MONOTONIC ns, absolute
 * times. A NULL clock is the real CLOCK_MONOTONIC (what ogated runs on);
 * tests pass a virtual clock to drive time themselves, so that they run
 * as fast as the analysis allows and do not depend on the machine's load.
 *
 * Users: the timed sources (synthetic, file) pace frames and stamp their
 * start with it; the pipeline stamps frame arrival and queueing and
 * measures its stop grace period with it. Cameras (libcamera) keep their
 * own hardware time. now and sleep_until may be called from any thread;
 * a virtual clock must make that safe.
 */
#ifndef OGATE_DAEMON_CLOCK_H
#define OGATE_DAEMON_CLOCK_H

#include <stdint.h>

#include "clock-util.h"

struct ogate_clock {
	int64_t (*now)(void *ctx);		      /* ns */
	void (*sleep_until)(void *ctx, int64_t t_ns); /* absolute, ns */
	void *ctx;
};

static inline int64_t ogate_clock_now(const struct ogate_clock *c)
{
	return c ? c->now(c->ctx) : ogate_mono_ns();
}

static inline void ogate_clock_sleep_until(const struct ogate_clock *c, int64_t t_ns)
{
	if (c)
		c->sleep_until(c->ctx, t_ns);
	else
		ogate_sleep_until(t_ns);
}

#endif
