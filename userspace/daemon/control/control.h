/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated's control socket: a Unix stream socket speaking a line protocol,
 * one command per line, one reply per command:
 *   "OK[ text]\n"  or  "ERR <code> <message>\n"   (code: errno name, e.g. EINVAL)
 * Multi-line replies ("status", "stats") are "OK\n" + "key=value" lines + ".\n".
 * Commands: status, start, stop, target <phase_rad|frame=U>, reset, refresh,
 *           record on|off, mode NAME, stats, help.
 * The socket file is created with the configured group and mode (0660) and
 * its directory must exist; a stale socket file is replaced.
 */
#ifndef OGATE_CONTROL_H
#define OGATE_CONTROL_H

#include <stddef.h>

/* Reply builder handed to command handlers. */
struct ogate_reply;
void ogate_reply_ok(struct ogate_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))); /* "OK text" */
void ogate_reply_kv(struct ogate_reply *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4))); /* multi-line: key=value */
void ogate_reply_err(struct ogate_reply *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4))); /* err > 0: errno */

/*
 * Deferred replies: a handler that hands its work to another thread calls
 * ogate_reply_defer(r) (control thread, inside the handler, with the r it
 * was given), then returns. The other thread builds the reply on
 * ogate_deferred_reply(d) with ogate_reply_ok/kv/err and calls
 * ogate_deferred_finish(d) exactly once (d is freed then). Until then the
 * same connection's later commands wait; other clients are served. NULL
 * when out of memory (then answer r at once).
 */
struct ogate_deferred;
struct ogate_deferred *ogate_reply_defer(struct ogate_reply *r);
struct ogate_reply *ogate_deferred_reply(struct ogate_deferred *d);
void ogate_deferred_finish(struct ogate_deferred *d);

/*
 * One handler per command; argc/argv are the command's words (argv[0] is
 * the command). Handlers run on the control thread and must not block:
 * anything that waits (the frame path, a stage) is deferred to another
 * thread.
 */
typedef void (*ogate_control_fn)(void *ctx, int argc, char **argv, struct ogate_reply *r);

struct ogate_control_cmd {
	const char *name;
	const char *usage;	/* for "help", e.g. "target <phase_rad|frame=U>" */
	int min_args, max_args; /* words after the command */
	ogate_control_fn fn;
};

struct ogate_control;

/*
 * Bind and listen. group may be NULL/"" (keep the process's group).
 * 0, or -errno (logged); *out is set only on success.
 */
int ogate_control_new(struct ogate_control **out, const char *path, const char *group,
		      unsigned int mode, const struct ogate_control_cmd *cmds, size_t ncmds,
		      void *ctx);
/* Serve until ogate_control_stop(); runs in its own thread. */
int ogate_control_start(struct ogate_control *c);
void ogate_control_stop(struct ogate_control *c);
void ogate_control_free(struct ogate_control *c); /* also unlinks the socket */
/* Read deadline of a client owed nothing (default 10000 ms); before start. */
void ogate_control_set_idle_timeout(struct ogate_control *c, int ms);

/* The client side is userspace/client (control-client.h). */

#endif
