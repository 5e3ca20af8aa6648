// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control socket under the unit's system call filter: systemd/ogated.service
 * sets SystemCallFilter=~@privileged (chown and its kind fail with EPERM) and
 * Group= to the socket's group, so bind() already gives the socket its group;
 * ogate_control_new must then not call chown at all. The filter here is the
 * same refusal, installed with seccomp on this test process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control.h"

static void cmd_ping(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	ogate_reply_ok(r, "pong");
}

static const struct ogate_control_cmd cmds[] = {
	{ "ping", "ping", 0, 0, cmd_ping },
};

#define REFUSE(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

/* chown, fchown, lchown, fchownat fail with EPERM from now on (as under ~@privileged);
 * false when this kernel or container offers no seccomp filters */
static bool refuse_chown(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_chown
		REFUSE(__NR_chown),
#endif
#ifdef __NR_lchown
		REFUSE(__NR_lchown),
#endif
		REFUSE(__NR_fchown),
		REFUSE(__NR_fchownat),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		print_message("no seccomp filter here (%s): nothing to check\n", strerror(errno));
		return false;
	}
	return true;
}

static void test_socket_of_the_daemons_own_group_needs_no_chown(void **state)
{
	struct group *g = getgrgid(getgid());
	char dir[] = "/tmp/ogate-nochown-XXXXXX", path[96];
	struct ogate_control *c;
	struct stat st;

	assert_non_null(g);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	if (!refuse_chown()) {
		rmdir(dir);
		skip();
	}
	errno = 0;
	assert_int_equal(chown(dir, (uid_t)-1, getgid()), -1); /* the filter works */
	assert_int_equal(errno, EPERM);

	assert_int_equal(0, ogate_control_new(&c, path, g->gr_name, 0660, cmds, 1, NULL));
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_gid, getgid());
	assert_int_equal(st.st_mode & 07777, 0660);
	ogate_control_free(c);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_of_the_daemons_own_group_needs_no_chown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
