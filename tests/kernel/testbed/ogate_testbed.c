// SPDX-License-Identifier: GPL-2.0
/*
 * Test bed for ogate.ko (test-only, never installed).
 *
 * Registers "ogate-sim", a non-sleeping GPIO chip built on the public
 * gpio_chip API only (like the Pi's GPIO controllers it can be driven
 * from hard-IRQ context), a gpiod_lookup_table that hands its lines to
 * an "ogate" platform device, and that platform device.
 *
 * Lines: 0..2 outputs (ogate trigger0..2), 3 a spare output for the
 * userspace comparison path, 4..5 inputs (ogate frame0..1), 6 a spare
 * input. Every value change of every line is logged with ktime_get_ns()
 * at the moment the chip is written, so tests see what the "pins" did.
 *
 * /dev/ogate_testbed:
 *   read()  binary log records (struct tb_rec), oldest first
 *   write() text commands, one per write:
 *     "edge LINE [COUNT]"  COUNT rising+falling edges on input LINE, each
 *                          raised from a real hard IRQ (irq_work)
 *     "loopback 0|1"       when 1, output 0 drives input 4
 *     "attach" / "detach"  register / unregister the ogate platform device
 *     "low MASK"           fails (EIO) unless every output in hex MASK is low
 *     "clear"              drop the log
 */
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#define TB_NGPIO	8
#define TB_OUT_MASK	0x0f
#define TB_LOG_DEPTH	16384
#define TB_LOOP_OUT	0
#define TB_LOOP_IN	4

static bool sleeping;
module_param(sleeping, bool, 0444);
MODULE_PARM_DESC(sleeping, "Register the chip as one that can sleep (probe must refuse it)");

static bool attach = true;
module_param(attach, bool, 0444);
MODULE_PARM_DESC(attach, "Register the ogate platform device at load time");

struct tb_rec {
	u64 ts;
	u32 line;
	u32 value;
};

struct tb {
	struct gpio_chip gc;
	raw_spinlock_t lock;
	unsigned long values;
	unsigned long irq_enabled;
	unsigned int irq_type[TB_NGPIO];
	bool loopback;
	struct tb_rec log[TB_LOG_DEPTH];
	unsigned int head, tail;
	u64 lost;
	struct irq_work edge_work;
	unsigned int edge_line;
	struct irq_work fire_work;
	unsigned long fire_pending;
	struct mutex cmd_lock;	/* serialises commands written to the chardev */
	struct platform_device *parent;
	struct platform_device *ogate;
};

static struct tb *tb;

static void tb_log(unsigned int line, unsigned int value, u64 ts)
{
	if (tb->head - tb->tail >= TB_LOG_DEPTH) {
		tb->lost++;
		return;
	}
	tb->log[tb->head++ % TB_LOG_DEPTH] = (struct tb_rec){ ts, line, value };
}

/*
 * Change an input line; returns true when that edge raises its interrupt.
 * Called with tb->lock held and interrupts off. The caller delivers the
 * interrupt once it no longer holds locks, as hardware would: an edge on
 * a CPU running with interrupts off is served when they are re-enabled.
 */
static bool tb_input(unsigned int line, unsigned int value, u64 ts)
{
	unsigned int type = tb->irq_type[line];

	if (test_bit(line, &tb->values) == !!value)
		return false;
	__assign_bit(line, &tb->values, value);
	tb_log(line, value, ts);
	return test_bit(line, &tb->irq_enabled) &&
	       ((value && (type & IRQ_TYPE_EDGE_RISING)) ||
		(!value && (type & IRQ_TYPE_EDGE_FALLING)));
}

/* Hard IRQ context: deliver interrupts raised by loopback edges. */
static void tb_fire_fn(struct irq_work *work)
{
	unsigned long pending = xchg(&tb->fire_pending, 0);
	unsigned int line;

	for_each_set_bit(line, &pending, TB_NGPIO)
		generic_handle_domain_irq(tb->gc.irq.domain, line);
}

static void tb_set_locked(unsigned long mask, unsigned long bits)
{
	u64 ts = ktime_get_ns();
	unsigned long changed = (tb->values ^ bits) & mask & TB_OUT_MASK;
	unsigned int line;

	for_each_set_bit(line, &changed, TB_NGPIO) {
		__assign_bit(line, &tb->values, test_bit(line, &bits));
		tb_log(line, test_bit(line, &bits), ts);
	}
	if (tb->loopback && (changed & BIT(TB_LOOP_OUT)) &&
	    tb_input(TB_LOOP_IN, test_bit(TB_LOOP_OUT, &bits), ts)) {
		set_bit(TB_LOOP_IN, &tb->fire_pending);
		irq_work_queue(&tb->fire_work);
	}
}

static void tb_set_multiple(struct gpio_chip *gc, unsigned long *mask, unsigned long *bits)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&tb->lock, flags);
	tb_set_locked(*mask, *bits);
	raw_spin_unlock_irqrestore(&tb->lock, flags);
}

static void tb_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	unsigned long mask = BIT(offset), bits = value ? BIT(offset) : 0;

	tb_set_multiple(gc, &mask, &bits);
}

static int tb_get(struct gpio_chip *gc, unsigned int offset)
{
	return test_bit(offset, &tb->values);
}

static int tb_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return (BIT(offset) & TB_OUT_MASK) ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int tb_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	return (BIT(offset) & TB_OUT_MASK) ? -EINVAL : 0;
}

static int tb_direction_output(struct gpio_chip *gc, unsigned int offset, int value)
{
	if (!(BIT(offset) & TB_OUT_MASK))
		return -EINVAL;
	tb_set(gc, offset, value);
	return 0;
}

static void tb_irq_mask(struct irq_data *d)
{
	clear_bit(irqd_to_hwirq(d), &tb->irq_enabled);
	gpiochip_disable_irq(&tb->gc, irqd_to_hwirq(d));
}

static void tb_irq_unmask(struct irq_data *d)
{
	gpiochip_enable_irq(&tb->gc, irqd_to_hwirq(d));
	set_bit(irqd_to_hwirq(d), &tb->irq_enabled);
}

static int tb_irq_set_type(struct irq_data *d, unsigned int type)
{
	if (!(type & IRQ_TYPE_EDGE_BOTH))
		return -EINVAL;
	tb->irq_type[irqd_to_hwirq(d)] = type & IRQ_TYPE_EDGE_BOTH;
	return 0;
}

static const struct irq_chip tb_irq_chip = {
	.name = "ogate-sim",
	.irq_mask = tb_irq_mask,
	.irq_unmask = tb_irq_unmask,
	.irq_set_type = tb_irq_set_type,
	.flags = IRQCHIP_IMMUTABLE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

/* Runs in hard IRQ context: one full pulse on an input line. */
static void tb_edge_fn(struct irq_work *work)
{
	unsigned int line = tb->edge_line;
	unsigned long flags;
	bool fire;

	raw_spin_lock_irqsave(&tb->lock, flags);
	fire = tb_input(line, 1, ktime_get_ns());
	raw_spin_unlock_irqrestore(&tb->lock, flags);
	if (fire)
		generic_handle_domain_irq(tb->gc.irq.domain, line);
	raw_spin_lock_irqsave(&tb->lock, flags);
	fire = tb_input(line, 0, ktime_get_ns());
	raw_spin_unlock_irqrestore(&tb->lock, flags);
	if (fire)
		generic_handle_domain_irq(tb->gc.irq.domain, line);
}

static const char * const tb_trigger_names[] = { "laser", "camera", "aux" };
static const char * const tb_frame_names[] = { "xvs", "strobe" };

static const struct property_entry tb_ogate_props[] = {
	PROPERTY_ENTRY_STRING_ARRAY("trigger-names", tb_trigger_names),
	PROPERTY_ENTRY_STRING_ARRAY("frame-names", tb_frame_names),
	{ }
};

static struct gpiod_lookup_table tb_lookup = {
	.dev_id = "ogate.0",
	.table = {
		GPIO_LOOKUP_IDX("ogate-sim", 0, "trigger", 0, GPIO_ACTIVE_HIGH),
		GPIO_LOOKUP_IDX("ogate-sim", 1, "trigger", 1, GPIO_ACTIVE_HIGH),
		GPIO_LOOKUP_IDX("ogate-sim", 2, "trigger", 2, GPIO_ACTIVE_HIGH),
		GPIO_LOOKUP_IDX("ogate-sim", 4, "frame", 0, GPIO_ACTIVE_HIGH),
		GPIO_LOOKUP_IDX("ogate-sim", 5, "frame", 1, GPIO_ACTIVE_HIGH),
		{ }
	},
};

static int tb_attach(void)
{
	struct platform_device_info info = {
		.name = "ogate",
		.id = 0,
		.properties = tb_ogate_props,
	};
	struct platform_device *pdev;

	if (tb->ogate)
		return -EBUSY;
	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	tb->ogate = pdev;
	return 0;
}

static void tb_detach(void)
{
	if (tb->ogate)
		platform_device_unregister(tb->ogate);
	tb->ogate = NULL;
}

static ssize_t tb_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct tb_rec rec[64];
	unsigned long flags;
	size_t n;

	count = min_t(size_t, count / sizeof(rec[0]), ARRAY_SIZE(rec));
	raw_spin_lock_irqsave(&tb->lock, flags);
	for (n = 0; n < count && tb->tail != tb->head; n++)
		rec[n] = tb->log[tb->tail++ % TB_LOG_DEPTH];
	raw_spin_unlock_irqrestore(&tb->lock, flags);
	if (copy_to_user(buf, rec, n * sizeof(rec[0])))
		return -EFAULT;
	return n * sizeof(rec[0]);
}

static ssize_t tb_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	unsigned int line, n = 1, i, v;
	unsigned long flags;
	char buf[64];
	int ret = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;

	mutex_lock(&tb->cmd_lock);
	if (sscanf(buf, "edge %u %u", &line, &n) >= 1) {
		if (line >= TB_NGPIO || (BIT(line) & TB_OUT_MASK)) {
			ret = -EINVAL;
		} else {
			for (i = 0; i < n; i++) {
				tb->edge_line = line;
				irq_work_queue(&tb->edge_work);
				irq_work_sync(&tb->edge_work);
			}
		}
	} else if (sscanf(buf, "loopback %u", &v) == 1) {
		raw_spin_lock_irqsave(&tb->lock, flags);
		tb->loopback = v;
		raw_spin_unlock_irqrestore(&tb->lock, flags);
	} else if (sscanf(buf, "low %x", &v) == 1) {
		/* fails unless every output line of the hex mask is low */
		ret = tb->values & v & TB_OUT_MASK ? -EIO : 0;
	} else if (!strncmp(buf, "attach", 6)) {
		ret = tb_attach();
	} else if (!strncmp(buf, "detach", 6)) {
		tb_detach();
	} else if (!strncmp(buf, "clear", 5)) {
		raw_spin_lock_irqsave(&tb->lock, flags);
		tb->tail = tb->head;
		tb->lost = 0;
		raw_spin_unlock_irqrestore(&tb->lock, flags);
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&tb->cmd_lock);
	return ret ? ret : count;
}

static const struct file_operations tb_fops = {
	.owner = THIS_MODULE,
	.read = tb_read,
	.write = tb_write,
	.open = stream_open,
};

static struct miscdevice tb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ogate_testbed",
	.fops = &tb_fops,
};

static int __init tb_init(void)
{
	struct gpio_irq_chip *girq;
	int ret;

	tb = kvzalloc(sizeof(*tb), GFP_KERNEL);
	if (!tb)
		return -ENOMEM;
	raw_spin_lock_init(&tb->lock);
	mutex_init(&tb->cmd_lock);
	tb->edge_work = IRQ_WORK_INIT_HARD(tb_edge_fn);
	tb->fire_work = IRQ_WORK_INIT_HARD(tb_fire_fn);

	tb->parent = platform_device_register_simple("ogate-testbed", -1, NULL, 0);
	if (IS_ERR(tb->parent)) {
		ret = PTR_ERR(tb->parent);
		goto err_free;
	}

	tb->gc.label = "ogate-sim";
	tb->gc.parent = &tb->parent->dev;
	tb->gc.owner = THIS_MODULE;
	tb->gc.base = -1;
	tb->gc.ngpio = TB_NGPIO;
	tb->gc.can_sleep = sleeping;
	tb->gc.get = tb_get;
	tb->gc.set = tb_set;
	tb->gc.set_multiple = tb_set_multiple;
	tb->gc.get_direction = tb_get_direction;
	tb->gc.direction_input = tb_direction_input;
	tb->gc.direction_output = tb_direction_output;
	girq = &tb->gc.irq;
	gpio_irq_chip_set_chip(girq, &tb_irq_chip);
	girq->handler = handle_simple_irq;
	girq->default_type = IRQ_TYPE_NONE;
	ret = gpiochip_add_data(&tb->gc, tb);
	if (ret)
		goto err_parent;

	gpiod_add_lookup_table(&tb_lookup);
	ret = misc_register(&tb_misc);
	if (ret)
		goto err_chip;
	if (attach) {
		ret = tb_attach();
		if (ret)
			goto err_misc;
	}
	return 0;

err_misc:
	misc_deregister(&tb_misc);
err_chip:
	gpiod_remove_lookup_table(&tb_lookup);
	gpiochip_remove(&tb->gc);
err_parent:
	platform_device_unregister(tb->parent);
err_free:
	kvfree(tb);
	return ret;
}

static void __exit tb_exit(void)
{
	tb_detach();
	irq_work_sync(&tb->fire_work);
	misc_deregister(&tb_misc);
	gpiod_remove_lookup_table(&tb_lookup);
	gpiochip_remove(&tb->gc);
	platform_device_unregister(tb->parent);
	kvfree(tb);
}

module_init(tb_init);
module_exit(tb_exit);
MODULE_DESCRIPTION("Test bed for ogate: simulated non-sleeping GPIO chip with edge log");
MODULE_LICENSE("GPL");
