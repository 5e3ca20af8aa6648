/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the ogate_testbed chip (see ogate_testbed.c): commands,
 * and its log of pin writes. Reading the log consumes it, so read it once
 * and pick lines from the copy.
 */
#ifndef OGATE_TESTBED_H
#define OGATE_TESTBED_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define TB_DEV "/dev/ogate_testbed"

struct tb_rec {
	uint64_t ts;	/* ktime_get_ns() when the chip was written */
	uint32_t line;
	uint32_t value;
};

/* "edge LINE [COUNT]", "loopback 0|1", "attach", "detach", "low MASK", "clear"; 0 or -errno. */
static inline int tb_cmd(const char *cmd)
{
	int fd = open(TB_DEV, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, cmd, strlen(cmd)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* Up to max log records, oldest first (consumed); the count or -errno. */
static inline int tb_read(struct tb_rec *rec, int max)
{
	int fd = open(TB_DEV, O_RDONLY), n = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	while (n < max && (r = read(fd, rec + n, (size_t)(max - n) * sizeof(*rec))) > 0)
		n += (int)(r / (ssize_t)sizeof(*rec));
	close(fd);
	return n;
}

/* The records of one line, in order, into out (at most max). */
static inline int tb_pick(const struct tb_rec *all, int n, unsigned int line, struct tb_rec *out,
			  int max)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (all[i].line == line && k < max)
			out[k++] = all[i];
	return k;
}

#define TB_PICK(all, n, line, out) tb_pick(all, n, line, out, (int)(sizeof(out) / sizeof((out)[0])))

#endif
