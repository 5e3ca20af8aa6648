// SPDX-License-Identifier: GPL-2.0
/*
 * ogate: frame-edge interrupts (timestamped in hard IRQ context) and
 * delivery of events to the rings of open files (in process context).
 */

#include "ogate_priv.h"

/* Record an event from any context; ogate_kick() schedules its delivery. */
void ogate_raw_push(struct ogate_dev *od, const struct ogate_event *ev, u64 owner)
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

void ogate_pulse_event(struct ogate_dev *od, const struct ogate_pulse *p,
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

unsigned int ogate_file_count(const struct ogate_file *f)
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

/*
 * Schedule delivery of the raw events. Called with od->lock held, so it
 * cannot race with remove(): once remove() marked the device dead and
 * flushed the work, nothing queues it again.
 */
void ogate_kick(struct ogate_dev *od)
{
	lockdep_assert_held(&od->lock);
	if (!od->dead)
		queue_work(system_highpri_wq, &od->work);
}

/* Move raw events to the rings of the open files; process context. */
void ogate_deliver(struct ogate_dev *od)
{
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

void ogate_deliver_work(struct work_struct *work)
{
	struct ogate_dev *od = container_of(work, struct ogate_dev, work);

	/* Queued after remove() delivered the last events: a lifetime bug. */
	WARN_ON_ONCE(READ_ONCE(od->delivery_done));
	ogate_deliver(od);
}

irqreturn_t ogate_frame_irq(int irq, void *data)
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
	ogate_kick(od);
	raw_spin_unlock_irqrestore(&od->lock, flags);
	return IRQ_HANDLED;
}
