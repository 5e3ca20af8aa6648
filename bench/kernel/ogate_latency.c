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
#include <inttypes.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ogate.h"
#include "testbed.h"
#include "clock-util.h"
#include "stats-util.h"

#define N_TRIG 1000
#define N_FRAMES 300
#define PERIOD 1000000LL /* 1 ms */
#define SPARE_OUT 3

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
	printf("# %-28s n=%d min %8.3f  p50 %8.3f  p99 %8.3f  max %8.3f us\n", name, n, s.min / 1e3,
	       s.p50 / 1e3, s.p99 / 1e3, s.max / 1e3);
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
				.time_ns = base + i * PERIOD,
				.line_mask = 1,
				.width_ns = PERIOD / 4,
				.late_ns = 1000000000,
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

/* Longest timer expiry (interrupts off) under a dense pattern on 3 lines. */
static int bench_irqoff(uint64_t *irqoff, uint64_t *lead)
{
	int fd = open("/dev/ogate0", O_RDWR), i, k;
	struct ogate_stats s = { .flags = OGATE_STATS_RESET };
	struct ogate_trigger t[OGATE_MAX_BATCH];
	struct ogate_trigger_batch b = { .triggers = (uintptr_t)t };
	int64_t base;
	FILE *f;

	if (fd < 0 || ioctl(fd, OGATE_IOC_GET_STATS, &s))
		return -1;
	/* 240 pulses of 1 us: on each line one every 2 us, lines 333 ns apart */
	base = ogate_mono_ns() + 20 * PERIOD;
	for (i = 0; i < 240; i += k) {
		for (k = 0; k < OGATE_MAX_BATCH && i + k < 240; k++) {
			int j = i + k;

			t[k] = (struct ogate_trigger){
				.time_ns = (uint64_t)(base + (j / 3) * 2000 + (j % 3) * 333),
				.line_mask = 1U << (j % 3),
				.width_ns = 1000,
				.late_ns = 1000000000,
			};
		}
		b.count = (uint32_t)k;
		if (ioctl(fd, OGATE_IOC_QUEUE_BATCH, &b))
			return -1;
	}
	ogate_sleep_until(base + 100 * PERIOD);
	memset(&s, 0, sizeof(s));
	if (ioctl(fd, OGATE_IOC_GET_STATS, &s) || s.fired != 240)
		return -1;
	*irqoff = s.irqoff_max_ns;
	*lead = 0;
	f = fopen("/sys/module/ogate/parameters/lead_ns", "r");
	if (f) {
		if (fscanf(f, "%" SCNu64, lead) != 1)
			*lead = 0;
		fclose(f);
	}
	close(fd);
	tb_cmd("clear");
	return 0;
}

/* Time of 300 frame edges (hard IRQs) with nfiles files open on the device. */
static int64_t bench_edges_with_files(int nfiles)
{
	static int fds[1100];
	struct sched_param sp = { .sched_priority = 50 };
	int64_t t0, dt;
	int i;

	for (i = 0; i < nfiles; i++) {
		fds[i] = open("/dev/ogate0", O_RDONLY);
		if (fds[i] < 0)
			return -1;
	}
	/* nothing but hard-IRQ work may interrupt the edges */
	sched_setscheduler(0, SCHED_FIFO, &sp);
	t0 = ogate_mono_ns();
	dt = tb_cmd("edge 4 300") ? -1 : ogate_mono_ns() - t0;
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	usleep(100000); /* let the delivery work drain */
	for (i = 0; i < nfiles; i++)
		close(fds[i]);
	return dt;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Cost of one OGATE_IOC_QUEUE (the whole syscall) into a queue holding used. */
static int bench_queue(int used, int64_t *p50, int64_t *max)
{
	int fd = open("/dev/ogate0", O_RDWR), i;
	int64_t base = ogate_mono_ns() + 1000 * PERIOD, cost[200];

	if (fd < 0)
		return -1;
	for (i = 0; i < used; i++) {
		struct ogate_trigger t = {
			.time_ns = (uint64_t)(base + i * 100000LL),
			.line_mask = 1U << (i % 3),
			.width_ns = 10000,
			.late_ns = 1000000,
		};

		if (ioctl(fd, OGATE_IOC_QUEUE, &t))
			return -1;
	}
	for (i = 0; i < 200; i++) {
		struct ogate_trigger t = {
			.time_ns = (uint64_t)(base + (used + i) * 100000LL + 50000),
			.line_mask = 1U << (i % 3),
			.width_ns = 10000,
			.late_ns = 1000000,
		};
		struct ogate_cancel c = { .how = OGATE_CANCEL_ID };
		int64_t t0 = ogate_mono_ns();

		if (ioctl(fd, OGATE_IOC_QUEUE, &t))
			return -1;
		cost[i] = ogate_mono_ns() - t0;
		c.value = t.id;
		if (ioctl(fd, OGATE_IOC_CANCEL, &c))
			return -1;
	}
	close(fd); /* cancels the rest */
	qsort(cost, 200, sizeof(cost[0]), cmp64);
	*p50 = cost[100];
	*max = cost[199];
	return 0;
}

static int bench_structure(void)
{
	static const int files[] = { 1, 100, 1000 };
	struct rlimit rl = { 1200, 1200 };
	uint64_t irqoff, lead;
	int64_t p50, max;
	unsigned int i;

	setrlimit(RLIMIT_NOFILE, &rl);
	if (bench_irqoff(&irqoff, &lead))
		return -1;
	printf("BENCH kernel.irqoff_per_expiry.max %.3f us\n", irqoff / 1e3);
	printf("BENCH kernel.irqoff_per_expiry.bound %.3f us\n", (lead + 2000) / 1e3);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int64_t dt = bench_edges_with_files(files[i]);

		if (dt < 0)
			return -1;
		printf("BENCH kernel.frame_edges_300.files_%d %.3f us\n", files[i], dt / 1e3);
	}
	if (bench_queue(0, &p50, &max))
		return -1;
	printf("BENCH kernel.queue_one.empty.p50 %.3f us\n", p50 / 1e3);
	if (bench_queue(230, &p50, &max))
		return -1;
	printf("BENCH kernel.queue_one.full90.p50 %.3f us\n", p50 / 1e3);
	printf("BENCH kernel.queue_one.full90.max %.3f us\n", max / 1e3);
	return 0;
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
	if (bench_structure()) {
		printf("not ok - structural benchmark failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
