/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Inside the control socket: the reply buffer shared by control.c and control_reply.c, and the
 * socket file (control_socket.c). */
#ifndef OGATE_CONTROL_PRIVATE_H
#define OGATE_CONTROL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control.h"

#define CTL_REPLY_MAX (64 * 1024) /* one reply */

enum reply_kind { REPLY_NONE, REPLY_OK, REPLY_MULTI, REPLY_ERR };

struct ogate_reply {
	enum reply_kind kind;
	char *buf;
	size_t len, cap;
	bool overflow;
};

void control_reply_reset(struct ogate_reply *r);
/* Append printf output; unless raw, newlines become spaces (a reply line stays one line). */
void control_reply_append(struct ogate_reply *r, bool raw, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Close the reply: the final newline, or ".\n" after key=value lines. */
void control_reply_finish(struct ogate_reply *r);

/* Bind a non-blocking listening Unix stream socket at path (its directory must exist), give it
 * group (NULL or "": the daemon's own) and mode, and listen with backlog; a stale socket file at
 * path is replaced, a live socket or any other file is not. Returns the socket, *dev and *ino
 * naming the file, or -errno (logged) with no socket or file left behind. */
int control_socket_listen(const char *path, const char *group, unsigned int mode, int backlog,
			  dev_t *dev, ino_t *ino);
/* true while path is still the socket file (dev, ino) bound here: a daemon started since may own
 * the path now */
bool control_socket_is_ours(const char *path, dev_t dev, ino_t ino);

#endif
