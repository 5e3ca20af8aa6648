// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The web room's streaming responses, each run on its connection's thread:
 * the live image as multipart JPEG (an <img> shows it; at most
 * web.stream_fps, and only new frames) and the Server-Sent Events the
 * sampler builds at web.event_hz. Both wait on the sampler's condition
 * variable, never poll, and end when the server stops.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "web_private.h"

#define BOUNDARY "ogateframe"

struct stream {
	struct ogate_web *w;
	char *buf; /* pending bytes of the current part or event */
	size_t len, off;
	uint64_t gen;
	int64_t next_ns; /* rate cap */
	bool events;
};

/* Wait until the generation moves past *gen (or stop, or timeout). */
static bool wait_gen(struct ogate_web *w, const uint64_t *cur, uint64_t gen, int64_t until_ns)
{
	struct timespec ts = ogate_timespec(until_ns);
	bool moved;

	pthread_mutex_lock(&w->lock);
	while (*cur == gen && !atomic_load(&w->stopping) &&
	       pthread_cond_timedwait(&w->changed, &w->lock, &ts) != ETIMEDOUT)
		;
	moved = *cur != gen;
	pthread_mutex_unlock(&w->lock);
	return moved;
}

static int next_part(struct stream *s)
{
	struct ogate_web *w = s->w;
	struct web_image img;
	unsigned char *jpeg;
	unsigned long size;
	uint64_t gen;
	int hdr;

	/* ask one sampler tick (20 ms) ahead, so the image is there when it is due */
	ogate_sleep_until(s->next_ns - 20000000LL);
	atomic_store(&w->image_wanted, true);
	ogate_sleep_until(s->next_ns);
	while (!web_want_image(w, s->gen, ogate_mono_ns() + 500000000LL))
		if (atomic_load(&w->stopping))
			return -ESHUTDOWN;
	if (web_copy_image(w, &img, &gen))
		return -EAGAIN;
	s->gen = gen;
	s->next_ns = ogate_mono_ns() + (int64_t)(1e9 / w->o.stream_fps);
	if (web_jpeg(&img, w->o.jpeg_quality, false, &jpeg, &size)) {
		free(img.px);
		return -EIO;
	}
	free(img.px);
	free(s->buf);
	s->buf = malloc(size + 128);
	if (!s->buf) {
		web_jpeg_free(jpeg);
		return -ENOMEM;
	}
	hdr = snprintf(s->buf, 128,
		       "--" BOUNDARY "\r\nContent-Type: image/jpeg\r\nContent-Length: %lu\r\n\r\n",
		       size);
	memcpy(s->buf + hdr, jpeg, size);
	memcpy(s->buf + hdr + size, "\r\n", 2);
	s->len = (size_t)hdr + size + 2;
	s->off = 0;
	web_jpeg_free(jpeg);
	return 0;
}

static int next_event(struct stream *s)
{
	struct ogate_web *w = s->w;

	if (!wait_gen(w, &w->event_gen, s->gen, ogate_mono_ns() + 5000000000LL)) {
		if (atomic_load(&w->stopping))
			return -ESHUTDOWN;
		free(s->buf);
		s->buf = strdup(": keep-alive\n\n"); /* through proxies that time out */
		s->len = s->buf ? strlen(s->buf) : 0;
		s->off = 0;
		return s->buf ? 0 : -ENOMEM;
	}
	pthread_mutex_lock(&w->lock);
	free(s->buf);
	s->buf = malloc(w->event_len);
	if (s->buf)
		memcpy(s->buf, w->event, w->event_len);
	s->len = s->buf ? w->event_len : 0;
	s->off = 0;
	s->gen = w->event_gen;
	pthread_mutex_unlock(&w->lock);
	return s->buf ? 0 : -ENOMEM;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	size_t n;

	while (s->off == s->len) {
		int ret = s->events ? next_event(s) : next_part(s);

		if (ret == -ESHUTDOWN)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (ret && ret != -EAGAIN)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (ret == -EAGAIN)
			ogate_sleep_until(ogate_mono_ns() + 100000000LL);
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->events)
		atomic_fetch_sub(&s->w->listeners, 1);
	free(s->buf);
	free(s);
}

static struct MHD_Response *stream_response(struct ogate_web *w, bool events)
{
	struct stream *s = calloc(1, sizeof(*s));
	struct MHD_Response *resp;

	if (!s)
		return NULL;
	s->w = w;
	s->events = events;
	if (events) {
		/* the newest event at once, then every new one */
		pthread_mutex_lock(&w->lock);
		s->gen = w->event_gen ? w->event_gen - 1 : 0;
		pthread_mutex_unlock(&w->lock);
		atomic_fetch_add(&w->listeners, 1);
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s,
						 stream_free);
	if (!resp) {
		stream_free(s);
		return NULL;
	}
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Content-Type",
				events ? "text/event-stream"
				       : "multipart/x-mixed-replace; boundary=" BOUNDARY);
	return resp;
}

struct MHD_Response *web_mjpeg_response(struct ogate_web *w)
{
	return stream_response(w, false);
}

struct MHD_Response *web_events_response(struct ogate_web *w)
{
	return stream_response(w, true);
}
