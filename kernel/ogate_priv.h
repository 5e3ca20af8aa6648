/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ogate: state shared by the parts of the module (one module, ogate.ko):
 *
 *   ogate_main.c   platform driver: probe, remove, module parameters
 *   ogate_cdev.c   the character device: open, read, poll, ioctls
 *   ogate_timer.c  the trigger queue and the hrtimer that drives pulses
 *   ogate_irq.c    frame-edge interrupts and event delivery to open files
 *
 * Locking: ogate_dev.lock (raw) protects the queue, pulses, line state,
 * statistics and the raw event ring; it is taken in the hrtimer callback
 * and the frame IRQ handler. files_lock protects the list of open files;
 * ogate_file.lock protects one file's event ring.
 */
#ifndef OGATE_PRIV_H
#define OGATE_PRIV_H

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gpio/consumer.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>

#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/timerqueue.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "ogate.h"

#define OGATE_QUEUE_DEPTH	256	/* pending + active pulses per device */
#define OGATE_EVENT_DEPTH	256	/* events buffered per open file */
#define OGATE_RAW_DEPTH		1024	/* hard-context events awaiting delivery */
#define OGATE_DUE_BATCH		16	/* edges applied with one array write */
/*
 * Interrupts are on for at least this long between two expiries of the
 * trigger timer when edges are due back to back, so one expiry never serves
 * more than one spin (at most lead_ns) and one array write.
 */
#define OGATE_REARM_NS		5000

extern unsigned int ogate_late_threshold_ns;
extern const struct file_operations ogate_fops;
extern unsigned int ogate_debug_delay_us;

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

/* One pulse's interval on one of its lines: a node of that line's interval tree. */
struct ogate_span {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
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
	u64 line_fall[OGATE_MAX_LINES];	/* fall of the pulse holding a line */
	DECLARE_BITMAP(values, OGATE_MAX_LINES);

	struct hrtimer timer;
	u64 lead_ns;		/* queue keys are edge_ns - lead_ns */
	struct timerqueue_head queue;
	struct ogate_pulse pool[OGATE_QUEUE_DEPTH];
	unsigned int used;
	u16 free_idx[OGATE_QUEUE_DEPTH];	/* stack of free pool slots */
	/*
	 * Per trigger line, the intervals of its pending and active pulses
	 * (spans[slot * ntrig + line]), so the overlap check of a queued
	 * trigger is O(lines * log n) under the lock.
	 */
	struct rb_root_cached line_spans[OGATE_MAX_LINES];
	struct ogate_span *spans;

	struct ogate_stats stats;
	struct ogate_raw_event raw[OGATE_RAW_DEPTH];
	unsigned int raw_head;
	unsigned int raw_tail;
	u64 raw_lost;

	bool delivery_done;	/* remove() delivered the last events */

	atomic64_t next_id;
	atomic64_t overflows;
	/*
	 * Fans raw events out to the open files in process context, so the
	 * hard-IRQ cost of an event does not depend on how many files are open.
	 * Queued only under lock and while !dead; flushed by remove and release.
	 */
	struct work_struct work;

	/* Open files; taken in the work that delivers events. */
	spinlock_t files_lock;
	struct list_head files;
	u64 next_file_id;
};

struct ogate_file {
	struct ogate_dev *od;
	struct list_head list;
	u64 id;
	spinlock_t lock;		/* ring, dropped; taken in the delivery work */
	struct mutex read_lock;		/* one reader at a time consumes the ring */
	wait_queue_head_t wait;
	unsigned int head;
	unsigned int tail;
	u64 dropped;
	struct ogate_event ring[OGATE_EVENT_DEPTH];
};

/* ogate_main.c */
void ogate_dev_release(struct kref *kref);

/* ogate_irq.c */
void ogate_raw_push(struct ogate_dev *od, const struct ogate_event *ev, u64 owner);
void ogate_pulse_event(struct ogate_dev *od, const struct ogate_pulse *p,
		       u32 type, u64 rise_ns, u64 fall_ns);
unsigned int ogate_file_count(const struct ogate_file *f);
void ogate_kick(struct ogate_dev *od);
void ogate_deliver(struct ogate_dev *od);
void ogate_deliver_work(struct work_struct *work);
irqreturn_t ogate_frame_irq(int irq, void *data);

/* ogate_timer.c */
enum hrtimer_restart ogate_timer_fn(struct hrtimer *timer);
void ogate_set_lines(struct ogate_dev *od);
void ogate_arm(struct ogate_dev *od);
unsigned int ogate_cancel_locked(struct ogate_dev *od, u64 owner, u32 how,
				 u64 value, bool end_active, bool report);
int ogate_queue(struct ogate_file *f, struct ogate_trigger *t, unsigned int n,
		struct ogate_trigger __user *ut);

#endif /* OGATE_PRIV_H */
