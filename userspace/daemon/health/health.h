/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Housekeeping: what ruins timing without failing loudly. Sampled by a
 * low-priority thread every health.period_ms:
 *   - CPU temperature (thermal zones; the CPU's zone when one is named so,
 *     else the hottest);
 *   - the Raspberry Pi's throttling and under-voltage flags: the firmware's
 *     get_throttled sysfs attribute where the Pi kernel has it, else the
 *     rpi_volt hwmon's in0_lcrit_alarm (under-voltage only);
 *   - frame-interval slip (measured against the mode's rate), frames dropped
 *     per stage and late triggers (the kernel's or sink's lateness), from
 *     the daemon through the input callback;
 *   - the daemon's memory (/proc/self/statm).
 * Each condition warns once when it starts and once when it clears (warn
 * callback; ogated logs them to the journal).
 *
 * Threads: ogate_health_get / ogate_health_format from any thread; the
 * sampler thread (or a caller of ogate_health_sample, the tests) runs the
 * input and warn callbacks; new/start/stop/free from one thread.
 */
#ifndef OGATE_HEALTH_H
#define OGATE_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

/* What the daemon reports at each sample (totals since start). */
struct ogate_health_input {
	bool running;
	double fps_measured, fps_nominal; /* 0: unknown */
	uint64_t drops_source, drops_analysis, drops_record;
	unsigned decimate; /* the analysis takes every decimate-th frame (0, 1: every frame) */
	uint64_t late;	   /* triggers fired late */
	int64_t lateness_max_ns;
	double lateness_mean_ns;
};

enum ogate_health_cond {
	OGATE_HEALTH_TEMP = 1 << 0,
	OGATE_HEALTH_UNDERVOLT = 1 << 1,
	OGATE_HEALTH_THROTTLED = 1 << 2,
	OGATE_HEALTH_SLIP = 1 << 3,
	OGATE_HEALTH_DROPS = 1 << 4,
	OGATE_HEALTH_LATE = 1 << 5,
	OGATE_HEALTH_MEMORY = 1 << 6,
};

struct ogate_health_figures {
	uint64_t samples;
	double temp_c;	    /* NAN when no thermal zone */
	bool has_throttled; /* a get_throttled attribute was found */
	bool has_undervolt; /* ... or at least an under-voltage alarm */
	uint32_t throttled; /* the firmware's bits (0 under-voltage now, 1 arm freq capped,
					 * 2 throttled, 3 soft temp limit; +16: has occurred) */
	double slip_pct;    /* measured vs nominal frame interval, NAN unknown */
	uint64_t drops_source, drops_analysis, drops_record; /* totals */
	uint64_t drops_recent;				     /* in the last period */
	uint64_t late, late_recent;
	double lateness_max_us, lateness_mean_us;
	uint64_t rss_bytes, vm_bytes;
	unsigned int active; /* enum ogate_health_cond bits now raised */
};

struct ogate_health_opts {
	const char *root; /* prefix for /sys and /proc; "" or NULL = the real ones */
	int64_t period_ns;
	double temp_warn_c, slip_warn_pct;
	uint64_t rss_warn_bytes;
	void (*input)(void *ctx, struct ogate_health_input *in); /* may be NULL */
	/* raised: the condition started (true) or cleared (false); msg says which and why */
	void (*warn)(void *ctx, bool raised, const char *msg);
	void *ctx;
};

struct ogate_health;

/* 0, or -EINVAL (no period or warn callback) or -ENOMEM; *out is set only on success. */
int ogate_health_new(struct ogate_health **out, const struct ogate_health_opts *o);
void ogate_health_sample(struct ogate_health *h); /* one sample now */
int ogate_health_start(struct ogate_health *h);	  /* the sampler thread, nice 10 */
void ogate_health_stop(struct ogate_health *h);
void ogate_health_free(struct ogate_health *h);
void ogate_health_get(struct ogate_health *h, struct ogate_health_figures *f);
/* The figures as health_* key/value pairs (for status, /api/status). */
void ogate_health_format(const struct ogate_health_figures *f,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx);

#endif
