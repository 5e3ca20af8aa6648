// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The web room's small text helpers: control replies to JSON, listen addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "numparse.h"
#include "web.h"

size_t ogate_web_json_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return 0;
	for (; *s && o + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

/* A value as JSON: finite numbers and yes/no/on/off typed, anything else a string. */
static size_t json_value(const char *v, char *out, size_t len)
{
	double d;
	size_t n;

	if (!strcmp(v, "yes") || !strcmp(v, "on"))
		return (size_t)snprintf(out, len, "true");
	if (!strcmp(v, "no") || !strcmp(v, "off"))
		return (size_t)snprintf(out, len, "false");
	if (ogate_parse_double(v, &d) == 0 && d == d && d - d == 0)
		return (size_t)snprintf(out, len, "%s", v[0] == '+' ? v + 1 : v);
	if (len < 3)
		return len;
	out[0] = '"';
	n = ogate_web_json_escape(v, out + 1, len - 2);
	if (n + 2 >= len)
		return len;
	out[n + 1] = '"';
	out[n + 2] = '\0';
	return n + 2;
}

size_t ogate_web_kv_to_json(const char *reply, char *out, size_t len)
{
	const char *p = strchr(reply, '\n');
	size_t pos = 0;
	bool first = true;

	if (len)
		out[0] = '\0';
	while (p && *++p && pos < len) {
		const char *eol = strchr(p, '\n'),
			   *eq = memchr(p, '=', eol ? (size_t)(eol - p) : strlen(p));
		char key[128], val[1024], kesc[260];
		size_t kl, vl;

		if (!eol)
			break;
		if (!eq || (size_t)(eq - p) >= sizeof(key) || (size_t)(eol - eq - 1) >= sizeof(val)) {
			p = eol;
			continue;
		}
		kl = (size_t)(eq - p);
		vl = (size_t)(eol - eq - 1);
		memcpy(key, p, kl);
		key[kl] = '\0';
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		ogate_web_json_escape(key, kesc, sizeof(kesc));
		pos += (size_t)snprintf(out + pos, len - pos, "%s\"%s\":", first ? "" : ",", kesc);
		if (pos < len)
			pos += json_value(val, out + pos, len - pos);
		first = false;
		p = eol;
	}
	return pos < len ? pos : len;
}

int ogate_web_parse_listen(const char *s, struct sockaddr_storage *ss, int *is_loopback)
{
	char host[128];
	const char *colon;
	int64_t port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	if (ogate_parse_i64(colon + 1, 10, &port) || port < 0 || port > 65535)
		return -EINVAL;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (s[0] != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*is_loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*is_loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}
