/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ogated configuration: an INI file (/etc/ogate/ogated.conf) read with
 * libinih, checked against one table of keys (type, bounds, default, doc),
 * plus "section.key=value" overrides from the command line.
 *
 * Keys are addressed as "section.name". Sections:
 *   [daemon] [camera] [synthetic] [file] [output] [record]  (the table)
 *   [mode NAME]   named camera modes: width, height, fps, roi_x, roi_y, roi_w, roi_h
 *   [reference] [prediction] [trigger] [sync] [target]
 *                 analysis settings, checked by the delegate (libogate's
 *                 ogate_settings_set()) and kept as key/value pairs
 * Every error message names the file, line, key, value and allowed range, e.g.
 *   "/etc/ogate/ogated.conf:12: camera.exposure_us = 0: must be an integer in [10, 1000000]"
 */
#ifndef OGATE_CONFIG_H
#define OGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OGATE_CONFIG_ERR_LEN 256
#define OGATE_MODE_NAME_LEN 32
#define OGATE_MAX_MODES 16

struct ogate_mode {
	char name[OGATE_MODE_NAME_LEN];
	int width, height;		/* 16..8192 */
	double fps;			/* 1..2000 */
	int roi_x, roi_y, roi_w, roi_h; /* 0 = full sensor */
};

/*
 * Delegate for the analysis sections: called with "section.name" and the
 * value; returns 0, -ENOENT (unknown key) or -EINVAL (bad value) and may
 * fill msg with the allowed range.
 */
typedef int (*ogate_config_delegate)(void *ctx, const char *key, const char *value, char *msg,
				     size_t msglen);

struct ogate_config;

/* Every key at its default: 0 or -ENOMEM; *out is set only on success. */
int ogate_config_new(struct ogate_config **out, ogate_config_delegate delegate, void *ctx);
void ogate_config_free(struct ogate_config *c);
/* 0 or -errno; on error err holds one line naming file, line, key, value, range. */
int ogate_config_load(struct ogate_config *c, const char *path, char *err, size_t errlen);
/* "section.name=value" (command line --set); same checks and messages. */
int ogate_config_set(struct ogate_config *c, const char *assignment, char *err, size_t errlen);

/* Typed getters of table keys; calling one with an unknown key or the wrong type aborts (a bug). */
int64_t ogate_config_int(const struct ogate_config *c, const char *key);
double ogate_config_double(const struct ogate_config *c, const char *key);
bool ogate_config_bool(const struct ogate_config *c, const char *key);
const char *ogate_config_str(const struct ogate_config *c, const char *key); /* also enums */

/* Named modes; a "default" mode always exists. -ENOENT if absent. */
int ogate_config_mode(const struct ogate_config *c, const char *name, struct ogate_mode *out);
size_t ogate_config_mode_count(const struct ogate_config *c);
const char *ogate_config_mode_name(const struct ogate_config *c, size_t i);

/* Every effective value (table keys after defaults and overrides, then the
 * modes as "mode.NAME", then the analysis pairs), as text. */
typedef void (*ogate_config_each_fn)(void *ctx, const char *key, const char *value);
void ogate_config_each(const struct ogate_config *c, ogate_config_each_fn fn, void *ctx);

/* Delegated (analysis) pairs in file order, to replay into ogate_settings_set(). */
size_t ogate_config_extra_count(const struct ogate_config *c);
void ogate_config_extra(const struct ogate_config *c, size_t i, const char **key, const char **value);

/* The key table as documentation (man page / --help-config): one line per key. */
void ogate_config_print_table(FILE *f);

/*
 * Added by the control-plane branch (new functions only):
 *
 * Checks across keys, to run after the file and every --set: camera.mode
 * names a defined mode, camera.source = file has a file.path, and the laser
 * and camera lines differ unless output.sink = dryrun. 0 or -EINVAL with err.
 */
int ogate_config_check(const struct ogate_config *c, char *err, size_t errlen);
/* The key reference of ogated.conf(5) in troff, generated from the table. */
void ogate_config_print_man(FILE *f);

#endif
