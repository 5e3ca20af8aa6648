// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogatectl: ioctl-level utility for /dev/ogateN.
 *
 * Triggers belong to the open file that queued them and are cancelled when
 * it is closed, so `queue` stays until its triggers have fired, been missed
 * or been cancelled, and `cancel` exists inside `run` scripts, which keep
 * one file open for a sequence of commands. See man/ogatectl.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ogate.h"
#include "clock-util.h"
#include "stats-util.h"
#include "ogate-version.h"

static const char *dev_path = "/dev/ogate0";
static bool machine; /* --machine: key=value event lines */
static int dev_fd = -1;

/* "250us", "20ms", "1.5s", "100ns", "300" (ns). Returns -1 when malformed. */
static int parse_duration(const char *s, int64_t *out)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1 },
	};
	char *end;
	double v = strtod(s, &end);
	size_t i;

	if (end == s || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			*out = (int64_t)(v * units[i].scale + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENXIO: return "ENXIO";
	case EDOM: return "EDOM";
	case ERANGE: return "ERANGE";
	case ETIME: return "ETIME";
	case EBUSY: return "EBUSY";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case EFAULT: return "EFAULT";
	default: return "error";
	}
}

/* Explain a refused trigger by naming the value the driver objected to. */
static void explain_queue_error(int e, const struct ogate_trigger *t)
{
	int64_t now = ogate_mono_ns();

	fprintf(stderr, "ogatectl: queue refused: %s (%s): ", strerror(e), errno_name(e));
	switch (e) {
	case ENXIO:
		fprintf(stderr, "line mask 0x%x names no line or a line this device lacks\n",
			t->line_mask);
		break;
	case EDOM:
		fprintf(stderr, "width %u ns outside %llu..%llu ns\n", t->width_ns,
			OGATE_MIN_WIDTH_NS, OGATE_MAX_WIDTH_NS);
		break;
	case ERANGE:
		fprintf(stderr, "time %" PRIu64 " ns is %.1f s ahead; the limit is %llu s\n",
			(uint64_t)t->time_ns, (double)((int64_t)t->time_ns - now) / 1e9,
			OGATE_MAX_FUTURE_NS / 1000000000ULL);
		break;
	case ETIME:
		fprintf(stderr,
			"time %" PRIu64
			" ns is already %.3f ms past, beyond the lateness tolerance of %u ns\n",
			(uint64_t)t->time_ns, (double)(now - (int64_t)t->time_ns) / 1e6, t->late_ns);
		break;
	case EBUSY:
		fprintf(stderr,
			"pulse at %" PRIu64
			" ns on mask 0x%x overlaps a queued pulse on a shared line\n",
			(uint64_t)t->time_ns, t->line_mask);
		break;
	case ENOSPC: fprintf(stderr, "the device queue is full\n"); break;
	default:
		fprintf(stderr, "time %" PRIu64 " mask 0x%x width %u late %u\n",
			(uint64_t)t->time_ns, t->line_mask, t->width_ns, t->late_ns);
	}
}

static int open_dev(void)
{
	struct ogate_version v = { 0 };

	if (dev_fd >= 0)
		return 0;
	dev_fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		int r = -errno;

		fprintf(stderr, "ogatectl: cannot open %s: %s\n", dev_path, strerror(-r));
		return r;
	}
	if (ioctl(dev_fd, OGATE_IOC_GET_VERSION, &v) || v.abi_version != OGATE_ABI_VERSION) {
		fprintf(stderr, "ogatectl: %s speaks ABI version %u, this tool %u\n", dev_path,
			v.abi_version, OGATE_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Parse "0,2" / "laser,camera" / "0x3" into a line mask via line names. */
static int parse_lines(const char *s, uint32_t *mask)
{
	struct ogate_info info;
	char buf[256], *tok, *save = NULL;
	uint32_t i;

	if (!strncmp(s, "0x", 2)) {
		*mask = (uint32_t)strtoul(s, NULL, 16);
		return 0;
	}
	if (ioctl(dev_fd, OGATE_IOC_GET_INFO, &info)) {
		int r = -errno;

		fprintf(stderr, "ogatectl: %s: GET_INFO: %s\n", dev_path, strerror(-r));
		return r;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long n = strtoul(tok, &end, 10);

		if (*end == '\0' && end != tok) {
			*mask |= 1U << (n & 31);
			if (n >= 32)
				goto bad;
			continue;
		}
		for (i = 0; i < info.num_triggers; i++) {
			struct ogate_line_info li = { .kind = OGATE_LINE_TRIGGER, .index = i };

			if (!ioctl(dev_fd, OGATE_IOC_GET_LINE_INFO, &li) && !strcmp(li.name, tok))
				break;
		}
		if (i == info.num_triggers)
			goto bad;
		*mask |= 1U << i;
	}
	return 0;
bad:
	fprintf(stderr, "ogatectl: unknown trigger line '%s' (see 'ogatectl info')\n", tok);
	return -EINVAL;
}

static const char *event_name(uint32_t type)
{
	switch (type) {
	case OGATE_EVENT_FRAME: return "frame";
	case OGATE_EVENT_FIRED: return "fired";
	case OGATE_EVENT_MISSED: return "missed";
	case OGATE_EVENT_CANCELLED: return "cancelled";
	case OGATE_EVENT_OVERFLOW: return "overflow";
	default: return "unknown";
	}
}

static void print_event(const struct ogate_event *ev)
{
	const char *name = event_name(ev->type);

	if (machine) {
		printf("event=%s line=%u id=%" PRIu64 " cookie=%" PRIu64 " time_ns=%" PRIu64
		       " rise_ns=%" PRIu64 " fall_ns=%" PRIu64 " seq=%" PRIu64 "\n",
		       name, ev->line, (uint64_t)ev->id, (uint64_t)ev->cookie, (uint64_t)ev->time_ns,
		       (uint64_t)ev->rise_ns, (uint64_t)ev->fall_ns, (uint64_t)ev->seq);
	} else if (ev->type == OGATE_EVENT_FRAME) {
		printf("%-9s line %u  seq %-6" PRIu64 " t=%.9f s\n", name, ev->line,
		       (uint64_t)ev->seq, ev->time_ns / 1e9);
	} else if (ev->type == OGATE_EVENT_OVERFLOW) {
		printf("%-9s %" PRIu64 " events lost (reader too slow)\n", name, (uint64_t)ev->seq);
	} else if (ev->type == OGATE_EVENT_FIRED) {
		printf("%-9s id %-4" PRIu64 " mask 0x%x  at %.9f s  late %.3f us  width %.3f us\n",
		       name, (uint64_t)ev->id, ev->line, ev->time_ns / 1e9,
		       (ev->rise_ns - ev->time_ns) / 1e3, (ev->fall_ns - ev->rise_ns) / 1e3);
	} else {
		printf("%-9s id %-4" PRIu64 " mask 0x%x  at %.9f s\n", name, (uint64_t)ev->id,
		       ev->line, ev->time_ns / 1e9);
	}
	fflush(stdout);
}

/* Read events until `pending` trigger outcomes are seen or timeout passes. */
static int wait_outcomes(int pending, int64_t deadline, bool show)
{
	struct ogate_event ev[16];

	while (pending > 0) {
		struct pollfd p = { .fd = dev_fd, .events = POLLIN };
		int64_t left = deadline - ogate_mono_ns();
		ssize_t r;
		int i;

		if (left <= 0 || poll(&p, 1, (int)(left / 1000000) + 1) <= 0)
			break;
		r = read(dev_fd, ev, sizeof(ev));
		if (r < 0) {
			int e = errno;

			fprintf(stderr, "ogatectl: read %s: %s\n", dev_path, strerror(e));
			return -e;
		}
		for (i = 0; i < r / (ssize_t)sizeof(ev[0]); i++) {
			if (show)
				print_event(&ev[i]);
			if (ev[i].type == OGATE_EVENT_FIRED || ev[i].type == OGATE_EVENT_MISSED ||
			    ev[i].type == OGATE_EVENT_CANCELLED)
				pending--;
		}
	}
	if (pending > 0) {
		fprintf(stderr, "ogatectl: %d triggers without an outcome before the deadline\n",
			pending);
		return -ETIMEDOUT;
	}
	return 0;
}

static int cmd_info(void)
{
	struct ogate_info info;
	uint32_t i;

	if (ioctl(dev_fd, OGATE_IOC_GET_INFO, &info)) {
		fprintf(stderr, "ogatectl: info: %s\n", strerror(errno));
		return 1;
	}
	printf("device        %s (%s)\n", info.name, dev_path);
	printf("abi           %u  caps 0x%x\n", info.abi_version, info.caps);
	printf("clock         %s\n", info.clock_id == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC" : "?");
	printf("queue         %u of %u in use\n", info.queue_used, info.queue_depth);
	printf("events        %u per open file\n", info.event_depth);
	printf("width         %" PRIu64 "..%" PRIu64 " ns; future limit %" PRIu64 " s\n",
	       (uint64_t)info.min_width_ns, (uint64_t)info.max_width_ns,
	       (uint64_t)(info.max_future_ns / 1000000000ULL));
	for (i = 0; i < info.num_triggers + info.num_frames; i++) {
		bool trig = i < info.num_triggers;
		struct ogate_line_info li = {
			.kind = trig ? OGATE_LINE_TRIGGER : OGATE_LINE_FRAME,
			.index = trig ? i : i - info.num_triggers,
		};

		if (ioctl(dev_fd, OGATE_IOC_GET_LINE_INFO, &li))
			continue;
		printf("%-13s %u \"%s\"%s\n", trig ? "trigger line" : "frame line", li.index,
		       li.name, li.flags & OGATE_LINE_ACTIVE_LOW ? " active-low" : "");
	}
	return 0;
}

static int cmd_stats(bool reset)
{
	struct ogate_stats s = { .flags = reset ? OGATE_STATS_RESET : 0 };
	int b;

	if (ioctl(dev_fd, OGATE_IOC_GET_STATS, &s)) {
		fprintf(stderr, "ogatectl: stats: %s\n", strerror(errno));
		return 1;
	}
	printf("frames %" PRIu64 " queued %" PRIu64 " fired %" PRIu64 " late %" PRIu64
	       " missed %" PRIu64 " cancelled %" PRIu64 " overflows %" PRIu64 "\n",
	       (uint64_t)s.frames, (uint64_t)s.queued, (uint64_t)s.fired, (uint64_t)s.late,
	       (uint64_t)s.missed, (uint64_t)s.cancelled, (uint64_t)s.overflows);
	if (s.fired)
		printf("lateness min %.3f us mean %.3f us max %.3f us\n", s.late_min_ns / 1e3,
		       (double)s.late_sum_ns / s.fired / 1e3, s.late_max_ns / 1e3);
	for (b = 0; b < OGATE_HIST_BUCKETS; b++) {
		if (!s.hist[b])
			continue;
		if (b == 0)
			printf("  < 256 ns      %" PRIu64 "\n", (uint64_t)s.hist[b]);
		else if (b == OGATE_HIST_BUCKETS - 1)
			printf("  >= %-10llu %" PRIu64 "\n", 1ULL << (b + 7), (uint64_t)s.hist[b]);
		else
			printf("  < %-8llu ns %" PRIu64 "\n", 1ULL << (b + 8), (uint64_t)s.hist[b]);
	}
	return 0;
}

static int cmd_events(int count)
{
	struct ogate_event ev;
	int n = 0;

	while (count <= 0 || n < count) {
		ssize_t r = read(dev_fd, &ev, sizeof(ev));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ogatectl: read %s: %s\n", dev_path, strerror(errno));
			return 1;
		}
		print_event(&ev);
		n++;
	}
	return 0;
}

struct queue_opts {
	int64_t at; /* absolute, or offset when relative */
	bool relative;
	uint32_t mask;
	int64_t width;
	int64_t late;
	uint64_t cookie;
	int count;
	int64_t period;
};

static int queue_triggers(const struct queue_opts *o, bool wait, bool show)
{
	int64_t base = o->relative ? ogate_mono_ns() + o->at : o->at, last;
	int i;

	for (i = 0; i < o->count; i++) {
		struct ogate_trigger t = {
			.time_ns = (uint64_t)(base + i * o->period),
			.cookie = o->cookie,
			.line_mask = o->mask,
			.width_ns = (uint32_t)o->width,
			.late_ns = (uint32_t)o->late,
		};

		if (ioctl(dev_fd, OGATE_IOC_QUEUE, &t)) {
			explain_queue_error(errno, &t);
			return 1;
		}
		if (show)
			printf("queued    id %-4" PRIu64 " mask 0x%x  at %.9f s\n", (uint64_t)t.id,
			       t.line_mask, t.time_ns / 1e9);
	}
	fflush(stdout);
	last = base + (o->count - 1) * o->period + o->width;
	return wait ? (wait_outcomes(o->count, last + 2000000000LL, show) ? 1 : 0) : 0;
}

static int parse_queue_opt(struct queue_opts *o, const char *key, const char *val)
{
	int64_t v;

	if (!strcmp(key, "at") || !strcmp(key, "in")) {
		o->relative = !strcmp(key, "in") || val[0] == '+';
		if (parse_duration(val + (val[0] == '+'), &v))
			goto bad;
		o->at = v;
	} else if (!strcmp(key, "lines")) {
		return parse_lines(val, &o->mask);
	} else if (!strcmp(key, "width")) {
		if (parse_duration(val, &o->width))
			goto bad;
	} else if (!strcmp(key, "late")) {
		if (parse_duration(val, &o->late))
			goto bad;
	} else if (!strcmp(key, "cookie")) {
		o->cookie = strtoull(val, NULL, 0);
	} else if (!strcmp(key, "count")) {
		o->count = atoi(val);
		if (o->count < 1)
			goto bad;
	} else if (!strcmp(key, "period")) {
		if (parse_duration(val, &o->period))
			goto bad;
	} else {
		fprintf(stderr, "ogatectl: unknown queue option '%s'\n", key);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "ogatectl: bad value '%s' for %s\n", val, key);
	return -EINVAL;
}

static void queue_defaults(struct queue_opts *o)
{
	*o = (struct queue_opts){ .relative = true,
				  .at = 10000000,
				  .mask = 1,
				  .width = 100000,
				  .late = 1000000,
				  .count = 1,
				  .period = 10000000 };
}

static int cmd_cancel(const char *how, const char *val)
{
	struct ogate_cancel c = { 0 };

	if (!strcmp(how, "all")) {
		c.how = OGATE_CANCEL_ALL;
	} else if (!strcmp(how, "device")) {
		c.how = OGATE_CANCEL_DEVICE;
	} else if (!strcmp(how, "id") && val) {
		c.how = OGATE_CANCEL_ID;
		c.value = strtoull(val, NULL, 0);
	} else if (!strcmp(how, "cookie") && val) {
		c.how = OGATE_CANCEL_COOKIE;
		c.value = strtoull(val, NULL, 0);
	} else {
		fprintf(stderr, "ogatectl: cancel needs 'all', 'device', 'id N' or 'cookie N'\n");
		return 1;
	}
	if (ioctl(dev_fd, OGATE_IOC_CANCEL, &c)) {
		fprintf(stderr, "ogatectl: cancel %s %s: %s (%s)\n", how, val ? val : "",
			strerror(errno), errno_name(errno));
		return 1;
	}
	printf("cancelled %u\n", c.count);
	return 0;
}

/*
 * `run`: one command per line on one open file, so cancel reaches the
 * triggers queued before it:
 *   queue in=20ms lines=laser width=1ms [late=..] [cookie=..] [count=..] [period=..]
 *   cancel all | cancel device | cancel id N | cancel cookie N
 *   wait N [timeout]   stats   info   sleep DURATION
 */
static int cmd_run(FILE *in)
{
	char line[512];
	int lineno = 0;

	while (fgets(line, sizeof(line), in)) {
		char *argv[16], *save = NULL, *tok;
		int argc = 0, rc = 0;

		lineno++;
		for (tok = strtok_r(line, " \t\r\n", &save); tok && argc < 16;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = tok;
		if (!argc || argv[0][0] == '#')
			continue;
		if (!strcmp(argv[0], "queue")) {
			struct queue_opts o;
			int i;

			queue_defaults(&o);
			for (i = 1; i < argc && !rc; i++) {
				char *eq = strchr(argv[i], '=');

				if (!eq) {
					fprintf(stderr, "ogatectl: expected key=value, got '%s'\n",
						argv[i]);
					rc = 1;
					break;
				}
				*eq = 0;
				rc = parse_queue_opt(&o, argv[i], eq + 1) ? 1 : 0;
			}
			if (!rc)
				rc = queue_triggers(&o, false, true);
		} else if (!strcmp(argv[0], "cancel")) {
			rc = cmd_cancel(argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : NULL);
		} else if (!strcmp(argv[0], "wait")) {
			int64_t t = 2000000000LL;

			if (argc > 2 && parse_duration(argv[2], &t))
				rc = 1;
			if (!rc)
				rc = wait_outcomes(argc > 1 ? atoi(argv[1]) : 1,
						   ogate_mono_ns() + t, true)
					     ? 1
					     : 0;
		} else if (!strcmp(argv[0], "sleep") && argc > 1) {
			int64_t t;

			rc = parse_duration(argv[1], &t) ? 1 : 0;
			if (!rc)
				ogate_sleep_until(ogate_mono_ns() + t);
		} else if (!strcmp(argv[0], "stats")) {
			rc = cmd_stats(false);
		} else if (!strcmp(argv[0], "info")) {
			rc = cmd_info();
		} else {
			fprintf(stderr, "ogatectl: unknown command '%s'\n", argv[0]);
			rc = 1;
		}
		if (rc) {
			fprintf(stderr, "ogatectl: run: stopped at line %d\n", lineno);
			return rc;
		}
	}
	return 0;
}

/* Fire n triggers `period` apart and report lateness (rise - requested). */
static int cmd_latency(int n, int64_t period, uint32_t mask)
{
	int64_t *late = calloc(n, sizeof(*late)), base;
	struct ogate_stats_summary sum;
	int got = 0, i;

	if (!late)
		return 1;
	base = ogate_mono_ns() + 20000000;
	for (i = 0; i < n; i++) {
		struct ogate_trigger t = {
			.time_ns = base + i * period,
			.line_mask = mask,
			.width_ns = (uint32_t)(period / 4),
			.late_ns = 1000000000,
		};

		/* keep at most half the queue in flight */
		while (i - got >= 128) {
			struct ogate_event ev;

			if (read(dev_fd, &ev, sizeof(ev)) != sizeof(ev))
				goto fail;
			if (ev.type == OGATE_EVENT_FIRED)
				late[got++] = ev.rise_ns - ev.time_ns;
		}
		if (ioctl(dev_fd, OGATE_IOC_QUEUE, &t)) {
			explain_queue_error(errno, &t);
			goto fail;
		}
	}
	while (got < n) {
		struct ogate_event ev;

		if (read(dev_fd, &ev, sizeof(ev)) != sizeof(ev))
			goto fail;
		if (ev.type == OGATE_EVENT_FIRED)
			late[got++] = ev.rise_ns - ev.time_ns;
		else if (ev.type == OGATE_EVENT_MISSED)
			goto fail;
	}
	ogate_summarize(late, n, &sum);
	printf("triggers %d  lateness min %.3f us  p50 %.3f us  p99 %.3f us  max %.3f us\n", n,
	       sum.min / 1e3, sum.p50 / 1e3, sum.p99 / 1e3, sum.max / 1e3);
	free(late);
	return 0;
fail:
	fprintf(stderr, "ogatectl: latency: lost track after %d triggers\n", got);
	free(late);
	return 1;
}

/* The bundled default: show the device, pulse two lines, report. */
static int cmd_demo(void)
{
	struct queue_opts o;
	int rc;

	printf("== ogatectl demo on %s ==\n", dev_path);
	if (cmd_info())
		return 1;
	cmd_stats(true);
	printf("\n-- 10 pulses of 2 ms on trigger line 0, every 20 ms, starting in 50 ms --\n");
	queue_defaults(&o);
	o.at = 50000000;
	o.width = 2000000;
	o.count = 10;
	o.period = 20000000;
	o.late = 5000000; /* generous: the demo also runs under emulation */
	o.cookie = 1;
	rc = queue_triggers(&o, true, true);
	printf("\n-- lines 0 and 1 together (one array write, simultaneous edges) --\n");
	queue_defaults(&o);
	o.mask = 0x3;
	o.late = 5000000;
	o.cookie = 2;
	rc |= queue_triggers(&o, true, true);
	printf("\n-- 200 triggers, lateness measured by the driver --\n");
	rc |= cmd_latency(200, 1000000, 1);
	printf("\n-- device statistics --\n");
	rc |= cmd_stats(false);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ogatectl [-d DEVICE] [--machine] COMMAND [ARGS]\n"
		   "       ogatectl --help | --version\n"
		   "  info                         lines, names, queue depth, clock\n"
		   "  stats [--reset]              device counters and lateness histogram\n"
		   "  events [COUNT]               stream events, one per line\n"
		   "  queue [at=NS|in=DUR] [lines=L] [width=DUR] [late=DUR] [cookie=N]\n"
		   "        [count=N] [period=DUR] queue and wait for the outcomes\n"
		   "  cancel                       emergency stop: cancel every trigger of every\n"
		   "                               process, end pulses in progress\n"
		   "  run [FILE]                   commands (queue/cancel/wait/sleep/stats/info)\n"
		   "                               from FILE or stdin on one open file\n"
		   "  latency [N] [PERIOD]         fire N triggers, print lateness percentiles\n"
		   "  demo                         the self-demo\n"
		   "Durations take ns/us/ms/s suffixes. Lines are indices or names (see info).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "machine", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+d:mhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev_path = optarg; break;
		case 'm': machine = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogatectl %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (open_dev())
		return 1;
	if (!strcmp(cmd, "info"))
		return cmd_info();
	if (!strcmp(cmd, "stats"))
		return cmd_stats(optind < argc && !strcmp(argv[optind], "--reset"));
	if (!strcmp(cmd, "events"))
		return cmd_events(optind < argc ? atoi(argv[optind]) : 0);
	if (!strcmp(cmd, "queue")) {
		struct queue_opts o;

		queue_defaults(&o);
		for (; optind < argc; optind++) {
			char *eq = strchr(argv[optind], '=');

			if (!eq) {
				fprintf(stderr, "ogatectl: expected key=value, got '%s'\n",
					argv[optind]);
				return 2;
			}
			*eq = 0;
			if (parse_queue_opt(&o, argv[optind], eq + 1))
				return 2;
		}
		return queue_triggers(&o, true, true);
	}
	if (!strcmp(cmd, "run")) {
		FILE *in = stdin;
		int rc;

		if (optind < argc && strcmp(argv[optind], "-")) {
			in = fopen(argv[optind], "r");
			if (!in) {
				fprintf(stderr, "ogatectl: cannot open %s: %s\n", argv[optind],
					strerror(errno));
				return 1;
			}
		}
		rc = cmd_run(in);
		if (in != stdin)
			fclose(in);
		return rc;
	}
	if (!strcmp(cmd, "latency")) {
		int64_t period = 1000000;

		if (optind + 1 < argc && parse_duration(argv[optind + 1], &period)) {
			fprintf(stderr, "ogatectl: bad period '%s'\n", argv[optind + 1]);
			return 2;
		}
		return cmd_latency(optind < argc ? atoi(argv[optind]) : 1000, period, 1);
	}
	if (!strcmp(cmd, "demo"))
		return cmd_demo();
	if (!strcmp(cmd, "cancel"))
		return cmd_cancel("device", NULL);
	fprintf(stderr, "ogatectl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
