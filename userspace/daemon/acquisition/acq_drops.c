// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The frames the analysis skipped during an acquisition (see acq_drops.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acq_drops.h"
#include "episodes.h"
#include "log.h"

#define WINDOWS 64 /* the planes a gap can still be shared with (the newest) */

/* a plane's time: from its start to the next one's */
struct window {
	int64_t t0;
	int stack, plane; /* stack < 0: between stacks */
	double z_um;
};

struct hit {
	int stack, plane;
	double z_um;
	uint64_t frames;
	uint64_t camera; /* of frames: lost by the camera (the rest: the analysis's) */
};

struct stack_hit {
	int stack;
	uint64_t frames;
};

struct acq_drops {
	int64_t t0;
	struct acq_drops_sample last;
	int64_t lag_max_base, lag_max;
	uint64_t frames, between;
	uint64_t analysis, camera;  /* frames: the analysis's (stale) and the camera's */
	struct window win[WINDOWS]; /* ring: window i at i % WINDOWS */
	uint64_t nwin;
	struct hit *hits; /* the first ACQ_DROPS_LISTED affected planes */
	size_t nhits;
	uint64_t planes;     /* all of them */
	struct hit unlisted; /* the last affected plane beyond the list */
	struct stack_hit *stacks;
	size_t nstacks;
	struct ogate_episodes *eps; /* the first ACQ_DROPS_LISTED listed */
	/* decimation: frames, the largest k, the newest window's largest k, and
	 * the planes acquired at k > 1 (frames: their k), the first listed */
	uint64_t decimated;
	unsigned k_max, win_k;
	struct hit *dec;
	size_t ndec;
	uint64_t dec_planes;
	struct ogate_reason_counts by_reason; /* accepted triggers */
};

static unsigned k_of(const struct acq_drops_sample *s)
{
	return s->decimate > 1 ? s->decimate : 1;
}

struct acq_drops *acq_drops_new(void)
{
	struct acq_drops *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->hits = calloc(ACQ_DROPS_LISTED, sizeof(*d->hits));
	d->stacks = calloc(ACQ_DROPS_LISTED, sizeof(*d->stacks));
	d->eps = ogate_episodes_new(ACQ_DROPS_LISTED, ACQ_DROPS_QUIET_NS);
	d->dec = calloc(ACQ_DROPS_LISTED, sizeof(*d->dec));
	if (!d->hits || !d->stacks || !d->eps || !d->dec) {
		acq_drops_free(d);
		return NULL;
	}
	return d;
}

void acq_drops_free(struct acq_drops *d)
{
	if (!d)
		return;
	free(d->hits);
	free(d->stacks);
	ogate_episodes_free(d->eps);
	free(d->dec);
	free(d);
}

void acq_drops_begin(struct acq_drops *d, const struct acq_drops_sample *s)
{
	struct hit *hits = d->hits;
	struct stack_hit *stacks = d->stacks;
	struct ogate_episodes *eps = d->eps;
	struct hit *dec = d->dec;

	memset(d, 0, sizeof(*d));
	d->hits = hits;
	d->stacks = stacks;
	d->eps = eps;
	d->dec = dec;
	ogate_episodes_reset(eps);
	d->k_max = d->win_k = k_of(s);
	d->t0 = s->t_ns;
	d->last = *s;
	d->lag_max_base = s->lag_max_ns;
	d->win[0] = (struct window){ .t0 = s->t_ns, .stack = -1, .plane = -1 };
	d->nwin = 1;
}

void acq_drops_trigger(struct acq_drops *d, int reason)
{
	ogate_reason_counts_add(&d->by_reason, reason);
}

/* n frames to the plane of window w; camera: lost by the camera (else superseded) */
static void add_to(struct acq_drops *d, const struct window *w, uint64_t n, bool camera)
{
	uint64_t nc = camera ? n : 0;

	size_t i;

	if (!n)
		return;
	d->frames += n;
	if (w->stack < 0) {
		d->between += n;
		return;
	}
	for (i = d->nhits; i-- > 0;)
		if (d->hits[i].stack == w->stack && d->hits[i].plane == w->plane)
			break;
	if (i < d->nhits) {
		d->hits[i].frames += n;
		d->hits[i].camera += nc;
	} else if (d->planes && d->unlisted.frames && d->unlisted.stack == w->stack &&
		   d->unlisted.plane == w->plane) {
		d->unlisted.frames += n;
		d->unlisted.camera += nc;
	} else {
		struct hit h = { w->stack, w->plane, w->z_um, n, nc };

		d->planes++;
		if (d->nhits < ACQ_DROPS_LISTED)
			d->hits[d->nhits++] = h;
		else
			d->unlisted = h;
	}
	for (i = d->nstacks; i-- > 0;)
		if (d->stacks[i].stack == w->stack)
			break;
	if (i < d->nstacks)
		d->stacks[i].frames += n;
	else if (d->nstacks < ACQ_DROPS_LISTED)
		d->stacks[d->nstacks++] = (struct stack_hit){ w->stack, n };
}

/*
 * n frames skipped between a and b: shared among the windows that overlap
 * [a, b] in proportion (rounded so that they add up to n); a gap before the
 * oldest window kept goes to it, a gap of no length to the window holding b.
 */
static void share(struct acq_drops *d, int64_t a, int64_t b, uint64_t n, bool camera)
{
	uint64_t first = d->nwin > WINDOWS ? d->nwin - WINDOWS : 0, k, given = 0;
	int64_t total, cum = 0;

	if (d->win[first % WINDOWS].t0 > a)
		a = d->win[first % WINDOWS].t0;
	total = b - a;
	for (k = first; k < d->nwin; k++) {
		const struct window *w = &d->win[k % WINDOWS];
		int64_t lo = w->t0, hi = k + 1 < d->nwin ? d->win[(k + 1) % WINDOWS].t0 : INT64_MAX;
		uint64_t upto;

		if (total <= 0) {
			if (b >= lo && (b < hi || k + 1 == d->nwin)) {
				add_to(d, w, n, camera);
				return;
			}
			continue;
		}
		if (hi > b)
			hi = b;
		if (lo < a)
			lo = a;
		if (hi <= lo)
			continue;
		cum += hi - lo;
		upto = (uint64_t)((double)n * (double)cum / (double)total + 0.5);
		if (cum >= total || upto > n)
			upto = n;
		add_to(d, w, upto - given, camera);
		given = upto;
	}
	if (given < n) /* b after the last window's start cannot leave any; safety */
		add_to(d, &d->win[(d->nwin - 1) % WINDOWS], n - given, camera);
}

void acq_drops_note(struct acq_drops *d, const struct acq_drops_sample *s)
{
	const struct acq_drops_sample *p = &d->last;
	/* the pipeline restarted (its counters start again at 0) */
	uint64_t ns = s->stale >= p->stale ? s->stale - p->stale : s->stale;
	uint64_t nc = s->camera >= p->camera ? s->camera - p->camera : s->camera;
	uint64_t n = ns + nc;
	int64_t a, b;

	d->decimated += s->decimated >= p->decimated ? s->decimated - p->decimated : s->decimated;
	if (k_of(s) > d->k_max)
		d->k_max = k_of(s);
	if (k_of(s) > d->win_k)
		d->win_k = k_of(s);

	if (s->lag_ns > d->lag_max)
		d->lag_max = s->lag_ns;
	if (s->lag_max_ns > d->lag_max_base && s->lag_max_ns > d->lag_max)
		d->lag_max = s->lag_max_ns;
	d->analysis += ns;
	d->camera += nc;
	if (n) {
		/* after the newest frame analysed before, up to the first analysed after */
		a = p->last_frame_ns > 0 && p->last_frame_ns <= p->t_ns ? p->last_frame_ns : p->t_ns;
		if (a < d->t0)
			a = d->t0;
		b = s->last_frame_ns > a && s->last_frame_ns <= s->t_ns ? s->last_frame_ns : s->t_ns;
		if (s->gap_end_ns > a && s->gap_end_ns < b)
			b = s->gap_end_ns;
		if (b < a)
			b = a;
		ogate_episodes_gap(d->eps, a, b, n, 0);
		/* each cause shared on its own: a plane's skipped frames split by cause */
		share(d, a, b, ns, false);
		share(d, a, b, nc, true);
	}
	d->last = *s;
}

/* The newest window ends: its plane, when decimated, is listed with its k. */
static void close_window(struct acq_drops *d)
{
	const struct window *w = &d->win[(d->nwin - 1) % WINDOWS];

	if (w->stack < 0 || d->win_k <= 1)
		return;
	d->dec_planes++;
	if (d->ndec < ACQ_DROPS_LISTED)
		d->dec[d->ndec++] = (struct hit){ .stack = w->stack,
						  .plane = w->plane,
						  .z_um = w->z_um,
						  .frames = d->win_k };
}

void acq_drops_plane(struct acq_drops *d, int stack, int plane, double z_um,
		     const struct acq_drops_sample *s)
{
	acq_drops_note(d, s);
	close_window(d);
	d->win_k = k_of(s);
	d->win[d->nwin % WINDOWS] = (struct window){
		.t0 = s->t_ns,
		.stack = stack < 0 ? -1 : stack,
		.plane = stack < 0 ? -1 : plane,
		.z_um = z_um,
	};
	d->nwin++;
}

void acq_drops_end(struct acq_drops *d, const struct acq_drops_sample *s)
{
	acq_drops_note(d, s);
	close_window(d);
	d->win_k = 1; /* closed: not listed twice */
	ogate_episodes_close(d->eps);
}

void acq_drops_get(const struct acq_drops *d, struct acq_drops_totals *t)
{
	t->frames = d->frames;
	t->analysis = d->analysis;
	t->camera = d->camera;
	t->between = d->between;
	t->episodes = ogate_episodes_count(d->eps);
	t->planes = d->planes;
	t->lag_max_ns = d->lag_max;
	t->duration_ns = d->last.t_ns - d->t0;
	t->decimated = d->decimated;
	t->decimate_max = d->k_max ? d->k_max : 1;
	t->planes_decimated = d->dec_planes;
	t->triggers = d->by_reason;
}

unsigned acq_drops_plane_decimate(const struct acq_drops *d, int stack, int plane)
{
	for (size_t i = 0; i < d->ndec; i++)
		if (d->dec[i].stack == stack && d->dec[i].plane == plane)
			return (unsigned)d->dec[i].frames;
	return 1;
}

uint64_t acq_drops_plane_frames(const struct acq_drops *d, int stack, int plane)
{
	for (size_t i = 0; i < d->nhits; i++)
		if (d->hits[i].stack == stack && d->hits[i].plane == plane)
			return d->hits[i].frames;
	return 0;
}

uint64_t acq_drops_plane_camera(const struct acq_drops *d, int stack, int plane)
{
	for (size_t i = 0; i < d->nhits; i++)
		if (d->hits[i].stack == stack && d->hits[i].plane == plane)
			return d->hits[i].camera;
	return 0;
}

static int by_plane(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;

	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	return a->plane < b->plane ? -1 : a->plane > b->plane;
}

/* n listed planes in order (stack, plane); NULL when none or out of memory */
static struct hit *sorted(const struct hit *list, size_t n)
{
	struct hit *h;

	if (!n || !(h = malloc(n * sizeof(*h))))
		return NULL;
	memcpy(h, list, n * sizeof(*h));
	qsort(h, n, sizeof(*h), by_plane);
	return h;
}

static struct hit *sorted_hits(const struct acq_drops *d)
{
	return sorted(d->hits, d->nhits);
}

/* append to buf (n: its length so far, never past len - 1) */
static void put(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n + 1 >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	*n = r < 0 ? *n : *n + (size_t)r < len ? *n + (size_t)r : len - 1;
}

/* "planes 3-4" or "stack 0 planes 3-4, stack 2 plane 7" of nlisted planes of all */
static void planes_text(const struct hit *list, size_t nlisted, uint64_t all, int stacks, char *buf,
			size_t len)
{
	struct hit *h = sorted(list, nlisted);
	size_t n = 0, i = 0, k, j, e;

	if (!len)
		return;
	buf[0] = '\0';
	while (h && i < nlisted) {
		/* this stack's planes, as runs of consecutive ones */
		for (k = i; k + 1 < nlisted && h[k + 1].stack == h[i].stack; k++)
			;
		put(buf, len, &n, "%s", i ? ", " : "");
		if (stacks > 1)
			put(buf, len, &n, "stack %d ", h[i].stack);
		put(buf, len, &n, "plane%s ", k > i ? "s" : "");
		for (j = i; j <= k; j = e + 1) {
			for (e = j; e < k && h[e + 1].plane == h[e].plane + 1; e++)
				;
			put(buf, len, &n, "%s", j > i ? "," : "");
			if (e > j)
				put(buf, len, &n, "%d-%d", h[j].plane, h[e].plane);
			else
				put(buf, len, &n, "%d", h[j].plane);
		}
		i = k + 1;
	}
	if (all > nlisted)
		put(buf, len, &n, " and %" PRIu64 " more", all - nlisted);
	if (n + 1 >= len && len > 4)
		snprintf(buf + len - 4, 4, "...");
	free(h);
}

void acq_drops_planes_text(const struct acq_drops *d, int stacks, char *buf, size_t len)
{
	planes_text(d->hits, d->nhits, d->planes, stacks, buf, len);
}

/* The planes of list h (n of them; none if h is NULL) as JSON objects, each count named key. */
/* split: the skipped frames' causes too (analysis, camera) */
static void write_planes(FILE *f, const struct hit *h, size_t n, const char *key, bool split)
{
	for (size_t i = 0; h && i < n; i++) {
		fprintf(f, "%s\n      {\"stack\": %d, \"plane\": %d, \"z_um\": %.4f, \"%s\": %" PRIu64,
			i ? "," : "", h[i].stack, h[i].plane, h[i].z_um, key, h[i].frames);
		if (split)
			fprintf(f, ", \"analysis\": %" PRIu64 ", \"camera\": %" PRIu64,
				h[i].frames - h[i].camera, h[i].camera);
		fprintf(f, "}");
	}
}

static void write_json(const struct acq_drops *d, FILE *f, const char *ended, int64_t wall_minus_mono)
{
	time_t wall = (time_t)((d->t0 + wall_minus_mono) / 1000000000LL);
	struct hit *h = sorted_hits(d);
	struct acq_drops_totals t;
	char started[32];
	struct tm tm;

	acq_drops_get(d, &t);
	gmtime_r(&wall, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\n  \"started_utc\": \"%s\",\n  \"ended\": \"%s\",\n", started, ended);
	fprintf(f, "  \"duration_s\": %.3f,\n", t.duration_ns / 1e9);
	fprintf(f, "  \"analysis_lag_max_ms\": %.3f,\n", t.lag_max_ns / 1e6);
	fprintf(f,
		"  \"triggers\": {\"standard\": %" PRIu64 ", \"panic\": %" PRIu64
		", \"late\": %" PRIu64 ", \"other\": %" PRIu64 "},\n",
		t.triggers.standard, t.triggers.panic, t.triggers.late, t.triggers.other);
	fprintf(f, "  \"skipped\": {\n    \"frames\": %" PRIu64 ",\n", t.frames);
	fprintf(f, "    \"analysis\": %" PRIu64 ",\n    \"camera\": %" PRIu64 ",\n", t.analysis,
		t.camera);
	fprintf(f, "    \"between_stacks\": %" PRIu64 ",\n", t.between);
	fprintf(f, "    \"episodes\": %" PRIu64 ",\n    \"listed\": [", t.episodes);
	for (size_t i = 0; i < ogate_episodes_listed(d->eps); i++) {
		const struct ogate_episode *e = ogate_episodes_at(d->eps, i);

		fprintf(f,
			"%s\n      {\"start_ns\": %" PRId64 ", \"start_s\": %.3f, \"duration_s\": %.3f"
			", \"frames\": %" PRIu64 "}",
			i ? "," : "", e->start_ns, (e->start_ns - d->t0) / 1e9,
			(e->end_ns - e->start_ns) / 1e9, e->frames);
	}
	fprintf(f, "%s],\n", ogate_episodes_listed(d->eps) ? "\n    " : "");
	fprintf(f, "    \"planes_affected\": %" PRIu64 ",\n    \"planes\": [", t.planes);
	write_planes(f, h, d->nhits, "frames", true);
	fprintf(f, "%s],\n    \"stacks\": [", d->nhits ? "\n    " : "");
	for (size_t i = 0; i < d->nstacks; i++)
		fprintf(f, "%s\n      {\"stack\": %d, \"frames\": %" PRIu64 "}", i ? "," : "",
			d->stacks[i].stack, d->stacks[i].frames);
	fprintf(f, "%s]\n  },\n", d->nstacks ? "\n    " : "");
	free(h);
	h = sorted(d->dec, d->ndec);
	fprintf(f, "  \"decimated\": {\n    \"frames\": %" PRIu64 ",\n", t.decimated);
	fprintf(f, "    \"max_every\": %u,\n", t.decimate_max);
	fprintf(f, "    \"planes_affected\": %" PRIu64 ",\n    \"planes\": [", t.planes_decimated);
	write_planes(f, h, d->ndec, "every", false);
	fprintf(f, "%s]\n  }\n}\n", d->ndec ? "\n    " : "");
	free(h);
}

int acq_drops_write(const struct acq_drops *d, const char *path, const char *ended,
		    int64_t wall_minus_mono)
{
	char tmp[600];
	FILE *f;
	int bad, e;

	snprintf(tmp, sizeof(tmp), "%.590s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		e = errno;
		ogate_error("acquisition: cannot create %s: %s", tmp, strerror(e));
		return -e;
	}
	write_json(d, f, ended, wall_minus_mono);
	bad = ferror(f);
	errno = 0;
	if (fclose(f) || bad || rename(tmp, path)) {
		e = errno ? errno : EIO;
		ogate_error("acquisition: cannot write %s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

static const char *nth(unsigned k)
{
	return k % 10 == 1 && k % 100 != 11   ? "st"
	       : k % 10 == 2 && k % 100 != 12 ? "nd"
	       : k % 10 == 3 && k % 100 != 13 ? "rd"
					      : "th";
}

void acq_drops_log(const struct acq_drops *d, int stacks)
{
	struct acq_drops_totals t;
	char planes[200], skipped[400] = "", dec[400] = "";

	acq_drops_get(d, &t);
	if (!t.frames && !t.decimated && t.decimate_max <= 1)
		return;
	if (t.frames) {
		acq_drops_planes_text(d, stacks, planes, sizeof(planes));
		char why[120];

		if (!t.camera)
			snprintf(why, sizeof(why), "skipped by the analysis");
		else if (!t.analysis)
			snprintf(why, sizeof(why), "lost by the camera");
		else
			snprintf(why, sizeof(why),
				 "skipped (%" PRIu64 " by the analysis, %" PRIu64
				 " lost by the camera)",
				 t.analysis, t.camera);
		snprintf(skipped, sizeof(skipped),
			 "%" PRIu64 " frame%s %s in %" PRIu64 " episode%s, %s affected", t.frames,
			 t.frames == 1 ? "" : "s", why, t.episodes, t.episodes == 1 ? "" : "s",
			 planes[0] ? planes : "between stacks, no plane");
	}
	if (t.decimated || t.decimate_max > 1) {
		planes_text(d->dec, d->ndec, d->dec_planes, stacks, planes, sizeof(planes));
		snprintf(dec, sizeof(dec),
			 "the analysis decimated (every %u%s frame at most, %" PRIu64
			 " frame%s not analysed), %s acquired meanwhile",
			 t.decimate_max, nth(t.decimate_max), t.decimated, t.decimated == 1 ? "" : "s",
			 planes[0] ? planes : "between stacks, no plane");
	}
	ogate_warning("acq: %s%s%s", skipped, skipped[0] && dec[0] ? "; " : "", dec);
}
