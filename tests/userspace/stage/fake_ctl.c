// SPDX-License-Identifier: GPL-2.0 OR MIT
/* pty harness for the simulated controllers (see fake_ctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_ctl.h"

static void send_raw(struct fake_ctl *f, const char *s, size_t n)
{
	while (n && !f->hung_up) {
		ssize_t w = write(f->master, s, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static void hang_up(struct fake_ctl *f)
{
	if (!f->hung_up) {
		close(f->master);
		/* the slave keeps no other opener, so the driver sees the hang-up */
		close(f->slave_keep);
		f->hung_up = true;
	}
}

/* Called with the lock held, from the handler. */
void fake_reply(struct fake_ctl *f, const char *key, const char *reply)
{
	bool hit = f->fault != FAULT_NONE && !strcmp(f->fault_key, key);
	char buf[256];

	if (f->hung_up)
		return;
	if (hit) {
		switch (f->fault) {
		case FAULT_SILENT: return;
		case FAULT_SLOW:
			ogate_sleep_until(ogate_mono_ns() + (int64_t)f->fault_delay_ms * 1000000);
			break;
		case FAULT_GARBAGE:
		case FAULT_PARTIAL: send_raw(f, f->fault_text, strlen(f->fault_text)); return;
		case FAULT_HANGUP: hang_up(f); return;
		default: break;
		}
	}
	if (!reply)
		return;
	snprintf(buf, sizeof(buf), "%s%s", reply, f->eol);
	send_raw(f, buf, strlen(buf));
}

static void *fake_thread(void *arg)
{
	struct fake_ctl *f = arg;
	char line[256];
	size_t n = 0;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = f->stop_pipe[0], .events = POLLIN },
			{ .fd = f->hung_up ? -1 : f->master, .events = POLLIN },
		};
		char buf[64];
		ssize_t r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (!(p[1].revents & POLLIN))
			continue;
		r = read(f->master, buf, sizeof(buf));
		if (r <= 0)
			continue;
		for (ssize_t i = 0; i < r; i++) {
			char c = buf[i];

			if (c != '\r' && c != '\n') {
				if (n + 1 < sizeof(line))
					line[n++] = c;
				continue;
			}
			if (!n)
				continue;
			line[n] = '\0';
			n = 0;
			pthread_mutex_lock(&f->lock);
			if (strlen(f->rx_log) + strlen(line) + 2 < sizeof(f->rx_log)) {
				if (f->rx_log[0])
					strcat(f->rx_log, "|");
				strcat(f->rx_log, line);
			}
			f->rx_count++;
			f->handle(f, line);
			pthread_mutex_unlock(&f->lock);
		}
	}
	return NULL;
}

int fake_start(struct fake_ctl *f, fake_handler handle, const char *eol, void *model)
{
	memset(f, 0, sizeof(*f));
	f->handle = handle;
	f->eol = eol;
	f->model = model;
	f->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->master < 0 || grantpt(f->master) || unlockpt(f->master) ||
	    ptsname_r(f->master, f->slave, sizeof(f->slave)))
		return -1;
	/* Keep the slave open so the master never sees a hang-up between opens. */
	f->slave_keep = open(f->slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (f->slave_keep < 0 || pipe(f->stop_pipe))
		return -1;
	pthread_mutex_init(&f->lock, NULL);
	if (pthread_create(&f->thread, NULL, fake_thread, f))
		return -1;
	return 0;
}

void fake_stop(struct fake_ctl *f)
{
	char c = 'q';

	if (write(f->stop_pipe[1], &c, 1) != 1)
		abort();
	pthread_join(f->thread, NULL);
	if (!f->hung_up) {
		close(f->master);
		close(f->slave_keep);
	}
	close(f->stop_pipe[0]);
	close(f->stop_pipe[1]);
	pthread_mutex_destroy(&f->lock);
}

void fake_set_fault(struct fake_ctl *f, const char *key, enum fault_kind k, int delay_ms,
		    const char *text)
{
	pthread_mutex_lock(&f->lock);
	snprintf(f->fault_key, sizeof(f->fault_key), "%s", key ? key : "");
	f->fault = k;
	f->fault_delay_ms = delay_ms;
	snprintf(f->fault_text, sizeof(f->fault_text), "%s", text ? text : "");
	pthread_mutex_unlock(&f->lock);
}

int fake_rx(struct fake_ctl *f, char *buf, size_t len)
{
	int n;

	pthread_mutex_lock(&f->lock);
	snprintf(buf, len, "%s", f->rx_log);
	n = f->rx_count;
	pthread_mutex_unlock(&f->lock);
	return n;
}

void fake_clear_rx(struct fake_ctl *f)
{
	pthread_mutex_lock(&f->lock);
	f->rx_log[0] = '\0';
	f->rx_count = 0;
	pthread_mutex_unlock(&f->lock);
}
