// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated logging. Every call formats the whole line into one buffer and
 * writes it with one write(2), so lines from several threads never
 * interleave (stderr is a pipe or the journal stream; lines are shorter
 * than PIPE_BUF). Under systemd (JOURNAL_STREAM names our stderr) a line is
 * "<N>message" so journald files it at priority N; otherwise it is
 * "HH:MM:SS.mmm LEVEL    message" in local time.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 1024

static const struct {
	const char *name;
	int priority;
} levels[] = {
	[OGATE_LOG_TRACE] = { "trace", 7 },	  [OGATE_LOG_DEBUG] = { "debug", 7 },
	[OGATE_LOG_INFO] = { "info", 6 },	  [OGATE_LOG_SUCCESS] = { "success", 5 },
	[OGATE_LOG_WARNING] = { "warning", 4 },	  [OGATE_LOG_ERROR] = { "error", 3 },
	[OGATE_LOG_CRITICAL] = { "critical", 2 },
};
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

static atomic_int log_min_level = OGATE_LOG_INFO;
static int log_fd = STDERR_FILENO;
/* -1 until decided on the first line: 1 = journal format, 0 = human format */
static int log_journal = -1;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

int ogate_log_level_parse(const char *name, enum ogate_log_level *out)
{
	for (size_t i = 0; name && i < NLEVELS; i++) {
		if (!strcasecmp(name, levels[i].name)) {
			*out = (enum ogate_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int level_valid(enum ogate_log_level l)
{
	return (unsigned int)l < NLEVELS;
}

const char *ogate_log_level_name(enum ogate_log_level l)
{
	return level_valid(l) ? levels[l].name : "unknown";
}

int ogate_log_level_priority(enum ogate_log_level l)
{
	return level_valid(l) ? levels[l].priority : 3;
}

void ogate_log_set_level(enum ogate_log_level l)
{
	if (level_valid(l))
		atomic_store(&log_min_level, l);
}

/*
 * systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected to
 * stderr; it is inherited by children whose stderr may be elsewhere, so
 * compare with what fd 2 really is (systemd.exec(5)).
 */
static int journal_stream_is_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(log_fd, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void log_decide_format(void)
{
	if (log_journal < 0)
		log_journal = journal_stream_is_stderr();
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void (*_Atomic log_tap)(void *ctx, enum ogate_log_level l, const char *msg);
static void *_Atomic log_tap_ctx;

void ogate_log_set_tap(void (*tap)(void *ctx, enum ogate_log_level l, const char *msg), void *ctx)
{
	atomic_store(&log_tap, NULL);
	atomic_store(&log_tap_ctx, ctx);
	atomic_store(&log_tap, tap);
}

void ogate_vlog(enum ogate_log_level l, const char *fmt, va_list ap)
{
	void (*tap)(void *ctx, enum ogate_log_level l, const char *msg);
	int saved_errno = errno;
	char line[LOG_LINE_MAX];
	size_t len, start;
	int n;

	if (!level_valid(l))
		l = OGATE_LOG_ERROR;
	if ((int)l < atomic_load(&log_min_level))
		return;
	pthread_once(&log_once, log_decide_format);

	if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>", levels[l].priority);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %-8s ", tm.tm_hour,
			     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, levels[l].name);
	}
	start = (size_t)n;
	errno = saved_errno; /* for %m */
	n = vsnprintf(line + start, sizeof(line) - start - 1, fmt, ap);
	if (n < 0)
		n = 0;
	len = start + (size_t)n;
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
		memcpy(line + len - 3, "...", 3); /* mark the cut */
	}
	/* one message, one line: embedded newlines would lose the prefix */
	for (size_t i = start; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	tap = l >= OGATE_LOG_WARNING ? atomic_load(&log_tap) : NULL;
	if (tap) {
		line[len] = '\0';
		tap(atomic_load(&log_tap_ctx), l, line + start);
	}
	line[len++] = '\n';
	write_all(log_fd, line, len);
	errno = saved_errno;
}

void ogate_log(enum ogate_log_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ogate_vlog(l, fmt, ap);
	va_end(ap);
}
