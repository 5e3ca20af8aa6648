// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Trigger lateness: ogate's hrtimer path against a userspace path, in one
 * boot of the test VM (tests/kernel/run-vm.sh bench, qemu -icount
 * shift=0,sleep=off: virtual time, repeatable to the nanosecond).
 *
 * Lateness is measured at the pin: the ogate_testbed chip logs the time of
 * every write, so both paths are timed the same way (pin time - requested).
 *   kernel:   N triggers queued on /dev/ogate0, 1 ms apart
 *   userspace: clock_nanosleep(TIMER_ABSTIME) + GPIO_V2_LINE_SET_VALUES on
 *             the spare output line, as SCHED_FIFO and as SCHED_OTHER
 * Also: frame edge -> event readable (reader blocked in read()).
 * These are properties of the code paths in virtual time, not of a Pi.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ogate.h"
#include "testbed.h"
#include "clock-util.h"
#include "stats-util.h"

#define N_TRIG		1000
#define N_FRAMES	300
#define PERIOD		1000000LL	/* 1 ms */
#define SPARE_OUT	3

/* Rising edges of one chip line, in order, into ts[] (up to max). */

/* Rising edges of one chip line, in order, into ts[] (up to max). */
static int tb_rises(uint32_t line, int64_t *ts, int max)
{
	static struct tb_rec all[16384];
	int n = tb_read(all, 16384), i, k = 0;

	for (i = 0; i < n && k < max; i++)
		if (all[i].line == line && all[i].value)
			ts[k++] = (int64_t)all[i].ts;
	return n < 0 ? n : k;
}

static void report(const char *name, int64_t *late, int n)
{
	struct ogate_stats_summary s;

	ogate_summarize(late, n, &s);
	printf("# %-28s n=%d min %8.3f  p50 %8.3f  p99 %8.3f  max %8.3f us\n", name, n,
	       s.min / 1e3, s.p50 / 1e3, s.p99 / 1e3, s.max / 1e3);
	printf("BENCH %s.min %.3f us\n", name, s.min / 1e3);
	printf("BENCH %s.p50 %.3f us\n", name, s.p50 / 1e3);
	printf("BENCH %s.p99 %.3f us\n", name, s.p99 / 1e3);
	printf("BENCH %s.max %.3f us\n", name, s.max / 1e3);
}

static int64_t p99_of(int64_t *v, int n)
{
	struct ogate_stats_summary s;

	ogate_summarize(v, n, &s);
	return s.p99;
}

static int bench_kernel(int64_t *late)
{
	int fd = open("/dev/ogate0", O_RDWR);
	int64_t base, pins[N_TRIG];
	int i, got = 0;

	if (fd < 0 || tb_cmd("clear"))
		return -1;
	base = ogate_mono_ns() + 10 * PERIOD;
	for (i = 0; i < N_TRIG || got < N_TRIG;) {
		struct ogate_event ev;

		if (i < N_TRIG && i - got < 200) {
			struct ogate_trigger t = {
				.time_ns = base + i * PERIOD, .line_mask = 1,
				.width_ns = PERIOD / 4, .late_ns = 1000000000,
			};

			if (ioctl(fd, OGATE_IOC_QUEUE, &t)) {
				perror("queue");
				return -1;
			}
			i++;
			continue;
		}
		if (read(fd, &ev, sizeof(ev)) != sizeof(ev))
			return -1;
		if (ev.type == OGATE_EVENT_FIRED)
			got++;
		else if (ev.type != OGATE_EVENT_FRAME)
			return -1;
	}
	close(fd);
	if (tb_rises(0, pins, N_TRIG) != N_TRIG)
		return -1;
	for (i = 0; i < N_TRIG; i++)
		late[i] = pins[i] - (base + i * PERIOD);
	return 0;
}

static int open_spare_line(void)
{
	struct gpio_v2_line_request req = { 0 };
	struct gpiochip_info info;
	char path[64];
	int i;

	for (i = 0; i < 16; i++) {
		int fd;

		snprintf(path, sizeof(path), "/dev/gpiochip%d", i);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		if (!ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &info) && !strcmp(info.label, "ogate-sim")) {
			req.offsets[0] = SPARE_OUT;
			req.num_lines = 1;
			req.config.flags = GPIO_V2_LINE_FLAG_OUTPUT;
			strcpy(req.consumer, "ogate-bench");
			if (ioctl(fd, GPIO_V2_GET_LINE_IOCTL, &req)) {
				perror("GPIO_V2_GET_LINE_IOCTL");
				close(fd);
				return -1;
			}
			close(fd);
			return req.fd;
		}
		close(fd);
	}
	fprintf(stderr, "no gpiochip labelled ogate-sim\n");
	return -1;
}

static int bench_userspace(int policy, int64_t *late)
{
	struct sched_param sp = { .sched_priority = policy == SCHED_FIFO ? 50 : 0 };
	struct gpio_v2_line_values hi = { .bits = 1, .mask = 1 }, lo = { .bits = 0, .mask = 1 };
	int64_t base, pins[N_TRIG];
	int fd = open_spare_line(), i;

	if (fd < 0 || tb_cmd("clear"))
		return -1;
	if (sched_setscheduler(0, policy, &sp)) {
		perror("sched_setscheduler");
		return -1;
	}
	base = ogate_mono_ns() + 10 * PERIOD;
	for (i = 0; i < N_TRIG; i++) {
		ogate_sleep_until(base + i * PERIOD);
		if (ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &hi) ||
		    ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &lo))
			return -1;
	}
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	close(fd);
	if (tb_rises(SPARE_OUT, pins, N_TRIG) != N_TRIG)
		return -1;
	for (i = 0; i < N_TRIG; i++)
		late[i] = pins[i] - (base + i * PERIOD);
	return 0;
}

struct reader {
	int fd;
	int64_t lat[N_FRAMES];
	int n;
};

static void *frame_reader(void *arg)
{
	struct reader *r = arg;
	struct sched_param sp = { .sched_priority = 50 };

	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	while (r->n < N_FRAMES) {
		struct ogate_event ev;

		if (read(r->fd, &ev, sizeof(ev)) != sizeof(ev))
			break;
		if (ev.type == OGATE_EVENT_FRAME)
			r->lat[r->n++] = ogate_mono_ns() - (int64_t)ev.time_ns;
	}
	return NULL;
}

static int bench_frames(struct reader *r)
{
	pthread_t th;
	int64_t base;
	int i;

	r->fd = open("/dev/ogate0", O_RDWR);
	r->n = 0;
	if (r->fd < 0 || pthread_create(&th, NULL, frame_reader, r))
		return -1;
	base = ogate_mono_ns() + 10 * PERIOD;
	for (i = 0; i < N_FRAMES; i++) {
		ogate_sleep_until(base + i * PERIOD);
		if (tb_cmd("edge 4 1"))
			return -1;
	}
	pthread_join(th, NULL);
	close(r->fd);
	return r->n == N_FRAMES ? 0 : -1;
}

int main(void)
{
	static int64_t k[N_TRIG], fifo[N_TRIG], other[N_TRIG];
	static struct reader r;
	int64_t kp99, fp99;

	printf("# trigger lateness at the pin, %d triggers 1 ms apart (virtual time)\n", N_TRIG);
	if (bench_kernel(k) || bench_userspace(SCHED_FIFO, fifo) ||
	    bench_userspace(SCHED_OTHER, other) || bench_frames(&r)) {
		printf("not ok - benchmark failed: %s\n", strerror(errno));
		return 1;
	}
	kp99 = p99_of(k, N_TRIG);
	fp99 = p99_of(fifo, N_TRIG);
	report("kernel.trigger.lateness", k, N_TRIG);
	report("userspace.fifo.trigger.lateness", fifo, N_TRIG);
	report("userspace.other.trigger.lateness", other, N_TRIG);
	report("kernel.frame_to_event", r.lat, N_FRAMES);
	printf("BENCH kernel.vs_fifo.p99_ratio %.1f x\n", kp99 > 0 ? (double)fp99 / kp99 : 0.0);
	return 0;
}
