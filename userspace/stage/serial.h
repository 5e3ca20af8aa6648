/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Serial transport: the port is opened and configured either by libserialport
 * or by plain termios (pseudo-terminals only, see docs/stage.md); all I/O then
 * goes through the file descriptor with poll() and absolute CLOCK_MONOTONIC
 * deadlines.
 */
#ifndef OGATE_STAGE_SERIAL_H
#define OGATE_STAGE_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ogate_serial;

enum serial_flow { SERIAL_FLOW_NONE, SERIAL_FLOW_XONXOFF };

struct serial_cfg {
	const char *transport; /* "auto", "libserialport", "termios" */
	int baud;
	enum serial_flow flow;
};

/* 0 or -ENODEV / -EINVAL / -EIO; err receives the reason. */
int serial_open(struct ogate_serial **out, const char *path, const struct serial_cfg *cfg,
		char *err, size_t errlen);
void serial_close(struct ogate_serial *ser);
/* "libserialport" or "termios" */
const char *serial_transport(const struct ogate_serial *ser);
bool serial_is_pty(const char *path);

/* Discard unread input. */
int serial_flush_input(struct ogate_serial *ser);
/* 0, -ETIMEDOUT or -EPIPE (errno_out gets the OS error, 0 for a hang-up). */
int serial_write_all(struct ogate_serial *ser, const void *buf, size_t len, int64_t deadline_ns,
		     int *errno_out);
/*
 * Read one line ended by CR or LF; leading CR/LF are skipped. Returns the line
 * length (terminator not stored, NUL added) or -ETIMEDOUT, -EPIPE, -EPROTO
 * (line longer than len - 1). *got is the number of bytes stored so far
 * (also on error), so the partial reply can be reported.
 */
int serial_read_line(struct ogate_serial *ser, char *line, size_t len, int64_t deadline_ns,
		     size_t *got, int *errno_out);

#endif
