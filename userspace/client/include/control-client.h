/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client side of ogated's control socket (ogate-client, the tests, the
 * web page's backend): a Unix stream socket speaking a line protocol, one
 * command per line, one reply per command:
 *   "OK[ text]\n"  or  "ERR <code> <message>\n"   (code: errno name, e.g. EINVAL)
 * Multi-line replies ("status", "stats") are "OK\n" + "key=value" lines + ".\n".
 * The server side is userspace/daemon/control/control.h.
 */
#ifndef OGATE_CONTROL_CLIENT_H
#define OGATE_CONTROL_CLIENT_H

#include <stddef.h>

/*
 * Send one command and read the whole reply into buf (NUL-terminated).
 * timeout_ms <= 0 waits forever. 0, or -errno: -ETIMEDOUT, -EMSGSIZE (reply
 * cut to buflen - 1), -ECONNRESET (closed without a reply), -EINVAL (a
 * newline inside line), or the connect error (-ENOENT, -ECONNREFUSED, -EACCES).
 */
int ogate_control_request(const char *path, const char *line, char *buf, size_t buflen, int timeout_ms);
/*
 * Several commands, one per line, on one connection (applied in order);
 * every reply, in order, into buf. Errors as above (no -EINVAL for newlines).
 * A server that refuses the connection (too many clients) still has its
 * "ERR ..." line returned, with 0.
 */
int ogate_control_request_lines(const char *path, const char *lines, char *buf, size_t buflen,
				int timeout_ms);

#endif
