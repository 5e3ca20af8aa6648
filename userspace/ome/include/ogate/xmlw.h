/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small XML writer into a growing memory buffer: elements, attributes and
 * text, with escaping done here and nowhere else.
 *
 * Output is always 7-bit ASCII: '&', '<', '>', '"' and '\'' become entity
 * references; every other character outside printable ASCII (valid UTF-8
 * above U+007F, TAB/LF/CR inside attributes) becomes a numeric character
 * reference (&#xB5; for µ); invalid UTF-8 and characters XML 1.0 forbids
 * (C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF, surrogates) become
 * U+FFFD. So the text can go into a TIFF ASCII tag unchanged.
 *
 * Element and attribute names come from code and must match
 * [A-Za-z_][A-Za-z0-9._:-]*; a bad name, unbalanced end or allocation failure
 * makes the writer sticky-failed (ogate_xmlw_error() != 0), and
 * ogate_xmlw_take() then returns NULL.
 *
 * Not thread-safe: one writer per thread.
 */
#ifndef OGATE_XMLW_H
#define OGATE_XMLW_H

#include <stddef.h>
#include <stdint.h>

#define OGATE_XMLW_MAX_DEPTH 32

struct ogate_xmlw {
	char *buf;
	size_t len, cap;
	int err;	 /* 0 or the first -errno */
	int depth;	 /* open elements */
	int base_indent; /* indentation of depth 0, in two-space steps */
	int start_open;	 /* 1 while "<name attrs" is not closed yet */
	int has_text;	 /* the innermost element has text content */
	const char *stack[OGATE_XMLW_MAX_DEPTH];
};

/* base_indent: indentation level of the first element (for fragments). */
void ogate_xmlw_init(struct ogate_xmlw *w, int base_indent);
void ogate_xmlw_free(struct ogate_xmlw *w);

/* <?xml version="1.0" encoding="UTF-8"?> and a newline. */
void ogate_xmlw_declaration(struct ogate_xmlw *w);
/* Open an element; name must stay valid until its end. */
void ogate_xmlw_start(struct ogate_xmlw *w, const char *name);
void ogate_xmlw_attr(struct ogate_xmlw *w, const char *name, const char *value);
void ogate_xmlw_attrf(struct ogate_xmlw *w, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Attribute with a finite double ("%.10g"); omitted when v is NaN or infinite. */
void ogate_xmlw_attr_double(struct ogate_xmlw *w, const char *name, double v);
void ogate_xmlw_attr_int(struct ogate_xmlw *w, const char *name, int64_t v);
/* Character content of the innermost element (escaped). */
void ogate_xmlw_text(struct ogate_xmlw *w, const char *text);
/* Close the innermost element ("/>" when it has no content). */
void ogate_xmlw_end(struct ogate_xmlw *w);
/* Element with text content in one call: <name>text</name>. */
void ogate_xmlw_element(struct ogate_xmlw *w, const char *name, const char *text);
/* Append already-written XML (a fragment from another writer) verbatim. */
void ogate_xmlw_raw(struct ogate_xmlw *w, const char *xml, size_t len);

int ogate_xmlw_error(const struct ogate_xmlw *w);
/*
 * The text written (NUL-terminated), ownership passes to the caller (free()).
 * NULL when the writer failed or elements are still open; *len gets the
 * length. The writer is reset either way.
 */
char *ogate_xmlw_take(struct ogate_xmlw *w, size_t *len);

/* Escape text as ogate_xmlw_text() does, into dst (truncated, NUL-terminated);
 * returns the length the full escape needs. For tests and log lines. */
size_t ogate_xml_escape(char *dst, size_t dstlen, const char *src, int in_attr);

#endif
