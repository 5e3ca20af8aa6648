// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated configuration: the key reference printed from the key table, as a
 * table (ogated --help-config) and as the KEYS part of ogated.conf(5).
 */
#include "config_private.h"

#include <stdio.h>
#include <string.h>

/* ---- documentation ---- */

static void type_and_range(const struct key_def *k, char *type, size_t tlen, char *range, size_t rlen)
{
	switch (k->type) {
	case KT_INT:
		snprintf(type, tlen, "%s", (k->flags & KF_OCTAL) ? "octal" : "int");
		if (k->flags & KF_OCTAL)
			snprintf(range, rlen, "%#llo..%#llo", (unsigned long long)k->imin,
				 (unsigned long long)k->imax);
		else
			snprintf(range, rlen, "%lld..%lld", (long long)k->imin, (long long)k->imax);
		break;
	case KT_DOUBLE:
		snprintf(type, tlen, "double");
		snprintf(range, rlen, "%g..%g", k->dmin, k->dmax);
		break;
	case KT_BOOL:
		snprintf(type, tlen, "bool");
		snprintf(range, rlen, "true|false");
		break;
	case KT_ENUM:
		snprintf(type, tlen, "enum");
		snprintf(range, rlen, "%s", k->words);
		break;
	case KT_STRING:
		snprintf(type, tlen, "string");
		snprintf(range, rlen, "<=%zu bytes", k->maxlen);
		break;
	}
}

static void print_key_line(FILE *f, const char *key, const struct key_def *k)
{
	char type[16], range[96], def[64];

	type_and_range(k, type, sizeof(type), range, sizeof(range));
	snprintf(def, sizeof(def), k->type == KT_STRING ? "\"%s\"" : "%s", k->def);
	fprintf(f, "%-30s %-6s %-48s %-26s %s\n", key, type, range, def, k->doc);
}

void ogate_config_print_table(FILE *f)
{
	char key[64];

	fprintf(f, "%-30s %-6s %-48s %-26s %s\n", "KEY", "TYPE", "ALLOWED", "DEFAULT", "MEANING");
	for (size_t i = 0; i < config_nkeys; i++)
		print_key_line(f, config_keys[i].key, &config_keys[i]);
	for (size_t i = 0; i < config_nmode_keys; i++) {
		snprintf(key, sizeof(key), "mode.NAME.%s", config_mode_keys[i].key);
		print_key_line(f, key, &config_mode_keys[i]);
	}
	fprintf(f, "%-30s %-6s %-48s %-26s %s\n", "reference.* prediction.*", "-",
		"checked by the analysis library", "-", "Analysis settings.");
	fprintf(f, "%-30s %-6s %-48s %-26s %s\n", "trigger.* sync.* target.*", "-",
		"checked by the analysis library", "-", "Analysis settings.");
}

/* troff-safe copy: backslashes and minus signs escaped, no leading dot. */
static void man_puts(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_key(FILE *f, const char *name, const struct key_def *k)
{
	char type[16], range[96];

	type_and_range(k, type, sizeof(type), range, sizeof(range));
	fputs(".TP\n\\fB", f);
	man_puts(f, name);
	fputs("\\fR (", f);
	fputs(type, f);
	if (k->type != KT_BOOL) {
		fputs(", ", f);
		man_puts(f, range);
	}
	fputs("; default ", f);
	if (k->type == KT_STRING)
		fputs("\\(dq", f);
	man_puts(f, k->def);
	if (k->type == KT_STRING)
		fputs("\\(dq", f);
	fputs(")\n", f);
	man_puts(f, k->doc);
	fputc('\n', f);
}

/*
 * The key reference of ogated.conf(5), between the BEGIN/END KEYS markers;
 * the man page must contain exactly this (test_config checks it, and
 * "test_config --man-keys" prints it).
 */
void ogate_config_print_man(FILE *f)
{
	size_t seclen = 0;
	const char *sec = "";

	for (size_t i = 0; i < config_nkeys; i++) {
		const char *dot = strchr(config_keys[i].key, '.');
		size_t len = (size_t)(dot - config_keys[i].key);

		if (len != seclen || strncmp(sec, config_keys[i].key, len)) {
			sec = config_keys[i].key;
			seclen = len;
			fprintf(f, ".SS [%.*s]\n", (int)len, sec);
		}
		man_key(f, config_keys[i].key, &config_keys[i]);
	}
	fputs(".SS [mode \\fINAME\\fP]\n", f);
	for (size_t i = 0; i < config_nmode_keys; i++)
		man_key(f, config_mode_keys[i].key, &config_mode_keys[i]);
}
