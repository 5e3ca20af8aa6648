/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Logging for ogated: seven levels mapped to journald priorities. Under
 * systemd (JOURNAL_STREAM set) lines go to stderr with "<N>" priority
 * prefixes; on a terminal as "HH:MM:SS.mmm LEVEL message".
 */
#ifndef OGATE_LOG_H
#define OGATE_LOG_H

#include <stdarg.h>

enum ogate_log_level {
	OGATE_LOG_TRACE = 0, /* journald 7 (debug) */
	OGATE_LOG_DEBUG,     /* 7 */
	OGATE_LOG_INFO,	     /* 6 (info) */
	OGATE_LOG_SUCCESS,   /* 5 (notice) */
	OGATE_LOG_WARNING,   /* 4 (warning) */
	OGATE_LOG_ERROR,     /* 3 (err) */
	OGATE_LOG_CRITICAL,  /* 2 (crit) */
};

/* "trace", "debug", ...; -EINVAL for an unknown name. */
int ogate_log_level_parse(const char *name, enum ogate_log_level *out);
const char *ogate_log_level_name(enum ogate_log_level l);
int ogate_log_level_priority(enum ogate_log_level l); /* journald priority */
void ogate_log_set_level(enum ogate_log_level l);
/* Thread-safe; one line per call, the newline is added. */
void ogate_log(enum ogate_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ogate_vlog(enum ogate_log_level l, const char *fmt, va_list ap);

/*
 * A tap that also sees every line at warning level or above (the web page's
 * warnings list), without its prefix and newline; NULL removes it. Called on
 * the logging thread: it must not block or log.
 */
void ogate_log_set_tap(void (*tap)(void *ctx, enum ogate_log_level l, const char *msg), void *ctx);

#define ogate_trace(...) ogate_log(OGATE_LOG_TRACE, __VA_ARGS__)
#define ogate_debug(...) ogate_log(OGATE_LOG_DEBUG, __VA_ARGS__)
#define ogate_info(...) ogate_log(OGATE_LOG_INFO, __VA_ARGS__)
#define ogate_success(...) ogate_log(OGATE_LOG_SUCCESS, __VA_ARGS__)
#define ogate_warning(...) ogate_log(OGATE_LOG_WARNING, __VA_ARGS__)
#define ogate_error(...) ogate_log(OGATE_LOG_ERROR, __VA_ARGS__)
#define ogate_critical(...) ogate_log(OGATE_LOG_CRITICAL, __VA_ARGS__)

#endif
