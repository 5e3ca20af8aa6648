// SPDX-License-Identifier: GPL-2.0
/*
 * ogate: the time-sorted trigger queue and the ABS_HARD hrtimer that
 * drives pulse edges on the trigger lines.
 */
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>

#include "ogate_priv.h"

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

void ogate_set_lines(struct ogate_dev *od)
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
	if (late > ogate_late_threshold_ns)
		s->late++;
}

void ogate_arm(struct ogate_dev *od)
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

enum hrtimer_restart ogate_timer_fn(struct hrtimer *timer)
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

/*
 * Cancel pulses of one owner (or of every owner when owner is 0).
 * Pending pulses matching how/value are removed; with end_active, active
 * pulses are ended at once and their lines released. Returns the count.
 */
unsigned int ogate_cancel_locked(struct ogate_dev *od, u64 owner, u32 how,
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
int ogate_queue(struct ogate_file *f, struct ogate_trigger *t, unsigned int n,
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
