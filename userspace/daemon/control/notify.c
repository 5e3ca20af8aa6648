// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sd_notify(3) without libsystemd (as chrony does it): one datagram per
 * state string to the AF_UNIX socket named by $NOTIFY_SOCKET; a leading '@'
 * names an abstract socket (first byte of sun_path NUL).
 */
#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ogate_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	ssize_t n;
	int fd, r = 0;

	if (!path || !*path)
		return 0; /* not started by systemd with Type=notify */
	if (!state || !*state)
		return -EINVAL;
	if (path[0] != '/' && path[0] != '@')
		return -EAFNOSUPPORT; /* e.g. vsock:..., which we do not speak */
	len = strlen(path);
	if (len > sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	else if (len == sizeof(sun.sun_path))
		return -ENAMETOOLONG; /* a path needs its NUL */

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	if (n < 0)
		r = -errno;
	else if ((size_t)n != strlen(state))
		r = -EMSGSIZE;
	close(fd);
	return r;
}

int64_t ogate_notify_watchdog_ns(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	uintmax_t v;
	char *end;

	if (!usec || !*usec)
		return 0;
	if (pid && *pid) {
		errno = 0;
		v = strtoumax(pid, &end, 10);
		if (errno || *end || v != (uintmax_t)getpid())
			return 0; /* meant for another process */
	}
	errno = 0;
	v = strtoumax(usec, &end, 10);
	if (errno || *end || *usec == '-' || v == 0 || v > (uintmax_t)INT64_MAX / 1000)
		return 0;
	return (int64_t)v * 1000;
}
