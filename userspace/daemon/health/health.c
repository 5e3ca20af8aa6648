// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Housekeeping sampler (health.h). */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock-util.h"
#include "health.h"

#define TEMP_HYST_C 2.0 /* the temperature warning clears this far below */

struct ogate_health {
	struct ogate_health_opts o;
	char root[256];
	char throttled_path[512]; /* found once at creation; "" none */
	char undervolt_path[512];
	pthread_t thread;
	bool running;
	pthread_mutex_t lock; /* figures */
	pthread_cond_t wake;  /* CLOCK_MONOTONIC; stop */
	bool stop;
	struct ogate_health_figures f;
	uint64_t prev_drops, prev_late;
	bool first;
};

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static void find_sources(struct ogate_health *h)
{
	static const char *const throttled[] = {
		"/sys/devices/platform/soc/soc:firmware/get_throttled",
		"/sys/devices/platform/*/*firmware/get_throttled",
		"/sys/devices/platform/*firmware*/get_throttled",
	};
	char pat[512], name[64];
	glob_t g;

	for (size_t i = 0; i < sizeof(throttled) / sizeof(throttled[0]) && !h->throttled_path[0]; i++) {
		snprintf(pat, sizeof(pat), "%s%s", h->root, throttled[i]);
		if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc)
			snprintf(h->throttled_path, sizeof(h->throttled_path), "%s", g.gl_pathv[0]);
		globfree(&g);
	}
	snprintf(pat, sizeof(pat), "%s/sys/class/hwmon/hwmon*/name", h->root);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			if (read_line(g.gl_pathv[i], name, sizeof(name)) || strcmp(name, "rpi_volt"))
				continue;
			snprintf(h->undervolt_path, sizeof(h->undervolt_path), "%.*s/in0_lcrit_alarm",
				 (int)(strlen(g.gl_pathv[i]) - 5), g.gl_pathv[i]);
			break;
		}
	}
	globfree(&g);
}

/* The CPU's thermal zone if one is named so, else the hottest; NAN if none. */
static double read_temp(const struct ogate_health *h)
{
	char pat[512], path[600], type[64], val[32];
	double best = NAN, cpu = NAN;
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/sys/class/thermal/thermal_zone*", h->root);
	if (glob(pat, 0, NULL, &g))
		return NAN;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		double t;

		snprintf(path, sizeof(path), "%s/temp", g.gl_pathv[i]);
		if (read_line(path, val, sizeof(val)))
			continue;
		t = strtod(val, NULL) / 1000.0;
		if (!(t > -100 && t < 300))
			continue;
		if (!(t <= best))
			best = t;
		snprintf(path, sizeof(path), "%s/type", g.gl_pathv[i]);
		if (!read_line(path, type, sizeof(type)) &&
		    (strstr(type, "cpu") || strstr(type, "x86_pkg")))
			cpu = t;
	}
	globfree(&g);
	return isnan(cpu) ? best : cpu;
}

int ogate_health_new(struct ogate_health **out, const struct ogate_health_opts *o)
{
	struct ogate_health *h;
	pthread_condattr_t ca;

	if (o->period_ns <= 0 || !o->warn)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->o = *o;
	snprintf(h->root, sizeof(h->root), "%s", o->root ? o->root : "");
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &ca);
	pthread_condattr_destroy(&ca);
	h->f.temp_c = NAN;
	h->f.slip_pct = NAN;
	h->first = true;
	find_sources(h);
	*out = h;
	return 0;
}

/* Raise or clear one condition, warning on each change. */
static void cond(struct ogate_health *h, unsigned int *active, enum ogate_health_cond c, bool on,
		 const char *raised, const char *cleared)
{
	if (on == !!(*active & c))
		return;
	*active ^= c;
	h->o.warn(h->o.ctx, on, on ? raised : cleared);
}

void ogate_health_sample(struct ogate_health *h)
{
	struct ogate_health_input in = { 0 };
	struct ogate_health_figures f;
	char buf[64], msg[256], clr[160];
	unsigned long long size, res;
	uint64_t drops, late;
	bool hot;
	int n;

	pthread_mutex_lock(&h->lock);
	f = h->f;
	pthread_mutex_unlock(&h->lock);
	f.samples++;
	f.temp_c = read_temp(h);
	f.has_throttled = h->throttled_path[0] && !read_line(h->throttled_path, buf, sizeof(buf));
	f.throttled = f.has_throttled ? (uint32_t)strtoul(buf, NULL, 16) : 0;
	f.has_undervolt = f.has_throttled;
	if (!f.has_throttled && h->undervolt_path[0] &&
	    !read_line(h->undervolt_path, buf, sizeof(buf))) {
		f.has_undervolt = true;
		f.throttled = strtoul(buf, NULL, 10) ? 1 : 0;
	}
	{
		char line[128], path[300];

		snprintf(path, sizeof(path), "%s/proc/self/statm", h->root);
		if (!read_line(path, line, sizeof(line)) &&
		    sscanf(line, "%llu %llu", &size, &res) == 2) {
			f.vm_bytes = size * (uint64_t)sysconf(_SC_PAGESIZE);
			f.rss_bytes = res * (uint64_t)sysconf(_SC_PAGESIZE);
		}
	}
	if (h->o.input)
		h->o.input(h->o.ctx, &in);
	f.slip_pct = NAN;
	if (in.running && in.fps_nominal > 0 && in.fps_measured > 0)
		f.slip_pct = (in.fps_nominal / in.fps_measured - 1.0) * 100.0;
	f.drops_source = in.drops_source;
	f.drops_analysis = in.drops_analysis;
	f.drops_record = in.drops_record;
	drops = in.drops_source + in.drops_analysis + in.drops_record;
	late = in.late;
	f.drops_recent = h->first || drops < h->prev_drops ? 0 : drops - h->prev_drops;
	f.late_recent = h->first || late < h->prev_late ? 0 : late - h->prev_late;
	h->prev_drops = drops;
	h->prev_late = late;
	h->first = false;
	f.late = late;
	f.lateness_max_us = in.lateness_max_ns / 1e3;
	f.lateness_mean_us = in.lateness_mean_ns / 1e3;

	hot = !isnan(f.temp_c) &&
	      (f.temp_c >= h->o.temp_warn_c ||
	       ((f.active & OGATE_HEALTH_TEMP) && f.temp_c > h->o.temp_warn_c - TEMP_HYST_C));
	snprintf(msg, sizeof(msg), "CPU at %.1f C (warning at %.1f C): the Pi may throttle",
		 f.temp_c, h->o.temp_warn_c);
	snprintf(clr, sizeof(clr), "CPU temperature back to %.1f C", f.temp_c);
	cond(h, &f.active, OGATE_HEALTH_TEMP, hot, msg, clr);
	cond(h, &f.active, OGATE_HEALTH_UNDERVOLT, f.has_undervolt && (f.throttled & 1),
	     "under-voltage: the power supply sags (firmware flag); timing and SD card at risk",
	     "under-voltage cleared");
	snprintf(msg, sizeof(msg), "the firmware throttles the CPU (flags 0x%x)", f.throttled);
	cond(h, &f.active, OGATE_HEALTH_THROTTLED, f.has_throttled && (f.throttled & 0xe), msg,
	     "CPU throttling cleared");
	snprintf(msg, sizeof(msg),
		 "frame interval slips %.1f %% from the mode's (%.2f fps measured, %.2f set)",
		 f.slip_pct, in.fps_measured, in.fps_nominal);
	cond(h, &f.active, OGATE_HEALTH_SLIP,
	     !isnan(f.slip_pct) && fabs(f.slip_pct) >= h->o.slip_warn_pct, msg,
	     "frame interval back on the mode's rate");
	n = snprintf(msg, sizeof(msg),
		     "%llu frame(s) dropped in the last period (totals: source %llu, analysis %llu, record %llu)",
		     (unsigned long long)f.drops_recent, (unsigned long long)f.drops_source,
		     (unsigned long long)f.drops_analysis, (unsigned long long)f.drops_record);
	if (in.decimate > 1 && n > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n,
			 "; overloaded: the analysis takes 1 frame in %u", in.decimate);
	cond(h, &f.active, OGATE_HEALTH_DROPS, f.drops_recent > 0, msg, "no frame dropped any more");
	snprintf(msg, sizeof(msg), "%llu trigger(s) fired late in the last period (max %.1f us)",
		 (unsigned long long)f.late_recent, f.lateness_max_us);
	cond(h, &f.active, OGATE_HEALTH_LATE, f.late_recent > 0, msg, "no late trigger any more");
	snprintf(msg, sizeof(msg), "daemon memory %.1f MiB resident (warning at %.1f MiB)",
		 f.rss_bytes / 1048576.0, h->o.rss_warn_bytes / 1048576.0);
	cond(h, &f.active, OGATE_HEALTH_MEMORY,
	     h->o.rss_warn_bytes && f.rss_bytes >= h->o.rss_warn_bytes, msg,
	     "daemon memory back under its warning level");
	pthread_mutex_lock(&h->lock);
	h->f = f;
	pthread_mutex_unlock(&h->lock);
}

void ogate_health_get(struct ogate_health *h, struct ogate_health_figures *f)
{
	pthread_mutex_lock(&h->lock);
	*f = h->f;
	pthread_mutex_unlock(&h->lock);
}

static void *sampler_main(void *arg)
{
	struct ogate_health *h = arg;
	int64_t next = ogate_mono_ns();

	setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		struct timespec ts;

		pthread_mutex_unlock(&h->lock);
		ogate_health_sample(h);
		next += h->o.period_ns;
		ts = ogate_timespec(next);
		pthread_mutex_lock(&h->lock);
		while (!h->stop && pthread_cond_timedwait(&h->wake, &h->lock, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int ogate_health_start(struct ogate_health *h)
{
	int e = pthread_create(&h->thread, NULL, sampler_main, h);

	if (e)
		return -e;
	h->running = true;
	return 0;
}

void ogate_health_stop(struct ogate_health *h)
{
	if (!h || !h->running)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	h->running = false;
}

void ogate_health_free(struct ogate_health *h)
{
	if (!h)
		return;
	ogate_health_stop(h);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void ogate_health_format(const struct ogate_health_figures *f,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
	char v[64];

	snprintf(v, sizeof(v), isnan(f->temp_c) ? "unknown" : "%.1f", f->temp_c);
	kv(ctx, "health_temp_c", v);
	if (f->has_throttled)
		snprintf(v, sizeof(v), "0x%x", f->throttled);
	else
		snprintf(v, sizeof(v), "unknown");
	kv(ctx, "health_throttled", v);
	kv(ctx, "health_undervolt",
	   !f->has_undervolt	? "unknown"
	   : (f->throttled & 1) ? "yes"
				: "no");
	snprintf(v, sizeof(v), isnan(f->slip_pct) ? "unknown" : "%.2f", f->slip_pct);
	kv(ctx, "health_slip_pct", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->drops_recent);
	kv(ctx, "health_drops_recent", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->late_recent);
	kv(ctx, "health_late_recent", v);
	snprintf(v, sizeof(v), "%.1f", f->lateness_max_us);
	kv(ctx, "health_lateness_max_us", v);
	snprintf(v, sizeof(v), "%.1f", f->rss_bytes / 1048576.0);
	kv(ctx, "health_rss_mib", v);
	v[0] = '\0';
	if (!f->active)
		snprintf(v, sizeof(v), "none");
	for (unsigned int b = 0; b < 7; b++) {
		static const char *const names[] = { "temp",  "undervolt", "throttled", "slip",
						     "drops", "late",	   "memory" };

		if (f->active & (1u << b))
			snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s%s", v[0] ? "," : "",
				 names[b]);
	}
	kv(ctx, "health_warnings", v);
}
