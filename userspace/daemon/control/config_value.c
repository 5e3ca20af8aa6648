// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated configuration: one value checked against its key (type, bounds,
 * words), the allowed values in words for error messages, and "did you mean"
 * suggestions for misspelt keys and sections.
 */
#include "config_private.h"
#include "numparse.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing values ---- */

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Index of s among the '|'-separated words, or -ENOENT. */
static int enum_index(const char *words, const char *s, char *canon, size_t canonlen)
{
	size_t n = strlen(s);
	int i = 0;

	for (const char *w = words; *w; i++) {
		size_t wl = strcspn(w, "|");

		if (wl == n && !strncasecmp(w, s, n)) {
			snprintf(canon, canonlen, "%.*s", (int)wl, w);
			return i;
		}
		w += wl;
		if (*w == '|')
			w++;
	}
	return -ENOENT;
}

/* "must be ..." for a key: the allowed values, shown in every error. */
void config_describe_range(const struct key_def *k, char *buf, size_t len)
{
	switch (k->type) {
	case KT_INT:
		if (k->flags & KF_OCTAL)
			snprintf(buf, len, "must be an octal integer in [%#llo, %#llo]",
				 (unsigned long long)k->imin, (unsigned long long)k->imax);
		else
			snprintf(buf, len, "must be an integer in [%lld, %lld]", (long long)k->imin,
				 (long long)k->imax);
		break;
	case KT_DOUBLE: snprintf(buf, len, "must be a number in [%g, %g]", k->dmin, k->dmax); break;
	case KT_BOOL:
		snprintf(buf, len, "must be a boolean (true/false, yes/no, on/off, 1/0)");
		break;
	case KT_ENUM: {
		char words[256];
		size_t j = 0;

		for (const char *w = k->words; *w && j + 3 < sizeof(words); w++) {
			if (*w == '|') {
				words[j++] = ',';
				words[j++] = ' ';
			} else {
				words[j++] = *w;
			}
		}
		words[j] = '\0';
		snprintf(buf, len, "must be one of: %s", words);
		break;
	}
	case KT_STRING:
		snprintf(buf, len, "must be a string of at most %zu bytes without control characters",
			 k->maxlen);
		break;
	}
}

/* Check value against k; on success store it into *v (strings duplicated). */
int config_parse_value(const struct key_def *k, const char *value, union value *v, char *canon,
		       size_t canonlen)
{
	int64_t i;
	double d;
	int r;

	switch (k->type) {
	case KT_INT:
		r = ogate_parse_i64(value, (k->flags & KF_OCTAL) ? 8 : 10, &i);
		if (r < 0 || i < k->imin || i > k->imax)
			return -EINVAL;
		v->i = i;
		return 0;
	case KT_DOUBLE:
		r = ogate_parse_double(value, &d);
		if (r < 0 || d < k->dmin || d > k->dmax)
			return -EINVAL;
		v->d = d;
		return 0;
	case KT_BOOL: return parse_bool(value, &v->b);
	case KT_ENUM:
		r = enum_index(k->words, value, canon, canonlen);
		if (r < 0)
			return -EINVAL;
		v->e = r;
		return 0;
	case KT_STRING: {
		char *s;

		if (strlen(value) > k->maxlen)
			return -EINVAL;
		for (const char *p = value; *p; p++)
			if (iscntrl((unsigned char)*p))
				return -EINVAL;
		s = strdup(value);
		if (!s)
			return -ENOMEM;
		v->s = s;
		return 0;
	}
	}
	return -EINVAL;
}

/* ---- "did you mean" ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= ARRAY_LEN(row) || lb >= ARRAY_LEN(row))
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void config_suggest_consider(struct config_suggest *s, const char *given, const char *candidate)
{
	size_t d = edit_distance(given, candidate);
	size_t limit = strlen(given) / 3 > 2 ? strlen(given) / 3 : 2;

	if (d <= limit && (!s->best || d < s->dist)) {
		s->best = candidate;
		s->dist = d;
	}
}
