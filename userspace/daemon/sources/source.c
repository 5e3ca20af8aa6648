// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Camera source front end: pool, pacing at absolute times, backlog and grid, drop counting. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "log.h"
#include "source_private.h"

static const struct ogate_source_ops *const source_kinds[] = {
	&ogate_source_synthetic_ops,
	&ogate_source_file_ops,
#ifdef OGATE_HAVE_LIBCAMERA
	&ogate_source_libcamera_ops,
#endif
};

int ogate_source_open(struct ogate_source **out, const struct ogate_source_opts *o)
{
	struct ogate_source *s;
	size_t i;
	int err = -EINVAL;

	for (i = 0; i < sizeof(source_kinds) / sizeof(source_kinds[0]); i++)
		if (!strcmp(o->kind, source_kinds[i]->kind)) {
			s = source_kinds[i]->open(o, &err);
			if (!s)
				return err < 0 ? err : -EINVAL;
			*out = s;
			return 0;
		}
#ifdef OGATE_HAVE_LIBCAMERA
	ogate_error("camera source '%s' unknown (libcamera, file, synthetic)", o->kind);
#else
	ogate_error("camera source '%s' unknown or not built in (file, synthetic; libcamera needs libcamera-dev at build time)",
		    o->kind);
#endif
	return -EINVAL;
}

int ogate_source_pool_init(struct ogate_source *s, enum ogate_pixfmt fmt, int w, int h)
{
	int i;

	for (i = 0; i < OGATE_SOURCE_POOL; i++) {
		int ret = ogate_frame_new(&s->pool[i], fmt, w, h);

		if (ret)
			return ret;
	}
	return 0;
}

void ogate_source_close(struct ogate_source *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < OGATE_SOURCE_POOL; i++)
		ogate_frame_free(s->pool[i]);
	s->ops->close(s);
}

int ogate_source_start(struct ogate_source *s)
{
	int ret = s->ops->start ? s->ops->start(s) : 0;

	if (ret)
		return ret;
	s->index = 0;
	s->every = 1;
	s->grid_set = 0;
	s->backlog_ns = 0;
	s->want_set = 0;
	s->off_grid = 0;
	s->t0 = ogate_clock_now(s->clock);
	s->running = 1;
	return 0;
}

void ogate_source_set_clock(struct ogate_source *s, const struct ogate_clock *c)
{
	s->clock = c;
}

void ogate_source_stop(struct ogate_source *s)
{
	if (s->ops->stop)
		s->ops->stop(s);
	s->running = 0;
}

int ogate_source_grid_has(const struct ogate_source *s, uint64_t seq)
{
	return s->every <= 1 || !s->grid_set || (seq - s->grid) % s->every == 0;
}

void ogate_source_delivering(struct ogate_source *s, int64_t ts, int off)
{
	if (s->want_set && ts >= s->want_ns)
		s->want_set = 0;
	s->off_grid = off;
}

int ogate_source_on_grid(struct ogate_source *s, uint64_t seq)
{
	if (s->every > 1 && !s->grid_set) {
		s->grid = seq;
		s->grid_set = 1;
	}
	if (ogate_source_grid_has(s, seq))
		return 1;
	s->drops++;
	s->decimated++;
	return 0;
}

/*
 * A timed source's camera keeps running while its reader is away: when the
 * reader comes back more than the backlog late for frame s->index, only the
 * newest frame of the grid is delivered and the ones it supersedes are
 * dropped (counted as drops, and as stale, or as decimated for those off
 * the grid), so a reader slower than the frame rate works on the newest frame,
 * never on a backlog. Within the backlog, frame s->index is delivered (a
 * transient slow frame loses none), except at a new grid (anchor): it
 * starts at the newest. *t: frame s->index's time, moved to the newest's.
 */
static int catch_up(struct ogate_source *s, int64_t *t, int anchor)
{
	int64_t now = ogate_clock_now(s->clock);
	uint64_t k = !anchor && s->grid_set && s->every > 1 ? s->every : 1;

	if (!anchor && now - *t <= s->backlog_ns)
		return 0;
	for (;;) {
		int64_t rel;
		int ret = s->ops->stamp(s, s->index + k, &rel);

		if (ret == -ENODATA)
			return 0; /* the last frame of a file: deliver it */
		if (ret)
			return ret;
		if (s->t0 + rel > now)
			return 0;
		s->index += k;
		s->drops += k;
		s->stale++;
		s->decimated += k - 1;
		*t = s->t0 + rel;
	}
}

int ogate_source_next(struct ogate_source *s, int64_t deadline_ns, struct ogate_frame **f)
{
	if (s->ops->next)
		return s->ops->next(s, deadline_ns, f);
	for (;;) {
		struct ogate_frame_meta m;
		int64_t rel, t;
		int i, ret, off = 0, anchor = s->every > 1 && !s->grid_set;

		/* off the grid of every-th frames: skipped without waiting for
		 * them, except the first at or after a wanted time */
		while (!anchor && !s->fast && !ogate_source_grid_has(s, s->index)) {
			if (s->want_set) {
				ret = s->ops->stamp(s, s->index, &rel);
				if (ret)
					return ret;
				if (s->t0 + rel >= s->want_ns) {
					off = 1;
					break;
				}
			}
			s->drops++;
			s->decimated++;
			s->index++;
		}
		ret = s->ops->stamp(s, s->index, &rel);
		if (ret)
			return ret;
		t = s->t0 + rel;
		if (!s->fast) {
			if (t > deadline_ns)
				return -EAGAIN; /* not due yet */
			ogate_clock_sleep_until(s->clock, t);
			ret = off ? 0 : catch_up(s, &t, anchor); /* a wanted frame as it is */
			if (ret)
				return ret;
		}
		for (i = 0; i < OGATE_SOURCE_POOL && atomic_load(&s->busy[i]); i++)
			;
		if (i == OGATE_SOURCE_POOL) {
			/* every buffer is held downstream: this frame is lost */
			s->index++;
			s->drops++;
			continue;
		}
		if (anchor) { /* the new grid starts at the newest frame */
			s->grid = s->index;
			s->grid_set = 1;
		}
		s->render_ns = ogate_clock_now(s->clock);
		ret = s->ops->render(s, s->index, s->pool[i]);
		if (ret)
			return ret;
		s->render_ns = ogate_clock_now(s->clock) - s->render_ns;
		m = *ogate_frame_get_meta(s->pool[i]);
		m.timestamp_ns = t;
		m.sequence = s->index++;
		ogate_source_delivering(s, t, off);
		ogate_frame_set_meta(s->pool[i], &m);
		atomic_store(&s->busy[i], 1);
		*f = s->pool[i];
		return 0;
	}
}

void ogate_source_release(struct ogate_source *s, struct ogate_frame *f)
{
	int i;

	if (s->ops->release) {
		s->ops->release(s, f);
		return;
	}
	for (i = 0; i < OGATE_SOURCE_POOL; i++)
		if (s->pool[i] == f)
			atomic_store(&s->busy[i], 0);
}

uint64_t ogate_source_drops(const struct ogate_source *s)
{
	return s->drops;
}

uint64_t ogate_source_stale(const struct ogate_source *s)
{
	return s->stale;
}

uint64_t ogate_source_decimated(const struct ogate_source *s)
{
	return s->decimated;
}

void ogate_source_set_pace(struct ogate_source *s, unsigned every, int64_t backlog_ns)
{
	if (s->fast)
		return;
	if (every < 1)
		every = 1;
	if (every != s->every) {
		s->every = every;
		s->grid_set = 0; /* anchored at the next frame delivered */
	}
	s->backlog_ns = backlog_ns > 0 ? backlog_ns : 0;
}

void ogate_source_want(struct ogate_source *s, int64_t t_ns)
{
	if (s->fast)
		return;
	s->want_ns = t_ns;
	s->want_set = 1;
}

int ogate_source_off_grid(const struct ogate_source *s)
{
	return s->off_grid;
}

int64_t ogate_source_render_ns(const struct ogate_source *s)
{
	return s->ops->next ? 0 : s->render_ns;
}

int ogate_source_realtime(const struct ogate_source *s)
{
	return !s->fast;
}

const char *ogate_source_describe(const struct ogate_source *s)
{
	return s->desc;
}
