// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated configuration: one table of keys (type, bounds, default, doc), an
 * INI reader on top of libinih, "section.key=value" overrides, named camera
 * modes and delegated analysis sections.
 *
 * libinih (as Debian builds it) does not pass line numbers to the handler,
 * so the file is fed through our own line reader, which counts lines,
 * rejects over-long lines (inih would silently split them), checks section
 * headers (inih never reports an empty section) and stops the parse at the
 * first error.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum key_type { KT_INT, KT_DOUBLE, KT_BOOL, KT_STRING, KT_ENUM };

#define KF_OCTAL	1u	/* integer written (and shown) in octal */

struct key_def {
	const char *key;	/* "section.name" */
	enum key_type type;
	unsigned int flags;
	int64_t imin, imax;	/* KT_INT */
	double dmin, dmax;	/* KT_DOUBLE */
	size_t maxlen;		/* KT_STRING: bytes */
	const char *words;	/* KT_ENUM: "a|b|c" */
	const char *def;	/* default, parsed like a value from the file */
	const char *doc;
};

#define K_INT(k, lo, hi, d, doc)	{ k, KT_INT, 0, lo, hi, 0, 0, 0, NULL, d, doc }
#define K_OCT(k, lo, hi, d, doc)	{ k, KT_INT, KF_OCTAL, lo, hi, 0, 0, 0, NULL, d, doc }
#define K_DBL(k, lo, hi, d, doc)	{ k, KT_DOUBLE, 0, 0, 0, lo, hi, 0, NULL, d, doc }
#define K_BOOL(k, d, doc)		{ k, KT_BOOL, 0, 0, 0, 0, 0, 0, NULL, d, doc }
#define K_STR(k, len, d, doc)		{ k, KT_STRING, 0, 0, 0, 0, 0, len, NULL, d, doc }
#define K_ENUM(k, w, d, doc)		{ k, KT_ENUM, 0, 0, 0, 0, 0, 0, w, d, doc }

#define PATH_LEN	4095
#define SUN_PATH_LEN	107	/* sizeof(sockaddr_un.sun_path) - 1 */

/*
 * THE key table: the only place where a key, its bounds, its default and
 * its documentation are written. ogated.conf(5) is generated from it (see
 * ogate_config_print_man(); tests/userspace/daemon/test_config.c checks the man page).
 */
static const struct key_def keys[] = {
	K_STR("daemon.socket", SUN_PATH_LEN, "/run/ogate/ogated.sock",
	      "Control socket path; its directory must exist."),
	K_STR("daemon.socket_group", 64, "gpio",
	      "Group owning the control socket; empty keeps the daemon's group."),
	K_OCT("daemon.socket_mode", 0, 0777, "0660",
	      "Permissions of the control socket, in octal; connecting needs write permission."),
	K_ENUM("daemon.log_level", "trace|debug|info|success|warning|error|critical", "info",
	       "Least severe level logged."),
	K_BOOL("daemon.mlockall", "false",
	       "Lock all memory (mlockall) so the frame path never page-faults."),
	K_INT("daemon.rt_priority", 0, 98, "0",
	      "SCHED_FIFO priority of the capture and analysis threads; 0 = normal scheduling."),
	K_INT("daemon.cpu_capture", -1, 1023, "-1",
	      "CPU the capture thread is pinned to; -1 = any."),
	K_INT("daemon.cpu_analysis", -1, 1023, "-1",
	      "CPU the analysis thread is pinned to; -1 = any."),
	K_INT("daemon.stop_grace_ms", 0, 60000, "500",
	      "Time the pipeline gets to drain on stop before triggers are cancelled."),
	K_BOOL("daemon.autostart", "true",
	       "Start capturing at launch; otherwise wait for the start command."),

	K_ENUM("camera.source", "libcamera|file|synthetic", "synthetic",
	       "Frame source: a camera, a recorded file, or a built-in synthetic heart."),
	K_STR("camera.id", 256, "",
	      "libcamera camera id; empty = the first camera."),
	K_STR("camera.mode", OGATE_MODE_NAME_LEN - 1, "default",
	      "Camera mode at start, a [mode NAME] section or default."),
	K_INT("camera.exposure_us", 0, 1000000, "2000",
	      "Fixed exposure time in microseconds; 0 = leave it to the camera."),
	K_DBL("camera.analogue_gain", 0, 64, "1.0",
	      "Fixed analogue gain (1..64); 0 = leave it to the camera."),
	K_BOOL("camera.edge_match", "true",
	       "Use frame-edge times from /dev/ogate0 for frame timestamps when available."),

	K_STR("file.path", PATH_LEN, "",
	      "Recording to replay when camera.source = file."),
	K_STR("file.timestamps", PATH_LEN, "",
	      "CSV of frame timestamps; empty = frames file.fps apart."),
	K_DBL("file.fps", 1, 2000, "80",
	      "Frame rate of the replay when there are no timestamps."),
	K_ENUM("file.pace", "realtime|fast", "realtime",
	       "Replay at the recorded pace or as fast as analysis runs."),
	K_BOOL("file.loop", "false",
	       "Start over at the end of the file."),

	K_INT("synthetic.size", 16, 1024, "128",
	      "Width and height of synthetic frames in pixels."),
	K_DBL("synthetic.fps", 1, 2000, "80",
	      "Synthetic frame rate."),
	K_DBL("synthetic.period_s", 0.05, 5, "0.42",
	      "Heart period of the synthetic fish in seconds."),
	K_DBL("synthetic.noise", 0, 100, "2",
	      "Standard deviation of pixel noise, in grey levels."),
	K_INT("synthetic.seed", 0, 2147483647, "1",
	      "Random seed of the synthetic source."),
	K_DBL("synthetic.mod_amp", 0, 0.5, "0",
	      "Relative amplitude of a slow modulation of the heart period."),
	K_DBL("synthetic.mod_period_s", 0.1, 1000, "7",
	      "Period of that modulation in seconds."),

	K_ENUM("output.sink", "ogate|gpiod|dryrun", "dryrun",
	       "Trigger output: the ogate kernel module, libgpiod lines, or nothing (log only)."),
	K_STR("output.device", PATH_LEN, "/dev/ogate0",
	      "ogate device when output.sink = ogate."),
	K_STR("output.gpiochip", PATH_LEN, "gpiochip0",
	      "GPIO chip when output.sink = gpiod."),
	K_INT("output.laser_line", 0, 31, "0",
	      "Output line of the laser (illumination) pulse."),
	K_INT("output.camera_line", -1, 31, "1",
	      "Output line of the camera trigger pulse; -1 = none."),
	K_ENUM("output.mode", "edge|expose", "expose",
	       "edge: one short pulse per trigger; expose: pulses as long as the exposure."),
	K_INT("output.laser_width_us", 1, 1000000, "5000",
	      "Laser pulse width in microseconds."),
	K_INT("output.camera_laser_delay_us", -100000, 100000, "0",
	      "Camera pulse start relative to the laser pulse, in microseconds."),
	K_INT("output.camera_width_us", 1, 1000000, "100",
	      "Camera trigger pulse width in microseconds."),
	K_INT("output.late_us", 0, 1000000, "500",
	      "A trigger more than this late is dropped, not fired."),
	K_STR("output.dryrun_file", PATH_LEN, "",
	      "With output.sink = dryrun, write planned triggers to this file; empty = none."),

	K_STR("record.dir", PATH_LEN, "/var/lib/ogate/recordings",
	      "Directory for recordings."),
	K_BOOL("record.enabled", "false",
	       "Record at start (see the record command)."),
	K_INT("record.every", 1, 1000, "1",
	      "Record every Nth frame."),

	K_ENUM("stage.driver", "none|smc100|asi|sim", "none",
	       "Motorised z stage for zstack/timelapse: none, Newport SMC100, ASI MS-2000/Tiger, or the simulated stage."),
	K_STR("stage.port", PATH_LEN, "",
	      "Serial port of the stage controller (smc100, asi), e.g. /dev/ttyUSB0."),
	K_INT("stage.address", 1, 31, "1",
	      "SMC100 controller address."),
	K_INT("stage.baud", 0, 921600, "0",
	      "Baud rate; 0 = the driver's default (SMC100 57600, ASI 9600)."),
	K_STR("stage.axis", 1, "Z",
	      "ASI axis letter."),
	K_DBL("stage.min_um", -1e6, 1e6, "-1e6",
	      "Soft lower limit in um (intersected with the controller's)."),
	K_DBL("stage.max_um", -1e6, 1e6, "1e6",
	      "Soft upper limit in um (intersected with the controller's)."),
	K_INT("stage.reply_timeout_ms", 20, 60000, "500",
	      "Deadline for one controller reply."),
	K_INT("stage.move_timeout_ms", 100, 600000, "60000",
	      "Deadline for a move to finish."),
	K_DBL("stage.sim_speed_um_s", 1, 1e6, "1000",
	      "Speed of the simulated stage."),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Keys of a [mode NAME] section; defaults are the built-in default mode. */
static const struct key_def mode_keys[] = {
	K_INT("width", 16, 8192, "128", "Frame width in pixels."),
	K_INT("height", 16, 8192, "128", "Frame height in pixels."),
	K_DBL("fps", 0, 2000, "80", "Frame rate; 0 = the camera's own (libcamera only)."),
	K_INT("roi_x", 0, 8192, "0", "Left edge of the sensor region of interest."),
	K_INT("roi_y", 0, 8192, "0", "Top edge of the region of interest."),
	K_INT("roi_w", 0, 8192, "0", "Width of the region of interest; 0 = full sensor."),
	K_INT("roi_h", 0, 8192, "0", "Height of the region of interest; 0 = full sensor."),
};
#define NMODE_KEYS	(sizeof(mode_keys) / sizeof(mode_keys[0]))

static const char *const table_sections[] = {
	"daemon", "camera", "file", "synthetic", "output", "record", "stage",
};
static const char *const delegated_sections[] = {
	"reference", "prediction", "trigger", "sync", "target",
};
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

union value {
	int64_t i;
	double d;
	bool b;
	char *s;	/* strings; enums point into nothing (see enum_word) */
	int e;		/* enum: index of the word */
};

struct extra_pair {
	char *key, *value;
};

struct ogate_config {
	union value v[NKEYS];
	struct ogate_mode modes[OGATE_MAX_MODES];
	size_t nmodes;
	struct extra_pair *extra;
	size_t nextra, extra_cap;
	ogate_config_delegate delegate;
	void *ctx;
	char enum_buf[NKEYS][32];	/* canonical enum words, returned by ogate_config_str */
};

/* ---- parsing values ---- */

static int parse_int(const char *s, int base, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	if (base == 8 && (*s == '-' || *s == '+'))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

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

/* Index of s among the '|'-separated words, or -1. */
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
	return -1;
}

/* "must be ..." for a key: the allowed values, shown in every error. */
static void describe_range(const struct key_def *k, char *buf, size_t len)
{
	switch (k->type) {
	case KT_INT:
		if (k->flags & KF_OCTAL)
			snprintf(buf, len, "must be an octal integer in [%#llo, %#llo]",
				 (unsigned long long)k->imin, (unsigned long long)k->imax);
		else
			snprintf(buf, len, "must be an integer in [%lld, %lld]",
				 (long long)k->imin, (long long)k->imax);
		break;
	case KT_DOUBLE:
		snprintf(buf, len, "must be a number in [%g, %g]", k->dmin, k->dmax);
		break;
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
static int parse_value(const struct key_def *k, const char *value, union value *v,
		       char *canon, size_t canonlen)
{
	int64_t i;
	double d;
	int r;

	switch (k->type) {
	case KT_INT:
		r = parse_int(value, (k->flags & KF_OCTAL) ? 8 : 10, &i);
		if (r < 0 || i < k->imin || i > k->imax)
			return -EINVAL;
		v->i = i;
		return 0;
	case KT_DOUBLE:
		r = parse_double(value, &d);
		if (r < 0 || d < k->dmin || d > k->dmax)
			return -EINVAL;
		v->d = d;
		return 0;
	case KT_BOOL:
		return parse_bool(value, &v->b);
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

struct suggest {
	const char *best;
	size_t dist;
	char buf[96];
};

static void suggest_consider(struct suggest *s, const char *given, const char *candidate)
{
	size_t d = edit_distance(given, candidate);
	size_t limit = strlen(given) / 3 > 2 ? strlen(given) / 3 : 2;

	if (d <= limit && (!s->best || d < s->dist)) {
		s->best = candidate;
		s->dist = d;
	}
}

/* ---- errors ---- */

struct origin {
	const char *file;	/* NULL: command line (--set) */
	int line;
};

static int cfg_fail(char *err, size_t errlen, const struct origin *o, const char *key,
		const char *value, int ret, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int cfg_fail(char *err, size_t errlen, const struct origin *o, const char *key,
		const char *value, int ret, const char *fmt, ...)
{
	char why[OGATE_CONFIG_ERR_LEN];
	char where[OGATE_CONFIG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (o->file && o->line > 0)
		snprintf(where, sizeof(where), "%s:%d", o->file, o->line);
	else if (o->file)
		snprintf(where, sizeof(where), "%s", o->file);
	else
		snprintf(where, sizeof(where), "--set");
	if (!err || !errlen)
		return ret;
	if (key)
		snprintf(err, errlen, "%s: %s = %s: %s", where, key, value ? value : "", why);
	else
		snprintf(err, errlen, "%s: %s", where, why);
	return ret;
}

/* ---- modes ---- */

static void mode_defaults(struct ogate_mode *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->width = 128;
	m->height = 128;
	m->fps = 80;
}

static struct ogate_mode *mode_find(const struct ogate_config *c, const char *name)
{
	for (size_t i = 0; i < c->nmodes; i++)
		if (!strcmp(c->modes[i].name, name))
			return (struct ogate_mode *)&c->modes[i];
	return NULL;
}

static bool mode_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= OGATE_MODE_NAME_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Find or create the mode; NULL with err filled on a bad name or too many modes. */
static struct ogate_mode *mode_get(struct ogate_config *c, const char *name, const struct origin *o,
				   char *err, size_t errlen)
{
	struct ogate_mode *m = mode_find(c, name);

	if (m)
		return m;
	if (!mode_name_valid(name)) {
		char sect[OGATE_CONFIG_ERR_LEN];

		snprintf(sect, sizeof(sect), "[mode %s]", name);
		cfg_fail(err, errlen, o, NULL, NULL, -EINVAL,
		     "%s: a mode name is 1 to %d letters, digits, '_' or '-'", sect,
		     OGATE_MODE_NAME_LEN - 1);
		return NULL;
	}
	if (c->nmodes >= OGATE_MAX_MODES) {
		cfg_fail(err, errlen, o, NULL, NULL, -EINVAL, "[mode %s]: at most %d modes", name,
		     OGATE_MAX_MODES);
		return NULL;
	}
	m = &c->modes[c->nmodes++];
	mode_defaults(m, name);
	return m;
}

static int set_mode_key(struct ogate_config *c, const struct origin *o, const char *mode,
			const char *name, const char *value, char *err, size_t errlen)
{
	char full[OGATE_CONFIG_ERR_LEN];
	struct ogate_mode *m;
	const struct key_def *k = NULL;
	char range[320];
	union value v = { 0 };
	struct suggest s = { 0 };

	snprintf(full, sizeof(full), "mode.%s.%s", mode, name);
	m = mode_get(c, mode, o, err, errlen);
	if (!m)
		return -EINVAL;
	for (size_t i = 0; i < NMODE_KEYS; i++) {
		if (!strcmp(mode_keys[i].key, name))
			k = &mode_keys[i];
		suggest_consider(&s, name, mode_keys[i].key);
	}
	if (!k) {
		if (s.best)
			return cfg_fail(err, errlen, o, full, value, -EINVAL,
				    "unknown key in a mode section (did you mean %s?)", s.best);
		return cfg_fail(err, errlen, o, full, value, -EINVAL,
			    "unknown key in a mode section (width, height, fps, roi_x, roi_y, roi_w, roi_h)");
	}
	if (parse_value(k, value, &v, NULL, 0) < 0) {
		describe_range(k, range, sizeof(range));
		return cfg_fail(err, errlen, o, full, value, -EINVAL, "%s", range);
	}
	if (!strcmp(name, "width"))
		m->width = (int)v.i;
	else if (!strcmp(name, "height"))
		m->height = (int)v.i;
	else if (!strcmp(name, "fps"))
		m->fps = v.d;
	else if (!strcmp(name, "roi_x"))
		m->roi_x = (int)v.i;
	else if (!strcmp(name, "roi_y"))
		m->roi_y = (int)v.i;
	else if (!strcmp(name, "roi_w"))
		m->roi_w = (int)v.i;
	else if (!strcmp(name, "roi_h"))
		m->roi_h = (int)v.i;
	return 0;
}

/* ---- sections and keys ---- */

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* "mode NAME" -> NAME (pointer into section), or NULL if not a mode section. */
static const char *mode_section_name(const char *section)
{
	if (strncmp(section, "mode", 4) || (section[4] && !isspace((unsigned char)section[4])))
		return NULL;
	section += 4;
	while (isspace((unsigned char)*section))
		section++;
	return section;
}

/* Is this section header acceptable? Creates [mode NAME] modes. */
static int check_section(struct ogate_config *c, const char *section, const struct origin *o,
			 char *err, size_t errlen)
{
	const char *mode = mode_section_name(section);
	struct suggest s = { 0 };

	if (mode) {
		if (!*mode)
			return cfg_fail(err, errlen, o, NULL, NULL, -EINVAL,
				    "[%s]: a mode section needs a name: [mode NAME]", section);
		return mode_get(c, mode, o, err, errlen) ? 0 : -EINVAL;
	}
	if (in_list(table_sections, ARRAY_LEN(table_sections), section))
		return 0;
	if (in_list(delegated_sections, ARRAY_LEN(delegated_sections), section)) {
		if (c->delegate)
			return 0;
		return cfg_fail(err, errlen, o, NULL, NULL, -EINVAL,
			    "[%s]: analysis settings are not accepted here", section);
	}
	for (size_t i = 0; i < ARRAY_LEN(table_sections); i++)
		suggest_consider(&s, section, table_sections[i]);
	for (size_t i = 0; c->delegate && i < ARRAY_LEN(delegated_sections); i++)
		suggest_consider(&s, section, delegated_sections[i]);
	suggest_consider(&s, section, "mode");
	if (s.best)
		return cfg_fail(err, errlen, o, NULL, NULL, -EINVAL,
			    "[%s]: unknown section (did you mean [%s%s]?)", section, s.best,
			    strcmp(s.best, "mode") ? "" : " NAME");
	return cfg_fail(err, errlen, o, NULL, NULL, -EINVAL, "[%s]: unknown section", section);
}

static const struct key_def *key_find(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static int extra_add(struct ogate_config *c, const char *key, const char *value)
{
	struct extra_pair p;

	if (c->nextra == c->extra_cap) {
		size_t cap = c->extra_cap ? 2 * c->extra_cap : 16;
		struct extra_pair *n = realloc(c->extra, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->extra = n;
		c->extra_cap = cap;
	}
	p.key = strdup(key);
	p.value = strdup(value);
	if (!p.key || !p.value) {
		free(p.key);
		free(p.value);
		return -ENOMEM;
	}
	c->extra[c->nextra++] = p;
	return 0;
}

/* One assignment; section already checked by check_section(). */
static int assign(struct ogate_config *c, const struct origin *o, const char *section,
		  const char *name, const char *value, char *err, size_t errlen)
{
	char full[OGATE_CONFIG_ERR_LEN];
	const char *mode = mode_section_name(section);
	const struct key_def *k;
	char range[320];
	union value v = { 0 };
	int r;

	if (mode)
		return set_mode_key(c, o, mode, name, value, err, errlen);
	snprintf(full, sizeof(full), "%s.%s", section, name);
	if (in_list(delegated_sections, ARRAY_LEN(delegated_sections), section)) {
		char msg[OGATE_CONFIG_ERR_LEN] = "";

		r = c->delegate(c->ctx, full, value, msg, sizeof(msg));
		if (r == -ENOENT)
			return cfg_fail(err, errlen, o, full, value, -EINVAL, "unknown key");
		if (r == -EINVAL)
			return cfg_fail(err, errlen, o, full, value, -EINVAL, "%s",
				    msg[0] ? msg : "invalid value");
		if (r < 0)
			return cfg_fail(err, errlen, o, full, value, r, "%s", strerror(-r));
		r = extra_add(c, full, value);
		if (r < 0)
			return cfg_fail(err, errlen, o, full, value, r, "%s", strerror(-r));
		return 0;
	}
	k = key_find(full);
	if (!k) {
		struct suggest s = { 0 };

		for (size_t i = 0; i < NKEYS; i++)
			suggest_consider(&s, full, keys[i].key);
		if (s.best)
			return cfg_fail(err, errlen, o, full, value, -EINVAL,
				    "unknown key (did you mean %s?)", s.best);
		return cfg_fail(err, errlen, o, full, value, -EINVAL, "unknown key");
	}
	if (k->type == KT_STRING)
		v.s = NULL;
	r = parse_value(k, value, &v, c->enum_buf[k - keys], sizeof(c->enum_buf[0]));
	if (r == -ENOMEM)
		return cfg_fail(err, errlen, o, full, value, r, "%s", strerror(ENOMEM));
	if (r < 0) {
		describe_range(k, range, sizeof(range));
		return cfg_fail(err, errlen, o, full, value, -EINVAL, "%s", range);
	}
	if (k->type == KT_STRING)
		free(c->v[k - keys].s);
	c->v[k - keys] = v;
	return 0;
}

/* ---- public API ---- */

struct ogate_config *ogate_config_new(ogate_config_delegate delegate, void *ctx)
{
	struct ogate_config *c = calloc(1, sizeof(*c));
	struct origin o = { "(built-in default)", 0 };
	char err[OGATE_CONFIG_ERR_LEN];

	if (!c)
		return NULL;
	c->delegate = delegate;
	c->ctx = ctx;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *dot = strchr(keys[i].key, '.');
		char section[32];

		snprintf(section, sizeof(section), "%.*s", (int)(dot - keys[i].key), keys[i].key);
		if (assign(c, &o, section, dot + 1, keys[i].def, err, sizeof(err)) < 0) {
			/* a default outside its own bounds is a bug in the table */
			fprintf(stderr, "ogate_config_new: %s\n", err);
			abort();
		}
	}
	c->nmodes = 1;
	mode_defaults(&c->modes[0], "default");
	return c;
}

void ogate_config_free(struct ogate_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == KT_STRING)
			free(c->v[i].s);
	for (size_t i = 0; i < c->nextra; i++) {
		free(c->extra[i].key);
		free(c->extra[i].value);
	}
	free(c->extra);
	free(c);
}

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
		st->ret = cfg_fail(st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
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
		st->ret = cfg_fail(st->err, st->errlen, &st->o, NULL, NULL, -EINVAL,
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
			st->ret = check_section(st->c, section, &st->o, st->err, st->errlen);
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
		r = cfg_fail(st->err, st->errlen, &st->o, name, value, -EINVAL,
			 "key outside any section (start the file with e.g. [daemon])");
	else
		r = check_section(st->c, section, &st->o, st->err, st->errlen);
	if (r == 0)
		r = assign(st->c, &st->o, section, name, value, st->err, st->errlen);
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
		st.ret = cfg_fail(err, errlen, &st.o, NULL, NULL, -EINVAL,
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

int ogate_config_set(struct ogate_config *c, const char *assignment, char *err, size_t errlen)
{
	struct origin o = { NULL, 0 };
	char buf[PATH_LEN + 256];
	char *eq, *key, *value, *dot, *end;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (strlen(assignment) >= sizeof(buf))
		return cfg_fail(err, errlen, &o, NULL, NULL, -EINVAL, "%.40s...: too long", assignment);
	strcpy(buf, assignment);
	eq = strchr(buf, '=');
	if (!eq)
		return cfg_fail(err, errlen, &o, NULL, NULL, -EINVAL,
			    "'%s': expected section.key=value", assignment);
	*eq = '\0';
	key = buf;
	value = eq + 1;
	/* trim like the file reader does */
	while (isspace((unsigned char)*key))
		key++;
	for (end = eq; end > key && isspace((unsigned char)end[-1]);)
		*--end = '\0';
	while (isspace((unsigned char)*value))
		value++;
	for (end = value + strlen(value); end > value && isspace((unsigned char)end[-1]);)
		*--end = '\0';
	dot = strchr(key, '.');
	if (!dot || dot == key || !dot[1])
		return cfg_fail(err, errlen, &o, key, value, -EINVAL, "expected section.key=value");
	*dot = '\0';
	if (!strcmp(key, "mode")) {
		char *mdot = strrchr(dot + 1, '.');

		*dot = '.';
		if (!mdot || mdot == dot + 1 || !mdot[1])
			return cfg_fail(err, errlen, &o, key, value, -EINVAL,
				    "expected mode.NAME.key=value");
		*mdot = '\0';
		return set_mode_key(c, &o, dot + 1, mdot + 1, value, err, errlen);
	}
	r = check_section(c, key, &o, err, errlen);
	if (r < 0)
		return r;
	r = assign(c, &o, key, dot + 1, value, err, errlen);
	return r;
}

/*
 * Checks across keys, after the file and every --set: camera.mode names a
 * mode; a file source has a file; the laser and camera lines differ.
 */
static int check_mode_ref(const struct ogate_config *c, const struct origin *o, char *err, size_t errlen)
{
	const char *mode = ogate_config_str(c, "camera.mode");

	if (!mode_find(c, mode)) {
		char names[OGATE_MAX_MODES * (OGATE_MODE_NAME_LEN + 2)] = "";

		for (size_t i = 0; i < c->nmodes; i++) {
			if (i)
				strcat(names, ", ");
			strcat(names, c->modes[i].name);
		}
		return cfg_fail(err, errlen, o, "camera.mode", mode, -EINVAL,
			    "no such mode (defined: %s)", names);
	}
	return 0;
}

int ogate_config_check(const struct ogate_config *c, char *err, size_t errlen)
{
	struct origin o = { "configuration", 0 };
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = check_mode_ref(c, &o, err, errlen);
	if (r < 0)
		return r;
	if (!strcmp(ogate_config_str(c, "camera.source"), "file") &&
	    !ogate_config_str(c, "file.path")[0])
		return cfg_fail(err, errlen, &o, "file.path", "", -EINVAL,
			    "camera.source = file needs a file.path");
	if (strcmp(ogate_config_str(c, "output.sink"), "dryrun") &&
	    ogate_config_int(c, "output.camera_line") == ogate_config_int(c, "output.laser_line")) {
		char v[24];

		snprintf(v, sizeof(v), "%lld", (long long)ogate_config_int(c, "output.camera_line"));
		return cfg_fail(err, errlen, &o, "output.camera_line", v, -EINVAL,
			    "must differ from output.laser_line (or be -1 for none)");
	}
	return 0;
}

/* ---- getters ---- */

static const struct key_def *key_get(const char *key, enum key_type t, const char *fn)
{
	const struct key_def *k = key_find(key);

	if (!k || (k->type != t && !(t == KT_STRING && k->type == KT_ENUM))) {
		fprintf(stderr, "%s(\"%s\"): %s\n", fn, key,
			k ? "wrong type for this key" : "no such key");
		abort();
	}
	return k;
}

int64_t ogate_config_int(const struct ogate_config *c, const char *key)
{
	return c->v[key_get(key, KT_INT, __func__) - keys].i;
}

double ogate_config_double(const struct ogate_config *c, const char *key)
{
	return c->v[key_get(key, KT_DOUBLE, __func__) - keys].d;
}

bool ogate_config_bool(const struct ogate_config *c, const char *key)
{
	return c->v[key_get(key, KT_BOOL, __func__) - keys].b;
}

const char *ogate_config_str(const struct ogate_config *c, const char *key)
{
	const struct key_def *k = key_get(key, KT_STRING, __func__);

	if (k->type == KT_ENUM)
		return c->enum_buf[k - keys];
	return c->v[k - keys].s;
}

int ogate_config_mode(const struct ogate_config *c, const char *name, struct ogate_mode *out)
{
	const struct ogate_mode *m = mode_find(c, name);

	if (!m)
		return -ENOENT;
	*out = *m;
	return 0;
}

size_t ogate_config_mode_count(const struct ogate_config *c)
{
	return c->nmodes;
}

const char *ogate_config_mode_name(const struct ogate_config *c, size_t i)
{
	return i < c->nmodes ? c->modes[i].name : NULL;
}

size_t ogate_config_extra_count(const struct ogate_config *c)
{
	return c->nextra;
}

void ogate_config_extra(const struct ogate_config *c, size_t i, const char **key, const char **value)
{
	*key = i < c->nextra ? c->extra[i].key : NULL;
	*value = i < c->nextra ? c->extra[i].value : NULL;
}

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
	for (size_t i = 0; i < NKEYS; i++)
		print_key_line(f, keys[i].key, &keys[i]);
	for (size_t i = 0; i < NMODE_KEYS; i++) {
		snprintf(key, sizeof(key), "mode.NAME.%s", mode_keys[i].key);
		print_key_line(f, key, &mode_keys[i]);
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

	for (size_t i = 0; i < NKEYS; i++) {
		const char *dot = strchr(keys[i].key, '.');
		size_t len = (size_t)(dot - keys[i].key);

		if (len != seclen || strncmp(sec, keys[i].key, len)) {
			sec = keys[i].key;
			seclen = len;
			fprintf(f, ".SS [%.*s]\n", (int)len, sec);
		}
		man_key(f, keys[i].key, &keys[i]);
	}
	fputs(".SS [mode \\fINAME\\fP]\n", f);
	for (size_t i = 0; i < NMODE_KEYS; i++)
		man_key(f, mode_keys[i].key, &mode_keys[i]);
}
