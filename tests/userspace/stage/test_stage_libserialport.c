// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The libserialport transport, driven end to end against the simulated
 * SMC100 on a pty. libserialport 0.1.1 refuses ptys for two reasons (see
 * userspace/stage/serial.c); this test binary removes both with a shim that
 * applies only to pty slaves: lstat/readlink of /sys/class/tty/pts/N answer
 * as for a virtual tty, and the modem-line ioctls that ptys reject succeed
 * as no-ops. Everything else (sp_open, baud/8N1/no-flow-control configuration,
 * the fd the driver then polls) is libserialport's real code.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "ogate/stage.h"
#include "fake_ctl.h"

#define PTS_SYS "/sys/class/tty/pts/"

/* ---- shim (symbols of the executable take precedence over libc's) ---- */

int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st)
{
	static int (*real)(int, const char *, struct stat *);

	if (!real)
		real = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__lxstat");
	if (!strncmp(path, PTS_SYS, strlen(PTS_SYS)))
		path = "/sys/class/tty/tty";
	return real(ver, path, st);
}

/* builds of libserialport against glibc >= 2.33 call lstat directly */
int lstat(const char *restrict path, struct stat *restrict st)
{
	static int (*real)(const char *, struct stat *);

	if (!real)
		real = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
	if (!strncmp(path, PTS_SYS, strlen(PTS_SYS)))
		path = "/sys/class/tty/tty";
	return real(path, st);
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t len)
{
	static ssize_t (*real)(const char *, char *, size_t);
	static const char target[] = "../../devices/virtual/tty/ptmx";

	if (!real)
		real = (ssize_t(*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
	if (!strncmp(path, PTS_SYS, strlen(PTS_SYS))) {
		size_t n = sizeof(target) - 1 < len ? sizeof(target) - 1 : len;

		memcpy(buf, target, n);
		return (ssize_t)n;
	}
	return real(path, buf, len);
}

static int modem_ioctls;

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int rc;

	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	rc = real(fd, req, arg);
	if (rc < 0 && errno == ENOTTY &&
	    (req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC)) {
		if (req == TIOCMGET)
			*(int *)arg = 0;
		modem_ioctls++;
		return 0;
	}
	return rc;
}

/* ---- tests ---- */

static char info[512];

static void keep_info(void *ctx, int prio, const char *msg)
{
	if (prio == 6)
		snprintf(info, sizeof(info), "%s", msg);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

struct fx {
	struct fake_ctl f;
	struct fake_smc100 m;
	struct ogate_stage *s;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct ogate_stage_opts o;
	char err[300];

	fake_smc100_init(&x->m);
	assert_int_equal(fake_start(&x->f, fake_smc100_handle, "\r\n", &x->m), 0);
	ogate_stage_opts_init(&o);
	o.driver = "smc100";
	o.port = x->f.slave;
	o.transport = "libserialport";
	o.reply_timeout_ms = 200;
	o.poll_interval_ms = 5;
	o.log = keep_info;
	info[0] = '\0';
	if (ogate_stage_open(&x->s, &o, err, sizeof(err)))
		fail_msg("open: %s", err);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ogate_stage_close(x->s);
	fake_stop(&x->f);
	free(x);
	return 0;
}

static void libserialport_configures_57600_8n1_without_flow_control(void **state)
{
	struct fx *x = *state;
	struct termios t;

	assert_contains(info, "(libserialport, 57600 8N1, no flow control)");
	assert_true(modem_ioctls > 0); /* the shim was needed: ptys lack modem lines */
	assert_int_equal(tcgetattr(x->f.slave_keep, &t), 0);
	assert_int_equal(cfgetospeed(&t), B57600);
	assert_int_equal(cfgetispeed(&t), B57600);
	assert_int_equal(t.c_cflag & CSIZE, CS8);
	assert_int_equal(t.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
	assert_true((t.c_iflag & (IXON | IXOFF)) ==
		    0); /* no flow control: a stray XOFF cannot stall the port */
	assert_int_equal(t.c_lflag & (ICANON | ECHO), 0);
}

static void home_move_and_read_back_through_libserialport(void **state)
{
	struct fx *x = *state;
	double um = -1;

	assert_int_equal(ogate_stage_home(x->s), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_move_abs(x->s, -750.0), 0);
	assert_int_equal(ogate_stage_wait_still(x->s, 2000), 0);
	assert_int_equal(ogate_stage_position(x->s, &um), 0);
	assert_true(fabs(um + 750.0) < 1e-3);
}

static void timeout_and_hangup_through_libserialport(void **state)
{
	struct fx *x = *state;
	double um;

	fake_set_fault(&x->f, "TP", FAULT_SILENT, 0, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), -ETIMEDOUT);
	fake_set_fault(&x->f, "TP", FAULT_HANGUP, 0, NULL);
	assert_int_equal(ogate_stage_position(x->s, &um), -EPIPE);
	assert_contains(ogate_stage_last_error(x->s), "vanished");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(libserialport_configures_57600_8n1_without_flow_control,
						setup, teardown),
		cmocka_unit_test_setup_teardown(home_move_and_read_back_through_libserialport,
						setup, teardown),
		cmocka_unit_test_setup_teardown(timeout_and_hangup_through_libserialport, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("stage_libserialport", tests, NULL, NULL);
}
