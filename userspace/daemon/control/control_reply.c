// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Replies of ogated's control socket: "OK text", "ERR <ENAME> message", or
 * "OK" + key=value lines + "." (see control.h). Built by the command
 * handlers, on whichever thread holds the reply (control thread, or the
 * thread finishing a deferred reply); a reply belongs to one thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_private.h"

void control_reply_reset(struct ogate_reply *r)
{
	r->len = 0;
	r->overflow = false;
	if (r->buf)
		r->buf[0] = '\0';
}

/* Append printf output; newlines in it become spaces (one reply line stays one line). */
static void reply_vappend(struct ogate_reply *r, bool raw, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (r->overflow)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (r->len + (size_t)n + 1 > CTL_REPLY_MAX) {
		r->overflow = true;
		return;
	}
	if (r->len + (size_t)n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 256;
		char *b;

		while (cap < r->len + (size_t)n + 1)
			cap *= 2;
		b = realloc(r->buf, cap);
		if (!b) {
			r->overflow = true;
			return;
		}
		r->buf = b;
		r->cap = cap;
	}
	vsnprintf(r->buf + r->len, (size_t)n + 1, fmt, ap);
	if (!raw)
		for (size_t i = r->len; i < r->len + (size_t)n; i++)
			if (r->buf[i] == '\n' || r->buf[i] == '\r')
				r->buf[i] = ' ';
	r->len += (size_t)n;
}

void control_reply_append(struct ogate_reply *r, bool raw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vappend(r, raw, fmt, ap);
	va_end(ap);
}

/* "OK text". An error already given wins; after key=value lines it is ignored. */
void ogate_reply_ok(struct ogate_reply *r, const char *fmt, ...)
{
	va_list ap;

	if (r->kind == REPLY_ERR || r->kind == REPLY_MULTI)
		return;
	control_reply_reset(r);
	r->kind = REPLY_OK;
	control_reply_append(r, true, "OK");
	if (fmt && *fmt) {
		size_t mark = r->len;

		control_reply_append(r, true, " ");
		va_start(ap, fmt);
		reply_vappend(r, false, fmt, ap);
		va_end(ap);
		if (r->len == mark + 1) /* empty text: plain "OK" */
			r->len = mark;
	}
}

/* One "key=value" line of a multi-line reply (replaces a single-line OK). */
void ogate_reply_kv(struct ogate_reply *r, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (r->kind == REPLY_ERR)
		return;
	if (r->kind != REPLY_MULTI) {
		control_reply_reset(r);
		r->kind = REPLY_MULTI;
		control_reply_append(r, true, "OK\n");
	}
	control_reply_append(r, false, "%s=", key && *key ? key : "?");
	va_start(ap, fmt);
	reply_vappend(r, false, fmt, ap);
	va_end(ap);
	control_reply_append(r, true, "\n");
}

static const char *errno_name(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, len, "E%d", err);
	return buf;
}

/* "ERR <ENAME> message", replacing anything built so far. */
void ogate_reply_err(struct ogate_reply *r, int err, const char *fmt, ...)
{
	char nbuf[16];
	va_list ap;

	if (err < 0)
		err = -err; /* forgive -errno */
	if (err == 0)
		err = EIO;
	control_reply_reset(r);
	r->kind = REPLY_ERR;
	control_reply_append(r, true, "ERR %s ", errno_name(err, nbuf, sizeof(nbuf)));
	va_start(ap, fmt);
	reply_vappend(r, false, fmt, ap);
	va_end(ap);
}

/* Close the reply: the final newline, or ".\n" after key=value lines. */
void control_reply_finish(struct ogate_reply *r)
{
	if (!r->overflow) {
		switch (r->kind) {
		case REPLY_NONE:
			control_reply_reset(r);
			control_reply_append(r, true, "OK\n");
			break;
		case REPLY_MULTI: control_reply_append(r, true, ".\n"); break;
		case REPLY_OK:
		case REPLY_ERR: control_reply_append(r, true, "\n"); break;
		}
	}
	if (r->overflow) {
		r->kind = REPLY_ERR;
		control_reply_reset(r);
		control_reply_append(r, true, "ERR EMSGSIZE reply longer than %d bytes\n",
				     CTL_REPLY_MAX);
	}
}
