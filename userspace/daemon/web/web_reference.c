// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The reference thumbnails (web.h): the owner of the reference hands over
 * the current reference's frames whole (ogate_web_offer_reference, never
 * waits); the page reads their phases as JSON and the frames as one JPEG of
 * tiles, encoded once per reference on first request.
 */
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "web_private.h"

#define TILE_MAX 64 /* tiles at most this many pixels wide and high */
#define TILE_COLS 10

int ogate_web_ref_reserve(struct ogate_web_ref **r, int n, uint32_t width, uint32_t height,
			  uint32_t bytes_per_pixel)
{
	struct ogate_web_ref *x = *r;
	size_t bytes = (size_t)n * width * height * bytes_per_pixel;

	if (n < 1 || !width || !height || (bytes_per_pixel != 1 && bytes_per_pixel != 2))
		return -EINVAL;
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return -ENOMEM;
		*r = x;
	}
	if (x->cap < n) {
		double *ph = realloc(x->phase, sizeof(double) * (size_t)n);

		if (!ph)
			return -ENOMEM;
		x->phase = ph;
		x->cap = n;
	}
	if (x->cap_bytes < bytes) {
		uint8_t *px = realloc(x->px, bytes);

		if (!px)
			return -ENOMEM;
		x->px = px;
		x->cap_bytes = bytes;
	}
	x->n = n;
	x->width = width;
	x->height = height;
	x->bytes_per_pixel = bytes_per_pixel;
	return 0;
}

void ogate_web_ref_free(struct ogate_web_ref *r)
{
	if (!r)
		return;
	free(r->phase);
	free(r->px);
	free(r);
}

int ogate_web_offer_reference(struct ogate_web *w, struct ogate_web_ref **r)
{
	struct ogate_web_ref *old;

	if (pthread_mutex_trylock(&w->ref_lock))
		return -EBUSY; /* never wait: the caller is on the frame path */
	old = w->ref;
	w->ref = *r;
	w->ref_gen++;
	/* freed outside the frame path: the next request encodes the new set */
	w->ref_jpeg_size = 0;
	atomic_store(&w->ref_id_pub, w->ref ? w->ref->id : 0);
	atomic_store(&w->ref_gen_pub, w->ref_gen);
	pthread_mutex_unlock(&w->ref_lock);
	*r = old;
	return 0;
}

void web_reference_free(struct ogate_web *w)
{
	ogate_web_ref_free(w->ref);
	w->ref = NULL;
	tjFree(w->ref_jpeg);
	w->ref_jpeg = NULL;
}

static void tiles(const struct ogate_web_ref *r, int *k, int *tw, int *th, int *cols, int *rows)
{
	unsigned int big = r->width > r->height ? r->width : r->height;

	*k = (int)((big + TILE_MAX - 1) / TILE_MAX);
	*tw = (int)r->width / *k;
	*th = (int)r->height / *k;
	*cols = r->n < TILE_COLS ? r->n : TILE_COLS;
	*rows = (r->n + *cols - 1) / *cols;
}

struct MHD_Response *web_reference_json(struct ogate_web *w, unsigned int *code)
{
	struct MHD_Response *resp = NULL;
	const struct ogate_web_ref *r;
	size_t len, pos = 0;
	int k, tw, th, cols, rows;
	char *buf;

	pthread_mutex_lock(&w->ref_lock);
	r = w->ref;
	*code = 404;
	if (!r)
		goto out;
	*code = 500;
	len = 512 + (size_t)r->n * 16;
	buf = malloc(len);
	if (!buf)
		goto out;
	tiles(r, &k, &tw, &th, &cols, &rows);
	pos += (size_t)snprintf(
		buf, len,
		"{\"id\":%u,\"gen\":%llu,\"n\":%d,\"first_seq\":%llu,\"seq_step\":%u,"
		"\"period_frames\":%.4f,\"width\":%u,\"height\":%u,\"tile_w\":%d,\"tile_h\":%d,\"cols\":%d,\"phases\":[",
		r->id, (unsigned long long)w->ref_gen, r->n, (unsigned long long)r->first_seq,
		r->seq_step ? r->seq_step : 1, r->period_frames, r->width, r->height, tw, th, cols);
	for (int i = 0; i < r->n; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%.6f", i ? "," : "", r->phase[i]);
	pos += (size_t)snprintf(buf + pos, len - pos, "]}\n");
	resp = MHD_create_response_from_buffer(pos, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(buf);
	else
		MHD_add_response_header(resp, "Content-Type", "application/json");
out:
	pthread_mutex_unlock(&w->ref_lock);
	return resp;
}

/* All frames reduced k times (box average) into a grid; 16-bit scaled to the set's maximum. */
static int encode(struct ogate_web *w, const struct ogate_web_ref *r)
{
	int k, tw, th, cols, rows, ret = 0;
	size_t fb = (size_t)r->width * r->height * r->bytes_per_pixel;
	unsigned int max = 1;
	unsigned long size = 0;
	uint8_t *g;
	tjhandle tj;

	tiles(r, &k, &tw, &th, &cols, &rows);
	if (tw < 1 || th < 1)
		return -EINVAL;
	g = calloc((size_t)cols * tw * rows * th, 1);
	if (!g)
		return -ENOMEM;
	if (r->bytes_per_pixel == 2)
		for (size_t i = 0; i < (size_t)r->n * r->width * r->height; i++)
			max = ((const uint16_t *)r->px)[i] > max ? ((const uint16_t *)r->px)[i] : max;
	for (int i = 0; i < r->n; i++) {
		const uint8_t *p8 = r->px + (size_t)i * fb;
		const uint16_t *p16 = (const uint16_t *)p8;
		int ox = (i % cols) * tw, oy = (i / cols) * th;

		for (int y = 0; y < th; y++)
			for (int x = 0; x < tw; x++) {
				unsigned int v = 0;

				for (int dy = 0; dy < k; dy++)
					for (int dx = 0; dx < k; dx++) {
						size_t j = (size_t)(y * k + dy) * r->width +
							   (size_t)(x * k + dx);

						v += r->bytes_per_pixel == 2 ? p16[j] * 255u / max
									     : p8[j];
					}
				g[(size_t)(oy + y) * cols * tw + ox + x] =
					(uint8_t)(v / (unsigned int)(k * k));
			}
	}
	tjFree(w->ref_jpeg); /* the previous set's */
	w->ref_jpeg = NULL;
	tj = tjInitCompress();
	if (!tj || tjCompress2(tj, g, cols * tw, cols * tw, rows * th, TJPF_GRAY, &w->ref_jpeg,
			       &size, TJSAMP_GRAY, w->o.jpeg_quality, TJFLAG_FASTDCT))
		ret = -EIO;
	else
		w->ref_jpeg_size = size;
	if (tj)
		tjDestroy(tj);
	free(g);
	return ret;
}

struct MHD_Response *web_reference_jpeg(struct ogate_web *w, unsigned int *code)
{
	struct MHD_Response *resp = NULL;

	pthread_mutex_lock(&w->ref_lock);
	*code = 404;
	if (!w->ref)
		goto out;
	*code = 500;
	if (!w->ref_jpeg_size && encode(w, w->ref))
		goto out;
	resp = MHD_create_response_from_buffer(w->ref_jpeg_size, w->ref_jpeg, MHD_RESPMEM_MUST_COPY);
	if (resp)
		MHD_add_response_header(resp, "Content-Type", "image/jpeg");
out:
	pthread_mutex_unlock(&w->ref_lock);
	return resp;
}
