/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kernel test programs (ogate_test.c,
 * ogate_abuse_test.c): triggers, waiting for events, queueing.
 */
#ifndef OGATE_TEST_UTIL_H
#define OGATE_TEST_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ogate.h"
#include "clock-util.h"

#define DEV		"/dev/ogate0"
#define MS		1000000ULL
#define US		1000ULL
#define LOOSE		(50 * MS)	/* scheduling slack under TCG */

static inline struct ogate_trigger trig(uint64_t t, uint32_t mask, uint32_t width)
{
	struct ogate_trigger tr = {
		.time_ns = t, .line_mask = mask, .width_ns = width, .late_ns = 250 * MS,
	};
	return tr;
}

/* Wait up to timeout_ms for one event of the given type (0: any). */
static inline int next_event(int fd, struct ogate_event *ev, uint32_t type, int timeout_ms)
{
	uint64_t end = (uint64_t)ogate_mono_ns() + (uint64_t)timeout_ms * MS;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(end - (uint64_t)ogate_mono_ns()) / (int64_t)MS;

		if (left < 0 || poll(&p, 1, (int)left + 1) <= 0)
			return -ETIMEDOUT;
		if (read(fd, ev, sizeof(*ev)) != sizeof(*ev))
			return -errno;
		if (!type || ev->type == type)
			return 0;
	}
}

static inline int queue_errno(int fd, struct ogate_trigger *t)
{
	return ioctl(fd, OGATE_IOC_QUEUE, t) ? errno : 0;
}

#endif
