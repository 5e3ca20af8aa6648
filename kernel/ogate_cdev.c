// SPDX-License-Identifier: GPL-2.0
/*
 * ogate: the character device /dev/ogateN: open, read, poll and ioctls.
 */
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>

#include "ogate_priv.h"

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
	/* the count goes back to userspace: fail before cancelling anything */
	if (copy_to_user(arg, &c, sizeof(c)))
		return -EFAULT;

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
	if (c.count)
		ogate_kick(od);
	raw_spin_unlock_irqrestore(&od->lock, flags);
	if (unlikely(ogate_debug_delay_us))
		fsleep(ogate_debug_delay_us);
	if (ret)
		return ret;
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long ogate_ioctl_stats(struct ogate_file *f, void __user *arg, bool writable)
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
	/* resetting device-wide counters changes the device, like queueing */
	if ((in_flags & OGATE_STATS_RESET) && !writable)
		return -EBADF;
	/* the counters go back to userspace: fail before resetting them */
	if (copy_to_user(arg, &s, sizeof(s)))
		return -EFAULT;

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
		.late_threshold_ns = ogate_late_threshold_ns,
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
		return ogate_ioctl_stats(f, uarg, file->f_mode & FMODE_WRITE);
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

/*
 * Copy whole records straight from the ring (no stack buffer) and consume
 * them only once the copy succeeded, so a bad buffer loses nothing: the
 * producers never overwrite unread slots, and read_lock keeps other readers
 * of this file out meanwhile. Lost events are reported by an OVERFLOW
 * record after the ring's records.
 */
static ssize_t ogate_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct ogate_file *f = file->private_data;
	size_t max = count / sizeof(struct ogate_event);
	struct ogate_event ovf = { .type = OGATE_EVENT_OVERFLOW };
	unsigned int tail, n, first;
	unsigned long flags;
	ssize_t ret;

	if (!max)
		return -EINVAL;
	if (mutex_lock_interruptible(&f->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		spin_lock_irqsave(&f->lock, flags);
		tail = f->tail;
		n = min_t(size_t, ogate_file_count(f), max);
		if (n < max && n == ogate_file_count(f) && f->dropped) {
			ovf.seq = f->dropped;
			f->dropped = 0;
		}
		spin_unlock_irqrestore(&f->lock, flags);
		if (n || ovf.seq)
			break;
		ret = -ENODEV;
		if (READ_ONCE(f->od->dead))
			goto out;
		ret = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		ret = wait_event_interruptible(f->wait,
					       ogate_readable(f) || READ_ONCE(f->od->dead));
		if (ret)
			goto out;
	}
	first = min(n, OGATE_EVENT_DEPTH - tail % OGATE_EVENT_DEPTH);
	ret = -EFAULT;
	if (copy_to_user(buf, &f->ring[tail % OGATE_EVENT_DEPTH], first * sizeof(ovf)) ||
	    copy_to_user(buf + first * sizeof(ovf), f->ring, (n - first) * sizeof(ovf)) ||
	    (ovf.seq && copy_to_user(buf + n * sizeof(ovf), &ovf, sizeof(ovf)))) {
		spin_lock_irqsave(&f->lock, flags);
		f->dropped += ovf.seq;	/* still to be reported */
		spin_unlock_irqrestore(&f->lock, flags);
		goto out;
	}
	spin_lock_irqsave(&f->lock, flags);
	f->tail += n;
	spin_unlock_irqrestore(&f->lock, flags);
	ret = (n + !!ovf.seq) * sizeof(ovf);
out:
	mutex_unlock(&f->read_lock);
	return ret;
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
	mutex_init(&f->read_lock);
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

const struct file_operations ogate_fops = {
	.owner = THIS_MODULE,
	.open = ogate_open,
	.release = ogate_release,
	.read = ogate_read,
	.poll = ogate_poll,
	.unlocked_ioctl = ogate_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
