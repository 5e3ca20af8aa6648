// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated configuration: the INI file reader. libinih (as Debian builds it)
 * does not pass line numbers to the handler, so the file is fed through our
 * own line reader, which counts lines, rejects over-long lines (inih would
 * silently split them), checks section headers (inih never reports an empty
 * section) and stops the parse at the first error.
 */
#include "config_private.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct load_state {
	struct ogate_config *c;
	FILE *f;
	struct origin o;
	char *line;
	size_t linecap;
	char *long_value; /* value of a line too long for inih, see load_reader() */
	char *err;
	size_t errlen;
	int ret; /* first error */
	int err_line;
	/* what the file said where: a repeated section or key is an error naming both lines */
	struct seen {
		char name[160]; /* "section" or "section\nkey" */
		int line;
	} * seen;
	size_t nseen, seen_cap;
	char section[128]; /* the current section, as normalised */
};

/* "[ mode  fast ]" and "[mode fast]" are one section: trim, collapse blanks. */
static void normalise(char *dst, size_t len, const char *src, size_t n)
{
	size_t o = 0;
	bool blank = false;

	while (n && isspace((unsigned char)*src))
		src++, n--;
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (isspace((unsigned char)src[i])) {
			blank = true;
			continue;
		}
		if (blank && o + 2 < len)
			dst[o++] = ' ';
		blank = false;
		dst[o++] = src[i];
	}
	dst[o] = '\0';
}

/* The line that first said name, or 0 (then it is remembered at this line). */
static int seen_before(struct load_state *st, const char *name)
{
	struct seen *n;

	for (size_t i = 0; i < st->nseen; i++)
		if (!strcmp(st->seen[i].name, name))
			return st->seen[i].line;
	if (st->nseen == st->seen_cap) {
		size_t cap = st->seen_cap ? 2 * st->seen_cap : 64;

		n = realloc(st->seen, cap * sizeof(*n));
		if (!n)
			return 0; /* out of memory: no duplicate check, not a crash */
		st->seen = n;
		st->seen_cap = cap;
	}
	snprintf(st->seen[st->nseen].name, sizeof(st->seen[0].name), "%s", name);
	st->seen[st->nseen++].line = st->o.line;
	return 0;
}

/*
 * Debian's libinih reads at most 199 characters a line, too few for long
 * paths. A longer comment reaches inih as "#"; a longer "key = value" as
 * "key = <US>" with the value (trimmed, inline comment removed, as inih
 * would) kept aside for load_handler(). Anything else is an error.
 */
#define CONF_LINE_MAX 8192
#define LONG_VALUE_MARK "\x1f"

static char *long_line(struct load_state *st, char *str, int num)
{
	char *p = st->line, *eq, *v, *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == ';' || *p == '#') {
		snprintf(str, (size_t)num, "#\n");
		return str;
	}
	eq = strpbrk(p, "=:");
	if (*p == '[' || p != st->line || !eq || eq - st->line > num - 8) {
		st->ret = config_fail(st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
				      "line too long for anything but a key = value line or a comment");
		st->err_line = st->o.line;
		return NULL;
	}
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	for (end = v; *end; end++)
		if (*end == ';' && end > v && isspace((unsigned char)end[-1]))
			break;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	free(st->long_value);
	st->long_value = strdup(v);
	if (!st->long_value) {
		st->ret = -ENOMEM;
		return NULL;
	}
	snprintf(str, (size_t)num, "%.*s= " LONG_VALUE_MARK "\n", (int)(eq - st->line), st->line);
	return str;
}

/* inih's reader: one line per call, counted; NULL ends the parse. */
static char *load_reader(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	ssize_t n;
	const char *p;

	if (st->ret < 0)
		return NULL; /* stop at the first error */
	n = getline(&st->line, &st->linecap, st->f);
	if (n < 0)
		return NULL;
	st->o.line++;
	if (n >= CONF_LINE_MAX) {
		st->ret = config_fail(st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
				      "line too long (at most %d characters)", CONF_LINE_MAX - 1);
		st->err_line = st->o.line;
		return NULL;
	}
	if (n >= num)
		return long_line(st, str, num);
	memcpy(str, st->line, (size_t)n + 1);

	p = st->line;
	if (st->o.line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	/*
	 * An indented line would continue the previous value (inih's multi-line
	 * values): a key indented by mistake silently became part of the one
	 * above. Refused; indented comments and blank lines are fine.
	 */
	if (*p == ' ' || *p == '\t') {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q && *q != '\n' && *q != '\r' && *q != ';' && *q != '#') {
			st->ret = config_fail(
				st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
				"indented line: continuation lines are not accepted (remove the indentation)");
			st->err_line = st->o.line;
			return NULL;
		}
	}
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end) {
			char section[256];
			int first;

			snprintf(section, sizeof(section), "%.*s", (int)(end - p - 1), p + 1);
			st->ret = config_check_section(st->c, section, &st->o, st->err, st->errlen);
			if (st->ret < 0) {
				st->err_line = st->o.line;
				return str;
			}
			normalise(st->section, sizeof(st->section), p + 1, (size_t)(end - p - 1));
			first = seen_before(st, st->section);
			if (first) {
				st->ret = config_fail(
					st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
					"[%s] repeats the section of line %d (give each section once)",
					st->section, first);
				st->err_line = st->o.line;
				return NULL;
			}
		}
	}
	return str;
}

static int load_handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_state *st = user;
	int r;

	if (st->ret < 0)
		return 0;
	if (!strcmp(value, LONG_VALUE_MARK) && st->long_value)
		value = st->long_value;
	if (!section[0])
		r = config_fail(st->err, st->errlen, &st->o, name, value, -EINVAL,
				"key outside any section (start the file with e.g. [daemon])");
	else
		r = config_check_section(st->c, section, &st->o, st->err, st->errlen);
	if (r == 0) {
		char key[160], sec[128];
		int first;

		normalise(sec, sizeof(sec), section, strlen(section));
		snprintf(key, sizeof(key), "%s\n%s", sec, name);
		first = seen_before(st, key);
		if (first)
			r = config_fail(st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
					"[%s] %s repeats the key of line %d (give each key once)",
					sec, name, first);
	}
	if (r == 0)
		r = config_assign(st->c, &st->o, section, name, value, st->err, st->errlen);
	if (r < 0) {
		st->ret = r;
		st->err_line = st->o.line;
		return 0;
	}
	return 1;
}

int ogate_config_load(struct ogate_config *c, const char *path, char *err, size_t errlen)
{
	struct load_state st = { .c = c, .o = { path, 0 }, .err = err, .errlen = errlen };
	struct stat sb;
	int r;

	if (err && errlen)
		err[0] = '\0';
	st.f = fopen(path, "re");
	if (!st.f || fstat(fileno(st.f), &sb) < 0 || S_ISDIR(sb.st_mode)) {
		r = !st.f || !S_ISDIR(sb.st_mode) ? -errno : -EISDIR;
		if (st.f)
			fclose(st.f);
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = ini_parse_stream(load_reader, &st, load_handler, &st);
	if (r < 0 && st.ret == 0)
		st.ret = -ENOMEM; /* inih: allocation failed */
	if (r > 0 && (st.ret == 0 || r < st.err_line)) {
		st.o.line = r;
		st.ret = config_fail(err, errlen, &st.o, NULL, NULL, -EINVAL,
				     "syntax error (expected [section], key = value or a comment)");
	}
	if (st.ret == 0 && ferror(st.f)) {
		st.ret = -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(EIO));
	}
	free(st.line);
	free(st.long_value);
	free(st.seen);
	fclose(st.f);
	return st.ret;
}
