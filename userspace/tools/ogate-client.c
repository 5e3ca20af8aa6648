// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogate-client: send one command to ogated's control socket and print the
 * reply; or, with -f, every line of a file on one connection, in order.
 * Exit status: 0 on "OK", 1 on "ERR" (message on stderr), 2 on a usage or
 * connection error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock-util.h"
#include "control-client.h"
#include "numparse.h"
#include "ogate-version.h"

#define DEFAULT_SOCKET "/run/ogate/ogated.sock"
#define REPLY_MAX (64 * 1024 + 1)

/*
 * --wait: whether a daemon listens on path yet (it accepts, then sees the
 * connection close unused). Probing instead of retrying the command keeps
 * the command sent once, whatever the reason it fails.
 */
static int socket_listens(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ok;

	if (strlen(path) >= sizeof(sun.sun_path))
		return 1; /* let the request report it */
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
	     (errno != ENOENT && errno != ECONNREFUSED);
	close(fd);
	return ok;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ogate-client [-s SOCKET] [-t TIMEOUT_MS] COMMAND [ARGS...]\n"
		   "       ogate-client [-s SOCKET] [-t TIMEOUT_MS] -f FILE|-\n"
		   "Send one command to ogated and print the reply; with -f, send every line\n"
		   "of FILE (- for standard input) on one connection and print every reply.\n"
		   "  -s SOCKET      control socket (default $OGATE_SOCKET or " DEFAULT_SOCKET ")\n"
		   "  --wait SECONDS wait up to this long for a daemon to listen on SOCKET\n"
		   "                 (one that is starting); default 0: do not wait\n"
		   "  --version      print the version\n"
		   "  -t TIMEOUT_MS  give up after this long (default 5000; 0 = wait forever)\n"
		   "  -f FILE        commands, one per line, applied in order\n"
		   "Commands: status, start, stop, target <phase_rad|frame=U>, reset, refresh,\n"
		   "  record on|off, mode NAME, stats, preview PATH.png|PATH.pgm, home,\n"
		   "  zstack ..., timelapse ..., abort, help [COMMAND]\n"
		   "Exit status: 0 OK, 1 the daemon answered ERR, 2 usage or connection error.\n");
}

static int failed(const char *sock, int r)
{
	const char *hint = "";

	if (r == -ENOENT || r == -ECONNREFUSED)
		hint = " (is ogated running?)";
	else if (r == -EACCES)
		hint = " (are you in the socket's group, e.g. gpio?)";
	fprintf(stderr, "ogate-client: %s: %s%s\n", sock,
		r == -ETIMEDOUT ? "no reply in time" : strerror(-r), hint);
	return 2;
}

/* -f: every line on one connection; replies to stdout, exit 1 if any was ERR. */
static int run_file(const char *sock, const char *path, int timeout)
{
	static char text[64 * 1024], reply[REPLY_MAX];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len;
	int r;

	if (!f) {
		fprintf(stderr, "ogate-client: %s: %s\n", path, strerror(errno));
		return 2;
	}
	len = fread(text, 1, sizeof(text) - 1, f);
	if (f != stdin)
		fclose(f);
	if (len == sizeof(text) - 1) {
		fprintf(stderr, "ogate-client: %s: more than %zu bytes of commands\n", path,
			sizeof(text) - 2);
		return 2;
	}
	text[len] = '\0';
	r = ogate_control_request_lines(sock, text, reply, sizeof(reply), timeout);
	if (r < 0 && r != -EMSGSIZE)
		return failed(sock, r);
	fputs(reply, stdout);
	return !strncmp(reply, "ERR ", 4) || strstr(reply, "\nERR ") ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("OGATE_SOCKET");
	static char reply[REPLY_MAX];
	char line[1024];
	size_t len = 0;
	int64_t wait_s = 0, deadline;
	int64_t timeout = 5000;
	const char *file = NULL;
	int opt, r;

	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	if (!sock || !*sock)
		sock = DEFAULT_SOCKET;
	/* "+": options end at the command, so "ogate-client target -1.2" works */
	while ((opt = getopt_long(argc, argv, "+s:t:f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 's': sock = optarg; break;
		case 't':
			if (ogate_parse_i64(optarg, 10, &timeout) || timeout < 0 || timeout > 3600000) {
				fprintf(stderr,
					"ogate-client: -t %s: must be milliseconds in [0, 3600000]\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'w': /* long options only: --wait, --version */
			if (ogate_parse_i64(optarg, 10, &wait_s) || wait_s < 0 || wait_s > 3600) {
				fprintf(stderr,
					"ogate-client: --wait %s: must be seconds in [0, 3600]\n",
					optarg);
				return 2;
			}
			break;
		case 'V': printf("ogate-client %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (file) {
		if (optind < argc) {
			usage(stderr);
			return 2;
		}
		return run_file(sock, file, (int)timeout);
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (strpbrk(argv[i], "\n\r")) {
			fprintf(stderr, "ogate-client: arguments cannot contain newlines\n");
			return 2;
		}
		if (len + n + 2 > sizeof(line)) {
			fprintf(stderr, "ogate-client: command longer than %zu bytes\n",
				sizeof(line) - 1);
			return 2;
		}
		if (i > optind)
			line[len++] = ' ';
		memcpy(line + len, argv[i], n);
		len += n;
	}
	line[len] = '\0';

	deadline = ogate_mono_ns() + wait_s * 1000000000LL;
	while (wait_s && !socket_listens(sock) && ogate_mono_ns() < deadline)
		ogate_sleep_until(ogate_mono_ns() + 50000000LL);
	r = ogate_control_request(sock, line, reply, sizeof(reply), (int)timeout);
	if (r < 0 && r != -EMSGSIZE)
		return failed(sock, r);
	if (!strncmp(reply, "OK", 2) && (reply[2] == '\n' || reply[2] == ' ')) {
		fputs(reply, stdout);
		if (r == -EMSGSIZE) {
			fprintf(stderr, "ogate-client: reply cut at %d bytes\n", REPLY_MAX - 1);
			return 2;
		}
		return 0;
	}
	if (!strncmp(reply, "ERR ", 4)) {
		fputs(reply, stderr);
		return 1;
	}
	fprintf(stderr, "ogate-client: %s: unexpected reply: %.200s\n", sock, reply);
	return 2;
}
