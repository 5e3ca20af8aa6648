// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel tests for ogate.ko, run inside a qemu VM (tests/kernel/run-vm.sh)
 * against the ogate_testbed simulated GPIO chip, with the kselftest harness.
 *
 * Lines (see tests/kernel/testbed/ogate_testbed.c): triggers 0..2 are chip
 * lines 0..2, frames 0..1 are chip lines 4..5. The test bed logs every
 * value change of every chip line with the time it was written, so these
 * tests check what the pins did, not only what the driver reports.
 *
 * Timing tolerances are loose (milliseconds): under TCG emulation guest
 * time follows a busy host. Precise figures come from bench/, in icount mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ogate.h"
#include "kselftest_harness.h"
#include "testbed/testbed.h"
#include "ogate_test_util.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	struct ogate_stats s = { .flags = OGATE_STATS_RESET };
	struct tb_rec junk[64];

	self->fd = open(DEV, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DEV, strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	ASSERT_EQ(0, tb_cmd("clear"));
	ASSERT_EQ(0, tb_read(junk, 64));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_reports_abi_and_capabilities)
{
	struct ogate_version v;

	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_VERSION, &v));
	EXPECT_EQ(OGATE_ABI_VERSION, v.abi_version);
	EXPECT_EQ(OGATE_CAP_TRIGGER | OGATE_CAP_FRAME | OGATE_CAP_BATCH | OGATE_CAP_MEASURED,
		  v.caps);
	EXPECT_EQ(0, v.reserved[0]);
}

TEST_F(dev, info_reports_lines_names_queue_and_clock)
{
	struct ogate_info info;
	struct ogate_line_info li = { .kind = OGATE_LINE_TRIGGER, .index = 1 };

	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_INFO, &info));
	EXPECT_EQ(3, info.num_triggers);
	EXPECT_EQ(2, info.num_frames);
	EXPECT_EQ(256, info.queue_depth);
	EXPECT_EQ(0, info.queue_used);
	EXPECT_EQ(CLOCK_MONOTONIC, info.clock_id);
	EXPECT_EQ(OGATE_MIN_WIDTH_NS, info.min_width_ns);
	EXPECT_EQ(OGATE_MAX_FUTURE_NS, info.max_future_ns);
	EXPECT_STREQ("ogate0", info.name);

	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_LINE_INFO, &li));
	EXPECT_STREQ("camera", li.name);
	li = (struct ogate_line_info){ .kind = OGATE_LINE_FRAME, .index = 0 };
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_LINE_INFO, &li));
	EXPECT_STREQ("xvs", li.name);
}

TEST_F(dev, line_info_rejects_unknown_kind_index_and_reserved)
{
	struct ogate_line_info li = { .kind = 7 };

	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_GET_LINE_INFO, &li));
	EXPECT_EQ(EINVAL, errno);
	li = (struct ogate_line_info){ .kind = OGATE_LINE_TRIGGER, .index = 3 };
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_GET_LINE_INFO, &li));
	EXPECT_EQ(ENXIO, errno);
	li = (struct ogate_line_info){ .kind = OGATE_LINE_FRAME, .reserved = { 1 } };
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_GET_LINE_INFO, &li));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, trigger_fires_at_its_absolute_time_and_reports_measured_edges)
{
	struct tb_rec log[16], l0[16];
	struct ogate_event ev;
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 20 * MS, 1, 100 * US);
	int n;

	t.cookie = 0xc0ffee;
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	EXPECT_NE(0, t.id);
	ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
	EXPECT_EQ(t.id, ev.id);
	EXPECT_EQ(0xc0ffee, ev.cookie);
	EXPECT_EQ(1, ev.line);
	EXPECT_EQ(t.time_ns, ev.time_ns);
	EXPECT_LE(t.time_ns, ev.rise_ns);
	EXPECT_GT(t.time_ns + LOOSE, ev.rise_ns);
	EXPECT_LE(ev.rise_ns + 100 * US, ev.fall_ns);

	n = tb_read(log, 16);
	ASSERT_EQ(2, TB_PICK(log, n, 0, l0));
	EXPECT_EQ(1, l0[0].value);
	EXPECT_EQ(0, l0[1].value);
	/* The pin changed before the driver's "right after" timestamps. */
	EXPECT_LE(t.time_ns, l0[0].ts);
	EXPECT_LE(l0[0].ts, ev.rise_ns);
	EXPECT_LE(l0[1].ts, ev.fall_ns);
	EXPECT_LE(l0[0].ts + 100 * US, l0[1].ts);
}

TEST_F(dev, lines_in_one_mask_change_together_with_one_timestamp)
{
	struct tb_rec log[16], a[8], b[8], c[8];
	struct ogate_event ev;
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 20 * MS, 0x7, 200 * US);
	int n;

	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
	n = tb_read(log, 16);
	ASSERT_EQ(2, TB_PICK(log, n, 0, a));
	ASSERT_EQ(2, TB_PICK(log, n, 1, b));
	ASSERT_EQ(2, TB_PICK(log, n, 2, c));
	EXPECT_EQ(a[0].ts, b[0].ts);
	EXPECT_EQ(a[0].ts, c[0].ts);
	EXPECT_EQ(a[1].ts, b[1].ts);
	EXPECT_EQ(a[1].ts, c[1].ts);
}

TEST_F(dev, pulse_width_is_observed_at_the_pin)
{
	static const uint32_t widths[] = { 10 * US, 1 * MS, 5 * MS };
	struct tb_rec log[16], l[16];
	struct ogate_event ev;
	unsigned int i;
	int n;

	for (i = 0; i < 3; i++) {
		struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 20 * MS, 2, widths[i]);

		ASSERT_EQ(0, queue_errno(self->fd, &t));
		ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
		n = tb_read(log, 16);
		ASSERT_EQ(2, TB_PICK(log, n, 1, l));
		EXPECT_LE(l[0].ts + widths[i], l[1].ts);
		EXPECT_GT(l[0].ts + widths[i] + LOOSE, l[1].ts);
		EXPECT_EQ(ev.fall_ns - ev.rise_ns >= widths[i], 1);
	}
}

/*
 * Back-to-back pulses on one line: B starts where A was requested to end,
 * but A's fall comes from its measured rise, a little later. B must wait
 * for that fall, so the pin shows two pulses of their own width, not one
 * merged pulse of twice the width.
 */
TEST_F(dev, back_to_back_pulses_on_one_line_stay_two_pulses)
{
	struct ogate_trigger t[2];
	struct ogate_trigger_batch b = { .triggers = (uintptr_t)t, .count = 2 };
	struct tb_rec log[16], l0[16];
	struct ogate_event ev;
	uint64_t base = (uint64_t)ogate_mono_ns() + 30 * MS;
	int n, i;

	t[0] = trig(base, 1, 5 * MS);
	t[1] = trig(base + 5 * MS, 1, 5 * MS);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
		EXPECT_EQ(t[i].id, ev.id);
		EXPECT_LE(5 * MS, ev.fall_ns - ev.rise_ns);
	}
	n = tb_read(log, 16);
	ASSERT_EQ(4, TB_PICK(log, n, 0, l0));
	EXPECT_EQ(1, l0[0].value);
	EXPECT_EQ(0, l0[1].value);
	EXPECT_EQ(1, l0[2].value);
	EXPECT_EQ(0, l0[3].value);
	EXPECT_LE(l0[1].ts, l0[2].ts);
	EXPECT_LE(l0[0].ts + 5 * MS, l0[1].ts);
	EXPECT_LE(l0[2].ts + 5 * MS, l0[3].ts);
}

/*
 * Match rises to triggers line by line (trigger i is on line i % 3): the
 * triggers due in one timer callback share one array write, which the chip
 * logs in line order, so the log order within one write is not time order.
 */
static void check_rises_per_line(struct __test_metadata *_metadata,
				 const struct ogate_trigger *t, const struct tb_rec *rises, int n)
{
	int next[3] = { 0, 1, 2 }, i;
	uint64_t prev = 0;

	for (i = 0; i < n; i++) {
		unsigned int line = rises[i].line;

		ASSERT_GT(3, line);
		ASSERT_GT(n, next[line]);
		EXPECT_LE(t[next[line]].time_ns, rises[i].ts);
		EXPECT_LE(prev, rises[i].ts);
		prev = rises[i].ts;
		next[line] += 3;
	}
	EXPECT_EQ(n, next[0]);
	EXPECT_EQ(n + 1, next[1]);
	EXPECT_EQ(n + 2, next[2]);
}

TEST_F(dev, many_triggers_fire_in_time_order_whatever_the_queue_order)
{
	enum { N = 60 };
	struct ogate_trigger t[N];
	struct tb_rec log[4 * N], rises[4 * N];
	uint64_t base = (uint64_t)ogate_mono_ns() + 50 * MS, last = 0;
	int i, n, k = 0;

	/* Queue in a scrambled order: i*7 mod N visits every slot once. */
	for (i = 0; i < N; i++) {
		int slot = (i * 7) % N;

		t[slot] = trig(base + (uint64_t)slot * 2 * MS, 1U << (slot % 3), 20 * US);
		t[slot].cookie = slot;
		ASSERT_EQ(0, queue_errno(self->fd, &t[slot]));
	}
	for (i = 0; i < N; i++) {
		struct ogate_event ev;

		ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 3000));
		EXPECT_EQ((uint64_t)i, ev.cookie);
		EXPECT_LE(last, ev.rise_ns);
		last = ev.rise_ns;
	}
	n = tb_read(log, 4 * N);
	for (i = 0; i < n; i++)
		if (log[i].value)
			rises[k++] = log[i];
	ASSERT_EQ(N, k);
	check_rises_per_line(_metadata, t, rises, N);
}

TEST_F(dev, batch_is_all_or_nothing)
{
	struct ogate_trigger t[3];
	struct ogate_trigger_batch b = { .triggers = (uintptr_t)t, .count = 3 };
	struct ogate_info info;
	struct ogate_event ev;
	uint64_t base = (uint64_t)ogate_mono_ns() + 30 * MS;
	int i;

	for (i = 0; i < 3; i++)
		t[i] = trig(base + i * MS, 1U << i, 50 * US);
	t[2].width_ns = 0;
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	EXPECT_EQ(EDOM, errno);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_INFO, &info));
	EXPECT_EQ(0, info.queue_used);

	t[2].width_ns = 50 * US;
	t[1].line_mask = 1;	/* overlaps t[0] inside the batch */
	t[1].time_ns = t[0].time_ns + 10 * US;
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_INFO, &info));
	EXPECT_EQ(0, info.queue_used);

	t[1] = trig(base + MS, 2, 50 * US);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	EXPECT_NE(0, t[0].id);
	EXPECT_EQ(t[0].id + 1, t[1].id);
	EXPECT_EQ(t[0].id + 2, t[2].id);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
		EXPECT_EQ(t[i].id, ev.id);
	}
}

TEST_F(dev, cancel_by_id_cookie_and_all_reports_and_nothing_fires)
{
	struct ogate_trigger t[5];
	struct ogate_cancel c = { .how = OGATE_CANCEL_ID };
	struct tb_rec log[8];
	struct ogate_event ev;
	uint64_t base = (uint64_t)ogate_mono_ns() + 100 * MS;
	int i;

	for (i = 0; i < 5; i++) {
		t[i] = trig(base + i * MS, 1, 20 * US);
		t[i].cookie = i < 3 ? 7 : 9;
		ASSERT_EQ(0, queue_errno(self->fd, &t[i]));
	}
	c.value = t[0].id;
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(1, c.count);
	ASSERT_EQ(0, next_event(self->fd, &ev, 0, 1000));
	EXPECT_EQ(OGATE_EVENT_CANCELLED, ev.type);
	EXPECT_EQ(t[0].id, ev.id);

	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(ENOENT, errno);

	c = (struct ogate_cancel){ .how = OGATE_CANCEL_COOKIE, .value = 7 };
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(2, c.count);
	c = (struct ogate_cancel){ .how = OGATE_CANCEL_ALL };
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(2, c.count);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, next_event(self->fd, &ev, 0, 1000));
		EXPECT_EQ(OGATE_EVENT_CANCELLED, ev.type);
	}
	ogate_sleep_until(base + 50 * MS);
	EXPECT_EQ(0, tb_read(log, 8));
	EXPECT_EQ(-ETIMEDOUT, next_event(self->fd, &ev, 0, 10));
}

TEST_F(dev, emergency_stop_cancels_every_owner_and_ends_pulses_in_progress)
{
	int other = open(DEV, O_RDWR);
	uint64_t now = (uint64_t)ogate_mono_ns();
	struct ogate_trigger a = trig(now + 5 * MS, 1, 500 * MS);	/* ours, active */
	struct ogate_trigger b = trig(now + 200 * MS, 2, 10 * US);	/* other's, pending */
	struct ogate_cancel c = { .how = OGATE_CANCEL_DEVICE };
	struct tb_rec log[16], l0[8], l1[8];
	struct ogate_event ev;
	int n;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, queue_errno(self->fd, &a));
	ASSERT_EQ(0, queue_errno(other, &b));
	ogate_sleep_until(now + 50 * MS);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(2, c.count);
	ASSERT_EQ(0, next_event(other, &ev, OGATE_EVENT_CANCELLED, 1000));
	EXPECT_EQ(b.id, ev.id);
	ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_CANCELLED, 1000));
	EXPECT_EQ(a.id, ev.id);
	ogate_sleep_until(now + 300 * MS);
	n = tb_read(log, 16);
	ASSERT_EQ(2, TB_PICK(log, n, 0, l0));
	EXPECT_EQ(0, l0[1].value);
	EXPECT_GT(l0[0].ts + 100 * MS, l0[1].ts);
	EXPECT_EQ(0, TB_PICK(log, n, 1, l1));
	close(other);
}

TEST_F(dev, read_only_file_may_watch_but_not_queue_or_cancel)
{
	int ro = open(DEV, O_RDONLY);
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 50 * MS, 1, 10 * US);
	struct ogate_cancel c = { .how = OGATE_CANCEL_DEVICE };
	struct ogate_info info;
	struct ogate_event ev;

	ASSERT_LE(0, ro);
	EXPECT_EQ(EBADF, queue_errno(ro, &t));
	EXPECT_EQ(-1, ioctl(ro, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ioctl(ro, OGATE_IOC_GET_INFO, &info));
	ASSERT_EQ(0, tb_cmd("edge 4 1"));
	ASSERT_EQ(0, next_event(ro, &ev, OGATE_EVENT_FRAME, 1000));
	close(ro);
}

TEST_F(dev, cancel_rejects_bad_requests)
{
	struct ogate_cancel c = { .how = 99 };

	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(EINVAL, errno);
	c = (struct ogate_cancel){ .how = OGATE_CANCEL_ALL, .value = 3 };
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(EINVAL, errno);
	c = (struct ogate_cancel){ .how = OGATE_CANCEL_ID, .value = 1, .reserved = { 0, 1 } };
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, bad_inputs_get_distinct_errnos)
{
	uint64_t now = (uint64_t)ogate_mono_ns();
	struct ogate_trigger t;
	struct ogate_stats s = { .reserved = { 1 } };
	struct ogate_event ev;

	t = trig(now + 50 * MS, 1, 10 * US); t.reserved[3] = 1;
	EXPECT_EQ(EINVAL, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 1, 10 * US); t.flags = 1;
	EXPECT_EQ(EINVAL, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 0, 10 * US);
	EXPECT_EQ(ENXIO, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 1U << 3, 10 * US);
	EXPECT_EQ(ENXIO, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 1, 0);
	EXPECT_EQ(EDOM, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 1, 999);
	EXPECT_EQ(EDOM, queue_errno(self->fd, &t));
	t = trig(now + 50 * MS, 1, OGATE_MAX_WIDTH_NS + 1);
	EXPECT_EQ(EDOM, queue_errno(self->fd, &t));
	t = trig(now - 100 * MS, 1, 10 * US); t.late_ns = 0;
	EXPECT_EQ(ETIME, queue_errno(self->fd, &t));
	t = trig(now + OGATE_MAX_FUTURE_NS + 1000 * MS, 1, 10 * US);
	EXPECT_EQ(ERANGE, queue_errno(self->fd, &t));

	t = trig(now + 500 * MS, 1, 100 * US);
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	t = trig(now + 500 * MS + 50 * US, 3, 100 * US);	/* shares line 0 */
	EXPECT_EQ(EBUSY, queue_errno(self->fd, &t));
	t = trig(now + 500 * MS + 50 * US, 2, 100 * US);	/* other line: fine */
	EXPECT_EQ(0, queue_errno(self->fd, &t));

	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(OGATE_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, read(self->fd, &ev, sizeof(ev) - 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, full_queue_is_refused_and_batch_bounds_checked)
{
	struct ogate_trigger t[OGATE_MAX_BATCH + 1];
	struct ogate_trigger_batch b = { .triggers = (uintptr_t)t };
	struct ogate_trigger one;
	uint64_t base = (uint64_t)ogate_mono_ns() + 10000 * MS;
	int i, k;

	b.count = 0;
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.count = OGATE_MAX_BATCH + 1;
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	EXPECT_EQ(E2BIG, errno);

	for (k = 0; k < 4; k++) {
		for (i = 0; i < OGATE_MAX_BATCH; i++)
			t[i] = trig(base + (uint64_t)(k * OGATE_MAX_BATCH + i) * MS, 1, 10 * US);
		b.count = OGATE_MAX_BATCH;
		ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_QUEUE_BATCH, &b));
	}
	one = trig(base + 1000 * MS, 2, 10 * US);
	EXPECT_EQ(ENOSPC, queue_errno(self->fd, &one));
}

TEST_F(dev, trigger_within_its_lateness_fires_and_beyond_it_is_missed)
{
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() - 1 * MS, 1, 10 * US);
	struct ogate_stats s = { 0 };
	struct tb_rec log[8];
	struct ogate_event ev;

	t.late_ns = 500 * MS;	/* already 1 ms late: fires at once */
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, next_event(self->fd, &ev, 0, 2000));
	EXPECT_EQ(OGATE_EVENT_FIRED, ev.type);
	EXPECT_LE(t.time_ns + 1 * MS, ev.rise_ns);

	/* No tolerance at all: any lateness is a miss, and no pulse starts. */
	ASSERT_EQ(0, tb_cmd("clear"));
	t = trig((uint64_t)ogate_mono_ns() + 20 * MS, 1, 10 * US);
	t.late_ns = 0;
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, next_event(self->fd, &ev, 0, 2000));
	EXPECT_EQ(OGATE_EVENT_MISSED, ev.type);
	EXPECT_EQ(t.id, ev.id);
	EXPECT_LT(t.time_ns, ev.rise_ns);
	EXPECT_EQ(0, tb_read(log, 8));
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	EXPECT_EQ(1, s.fired);
	EXPECT_EQ(1, s.missed);
}

TEST_F(dev, stats_count_every_outcome_and_reset)
{
	struct ogate_stats s = { 0 };
	struct ogate_cancel c = { .how = OGATE_CANCEL_ALL };
	struct ogate_trigger t;
	struct ogate_event ev;
	uint64_t sum = 0;
	int i;

	for (i = 0; i < 3; i++) {
		t = trig((uint64_t)ogate_mono_ns() + 10 * MS, 1, 10 * US);
		ASSERT_EQ(0, queue_errno(self->fd, &t));
		ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
	}
	t = trig((uint64_t)ogate_mono_ns() + 1000 * MS, 1, 10 * US);
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_CANCEL, &c));
	ASSERT_EQ(0, tb_cmd("edge 4 5"));

	s.flags = OGATE_STATS_RESET;
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	EXPECT_EQ(4, s.queued);
	EXPECT_EQ(3, s.fired);
	EXPECT_EQ(1, s.cancelled);
	EXPECT_EQ(0, s.missed);
	EXPECT_EQ(5, s.frames);
	EXPECT_LE(s.late_min_ns, s.late_max_ns);
	EXPECT_LE(s.late_max_ns, s.late_sum_ns);
	EXPECT_LE(s.late_min_ns * 3, s.late_sum_ns);
	for (i = 0; i < OGATE_HIST_BUCKETS; i++)
		sum += s.hist[i];
	EXPECT_EQ(3, sum);

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	EXPECT_EQ(0, s.queued);
	EXPECT_EQ(0, s.frames);
}

TEST_F(dev, frame_edges_arrive_in_order_with_sequence_numbers)
{
	struct tb_rec log[128], l4[64];
	struct ogate_event ev[40];
	uint64_t seq0 = 0, last = 0;
	int i, n, got = 0, k;

	ASSERT_EQ(0, tb_cmd("edge 4 20"));
	ASSERT_EQ(0, tb_cmd("edge 5 3"));
	while (got < 23 && next_event(self->fd, &ev[got], OGATE_EVENT_FRAME, 2000) == 0)
		got++;
	ASSERT_EQ(23, got);
	n = tb_read(log, 128);
	k = TB_PICK(log, n, 4, l4);
	ASSERT_EQ(40, k);	/* 20 rising + 20 falling */
	for (i = 0; i < 20; i++) {
		EXPECT_EQ(0, ev[i].line);
		if (i == 0)
			seq0 = ev[i].seq;
		EXPECT_EQ(seq0 + i, ev[i].seq);
		EXPECT_LT(last, ev[i].time_ns);
		last = ev[i].time_ns;
		/* stamped in the IRQ after the pin rose, and before it fell */
		EXPECT_LE(l4[2 * i].ts, ev[i].time_ns);
		EXPECT_GE(l4[2 * i + 1].ts, ev[i].time_ns);
	}
	for (i = 20; i < 23; i++)
		EXPECT_EQ(1, ev[i].line);
	EXPECT_EQ(ev[20].seq + 2, ev[22].seq);
}

TEST_F(dev, frame_events_reach_every_open_file_and_trigger_events_only_the_owner)
{
	int other = open(DEV, O_RDWR | O_NONBLOCK);
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 10 * MS, 1, 10 * US);
	struct ogate_event ev;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, tb_cmd("edge 4 1"));
	ASSERT_EQ(0, next_event(other, &ev, 0, 1000));
	EXPECT_EQ(OGATE_EVENT_FRAME, ev.type);
	ASSERT_EQ(0, next_event(self->fd, &ev, 0, 1000));
	EXPECT_EQ(OGATE_EVENT_FRAME, ev.type);

	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, next_event(self->fd, &ev, OGATE_EVENT_FIRED, 2000));
	EXPECT_EQ(-ETIMEDOUT, next_event(other, &ev, 0, 50));
	EXPECT_EQ(-1, read(other, &ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
	close(other);
}

TEST_F(dev, event_overflow_is_reported_never_silent)
{
	struct ogate_event ev[64];
	struct ogate_stats s = { 0 };
	uint64_t frames = 0, lost = 0;
	int overflow_events = 0;
	ssize_t r;
	int i, fl;

	ASSERT_EQ(0, tb_cmd("edge 4 300"));
	/*
	 * The edges are stamped in the hard IRQ, but a work item moves them
	 * to the file's ring: wait until it has met the full ring (the last
	 * 44 counted as overflows), or it may not have run at all yet.
	 */
	for (i = 0; i < 2000; i++) {
		struct timespec ts = { 0, 1000000 };

		ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
		if (s.overflows >= 44)
			break;
		nanosleep(&ts, NULL);
	}
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	while ((r = read(self->fd, ev, sizeof(ev))) > 0) {
		for (i = 0; i < r / (ssize_t)sizeof(ev[0]); i++) {
			if (ev[i].type == OGATE_EVENT_FRAME)
				frames++;
			if (ev[i].type == OGATE_EVENT_OVERFLOW) {
				overflow_events++;
				lost += ev[i].seq;
			}
		}
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(256, frames);
	EXPECT_EQ(1, overflow_events);
	EXPECT_EQ(300, frames + lost);
	ASSERT_EQ(0, ioctl(self->fd, OGATE_IOC_GET_STATS, &s));
	EXPECT_EQ(44, s.overflows);
}

TEST_F(dev, loopback_trigger_edge_is_timestamped_as_a_frame)
{
	struct ogate_trigger t = trig((uint64_t)ogate_mono_ns() + 20 * MS, 1, 5 * MS);
	struct ogate_event fired, frame;

	ASSERT_EQ(0, tb_cmd("loopback 1"));
	ASSERT_EQ(0, queue_errno(self->fd, &t));
	ASSERT_EQ(0, next_event(self->fd, &frame, OGATE_EVENT_FRAME, 2000));
	ASSERT_EQ(0, next_event(self->fd, &fired, OGATE_EVENT_FIRED, 2000));
	ASSERT_EQ(0, tb_cmd("loopback 0"));
	EXPECT_EQ(0, frame.line);
	EXPECT_LE(t.time_ns, frame.time_ns);
	EXPECT_LE(fired.rise_ns, frame.time_ns);
	EXPECT_GT(fired.fall_ns, frame.time_ns);
	TH_LOG("trigger rise -> frame timestamp: %llu ns",
	       (unsigned long long)(frame.time_ns - fired.rise_ns));
}

static void queue_pulses_then_die(int how)
{
	int fd = open(DEV, O_RDWR);
	uint64_t now = (uint64_t)ogate_mono_ns();
	struct ogate_trigger a = trig(now + 5 * MS, 1, 300 * MS);	/* active at death */
	struct ogate_trigger b = trig(now + 100 * MS, 2, 10 * US);	/* pending */

	if (fd < 0 || ioctl(fd, OGATE_IOC_QUEUE, &a) || ioctl(fd, OGATE_IOC_QUEUE, &b))
		_exit(2);
	ogate_sleep_until(now + 40 * MS);
	if (how == SIGKILL)
		kill(getpid(), SIGKILL);
	close(fd);
	_exit(0);
}

static void check_closed_owner(struct __test_metadata *_metadata, int how)
{
	struct tb_rec log[16], l0[8], l1[8];
	uint64_t start = (uint64_t)ogate_mono_ns();
	int status, n;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		queue_pulses_then_die(how);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (how == SIGKILL) {
		ASSERT_TRUE(WIFSIGNALED(status));
	} else {
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	ogate_sleep_until(start + 500 * MS);
	n = tb_read(log, 16);
	/* line 0 rose, then was driven low at close, long before 300 ms */
	ASSERT_EQ(2, TB_PICK(log, n, 0, l0));
	EXPECT_EQ(1, l0[0].value);
	EXPECT_EQ(0, l0[1].value);
	EXPECT_GT(l0[0].ts + 250 * MS, l0[1].ts);
	/* the pending pulse never started */
	EXPECT_EQ(0, TB_PICK(log, n, 1, l1));
}

TEST_F(dev, close_with_pending_cancels_and_drives_lines_inactive)
{
	check_closed_owner(_metadata, 0);
}

TEST_F(dev, killed_owner_leaves_lines_inactive_and_nothing_fires_later)
{
	check_closed_owner(_metadata, SIGKILL);
}

TEST_F(dev, unbind_with_pending_cancels_reports_and_drives_lines_inactive)
{
	uint64_t now = (uint64_t)ogate_mono_ns();
	struct ogate_trigger a = trig(now + 5 * MS, 1, 500 * MS);
	struct ogate_trigger b = trig(now + 200 * MS, 2, 10 * US);
	struct tb_rec log[16], l0[8], l1[8];
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct ogate_event ev;
	int n, cancelled = 0;

	ASSERT_EQ(0, queue_errno(self->fd, &a));
	ASSERT_EQ(0, queue_errno(self->fd, &b));
	ogate_sleep_until(now + 50 * MS);
	ASSERT_EQ(0, tb_cmd("detach"));
	while (read(self->fd, &ev, sizeof(ev)) == sizeof(ev))
		cancelled += ev.type == OGATE_EVENT_CANCELLED;
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(2, cancelled);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	EXPECT_EQ(-1, ioctl(self->fd, OGATE_IOC_QUEUE, &b));
	EXPECT_EQ(ENODEV, errno);
	ogate_sleep_until(now + 700 * MS);
	n = tb_read(log, 16);
	ASSERT_EQ(2, TB_PICK(log, n, 0, l0));
	EXPECT_EQ(0, l0[1].value);
	EXPECT_GT(l0[0].ts + 400 * MS, l0[1].ts);
	EXPECT_EQ(0, TB_PICK(log, n, 1, l1));
	ASSERT_EQ(0, tb_cmd("attach"));
}

static int module_cmd(const char *cmd)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	return system(buf);
}

TEST_F(dev, rmmod_waits_for_the_owner_and_leaves_nothing_firing)
{
	const char *dir = getenv("OGATE_MODDIR") ?: "/lib/ogate";
	struct ogate_trigger a = trig((uint64_t)ogate_mono_ns() + 300 * MS, 1, 10 * US);
	struct tb_rec log[8];
	char cmd[256];

	ASSERT_EQ(0, queue_errno(self->fd, &a));
	/* A file is open: the module cannot go away under its owner. */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ogate", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, syscall(SYS_delete_module, "ogate", O_NONBLOCK));
	ogate_sleep_until(a.time_ns + 100 * MS);
	EXPECT_EQ(0, tb_read(log, 8));
	snprintf(cmd, sizeof(cmd), "insmod %s/ogate.ko", dir);
	ASSERT_EQ(0, module_cmd(cmd));
	self->fd = open(DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

TEST_F(dev, sleeping_gpio_controller_is_refused_with_a_clear_message)
{
	const char *dir = getenv("OGATE_MODDIR") ?: "/lib/ogate";
	struct stat st;
	char cmd[256];

	close(self->fd);
	self->fd = -1;
	/* ogate holds the chip's lines, which pins its module: unbind first */
	ASSERT_EQ(0, tb_cmd("detach"));
	ASSERT_EQ(0, module_cmd("rmmod ogate_testbed"));
	snprintf(cmd, sizeof(cmd), "insmod %s/ogate_testbed.ko sleeping=1", dir);
	ASSERT_EQ(0, module_cmd(cmd));
	EXPECT_EQ(-1, stat(DEV, &st));
	EXPECT_EQ(0, module_cmd("dmesg | grep -q 'on a GPIO controller that can sleep'"));
	ASSERT_EQ(0, module_cmd("rmmod ogate_testbed"));
	snprintf(cmd, sizeof(cmd), "insmod %s/ogate_testbed.ko", dir);
	ASSERT_EQ(0, module_cmd(cmd));
	self->fd = open(DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
}

TEST_HARNESS_MAIN
