/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* CLOCK_MONOTONIC in ns and absolute-time sleeps, for the tools, tests and benchmarks. */
#ifndef OGATE_CLOCK_UTIL_H
#define OGATE_CLOCK_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

static inline int64_t ogate_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A CLOCK_MONOTONIC time in ns as a timespec (for absolute waits and timers). */
static inline struct timespec ogate_timespec(int64_t t)
{
	return (struct timespec){ .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
}

/* Sleep until the absolute CLOCK_MONOTONIC time t (ns), never "for a while". */
static inline void ogate_sleep_until(int64_t t)
{
	struct timespec ts = ogate_timespec(t);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

#endif
