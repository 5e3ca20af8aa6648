// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Provenance pairs and provenance.txt (see ogate/provenance.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ogate/provenance.h"
#include "ogate_build_id.h" /* generated: OGATE_BUILD_ID, OGATE_VERSION_STR */

#define KEY_MAX 127

struct ogate_provenance {
	struct ogate_ome_pair *kv; /* owned strings */
	size_t n, cap;
};

const char *ogate_version(void)
{
	return OGATE_VERSION_STR;
}

const char *ogate_build_id(void)
{
	return OGATE_BUILD_ID;
}

int ogate_provenance_new(struct ogate_provenance **out)
{
	struct ogate_provenance *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*out = p;
	return 0;
}

void ogate_provenance_free(struct ogate_provenance *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->kv[i].key);
		free((char *)p->kv[i].value);
	}
	free(p->kv);
	free(p);
}

static int valid_key(const char *k)
{
	size_t n = 0;

	if (!k || !*k)
		return 0;
	for (; k[n]; n++)
		if (!((k[n] >= 'a' && k[n] <= 'z') || (k[n] >= 'A' && k[n] <= 'Z') ||
		      (k[n] >= '0' && k[n] <= '9') || k[n] == '.' || k[n] == '_' || k[n] == '-'))
			return 0;
	return n <= KEY_MAX;
}

static int set_owned(struct ogate_provenance *p, const char *key, char *value)
{
	char *k;

	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->kv[i].key, key)) {
			free((char *)p->kv[i].value);
			p->kv[i].value = value;
			return 0;
		}
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct ogate_ome_pair *n = realloc(p->kv, cap * sizeof(*n));

		if (!n) {
			free(value);
			return -ENOMEM;
		}
		p->kv = n;
		p->cap = cap;
	}
	k = strdup(key);
	if (!k) {
		free(value);
		return -ENOMEM;
	}
	p->kv[p->n].key = k;
	p->kv[p->n].value = value;
	p->n++;
	return 0;
}

int ogate_provenance_set(struct ogate_provenance *p, const char *key, const char *fmt, ...)
{
	char *v;
	va_list ap;
	int n;

	if (!valid_key(key))
		return -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return set_owned(p, key, v);
}

int ogate_provenance_set_build(struct ogate_provenance *p)
{
	int rc = ogate_provenance_set(p, "ogate.version", "%s", ogate_version());

	return rc ? rc : ogate_provenance_set(p, "ogate.build", "%s", ogate_build_id());
}

int ogate_provenance_dup(struct ogate_provenance **out, const struct ogate_provenance *p)
{
	struct ogate_provenance *d;
	int ret = ogate_provenance_new(&d);

	for (size_t i = 0; !ret && i < p->n; i++) {
		ret = ogate_provenance_set(d, p->kv[i].key, "%s", p->kv[i].value);
		if (ret)
			ogate_provenance_free(d);
	}
	if (!ret)
		*out = d;
	return ret;
}

size_t ogate_provenance_count(const struct ogate_provenance *p)
{
	return p->n;
}

const struct ogate_ome_pair *ogate_provenance_pairs(const struct ogate_provenance *p)
{
	return p->kv;
}

const char *ogate_provenance_get(const struct ogate_provenance *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->kv[i].key, key))
			return p->kv[i].value;
	return NULL;
}

static void put_escaped(FILE *f, const char *v)
{
	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", *s);
		else
			fputc(*s, f);
	}
}

char *ogate_provenance_text(const struct ogate_provenance *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("# ogate provenance (key=value; \\n \\\\ \\xNN escapes in values)\n", f);
	for (size_t i = 0; i < p->n; i++) {
		fprintf(f, "%s=", p->kv[i].key);
		put_escaped(f, p->kv[i].value);
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int ogate_provenance_write(const struct ogate_provenance *p, const char *dir, char *err, size_t errlen)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/provenance.txt", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "provenance: directory name too long");
		return -ENAMETOOLONG;
	}
	return ogate_provenance_write_path(p, path, err, errlen);
}

int ogate_provenance_write_path(const struct ogate_provenance *p, const char *path, char *err,
				size_t errlen)
{
	char tmp[4096 + 16];
	char *text = ogate_provenance_text(p);
	size_t len, off = 0;
	int fd, rc = 0;

	if (!text) {
		snprintf(err, errlen, "provenance: out of memory");
		return -ENOMEM;
	}
	len = strlen(text);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		free(text);
		snprintf(err, errlen, "provenance: path too long");
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(text);
		return rc;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	free(text);
	return rc;
}
