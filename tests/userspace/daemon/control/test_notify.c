// SPDX-License-Identifier: GPL-2.0 OR MIT
/* sd_notify without libsystemd: datagrams to $NOTIFY_SOCKET, the watchdog interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <poll.h>
#include <stdbool.h>

#include "notify.c"

static int bind_dgram(const char *name, bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path + abstract, name, len);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + len)),
			 0);
	return fd;
}

static void recv_expect(int fd, const char *want)
{
	char buf[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	assert_int_equal(poll(&p, 1, 1000), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_without_notify_socket_it_is_a_no_op(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(ogate_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(ogate_notify("READY=1"), 0);
}

static void test_states_arrive_on_a_path_socket(void **state)
{
	char path[64] = "/tmp/ogate-notify-XXXXXX";
	int fd;

	assert_non_null(mkdtemp(path));
	strcat(path, "/n");
	fd = bind_dgram(path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(ogate_notify("READY=1"), 0);
	recv_expect(fd, "READY=1");
	assert_int_equal(ogate_notify("STATUS=capturing 80.0 fps\nWATCHDOG=1"), 0);
	recv_expect(fd, "STATUS=capturing 80.0 fps\nWATCHDOG=1");
	close(fd);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	/* the receiver is gone: the error is returned, not hidden */
	strcat(path, "/n");
	assert_int_equal(ogate_notify("STOPPING=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

static void test_an_at_sign_names_an_abstract_socket(void **state)
{
	char name[64], env[70];
	int fd;

	snprintf(name, sizeof(name), "ogate-test-notify-%d", (int)getpid());
	fd = bind_dgram(name, true);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(ogate_notify("WATCHDOG=1"), 0);
	recv_expect(fd, "WATCHDOG=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_unusable_addresses_are_errors(void **state)
{
	char longpath[200];

	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(ogate_notify("READY=1"), -EAFNOSUPPORT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longpath, 1);
	assert_int_equal(ogate_notify("READY=1"), -ENAMETOOLONG);
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	assert_int_equal(ogate_notify(""), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_interval_follows_systemd_variables(void **state)
{
	char pid[32];

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	setenv("WATCHDOG_USEC", "10000000", 1);
	assert_int_equal(ogate_notify_watchdog_ns(), INT64_C(10000000000));
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(ogate_notify_watchdog_ns(), INT64_C(10000000000));
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1); /* for another process */
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "0", 1);
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	setenv("WATCHDOG_USEC", "12s", 1);
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	setenv("WATCHDOG_USEC", "99999999999999999999", 1);
	assert_int_equal(ogate_notify_watchdog_ns(), 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_notify_socket_it_is_a_no_op),
		cmocka_unit_test(test_states_arrive_on_a_path_socket),
		cmocka_unit_test(test_an_at_sign_names_an_abstract_socket),
		cmocka_unit_test(test_unusable_addresses_are_errors),
		cmocka_unit_test(test_watchdog_interval_follows_systemd_variables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
