// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control protocol's client: send one line, half-close, read the reply
 * to end of file (the server closes after answering a half-closed client),
 * so the client need not know which commands have multi-line replies.
 */
#include "control-client.h"
#include "clock-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int64_t now_ms(void)
{
	return ogate_mono_ns() / 1000000;
}

/* Wait for ev on fd until the deadline (< 0: none). */
static int wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int timeout, r;

	do {
		timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		r = poll(&p, 1, timeout);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/*
 * Send the text (one or more command lines) and read every reply to EOF:
 * the server answers each line in order, then closes after our SHUT_WR.
 * Refused at once (too many clients), the server's ERR is still read.
 */
static int exchange(const char *path, const char *line, size_t len, char *buf, size_t buflen,
		    int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	size_t off = 0, got = 0;
	char *msg = NULL;
	int fd, r = 0;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		goto out;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto out;
	}
	msg = malloc(len + 1);
	if (!msg) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(msg, line, len);
	msg[len++] = '\n';
	while (off < len) {
		ssize_t n = send(fd, msg + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				r = wait_fd(fd, POLLOUT, deadline);
				if (r < 0)
					goto out;
				continue;
			}
			r = -errno;
			/* refused (too many clients): the server's reason may be waiting */
			if (r == -EPIPE || r == -ECONNRESET)
				break;
			goto out;
		}
		off += (size_t)n;
	}
	if (off == len)
		shutdown(fd, SHUT_WR); /* the server answers, then closes */
	for (;;) {
		char discard[256];
		bool full = got == buflen - 1;
		ssize_t n = full ? recv(fd, discard, sizeof(discard), 0)
				 : recv(fd, buf + got, buflen - 1 - got, 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				r = wait_fd(fd, POLLIN, deadline);
				if (r < 0)
					goto out;
				continue;
			}
			if (got == 0 && r) /* the send error, when nothing came back */
				goto out;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (full) {
			r = -EMSGSIZE;
			goto out;
		}
		got += (size_t)n;
		buf[got] = '\0';
	}
	if (got > 0)
		r = 0; /* a reply (e.g. the server's ERR refusing us) */
	else if (!r)
		r = -ECONNRESET;
out:
	free(msg);
	close(fd);
	buf[got] = '\0';
	return r;
}

int ogate_control_request(const char *path, const char *line, char *buf, size_t buflen, int timeout_ms)
{
	size_t len;

	if (!buf || !buflen || !line || !path)
		return -EINVAL;
	buf[0] = '\0';
	len = strlen(line);
	if (len && line[len - 1] == '\n')
		len--;
	if (memchr(line, '\n', len))
		return -EINVAL;
	return exchange(path, line, len, buf, buflen, timeout_ms);
}

int ogate_control_request_lines(const char *path, const char *lines, char *buf, size_t buflen,
				int timeout_ms)
{
	size_t len;

	if (!buf || !buflen || !lines || !path)
		return -EINVAL;
	buf[0] = '\0';
	len = strlen(lines);
	if (len && lines[len - 1] == '\n')
		len--;
	return exchange(path, lines, len, buf, buflen, timeout_ms);
}
