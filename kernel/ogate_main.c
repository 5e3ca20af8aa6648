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
 * to a work item. Events reach userspace through read() and poll().
 *
 * Safe state: closing the file that queued triggers cancels its pending
 * triggers and ends its active pulses; unbinding the device cancels
 * everything and drives every output inactive. No pulse starts afterwards.
 *
 * This part: the platform driver (probe, remove) and module parameters.
 */
#include <linux/idr.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ogate_compat.h"
#include "ogate_priv.h"

unsigned int ogate_late_threshold_ns = 10000;
module_param_named(late_threshold_ns, ogate_late_threshold_ns, uint, 0644);
MODULE_PARM_DESC(late_threshold_ns,
		 "Fired triggers later than this count as late in the stats (ns, default 10000)");

static unsigned int lead_ns = 2000;
module_param(lead_ns, uint, 0444);
MODULE_PARM_DESC(lead_ns,
		 "Arm the timer this early and spin to the exact edge time with interrupts off (ns, default 2000, max 20000, 0: off)");

unsigned int ogate_debug_delay_us;
module_param_named(debug_delay_us, ogate_debug_delay_us, uint, 0644);
MODULE_PARM_DESC(debug_delay_us,
		 "Testing only: sleep this long in the cancel ioctl after dropping the device lock, to widen its race with unbind (us, default 0)");

static DEFINE_IDA(ogate_ida);

void ogate_dev_release(struct kref *kref)
{
	struct ogate_dev *od = container_of(kref, struct ogate_dev, kref);

	/* the last reference: nothing can queue the delivery work any more */
	flush_work(&od->work);
	if (od->instance >= 0)
		ida_free(&ogate_ida, od->instance);
	kvfree(od->spans);
	kvfree(od);
}

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
	INIT_WORK(&od->work, ogate_deliver_work);
	for (i = 0; i < OGATE_QUEUE_DEPTH; i++)
		od->free_idx[i] = i;
	for (i = 0; i < OGATE_MAX_LINES; i++)
		od->line_spans[i] = RB_ROOT_CACHED;
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
	if (od->ntrig) {
		od->spans = kvcalloc(array_size(OGATE_QUEUE_DEPTH, od->ntrig),
				     sizeof(*od->spans), GFP_KERNEL);
		if (!od->spans)
			return -ENOMEM;
	}

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
	flush_work(&od->work);
	ogate_deliver(od);
	WRITE_ONCE(od->delivery_done, true);

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
