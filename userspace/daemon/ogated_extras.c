// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogated's wiring of the frame stream, the web interface and housekeeping (ogated_extras.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-client.h"
#include "health.h"
#include "log.h"
#include "ogate-shm.h"
#include "ogate/analysis.h"
#include "ogate/frame.h"
#include "ogated_extras.h"
#include "web.h"

struct ogated_extras {
	const struct ogate_config *cfg;
	struct ogate_shm_writer *shm;
	struct ogate_web *web;
	struct ogate_health *health;
	struct ogate_pipeline *pipe;
	_Atomic double fps_nominal;
	char socket[128];
	/* the started server, for the frame thread (set once it listens; it lives until free) */
	_Atomic(struct ogate_web *) web_live;
	/* frame thread only: the reference's frames on their way to the page */
	struct ogate_web_ref *ref; /* copied, not yet published (ref_pending) or spare */
	bool ref_pending, ref_failed;
	struct ogate_reference_info ref_sent; /* the reference last copied */
};

/* the same reference: ids restart at 1 after a reset, so its frames' sequences count too */
static bool same_reference(const struct ogate_reference_info *a, const struct ogate_reference_info *b)
{
	return a->id == b->id && a->first_seq == b->first_seq &&
	       a->established_seq == b->established_seq;
}

/*
 * Frame thread (it analyses each frame): when the reference changes, copy its frames out (libogate
 * lends them to this thread only) and hand them to the page. Never waits:
 * while a page reads the previous set, the copy is offered again on the
 * next frames. Costs one copy of the reference's pixels per reference.
 */
static void reference_to_web(struct ogated_extras *x, struct ogate_web *web,
			     const struct ogate_frame *f, const struct ogate_pipeline_tap *t)
{
	struct ogate_reference_info info;

	if (!x->ref_pending) {
		uint32_t bpp = (uint32_t)ogate_pixfmt_bytes(ogate_frame_format(f));
		int w = ogate_frame_width(f), h = ogate_frame_height(f), n, ret = 0;
		struct ogate_frame *view;

		if (!t->sync || !t->locked || ogate_sync_get_reference(t->sync, &info) ||
		    same_reference(&info, &x->ref_sent))
			return;
		x->ref_sent = info;
		n = info.length - 2 * OGATE_NE;
		if (ogate_web_ref_reserve(&x->ref, n, (uint32_t)w, (uint32_t)h, bpp))
			ret = -ENOMEM;
		view = ret ? NULL
			   : ogate_frame_wrap(ogate_frame_format(f), w, h, (size_t)w * bpp, x->ref->px);
		for (int i = 0; view && !ret && i < n; i++) {
			ogate_frame_set_pixels(view, x->ref->px + (size_t)i * w * h * bpp);
			ret = ogate_sync_get_reference_frame(t->sync, i, view, &x->ref->phase[i]);
		}
		ogate_frame_free(view);
		if (ret || !view) {
			if (!x->ref_failed)
				ogate_warning("web: the reference's frames could not be copied for the page: %s",
					      strerror(ret ? -ret : ENOMEM));
			x->ref_failed = true;
			return;
		}
		x->ref->id = info.id;
		/* the camera's numbering, not the analysis's (they differ once the
		 * frame thread analysed every k-th frame: pipeline_pace.c) */
		x->ref->first_seq = t->ref_first_seq;
		x->ref->seq_step = t->ref_seq_step ? t->ref_seq_step : 1;
		x->ref->period_frames = info.period_frames;
		x->ref_pending = true;
	}
	if (ogate_web_offer_reference(web, &x->ref) == 0)
		x->ref_pending = false;
}

/*
 * io thread: every frame into the ring, on the camera frame the frame thread
 * lent (it releases it once this returned) with the metadata it computed;
 * never waits. A frame the acquisition keeps comes here on the frame thread.
 */
static void frame_copy(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t)
{
	struct ogated_extras *x = ctx;
	const struct ogate_frame_meta *fm = ogate_frame_get_meta(f);
	struct ogate_shm_meta m = {
		.sequence = fm->sequence,
		.timestamp_ns = fm->timestamp_ns,
		.exposure_ns = fm->exposure_ns,
		.phase = t->phase,
		.state = t->locked ? OGATE_SHM_STATE_LOCKED : OGATE_SHM_STATE_DETERMINE,
		.flags = t->triggered ? OGATE_SHM_TRIGGER : 0,
		.trigger_ns = t->trigger_ns,
		.width = (uint32_t)ogate_frame_width(f),
		.height = (uint32_t)ogate_frame_height(f),
		.bytes_per_pixel = (uint32_t)ogate_pixfmt_bytes(ogate_frame_format(f)),
		.ref_id = t->ref_id,
		.target_phase = t->target_phase,
	};

	ogate_shm_write(x->shm, &m, ogate_frame_pixels(f), ogate_frame_stride(f));
}

/* frame thread: O(metadata) per frame; the reference's frames once per reference */
static void frame_tap(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t)
{
	struct ogated_extras *x = ctx;
	struct ogate_web *web = atomic_load(&x->web_live);

	if (web)
		reference_to_web(x, web, f, t);
}

/* web connection threads: the same command table, through the control socket */
static int web_command(void *ctx, const char *line, char *reply, size_t len)
{
	struct ogated_extras *x = ctx;

	return ogate_control_request(x->socket, line, reply, len, 10000);
}

/* logging thread: warnings and errors to the page */
static void log_tap(void *ctx, enum ogate_log_level l, const char *msg)
{
	ogate_web_note(ctx, ogate_log_level_name(l), msg);
}

static void health_input(void *ctx, struct ogate_health_input *in)
{
	struct ogated_extras *x = ctx;
	struct ogate_pipeline_status st;

	ogate_pipeline_status(x->pipe, &st);
	*in = (struct ogate_health_input){
		.running = st.running,
		.fps_measured = st.fps,
		.fps_nominal = atomic_load(&x->fps_nominal),
		.drops_source = st.drops_source,
		.drops_analysis = st.drops_analysis,
		.drops_record = st.drops_record,
		.decimate = st.decimate,
		.late = st.late,
		.lateness_max_ns = st.lateness_max_ns,
		.lateness_mean_ns = (double)st.lateness_mean_ns,
	};
}

static void health_warn(void *ctx, bool raised, const char *msg)
{
	if (raised)
		ogate_warning("health: %s", msg);
	else
		ogate_success("health: %s", msg);
}

struct ogated_extras *ogated_extras_new(const struct ogate_config *cfg, struct ogate_pipeline_opts *po)
{
	struct ogated_extras *x = calloc(1, sizeof(*x));
	const char *name = ogate_config_str(cfg, "shm.name");
	struct ogate_health_opts ho = {
		.period_ns = ogate_config_int(cfg, "health.period_ms") * 1000000LL,
		.temp_warn_c = ogate_config_double(cfg, "health.temp_warn_c"),
		.slip_warn_pct = ogate_config_double(cfg, "health.slip_warn_pct"),
		.rss_warn_bytes = (uint64_t)ogate_config_int(cfg, "health.rss_warn_mib") << 20,
		.input = health_input,
		.warn = health_warn,
	};
	int err;

	if (!x)
		return NULL;
	x->cfg = cfg;
	ho.ctx = x;
	snprintf(x->socket, sizeof(x->socket), "%s", ogate_config_str(cfg, "daemon.socket"));
	/*
	 * A ring when someone reads it: in /dev/shm when named, else private for
	 * the web page. The gating never fails for it: another ogated's ring,
	 * no /dev/shm, a file-size limit (EFBIG) fall back to a private ring,
	 * and without memory for that, to no ring and no web page.
	 */
	if (name[0] || ogate_config_str(cfg, "web.listen")[0]) {
		unsigned int slots = (unsigned int)ogate_config_int(cfg, "shm.slots");
		size_t max = (size_t)ogate_config_int(cfg, "shm.max_frame_kib") << 10;

		err = ogate_shm_writer_new(&x->shm, name, slots, max, 0644);
		if (err && name[0]) {
			if (err == -EBUSY)
				ogate_warning("frame stream /dev/shm/%s belongs to another running ogated; this one publishes none (set shm.name)",
					      name);
			else
				ogate_warning("frame stream /dev/shm/%s: %s; publishing none", name,
					      strerror(-err));
			if (ogate_config_str(cfg, "web.listen")[0])
				err = ogate_shm_writer_new(&x->shm, NULL, slots, max, 0644);
		}
		if (x->shm) {
			po->frame_tap = frame_tap;
			po->frame_copy = frame_copy;
			po->tap_ctx = x;
		} else if (ogate_config_str(cfg, "web.listen")[0]) {
			ogate_warning("no frame ring for the web page (%s): no web interface",
				      strerror(-err));
		}
	}
	err = ogate_health_new(&x->health, &ho);
	if (err) {
		ogate_error("health monitor: %s", strerror(-err));
		goto fail;
	}
	if (ogate_config_str(cfg, "web.listen")[0] && x->shm) {
		struct ogate_web_opts wo = {
			.listen = ogate_config_str(cfg, "web.listen"),
			.token_file = ogate_config_str(cfg, "web.token_file"),
			.root = ogate_config_str(cfg, "web.root"),
			.stream_fps = ogate_config_double(cfg, "web.stream_fps"),
			.event_hz = ogate_config_double(cfg, "web.event_hz"),
			.jpeg_quality = (int)ogate_config_int(cfg, "web.jpeg_quality"),
		};
		struct ogate_web_ops ops = { .command = web_command, .ctx = x };

		err = ogate_web_new(&x->web, &wo, &ops, x->shm);
		if (err) {
			ogate_error("web.listen = %s: %s", wo.listen,
				    err == -EINVAL ? "not host:port, or web.token_file shorter than 16 characters"
						   : strerror(-err));
			goto fail;
		}
	}
	return x;
fail:
	ogated_extras_free(x);
	return NULL;
}

int ogated_extras_start(struct ogated_extras *x, struct ogate_pipeline *pipe)
{
	int ret;

	x->pipe = pipe;
	ret = ogate_health_start(x->health);
	if (ret)
		return ret;
	if (x->shm && ogate_shm_writer_name(x->shm)[0])
		ogate_info("frame stream in /dev/shm/%s", ogate_shm_writer_name(x->shm));
	if (!x->web)
		return 0;
	ret = ogate_web_start(x->web);
	if (ret) {
		/* the gating matters more than its page: go on without it */
		ogate_error("web interface on %s: %s; running without it",
			    ogate_config_str(x->cfg, "web.listen"), strerror(-ret));
		ogate_web_free(x->web);
		x->web = NULL;
		return 0;
	}
	ogate_log_set_tap(log_tap, x->web);
	atomic_store(&x->web_live, x->web);
	ogate_info("web interface on http://%s/ (port %u)%s",
		   ogate_config_str(x->cfg, "web.listen"), ogate_web_port(x->web),
		   ogate_web_read_only(x->web) ? " (read-only: no web.token_file)" : "");
	return 0;
}

void ogated_extras_set_nominal_fps(struct ogated_extras *x, double fps)
{
	if (x)
		atomic_store(&x->fps_nominal, fps);
}

static void put_kv(void *ctx, const char *key, const char *value)
{
	ogate_reply_kv(ctx, key, "%s", value);
}

void ogated_extras_status(struct ogated_extras *x, struct ogate_reply *r)
{
	struct ogate_health_figures f;

	if (!x || !x->health)
		return;
	ogate_health_get(x->health, &f);
	ogate_health_format(&f, put_kv, r);
	if (x->shm) {
		ogate_reply_kv(r, "shm_frames", "%llu",
			       (unsigned long long)ogate_shm_writer_count(x->shm));
		ogate_reply_kv(r, "shm_too_big", "%llu",
			       (unsigned long long)ogate_shm_writer_too_big(x->shm));
		if (x->pipe) {
			struct ogate_pipeline_status st;

			ogate_pipeline_status(x->pipe, &st);
			ogate_reply_kv(r, "shm_skipped", "%llu", (unsigned long long)st.drops_tap);
		}
	}
}

void ogated_extras_stop(struct ogated_extras *x)
{
	if (!x)
		return;
	ogate_log_set_tap(NULL, NULL);
	ogate_web_stop(x->web);	      /* joins its threads: no more commands */
	ogate_health_stop(x->health); /* no more pipeline status reads */
}

void ogated_extras_free(struct ogated_extras *x)
{
	if (!x)
		return;
	ogated_extras_stop(x);
	ogate_web_free(x->web);
	ogate_health_free(x->health);
	ogate_shm_writer_free(x->shm);
	ogate_web_ref_free(x->ref);
	free(x);
}
