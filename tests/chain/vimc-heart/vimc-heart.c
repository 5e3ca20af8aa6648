// SPDX-License-Identifier: GPL-2.0
/*
 * A beating heart in front of vimc's sensor (test-only, never installed).
 *
 * At probe the module loads one heart cycle as firmware (heart_fw, default
 * "ogate-heart.bin": magic "OGHEART1", then little-endian u32 n, width,
 * height, then n grey images of width x height bytes; image k shows the
 * heart at phase k/n of its cycle). Without the firmware vimc behaves as
 * stock vimc.
 *
 * The streamer thread takes each frame at an absolute instant t (paced at
 * frame_interval_us, or vimc's own 60 Hz when 0); the sensor fills the frame
 * with the heart at its true phase at t (linear blend of the two nearest
 * images, scaled to the sensor size, plus Gaussian-like noise), and the
 * capture stage stamps the buffer with the same t. So image and timestamp
 * describe one instant, whatever the VM's scheduling does.
 *
 * The phase law, in cycles, with t in CLOCK_MONOTONIC seconds:
 *   c(t) = t / P + a * Tm / (2 pi P) * (1 - cos(2 pi t / Tm))
 * P = period_us, a = mod_ppm / 1e6, Tm = mod_period_us: instantaneous rate
 * 1/P * (1 + a sin(2 pi t / Tm)).
 *
 * /dev/vimc_heart (read, consuming): one text line per delivered frame,
 * "SEQ TS_NS CYCLES_Q32" (buffer sequence, buffer timestamp, and c at the
 * image's instant in units of 2^-32 cycle, as this module computed it;
 * the same instant as TS unless stamp_offset_us injects a fault).
 */
#include <linux/firmware.h>
#include <linux/fixp-arith.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vimc-heart.h"

static char *heart_fw = "ogate-heart.bin";
module_param(heart_fw, charp, 0444);
MODULE_PARM_DESC(heart_fw, "Firmware file with one heart cycle (empty: stock vimc)");

static uint period_us = 500000;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "Mean heart period in microseconds");

static uint mod_ppm;
module_param(mod_ppm, uint, 0444);
MODULE_PARM_DESC(mod_ppm, "Relative amplitude of the heart rate modulation, in ppm (< 500000)");

static uint mod_period_us = 7000000;
module_param(mod_period_us, uint, 0444);
MODULE_PARM_DESC(mod_period_us, "Period of the heart rate modulation in microseconds");

static uint noise;
module_param(noise, uint, 0444);
MODULE_PARM_DESC(noise, "Standard deviation of pixel noise in grey levels");

static uint seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "Noise seed");

static int stamp_offset_us;
module_param(stamp_offset_us, int, 0444);
MODULE_PARM_DESC(stamp_offset_us, "Fault injection: stamp buffers this far from the image's instant");

static uint frame_interval_us;
module_param(frame_interval_us, uint, 0444);
MODULE_PARM_DESC(frame_interval_us, "Frame interval in microseconds (0: vimc's 60 Hz sleep)");

#define HEART_MAGIC	"OGHEART1"
#define HEART_HDR	20
#define HEART_LOG	16384
#define TWO32_OVER_2PI	683565276ULL	/* 2^32 / (2 pi) */
#define COS_TWOPI	BIT(18)	/* fixp_cos32_rad's finest full circle */
#define Q31_ONE		0x7fffffffU

struct heart_rec {
	u32 seq;
	u64 ts;
	u64 cycles;
};

static struct {
	const u8 *img;		/* n images of w x h, owned by fw */
	const struct firmware *fw;
	u32 n, w, h;
	u64 now;		/* instant of the frame in flight (streamer thread) */
	u32 rng;
	spinlock_t lock;	/* log: capture stage (streamer thread) vs readers */
	struct heart_rec *log;
	unsigned int head, tail;
	u64 lost;
	bool misc;
} heart;

static u64 heart_cycles_q32(u64 t_ns)
{
	u64 p_ns = (u64)period_us * NSEC_PER_USEC;
	u64 c = mul_u64_u64_div_u64(t_ns, 1ULL << 32, p_ns);

	if (mod_ppm && mod_period_us) {
		u64 tm_ns = (u64)mod_period_us * NSEC_PER_USEC, rem, amp, omc;
		u32 rad;

		div64_u64_rem(t_ns, tm_ns, &rem);
		rad = (u32)mul_u64_u64_div_u64(rem, COS_TWOPI, tm_ns);
		omc = (u64)((s64)Q31_ONE - fixp_cos32_rad(rad, COS_TWOPI));
		/* a Tm / (2 pi P) in 2^-32 cycles */
		amp = mul_u64_u64_div_u64((u64)mod_ppm * mod_period_us, TWO32_OVER_2PI,
					  (u64)USEC_PER_SEC * period_us);
		c += mul_u64_u64_div_u64(amp, omc, Q31_ONE);
	}
	return c;
}

static u32 heart_rand(void)
{
	u32 x = heart.rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	heart.rng = x;
	return x;
}

bool vimc_heart_paced(void)
{
	return heart.img && frame_interval_us;
}

void vimc_heart_wait(u64 *next)
{
	u64 period = (u64)frame_interval_us * NSEC_PER_USEC, now = ktime_get_ns();

	if (vimc_heart_paced()) {
		if (!*next || now >= *next + period) {
			*next = now;	/* first frame, or more than a frame late */
		} else if (now < *next) {
			ktime_t t = ns_to_ktime(*next);

			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule_hrtimeout_range(&t, 0, HRTIMER_MODE_ABS);
		}
		*next += period;
	}
	WRITE_ONCE(heart.now, ktime_get_ns());
}

u64 vimc_heart_stamp(void)
{
	if (!heart.img)
		return ktime_get_ns();
	return READ_ONCE(heart.now) + (s64)stamp_offset_us * NSEC_PER_USEC;
}

bool vimc_heart_fill(u8 *frame, unsigned int width, unsigned int height, unsigned int bpp)
{
	u64 pos;
	u32 i, j, wt, x, y;
	const u8 *a, *b;

	if (!heart.img || !frame)
		return false;
	/* position in the cycle, in 2^-8 images */
	pos = ((heart_cycles_q32(READ_ONCE(heart.now)) & 0xffffffffULL) * heart.n) >> 24;
	i = (u32)(pos >> 8) % heart.n;
	j = (i + 1) % heart.n;
	wt = pos & 0xff;
	a = heart.img + (size_t)i * heart.w * heart.h;
	b = heart.img + (size_t)j * heart.w * heart.h;
	for (y = 0; y < height; y++) {
		u32 row = (y * heart.h / height) * heart.w;

		for (x = 0; x < width; x++) {
			u32 k = row + x * heart.w / width;
			int v = (a[k] * (256 - wt) + b[k] * wt + 128) >> 8;

			if (noise) {
				u32 r = heart_rand();
				/* sum of 4 uniform bytes: mean 510, sd 147.8 */
				int s = (int)((r & 0xff) + ((r >> 8) & 0xff) + ((r >> 16) & 0xff) +
					      (r >> 24)) - 510;

				v += s * (int)noise * 10 / 1478;
			}
			memset(frame, clamp(v, 0, 255), bpp);
			frame += bpp;
		}
	}
	return true;
}

void vimc_heart_log(u32 sequence, u64 ts_ns)
{
	unsigned long flags;

	if (!heart.log)
		return;
	spin_lock_irqsave(&heart.lock, flags);
	if (heart.head - heart.tail >= HEART_LOG)
		heart.lost++;
	else
		heart.log[heart.head++ % HEART_LOG] = (struct heart_rec){
			sequence, ts_ns, heart_cycles_q32(READ_ONCE(heart.now)) };
	spin_unlock_irqrestore(&heart.lock, flags);
}

static ssize_t heart_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char line[64];
	struct heart_rec r;
	unsigned long flags;
	size_t done = 0;
	int len;

	while (done + sizeof(line) <= count) {
		spin_lock_irqsave(&heart.lock, flags);
		if (heart.tail == heart.head) {
			spin_unlock_irqrestore(&heart.lock, flags);
			break;
		}
		r = heart.log[heart.tail++ % HEART_LOG];
		spin_unlock_irqrestore(&heart.lock, flags);
		len = scnprintf(line, sizeof(line), "%u %llu %llu\n", r.seq, r.ts, r.cycles);
		if (copy_to_user(buf + done, line, len))
			return -EFAULT;
		done += len;
	}
	return done;
}

static const struct file_operations heart_fops = {
	.owner = THIS_MODULE,
	.read = heart_read,
	.open = nonseekable_open,
};

static struct miscdevice heart_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vimc_heart",
	.fops = &heart_fops,
};

int vimc_heart_probe(struct device *dev)
{
	const struct firmware *fw;
	u32 hdr[3];
	int ret;

	if (!heart_fw || !*heart_fw)
		return 0;
	if (!period_us || mod_ppm >= 500000) {
		dev_err(dev, "heart: period_us must be > 0 and mod_ppm < 500000\n");
		return -EINVAL;
	}
	ret = request_firmware(&fw, heart_fw, dev);
	if (ret) {
		dev_err(dev, "heart: firmware %s: %d\n", heart_fw, ret);
		return ret;
	}
	if (fw->size < HEART_HDR || memcmp(fw->data, HEART_MAGIC, 8)) {
		ret = -EINVAL;
		goto err_fw;
	}
	memcpy(hdr, fw->data + 8, sizeof(hdr));
	heart.n = le32_to_cpu(hdr[0]);
	heart.w = le32_to_cpu(hdr[1]);
	heart.h = le32_to_cpu(hdr[2]);
	if (!heart.n || !heart.w || !heart.h || heart.n > 4096 || heart.w > 1024 ||
	    heart.h > 1024 || fw->size != HEART_HDR + (size_t)heart.n * heart.w * heart.h) {
		ret = -EINVAL;
		goto err_fw;
	}
	heart.log = vzalloc(HEART_LOG * sizeof(*heart.log));
	if (!heart.log) {
		ret = -ENOMEM;
		goto err_fw;
	}
	spin_lock_init(&heart.lock);
	ret = misc_register(&heart_misc);
	if (ret)
		goto err_log;
	heart.misc = true;
	heart.rng = seed ? seed : 1;
	heart.fw = fw;
	heart.img = fw->data + HEART_HDR;
	dev_info(dev, "heart: %u images %ux%u, period %u us, modulation %u ppm over %u us, noise %u, frame interval %u us\n",
		 heart.n, heart.w, heart.h, period_us, mod_ppm, mod_period_us, noise,
		 frame_interval_us);
	return 0;

err_log:
	vfree(heart.log);
	heart.log = NULL;
err_fw:
	if (ret == -EINVAL)
		dev_err(dev, "heart: %s is not a heart cycle (size %zu)\n", heart_fw, fw->size);
	release_firmware(fw);
	return ret;
}

void vimc_heart_remove(void)
{
	if (heart.misc)
		misc_deregister(&heart_misc);
	heart.misc = false;
	heart.img = NULL;
	release_firmware(heart.fw);
	heart.fw = NULL;
	vfree(heart.log);
	heart.log = NULL;
}
