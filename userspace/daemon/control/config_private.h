/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside ogated's configuration (config.c): the key table's types and the
 * functions its parts share. config.c holds the table, the stored values,
 * modes and checks; config_value.c parses and describes one value;
 * config_load.c reads an INI file; config_doc.c prints the key reference.
 */
#ifndef OGATE_CONFIG_PRIVATE_H
#define OGATE_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum key_type { KT_INT, KT_DOUBLE, KT_BOOL, KT_STRING, KT_ENUM };

#define KF_OCTAL 1u /* integer written (and shown) in octal */

struct key_def {
	const char *key; /* "section.name" */
	enum key_type type;
	unsigned int flags;
	int64_t imin, imax; /* KT_INT */
	double dmin, dmax;  /* KT_DOUBLE */
	size_t maxlen;	    /* KT_STRING: bytes */
	const char *words;  /* KT_ENUM: "a|b|c" */
	const char *def;    /* default, parsed like a value from the file */
	const char *doc;
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

union value {
	int64_t i;
	double d;
	bool b;
	char *s; /* strings; enums point into nothing (see enum_word) */
	int e;	 /* enum: index of the word */
};

/* where a value comes from, for error messages */
struct origin {
	const char *file; /* NULL: command line (--set) */
	int line;
};

/* the key tables (config.c) */
extern const struct key_def *const config_keys;
extern const size_t config_nkeys;
extern const struct key_def *const config_mode_keys;
extern const size_t config_nmode_keys;

/* config.c: the error text "where: key = value: why", returns ret */
int config_fail(char *err, size_t errlen, const struct origin *o, const char *key, const char *value,
		int ret, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
int config_check_section(struct ogate_config *c, const char *section, const struct origin *o,
			 char *err, size_t errlen);
/* One assignment; section already checked by config_check_section(). */
int config_assign(struct ogate_config *c, const struct origin *o, const char *section,
		  const char *name, const char *value, char *err, size_t errlen);

/* config_value.c */
int config_parse_value(const struct key_def *k, const char *value, union value *v, char *canon,
		       size_t canonlen);
void config_describe_range(const struct key_def *k, char *buf, size_t len);

struct config_suggest { /* "did you mean" */
	const char *best;
	size_t dist;
	char buf[96];
};
void config_suggest_consider(struct config_suggest *s, const char *given, const char *candidate);

#endif
