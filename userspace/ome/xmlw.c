// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A small XML writer (see ogate/xmlw.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ogate/xmlw.h"

void ogate_xmlw_init(struct ogate_xmlw *w, int base_indent)
{
	memset(w, 0, sizeof(*w));
	w->base_indent = base_indent > 0 ? base_indent : 0;
}

void ogate_xmlw_free(struct ogate_xmlw *w)
{
	free(w->buf);
	ogate_xmlw_init(w, 0);
}

int ogate_xmlw_error(const struct ogate_xmlw *w)
{
	return w->err;
}

static void fail(struct ogate_xmlw *w, int err)
{
	if (!w->err)
		w->err = err;
}

static void put(struct ogate_xmlw *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		char *b;

		while (w->len + n + 1 > cap)
			cap *= 2;
		b = realloc(w->buf, cap);
		if (!b) {
			fail(w, -ENOMEM);
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct ogate_xmlw *w, const char *s)
{
	put(w, s, strlen(s));
}

/*
 * Decode one UTF-8 sequence at s (n bytes left). Returns its length and the
 * code point in *cp, or 1 with *cp = 0xFFFD for an invalid sequence (bad lead
 * byte, missing continuation, overlong form, surrogate, above U+10FFFF).
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

/* The escaped form of one code point into out (at least 12 bytes); its length. */
static size_t escape_cp(uint32_t c, int in_attr, char *out)
{
	switch (c) {
	case '&': memcpy(out, "&amp;", 5); return 5;
	case '<': memcpy(out, "&lt;", 4); return 4;
	case '>': memcpy(out, "&gt;", 4); return 4;
	case '"': memcpy(out, "&quot;", 6); return 6;
	case '\'': memcpy(out, "&apos;", 6); return 6;
	default: break;
	}
	if (c >= 0x20 && c < 0x7F) {
		out[0] = (char)c;
		return 1;
	}
	if ((c == '\t' || c == '\n' || c == '\r') && !in_attr) {
		out[0] = (char)c;
		return 1;
	}
	/* forbidden in XML 1.0: C0 controls but TAB/LF/CR, U+FFFE, U+FFFF */
	if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF)
		c = 0xFFFD;
	return (size_t)snprintf(out, 12, "&#x%" PRIX32 ";", c);
}

static void put_escaped(struct ogate_xmlw *w, const char *src, int in_attr)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src);

	while (n) {
		char out[12];
		uint32_t cp;
		size_t used = utf8_next(s, n, &cp);

		put(w, out, escape_cp(cp, in_attr, out));
		s += used;
		n -= used;
	}
}

size_t ogate_xml_escape(char *dst, size_t dstlen, const char *src, int in_attr)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), o = 0, written = 0;
	int full = 0;

	while (n) {
		char out[12];
		uint32_t cp;
		size_t used = utf8_next(s, n, &cp);
		size_t l = escape_cp(cp, in_attr, out);

		/* whole escapes only: stop writing at the first that does not fit */
		if (!full && written + l < dstlen) {
			memcpy(dst + written, out, l);
			written += l;
		} else {
			full = 1;
		}
		o += l;
		s += used;
		n -= used;
	}
	if (dstlen)
		dst[written] = '\0';
	return o;
}

static int valid_name(const char *n)
{
	if (!n || !((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_'))
		return 0;
	for (n++; *n; n++)
		if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') ||
		      (*n >= '0' && *n <= '9') || *n == '.' || *n == '_' || *n == ':' || *n == '-'))
			return 0;
	return 1;
}

static void indent(struct ogate_xmlw *w, int level)
{
	static const char sp[] = "                                                                ";
	size_t n = (size_t)(w->base_indent + level) * 2;

	put(w, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
}

/* Close a pending "<name attrs" with '>'. */
static void close_start(struct ogate_xmlw *w)
{
	if (w->start_open) {
		puts_(w, ">");
		w->start_open = 0;
	}
}

void ogate_xmlw_declaration(struct ogate_xmlw *w)
{
	puts_(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void ogate_xmlw_start(struct ogate_xmlw *w, const char *name)
{
	if (!valid_name(name) || w->depth >= OGATE_XMLW_MAX_DEPTH || w->has_text) {
		fail(w, -EINVAL);
		return;
	}
	if (w->start_open) {
		puts_(w, ">\n");
		w->start_open = 0;
	}
	indent(w, w->depth);
	puts_(w, "<");
	puts_(w, name);
	w->stack[w->depth++] = name;
	w->start_open = 1;
}

void ogate_xmlw_attr(struct ogate_xmlw *w, const char *name, const char *value)
{
	if (!w->start_open || !valid_name(name) || !value) {
		fail(w, -EINVAL);
		return;
	}
	puts_(w, " ");
	puts_(w, name);
	puts_(w, "=\"");
	put_escaped(w, value, 1);
	puts_(w, "\"");
}

void ogate_xmlw_attrf(struct ogate_xmlw *w, const char *name, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(w, -EINVAL);
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		big = malloc((size_t)n + 1);
		if (!big) {
			fail(w, -ENOMEM);
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	ogate_xmlw_attr(w, name, big ? big : small);
	free(big);
}

void ogate_xmlw_attr_double(struct ogate_xmlw *w, const char *name, double v)
{
	if (isfinite(v))
		ogate_xmlw_attrf(w, name, "%.10g", v);
}

void ogate_xmlw_attr_int(struct ogate_xmlw *w, const char *name, int64_t v)
{
	ogate_xmlw_attrf(w, name, "%" PRId64, v);
}

void ogate_xmlw_text(struct ogate_xmlw *w, const char *text)
{
	if (!w->depth || !text) {
		fail(w, -EINVAL);
		return;
	}
	close_start(w);
	put_escaped(w, text, 0);
	w->has_text = 1;
}

void ogate_xmlw_end(struct ogate_xmlw *w)
{
	const char *name;

	if (!w->depth) {
		fail(w, -EINVAL);
		return;
	}
	name = w->stack[--w->depth];
	if (w->start_open) {
		puts_(w, "/>\n");
		w->start_open = 0;
	} else {
		if (!w->has_text)
			indent(w, w->depth);
		puts_(w, "</");
		puts_(w, name);
		puts_(w, ">\n");
	}
	w->has_text = 0;
}

void ogate_xmlw_element(struct ogate_xmlw *w, const char *name, const char *text)
{
	ogate_xmlw_start(w, name);
	ogate_xmlw_text(w, text);
	ogate_xmlw_end(w);
}

void ogate_xmlw_raw(struct ogate_xmlw *w, const char *xml, size_t len)
{
	if (w->has_text) {
		fail(w, -EINVAL);
		return;
	}
	if (w->start_open) {
		puts_(w, ">\n");
		w->start_open = 0;
	}
	put(w, xml, len);
}

char *ogate_xmlw_take(struct ogate_xmlw *w, size_t *len)
{
	char *out = NULL;

	if (!w->err && !w->depth) {
		if (!w->buf)
			put(w, "", 0);
		if (!w->err) {
			out = w->buf;
			w->buf = NULL;
			if (len)
				*len = w->len;
		}
	}
	ogate_xmlw_free(w);
	return out;
}
