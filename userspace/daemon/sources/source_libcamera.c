// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The libcamera source: frames from a real camera through the C interface
 * of the adapter in camera/ (the only C++ in ogated). The 8-bit luma plane
 * is wrapped, not copied; timestamps are SensorTimestamp (CLOCK_MONOTONIC);
 * sequence gaps reported by the camera count as source drops, and so do
 * completed frames superseded by a newer one when the frame thread came
 * back for them more than the backlog late, and those off the grid of
 * every-th frames (the pace, source.h) but a wanted one. The adapter
 * is called from the frame thread only: frames released by analysis are
 * handed back to it through an atomic flag and requeued on its next call.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "ogate_libcamera.h"
#include "log.h"
#include "source_private.h"

struct lcslot {
	struct ogate_lc_frame lf;
	struct ogate_frame *f; /* wraps lf.luma */
	atomic_int state;      /* 0 free, 1 held downstream, 2 released */
};

struct lcsrc {
	struct ogate_source base;
	struct ogate_lc_camera *cam;
	struct ogate_lc_config cfg;
	struct lcslot slot[OGATE_SOURCE_POOL];
};

static void lc_requeue(struct lcsrc *c)
{
	int i;

	for (i = 0; i < OGATE_SOURCE_POOL; i++) {
		if (atomic_load(&c->slot[i].state) == 2) {
			ogate_lc_release(&c->slot[i].lf);
			ogate_frame_free(c->slot[i].f);
			c->slot[i].f = NULL;
			atomic_store(&c->slot[i].state, 0);
		}
	}
}

static struct ogate_source *lc_open(const struct ogate_source_opts *o, int *err)
{
	struct lcsrc *c = calloc(1, sizeof(*c));
	struct ogate_lc_info info[4];
	const char *id = o->camera_id;
	int n;

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->base.ops = &ogate_source_libcamera_ops;
	c->cfg = (struct ogate_lc_config){
		.width = (uint32_t)o->width,
		.height = (uint32_t)o->height,
		.frame_duration_us = o->fps > 0 ? (int64_t)(1e6 / o->fps + 0.5) : 0,
		.exposure_us = o->exposure_us,
		.analogue_gain = (float)o->analogue_gain,
		.roi = { o->roi_x, o->roi_y, (uint32_t)o->roi_w, (uint32_t)o->roi_h },
		.flags = OGATE_LC_ALLOW_ADJUST,
	};
	if (!id || !*id) {
		n = ogate_lc_list(info, 4);
		if (n <= 0) {
			ogate_error("libcamera: no camera found%s%s", n < 0 ? ": " : "",
				    n < 0 ? ogate_lc_last_error() : "");
			*err = n < 0 ? n : -ENODEV;
			free(c);
			return NULL;
		}
		id = info[0].id;
	}
	*err = ogate_lc_open(&c->cam, id, &c->cfg);
	if (*err) {
		ogate_error("libcamera: cannot open camera '%s': %s", id, ogate_lc_last_error());
		free(c);
		return NULL;
	}
	ogate_lc_get_config(c->cam, &c->cfg);
	if (c->cfg.frame_duration_us > 0)
		snprintf(c->base.desc, sizeof(c->base.desc), "libcamera %.40s %ux%u @ %.1f fps", id,
			 c->cfg.width, c->cfg.height, 1e6 / (double)c->cfg.frame_duration_us);
	else
		snprintf(c->base.desc, sizeof(c->base.desc), "libcamera %.40s %ux%u, camera's rate",
			 id, c->cfg.width, c->cfg.height);
	return &c->base;
}

static void lc_close(struct ogate_source *s)
{
	struct lcsrc *c = (struct lcsrc *)s;

	ogate_lc_close(c->cam);
	free(c);
}

static int lc_start(struct ogate_source *s)
{
	struct lcsrc *c = (struct lcsrc *)s;
	int ret = ogate_lc_start(c->cam);

	if (ret)
		ogate_error("libcamera: start failed: %s", ogate_lc_last_error());
	return ret;
}

static void lc_stop(struct ogate_source *s)
{
	struct lcsrc *c = (struct lcsrc *)s;
	int i;

	/* stopping completes pending requests; frames still held are returned first */
	for (i = 0; i < OGATE_SOURCE_POOL; i++)
		if (atomic_load(&c->slot[i].state) == 1)
			atomic_store(&c->slot[i].state, 2);
	lc_requeue(c);
	ogate_lc_stop(c->cam);
}

static int lc_next(struct ogate_source *s, int64_t deadline_ns, struct ogate_frame **f)
{
	struct lcsrc *c = (struct lcsrc *)s;
	struct ogate_lc_frame lf, newer;
	struct ogate_frame_meta m;
	int64_t left;
	int i, ret, late, off = 0, anchor = s->every > 1 && !s->grid_set;

	for (;;) {
		struct pollfd p = { .fd = ogate_lc_fd(c->cam), .events = POLLIN };

		lc_requeue(c);
		ret = ogate_lc_next(c->cam, &lf);
		if (ret == 0) {
			s->drops += lf.dropped_before;
			/* off the grid, but the first at or after a wanted time: as it is */
			off = !anchor && s->want_set && lf.timestamp_ns >= s->want_ns &&
			      !ogate_source_grid_has(s, lf.sequence);
			if (off || anchor || ogate_source_on_grid(s, lf.sequence))
				break;
			ogate_lc_release(&lf); /* off the grid of every-th frames */
			continue;
		}
		if (ret != -EAGAIN) {
			ogate_error("libcamera: %s", ogate_lc_last_error());
			return ret;
		}
		left = deadline_ns - ogate_mono_ns();
		if (left <= 0)
			return -EAGAIN;
		poll(&p, 1, (int)(left / 1000000) + 1);
	}
	/* beyond the backlog, newest first (source.h): completed frames a newer
	 * one of the grid supersedes go back */
	late = !off && (anchor || ogate_mono_ns() - lf.timestamp_ns > s->backlog_ns); /* a new grid: newest */
	while (late && ogate_lc_next(c->cam, &newer) == 0) {
		s->drops += newer.dropped_before;
		if (!anchor && !ogate_source_on_grid(s, newer.sequence)) {
			ogate_lc_release(&newer);
			continue;
		}
		ogate_lc_release(&lf);
		s->drops++;
		s->stale++;
		lf = newer;
	}
	if (anchor) { /* the new grid starts at the newest frame */
		s->grid = lf.sequence;
		s->grid_set = 1;
	}
	for (i = 0; i < OGATE_SOURCE_POOL && atomic_load(&c->slot[i].state); i++)
		;
	if (i == OGATE_SOURCE_POOL) {
		ogate_lc_release(&lf); /* analysis holds every slot: drop */
		s->drops++;
		return -EAGAIN;
	}
	c->slot[i].lf = lf;
	c->slot[i].f = ogate_frame_wrap(OGATE_PIX_U8, (int)lf.width, (int)lf.height, lf.stride,
					(void *)lf.luma);
	if (!c->slot[i].f) {
		ogate_lc_release(&c->slot[i].lf);
		return -ENOMEM;
	}
	m = (struct ogate_frame_meta){ .timestamp_ns = lf.timestamp_ns,
				       .sequence = lf.sequence,
				       .exposure_ns = lf.exposure_us > 0 ? lf.exposure_us * 1000LL : 0 };
	ogate_frame_set_meta(c->slot[i].f, &m);
	ogate_source_delivering(s, lf.timestamp_ns, off);
	atomic_store(&c->slot[i].state, 1);
	*f = c->slot[i].f;
	return 0;
}

static void lc_release(struct ogate_source *s, struct ogate_frame *f)
{
	struct lcsrc *c = (struct lcsrc *)s;
	int i;

	for (i = 0; i < OGATE_SOURCE_POOL; i++)
		if (c->slot[i].f == f)
			atomic_store(&c->slot[i].state, 2);
}

const struct ogate_source_ops ogate_source_libcamera_ops = {
	.kind = "libcamera",
	.open = lc_open,
	.close = lc_close,
	.start = lc_start,
	.stop = lc_stop,
	.next = lc_next,
	.release = lc_release,
};
