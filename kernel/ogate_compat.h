/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ogate: the kernel API differences between the releases ogate builds on
 * (Debian 12's 6.1 through Pi OS's 6.12 and later), in one place, keyed on
 * LINUX_VERSION_CODE. The driver calls only the ogate_* names below.
 *
 *   6.3   platform_driver.remove_new (void) added beside the int .remove
 *   6.11  platform_driver.remove returns void; .remove_new later removed
 *   6.12  no_llseek removed (a stream_open()ed file needs no .llseek)
 *   6.13  hrtimer_setup() replaces hrtimer_init() + assigning .function
 */
#ifndef OGATE_COMPAT_H
#define OGATE_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/platform_device.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
static inline void ogate_hrtimer_setup(struct hrtimer *timer,
				       enum hrtimer_restart (*fn)(struct hrtimer *),
				       clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_setup(timer, fn, clock, mode);
}
#else
static inline void ogate_hrtimer_setup(struct hrtimer *timer,
				       enum hrtimer_restart (*fn)(struct hrtimer *),
				       clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
}
#endif

/*
 * OGATE_PLATFORM_REMOVE(fn) declares the remove callback for a
 * "void fn(struct platform_device *)" in struct platform_driver, and
 * OGATE_DEFINE_REMOVE(fn) (placed after fn) adds the int wrapper the
 * releases before 6.3 need.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define OGATE_PLATFORM_REMOVE(fn)	.remove = (fn)
#define OGATE_DEFINE_REMOVE(fn)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define OGATE_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#define OGATE_DEFINE_REMOVE(fn)
#else
#define OGATE_PLATFORM_REMOVE(fn)	.remove = fn##_int
#define OGATE_DEFINE_REMOVE(fn)						\
	static int fn##_int(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
		return 0;						\
	}
#endif

#endif /* OGATE_COMPAT_H */
