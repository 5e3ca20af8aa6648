// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the web page and the frame stream cost the analysis thread, finer
 * than the 5 % (issue 12: p99 per frame may rise by at most 5 %).
 *
 * Wall-clock p99 of whole-daemon runs (bench/web/page.sh) varies by +/-15 %
 * between identical runs here: other agents' load, the scheduler, the
 * synthetic source. This program measures instead, in one process and on
 * the real pieces (libogate on the synthetic heart at 128^2, the shared-
 * memory ring, the web server with a page's clients: the MJPEG stream and
 * the event stream reading all the time):
 *   - per frame, the CPU time of the analysis thread itself
 *     (CLOCK_THREAD_CPUTIME_ID: time the thread runs, not time it waits for
 *     a core), around ogate_sync_process plus, with the page "on", the frame
 *     tap's work as ogated does it: the frame thread's part (metadata, the
 *     camera frame lent to the io thread through a lock-free ring, frames
 *     handed back released, the reference hand-over) while an io thread
 *     writes the ring on its 2 ms tick (an eventfd wakes it only when 3
 *     frames wait);
 *   - paired (below): the same frames through two sync objects, with and
 *     without the tap, which cancels the workload's own variation;
 *   - in interleaved blocks (off, on, on, off, off, on, ...: ABBA cancels
 *     drifts), paced at the frame rate so the web threads work as they would;
 *   - the rise of the p99 per pair of blocks, its median and quartiles over
 *     the pairs, and the pooled p99 of each side;
 *   - and directly the tap's own cost per frame next to the analysis cost.
 * Also: the JPEG encode of one 128^2 frame (the live image), and the copy of
 * a reference's frames for the thumbnails (once per new reference).
 *
 * Usage: web_analysis_cost [fps...]   (default 80 250; WEB_COST_SECS per fps,
 * default 60; WEB_COST_BLOCK frames per block, default 2 s of frames;
 * WEB_COST_NULL=1: the paired run without any tap, which must find no rise;
 * WEB_COST_SLOTS: ring slots, default 64 as shm.slots; WEB_COST_NOWEB=1: the
 * paired run only, with the ring but no web server reading it).
 * Prints BENCH lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock-util.h"
#include "heart.h"
#include "ogate-shm.h"
#include "ogate/analysis.h"
#include "ogate/sync.h"
#include "web.h"
#include "web_private.h" /* web_jpeg: the live image's encoder */
#include "lend.h"

#define SIDE 128
#define POOL 8	     /* camera frames, as OGATE_SOURCE_POOL */
#define LEND_MAX 4   /* lent to the io thread at once, as the pipeline's TAP_POOL */
#define LEND_WAKE 3  /* as TAP_WAKE: an eventfd write only when the io thread is behind */
#define IO_TICK_MS 2 /* as the pipeline's io tick with a frame copy hook */

static int64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of v[0..n) (sorted in place) */
static int64_t pct(int64_t *v, size_t n, double p)
{
	size_t k;

	qsort(v, n, sizeof(*v), cmp_i64);
	k = (size_t)ceil(p / 100.0 * (double)n);
	return v[k ? k - 1 : 0];
}

static double pct_d(double *v, size_t n, double p)
{
	size_t k;

	qsort(v, n, sizeof(*v), cmp_dbl);
	k = (size_t)ceil(p / 100.0 * (double)n);
	return v[k ? k - 1 : 0];
}

/* the daemon's side of the page: a status of the daemon's size */
static int fake_command(void *ctx, const char *line, char *reply, size_t len)
{
	if (!strcmp(line, "status") || !strcmp(line, "stats")) {
		size_t pos = (size_t)snprintf(reply, len, "OK\nstate=running\nlocked=yes\n");

		for (int i = 0; i < 40 && pos < len; i++)
			pos += (size_t)snprintf(reply + pos, len - pos, "key_%d=%d.%03d\n", i,
						i * 37, i);
		snprintf(reply + pos, len - pos, ".\n");
	} else {
		snprintf(reply, len, "OK\n");
	}
	return 0;
}

/* a page's long-lived request: read and discard until the server closes it */
struct client {
	unsigned int port;
	const char *path;
	pthread_t th;
	atomic_ullong bytes;
	int fd;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port) };
	char req[128], buf[16384];
	ssize_t k;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)))
		return NULL;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", c->path);
	if (write(c->fd, req, strlen(req)) < 0)
		return NULL;
	while ((k = read(c->fd, buf, sizeof(buf))) > 0)
		atomic_fetch_add(&c->bytes, (unsigned long long)k);
	return NULL;
}

struct rig {
	struct ogate_heart_blob heart;
	struct ogate_heart_law law;
	struct ogate_heart_rng rng;
	float img[SIDE * SIDE];
	struct ogate_frame *frame; /* the current one, of pool */
	struct ogate_frame *pool[POOL];
	bool busy[POOL]; /* lent (frame thread only) */
	int cur;
	struct lring to_io, back; /* the io thread's side of the tap */
	int wake_fd, out;
	long skipped;
	atomic_bool io_stop;
	pthread_t io;
	struct ogate_sync *sync; /* with the tap (page on) */
	struct ogate_sync *ctl;	 /* the same frames, no tap (paired control) */
	struct ogate_shm_writer *shm;
	struct ogate_web *web;
	struct ogate_web_ref *ref;
	bool ref_pending;
	struct ogate_reference_info ref_sent;
	uint64_t seq;
	int64_t t0;
	/* the tap's parts, wall ns summed (vDSO clock, cheap): get_reference, ring write */
	double part_ref, part_write;
	long parts;
};

/* io thread: the ring write on every lent frame, then hand it back */
static void *io_main(void *arg)
{
	struct rig *r = arg;

	while (!atomic_load(&r->io_stop)) {
		struct pollfd pf = { .fd = r->wake_fd, .events = POLLIN };
		struct lent l;
		uint64_t n;

		poll(&pf, 1, IO_TICK_MS);
		if ((pf.revents & POLLIN) && read(r->wake_fd, &n, sizeof(n)) < 0)
			n = 0;
		while (lring_pop(&r->to_io, &l)) {
			ogate_shm_write(r->shm, &l.m, ogate_frame_pixels(r->pool[l.idx]),
					ogate_frame_stride(r->pool[l.idx]));
			lring_push(&r->back, &l);
		}
	}
	return NULL;
}

/* frame thread: frames handed back are free again */
static void release_lent(struct rig *r)
{
	struct lent l;

	while (lring_pop(&r->back, &l)) {
		r->busy[l.idx] = false;
		r->out--;
	}
}

static void render(struct rig *r, int64_t t_ns)
{
	uint8_t *px;
	struct ogate_frame_meta m = { .timestamp_ns = t_ns, .sequence = r->seq++ };

	/* the next free camera frame, as the source takes one (all lent: cannot be, LEND_MAX < POOL) */
	for (int k = 1; k <= POOL; k++)
		if (!r->busy[(r->cur + k) % POOL]) {
			r->cur = (r->cur + k) % POOL;
			break;
		}
	r->frame = r->pool[r->cur];
	px = ogate_frame_pixels(r->frame);
	ogate_heart_blob_render(&r->heart,
				fmod(ogate_heart_law_psi(&r->law, (t_ns - r->t0) * 1e-9), 2 * M_PI),
				r->img);
	for (int i = 0; i < SIDE * SIDE; i++) {
		double v = rint(r->img[i] + 2.0 * ogate_heart_rng_normal(&r->rng));

		px[(i / SIDE) * ogate_frame_stride(r->frame) + i % SIDE] = (uint8_t)(v < 0     ? 0
										     : v > 255 ? 255
											       : v);
	}
	ogate_frame_set_meta(r->frame, &m);
}

/* the reference's frames out, as ogated_extras.c does on its analysis thread */
static int copy_reference(struct rig *r, struct ogate_sync *sy, const struct ogate_reference_info *info)
{
	int n = info->length - 2 * OGATE_NE, ret = 0;
	struct ogate_frame *view;

	if (ogate_web_ref_reserve(&r->ref, n, SIDE, SIDE, 1))
		return -ENOMEM;
	view = ogate_frame_wrap(OGATE_PIX_U8, SIDE, SIDE, SIDE, r->ref->px);
	for (int i = 0; view && !ret && i < n; i++) {
		ogate_frame_set_pixels(view, r->ref->px + (size_t)i * SIDE * SIDE);
		ret = ogate_sync_get_reference_frame(sy, i, view, &r->ref->phase[i]);
	}
	ogate_frame_free(view);
	r->ref->id = info->id;
	r->ref->first_seq = info->first_seq;
	r->ref->period_frames = info->period_frames;
	return ret;
}

/*
 * The frame tap with the page on, as ogated runs it: on this (the frame)
 * thread the frames handed back released, the metadata, the frame lent to
 * the io thread (skipped and counted when LEND_MAX are out) and the
 * reference when it changed; the io thread writes the ring.
 */
static void tap(struct rig *r, struct ogate_sync *sy, const struct ogate_sync_result *res)
{
	const struct ogate_frame_meta *fm = ogate_frame_get_meta(r->frame);
	struct ogate_reference_info info = { 0 };
	bool locked = res->state == OGATE_SYNC_LOCKED;
	struct ogate_shm_meta m = {
		.sequence = fm->sequence,
		.timestamp_ns = fm->timestamp_ns,
		.phase = res->has_phase ? res->phase : -1,
		.state = locked ? OGATE_SHM_STATE_LOCKED : OGATE_SHM_STATE_DETERMINE,
		.flags = res->triggered ? OGATE_SHM_TRIGGER : 0,
		.trigger_ns = res->trigger.time_ns,
		.width = SIDE,
		.height = SIDE,
		.bytes_per_pixel = 1,
	};

	int64_t w0 = ogate_mono_ns(), w1, w2;

	if (locked && ogate_sync_get_reference(sy, &info) == 0) {
		m.ref_id = info.id;
		m.target_phase = info.target_phase;
	}
	w1 = ogate_mono_ns();
	release_lent(r);
	if (r->out < LEND_MAX && !r->busy[r->cur]) {
		struct lent l = { .idx = r->cur, .m = m };

		r->busy[r->cur] = true;
		lring_push(&r->to_io, &l);
		if (++r->out >= LEND_WAKE) {
			uint64_t one = 1;

			if (write(r->wake_fd, &one, sizeof(one)) < 0) { /* EAGAIN: awake anyway */
			}
		}
	} else {
		r->skipped++;
	}
	w2 = ogate_mono_ns();
	r->part_ref += (double)(w1 - w0);
	r->part_write += (double)(w2 - w1);
	r->parts++;
	if (!r->ref_pending && locked && info.id &&
	    (info.id != r->ref_sent.id || info.first_seq != r->ref_sent.first_seq)) {
		r->ref_sent = info;
		r->ref_pending = copy_reference(r, sy, &info) == 0;
	}
	if (r->ref_pending && r->web && ogate_web_offer_reference(r->web, &r->ref) == 0)
		r->ref_pending = false;
}

struct frame_cost {
	int64_t total, ana, tap; /* thread CPU ns */
	int64_t wall;		 /* wall ns of the same span */
};

/* one block of n frames, paced at fps from *next; the page on or off; 1 = a frame ran late */
static int block(struct rig *r, int n, double fps, bool on, int64_t *next, struct frame_cost *out)
{
	int64_t ivl = (int64_t)(1e9 / fps);
	int late = 0;

	for (int i = 0; i < n; i++) {
		struct ogate_sync_result res;
		int64_t c0, c1, c2, w0;

		ogate_sleep_until(*next);
		render(r, *next);
		w0 = ogate_mono_ns();
		c0 = thread_ns();
		ogate_sync_process(r->sync, r->frame, &res);
		c1 = thread_ns();
		if (on)
			tap(r, r->sync, &res);
		c2 = thread_ns();
		out[i] = (struct frame_cost){ c2 - c0, c1 - c0, c2 - c1, ogate_mono_ns() - w0 };
		*next += ivl;
		if (ogate_mono_ns() > *next + ivl) /* would back up the capture ring */
			late++;
	}
	return late;
}

/* one frame through sync (tap if `on`), CPU ns of the whole span */
static int64_t one(struct rig *r, struct ogate_sync *sy, bool on, int64_t *ana, int64_t *tp,
		   double *phase)
{
	struct ogate_sync_result res;
	int64_t c0, c1, c2;

	c0 = thread_ns();
	ogate_sync_process(sy, r->frame, &res);
	c1 = thread_ns();
	if (on)
		tap(r, sy, &res);
	c2 = thread_ns();
	*ana = c1 - c0;
	*tp = c2 - c1;
	*phase = res.has_phase ? res.phase : -1;
	return c2 - c0;
}

/*
 * Paired: every frame goes through two sync objects in lockstep, one with
 * the tap and one without (roles swapped every second, order by a coin's
 * throw; WEB_COST_NULL=1 checks that the design alone finds no rise). ogate_sync_process is
 * deterministic, so both do the same analysis work on every frame and the
 * heavy frames are the same frames: the p99s differ only by the tap and what
 * it does to caches, not by the workload's own variation. The spread is a
 * bootstrap over 1 s blocks of frames.
 */
/* 95 % interval of p99(b) / p99(a) - 1 (%), resampling blocks of bl frames */
static void boot_ci(const int64_t *a, const int64_t *b, int n, int bl, struct ogate_heart_rng *rng,
		    double *lo, double *hi)
{
	enum { B = 1000 };
	int nb = n / bl;
	int64_t *ra = malloc(sizeof(int64_t) * (size_t)nb * bl),
		*rb = malloc(sizeof(int64_t) * (size_t)nb * bl);
	double *boot = malloc(sizeof(double) * B);

	for (int k = 0; k < B; k++) {
		for (int j = 0; j < nb; j++) {
			int s0 = (int)(ogate_heart_rng_uniform(rng) * nb) * bl;

			memcpy(ra + (size_t)j * bl, a + s0, sizeof(int64_t) * (size_t)bl);
			memcpy(rb + (size_t)j * bl, b + s0, sizeof(int64_t) * (size_t)bl);
		}
		boot[k] = ((double)pct(rb, (size_t)nb * bl, 99) / (double)pct(ra, (size_t)nb * bl, 99) -
			   1) *
			  100;
	}
	*lo = pct_d(boot, B, 2.5);
	*hi = pct_d(boot, B, 97.5);
	free(ra);
	free(rb);
	free(boot);
}

static void paired(struct rig *r, double fps, double secs)
{
	int n = (int)(secs * fps), bl = (int)fps;
	size_t sz = sizeof(int64_t) * (size_t)n;
	int64_t *a = malloc(sz), *b = malloc(sz), *ta = malloc(sz), *tb = malloc(sz),
		*sa_ = malloc(sz), *sb_ = malloc(sz);
	int64_t next = ogate_mono_ns() + 1000000, ivl = (int64_t)(1e9 / fps);
	double sa = 0, sb = 0, lo, hi, slo, shi;
	struct ogate_heart_rng rng, order;
	int late = 0, f = (int)fps, differ = 0;
	/* WEB_COST_NULL=1: no tap on either side, to check that the design finds no rise */
	bool null_run = getenv("WEB_COST_NULL") && atoi(getenv("WEB_COST_NULL"));

	ogate_heart_rng_seed(&rng, 11);
	ogate_heart_rng_seed(&order, 5);
	for (int i = 0; i < n; i++) {
		double ph_a, ph_b;

		ogate_sleep_until(next);
		render(r, next);
		/* the two objects swap roles every second: a bias between them (their
		 * memory's placement) cancels; which runs first (on colder caches) is a
		 * coin's throw, so no pattern in the frames lines up with it */
		struct ogate_sync *with = (i / bl) % 2 ? r->ctl : r->sync,
				  *without = with == r->ctl ? r->sync : r->ctl;

		if (ogate_heart_rng_uniform(&order) < 0.5) {
			a[i] = one(r, without, false, &sa_[i], &ta[i], &ph_a);
			b[i] = one(r, with, !null_run, &sb_[i], &tb[i], &ph_b);
		} else {
			b[i] = one(r, with, !null_run, &sb_[i], &tb[i], &ph_b);
			a[i] = one(r, without, false, &sa_[i], &ta[i], &ph_a);
		}
		differ += ph_a != ph_b; /* deterministic: the same work on both */
		sa += (double)a[i];
		sb += (double)b[i];
		next += ivl;
		if (ogate_mono_ns() > next + ivl)
			late++;
	}
	boot_ci(a, b, n, bl, &rng, &lo, &hi);
	boot_ci(sa_, sb_, n, bl, &rng, &slo, &shi);
	{
		double clk = 0, tap_net = 0, ma = 0, mb = 0;

		for (int i = 0; i < n; i++) {
			clk += (double)ta[i];
			tap_net += (double)tb[i];
			ma += (double)sa_[i];
			mb += (double)sb_[i];
		}
		clk /= n;
		tap_net = tap_net / n - clk;
		printf("# %d fps paired%s: %d frames through two sync objects in lockstep, with and without the tap;"
		       " %d frames with different phases; ogate_sync_process mean %.1f / %.1f us\n",
		       f, null_run ? " (NULL RUN: no tap on either side)" : "", n, differ,
		       ma / n / 1e3, mb / n / 1e3);
		double pa = (double)pct(a, (size_t)n, 99), pb = (double)pct(b, (size_t)n, 99);
		double qa = (double)pct(sa_, (size_t)n, 99), qb = (double)pct(sb_, (size_t)n, 99);

		/* the analysis thread's whole per-frame work: ogate_sync_process + the tap */
		printf("BENCH web_paired_analysis_cpu_p99_%dfps_off %.1f us\n", f, pa / 1e3);
		printf("BENCH web_paired_analysis_cpu_p99_%dfps_on %.1f us\n", f, pb / 1e3);
		printf("BENCH web_paired_analysis_cpu_p99_rise_%dfps %.2f %%\n", f,
		       (pb / pa - 1) * 100);
		printf("BENCH web_paired_analysis_cpu_p99_rise_%dfps_ci95_lo %.2f %%\n", f, lo);
		printf("BENCH web_paired_analysis_cpu_p99_rise_%dfps_ci95_hi %.2f %%\n", f, hi);
		printf("BENCH web_paired_analysis_cpu_mean_rise_%dfps %.2f %%\n", f,
		       (sb / sa - 1) * 100);
		/* ogate_sync_process alone: what ogated's stats analysis_p99_us times */
		printf("BENCH web_paired_sync_cpu_p99_%dfps_off %.1f us\n", f, qa / 1e3);
		printf("BENCH web_paired_sync_cpu_p99_%dfps_on %.1f us\n", f, qb / 1e3);
		printf("BENCH web_paired_sync_cpu_p99_rise_%dfps %.2f %%\n", f, (qb / qa - 1) * 100);
		printf("BENCH web_paired_sync_cpu_p99_rise_%dfps_ci95_lo %.2f %%\n", f, slo);
		printf("BENCH web_paired_sync_cpu_p99_rise_%dfps_ci95_hi %.2f %%\n", f, shi);
		printf("BENCH web_paired_tap_cpu_mean_%dfps %.2f us\n", f, tap_net / 1e3);
		printf("BENCH web_paired_late_frames_%dfps %d frames (of %d, both objects per frame)\n",
		       f, late, n);
		if (r->parts) { /* wall clock, so also any wait for a core */
			printf("BENCH web_paired_tap_part_get_reference_%dfps %.2f us\n", f,
			       r->part_ref / r->parts / 1e3);
			printf("BENCH web_paired_tap_part_hand_over_%dfps %.2f us\n", f,
			       r->part_write / r->parts / 1e3);
			printf("BENCH web_paired_tap_skipped_%dfps %ld frames\n", f, r->skipped);
		}
		r->part_ref = r->part_write = 0;
		r->parts = 0;
		r->skipped = 0;
	}
	free(a);
	free(b);
	free(ta);
	free(tb);
	free(sa_);
	free(sb_);
}

static void run(struct rig *r, double fps, double secs, int bframes)
{
	int pairs = (int)(secs * fps / bframes / 2), nf = pairs * bframes, lat_off = 0, lat_on = 0;
	struct frame_cost *c = malloc(sizeof(*c) * (size_t)bframes);
	int64_t *off_all = malloc(sizeof(int64_t) * (size_t)nf),
		*on_all = malloc(sizeof(int64_t) * (size_t)nf),
		*ana = malloc(sizeof(int64_t) * (size_t)nf),
		*tp = malloc(sizeof(int64_t) * (size_t)nf),
		*wall_off = malloc(sizeof(int64_t) * (size_t)nf),
		*wall_on = malloc(sizeof(int64_t) * (size_t)nf),
		*tmp = malloc(sizeof(int64_t) * (size_t)bframes);
	double *rise = malloc(sizeof(double) * (size_t)(pairs ? pairs : 1)), ana_mean = 0,
	       tap_mean = 0, clock_mean = 0;
	int64_t next = ogate_mono_ns() + 1000000;

	if (pairs < 2) {
		fprintf(stderr, "web_analysis_cost: too short for %g fps\n", fps);
		exit(1);
	}
	/* lock (and the reference to the page) before measuring */
	for (int k = 0; k < (int)(3 * fps); k++) {
		block(r, 1, fps, true, &next, c);
	}
	for (int p = 0; p < pairs; p++) {
		int64_t p99[2];

		for (int h = 0; h < 2; h++) {
			bool on = (h == 0) == (p % 2 == 1); /* off on | on off | off on ... */
			int off0 = p * bframes;

			if (on)
				lat_on += block(r, bframes, fps, true, &next, c);
			else
				lat_off += block(r, bframes, fps, false, &next, c);
			for (int i = 0; i < bframes; i++) {
				tmp[i] = c[i].total;
				if (on) {
					on_all[off0 + i] = c[i].total;
					wall_on[off0 + i] = c[i].wall;
					ana[off0 + i] = c[i].ana;
					tp[off0 + i] = c[i].tap;
					ana_mean += (double)c[i].ana;
					tap_mean += (double)c[i].tap;
				} else {
					off_all[off0 + i] = c[i].total;
					wall_off[off0 + i] = c[i].wall;
					clock_mean += (double)c[i].tap; /* nothing but the clock read */
				}
			}
			p99[on] = pct(tmp, (size_t)bframes, 99);
		}
		rise[p] = ((double)p99[1] / (double)p99[0] - 1) * 100;
	}
	ana_mean /= nf;
	tap_mean /= nf;
	clock_mean /= nf;
	{
		double off99 = (double)pct(off_all, (size_t)nf, 99),
		       on99 = (double)pct(on_all, (size_t)nf, 99);
		double woff = (double)pct(wall_off, (size_t)nf, 99),
		       won = (double)pct(wall_on, (size_t)nf, 99);
		double a99 = (double)pct(ana, (size_t)nf, 99), t99 = (double)pct(tp, (size_t)nf, 99);
		double med = pct_d(rise, (size_t)pairs, 50), q1 = pct_d(rise, (size_t)pairs, 25),
		       q3 = pct_d(rise, (size_t)pairs, 75);
		int f = (int)fps;

		printf("# %d fps: %d pairs of %d-frame blocks (off/on interleaved ABBA), %d frames a side\n",
		       f, pairs, bframes, nf);
		printf("# per-pair p99 rise (%%):");
		for (int p = 0; p < pairs; p++)
			printf(" %.1f", rise[p]);
		printf("\n");
		printf("BENCH web_analysis_cpu_p99_%dfps_off %.1f us\n", f, off99 / 1e3);
		printf("BENCH web_analysis_cpu_p99_%dfps_on %.1f us\n", f, on99 / 1e3);
		printf("BENCH web_analysis_cpu_p99_rise_%dfps %.2f %%\n", f, med);
		printf("BENCH web_analysis_cpu_p99_rise_%dfps_q1 %.2f %%\n", f, q1);
		printf("BENCH web_analysis_cpu_p99_rise_%dfps_q3 %.2f %%\n", f, q3);
		printf("BENCH web_analysis_cpu_p99_rise_%dfps_pooled %.2f %%\n", f,
		       (on99 / off99 - 1) * 100);
		printf("BENCH web_analysis_wall_p99_rise_%dfps_pooled %.2f %%\n", f,
		       (won / woff - 1) * 100);
		/* the tap's span holds one clock read: the off blocks measure that alone */
		printf("# clock read %.2f us, analysis mean %.1f us, p99 %.1f us\n",
		       clock_mean / 1e3, ana_mean / 1e3, a99 / 1e3);
		printf("BENCH web_tap_cpu_mean_%dfps %.2f us\n", f, (tap_mean - clock_mean) / 1e3);
		printf("BENCH web_tap_cpu_p99_%dfps %.2f us\n", f, (t99 - clock_mean) / 1e3);
		printf("BENCH web_tap_share_of_analysis_mean_%dfps %.2f %%\n", f,
		       (tap_mean - clock_mean) / ana_mean * 100);
		printf("BENCH web_tap_share_of_analysis_p99_%dfps %.2f %%\n", f,
		       (t99 - clock_mean) / a99 * 100);
		printf("BENCH web_late_frames_%dfps_off %d frames (of %d)\n", f, lat_off, nf);
		printf("BENCH web_late_frames_%dfps_on %d frames (of %d)\n", f, lat_on, nf);
	}
	free(c);
	free(off_all);
	free(on_all);
	free(ana);
	free(tp);
	free(wall_off);
	free(wall_on);
	free(tmp);
	free(rise);
}

/*
 * Why a 16 kB copy costs the frame thread microseconds here: the same copy
 * into one fixed buffer (no ring, no reader) and a pure compute loop, back
 * to back and each right after sleeping one 80 fps frame interval, as the
 * frame thread does between frames. Thread CPU time, median of 200.
 */
static void wake_costs(const uint8_t *src)
{
	enum { N = 200 };
	static int64_t v[N];
	static uint8_t dst[SIDE * SIDE];
	const char *what[2] = { "copy16k", "compute" };

	for (int kind = 0; kind < 2; kind++) {
		for (int slept = 0; slept < 2; slept++) {
			for (int i = 0; i < N; i++) {
				volatile long x = 0;
				int64_t c0;

				if (slept)
					ogate_sleep_until(ogate_mono_ns() + 12500000);
				c0 = thread_ns();
				if (kind == 0)
					memcpy(dst, src, sizeof(dst));
				else
					for (int k = 0; k < 4000; k++)
						x += k;
				v[i] = thread_ns() - c0;
				__asm__ volatile("" : : "r"(dst) : "memory");
			}
			printf("BENCH web_wake_%s_%s %.2f us\n", what[kind],
			       slept ? "after_sleep" : "hot", pct(v, N, 50) / 1e3);
		}
	}
}

/* the live image's encoder on a 128^2 frame, and the thumbnails' copy per reference */
static void once_costs(struct rig *r)
{
	enum { N = 400 };
	static int64_t v[N];
	struct web_image img = { .m = { .width = SIDE, .height = SIDE, .bytes_per_pixel = 1 },
				 .px = ogate_frame_pixels(r->frame),
				 .valid = true };
	struct ogate_reference_info info;
	unsigned long size = 0, total = 0;

	for (int i = 0; i < N; i++) {
		unsigned char *jpeg;
		int64_t c0;

		render(r, ogate_mono_ns());
		c0 = thread_ns();
		web_jpeg(&img, 80, false, &jpeg, &size);
		v[i] = thread_ns() - c0;
		total += size;
		web_jpeg_free(jpeg);
	}
	printf("BENCH web_jpeg_128_p50 %.1f us\n", pct(v, N, 50) / 1e3);
	printf("BENCH web_jpeg_128_p99 %.1f us\n", pct(v, N, 99) / 1e3);
	printf("BENCH web_jpeg_128_size %.1f kB\n", (double)total / N / 1e3);
	wake_costs(ogate_frame_pixels(r->frame));
	if (ogate_sync_get_reference(r->sync, &info))
		return;
	for (int i = 0; i < 50; i++) {
		int64_t c0 = thread_ns();

		copy_reference(r, r->sync, &info);
		v[i] = thread_ns() - c0;
	}
	printf("BENCH web_reference_copy_%dframes %.1f us\n", info.length - 2 * OGATE_NE,
	       pct(v, 50, 50) / 1e3);
}

int main(int argc, char **argv)
{
	static struct rig r;
	struct ogate_settings set;
	struct ogate_web_ops ops = { .command = fake_command };
	struct ogate_web_opts wo = { .listen = "127.0.0.1:0",
				     .root = "userspace/daemon/web/www",
				     .stream_fps = 15,
				     .event_hz = 5,
				     .jpeg_quality = 80 };
	struct client cl[2] = { { .path = "/api/stream.mjpg" }, { .path = "/api/events" } };
	const char *e = getenv("WEB_COST_SECS");
	double secs = e ? atof(e) : 60, fpss[8] = { 80, 250 };
	int nfps = 2, err;
	bool noweb = getenv("WEB_COST_NOWEB") && atoi(getenv("WEB_COST_NOWEB"));

	if (argc > 1) {
		nfps = 0;
		for (int i = 1; i < argc && nfps < 8; i++)
			fpss[nfps++] = atof(argv[i]);
	}
	for (int k = 0; k < nfps; k++) {
		int bframes = getenv("WEB_COST_BLOCK") ? atoi(getenv("WEB_COST_BLOCK"))
						       : (int)(2 * fpss[k]);

		memset(&r, 0, sizeof(r));
		ogate_settings_default(&set);
		for (int i = 0; i < POOL; i++)
			if (ogate_frame_new(&r.pool[i], OGATE_PIX_U8, SIDE, SIDE))
				return 1;
		r.frame = r.pool[0];
		r.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (ogate_sync_new(&r.sync, &set) || ogate_sync_new(&r.ctl, &set)) {
			fprintf(stderr, "web_analysis_cost: cannot create the analysis\n");
			return 1;
		}
		/* ogated's default shm.slots; WEB_COST_SLOTS: another ring size */
		err = ogate_shm_writer_new(&r.shm, NULL,
					   getenv("WEB_COST_SLOTS")
						   ? (unsigned int)atoi(getenv("WEB_COST_SLOTS"))
						   : 64,
					   SIDE * SIDE, 0600);
		if (!r.frame || !r.sync || !r.ctl || !r.shm ||
		    ogate_heart_blob_init(&r.heart, SIDE, SIDE, 7)) {
			fprintf(stderr, "web_analysis_cost: setup failed\n");
			return 1;
		}
		r.law = (struct ogate_heart_law){ 0.42, 0.0, 0.05, 7.0, 0.7, 600.0 };
		ogate_heart_rng_seed(&r.rng, 3);
		r.t0 = ogate_mono_ns();
		if (r.wake_fd < 0 || pthread_create(&r.io, NULL, io_main, &r)) {
			fprintf(stderr, "web_analysis_cost: io thread failed\n");
			return 1;
		}
		if (noweb) { /* WEB_COST_NOWEB=1: the ring with no reader at all */
			paired(&r, fpss[k], secs);
			if (k == 0)
				wake_costs(ogate_frame_pixels(r.frame));
			goto done;
		}
		err = ogate_web_new(&r.web, &wo, &ops, r.shm);
		if (err || (err = ogate_web_start(r.web))) {
			fprintf(stderr, "web_analysis_cost: web server: %s\n", strerror(-err));
			return 1;
		}
		for (int i = 0; i < 2; i++) {
			cl[i].port = ogate_web_port(r.web);
			cl[i].fd = socket(AF_INET, SOCK_STREAM, 0);
			atomic_store(&cl[i].bytes, 0);
			pthread_create(&cl[i].th, NULL, client_main, &cl[i]);
		}
		paired(&r, fpss[k], secs);
		ogate_sync_free(r.ctl);
		r.ctl = NULL;
		run(&r, fpss[k], secs, bframes);
		printf("# page clients received %.0f kB (live image) and %.0f kB (events)\n",
		       atomic_load(&cl[0].bytes) / 1e3, atomic_load(&cl[1].bytes) / 1e3);
		if (k == 0)
			once_costs(&r);
		for (int i = 0; i < 2; i++)
			shutdown(cl[i].fd, SHUT_RDWR);
		ogate_web_free(r.web); /* ends the streams */
		for (int i = 0; i < 2; i++) {
			pthread_join(cl[i].th, NULL);
			close(cl[i].fd);
		}
done:
		atomic_store(&r.io_stop, true);
		pthread_join(r.io, NULL);
		close(r.wake_fd);
		ogate_sync_free(r.ctl);
		ogate_web_ref_free(r.ref);
		ogate_shm_writer_free(r.shm);
		ogate_sync_free(r.sync);
		for (int i = 0; i < POOL; i++)
			ogate_frame_free(r.pool[i]);
		ogate_heart_blob_free(&r.heart);
	}
	return 0;
}
