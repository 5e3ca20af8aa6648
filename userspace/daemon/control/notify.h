/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* sd_notify(3) without libsystemd: READY=1, WATCHDOG=1, STATUS=..., STOPPING=1. */
#ifndef OGATE_NOTIFY_H
#define OGATE_NOTIFY_H

#include <stdint.h>

/* Send one state string to $NOTIFY_SOCKET; 0 when not under systemd. -errno on failure. */
int ogate_notify(const char *state);
/* Watchdog interval in ns from $WATCHDOG_USEC (and $WATCHDOG_PID), 0 if disabled. */
int64_t ogate_notify_watchdog_ns(void);

#endif
