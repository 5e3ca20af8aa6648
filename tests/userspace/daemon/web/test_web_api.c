// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The web server's API against a command double and a private frame ring:
 * status as JSON, commands passed through verbatim, who may control, the
 * JPEG frame, the reference's frames (JSON and tiles), the page's files,
 * the event stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "ogate-shm.h"
#include "web.h"
#include "web_private.h" /* ref_lock: a connection reading the reference */

static char last_cmd[256];
static int ncmds;

/* the daemon's side, as the socket would answer */
static int fake_command(void *ctx, const char *line, char *reply, size_t len)
{
	snprintf(last_cmd, sizeof(last_cmd), "%s", line);
	ncmds++;
	if (!strcmp(line, "status"))
		snprintf(reply, len,
			 "OK\nstate=running\nlocked=yes\nperiod_s=0.420000\nphase=1.5\nsource=synthetic\n.\n");
	else if (!strcmp(line, "stats"))
		snprintf(reply, len, "OK\nframes=12\nnote=a \"quoted\" value\n.\n");
	else if (!strncmp(line, "target ", 7))
		snprintf(reply, len, "OK target phase %s rad\n", line + 7);
	else
		snprintf(reply, len, "ERR EINVAL unknown command '%s' (try help)\n", line);
	return 0;
}

struct fixture {
	struct ogate_shm_writer *frames;
	struct ogate_web *web;
	char root[64], token_path[80];
	unsigned int port;
};

static int start(struct fixture *f, const char *listen, const char *token)
{
	struct ogate_web_ops ops = { .command = fake_command };
	struct ogate_web_opts o = { .listen = listen, .stream_fps = 20, .event_hz = 20, .jpeg_quality = 80 };
	int err;
	FILE *fp;

	snprintf(f->root, sizeof(f->root), "/tmp/ogate-web-test-%d", (int)getpid());
	mkdir(f->root, 0700);
	snprintf(f->token_path, sizeof(f->token_path), "%s/index.html", f->root);
	fp = fopen(f->token_path, "w");
	fputs("<!doctype html><p>hello</p>\n", fp);
	fclose(fp);
	f->token_path[0] = '\0';
	if (token) {
		snprintf(f->token_path, sizeof(f->token_path), "%s.token", f->root);
		fp = fopen(f->token_path, "w");
		fprintf(fp, "%s\n", token);
		fclose(fp);
	}
	o.root = f->root;
	o.token_file = f->token_path;
	err = ogate_shm_writer_new(&f->frames, NULL, 8, 64 * 64, 0600);
	if (err)
		return err;
	err = ogate_web_new(&f->web, &o, &ops, f->frames);
	if (err)
		return err;
	err = ogate_web_start(f->web);
	f->port = ogate_web_port(f->web);
	return err;
}

static void stop(struct fixture *f)
{
	char path[100];

	ogate_web_free(f->web);
	ogate_shm_writer_free(f->frames);
	snprintf(path, sizeof(path), "%s/index.html", f->root);
	unlink(path);
	rmdir(f->root);
	if (f->token_path[0])
		unlink(f->token_path);
}

/* One HTTP/1.0 exchange (a test client, not a parser): the status code, the body. */
static int http(unsigned int port, const char *req, char *body, size_t len, size_t *blen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static char buf[256 * 1024];
	size_t n = 0;
	ssize_t k;
	int fd = socket(AF_INET, SOCK_STREAM, 0), code = -1;
	char *sep;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) || write(fd, req, strlen(req)) < 0) {
		close(fd);
		return -1;
	}
	while (n < sizeof(buf) - 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	buf[n] = '\0';
	sscanf(buf, "HTTP/1.%*d %d", &code);
	sep = strstr(buf, "\r\n\r\n");
	if (sep && body) {
		size_t b = n - (size_t)(sep + 4 - buf);

		b = b < len - 1 ? b : len - 1;
		memcpy(body, sep + 4, b);
		body[b] = '\0';
		if (blen)
			*blen = b;
	}
	return code;
}

static int post(unsigned int port, const char *line, const char *extra, char *body, size_t len)
{
	char req[1024];

	snprintf(req, sizeof(req), "POST /api/command HTTP/1.0\r\nContent-Length: %zu\r\n%s\r\n%s",
		 strlen(line), extra, line);
	return http(port, req, body, len, NULL);
}

static void test_status_is_the_daemons_status_as_json(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	assert_true(f.port > 0);
	assert_int_equal(http(f.port, "GET /api/status HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 200);
	assert_non_null(strstr(body, "\"state\":\"running\""));
	assert_non_null(strstr(body, "\"locked\":true"));
	assert_non_null(strstr(body, "\"period_s\":0.420000"));
	assert_non_null(strstr(body, "\"stats\":{\"frames\":12,\"note\":\"a \\\"quoted\\\" value\"}"));
	stop(&f);
}

static void test_a_command_reaches_the_daemon_and_its_reply_comes_back(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	assert_int_equal(post(f.port, "target 1.25", "X-Ogate: 1\r\n", body, sizeof(body)), 200);
	assert_string_equal(last_cmd, "target 1.25");
	assert_string_equal(body, "OK target phase 1.25 rad\n");
	assert_int_equal(post(f.port, "launch\n", "X-Ogate: 1\r\n", body, sizeof(body)), 200);
	assert_string_equal(body, "ERR EINVAL unknown command 'launch' (try help)\n");
	/* two lines in one request are refused, not run */
	ncmds = 0;
	assert_int_equal(post(f.port, "stop\nstart", "X-Ogate: 1\r\n", body, sizeof(body)), 400);
	assert_int_equal(ncmds, 0);
	stop(&f);
}

static void test_control_needs_the_custom_header_so_other_pages_cannot_post(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	ncmds = 0;
	assert_int_equal(post(f.port, "stop", "Content-Type: text/plain\r\n", body, sizeof(body)), 403);
	assert_int_equal(ncmds, 0);
	stop(&f);
}

static void test_beyond_loopback_without_a_token_the_server_is_read_only(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "0.0.0.0:0", NULL), 0);
	assert_true(ogate_web_read_only(f.web));
	ncmds = 0;
	assert_int_equal(post(f.port, "stop", "X-Ogate: 1\r\n", body, sizeof(body)), 403);
	assert_non_null(strstr(body, "read-only"));
	assert_int_equal(ncmds, 0);
	assert_int_equal(http(f.port, "GET /api/info HTTP/1.0\r\n\r\n", body, sizeof(body), NULL), 200);
	assert_non_null(strstr(body, "\"control\":false"));
	stop(&f);
}

static void test_beyond_loopback_the_token_is_required_and_checked(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "0.0.0.0:0", "s3cret-token-0123456789"), 0);
	assert_false(ogate_web_read_only(f.web));
	assert_int_equal(post(f.port, "target 2", "X-Ogate: 1\r\n", body, sizeof(body)), 403);
	assert_int_equal(post(f.port, "target 2",
			      "X-Ogate: 1\r\nAuthorization: Bearer s3cret-token-012345678X\r\n",
			      body, sizeof(body)),
			 403);
	assert_int_equal(post(f.port, "target 2",
			      "X-Ogate: 1\r\nAuthorization: Bearer s3cret-token-0123456789\r\n",
			      body, sizeof(body)),
			 200);
	assert_string_equal(body, "OK target phase 2 rad\n");
	stop(&f);
}

static void test_a_short_token_file_is_refused(void **state)
{
	struct fixture f = { 0 };

	assert_int_equal(start(&f, "0.0.0.0:0", "short"), -EINVAL);
	ogate_shm_writer_free(f.frames);
	unlink(f.token_path);
	snprintf(f.token_path, sizeof(f.token_path), "%s/index.html", f.root);
	unlink(f.token_path);
	rmdir(f.root);
}

static void write_frame(struct ogate_shm_writer *w, uint64_t seq, double phase, uint8_t v)
{
	uint8_t px[64 * 64];
	struct ogate_shm_meta m = { .sequence = seq,
				    .timestamp_ns = (int64_t)seq * 10000000,
				    .phase = phase,
				    .state = OGATE_SHM_STATE_LOCKED,
				    .width = 64,
				    .height = 64,
				    .bytes_per_pixel = 1,
				    .ref_id = 1,
				    .flags = seq % 3 == 0 ? OGATE_SHM_TRIGGER : 0,
				    .trigger_ns = (int64_t)seq * 10000000 + 5000000 };

	for (int i = 0; i < 64 * 64; i++)
		px[i] = (uint8_t)(v + i % 64);
	ogate_shm_write(w, &m, px, 64);
}

static void test_the_latest_frame_is_served_as_jpeg(void **state)
{
	struct fixture f = { 0 };
	static char body[64 * 1024];
	size_t n = 0;
	int code = 404;

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	assert_int_equal(http(f.port, "GET /api/frame.jpg HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 404);
	write_frame(f.frames, 1, 0.1, 10);
	for (int i = 0; i < 100 && code != 200; i++) {
		usleep(20000);
		code = http(f.port, "GET /api/frame.jpg HTTP/1.0\r\n\r\n", body, sizeof(body), &n);
	}
	assert_int_equal(code, 200);
	assert_true(n > 100);
	assert_int_equal((uint8_t)body[0], 0xff);
	assert_int_equal((uint8_t)body[1], 0xd8);
	stop(&f);
}

/* a reference of n flat 128 x 96 frames of levels 10, 50, 90, ... */
static struct ogate_web_ref *make_ref(uint32_t id, int n)
{
	struct ogate_web_ref *r = NULL;

	assert_int_equal(ogate_web_ref_reserve(&r, n, 128, 96, 1), 0);
	r->id = id;
	r->first_seq = 1000 + id;
	r->seq_step = 2; /* the camera frames between two of its frames */
	r->period_frames = n - 0.5;
	for (int i = 0; i < n; i++) {
		r->phase[i] = 2 * M_PI * i / r->period_frames;
		memset(r->px + (size_t)i * 128 * 96, 10 + 40 * i, 128 * 96);
	}
	return r;
}

static void test_the_reference_frames_are_served_with_their_phases(void **state)
{
	struct fixture f = { 0 };
	static char body[64 * 1024];
	struct ogate_web_ref *r = make_ref(7, 5), *second = make_ref(8, 3);
	unsigned char *px;
	int w = 0, h = 0, sub, cs;
	size_t n = 0;
	tjhandle tj;

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	assert_int_equal(http(f.port, "GET /api/reference HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 404);
	assert_int_equal(http(f.port, "GET /api/reference.jpg HTTP/1.0\r\n\r\n", body, sizeof(body),
			      NULL),
			 404);
	assert_int_equal(ogate_web_offer_reference(f.web, &r), 0);
	assert_null(r); /* nothing was published before */
	assert_int_equal(http(f.port, "GET /api/reference HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 200);
	assert_string_equal(body,
			    "{\"id\":7,\"gen\":1,\"n\":5,\"first_seq\":1007,\"seq_step\":2,\"period_frames\":4.5000,"
			    "\"width\":128,\"height\":96,\"tile_w\":64,\"tile_h\":48,\"cols\":5,"
			    "\"phases\":[0.000000,1.396263,2.792527,4.188790,5.585054]}\n");

	/* the tiles: 128 x 96 halved, five in a row, each its frame's level */
	assert_int_equal(http(f.port, "GET /api/reference.jpg HTTP/1.0\r\n\r\n", body, sizeof(body), &n),
			 200);
	tj = tjInitDecompress();
	assert_int_equal(tjDecompressHeader3(tj, (unsigned char *)body, n, &w, &h, &sub, &cs), 0);
	assert_int_equal(w, 5 * 64);
	assert_int_equal(h, 48);
	px = malloc((size_t)w * h);
	assert_int_equal(tjDecompress2(tj, (unsigned char *)body, n, px, w, w, h, TJPF_GRAY, 0), 0);
	for (int i = 0; i < 5; i++)
		assert_true(abs(px[24 * w + i * 64 + 32] - (10 + 40 * i)) <= 3);
	free(px);
	tjDestroy(tj);

	/* a connection holds the set: the frame path is told to come back, never waits */
	pthread_mutex_lock(&f.web->ref_lock);
	assert_int_equal(ogate_web_offer_reference(f.web, &second), -EBUSY);
	pthread_mutex_unlock(&f.web->ref_lock);
	assert_int_equal(ogate_web_offer_reference(f.web, &second), 0);
	assert_non_null(second); /* the first set comes back, for reuse */
	assert_int_equal(second->id, 7);
	assert_int_equal(http(f.port, "GET /api/reference HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 200);
	assert_non_null(strstr(body, "{\"id\":8,\"gen\":2,\"n\":3,"));
	assert_int_equal(http(f.port, "GET /api/reference.jpg HTTP/1.0\r\n\r\n", body, sizeof(body), &n),
			 200);
	tj = tjInitDecompress();
	assert_int_equal(tjDecompressHeader3(tj, (unsigned char *)body, n, &w, &h, &sub, &cs), 0);
	assert_int_equal(w, 3 * 64);
	tjDestroy(tj);
	ogate_web_ref_free(second);
	stop(&f);
}

static void test_the_page_is_served_and_nothing_outside_its_folder(void **state)
{
	struct fixture f = { 0 };
	char body[4096];

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	assert_int_equal(http(f.port, "GET / HTTP/1.0\r\n\r\n", body, sizeof(body), NULL), 200);
	assert_non_null(strstr(body, "hello"));
	assert_int_equal(http(f.port, "GET /../../etc/passwd HTTP/1.0\r\n\r\n", body, sizeof(body), NULL),
			 404);
	assert_int_equal(http(f.port, "GET /%2e%2e/x HTTP/1.0\r\n\r\n", body, sizeof(body), NULL), 404);
	assert_int_equal(http(f.port, "GET /.hidden HTTP/1.0\r\n\r\n", body, sizeof(body), NULL), 404);
	assert_int_equal(http(f.port, "DELETE / HTTP/1.0\r\n\r\n", body, sizeof(body), NULL), 405);
	stop(&f);
}

static void test_events_carry_status_phases_triggers_and_warnings(void **state)
{
	struct fixture f = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[64 * 1024];
	const char *req = "GET /api/events HTTP/1.0\r\n\r\n";
	size_t n = 0;
	int fd;

	assert_int_equal(start(&f, "127.0.0.1:0", NULL), 0);
	a.sin_port = htons((uint16_t)f.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(write(fd, req, strlen(req)) > 0);
	/* the first event says the stream is set up: frames from now on are in events */
	for (int i = 0; i < 200 && !strstr(buf, "data: "); i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 50) == 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
			n += (size_t)k;
		buf[n] = '\0';
	}
	ogate_web_note(f.web, "warning", "late by \"12\" us");
	for (int i = 0; i < 6; i++)
		write_frame(f.frames, (uint64_t)i, i * 0.5, 0);
	for (int i = 0; i < 100 && !strstr(buf, "late by"); i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 50) == 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
			n += (size_t)k;
		buf[n] = '\0';
	}
	close(fd);
	assert_non_null(strstr(buf, "text/event-stream"));
	assert_non_null(strstr(buf, "data: {\"status\":{\"state\":\"running\""));
	assert_non_null(strstr(buf, "[0.0000,0.000,1,0.0050]")); /* a trigger frame */
	assert_non_null(strstr(buf, "[0.0100,0.500,0]"));
	assert_non_null(strstr(buf, "\"ref\":0,\"ref_gen\":0,")); /* no reference yet */
	assert_non_null(strstr(buf, "\"warning: late by \\\"12\\\" us\""));
	stop(&f);
}

static void test_listen_addresses_are_checked(void **state)
{
	struct sockaddr_storage ss;
	int lb;

	assert_int_equal(ogate_web_parse_listen("127.0.0.1:8080", &ss, &lb), 0);
	assert_true(lb);
	assert_int_equal(ogate_web_parse_listen("localhost:80", &ss, &lb), 0);
	assert_true(lb);
	assert_int_equal(ogate_web_parse_listen("192.168.1.5:8080", &ss, &lb), 0);
	assert_false(lb);
	assert_int_equal(ogate_web_parse_listen("[::1]:8080", &ss, &lb), 0);
	assert_true(lb);
	assert_int_equal(ogate_web_parse_listen("[::]:8080", &ss, &lb), 0);
	assert_false(lb);
	assert_int_equal(ogate_web_parse_listen("8080", &ss, &lb), -EINVAL);
	assert_int_equal(ogate_web_parse_listen("1.2.3.4:99999", &ss, &lb), -EINVAL);
	assert_int_equal(ogate_web_parse_listen("example.org:80", &ss, &lb), -EINVAL);
	assert_int_equal(ogate_web_parse_listen("[::1:80", &ss, &lb), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_is_the_daemons_status_as_json),
		cmocka_unit_test(test_a_command_reaches_the_daemon_and_its_reply_comes_back),
		cmocka_unit_test(test_control_needs_the_custom_header_so_other_pages_cannot_post),
		cmocka_unit_test(test_beyond_loopback_without_a_token_the_server_is_read_only),
		cmocka_unit_test(test_beyond_loopback_the_token_is_required_and_checked),
		cmocka_unit_test(test_a_short_token_file_is_refused),
		cmocka_unit_test(test_the_latest_frame_is_served_as_jpeg),
		cmocka_unit_test(test_the_reference_frames_are_served_with_their_phases),
		cmocka_unit_test(test_the_page_is_served_and_nothing_outside_its_folder),
		cmocka_unit_test(test_events_carry_status_phases_triggers_and_warnings),
		cmocka_unit_test(test_listen_addresses_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
