// SPDX-License-Identifier: GPL-2.0
/*
 * ogate: the time-sorted trigger queue and the ABS_HARD hrtimer that
 * drives pulse edges on the trigger lines.
 */
#include <linux/bitops.h>
#include <linux/interval_tree_generic.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ogate_priv.h"

#define OGATE_SPAN_START(s)	((s)->start)
#define OGATE_SPAN_LAST(s)	((s)->last)

INTERVAL_TREE_DEFINE(struct ogate_span, rb, u64, subtree_last,
		     OGATE_SPAN_START, OGATE_SPAN_LAST, static inline, ogate_span_tree)

static struct ogate_span *ogate_span_of(struct ogate_dev *od, const struct ogate_pulse *p,
					unsigned int line)
{
	return &od->spans[(p - od->pool) * od->ntrig + line];
}

/* Enter p's interval [start, start + width) in the tree of each of its lines. */
static void ogate_spans_add(struct ogate_dev *od, struct ogate_pulse *p, u64 start)
{
	unsigned long m = p->mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES) {
		struct ogate_span *sp = ogate_span_of(od, p, b);

		sp->start = start;
		sp->last = start + p->width_ns - 1;
		ogate_span_tree_insert(sp, &od->line_spans[b]);
	}
}

static void ogate_spans_del(struct ogate_dev *od, struct ogate_pulse *p)
{
	unsigned long m = p->mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		ogate_span_tree_remove(ogate_span_of(od, p, b), &od->line_spans[b]);
}

/* Whether a pulse on mask over [start, start + width) meets a queued one. */
static bool ogate_spans_busy(struct ogate_dev *od, u32 mask, u64 start, u32 width)
{
	unsigned long m = mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		if (ogate_span_tree_iter_first(&od->line_spans[b], start, start + width - 1))
			return true;
	return false;
}

/* Queue a pulse at its next edge; the timer fires lead_ns before it. */
static void ogate_pulse_enqueue(struct ogate_dev *od, struct ogate_pulse *p, u64 edge_ns)
{
	p->edge_ns = edge_ns;
	p->node.expires = edge_ns > od->lead_ns ? edge_ns - od->lead_ns : 0;
	timerqueue_add(&od->queue, &p->node);
}

static struct ogate_pulse *ogate_pulse_alloc(struct ogate_dev *od)
{
	return &od->pool[od->free_idx[OGATE_QUEUE_DEPTH - ++od->used]];
}

static void ogate_pulse_free(struct ogate_dev *od, struct ogate_pulse *p)
{
	ogate_spans_del(od, p);
	p->state = OGATE_FREE;
	od->free_idx[OGATE_QUEUE_DEPTH - od->used--] = p - od->pool;
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

/* Lines of mask are held (one active pulse per line) until its fall at fall_ns. */
static void ogate_lines_hold(struct ogate_dev *od, u32 mask, u64 fall_ns)
{
	unsigned long m = mask;
	unsigned int b;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		od->line_fall[b] = fall_ns;
}

static void ogate_stats_lateness(struct ogate_stats *s, u64 late)
{
	unsigned int b = late < 256 ? 0 : min_t(unsigned int, fls64(late) - 8,
						  OGATE_HIST_BUCKETS - 1);

	/* called before fired counts this pulse: fired is the sample count */
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

/* From the timer callback: never earlier than OGATE_REARM_NS from now. */
static void ogate_rearm(struct ogate_dev *od, u64 now)
{
	struct timerqueue_node *next = timerqueue_getnext(&od->queue);
	u64 at;

	if (!next)
		return;
	at = max_t(u64, next->expires, now + OGATE_REARM_NS);
	hrtimer_start(&od->timer, ns_to_ktime(at), HRTIMER_MODE_ABS_HARD);
}

/* When the active pulses holding any line of mask fall: O(lines). */
static u64 ogate_held_until(const struct ogate_dev *od, u32 mask)
{
	unsigned long m = mask & (u32)od->values[0];
	unsigned int b;
	u64 until = 0;

	for_each_set_bit(b, &m, OGATE_MAX_LINES)
		until = max(until, od->line_fall[b]);
	return until;
}

/*
 * One expiry serves at most one edge time: it spins (interrupts off) to the
 * earliest due edge, at most lead_ns, applies up to OGATE_DUE_BATCH edges
 * that are due by then with one array write, and re-arms no earlier than
 * OGATE_REARM_NS later. However many edges are queued close together,
 * interrupts stay off for at most lead_ns plus one write per expiry.
 */
enum hrtimer_restart ogate_timer_fn(struct hrtimer *timer)
{
	struct ogate_dev *od = container_of(timer, struct ogate_dev, timer);
	struct ogate_pulse *due[OGATE_DUE_BATCH];
	struct timerqueue_node *node;
	u64 entry = ktime_get_ns();
	bool events = false;
	unsigned long flags;
	unsigned int i, n, seen;
	u64 now, t_set;
	u32 touched;

	raw_spin_lock_irqsave(&od->lock, flags);
	if (od->dead)
		goto out;
	node = timerqueue_getnext(&od->queue);
	now = ktime_get_ns();
	if (!node || node->expires > now)
		goto rearm;
	/*
	 * Inside the lead window of the next edge: spin to its exact time
	 * (at most lead_ns, interrupts off), as pps_gen_parport does, so the
	 * edge does not inherit the timer's IRQ latency.
	 */
	while (now < container_of(node, struct ogate_pulse, node)->edge_ns) {
		cpu_relax();
		now = ktime_get_ns();
	}
	/*
	 * One edge per line per write, earliest first, so every edge reaches
	 * the pin; a rise on a line another pulse still holds (it rose late,
	 * or the pulses touch) waits for that fall instead of merging with
	 * it. Its lateness policy still applies.
	 */
	n = 0;
	touched = 0;
	for (seen = 0; seen < OGATE_DUE_BATCH; seen++) {
		struct ogate_pulse *p;

		node = timerqueue_getnext(&od->queue);
		if (!node)
			break;
		p = container_of(node, struct ogate_pulse, node);
		if (p->edge_ns > now || (p->mask & touched))
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
	if (n) {
		ogate_set_lines(od);
		t_set = ktime_get_ns();
	}
	for (i = 0; i < n; i++) {
		struct ogate_pulse *p = due[i];

		if (p->state == OGATE_PENDING) {
			p->state = OGATE_ACTIVE;
			p->rise_ns = t_set;
			/* its interval now starts at the measured rise */
			ogate_spans_del(od, p);
			ogate_spans_add(od, p, t_set);
			ogate_pulse_enqueue(od, p, t_set + p->width_ns);
			ogate_lines_hold(od, p->mask, p->edge_ns);
		} else {
			/* lateness and fired counted together, at the fall */
			ogate_stats_lateness(&od->stats, p->rise_ns - p->time_ns);
			ogate_pulse_event(od, p, OGATE_EVENT_FIRED, p->rise_ns, t_set);
			od->stats.fired++;
			ogate_pulse_free(od, p);
			events = true;
		}
	}
rearm:
	now = ktime_get_ns();
	ogate_rearm(od, now);
	if (events)
		ogate_kick(od);
	if (now - entry > od->stats.irqoff_max_ns)
		od->stats.irqoff_max_ns = now - entry;
out:
	raw_spin_unlock_irqrestore(&od->lock, flags);
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
	unsigned int i, j;
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
	for (i = 0; i < n; i++) {
		if (ogate_spans_busy(od, t[i].line_mask, t[i].time_ns, t[i].width_ns)) {
			ret = -EBUSY;
			goto unlock;
		}
	}
	for (i = 0; i < n; i++) {
		struct ogate_pulse *p = ogate_pulse_alloc(od);

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
		ogate_spans_add(od, p, t[i].time_ns);
		ogate_pulse_enqueue(od, p, t[i].time_ns);
		od->stats.queued++;
	}
	ogate_arm(od);
	ret = 0;
unlock:
	raw_spin_unlock_irqrestore(&od->lock, flags);
	return ret;
}
