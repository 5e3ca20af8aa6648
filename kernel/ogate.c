// SPDX-License-Identifier: GPL-2.0
/*
 * ogate: absolute-time GPIO trigger pulses and hard-IRQ frame timestamps
 * for prospective optical gating.
 *
 * Trigger pulses are queued through ioctls on /dev/ogateN with absolute
 * CLOCK_MONOTONIC times. One HRTIMER_MODE_ABS_HARD hrtimer per device is
 * armed at the earliest rise or fall in a time-sorted queue; its callback
 * sets all lines of a trigger with one array write and records the time
 * right after the write. Frame edges on input lines are timestamped in the
 * hard IRQ handler; everything else (event delivery, wake-ups) is deferred
 * to an irq_work. Events reach userspace through read() and poll().
 *
 * Safe state: closing the file that queued triggers cancels its pending
 * triggers and ends its active pulses; unbinding the device cancels
 * everything and drives every output inactive. No pulse starts afterwards.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gpio/consumer.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/timerqueue.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "ogate.h"
#include "ogate_compat.h"

#define OGATE_QUEUE_DEPTH	256	/* pending + active pulses per device */
#define OGATE_EVENT_DEPTH	256	/* events buffered per open file */
#define OGATE_RAW_DEPTH		512	/* hard-context events awaiting delivery */
#define OGATE_DUE_BATCH		16	/* edges applied with one array write */
#define OGATE_READ_BATCH	16

static unsigned int late_threshold_ns = 10000;
module_param(late_threshold_ns, uint, 0644);
MODULE_PARM_DESC(late_threshold_ns,
		 "Fired triggers later than this count as late in the stats (ns, default 10000)");

static unsigned int lead_ns = 2000;
module_param(lead_ns, uint, 0444);
MODULE_PARM_DESC(lead_ns,
		 "Arm the timer this early and spin to the exact edge time with interrupts off (ns, default 2000, max 20000, 0: off)");

static DEFINE_IDA(ogate_ida);

enum ogate_pulse_state {
	OGATE_FREE = 0,
	OGATE_PENDING,		/* queued at its rise time */
	OGATE_ACTIVE,		/* lines driven active, queued at its fall time */
};

struct ogate_pulse {
	struct timerqueue_node node;
	u64 id;
	u64 cookie;
	u64 owner;		/* id of the open file that queued it */
	u64 time_ns;
	u64 rise_ns;
	u64 edge_ns;		/* exact time of its next edge */
	u32 mask;
	u32 width_ns;
	u32 late_ns;
	u8 state;
};

struct ogate_raw_event {
	struct ogate_event ev;
	u64 owner;		/* 0: every open file */
};

struct ogate_dev;

struct ogate_frame_line {
	struct ogate_dev *od;
	unsigned int index;
};

struct ogate_dev {
	struct kref kref;
	struct device *dev;
	struct miscdevice misc;
	char name[OGATE_NAME_LEN];
	int instance;

	/* Protects everything below up to files_lock. Taken in hard IRQ. */
	raw_spinlock_t lock;
	bool dead;
	struct gpio_descs *trig;
	struct gpio_descs *frame;
	unsigned int ntrig;
	unsigned int nframe;
	char trig_names[OGATE_MAX_LINES][OGATE_NAME_LEN];
	char frame_names[OGATE_MAX_LINES][OGATE_NAME_LEN];
	struct ogate_frame_line frame_line[OGATE_MAX_LINES];
	u64 frame_seq[OGATE_MAX_LINES];
	u32 trig_active_low;
	u32 frame_active_low;
	u8 line_users[OGATE_MAX_LINES];
	DECLARE_BITMAP(values, OGATE_MAX_LINES);

	struct hrtimer timer;
	u64 lead_ns;		/* queue keys are edge_ns - lead_ns */
	struct timerqueue_head queue;
	struct ogate_pulse pool[OGATE_QUEUE_DEPTH];
	unsigned int used;

	struct ogate_stats stats;
	struct ogate_raw_event raw[OGATE_RAW_DEPTH];
	unsigned int raw_head;
	unsigned int raw_tail;
	u64 raw_lost;

	atomic64_t next_id;
	atomic64_t overflows;
	struct irq_work work;

	/* Open files; taken in the irq_work that delivers events. */
	spinlock_t files_lock;
	struct list_head files;
	u64 next_file_id;
};

struct ogate_file {
	struct ogate_dev *od;
	struct list_head list;
	u64 id;
	spinlock_t lock;		/* ring, dropped; taken in the irq_work */
	wait_queue_head_t wait;
	unsigned int head;
	unsigned int tail;
	u64 dropped;
	struct ogate_event ring[OGATE_EVENT_DEPTH];
};

static void ogate_dev_release(struct kref *kref)
{
	struct ogate_dev *od = container_of(kref, struct ogate_dev, kref);

	if (od->instance >= 0)
		ida_free(&ogate_ida, od->instance);
	kvfree(od);
}

/* Record an event from any context; delivery happens in ogate_deliver(). */
static void ogate_raw_push(struct ogate_dev *od, const struct ogate_event *ev, u64 owner)
{
	struct ogate_raw_event *r;

	lockdep_assert_held(&od->lock);
	if (od->raw_head - od->raw_tail >= OGATE_RAW_DEPTH) {
		od->raw_lost++;
		return;
	}
	r = &od->raw[od->raw_head++ % OGATE_RAW_DEPTH];
	r->ev = *ev;
	r->owner = owner;
}

static void ogate_pulse_event(struct ogate_dev *od, const struct ogate_pulse *p,
			      u32 type, u64 rise_ns, u64 fall_ns)
{
	struct ogate_event ev = {
		.type = type,
		.line = p->mask,
		.id = p->id,
		.cookie = p->cookie,
		.time_ns = p->time_ns,
		.rise_ns = rise_ns,
		.fall_ns = fall_ns,
	};

	ogate_raw_push(od, &ev, p->owner);
}

/* Queue a pulse at its next edge; the timer fires lead_ns before it. */
static void ogate_pulse_enqueue(struct ogate_dev *od, struct ogate_pulse *p, u64 edge_ns)
{
	p->edge_ns = edge_ns;
	p->node.expires = edge_ns > od->lead_ns ? edge_ns - od->lead_ns : 0;
	timerqueue_add(&od->queue, &p->node);
}

static void ogate_pulse_free(struct ogate_dev *od, struct ogate_pulse *p)
{
	p->state = OGATE_FREE;
	od->used--;
}

static unsigned int ogate_file_count(const struct ogate_file *f)
{
	return f->head - f->tail;
}

/* Append to one file's ring; a full ring is reported, never silent. */
static void ogate_file_push(struct ogate_dev *od, struct ogate_file *f,
			    const struct ogate_event *ev)
{
	unsigned int space;

	lockdep_assert_held(&f->lock);
	space = OGATE_EVENT_DEPTH - ogate_file_count(f);
	if (f->dropped) {
		if (space < 2) {
			f->dropped++;
			atomic64_inc(&od->overflows);
			return;
		}
		f->ring[f->head++ % OGATE_EVENT_DEPTH] = (struct ogate_event) {
			.type = OGATE_EVENT_OVERFLOW,
			.seq = f->dropped,
		};
		f->dropped = 0;
		space--;
	}
	if (!space) {
		f->dropped++;
		atomic64_inc(&od->overflows);
		return;
	}
	f->ring[f->head++ % OGATE_EVENT_DEPTH] = *ev;
}

static void ogate_deliver(struct irq_work *work)
{
	struct ogate_dev *od = container_of(work, struct ogate_dev, work);
	struct ogate_raw_event batch[8];
	struct ogate_file *f;
	unsigned long flags;
	unsigned int i, n;
	u64 lost;

	for (;;) {
		raw_spin_lock_irqsave(&od->lock, flags);
		for (n = 0; n < ARRAY_SIZE(batch) && od->raw_tail != od->raw_head; n++)
			batch[n] = od->raw[od->raw_tail++ % OGATE_RAW_DEPTH];
		lost = od->raw_lost;
		od->raw_lost = 0;
		raw_spin_unlock_irqrestore(&od->lock, flags);
		if (!n && !lost)
			break;

		spin_lock_irqsave(&od->files_lock, flags);
		list_for_each_entry(f, &od->files, list) {
			spin_lock(&f->lock);
			if (lost) {
				f->dropped += lost;
				atomic64_add(lost, &od->overflows);
			}
			for (i = 0; i < n; i++)
				if (!batch[i].owner || batch[i].owner == f->id)
					ogate_file_push(od, f, &batch[i].ev);
			spin_unlock(&f->lock);
			wake_up_interruptible(&f->wait);
		}
		spin_unlock_irqrestore(&od->files_lock, flags);
	}
}

static void ogate_set_lines(struct ogate_dev *od)
{
	lockdep_assert_held(&od->lock);
	gpiod_set_array_value(od->ntrig, od->trig->desc, od->trig->info, od->values);
}

static void ogate_lines_get(struct ogate_dev *od, u32 mask)
{
	unsigned long m = mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		if (od->line_users[b]++ == 0)
			__set_bit(b, od->values);
}

static void ogate_lines_put(struct ogate_dev *od, u32 mask)
{
	unsigned long m = mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		if (--od->line_users[b] == 0)
			__clear_bit(b, od->values);
}

static void ogate_stats_lateness(struct ogate_stats *s, u64 late)
{
	unsigned int b = late < 256 ? 0 : min_t(unsigned int, fls64(late) - 8,
						  OGATE_HIST_BUCKETS - 1);

	if (!s->fired || late < s->late_min_ns)
		s->late_min_ns = late;
	if (late > s->late_max_ns)
		s->late_max_ns = late;
	s->late_sum_ns += late;
	s->hist[b]++;
	if (late > late_threshold_ns)
		s->late++;
}

static void ogate_arm(struct ogate_dev *od)
{
	struct timerqueue_node *next = timerqueue_getnext(&od->queue);

	lockdep_assert_held(&od->lock);
	if (next)
		hrtimer_start(&od->timer, ns_to_ktime(next->expires), HRTIMER_MODE_ABS_HARD);
}

/* When the active pulses holding any line of mask have fallen. */
static u64 ogate_held_until(const struct ogate_dev *od, u32 mask)
{
	u64 until = 0;
	unsigned int i;

	for (i = 0; i < OGATE_QUEUE_DEPTH; i++) {
		const struct ogate_pulse *p = &od->pool[i];

		if (p->state == OGATE_ACTIVE && (p->mask & mask) && p->edge_ns > until)
			until = p->edge_ns;
	}
	return until;
}

static enum hrtimer_restart ogate_timer_fn(struct hrtimer *timer)
{
	struct ogate_dev *od = container_of(timer, struct ogate_dev, timer);
	struct ogate_pulse *due[OGATE_DUE_BATCH];
	struct timerqueue_node *node;
	bool events = false;
	unsigned long flags;
	unsigned int i, n;
	u64 now, t_set;
	u32 touched;

	raw_spin_lock_irqsave(&od->lock, flags);
	if (od->dead)
		goto out;
	for (;;) {
		node = timerqueue_getnext(&od->queue);
		now = ktime_get_ns();
		if (!node || node->expires > now)
			break;
		/*
		 * Inside the lead window of the next edge: spin to its exact
		 * time (at most lead_ns, interrupts off), as pps_gen_parport
		 * does, so the edge does not inherit the timer's IRQ latency.
		 */
		while (now < container_of(node, struct ogate_pulse, node)->edge_ns) {
			cpu_relax();
			now = ktime_get_ns();
		}
		/*
		 * One edge per line per write, earliest first, so every edge
		 * reaches the pin; a rise on a line another pulse still holds
		 * (it rose late, or the pulses touch) waits for that fall
		 * instead of merging with it. Its lateness policy still applies.
		 */
		n = 0;
		touched = 0;
		while (n < OGATE_DUE_BATCH && (node = timerqueue_getnext(&od->queue)) &&
		       container_of(node, struct ogate_pulse, node)->edge_ns <= now) {
			struct ogate_pulse *p = container_of(node, struct ogate_pulse, node);

			if (p->mask & touched)
				break;
			timerqueue_del(&od->queue, node);
			if (p->state == OGATE_PENDING && (p->mask & (u32)od->values[0])) {
				ogate_pulse_enqueue(od, p, ogate_held_until(od, p->mask));
				continue;
			}
			touched |= p->mask;
			if (p->state == OGATE_PENDING) {
				if (now - p->time_ns > p->late_ns) {
					ogate_pulse_event(od, p, OGATE_EVENT_MISSED, now, 0);
					od->stats.missed++;
					ogate_pulse_free(od, p);
					events = true;
					continue;
				}
				ogate_lines_get(od, p->mask);
			} else {
				ogate_lines_put(od, p->mask);
			}
			due[n++] = p;
		}
		if (!n)
			continue;

		ogate_set_lines(od);
		t_set = ktime_get_ns();

		for (i = 0; i < n; i++) {
			struct ogate_pulse *p = due[i];

			if (p->state == OGATE_PENDING) {
				p->state = OGATE_ACTIVE;
				p->rise_ns = t_set;
				ogate_pulse_enqueue(od, p, t_set + p->width_ns);
				ogate_stats_lateness(&od->stats, t_set - p->time_ns);
			} else {
				ogate_pulse_event(od, p, OGATE_EVENT_FIRED, p->rise_ns, t_set);
				od->stats.fired++;
				ogate_pulse_free(od, p);
				events = true;
			}
		}
	}
	ogate_arm(od);
out:
	raw_spin_unlock_irqrestore(&od->lock, flags);
	if (events)
		irq_work_queue(&od->work);
	return HRTIMER_NORESTART;
}

static irqreturn_t ogate_frame_irq(int irq, void *data)
{
	struct ogate_frame_line *fl = data;
	struct ogate_dev *od = fl->od;
	u64 ts = ktime_get_ns();
	struct ogate_event ev = {
		.type = OGATE_EVENT_FRAME,
		.line = fl->index,
		.time_ns = ts,
	};
	unsigned long flags;

	raw_spin_lock_irqsave(&od->lock, flags);
	if (od->dead) {
		raw_spin_unlock_irqrestore(&od->lock, flags);
		return IRQ_HANDLED;
	}
	ev.seq = ++od->frame_seq[fl->index];
	od->stats.frames++;
	ogate_raw_push(od, &ev, 0);
	raw_spin_unlock_irqrestore(&od->lock, flags);
	irq_work_queue(&od->work);
	return IRQ_HANDLED;
}

/*
 * Cancel pulses of one owner (or of every owner when owner is 0).
 * Pending pulses matching how/value are removed; with end_active, active
 * pulses are ended at once and their lines released. Returns the count.
 */
static unsigned int ogate_cancel_locked(struct ogate_dev *od, u64 owner, u32 how,
					u64 value, bool end_active, bool report)
{
	unsigned int i, count = 0;
	bool lines = false;

	lockdep_assert_held(&od->lock);
	for (i = 0; i < OGATE_QUEUE_DEPTH; i++) {
		struct ogate_pulse *p = &od->pool[i];

		if (p->state == OGATE_FREE || (owner && p->owner != owner))
			continue;
		if (how == OGATE_CANCEL_ID && p->id != value)
			continue;
		if (how == OGATE_CANCEL_COOKIE && p->cookie != value)
			continue;
		if (p->state == OGATE_ACTIVE) {
			if (!end_active)
				continue;
			ogate_lines_put(od, p->mask);
			lines = true;
		}
		timerqueue_del(&od->queue, &p->node);
		if (report)
			ogate_pulse_event(od, p, OGATE_EVENT_CANCELLED, 0, 0);
		od->stats.cancelled++;
		ogate_pulse_free(od, p);
		count++;
	}
	if (lines)
		ogate_set_lines(od);
	return count;
}

static bool ogate_overlaps(u32 mask_a, u64 start_a, u32 width_a,
			   u32 mask_b, u64 start_b, u32 width_b)
{
	return (mask_a & mask_b) && start_a < start_b + width_b && start_b < start_a + width_a;
}

static int ogate_check_trigger(const struct ogate_dev *od, const struct ogate_trigger *t,
			       u64 now)
{
	if (t->flags || memchr_inv(t->reserved, 0, sizeof(t->reserved)))
		return -EINVAL;
	if (!t->line_mask || (od->ntrig < 32 && (t->line_mask >> od->ntrig)))
		return -ENXIO;
	if (t->width_ns < OGATE_MIN_WIDTH_NS || t->width_ns > OGATE_MAX_WIDTH_NS)
		return -EDOM;
	if (t->time_ns > now + OGATE_MAX_FUTURE_NS)
		return -ERANGE;
	if (t->time_ns < now && now - t->time_ns > t->late_ns)
		return -ETIME;
	return 0;
}

/*
 * Queue n triggers, all or nothing. Ids are reserved and written back to
 * userspace before anything is queued, so a fault never leaves a pulse
 * queued that its owner does not know of.
 */
static int ogate_queue(struct ogate_file *f, struct ogate_trigger *t, unsigned int n,
		       struct ogate_trigger __user *ut)
{
	struct ogate_dev *od = f->od;
	unsigned long flags;
	unsigned int i, j, k;
	u64 first, now;
	int ret;

	now = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = ogate_check_trigger(od, &t[i], now);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (ogate_overlaps(t[i].line_mask, t[i].time_ns, t[i].width_ns,
					   t[j].line_mask, t[j].time_ns, t[j].width_ns))
				return -EBUSY;
	}

	first = atomic64_add_return(n, &od->next_id) - n + 1;
	for (i = 0; i < n; i++) {
		t[i].id = first + i;
		if (put_user(t[i].id, &ut[i].id))
			return -EFAULT;
	}

	raw_spin_lock_irqsave(&od->lock, flags);
	if (od->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	if (od->used + n > OGATE_QUEUE_DEPTH) {
		ret = -ENOSPC;
		goto unlock;
	}
	for (k = 0; k < OGATE_QUEUE_DEPTH; k++) {
		const struct ogate_pulse *p = &od->pool[k];
		u64 start = p->state == OGATE_ACTIVE ? p->rise_ns : p->time_ns;

		if (p->state == OGATE_FREE)
			continue;
		for (i = 0; i < n; i++) {
			if (ogate_overlaps(t[i].line_mask, t[i].time_ns, t[i].width_ns,
					   p->mask, start, p->width_ns)) {
				ret = -EBUSY;
				goto unlock;
			}
		}
	}
	for (i = 0, k = 0; i < n; i++) {
		struct ogate_pulse *p;

		while (od->pool[k].state != OGATE_FREE)
			k++;
		p = &od->pool[k];
		*p = (struct ogate_pulse) {
			.id = t[i].id,
			.cookie = t[i].cookie,
			.owner = f->id,
			.time_ns = t[i].time_ns,
			.mask = t[i].line_mask,
			.width_ns = t[i].width_ns,
			.late_ns = t[i].late_ns,
			.state = OGATE_PENDING,
		};
		timerqueue_init(&p->node);
		ogate_pulse_enqueue(od, p, t[i].time_ns);
		od->used++;
		od->stats.queued++;
	}
	ogate_arm(od);
	ret = 0;
unlock:
	raw_spin_unlock_irqrestore(&od->lock, flags);
	return ret;
}

static long ogate_ioctl_queue(struct ogate_file *f, void __user *arg)
{
	struct ogate_trigger t;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	return ogate_queue(f, &t, 1, arg);
}

static long ogate_ioctl_batch(struct ogate_file *f, void __user *arg)
{
	struct ogate_trigger_batch b;
	struct ogate_trigger *t;
	void __user *ut;
	long ret;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	if (b.flags || memchr_inv(b.reserved, 0, sizeof(b.reserved)) || !b.count)
		return -EINVAL;
	if (b.count > OGATE_MAX_BATCH)
		return -E2BIG;
	ut = u64_to_user_ptr(b.triggers);
	t = memdup_user(ut, array_size(b.count, sizeof(*t)));
	if (IS_ERR(t))
		return PTR_ERR(t);
	ret = ogate_queue(f, t, b.count, ut);
	kfree(t);
	return ret;
}

static long ogate_ioctl_cancel(struct ogate_file *f, void __user *arg)
{
	struct ogate_dev *od = f->od;
	struct ogate_cancel c;
	unsigned long flags;
	unsigned int i;
	long ret = 0;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (c.padding || memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (c.how < OGATE_CANCEL_ID || c.how > OGATE_CANCEL_DEVICE)
		return -EINVAL;
	if ((c.how >= OGATE_CANCEL_ALL && c.value) || (c.how == OGATE_CANCEL_ID && !c.value))
		return -EINVAL;

	raw_spin_lock_irqsave(&od->lock, flags);
	if (od->dead) {
		ret = -ENODEV;
	} else if (c.how == OGATE_CANCEL_DEVICE) {
		c.count = ogate_cancel_locked(od, 0, OGATE_CANCEL_ALL, 0, true, true);
	} else {
		c.count = ogate_cancel_locked(od, f->id, c.how, c.value, false, true);
		if (!c.count && c.how == OGATE_CANCEL_ID) {
			ret = -ENOENT;
			for (i = 0; i < OGATE_QUEUE_DEPTH; i++)
				if (od->pool[i].state == OGATE_ACTIVE &&
				    od->pool[i].owner == f->id && od->pool[i].id == c.value)
					ret = -EBUSY;
		}
		ogate_arm(od);
	}
	raw_spin_unlock_irqrestore(&od->lock, flags);
	if (c.count)
		irq_work_queue(&od->work);
	if (ret)
		return ret;
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long ogate_ioctl_stats(struct ogate_file *f, void __user *arg)
{
	struct ogate_dev *od = f->od;
	struct ogate_stats s;
	unsigned long flags;
	u32 in_flags;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if ((s.flags & ~OGATE_STATS_RESET) || s.padding ||
	    memchr_inv(s.reserved, 0, sizeof(s.reserved)))
		return -EINVAL;
	in_flags = s.flags;

	raw_spin_lock_irqsave(&od->lock, flags);
	s = od->stats;
	s.overflows = atomic64_read(&od->overflows);
	if (in_flags & OGATE_STATS_RESET) {
		memset(&od->stats, 0, sizeof(od->stats));
		atomic64_set(&od->overflows, 0);
	}
	raw_spin_unlock_irqrestore(&od->lock, flags);
	s.flags = in_flags;
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}

static long ogate_ioctl_info(struct ogate_file *f, void __user *arg)
{
	struct ogate_dev *od = f->od;
	struct ogate_info info = {
		.abi_version = OGATE_ABI_VERSION,
		.caps = OGATE_CAP_TRIGGER | OGATE_CAP_FRAME | OGATE_CAP_BATCH |
			OGATE_CAP_MEASURED,
		.num_triggers = od->ntrig,
		.num_frames = od->nframe,
		.queue_depth = OGATE_QUEUE_DEPTH,
		.event_depth = OGATE_EVENT_DEPTH,
		.clock_id = CLOCK_MONOTONIC,
		.min_width_ns = OGATE_MIN_WIDTH_NS,
		.max_width_ns = OGATE_MAX_WIDTH_NS,
		.max_future_ns = OGATE_MAX_FUTURE_NS,
		.late_threshold_ns = late_threshold_ns,
	};
	unsigned long flags;

	strscpy(info.name, od->name, sizeof(info.name));
	raw_spin_lock_irqsave(&od->lock, flags);
	info.queue_used = od->used;
	raw_spin_unlock_irqrestore(&od->lock, flags);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long ogate_ioctl_line_info(struct ogate_file *f, void __user *arg)
{
	struct ogate_dev *od = f->od;
	struct ogate_line_info li;
	const char *name;
	u32 active_low;

	if (copy_from_user(&li, arg, sizeof(li)))
		return -EFAULT;
	if (li.padding || li.flags || memchr_inv(li.reserved, 0, sizeof(li.reserved)))
		return -EINVAL;
	if (li.kind == OGATE_LINE_TRIGGER) {
		if (li.index >= od->ntrig)
			return -ENXIO;
		active_low = od->trig_active_low;
		name = od->trig_names[li.index];
	} else if (li.kind == OGATE_LINE_FRAME) {
		if (li.index >= od->nframe)
			return -ENXIO;
		active_low = od->frame_active_low;
		name = od->frame_names[li.index];
	} else {
		return -EINVAL;
	}
	strscpy(li.name, name, sizeof(li.name));
	if (active_low & BIT(li.index))
		li.flags |= OGATE_LINE_ACTIVE_LOW;
	return copy_to_user(arg, &li, sizeof(li)) ? -EFAULT : 0;
}

static long ogate_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ogate_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct ogate_version v = {
		.abi_version = OGATE_ABI_VERSION,
		.caps = OGATE_CAP_TRIGGER | OGATE_CAP_FRAME | OGATE_CAP_BATCH |
			OGATE_CAP_MEASURED,
	};

	if (READ_ONCE(f->od->dead))
		return -ENODEV;
	if (!(file->f_mode & FMODE_WRITE) &&
	    (cmd == OGATE_IOC_QUEUE || cmd == OGATE_IOC_QUEUE_BATCH || cmd == OGATE_IOC_CANCEL))
		return -EBADF;

	switch (cmd) {
	case OGATE_IOC_GET_VERSION:
		return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
	case OGATE_IOC_GET_INFO:
		return ogate_ioctl_info(f, uarg);
	case OGATE_IOC_GET_LINE_INFO:
		return ogate_ioctl_line_info(f, uarg);
	case OGATE_IOC_QUEUE:
		return ogate_ioctl_queue(f, uarg);
	case OGATE_IOC_QUEUE_BATCH:
		return ogate_ioctl_batch(f, uarg);
	case OGATE_IOC_CANCEL:
		return ogate_ioctl_cancel(f, uarg);
	case OGATE_IOC_GET_STATS:
		return ogate_ioctl_stats(f, uarg);
	default:
		return -ENOTTY;
	}
}

static bool ogate_readable(struct ogate_file *f)
{
	unsigned long flags;
	bool r;

	spin_lock_irqsave(&f->lock, flags);
	r = ogate_file_count(f) || f->dropped;
	spin_unlock_irqrestore(&f->lock, flags);
	return r;
}

static ssize_t ogate_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct ogate_file *f = file->private_data;
	struct ogate_event ev[OGATE_READ_BATCH];
	size_t max = min_t(size_t, count / sizeof(ev[0]), ARRAY_SIZE(ev));
	unsigned long flags;
	size_t n;
	int ret;

	if (!max)
		return -EINVAL;
	for (;;) {
		spin_lock_irqsave(&f->lock, flags);
		for (n = 0; n < max && ogate_file_count(f); n++)
			ev[n] = f->ring[f->tail++ % OGATE_EVENT_DEPTH];
		if (n < max && f->dropped) {
			ev[n++] = (struct ogate_event) {
				.type = OGATE_EVENT_OVERFLOW,
				.seq = f->dropped,
			};
			f->dropped = 0;
		}
		spin_unlock_irqrestore(&f->lock, flags);
		if (n)
			break;
		if (READ_ONCE(f->od->dead))
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(f->wait,
					       ogate_readable(f) || READ_ONCE(f->od->dead));
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, ev, n * sizeof(ev[0])))
		return -EFAULT;
	return n * sizeof(ev[0]);
}

static __poll_t ogate_poll(struct file *file, struct poll_table_struct *wait)
{
	struct ogate_file *f = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &f->wait, wait);
	if (ogate_readable(f))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(f->od->dead))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

static int ogate_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct ogate_dev *od = container_of(misc, struct ogate_dev, misc);
	struct ogate_file *f;
	unsigned long flags;

	f = kvzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->od = od;
	spin_lock_init(&f->lock);
	init_waitqueue_head(&f->wait);
	kref_get(&od->kref);

	spin_lock_irqsave(&od->files_lock, flags);
	f->id = ++od->next_file_id;
	list_add_tail(&f->list, &od->files);
	spin_unlock_irqrestore(&od->files_lock, flags);

	file->private_data = f;
	return stream_open(inode, file);
}

static int ogate_release(struct inode *inode, struct file *file)
{
	struct ogate_file *f = file->private_data;
	struct ogate_dev *od = f->od;
	unsigned long flags;

	/* Safe state: nothing this file queued may start after close. */
	raw_spin_lock_irqsave(&od->lock, flags);
	if (!od->dead) {
		ogate_cancel_locked(od, f->id, OGATE_CANCEL_ALL, 0, true, false);
		ogate_arm(od);
	}
	raw_spin_unlock_irqrestore(&od->lock, flags);

	spin_lock_irqsave(&od->files_lock, flags);
	list_del(&f->list);
	spin_unlock_irqrestore(&od->files_lock, flags);

	kvfree(f);
	kref_put(&od->kref, ogate_dev_release);
	return 0;
}

static const struct file_operations ogate_fops = {
	.owner = THIS_MODULE,
	.open = ogate_open,
	.release = ogate_release,
	.read = ogate_read,
	.poll = ogate_poll,
	.unlocked_ioctl = ogate_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static void ogate_put_action(void *data)
{
	struct ogate_dev *od = data;

	kref_put(&od->kref, ogate_dev_release);
}

static void ogate_read_names(struct device *dev, const char *prop, const char *prefix,
			     char (*names)[OGATE_NAME_LEN], unsigned int n)
{
	const char *given[OGATE_MAX_LINES];
	int got = device_property_read_string_array(dev, prop, given, n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (got > 0 && i < got)
			strscpy(names[i], given[i], OGATE_NAME_LEN);
		else
			snprintf(names[i], OGATE_NAME_LEN, "%s%u", prefix, i);
	}
}

static int ogate_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct ogate_dev *od;
	unsigned long edge;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(sizeof(struct ogate_trigger) != 56);
	BUILD_BUG_ON(sizeof(struct ogate_event) != 64);
	BUILD_BUG_ON(sizeof(struct ogate_stats) != 256);
	BUILD_BUG_ON(sizeof(struct ogate_info) != 128);

	od = kvzalloc(sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;
	kref_init(&od->kref);
	od->instance = -1;
	od->dev = dev;
	raw_spin_lock_init(&od->lock);
	spin_lock_init(&od->files_lock);
	INIT_LIST_HEAD(&od->files);
	timerqueue_init_head(&od->queue);
	od->lead_ns = min(lead_ns, 20000U);
	ogate_hrtimer_setup(&od->timer, ogate_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	init_irq_work(&od->work, ogate_deliver);
	/* Released after the IRQs below (devm unwinds in reverse order). */
	ret = devm_add_action_or_reset(dev, ogate_put_action, od);
	if (ret)
		return ret;

	od->trig = devm_gpiod_get_array_optional(dev, "trigger", GPIOD_OUT_LOW);
	if (IS_ERR(od->trig))
		return dev_err_probe(dev, PTR_ERR(od->trig), "cannot get trigger-gpios\n");
	od->frame = devm_gpiod_get_array_optional(dev, "frame", GPIOD_IN);
	if (IS_ERR(od->frame))
		return dev_err_probe(dev, PTR_ERR(od->frame), "cannot get frame-gpios\n");
	od->ntrig = od->trig ? od->trig->ndescs : 0;
	od->nframe = od->frame ? od->frame->ndescs : 0;
	if (!od->ntrig && !od->nframe)
		return dev_err_probe(dev, -ENODEV, "neither trigger-gpios nor frame-gpios given\n");
	if (od->ntrig > OGATE_MAX_LINES || od->nframe > OGATE_MAX_LINES)
		return dev_err_probe(dev, -EINVAL, "more than %d trigger or frame lines\n",
				     OGATE_MAX_LINES);

	for (i = 0; i < od->ntrig; i++) {
		if (gpiod_cansleep(od->trig->desc[i]))
			return dev_err_probe(dev, -EINVAL,
					     "trigger line %u is on a GPIO controller that can sleep; ogate drives triggers from hard-IRQ context and needs a non-sleeping controller\n",
					     i);
		if (gpiod_is_active_low(od->trig->desc[i]))
			od->trig_active_low |= BIT(i);
	}
	for (i = 0; i < od->nframe; i++)
		if (gpiod_is_active_low(od->frame->desc[i]))
			od->frame_active_low |= BIT(i);

	ogate_read_names(dev, "trigger-names", "trigger", od->trig_names, od->ntrig);
	ogate_read_names(dev, "frame-names", "frame", od->frame_names, od->nframe);

	edge = device_property_read_bool(dev, "frame-falling-edge") ?
	       IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
	for (i = 0; i < od->nframe; i++) {
		int irq = gpiod_to_irq(od->frame->desc[i]);

		if (irq < 0)
			return dev_err_probe(dev, irq, "frame line %u has no interrupt\n", i);
		od->frame_line[i].od = od;
		od->frame_line[i].index = i;
		ret = devm_request_irq(dev, irq, ogate_frame_irq,
				       edge | IRQF_NO_THREAD,
				       od->frame_names[i], &od->frame_line[i]);
		if (ret)
			return dev_err_probe(dev, ret, "cannot request IRQ %d of frame line %u\n",
					     irq, i);
	}

	ret = ida_alloc(&ogate_ida, GFP_KERNEL);
	if (ret < 0)
		return ret;
	od->instance = ret;
	snprintf(od->name, sizeof(od->name), "ogate%d", od->instance);
	od->misc.minor = MISC_DYNAMIC_MINOR;
	od->misc.name = od->name;
	od->misc.fops = &ogate_fops;
	od->misc.parent = dev;
	ret = misc_register(&od->misc);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register /dev/%s\n", od->name);

	platform_set_drvdata(pdev, od);
	dev_info(dev, "/dev/%s: %u trigger lines, %u frame lines\n",
		 od->name, od->ntrig, od->nframe);
	return 0;
}

static void ogate_remove(struct platform_device *pdev)
{
	struct ogate_dev *od = platform_get_drvdata(pdev);
	struct ogate_file *f;
	unsigned long flags;
	unsigned int n;

	misc_deregister(&od->misc);
	/* The name may be reused at once; open files keep only the memory. */
	ida_free(&ogate_ida, od->instance);
	od->instance = -1;

	raw_spin_lock_irqsave(&od->lock, flags);
	n = ogate_cancel_locked(od, 0, OGATE_CANCEL_ALL, 0, true, true);
	if (od->ntrig) {
		bitmap_zero(od->values, OGATE_MAX_LINES);
		ogate_set_lines(od);
	}
	od->dead = true;
	raw_spin_unlock_irqrestore(&od->lock, flags);

	hrtimer_cancel(&od->timer);
	irq_work_sync(&od->work);
	ogate_deliver(&od->work);

	spin_lock_irqsave(&od->files_lock, flags);
	list_for_each_entry(f, &od->files, list)
		wake_up_interruptible(&f->wait);
	spin_unlock_irqrestore(&od->files_lock, flags);

	if (n)
		dev_info(&pdev->dev, "/dev/%s removed: %u pending triggers cancelled, outputs inactive\n",
			 od->name, n);
}

OGATE_DEFINE_REMOVE(ogate_remove)

static const struct of_device_id ogate_of_match[] = {
	{ .compatible = "ogate,ogate" },
	{ }
};
MODULE_DEVICE_TABLE(of, ogate_of_match);

static const struct platform_device_id ogate_id_table[] = {
	{ .name = "ogate" },
	{ }
};
MODULE_DEVICE_TABLE(platform, ogate_id_table);

static struct platform_driver ogate_driver = {
	.probe = ogate_probe,
	OGATE_PLATFORM_REMOVE(ogate_remove),
	.id_table = ogate_id_table,
	.driver = {
		.name = "ogate",
		.of_match_table = ogate_of_match,
	},
};
module_platform_driver(ogate_driver);

MODULE_AUTHOR("ogate developers");
MODULE_DESCRIPTION("Absolute-time GPIO trigger pulses and frame-edge timestamps for optical gating");
MODULE_LICENSE("GPL");
