/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Inside the web room: the server object shared by web.c, web_frames.c, web_stream.c. */
#ifndef OGATE_WEB_PRIVATE_H
#define OGATE_WEB_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ogate-shm.h"
#include "web.h"

#define WEB_SAMPLES 4096 /* phase samples kept for the events */
#define WEB_NOTES 32	 /* warnings kept */
#define WEB_NOTE_LEN 240
#define WEB_EVENT_NOTES 8 /* the newest warnings, in every event */
#define WEB_EVENT_MAX (96 * 1024)

struct web_sample {
	int64_t t_ns, trigger_ns;
	float phase; /* -1 when not locked */
	uint8_t flags;
};

struct web_image {
	struct ogate_shm_meta m;
	uint8_t *px; /* width * height * bpp */
	bool valid;
};

struct ogate_web {
	struct ogate_web_opts o;
	char listen[128], root[512], token[256];
	struct ogate_web_ops ops;
	struct ogate_shm_reader *reader;
	size_t max_bytes;
	struct MHD_Daemon *mhd;
	bool loopback, has_token;
	atomic_bool stopping;
	atomic_int listeners;	  /* open event streams */
	atomic_bool image_wanted; /* a stream or GET frame.jpg waits for a new image */

	/* the sampler thread writes, connection threads read, under lock */
	pthread_t sampler;
	bool sampler_running;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* CLOCK_MONOTONIC: a new frame or event */
	struct web_image latest;
	uint64_t frame_gen;
	struct web_sample samples[WEB_SAMPLES];
	uint64_t nsamples;
	uint64_t lost;
	char *event; /* the latest SSE event, "data: {...}\n\n" */
	size_t event_len;
	uint64_t event_gen;

	/* the reference's frames: the owner of the reference swaps a new set in
	 * (trylock), connection threads read and encode under ref_lock */
	pthread_mutex_t ref_lock;
	struct ogate_web_ref *ref;
	uint64_t ref_gen;	 /* sets published so far (under ref_lock) */
	unsigned char *ref_jpeg; /* the tiles of ref, encoded on first request */
	unsigned long ref_jpeg_size;
	atomic_uint_least64_t ref_gen_pub; /* ref_gen, for the events */
	atomic_uint_least32_t ref_id_pub;  /* ref->id, for the events */

	/* warnings: any thread writes (trylock), the sampler reads */
	pthread_mutex_t note_lock;
	char notes[WEB_NOTES][WEB_NOTE_LEN];
	uint64_t nnotes;
	atomic_uint_least64_t notes_dropped;
};

/* web_frames.c */
int web_sampler_start(struct ogate_web *w);
void web_sampler_stop(struct ogate_web *w);
/* Ask the sampler for the newest frame's pixels; wait until it is there (or until_ns). */
bool web_want_image(struct ogate_web *w, uint64_t gen, int64_t until_ns);
/* JPEG of an image (8-bit as is, 16-bit scaled to its maximum), halved when `half`. */
int web_jpeg(const struct web_image *img, int quality, bool half, unsigned char **jpeg,
	     unsigned long *size);
void web_jpeg_free(unsigned char *jpeg);
/* copy of the latest frame, caller frees px; -ENOENT when none */
int web_copy_image(struct ogate_web *w, struct web_image *out, uint64_t *gen);

/* web_reference.c: GET /api/reference and /api/reference.jpg (response, or NULL and *code) */
struct MHD_Response *web_reference_json(struct ogate_web *w, unsigned int *code);
struct MHD_Response *web_reference_jpeg(struct ogate_web *w, unsigned int *code);
void web_reference_free(struct ogate_web *w);

/* web_stream.c: streaming responses */
struct MHD_Response;
struct MHD_Response *web_mjpeg_response(struct ogate_web *w);
struct MHD_Response *web_events_response(struct ogate_web *w);

#endif
