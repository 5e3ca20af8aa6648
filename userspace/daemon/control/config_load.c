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
	char *long_value;	/* value of a line too long for inih, see load_reader() */
	char *err;
	size_t errlen;
	int ret;	/* first error */
	int err_line;
};

/*
 * Debian's libinih reads at most 199 characters a line, too few for long
 * paths. A longer comment reaches inih as "#"; a longer "key = value" as
 * "key = <US>" with the value (trimmed, inline comment removed, as inih
 * would) kept aside for load_handler(). Anything else is an error.
 */
#define CONF_LINE_MAX	8192
#define LONG_VALUE_MARK	"\x1f"

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
		return NULL;	/* stop at the first error */
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

	/* a section header (not indented: that would continue a value) */
	p = st->line;
	if (st->o.line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end) {
			char section[256];

			snprintf(section, sizeof(section), "%.*s", (int)(end - p - 1), p + 1);
			st->ret = config_check_section(st->c, section, &st->o, st->err, st->errlen);
			if (st->ret < 0)
				st->err_line = st->o.line;
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
		st.ret = -ENOMEM;	/* inih: allocation failed */
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
	fclose(st.f);
	return st.ret;
}
