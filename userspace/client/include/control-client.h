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
int ogate_control_request(const char *path, const char *line, char *buf, size_t buflen,
			  int timeout_ms);

#endif
