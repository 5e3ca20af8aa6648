// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's control socket: a poll loop on its own thread serving several
 * clients at once over a Unix stream socket, one command per line, one
 * reply per command (see control.h for the format); control_socket.c makes
 * the socket file.
 *
 * Robustness rules:
 *  - A line longer than CTL_LINE_MAX is answered "ERR E2BIG ..." and skipped
 *    up to its newline; the connection stays usable.
 *  - Client sockets are non-blocking and replies are queued, so a client that
 *    does not read can stall only itself: its input is not read while more
 *    than CTL_OUT_PAUSE bytes wait for it.
 *  - On end of input (the client's shutdown(SHUT_WR)) a last unterminated
 *    line is still executed, queued replies are sent, then the connection is
 *    closed. ogate_control_request() relies on that: it half-closes and reads
 *    to EOF, so it need not know which commands have multi-line replies.
 *  - The thread blocks all signals (they belong to the daemon's main thread)
 *    and writes with MSG_NOSIGNAL.
 *  - A client that sends no complete line for the idle deadline (10 s by
 *    default) while no reply is owed to it is closed, so idle connections
 *    cannot hold every slot. A client beyond the limit gets
 *    "ERR EBUSY too many clients" before it is closed.
 *  - A handler may defer its reply (ogate_reply_defer) and finish it later
 *    from any thread; the connection's later lines wait until then, so each
 *    client sees its replies in the order of its commands, while the other
 *    clients are served meanwhile.
 *
 * Threads: everything here runs on the control thread except
 * ogate_deferred_reply/finish (any thread; finish hands the reply over
 * under done_lock and wakes the control thread through its eventfd).
 */
#include "clock-util.h"
#include "control.h"
#include "control_private.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CTL_LINE_MAX 1024 /* bytes of a command line, newline included */
#define CTL_MAX_CLIENTS 16
#define CTL_MAX_WORDS 16
#define CTL_OUT_PAUSE (64 * 1024) /* stop reading a client with this much unsent */
#define CTL_IDLE_MS 10000	  /* default read deadline of an idle client */

/* ---- server ---- */

static int64_t mono_ms(void)
{
	return ogate_mono_ns() / 1000000;
}

struct client {
	int fd;
	char in[CTL_LINE_MAX + 1]; /* + the NUL put over the newline */
	size_t inlen;
	bool discarding; /* skipping the rest of an over-long line */
	bool eof;
	char *out;
	size_t outlen, outoff, outcap;
	pid_t pid;
	uid_t uid;
	uint64_t gen;	     /* which connection this slot holds */
	bool pending;	     /* a deferred reply is owed: later lines wait */
	int64_t deadline_ms; /* idle read deadline */
};

struct ogate_deferred {
	struct ogate_control *c;
	size_t slot;
	uint64_t gen;
	struct ogate_reply reply;
	struct ogate_deferred *next;
};

struct ogate_control {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd, wakefd;
	dev_t dev;
	ino_t ino;
	const struct ogate_control_cmd *cmds;
	size_t ncmds;
	void *ctx;
	pthread_t thread;
	bool running;
	atomic_bool stopping;
	int idle_ms;
	uint64_t next_gen;
	struct client clients[CTL_MAX_CLIENTS];
	struct client *current; /* the client whose line runs now */
	struct ogate_reply reply;
	struct ogate_deferred *deferred; /* taken by the running handler */
	pthread_mutex_t done_lock;
	struct ogate_deferred *done; /* finished deferred replies (under done_lock) */
};

int ogate_control_new(struct ogate_control **out, const char *path, const char *group,
		      unsigned int mode, const struct ogate_control_cmd *cmds, size_t ncmds, void *ctx)
{
	struct ogate_control *c;
	int r;

	if (!path || !*path || (ncmds && !cmds) || mode > 07777) {
		ogate_error("control socket: %s", !path || !*path ? "no path configured"
						  : mode > 07777  ? "mode above 07777"
								  : "no command table");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(c->path)) {
		ogate_error("control socket %s: path longer than %zu bytes", path, sizeof(c->path) - 1);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ogate_error("control socket %s: out of memory", path);
		return -ENOMEM;
	}
	strcpy(c->path, path);
	c->cmds = cmds;
	c->ncmds = ncmds;
	c->ctx = ctx;
	c->lfd = -1;
	c->idle_ms = CTL_IDLE_MS;
	pthread_mutex_init(&c->done_lock, NULL);
	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wakefd < 0) {
		r = -errno;
		ogate_error("control socket %s: eventfd: %s", path, strerror(-r));
		pthread_mutex_destroy(&c->done_lock);
		free(c);
		return r;
	}
	r = control_socket_listen(path, group, mode, CTL_MAX_CLIENTS, &c->dev, &c->ino);
	if (r < 0) {
		close(c->wakefd);
		pthread_mutex_destroy(&c->done_lock);
		free(c);
		return r;
	}
	c->lfd = r;
	ogate_debug("control socket %s: listening (group %s, mode %04o)", path,
		    group && *group ? group : "-", mode);
	*out = c;
	return 0;
}

static void client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

/* Queue bytes for the client; false if it cannot take them (then it is dropped). */
static bool client_queue(struct client *cl, const char *data, size_t len)
{
	if (cl->outoff && cl->outoff == cl->outlen)
		cl->outoff = cl->outlen = 0;
	if (cl->outlen + len > cl->outcap) {
		size_t cap = cl->outcap ? cl->outcap : 1024;
		char *b;

		while (cap < cl->outlen + len)
			cap *= 2;
		b = realloc(cl->out, cap);
		if (!b)
			return false;
		cl->out = b;
		cl->outcap = cap;
	}
	memcpy(cl->out + cl->outlen, data, len);
	cl->outlen += len;
	return true;
}

/* Send what is queued; false on a dead connection. */
static bool client_flush(struct client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		cl->outoff += (size_t)n;
	}
	cl->outoff = cl->outlen = 0;
	return true;
}

static const struct ogate_control_cmd *find_cmd(const struct ogate_control *c, const char *name)
{
	for (size_t i = 0; i < c->ncmds; i++)
		if (c->cmds[i].name && !strcmp(c->cmds[i].name, name))
			return &c->cmds[i];
	return NULL;
}

static const char *cmd_usage(const struct ogate_control_cmd *cmd)
{
	return cmd->usage && *cmd->usage ? cmd->usage : cmd->name;
}

static void builtin_help(struct ogate_control *c, int argc, char **argv, struct ogate_reply *r)
{
	if (argc == 2) {
		const struct ogate_control_cmd *cmd = find_cmd(c, argv[1]);

		if (cmd)
			ogate_reply_ok(r, "%s", cmd_usage(cmd));
		else if (!strcmp(argv[1], "help"))
			ogate_reply_ok(r, "help [COMMAND]");
		else
			ogate_reply_err(r, EINVAL, "unknown command '%s' (try help)", argv[1]);
		return;
	}
	/* multi-line: one usage per line */
	r->kind = REPLY_MULTI;
	control_reply_reset(r);
	control_reply_append(r, true, "OK\n");
	for (size_t i = 0; i < c->ncmds; i++) {
		if (!c->cmds[i].name)
			continue;
		control_reply_append(r, false, "%s", cmd_usage(&c->cmds[i]));
		control_reply_append(r, true, "\n");
	}
	if (!find_cmd(c, "help"))
		control_reply_append(r, true, "help [COMMAND]\n");
}

/* Run one command line (no newline) and put its reply into c->reply. */
static void run_line(struct ogate_control *c, struct client *cl, char *line, size_t len)
{
	struct ogate_reply *r = &c->reply;
	char *argv[CTL_MAX_WORDS + 1];
	const struct ogate_control_cmd *cmd;
	int argc = 0, nargs;
	char *save, *w;

	r->kind = REPLY_NONE;
	control_reply_reset(r);
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len)) {
		ogate_reply_err(r, EINVAL, "NUL byte in command");
		return;
	}
	for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == CTL_MAX_WORDS) {
			ogate_reply_err(r, E2BIG, "too many words (at most %d)", CTL_MAX_WORDS);
			return;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		ogate_reply_err(r, EINVAL, "empty command (try help)");
		return;
	}
	ogate_debug("control: pid %d uid %u: %s%s", (int)cl->pid, (unsigned int)cl->uid, argv[0],
		    argc > 1 ? " ..." : "");
	cmd = find_cmd(c, argv[0]);
	nargs = argc - 1;
	if (!cmd) {
		if (!strcmp(argv[0], "help")) {
			if (nargs > 1)
				ogate_reply_err(r, EINVAL, "usage: help [COMMAND]");
			else
				builtin_help(c, argc, argv, r);
			return;
		}
		ogate_reply_err(r, EINVAL, "unknown command '%.64s' (try help)", argv[0]);
		return;
	}
	if (nargs < cmd->min_args || (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		ogate_reply_err(r, EINVAL, "usage: %s", cmd_usage(cmd));
		return;
	}
	cmd->fn(c->ctx, argc, argv, r);
}

static void client_command(struct ogate_control *c, struct client *cl, char *line, size_t len)
{
	line[len] = '\0';
	c->deferred = NULL;
	c->current = cl;
	run_line(c, cl, line, len);
	c->current = NULL;
	if (c->deferred) { /* the handler answers later */
		cl->pending = true;
		c->deferred = NULL;
		return;
	}
	control_reply_finish(&c->reply);
	if (!client_queue(cl, c->reply.buf, c->reply.len)) {
		cl->eof = true; /* out of memory: drop the client */
		cl->outlen = cl->outoff = 0;
	}
}

/* Split the input buffer into lines and run them. */
static void client_lines(struct ogate_control *c, struct client *cl)
{
	size_t start = 0;

	for (size_t i = 0; i < cl->inlen && !cl->pending; i++) {
		if (cl->in[i] != '\n')
			continue;
		if (cl->discarding)
			cl->discarding = false;
		else
			client_command(c, cl, cl->in + start, i - start);
		start = i + 1;
		cl->deadline_ms = mono_ms() + c->idle_ms;
	}
	memmove(cl->in, cl->in + start, cl->inlen - start);
	cl->inlen -= start;
	if (cl->pending)
		return;				       /* the rest waits for the deferred reply */
	if (cl->eof && cl->inlen && !cl->discarding) { /* a last line without newline */
		size_t n = cl->inlen;

		cl->inlen = 0;
		client_command(c, cl, cl->in, n);
		return;
	}
	if (cl->inlen == CTL_LINE_MAX) { /* full and no newline */
		if (!cl->discarding) {
			char msg[96];
			int n = snprintf(msg, sizeof(msg),
					 "ERR E2BIG line too long (at most %d bytes)\n",
					 CTL_LINE_MAX - 1);

			client_queue(cl, msg, (size_t)n);
		}
		cl->discarding = true;
		cl->inlen = 0;
	}
}

static void client_read(struct ogate_control *c, struct client *cl)
{
	ssize_t n = recv(cl->fd, cl->in + cl->inlen, CTL_LINE_MAX - cl->inlen, MSG_DONTWAIT);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		cl->eof = true;
		cl->outlen = cl->outoff = 0; /* the peer is gone: nothing to send */
		return;
	}
	if (n == 0) {
		cl->eof = true;
		if (cl->discarding)
			cl->inlen = 0;
		client_lines(c, cl); /* runs a last line without newline */
		return;
	}
	cl->inlen += (size_t)n;
	client_lines(c, cl);
}

static void accept_client(struct ogate_control *c)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct client *slot = NULL;
	int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
			ogate_warning("control socket %s: accept: %m", c->path);
		return;
	}
	for (size_t i = 0; i < CTL_MAX_CLIENTS && !slot; i++)
		if (c->clients[i].fd < 0)
			slot = &c->clients[i];
	if (!slot) {
		static const char busy[] = "ERR EBUSY too many clients\n";
		char sink[256];

		send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		shutdown(fd, SHUT_WR);
		/* read what it sent, so the close is not a reset that loses the reply */
		while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
			;
		close(fd);
		ogate_warning("control socket %s: more than %d clients, refused one", c->path,
			      CTL_MAX_CLIENTS);
		return;
	}
	slot->fd = fd;
	slot->gen = ++c->next_gen;
	slot->deadline_ms = mono_ms() + c->idle_ms;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		slot->pid = cred.pid;
		slot->uid = cred.uid;
	}
}

/* ---- deferred replies ---- */

struct ogate_deferred *ogate_reply_defer(struct ogate_reply *r)
{
	struct ogate_control *c =
		(struct ogate_control *)((char *)r - offsetof(struct ogate_control, reply));
	struct ogate_deferred *d;

	if (r != &c->reply || !c->current || c->deferred)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->c = c;
	d->slot = (size_t)(c->current - c->clients);
	d->gen = c->current->gen;
	d->reply.kind = REPLY_NONE;
	c->deferred = d;
	return d;
}

struct ogate_reply *ogate_deferred_reply(struct ogate_deferred *d)
{
	return &d->reply;
}

void ogate_deferred_finish(struct ogate_deferred *d)
{
	struct ogate_control *c = d->c;
	struct ogate_deferred **tail;
	uint64_t one = 1;

	control_reply_finish(&d->reply);
	pthread_mutex_lock(&c->done_lock);
	for (tail = &c->done; *tail; tail = &(*tail)->next)
		;
	d->next = NULL;
	*tail = d;
	pthread_mutex_unlock(&c->done_lock);
	while (write(c->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Control thread: hand finished replies to their clients, then go on with their lines. */
static void take_finished(struct ogate_control *c)
{
	struct ogate_deferred *d;

	pthread_mutex_lock(&c->done_lock);
	d = c->done;
	c->done = NULL;
	pthread_mutex_unlock(&c->done_lock);
	while (d) {
		struct ogate_deferred *next = d->next;
		struct client *cl = &c->clients[d->slot];

		if (cl->fd >= 0 && cl->gen == d->gen && cl->pending) {
			cl->pending = false;
			if (!client_queue(cl, d->reply.buf, d->reply.len)) {
				cl->eof = true;
				cl->outlen = cl->outoff = 0;
			} else {
				cl->deadline_ms = mono_ms() + c->idle_ms;
				client_lines(c, cl); /* lines that waited */
			}
		}
		free(d->reply.buf);
		free(d);
		d = next;
	}
}

static void *serve(void *arg)
{
	struct ogate_control *c = arg;
	struct pollfd pfd[2 + CTL_MAX_CLIENTS];
	struct client *map[2 + CTL_MAX_CLIENTS];

	for (;;) {
		int64_t now = mono_ms(), next = -1;
		nfds_t n = 0;
		int timeout;

		pfd[n++] = (struct pollfd){ .fd = c->wakefd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
		for (size_t i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct client *cl = &c->clients[i];
			short ev = 0;

			if (cl->fd < 0)
				continue;
			if (!cl->pending && cl->outlen == cl->outoff && !cl->eof) {
				/* idle: nothing owed, nothing to send */
				if (now >= cl->deadline_ms) {
					ogate_debug("control: pid %d idle for %d ms, closed",
						    (int)cl->pid, c->idle_ms);
					client_close(cl);
					continue;
				}
				if (next < 0 || cl->deadline_ms < next)
					next = cl->deadline_ms;
			}
			if (!cl->eof && !cl->pending && cl->outlen - cl->outoff < CTL_OUT_PAUSE)
				ev |= POLLIN;
			if (cl->outlen > cl->outoff)
				ev |= POLLOUT;
			map[n] = cl;
			pfd[n++] = (struct pollfd){ .fd = cl->fd, .events = ev };
		}
		timeout = next < 0 ? -1 : next - now > INT_MAX ? INT_MAX : (int)(next - now);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			ogate_error("control socket %s: poll: %m", c->path);
			break;
		}
		if (pfd[0].revents) {
			uint64_t v;

			while (read(c->wakefd, &v, sizeof(v)) < 0 && errno == EINTR)
				;
			if (atomic_load(&c->stopping))
				break; /* ogate_control_stop() */
			take_finished(c);
		}
		for (nfds_t i = 2; i < n; i++) {
			struct client *cl = map[i];

			if (cl->fd < 0)
				continue;
			if (cl->pending && (pfd[i].revents & (POLLHUP | POLLERR))) {
				client_close(cl); /* gone before its reply: dropped then */
				continue;
			}
			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) && !cl->pending)
				client_read(c, cl);
			if (!client_flush(cl) || (cl->eof && !cl->pending && cl->outlen == cl->outoff))
				client_close(cl);
		}
		if (pfd[1].revents & POLLIN)
			accept_client(c);
	}
	return NULL;
}

int ogate_control_start(struct ogate_control *c)
{
	sigset_t all, old;
	int r;

	if (c->running)
		return -EALREADY;
	/* the thread is created with every signal blocked and keeps it so */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&c->thread, NULL, serve, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		ogate_error("control socket %s: cannot start its thread: %s", c->path, strerror(r));
		return -r;
	}
	c->running = true;
	return 0;
}

void ogate_control_stop(struct ogate_control *c)
{
	uint64_t one = 1;

	if (!c || !c->running)
		return;
	atomic_store(&c->stopping, true);
	while (write(c->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_join(c->thread, NULL);
	c->running = false;
	atomic_store(&c->stopping, false);
	/* a later start must not see this wakeup */
	while (read(c->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void ogate_control_free(struct ogate_control *c)
{
	if (!c)
		return;
	ogate_control_stop(c);
	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_close(&c->clients[i]);
	/* only our own socket: a daemon started since may own the path now */
	if (control_socket_is_ours(c->path, c->dev, c->ino))
		unlink(c->path);
	close(c->lfd);
	close(c->wakefd);
	free(c->reply.buf);
	/* replies finished after the stop: their clients are gone */
	while (c->done) {
		struct ogate_deferred *d = c->done;

		c->done = d->next;
		free(d->reply.buf);
		free(d);
	}
	pthread_mutex_destroy(&c->done_lock);
	free(c);
}

void ogate_control_set_idle_timeout(struct ogate_control *c, int ms)
{
	c->idle_ms = ms > 0 ? ms : CTL_IDLE_MS;
}
