// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The web room's frame sampler: a low-priority thread that drains the
 * shared-memory ring every 20 ms (it is a reader like any other: the
 * frame thread never waits for it), keeps the phase of every frame with its
 * trigger flag, and at web.event_hz builds the Server-Sent Event every page
 * receives (status, samples, new warnings). It drains the metadata only (two
 * cache lines a frame) and copies a frame's pixels only when a live image or
 * GET /api/frame.jpg asks for one (web_want_image), the newest frame's, at
 * most once a tick: a reader that copied every frame's 16 kB made the frame
 * thread take those cache lines back from the sampler's core on its next lap
 * of the ring, which cost it more than the copy itself (docs/web.md).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <turbojpeg.h>

#include "clock-util.h"
#include "web_private.h"

static int image_store(struct web_image *dst, const struct ogate_shm_meta *m, const uint8_t *px,
		       size_t max_bytes)
{
	size_t bytes = (size_t)m->width * m->height * m->bytes_per_pixel;

	if (!dst->px) {
		dst->px = malloc(max_bytes);
		if (!dst->px)
			return -ENOMEM;
	}
	memcpy(dst->px, px, bytes);
	dst->m = *m;
	dst->valid = true;
	return 0;
}

int web_copy_image(struct ogate_web *w, struct web_image *out, uint64_t *gen)
{
	const struct web_image *src;
	size_t bytes;
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	src = &w->latest;
	if (!src->valid) {
		ret = -ENOENT;
		goto out;
	}
	bytes = (size_t)src->m.width * src->m.height * src->m.bytes_per_pixel;
	out->px = malloc(bytes ? bytes : 1);
	if (!out->px) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(out->px, src->px, bytes);
	out->m = src->m;
	out->valid = true;
	if (gen)
		*gen = w->frame_gen;
out:
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int web_jpeg(const struct web_image *img, int quality, bool half, unsigned char **jpeg,
	     unsigned long *size)
{
	int wd = (int)img->m.width, ht = (int)img->m.height, ow = half ? wd / 2 : wd,
	    oh = half ? ht / 2 : ht, ret = 0;
	uint8_t *g = malloc((size_t)(ow > 0 ? ow : 1) * (oh > 0 ? oh : 1));
	const uint16_t *p16 = (const uint16_t *)img->px;
	unsigned int max = 1;
	tjhandle tj;

	if (!g || ow < 1 || oh < 1) {
		free(g);
		return -EINVAL;
	}
	if (img->m.bytes_per_pixel == 2)
		for (int i = 0; i < wd * ht; i++)
			max = p16[i] > max ? p16[i] : max;
	for (int y = 0; y < oh; y++) {
		for (int x = 0; x < ow; x++) {
			unsigned int v = 0, k = half ? 2 : 1;

			for (unsigned int dy = 0; dy < k; dy++)
				for (unsigned int dx = 0; dx < k; dx++) {
					size_t i = (size_t)(y * (int)k + (int)dy) * wd +
						   (size_t)(x * (int)k + (int)dx);

					v += img->m.bytes_per_pixel == 2 ? p16[i] * 255u / max
									 : img->px[i];
				}
			g[y * ow + x] = (uint8_t)(v / (k * k));
		}
	}
	tj = tjInitCompress();
	*jpeg = NULL;
	*size = 0;
	if (!tj || tjCompress2(tj, g, ow, ow, oh, TJPF_GRAY, jpeg, size, TJSAMP_GRAY, quality,
			       TJFLAG_FASTDCT))
		ret = -EIO;
	if (tj)
		tjDestroy(tj);
	free(g);
	return ret;
}

void web_jpeg_free(unsigned char *jpeg)
{
	tjFree(jpeg);
}

/* Append to a bounded buffer; the event is dropped whole when it does not fit. */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	*pos = n < 0 ? len : *pos + (size_t)n;
}

/*
 * One event: {"status":{...},"stats":{...},"samples":[[t_s,phase,flags,trig_s],...],
 * "notes":[[n,"text"],...],"ref":id,"ref_gen":gen,"frame":gen,"lost":n}
 */
static void build_event(struct ogate_web *w, uint64_t *sent_samples)
{
	char *buf = malloc(WEB_EVENT_MAX), reply[8192];
	size_t pos = 0;
	uint64_t i, from;

	if (!buf)
		return;
	put(buf, WEB_EVENT_MAX, &pos, "data: {\"status\":{");
	if (w->ops.command && w->ops.command(w->ops.ctx, "status", reply, sizeof(reply)) == 0 &&
	    !strncmp(reply, "OK", 2))
		pos += ogate_web_kv_to_json(reply, buf + pos,
					    pos < WEB_EVENT_MAX ? WEB_EVENT_MAX - pos : 0);
	put(buf, WEB_EVENT_MAX, &pos, "},\"stats\":{");
	if (w->ops.command && w->ops.command(w->ops.ctx, "stats", reply, sizeof(reply)) == 0 &&
	    !strncmp(reply, "OK", 2))
		pos += ogate_web_kv_to_json(reply, buf + pos,
					    pos < WEB_EVENT_MAX ? WEB_EVENT_MAX - pos : 0);
	put(buf, WEB_EVENT_MAX, &pos, "},\"samples\":[");
	pthread_mutex_lock(&w->lock);
	from = w->nsamples - *sent_samples > WEB_SAMPLES ? w->nsamples - WEB_SAMPLES : *sent_samples;
	for (i = from; i < w->nsamples; i++) {
		const struct web_sample *s = &w->samples[i % WEB_SAMPLES];

		put(buf, WEB_EVENT_MAX, &pos, "%s[%.4f,%.3f,%u", i == from ? "" : ",",
		    s->t_ns / 1e9, s->phase, s->flags);
		if (s->flags & OGATE_SHM_TRIGGER)
			put(buf, WEB_EVENT_MAX, &pos, ",%.4f", s->trigger_ns / 1e9);
		put(buf, WEB_EVENT_MAX, &pos, "]");
	}
	*sent_samples = w->nsamples;
	put(buf, WEB_EVENT_MAX, &pos, "],\"ref\":%u,\"ref_gen\":%llu,\"frame\":%llu,\"lost\":%llu",
	    (unsigned int)atomic_load(&w->ref_id_pub),
	    (unsigned long long)atomic_load(&w->ref_gen_pub), (unsigned long long)w->frame_gen,
	    (unsigned long long)w->lost);
	pthread_mutex_unlock(&w->lock);
	put(buf, WEB_EVENT_MAX, &pos, ",\"notes\":[");
	pthread_mutex_lock(&w->note_lock);
	/* the recent ones every time (numbered: pages skip what they have), so a page opened now sees them */
	from = w->nnotes > WEB_EVENT_NOTES ? w->nnotes - WEB_EVENT_NOTES : 0;
	for (i = from; i < w->nnotes; i++) {
		char esc[WEB_NOTE_LEN * 2];

		ogate_web_json_escape(w->notes[i % WEB_NOTES], esc, sizeof(esc));
		put(buf, WEB_EVENT_MAX, &pos, "%s[%llu,\"%s\"]", i == from ? "" : ",",
		    (unsigned long long)i, esc);
	}
	pthread_mutex_unlock(&w->note_lock);
	put(buf, WEB_EVENT_MAX, &pos, "]}\n\n");
	if (pos >= WEB_EVENT_MAX) {
		free(buf);
		return;
	}
	pthread_mutex_lock(&w->lock);
	free(w->event);
	w->event = buf;
	w->event_len = pos;
	w->event_gen++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void take_frame(struct ogate_web *w, const struct ogate_shm_meta *m)
{
	struct web_sample *s = &w->samples[w->nsamples % WEB_SAMPLES];

	s->t_ns = m->timestamp_ns;
	s->phase = m->state == OGATE_SHM_STATE_LOCKED ? (float)m->phase : -1.0f;
	s->flags = (uint8_t)m->flags;
	s->trigger_ns = m->trigger_ns;
	w->nsamples++;
}

static void *sampler_main(void *arg)
{
	struct ogate_web *w = arg;
	uint8_t *px = malloc(w->max_bytes);
	int64_t next_event = ogate_mono_ns(), period = (int64_t)(1e9 / w->o.event_hz);
	uint64_t sent_samples = 0;

	setpriority(PRIO_PROCESS, (id_t)gettid(), 10); /* below everything on the frame path */

	while (px && !atomic_load(&w->stopping)) {
		struct ogate_shm_meta m;
		bool got = false;
		uint64_t lost;
		int64_t now;

		/* drain: every frame's phase, no pixels */
		for (;;) {
			int ret = ogate_shm_reader_next(w->reader, &m, NULL, 0, &lost);

			pthread_mutex_lock(&w->lock);
			w->lost += lost;
			if (ret == 0)
				take_frame(w, &m);
			pthread_mutex_unlock(&w->lock);
			if (ret == -EAGAIN)
				break;
		}
		/* the newest frame's pixels, only when someone waits for an image */
		if (atomic_load(&w->image_wanted)) {
			int ret = -EAGAIN;

			for (int k = 0; k < 3 && ret == -EAGAIN; k++) {
				/* the metadata first: no pixels copied when the newest is the one kept */
				ret = ogate_shm_reader_latest(w->reader, &m, NULL, 0);
				if (ret == 0 && w->latest.valid && m.sequence == w->latest.m.sequence &&
				    m.timestamp_ns == w->latest.m.timestamp_ns)
					ret = -EALREADY;
				else if (ret == 0)
					ret = ogate_shm_reader_latest(w->reader, &m, px, w->max_bytes);
			}
			pthread_mutex_lock(&w->lock);
			if (ret == 0 &&
			    (!w->latest.valid || m.sequence != w->latest.m.sequence ||
			     m.timestamp_ns != w->latest.m.timestamp_ns) &&
			    image_store(&w->latest, &m, px, w->max_bytes) == 0) {
				w->frame_gen++;
				atomic_store(&w->image_wanted, false);
				got = true;
			}
			pthread_mutex_unlock(&w->lock);
		}
		if (got) {
			pthread_mutex_lock(&w->lock);
			pthread_cond_broadcast(&w->changed);
			pthread_mutex_unlock(&w->lock);
		}
		now = ogate_mono_ns();
		if (now >= next_event) {
			/* status costs two commands: only while a page listens */
			if (atomic_load(&w->listeners))
				build_event(w, &sent_samples);
			else
				sent_samples = w->nsamples;
			next_event += period;
			if (next_event < now)
				next_event = now + period;
		}
		ogate_sleep_until(ogate_mono_ns() + 20000000LL);
	}
	free(px);
	return NULL;
}

bool web_want_image(struct ogate_web *w, uint64_t gen, int64_t until_ns)
{
	struct timespec ts = ogate_timespec(until_ns);
	bool moved;

	pthread_mutex_lock(&w->lock);
	atomic_store(&w->image_wanted, true);
	while (w->frame_gen == gen && !atomic_load(&w->stopping) &&
	       pthread_cond_timedwait(&w->changed, &w->lock, &ts) != ETIMEDOUT)
		;
	moved = w->frame_gen != gen;
	pthread_mutex_unlock(&w->lock);
	return moved;
}

int web_sampler_start(struct ogate_web *w)
{
	int e = pthread_create(&w->sampler, NULL, sampler_main, w);

	if (e)
		return -e;
	w->sampler_running = true;
	return 0;
}

void web_sampler_stop(struct ogate_web *w)
{
	if (!w->sampler_running)
		return;
	atomic_store(&w->stopping, true);
	pthread_join(w->sampler, NULL);
	w->sampler_running = false;
}
