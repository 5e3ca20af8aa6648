// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control socket's file (control.c serves it): a Unix stream socket bound
 * at the configured path, given its group and mode before anyone can connect,
 * replacing a stale socket file but never a live one or any other file.
 */
#include "control_private.h"
#include "log.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int resolve_group(const char *group, gid_t *gid)
{
	struct group gr, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r;

	for (;;) {
		char *b = realloc(buf, len);

		if (!b) {
			free(buf);
			return -ENOMEM;
		}
		buf = b;
		r = getgrnam_r(group, &gr, buf, len, &res);
		if (r != ERANGE || len >= (1u << 20))
			break;
		len *= 2;
	}
	if (r == 0 && res)
		*gid = res->gr_gid;
	free(buf);
	if (r)
		return -r;
	return res ? 0 : -ENOENT;
}

/* A socket file already at path: replace it if nobody listens there. */
static int clear_stale(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		ogate_error("control socket %s: exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sun.sun_path, path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0) {
		ogate_error("control socket %s: another process is listening on it "
			    "(is ogated already running?)",
			    path);
		return -EADDRINUSE;
	}
	if (errno != ECONNREFUSED) {
		r = -errno;
		ogate_error("control socket %s: %s", path, strerror(-r));
		return r;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		r = -errno;
		ogate_error("control socket %s: cannot remove the stale socket: %s", path,
			    strerror(-r));
		return r;
	}
	ogate_info("control socket %s: replaced a stale socket", path);
	return 0;
}

int control_socket_listen(const char *path, const char *group, unsigned int mode, int backlog,
			  dev_t *dev, ino_t *ino)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	char *slash;
	struct stat st;
	gid_t gid = (gid_t)-1;
	int fd, r;

	*dev = 0;
	*ino = 0;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (stat(dir, &st) < 0)
		r = -errno;
	else
		r = S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (r < 0) {
		ogate_error("control socket %s: directory %s: %s (it must exist; systemd creates "
			    "/run/ogate with RuntimeDirectory=ogate)",
			    path, dir, strerror(-r));
		return r;
	}
	if (group && *group) {
		r = resolve_group(group, &gid);
		if (r < 0) {
			ogate_error("control socket %s: group '%s': %s", path, group,
				    r == -ENOENT ? "no such group" : strerror(-r));
			return r;
		}
	}
	r = clear_stale(path);
	if (r < 0)
		return r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		ogate_error("control socket %s: socket: %s", path, strerror(-r));
		return r;
	}
	strcpy(sun.sun_path, path);
	/* nobody can connect before listen(), so the permissions are set in time */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		ogate_error("control socket %s: bind: %s", path, strerror(-r));
		goto fail;
	}
	if (stat(path, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	} else {
		st.st_gid = (gid_t)-1;
	}
	/* bind gave it our group: no chown (systemd/ogated.service forbids it, Group= sets it) */
	if (gid != (gid_t)-1 && st.st_gid != gid && chown(path, (uid_t)-1, gid) < 0) {
		r = -errno;
		ogate_error("control socket %s: cannot give it to group '%s': %s", path, group,
			    strerror(-r));
		goto fail;
	}
	if (chmod(path, mode & 07777) < 0) {
		r = -errno;
		ogate_error("control socket %s: chmod %04o: %s", path, mode, strerror(-r));
		goto fail;
	}
	if (listen(fd, backlog) < 0) {
		r = -errno;
		ogate_error("control socket %s: listen: %s", path, strerror(-r));
		goto fail;
	}
	return fd;
fail:
	if (control_socket_is_ours(path, *dev, *ino))
		unlink(path);
	close(fd);
	return r;
}

bool control_socket_is_ours(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev && st.st_ino == ino;
}
