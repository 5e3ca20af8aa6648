// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's web server (web.h, docs/web.md): libmicrohttpd, one thread per
 * connection; routes the API, checks who may control, serves the page.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock-util.h"
#include "web_private.h"

#define POST_MAX 1024 /* a command line, as on the socket */
#define REPLY_MAX (64 * 1024)

struct post {
	char body[POST_MAX + 1];
	size_t len;
	bool too_long;
};

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned int code, const char *type,
				const void *buf, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int code, const char *text)
{
	return send_buf(c, code, "text/plain; charset=utf-8", text, strlen(text));
}

static enum MHD_Result send_stream(struct MHD_Connection *c, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return send_text(c, 500, "out of memory\n");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* Compare in constant time (the token). */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

/* May this request control the daemon? NULL, or why not. */
static const char *control_refused(struct ogate_web *w, struct MHD_Connection *c)
{
	const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ogate");
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (!x || strcmp(x, "1"))
		return "control needs the header X-Ogate: 1\n";
	if (w->loopback)
		return NULL;
	if (!w->has_token)
		return "read-only: this server listens beyond loopback and has no web.token_file\n";
	if (!auth || strncmp(auth, "Bearer ", 7) || !same_secret(auth + 7, w->token))
		return "a valid token is needed (Authorization: Bearer TOKEN)\n";
	return NULL;
}

static enum MHD_Result api_command(struct ogate_web *w, struct MHD_Connection *c, struct post *p)
{
	const char *why = control_refused(w, c);
	char *reply;
	enum MHD_Result ret;
	int e;

	if (why)
		return send_text(c, 403, why);
	if (p->too_long)
		return send_text(c, 413, "ERR EMSGSIZE command longer than 1023 bytes\n");
	p->body[p->len] = '\0';
	while (p->len && (p->body[p->len - 1] == '\n' || p->body[p->len - 1] == '\r'))
		p->body[--p->len] = '\0';
	if (strchr(p->body, '\n') || strchr(p->body, '\r') || memchr(p->body, '\0', p->len))
		return send_text(c, 400, "ERR EINVAL one command per request\n");
	reply = malloc(REPLY_MAX);
	if (!reply)
		return send_text(c, 500, "out of memory\n");
	e = w->ops.command(w->ops.ctx, p->body, reply, REPLY_MAX);
	if (e)
		snprintf(reply, REPLY_MAX, "ERR %s the daemon did not answer: %s\n",
			 e == -ETIMEDOUT ? "ETIMEDOUT" : "EIO", strerror(-e));
	ret = send_text(c, 200, reply);
	free(reply);
	return ret;
}

static enum MHD_Result api_status(struct ogate_web *w, struct MHD_Connection *c)
{
	char *reply = malloc(REPLY_MAX), *json = malloc(2 * REPLY_MAX);
	size_t pos = 0;
	enum MHD_Result ret;

	if (!reply || !json) {
		free(reply);
		free(json);
		return send_text(c, 500, "out of memory\n");
	}
	pos += (size_t)snprintf(json, 2 * REPLY_MAX, "{");
	if (w->ops.command(w->ops.ctx, "status", reply, REPLY_MAX) == 0 && !strncmp(reply, "OK", 2))
		pos += ogate_web_kv_to_json(reply, json + pos, 2 * REPLY_MAX - pos);
	if (pos > 1)
		json[pos++] = ',';
	pos += (size_t)snprintf(json + pos, 2 * REPLY_MAX - pos, "\"stats\":{");
	if (w->ops.command(w->ops.ctx, "stats", reply, REPLY_MAX) == 0 && !strncmp(reply, "OK", 2))
		pos += ogate_web_kv_to_json(reply, json + pos, 2 * REPLY_MAX - pos - 4);
	pos += (size_t)snprintf(json + pos, 2 * REPLY_MAX - pos, "}}\n");
	ret = send_buf(c, 200, "application/json", json, pos);
	free(reply);
	free(json);
	return ret;
}

static enum MHD_Result api_jpeg(struct ogate_web *w, struct MHD_Connection *c)
{
	struct web_image img;
	unsigned char *jpeg;
	unsigned long size;
	enum MHD_Result ret;

	uint64_t gen;

	pthread_mutex_lock(&w->lock);
	gen = w->frame_gen;
	pthread_mutex_unlock(&w->lock);
	/* the newest frame (the sampler copies one within a tick), else the last one kept */
	web_want_image(w, gen, ogate_mono_ns() + 100000000LL);
	if (web_copy_image(w, &img, NULL))
		return send_text(c, 404, "no frame yet\n");
	if (web_jpeg(&img, w->o.jpeg_quality, false, &jpeg, &size)) {
		free(img.px);
		return send_text(c, 500, "JPEG compression failed\n");
	}
	free(img.px);
	ret = send_buf(c, 200, "image/jpeg", jpeg, size);
	web_jpeg_free(jpeg);
	return ret;
}

static enum MHD_Result api_reference(struct ogate_web *w, struct MHD_Connection *c, bool jpeg)
{
	unsigned int code;
	struct MHD_Response *r = jpeg ? web_reference_jpeg(w, &code) : web_reference_json(w, &code);
	enum MHD_Result ret;

	if (!r)
		return send_text(c, code, code == 404 ? "no reference yet\n" : "out of memory\n");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *content_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".html"))
		return "text/html; charset=utf-8";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	return "application/octet-stream";
}

/* The page's files: plain names in web.root only. */
static enum MHD_Result static_file(struct ogate_web *w, struct MHD_Connection *c, const char *url)
{
	const char *name = strcmp(url, "/") ? url + 1 : "index.html";
	char path[800];
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result ret;
	int fd;

	for (const char *q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_' && *q != '.')
			return send_text(c, 404, "not found\n");
	if (name[0] == '.' || strlen(name) > 64)
		return send_text(c, 404, "not found\n");
	snprintf(path, sizeof(path), "%s/%s", w->root, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return send_text(c, 404, "not found\n");
	}
	r = MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", content_type(name));
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(
		r, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct ogate_web *w = cls;
	struct post *p = *con_cls;
	char info[160];

	if (!strcmp(method, "POST")) {
		if (strcmp(url, "/api/command"))
			return send_text(c, 404, "not found\n");
		if (!p) {
			p = calloc(1, sizeof(*p));
			*con_cls = p;
			return p ? MHD_YES : MHD_NO;
		}
		if (*upload_size) {
			if (p->len + *upload_size > POST_MAX)
				p->too_long = true;
			else {
				memcpy(p->body + p->len, upload, *upload_size);
				p->len += *upload_size;
			}
			*upload_size = 0;
			return MHD_YES;
		}
		return api_command(w, c, p);
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_text(c, 405, "method not allowed\n");
	if (!strcmp(url, "/api/status"))
		return api_status(w, c);
	if (!strcmp(url, "/api/frame.jpg"))
		return api_jpeg(w, c);
	if (!strcmp(url, "/api/reference"))
		return api_reference(w, c, false);
	if (!strcmp(url, "/api/reference.jpg"))
		return api_reference(w, c, true);
	if (!strcmp(url, "/api/stream.mjpg"))
		return send_stream(c, web_mjpeg_response(w));
	if (!strcmp(url, "/api/events"))
		return send_stream(c, web_events_response(w));
	if (!strcmp(url, "/api/info")) {
		snprintf(info, sizeof(info),
			 "{\"control\":%s,\"token_required\":%s,\"stream_fps\":%g}\n",
			 !w->loopback && !w->has_token ? "false" : "true",
			 !w->loopback && w->has_token ? "true" : "false", w->o.stream_fps);
		return send_buf(c, 200, "application/json", info, strlen(info));
	}
	if (!strncmp(url, "/api/", 5))
		return send_text(c, 404, "no such API\n");
	return static_file(w, c, url);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	free(*con_cls);
	*con_cls = NULL;
}

static int read_token(struct ogate_web *w, const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(w->token, 1, sizeof(w->token) - 1, f);
	fclose(f);
	w->token[n] = '\0';
	while (n && isspace((unsigned char)w->token[n - 1]))
		w->token[--n] = '\0';
	if (n < 16)
		return -EINVAL; /* too short to be a secret */
	return 0;
}

int ogate_web_new(struct ogate_web **out, const struct ogate_web_opts *o,
		  const struct ogate_web_ops *ops, const struct ogate_shm_writer *frames)
{
	struct ogate_web *w = calloc(1, sizeof(*w));
	struct sockaddr_storage ss;
	pthread_condattr_t ca;
	int lb, err;

	if (!w)
		return -ENOMEM;
	err = -EINVAL;
	if (!o->listen || ogate_web_parse_listen(o->listen, &ss, &lb) || !ops->command ||
	    !(o->stream_fps > 0) || !(o->event_hz > 0) || o->jpeg_quality < 1 ||
	    o->jpeg_quality > 100 || !o->root)
		goto fail;
	w->o = *o;
	w->ops = *ops;
	w->loopback = lb;
	snprintf(w->listen, sizeof(w->listen), "%s", o->listen);
	snprintf(w->root, sizeof(w->root), "%s", o->root);
	if (o->token_file && o->token_file[0]) {
		err = read_token(w, o->token_file);
		if (err)
			goto fail;
		w->has_token = true;
	}
	err = ogate_shm_reader_attach(&w->reader, frames);
	if (err)
		goto fail;
	ogate_shm_reader_seek_latest(w->reader);
	w->max_bytes = ogate_shm_reader_max_frame_bytes(w->reader);
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->note_lock, NULL);
	pthread_mutex_init(&w->ref_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->changed, &ca);
	pthread_condattr_destroy(&ca);
	*out = w;
	return 0;
fail:
	free(w);
	return err;
}

int ogate_web_start(struct ogate_web *w)
{
	struct sockaddr_storage ss;
	int lb, ret;
	/* no MHD_USE_ERROR_LOG: the caller reports the error once, with the address */
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;

	ogate_web_parse_listen(w->listen, &ss, &lb);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	ret = web_sampler_start(w);
	if (ret)
		return ret;
	errno = 0;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handle, w, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)16,
				  MHD_OPTION_NOTIFY_COMPLETED, request_done, w, MHD_OPTION_END);
	if (!w->mhd) {
		ret = errno ? -errno : -EADDRINUSE;
		web_sampler_stop(w);
		return ret;
	}
	return 0;
}

unsigned int ogate_web_port(const struct ogate_web *w)
{
	const union MHD_DaemonInfo *i;

	if (!w->mhd)
		return 0;
	i = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

int ogate_web_read_only(const struct ogate_web *w)
{
	return !w->loopback && !w->has_token;
}

void ogate_web_stop(struct ogate_web *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, true);
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	if (w->mhd)
		MHD_stop_daemon(w->mhd); /* joins the connection threads */
	w->mhd = NULL;
	web_sampler_stop(w);
}

void ogate_web_free(struct ogate_web *w)
{
	if (!w)
		return;
	ogate_web_stop(w);
	ogate_shm_reader_close(w->reader);
	free(w->latest.px);
	web_reference_free(w);
	free(w->event);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->note_lock);
	pthread_mutex_destroy(&w->ref_lock);
	free(w);
}

void ogate_web_note(struct ogate_web *w, const char *level, const char *text)
{
	if (!w)
		return;
	if (pthread_mutex_trylock(&w->note_lock)) {
		atomic_fetch_add(&w->notes_dropped, 1); /* never wait, even from the frame path */
		return;
	}
	snprintf(w->notes[w->nnotes % WEB_NOTES], WEB_NOTE_LEN, "%s: %s", level, text);
	w->nnotes++;
	pthread_mutex_unlock(&w->note_lock);
}
