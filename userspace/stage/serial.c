// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Serial transport. Real ports are opened and configured through
 * libserialport. libserialport 0.1.1 (Debian 12) cannot open a pseudo-terminal:
 * sp_get_port_by_name() requires /sys/class/tty/<name>, which ptys lack, and
 * sp_open() fails because ptys reject the TIOCMGET ioctl (ENOTTY). Transport
 * "auto" therefore falls back to plain termios for pty slaves only; the
 * simulated controllers in the tests and socat-made virtual ports use it.
 * Reads and writes go through the file descriptor in both cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>

#include "clock-util.h"
#include "serial.h"

struct ogate_serial {
	int fd;
	struct sp_port *sp; /* NULL for the termios transport */
};

bool serial_is_pty(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	/* UNIX98_PTY_SLAVE_MAJOR .. + UNIX98_PTY_MAJOR_COUNT - 1 */
	return major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

static speed_t baud_to_speed(int baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	default: return 0;
	}
}

static int open_termios(struct ogate_serial *ser, const char *path, const struct serial_cfg *cfg,
			char *err, size_t errlen)
{
	struct termios tio;
	speed_t sp = baud_to_speed(cfg->baud);

	if (!sp) {
		snprintf(err, errlen, "%s: unsupported baud rate %d", path, cfg->baud);
		return -EINVAL;
	}
	ser->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (ser->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: open: %s", path, strerror(e));
		return e == EACCES ? -EACCES : -ENODEV;
	}
	if (tcgetattr(ser->fd, &tio) < 0) {
		snprintf(err, errlen, "%s: not a terminal: %s", path, strerror(errno));
		goto fail;
	}
	cfmakeraw(&tio);
	tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	if (cfg->flow == SERIAL_FLOW_XONXOFF)
		tio.c_iflag |= IXON | IXOFF;
	/* VMIN 1: with O_NONBLOCK an empty read is EAGAIN, so 0 means hang-up */
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, sp);
	cfsetospeed(&tio, sp);
	if (tcsetattr(ser->fd, TCSANOW, &tio) < 0) {
		snprintf(err, errlen, "%s: tcsetattr: %s", path, strerror(errno));
		goto fail;
	}
	tcflush(ser->fd, TCIOFLUSH);
	return 0;
fail:
	close(ser->fd);
	ser->fd = -1;
	return -ENODEV;
}

static int set_vmin1(int fd)
{
	struct termios tio;

	if (tcgetattr(fd, &tio) < 0)
		return -errno;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &tio) < 0 ? -errno : 0;
}

static int sp_fail(struct ogate_serial *ser, const char *path, const char *what, char *err, size_t errlen)
{
	char *msg = sp_last_error_message();
	int code = sp_last_error_code();

	snprintf(err, errlen, "%s: libserialport %s: %s", path, what, msg ? msg : "?");
	sp_free_error_message(msg);
	if (ser->sp) {
		sp_close(ser->sp);
		sp_free_port(ser->sp);
		ser->sp = NULL;
	}
	return code == EACCES ? -EACCES : -ENODEV;
}

static int open_libserialport(struct ogate_serial *ser, const char *path,
			      const struct serial_cfg *cfg, char *err, size_t errlen)
{
	struct sp_port_config *pc = NULL;
	int fd, fl, rc = 0;

	if (sp_get_port_by_name(path, &ser->sp) != SP_OK) {
		ser->sp = NULL;
		return sp_fail(ser, path, "sp_get_port_by_name", err, errlen);
	}
	if (sp_open(ser->sp, SP_MODE_READ_WRITE) != SP_OK)
		return sp_fail(ser, path, "sp_open", err, errlen);
	if (sp_new_config(&pc) != SP_OK)
		return sp_fail(ser, path, "sp_new_config", err, errlen);
	if (sp_set_config_baudrate(pc, cfg->baud) != SP_OK || sp_set_config_bits(pc, 8) != SP_OK ||
	    sp_set_config_parity(pc, SP_PARITY_NONE) != SP_OK ||
	    sp_set_config_stopbits(pc, 1) != SP_OK ||
	    sp_set_config_flowcontrol(pc, cfg->flow == SERIAL_FLOW_XONXOFF
						  ? SP_FLOWCONTROL_XONXOFF
						  : SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_set_config(ser->sp, pc) != SP_OK)
		rc = sp_fail(ser, path, "configuration", err, errlen);
	sp_free_config(pc);
	if (rc)
		return rc;
	if (sp_get_port_handle(ser->sp, &fd) != SP_OK)
		return sp_fail(ser, path, "sp_get_port_handle", err, errlen);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "%s: fcntl O_NONBLOCK: %s", path, strerror(errno));
		sp_close(ser->sp);
		sp_free_port(ser->sp);
		ser->sp = NULL;
		return -ENODEV;
	}
	ser->fd = fd;
	/* libserialport leaves VMIN 0; see open_termios() */
	if ((rc = set_vmin1(fd)) < 0) {
		snprintf(err, errlen, "%s: tcsetattr: %s", path, strerror(-rc));
		sp_close(ser->sp);
		sp_free_port(ser->sp);
		ser->sp = NULL;
		return -ENODEV;
	}
	sp_flush(ser->sp, SP_BUF_BOTH);
	return 0;
}

int serial_open(struct ogate_serial **out, const char *path, const struct serial_cfg *cfg,
		char *err, size_t errlen)
{
	struct ogate_serial *ser;
	const char *tp = cfg->transport ? cfg->transport : "auto";
	int rc;

	*out = NULL;
	if (!path || !*path) {
		snprintf(err, errlen, "no serial port given");
		return -EINVAL;
	}
	ser = calloc(1, sizeof(*ser));
	if (!ser) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ser->fd = -1;
	if (!strcmp(tp, "termios")) {
		rc = open_termios(ser, path, cfg, err, errlen);
	} else if (!strcmp(tp, "libserialport")) {
		rc = open_libserialport(ser, path, cfg, err, errlen);
	} else if (!strcmp(tp, "auto")) {
		/* libserialport cannot open ptys (see top of file) */
		if (serial_is_pty(path))
			rc = open_termios(ser, path, cfg, err, errlen);
		else
			rc = open_libserialport(ser, path, cfg, err, errlen);
	} else {
		snprintf(err, errlen, "unknown transport \"%s\" (auto, libserialport, termios)", tp);
		rc = -EINVAL;
	}
	if (rc) {
		free(ser);
		return rc;
	}
	*out = ser;
	return 0;
}

void serial_close(struct ogate_serial *ser)
{
	if (!ser)
		return;
	if (ser->sp) {
		sp_close(ser->sp);
		sp_free_port(ser->sp);
	} else if (ser->fd >= 0) {
		close(ser->fd);
	}
	free(ser);
}

const char *serial_transport(const struct ogate_serial *ser)
{
	return ser->sp ? "libserialport" : "termios";
}

int serial_flush_input(struct ogate_serial *ser)
{
	return tcflush(ser->fd, TCIFLUSH) < 0 ? -errno : 0;
}

static int timeout_ms(int64_t deadline_ns)
{
	int64_t left = deadline_ns - ogate_mono_ns();

	if (left <= 0)
		return 0;
	return (int)((left + 999999) / 1000000);
}

/* Wait for events; 1 ready, 0 deadline passed, -EPIPE hang-up/error. */
static int wait_fd(struct ogate_serial *ser, short events, int64_t deadline_ns, int *errno_out)
{
	for (;;) {
		struct pollfd p = { .fd = ser->fd, .events = events };
		int t = timeout_ms(deadline_ns);
		int n = poll(&p, 1, t);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			*errno_out = errno;
			return -EPIPE;
		}
		if (n == 0) {
			if (ogate_mono_ns() >= deadline_ns)
				return 0;
			continue;
		}
		if (p.revents & events)
			return 1;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			*errno_out = 0;
			return -EPIPE;
		}
	}
}

static bool vanished_errno(int e)
{
	return e == EIO || e == ENXIO || e == ENODEV || e == EPIPE || e == EBADF;
}

int serial_write_all(struct ogate_serial *ser, const void *buf, size_t len, int64_t deadline_ns,
		     int *errno_out)
{
	const char *p = buf;

	*errno_out = 0;
	while (len) {
		ssize_t n = write(ser->fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int w = wait_fd(ser, POLLOUT, deadline_ns, errno_out);

			if (w < 0)
				return w;
			if (w == 0)
				return -ETIMEDOUT;
			continue;
		}
		*errno_out = n < 0 ? errno : 0;
		if (n < 0 && !vanished_errno(errno))
			return -EIO;
		return -EPIPE;
	}
	/* No tcdrain(): it would block without a deadline while the controller
	 * holds XOFF; the reply deadline covers the transmission time. */
	return 0;
}

int serial_read_line(struct ogate_serial *ser, char *line, size_t len, int64_t deadline_ns,
		     size_t *got, int *errno_out)
{
	size_t n = 0;

	*got = 0;
	*errno_out = 0;
	line[0] = '\0';
	for (;;) {
		char c;
		ssize_t r = read(ser->fd, &c, 1);

		if (r == 1) {
			if (c == '\r' || c == '\n') {
				if (n == 0)
					continue; /* leading CR/LF, or LF after a CR-ended line */
				return (int)n;
			}
			if (n + 1 >= len)
				return -EPROTO;
			line[n++] = c;
			line[n] = '\0';
			*got = n;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			int w = wait_fd(ser, POLLIN, deadline_ns, errno_out);

			if (w < 0)
				return w;
			if (w == 0)
				return -ETIMEDOUT;
			continue;
		}
		/* EOF or an error on a tty: the other side is gone */
		*errno_out = r < 0 ? errno : 0;
		return -EPIPE;
	}
}
