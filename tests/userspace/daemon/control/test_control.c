// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's control socket: the line protocol (OK / ERR / multi-line replies,
 * help, usage errors, over-long lines), several clients at once, the socket
 * file (group, mode, stale files), ogate_control_request() and the
 * ogate-client program's output and exit status (build/bin/ogate-client).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <spawn.h>
#include <sys/wait.h>

#include "control.c"
#include "clock-util.h"
#include "control-client.h"

static int64_t now_ms(void)
{
	return ogate_mono_ns() / 1000000;
}

extern char **environ;

static char dir[64];
static char sock[128];
static int calls;

/* ---- a small command table, as the daemon would pass ---- */

static void cmd_echo(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	char buf[2048] = "";

	assert_ptr_equal(ctx, &calls);
	calls++;
	for (int i = 1; i < argc; i++) {
		strcat(buf, argv[i]);
		if (i + 1 < argc)
			strcat(buf, ",");
	}
	assert_null(argv[argc]);
	ogate_reply_ok(r, "%s", buf);
}

static void cmd_status(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	ogate_reply_kv(r, "state", "running");
	ogate_reply_kv(r, "fps", "%.1f", 80.0);
	ogate_reply_kv(r, "note", "two\nlines");
}

static void cmd_busy(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	ogate_reply_kv(r, "half", "built");
	ogate_reply_err(r, EBUSY, "capture is %s", "stopping");
	ogate_reply_ok(r, "ignored after an error");
}

static void cmd_silent(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
}

static void cmd_huge(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	for (int i = 0; i < 10000; i++)
		ogate_reply_kv(r, "line", "%d %0100d", i, 0);
}

static void cmd_slow(void *ctx, int argc, char **argv, struct ogate_reply *r)
{
	usleep(300 * 1000);
	ogate_reply_ok(r, "late");
}

static const struct ogate_control_cmd cmds[] = {
	{ "echo", "echo WORD [WORD...]", 1, -1, cmd_echo },
	{ "target", "target <phase_rad|frame=U>", 1, 1, cmd_echo },
	{ "status", "status", 0, 0, cmd_status },
	{ "busy", NULL, 0, 0, cmd_busy },
	{ "silent", "silent", 0, 0, cmd_silent },
	{ "huge", "huge", 0, 0, cmd_huge },
	{ "slow", "slow", 0, 0, cmd_slow },
};

static struct ogate_control *ctl;

static int setup(void **state)
{
	ogate_log_set_level(OGATE_LOG_CRITICAL); /* expected errors stay quiet */
	strcpy(dir, "/tmp/ogate-ctl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/ogated.sock", dir);
	assert_int_equal(0, ogate_control_new(&ctl, sock, NULL, 0660, cmds,
					      sizeof(cmds) / sizeof(cmds[0]), &calls));
	assert_int_equal(ogate_control_start(ctl), 0);
	calls = 0;
	return 0;
}

static int teardown(void **state)
{
	ogate_control_free(ctl);
	ctl = NULL;
	assert_int_equal(rmdir(dir), 0); /* the socket file is gone too */
	return 0;
}

static char reply[128 * 1024];

static const char *req(const char *line)
{
	int r = ogate_control_request(sock, line, reply, sizeof(reply), 2000);

	assert_int_equal(r, 0);
	return reply;
}

static void test_replies_are_ok_err_or_dot_terminated_lists(void **state)
{
	assert_string_equal(req("echo a b  c"), "OK a,b,c\n");
	assert_string_equal(req("\techo   x\t"), "OK x\n");
	assert_string_equal(req("echo crlf\r"), "OK crlf\n");
	assert_string_equal(req("silent"), "OK\n");
	assert_string_equal(req("status"), "OK\nstate=running\nfps=80.0\nnote=two lines\n.\n");
	assert_string_equal(req("busy"), "ERR EBUSY capture is stopping\n");
	assert_int_equal(calls, 3);
}

static void test_unknown_commands_and_wrong_arity_explain_themselves(void **state)
{
	assert_string_equal(req("launch"), "ERR EINVAL unknown command 'launch' (try help)\n");
	assert_string_equal(req("Status"), "ERR EINVAL unknown command 'Status' (try help)\n");
	assert_string_equal(req("target"), "ERR EINVAL usage: target <phase_rad|frame=U>\n");
	assert_string_equal(req("target 1 2"), "ERR EINVAL usage: target <phase_rad|frame=U>\n");
	assert_string_equal(req("status now"), "ERR EINVAL usage: status\n");
	assert_string_equal(req("busy 1"), "ERR EINVAL usage: busy\n"); /* no usage: the name */
	assert_string_equal(req(""), "ERR EINVAL empty command (try help)\n");
	assert_string_equal(req("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"),
			    "ERR E2BIG too many words (at most 16)\n");
	assert_int_equal(calls, 0); /* handlers never saw any of it */
}

static void test_help_lists_every_command_with_its_usage(void **state)
{
	assert_string_equal(req("help"), "OK\n"
					 "echo WORD [WORD...]\n"
					 "target <phase_rad|frame=U>\n"
					 "status\nbusy\nsilent\nhuge\nslow\n"
					 "help [COMMAND]\n.\n");
	assert_string_equal(req("help target"), "OK target <phase_rad|frame=U>\n");
	assert_string_equal(req("help help"), "OK help [COMMAND]\n");
	assert_string_equal(req("help x"), "ERR EINVAL unknown command 'x' (try help)\n");
	assert_string_equal(req("help a b"), "ERR EINVAL usage: help [COMMAND]\n");
}

static void test_a_reply_too_long_becomes_an_error(void **state)
{
	assert_string_equal(req("huge"), "ERR EMSGSIZE reply longer than 65536 bytes\n");
	assert_string_equal(req("echo still fine"), "OK still,fine\n");
}

static int connect_raw(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sun.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void send_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/* Read exactly strlen(want) bytes and compare. */
static void expect(int fd, const char *want)
{
	char buf[4096];
	size_t got = 0, len = strlen(want);

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&p, 1, 2000), 1);
		n = recv(fd, buf + got, len - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
	}
	buf[got] = '\0';
	assert_string_equal(buf, want);
}

static void test_one_connection_carries_many_commands_in_order(void **state)
{
	int fd = connect_raw();
	const char *pipelined = "echo 1\nstatus\nnope\necho 2\n";

	send_all(fd, pipelined, strlen(pipelined));
	expect(fd, "OK 1\nOK\nstate=running\nfps=80.0\nnote=two lines\n.\n"
		   "ERR EINVAL unknown command 'nope' (try help)\nOK 2\n");
	/* a command split over several writes */
	send_all(fd, "ec", 2);
	usleep(20000);
	send_all(fd, "ho split\n", 9);
	expect(fd, "OK split\n");
	close(fd);
}

static void test_an_overlong_line_is_refused_and_the_connection_survives(void **state)
{
	int fd = connect_raw();
	char big[3000];

	memset(big, 'x', sizeof(big));
	send_all(fd, "echo ", 5);
	send_all(fd, big, sizeof(big));
	send_all(fd, "\necho after\n", 12);
	expect(fd, "ERR E2BIG line too long (at most 1023 bytes)\nOK after\n");
	/* exactly at the limit is fine */
	memcpy(big, "echo ", 5);
	big[1023] = '\n';
	big[1024] = '\0';
	send_all(fd, big, 1024);
	expect(fd, "OK ");
	expect(fd, big + 5);
	close(fd);
	assert_int_equal(calls, 2);
}

static void test_a_last_line_without_newline_still_runs(void **state)
{
	int fd = connect_raw();
	char buf[64];
	ssize_t n;

	send_all(fd, "echo eof", 8);
	shutdown(fd, SHUT_WR);
	expect(fd, "OK eof\n");
	n = recv(fd, buf, sizeof(buf), 0); /* then the server closes */
	assert_int_equal(n, 0);
	close(fd);
}

static void test_clients_are_served_side_by_side(void **state)
{
	int a = connect_raw(), b = connect_raw();

	/* a sends half a line and waits; b is not held up by it */
	send_all(a, "echo A", 6);
	send_all(b, "echo B\n", 7);
	expect(b, "OK B\n");
	assert_string_equal(req("echo C"), "OK C\n");
	send_all(a, "\n", 1);
	expect(a, "OK A\n");
	close(a);
	close(b);
}

#define NTHREADS 8
#define NREQ 50

static void *hammer(void *arg)
{
	char line[64], want[64], buf[256];
	int id = (int)(intptr_t)arg;

	for (int i = 0; i < NREQ; i++) {
		snprintf(line, sizeof(line), "echo %d %d", id, i);
		snprintf(want, sizeof(want), "OK %d,%d\n", id, i);
		if (ogate_control_request(sock, line, buf, sizeof(buf), 5000) || strcmp(buf, want))
			return (void *)1;
	}
	return NULL;
}

static void test_concurrent_requests_each_get_their_own_reply(void **state)
{
	pthread_t t[NTHREADS];
	void *ret;

	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(calls, NTHREADS * NREQ);
}

static void test_too_many_clients_get_ebusy(void **state)
{
	int fds[CTL_MAX_CLIENTS];
	int extra;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		fds[i] = connect_raw();
	send_all(fds[CTL_MAX_CLIENTS - 1], "echo last\n", 10);
	expect(fds[CTL_MAX_CLIENTS - 1], "OK last\n"); /* all accepted by now */
	extra = connect_raw();
	expect(extra, "ERR EBUSY too many clients\n");
	close(extra);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* Idle connections (nothing sent, or half a line) are closed at the read deadline. */
static void test_idle_clients_cannot_lock_others_out(void **state)
{
	int fds[CTL_MAX_CLIENTS];
	int64_t t0;
	int r;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		fds[i] = connect_raw();
	send_all(fds[0], "echo half a li", 14); /* never finished */
	send_all(fds[CTL_MAX_CLIENTS - 1], "echo last\n", 10);
	expect(fds[CTL_MAX_CLIENTS - 1], "OK last\n"); /* all accepted by now */
	t0 = now_ms();
	/* refused while the slots are held, served once the deadline freed them */
	do {
		r = ogate_control_request(sock, "echo in", reply, sizeof(reply), 2000);
		if (r == 0 && !strcmp(reply, "OK in\n"))
			break;
		usleep(200 * 1000);
	} while (now_ms() - t0 < 15000);
	assert_int_equal(r, 0);
	assert_string_equal(reply, "OK in\n");
	printf("# served after %lld ms with %d idle clients\n", (long long)(now_ms() - t0),
	       CTL_MAX_CLIENTS);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_request_errors_name_the_cause(void **state)
{
	char path[160], buf[16];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int64_t t0;
	int fd;

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	assert_int_equal(ogate_control_request(path, "status", buf, sizeof(buf), 100), -ENOENT);
	assert_int_equal(ogate_control_request(sock, "echo a\nb", buf, sizeof(buf), 100), -EINVAL);
	/* a reply bigger than the buffer: cut, flagged */
	assert_int_equal(ogate_control_request(sock, "echo 0123456789abcdef", buf, sizeof(buf), 1000),
			 -EMSGSIZE);
	assert_string_equal(buf, "OK 0123456789ab");
	/* a listener that never answers: a timeout, on time */
	snprintf(path, sizeof(path), "%s/mute.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);
	t0 = now_ms();
	assert_int_equal(ogate_control_request(path, "status", buf, sizeof(buf), 150), -ETIMEDOUT);
	assert_true(now_ms() - t0 >= 140 && now_ms() - t0 < 1000);
	close(fd);
	unlink(path);
}

static void test_stop_returns_promptly_even_with_clients_connected(void **state)
{
	int fd = connect_raw();
	int64_t t0 = now_ms();

	send_all(fd, "echo half", 9);
	ogate_control_stop(ctl);
	ogate_control_stop(ctl); /* twice is fine */
	assert_true(now_ms() - t0 < 500);
	assert_int_equal(ogate_control_start(ctl), 0); /* and it can go on */
	send_all(fd, "\n", 1);
	expect(fd, "OK half\n");
	assert_int_equal(ogate_control_start(ctl), -EALREADY);
	close(fd);
}

/* ---- the socket file ---- */

static void test_socket_gets_the_configured_group_and_mode(void **state)
{
	struct group *g = getgrgid(getgid());
	struct ogate_control *c;
	struct stat st;
	char path[160];

	assert_non_null(g);
	snprintf(path, sizeof(path), "%s/g.sock", dir);
	assert_int_equal(0, ogate_control_new(&c, path, g->gr_name, 0640, cmds, 1, &calls));
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, getgid());
	ogate_control_free(c);
	assert_int_equal(lstat(path, &st), -1); /* unlinked */

	assert_int_equal(0, ogate_control_new(&c, path, "", 0600, cmds, 1, &calls));
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	ogate_control_free(c);
}

static void test_bad_places_and_groups_are_clear_errors(void **state)
{
	struct ogate_control *c = NULL;
	char path[200];

	assert_int_equal(-ENOENT, ogate_control_new(&c, "/nonexistent-dir/ogated.sock", NULL, 0660,
						    cmds, 1, &calls));
	snprintf(path, sizeof(path), "%s/x.sock", dir);
	assert_int_equal(-ENOENT,
			 ogate_control_new(&c, path, "no-such-group-ogate", 0660, cmds, 1, &calls));
	assert_int_equal(access(path, F_OK), -1); /* nothing left behind */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(-ENAMETOOLONG, ogate_control_new(&c, path, NULL, 0660, cmds, 1, &calls));
	assert_int_equal(-EINVAL, ogate_control_new(&c, "", NULL, 0660, cmds, 1, &calls));
	/* the daemon's own socket is taken */
	assert_int_equal(-EADDRINUSE, ogate_control_new(&c, sock, NULL, 0660, cmds, 1, &calls));
	assert_null(c); /* *out is set only on success */
	assert_string_equal(req("echo alive"), "OK alive\n");
}

static void test_a_stale_socket_is_replaced_but_a_file_is_not(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ogate_control *c;
	char path[160];
	int fd;

	/* a socket file left by a crashed daemon */
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(0, ogate_control_new(&c, path, NULL, 0660, cmds, 1, &calls));
	assert_int_equal(ogate_control_start(c), 0);
	assert_int_equal(ogate_control_request(path, "echo new", reply, sizeof(reply), 1000), 0);
	assert_string_equal(reply, "OK new\n");
	/* someone replaced our socket: free() leaves theirs alone */
	assert_int_equal(unlink(path), 0);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ogate_control_free(c);
	assert_int_equal(access(path, F_OK), 0);
	/* and a regular file is never taken for a stale socket */
	assert_int_equal(-EEXIST, ogate_control_new(&c, path, NULL, 0660, cmds, 1, &calls));
	unlink(path);
}

/* ---- ogate-client ---- */

struct run {
	int status;
	char out[4096], err[4096];
};

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void run_client(struct run *r, const char *const *args)
{
	posix_spawn_file_actions_t fa;
	char out[160], errp[160];
	char *argv[16];
	int n = 0, st;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
	argv[n++] = "build/bin/ogate-client";
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	r->status = WEXITSTATUS(st);
	read_file(out, r->out, sizeof(r->out));
	read_file(errp, r->err, sizeof(r->err));
}

static void test_client_prints_ok_replies_and_exits_0(void **state)
{
	struct run r;

	run_client(&r, (const char *[]){ "-s", sock, "echo", "-1.5", "b", NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "OK -1.5,b\n");
	assert_string_equal(r.err, "");
	run_client(&r, (const char *[]){ "-s", sock, "status", NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "OK\nstate=running\nfps=80.0\nnote=two lines\n.\n");
	setenv("OGATE_SOCKET", sock, 1);
	run_client(&r, (const char *[]){ "silent", NULL });
	unsetenv("OGATE_SOCKET");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "OK\n");
}

static void test_client_prints_err_on_stderr_and_exits_1(void **state)
{
	struct run r;

	run_client(&r, (const char *[]){ "-s", sock, "busy", NULL });
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ERR EBUSY capture is stopping\n");
	run_client(&r, (const char *[]){ "-s", sock, "launch", "now", NULL });
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "ERR EINVAL unknown command 'launch' (try help)\n");
}

/* Over the limit, ogate-client prints the server's reason, not a broken pipe. */
static void test_client_over_the_limit_prints_the_servers_err(void **state)
{
	int fds[CTL_MAX_CLIENTS];
	struct run r;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = connect_raw();
		send_all(fds[i], "echo held\n", 10);
		expect(fds[i], "OK held\n");
	}
	run_client(&r, (const char *[]){ "-s", sock, "echo", "one", "more", NULL });
	assert_string_equal(r.err, "ERR EBUSY too many clients\n");
	assert_int_equal(r.status, 1);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_client_usage_and_connection_errors_exit_2(void **state)
{
	char path[160], want[256];
	struct run r;

	snprintf(path, sizeof(path), "%s/none.sock", dir);
	run_client(&r, (const char *[]){ "-s", path, "status", NULL });
	assert_int_equal(r.status, 2);
	snprintf(want, sizeof(want),
		 "ogate-client: %s: No such file or directory (is ogated running?)\n", path);
	assert_string_equal(r.err, want);
	run_client(&r, (const char *[]){ "-s", sock, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "usage: ogate-client"));
	run_client(&r, (const char *[]){ "-x", "status", NULL });
	assert_int_equal(r.status, 2);
	run_client(&r, (const char *[]){ "-s", sock, "-t", "soon", "status", NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ogate-client: -t soon: must be milliseconds in [0, 3600000]\n");
	run_client(&r, (const char *[]){ "-s", sock, "echo", "a\nb", NULL });
	assert_int_equal(r.status, 2);
	run_client(&r, (const char *[]){ "-s", sock, "-t", "50", "slow", NULL });
	assert_int_equal(r.status, 2);
	snprintf(want, sizeof(want), "ogate-client: %s: no reply in time\n", sock);
	assert_string_equal(r.err, want);
	run_client(&r, (const char *[]){ "--help", NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: ogate-client"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_replies_are_ok_err_or_dot_terminated_lists),
		T(test_unknown_commands_and_wrong_arity_explain_themselves),
		T(test_help_lists_every_command_with_its_usage),
		T(test_a_reply_too_long_becomes_an_error),
		T(test_one_connection_carries_many_commands_in_order),
		T(test_an_overlong_line_is_refused_and_the_connection_survives),
		T(test_a_last_line_without_newline_still_runs),
		T(test_clients_are_served_side_by_side),
		T(test_concurrent_requests_each_get_their_own_reply),
		T(test_too_many_clients_get_ebusy),
		T(test_request_errors_name_the_cause),
		T(test_stop_returns_promptly_even_with_clients_connected),
		T(test_socket_gets_the_configured_group_and_mode),
		T(test_bad_places_and_groups_are_clear_errors),
		T(test_a_stale_socket_is_replaced_but_a_file_is_not),
		T(test_client_prints_ok_replies_and_exits_0),
		T(test_client_prints_err_on_stderr_and_exits_1),
		T(test_client_usage_and_connection_errors_exit_2),
		T(test_idle_clients_cannot_lock_others_out),
		T(test_client_over_the_limit_prints_the_servers_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
