// SPDX-License-Identifier: GPL-2.0
/*
 * Random abuse of /dev/ogate0 inside the test VM: ioctls with random
 * commands, sizes, fields, reserved words, masks, widths and times (past,
 * near, far future), bad and read-only user pointers, reads and polls of
 * random sizes, opens and closes, from several threads with several open
 * files each, while a child process queueing triggers is killed at random
 * and the device is unbound and bound again under it.
 *
 *   ogate_fuzz [CALLS] [SEED]        (default 200000 calls, seed 1)
 *
 * The driver must survive it: the VM fails the run on any WARN, BUG or
 * Oops (panic_on_warn). At the end every trigger line must be inactive,
 * nothing may stay queued, and the caller checks that rmmod succeeds.
 * Prints "# fuzz: N calls ..." and a TAP line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ogate.h"
#include "testbed/testbed.h"
#include "clock-util.h"

#define DEV		"/dev/ogate0"
#define THREADS		4
#define FILES		3	/* open files per thread */

static atomic_long calls, budget, unbinds, kills, efault, ok_calls;
static void *ro_page;		/* readable, not writable */
static void *none_page;		/* neither */
static uint64_t seed0 = 1;

struct ogate_heart_rng {
	uint64_t s;
};

static uint64_t rnd(struct ogate_heart_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static uint32_t below(struct ogate_heart_rng *r, uint32_t n)
{
	return (uint32_t)(rnd(r) % n);
}

static bool take(void)
{
	return atomic_fetch_sub(&budget, 1) > 0;
}

static void count(long ret)
{
	atomic_fetch_add(&calls, 1);
	if (ret >= 0)
		atomic_fetch_add(&ok_calls, 1);
	else if (errno == EFAULT)
		atomic_fetch_add(&efault, 1);
}

/* A time: past (within or beyond lateness), near future, far or absurd. */
static uint64_t rnd_time(struct ogate_heart_rng *r)
{
	uint64_t now = (uint64_t)ogate_mono_ns();

	switch (below(r, 8)) {
	case 0: return now - below(r, 2000000);
	case 1: return now - (uint64_t)below(r, 1000) * 1000000ULL;
	case 2: return rnd(r);
	case 3: return now + OGATE_MAX_FUTURE_NS + below(r, 3);
	case 4: return now + (uint64_t)below(r, 2000) * 1000000ULL;
	default: return now + below(r, 3000000);
	}
}

static void rnd_trigger(struct ogate_heart_rng *r, struct ogate_trigger *t)
{
	memset(t, 0, sizeof(*t));
	t->time_ns = rnd_time(r);
	t->cookie = below(r, 4);
	t->line_mask = below(r, 10) ? 1U << below(r, 4) : (uint32_t)rnd(r);
	if (!below(r, 20))
		t->line_mask = 0;
	switch (below(r, 6)) {
	case 0: t->width_ns = (uint32_t)rnd(r); break;
	case 1: t->width_ns = below(r, 2000); break;
	default: t->width_ns = 1000 + below(r, 500000); break;
	}
	t->late_ns = below(r, 4) ? below(r, 5000000) : (uint32_t)rnd(r);
	if (!below(r, 30))
		t->flags = 1U << below(r, 32);
	if (!below(r, 30))
		t->reserved[below(r, 4)] = (uint32_t)rnd(r) | 1;
}

/* Where the kernel reads or writes: mostly good, sometimes not. */
static void *rnd_ptr(struct ogate_heart_rng *r, void *good)
{
	switch (below(r, 40)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)8;
	case 2: return ro_page;
	case 3: return none_page;
	case 4: return (char *)good + 1;	/* misaligned but valid memory */
	default: return good;
	}
}

static void fuzz_ioctl(struct ogate_heart_rng *r, int fd)
{
	static const unsigned long cmds[] = {
		OGATE_IOC_GET_VERSION, OGATE_IOC_GET_INFO, OGATE_IOC_GET_LINE_INFO,
		OGATE_IOC_QUEUE, OGATE_IOC_QUEUE_BATCH, OGATE_IOC_CANCEL, OGATE_IOC_GET_STATS,
	};
	union {
		struct ogate_trigger t;
		struct ogate_trigger_batch b;
		struct ogate_cancel c;
		struct ogate_stats s;
		struct ogate_info i;
		struct ogate_line_info l;
		struct ogate_version v;
		char raw[512];
	} u;
	static _Thread_local struct ogate_trigger many[OGATE_MAX_BATCH + 4];
	unsigned long cmd;
	unsigned int i, n;

	memset(&u, 0, sizeof(u));
	cmd = below(r, 25) ? cmds[below(r, 7)] :
	      (below(r, 2) ? (unsigned long)rnd(r) : _IOC(below(r, 4), OGATE_IOC_MAGIC,
							   below(r, 64), below(r, 512)));
	switch (cmd) {
	case OGATE_IOC_QUEUE:
		rnd_trigger(r, &u.t);
		break;
	case OGATE_IOC_QUEUE_BATCH:
		n = below(r, 8) ? 1 + below(r, 16) : below(r, OGATE_MAX_BATCH + 3);
		for (i = 0; i < n; i++)
			rnd_trigger(r, &many[i]);
		u.b.triggers = (uintptr_t)rnd_ptr(r, many);
		u.b.count = n;
		if (!below(r, 30))
			u.b.flags = 1;
		if (!below(r, 30))
			u.b.reserved[below(r, 4)] = 1;
		break;
	case OGATE_IOC_CANCEL:
		u.c.how = below(r, 10) ? 1 + below(r, 4) : (uint32_t)rnd(r);
		u.c.value = u.c.how == OGATE_CANCEL_ID ? below(r, 100000) :
			    u.c.how == OGATE_CANCEL_COOKIE ? below(r, 4) : (below(r, 10) ? 0 : rnd(r));
		if (!below(r, 30))
			u.c.padding = 1;
		break;
	case OGATE_IOC_GET_STATS:
		u.s.flags = below(r, 4) ? 0 : (below(r, 4) ? OGATE_STATS_RESET : (uint32_t)rnd(r));
		break;
	case OGATE_IOC_GET_LINE_INFO:
		u.l.kind = below(r, 4);
		u.l.index = below(r, 8) ? below(r, 4) : (uint32_t)rnd(r);
		break;
	default:
		for (i = 0; i < sizeof(u.raw); i++)
			u.raw[i] = below(r, 3) ? 0 : (char)rnd(r);
		break;
	}
	count(ioctl(fd, cmd, rnd_ptr(r, &u)));
}

static void fuzz_read(struct ogate_heart_rng *r, int fd)
{
	char buf[64 * 20];
	size_t size = below(r, 4) ? 64 * (1 + below(r, 20)) : below(r, sizeof(buf));

	count(read(fd, rnd_ptr(r, buf), size));
}

static int open_dev(struct ogate_heart_rng *r)
{
	int flags = (below(r, 4) ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC;

	return open(DEV, flags);
}

static void *worker(void *arg)
{
	struct ogate_heart_rng r = { .s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + seed0 };
	int fd[FILES], i;

	for (i = 0; i < FILES; i++)
		fd[i] = open_dev(&r);
	while (take()) {
		int k = (int)below(&r, FILES);
		struct pollfd p;

		if (fd[k] < 0) {
			fd[k] = open_dev(&r);
			count(fd[k]);
			continue;
		}
		switch (below(&r, 16)) {
		case 0:
			count(close(fd[k]));
			fd[k] = open_dev(&r);
			break;
		case 1:
		case 2:
		case 3:
			fuzz_read(&r, fd[k]);
			break;
		case 4:
			p = (struct pollfd){ .fd = fd[k], .events = POLLIN };
			count(poll(&p, 1, 0));
			if (p.revents & (POLLHUP | POLLERR)) {	/* unbound: reopen */
				close(fd[k]);
				fd[k] = open_dev(&r);
			}
			break;
		default:
			fuzz_ioctl(&r, fd[k]);
			break;
		}
	}
	for (i = 0; i < FILES; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return NULL;
}

/* A child queues triggers in a loop until it is killed. */
static void child_loop(uint64_t s)
{
	struct ogate_heart_rng r = { .s = s | 1 };
	int fd = open(DEV, O_RDWR);

	for (;;) {
		struct ogate_trigger t;

		rnd_trigger(&r, &t);
		t.flags = 0;
		memset(t.reserved, 0, sizeof(t.reserved));
		if (fd < 0 || ioctl(fd, OGATE_IOC_QUEUE, &t) < 0) {
			if (fd < 0 || errno == ENODEV) {
				if (fd >= 0)
					close(fd);
				fd = open(DEV, O_RDWR);
			}
		}
	}
}

static void *chaos(void *arg)
{
	struct ogate_heart_rng r = { .s = 0xc0ffee + seed0 };

	long next_report = 1000000;

	while (atomic_load(&budget) > 0) {
		pid_t pid;

		if (atomic_load(&calls) >= next_report) {
			printf("# fuzz: %ld calls so far, %ld kills, %ld unbinds\n", atomic_load(&calls),
			       atomic_load(&kills), atomic_load(&unbinds));
			fflush(stdout);
			next_report += 1000000;
		}

		usleep(1000 + below(&r, 20000));
		if (below(&r, 4) == 0) {
			/* unbind and bind again, outputs must go inactive */
			if (!tb_cmd("detach")) {
				atomic_fetch_add(&unbinds, 1);
				usleep(below(&r, 5000));
				tb_cmd("attach");
			}
			continue;
		}
		pid = fork();
		if (pid == 0)
			child_loop(rnd(&r));
		if (pid > 0) {
			usleep(below(&r, 10000));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			atomic_fetch_add(&kills, 1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	struct ogate_cancel c = { .how = OGATE_CANCEL_DEVICE };
	struct ogate_info info = { 0 };
	pthread_t th[THREADS], ch;
	int64_t t0 = ogate_mono_ns();
	int fd, i, low, rc = 0;

	if (argc > 2)
		seed0 = strtoull(argv[2], NULL, 0);
	atomic_store(&budget, n);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED || none_page == MAP_FAILED)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	pthread_create(&ch, NULL, chaos, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_join(ch, NULL);

	/* the end state: bound, nothing queued once every file is closed */
	tb_cmd("attach");
	for (i = 0; i < 100 && access(DEV, F_OK); i++)
		usleep(10000);
	fd = open(DEV, O_RDWR);
	if (fd < 0 || ioctl(fd, OGATE_IOC_CANCEL, &c) || ioctl(fd, OGATE_IOC_GET_INFO, &info)) {
		printf("# fuzz: device unusable at the end: %s\n", strerror(errno));
		rc = 1;
	} else if (info.queue_used) {
		printf("# fuzz: %u pulses still queued after an emergency stop\n", info.queue_used);
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	low = tb_cmd("low 7");
	printf("# fuzz: %ld calls (%ld succeeded, %ld EFAULT) in %.1f s, %ld kills, %ld unbinds, seed %llu\n",
	       atomic_load(&calls), atomic_load(&ok_calls), atomic_load(&efault),
	       (ogate_mono_ns() - t0) / 1e9, atomic_load(&kills), atomic_load(&unbinds),
	       (unsigned long long)seed0);
	if (low) {
		printf("# fuzz: a trigger line is still active at the end\n");
		rc = 1;
	}
	printf("%s 1 fuzz_%ld_calls_leave_the_device_idle_and_lines_inactive\n",
	       rc ? "not ok" : "ok", atomic_load(&calls));
	return rc;
}
