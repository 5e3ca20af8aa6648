/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated's web interface (docs/web.md): an HTTP server (libmicrohttpd) for
 * the page in web.root and its API:
 *   GET  /api/status      status and stats as JSON (from the daemon's own
 *                         "status" and "stats" commands)
 *   POST /api/command     body: one control-protocol line; the reply is the
 *                         daemon's reply ("OK ..." / "ERR ...") verbatim
 *   GET  /api/frame.jpg   the latest frame (libjpeg-turbo)
 *   GET  /api/stream.mjpg the live image, at most web.stream_fps
 *   GET  /api/reference   the current reference's frames as JSON: id,
 *                         generation, count, first sequence, phase of each
 *                         frame, the tile layout of reference.jpg
 *   GET  /api/reference.jpg  those frames, reduced to tiles in one JPEG
 *   GET  /api/events      Server-Sent Events at web.event_hz: status, the
 *                         phase of every frame since the last event with
 *                         the triggers, new warnings
 *   GET  /api/info        what this client may do (control or read-only)
 * Commands go through ops.command, the same command table as the control
 * socket. Control needs the header "X-Ogate: 1" (so that no other web page
 * can post to it) and, when listening on other than loopback, the token of
 * web.token_file ("Authorization: Bearer TOKEN"); without a token file such
 * a server is read-only.
 *
 * Threads: ogate_web_new/start/stop/free and ogate_web_port from one
 * (the main) thread; ogate_web_note and ogate_web_offer_reference from any
 * thread (never block: ogated calls offer_reference on its frame thread); the
 * server runs one thread per connection and one frame sampler thread.
 */
#ifndef OGATE_WEB_H
#define OGATE_WEB_H

#include <stddef.h>
#include <stdint.h>

struct ogate_shm_writer;

struct ogate_web_ops {
	/*
	 * Run one control-protocol line, put the whole reply (as the socket
	 * sends it, NUL-terminated) in reply. 0, or -errno when the command
	 * could not be run at all. Called from connection threads.
	 */
	int (*command)(void *ctx, const char *line, char *reply, size_t len);
	void *ctx;
};

struct ogate_web_opts {
	const char *listen;	/* "host:port" ("127.0.0.1:8080", "[::]:80"); port 0: any */
	const char *token_file; /* "" or NULL: none */
	const char *root;	/* the page's files */
	double stream_fps;	/* live image rate cap */
	double event_hz;	/* SSE rate */
	int jpeg_quality;	/* 1..100 */
};

struct ogate_web;

/*
 * Frames come from the shared-memory ring `frames` (read through a reader
 * attached to it). 0, or -EINVAL (listen address, token), -errno (not
 * logged: the caller says it once, with the address); *out is set only on
 * success.
 */
int ogate_web_new(struct ogate_web **out, const struct ogate_web_opts *o,
		  const struct ogate_web_ops *ops, const struct ogate_shm_writer *frames);
int ogate_web_start(struct ogate_web *w);		/* listen; -errno (-EADDRINUSE...) */
unsigned int ogate_web_port(const struct ogate_web *w); /* the bound port */
int ogate_web_read_only(const struct ogate_web *w);	/* no control from other hosts */
void ogate_web_stop(struct ogate_web *w);
void ogate_web_free(struct ogate_web *w);
/* A log line for the page's warnings list (level: "warning", "error", ...). */
void ogate_web_note(struct ogate_web *w, const char *level, const char *text);

/*
 * The current reference's frames, for the page's thumbnails: filled by the
 * owner of the reference (ogated: its frame thread, from
 * ogate_sync_get_reference_frame) and handed to the server whole.
 */
struct ogate_web_ref {
	uint32_t id;	    /* the reference's id (status "reference") */
	uint64_t first_seq; /* camera sequence of frame 0 */
	uint32_t seq_step;  /* frame i is camera frame first_seq + i * seq_step */
	double period_frames;
	int n; /* frames */
	uint32_t width, height, bytes_per_pixel;
	double *phase; /* [n]: rad, the target that aims at frame i */
	uint8_t *px;   /* frame i at px + i * width * height * bytes_per_pixel */
	int cap;       /* frames allocated */
	size_t cap_bytes;
};

/* Make *r (allocated if NULL) hold n frames of this size: 0, -ENOMEM (*r kept). */
int ogate_web_ref_reserve(struct ogate_web_ref **r, int n, uint32_t width, uint32_t height,
			  uint32_t bytes_per_pixel);
void ogate_web_ref_free(struct ogate_web_ref *r);
/*
 * Publish *r as the page's reference without waiting: 0, and *r becomes the
 * set published before (NULL or storage to reuse); or -EBUSY when a
 * connection is reading the current set: offer the same *r again later.
 */
int ogate_web_offer_reference(struct ogate_web *w, struct ogate_web_ref **r);

/* ---- inside the room (web*.c) ---- */
/* "key=value" reply lines to JSON members ("k":v,...), numbers and yes/no typed. */
size_t ogate_web_kv_to_json(const char *reply, char *out, size_t len);
/* A JSON string body (no quotes) with escapes; returns the length written. */
size_t ogate_web_json_escape(const char *s, char *out, size_t len);
/* Parse "host:port" / "[v6]:port"; 0 and the address, -EINVAL. */
struct sockaddr_storage;
int ogate_web_parse_listen(const char *s, struct sockaddr_storage *ss, int *is_loopback);

#endif
