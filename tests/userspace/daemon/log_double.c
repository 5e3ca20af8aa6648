// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Test double for log.h: keeps the last message so tests can check it.
 * Threads: any (the pipeline logs from its own threads), under a lock.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

char ogate_test_last_log[512];
int ogate_test_log_count;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void ogate_vlog(enum ogate_log_level l, const char *fmt, va_list ap)
{
	(void)l;
	pthread_mutex_lock(&lock);
	vsnprintf(ogate_test_last_log, sizeof(ogate_test_last_log), fmt, ap);
	ogate_test_log_count++;
	pthread_mutex_unlock(&lock);
}

void ogate_log(enum ogate_log_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ogate_vlog(l, fmt, ap);
	va_end(ap);
}
