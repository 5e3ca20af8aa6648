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
 * first error. The parts: see config_private.h.
 */
#include "config_private.h"
#include "numparse.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The key table keeps its layout: one row per key, each macro on one line. */
// clang-format off
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
 * ogate_config_print_man(); tests/userspace/daemon/control/test_config.c checks the man page).
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
	      "SCHED_FIFO priority of the frame thread (capture and analysis; the gpiod sink's thread runs one above it); 0 = normal scheduling."),
	K_INT("daemon.cpu_capture", -1, 1023, "-1",
	      "CPU the frame thread is pinned to when daemon.cpu_analysis is -1; -1 = any."),
	K_INT("daemon.cpu_analysis", -1, 1023, "-1",
	      "CPU the frame thread (capture and analysis) is pinned to; -1 = any."),
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
	K_DBL("camera.pixel_size_um", 0, 1000, "0",
	      "Camera pixel size in um (sensor pitch; at the sample if camera.magnification is 0); 0 = unknown. OME-TIFF PhysicalSizeX/Y."),
	K_DBL("camera.magnification", 0, 1000, "0",
	      "Objective (total) magnification; pixel size at the sample = camera.pixel_size_um / this; 0 = not given."),

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
	K_BOOL("stage.sequence", "false",
	       "ASI only: load each z-stack into the controller's ring buffer; the trigger line clocks the stage (TTL IN), no serial traffic between planes."),
	K_INT("stage.ring_size", 1, 250, "50",
	      "ASI ring buffer entries (50, or 250 on large-buffer builds)."),
	K_INT("stage.axis_byte", 0, 31, "0",
	      "ASI RM Y axis mask for sequencing; 0 = from stage.axis (X 1, Y 2, Z 4, F 8)."),
	K_INT("stage.card", 0, 99, "0",
	      "ASI Tiger card address of the axis (prefixes RM and TTL); 0 = none (MS-2000)."),
	K_INT("stage.settle_ms", 0, 10000, "20",
	      "Sequenced stacks: time after a trigger's last pulse ends before the next plane's trigger."),
	K_DBL("stage.tolerance_um", 0.001, 1000, "0.5",
	      "Sequenced stacks: largest accepted difference between the expected and the read final position."),

	K_STR("web.listen", 127, "127.0.0.1:8080",
	      "Web interface address host:port ([v6]:port); empty disables it. Beyond loopback, control needs web.token_file."),
	K_STR("web.token_file", PATH_LEN, "",
	      "File holding the token (16+ characters) that web control needs beyond loopback; empty = read-only there."),
	K_STR("web.root", PATH_LEN, "/usr/local/share/ogate/www",
	      "Directory of the web page's files."),
	K_DBL("web.stream_fps", 1, 60, "15",
	      "Most frames per second of the page's live image."),
	K_DBL("web.event_hz", 0.5, 20, "5",
	      "Status, phase and warning updates per second pushed to the page."),
	K_INT("web.jpeg_quality", 10, 100, "80",
	      "JPEG quality of the live image and the thumbnails."),

	K_STR("shm.name", 200, "ogate-frames",
	      "Shared-memory frame stream /dev/shm/NAME for other programs; empty = none."),
	K_INT("shm.slots", 4, 4096, "64",
	      "Frames the shared-memory ring holds."),
	K_INT("shm.max_frame_kib", 1, 262144, "512",
	      "Largest frame the ring takes, in KiB; larger frames are counted and skipped."),

	K_INT("health.period_ms", 100, 60000, "1000",
	      "Housekeeping sampling period."),
	K_DBL("health.temp_warn_c", 30, 120, "80",
	      "Warn when the CPU temperature reaches this (degrees C)."),
	K_DBL("health.slip_warn_pct", 0.1, 100, "5",
	      "Warn when the measured frame interval differs from the mode's by this much (%)."),
	K_INT("health.rss_warn_mib", 1, 1048576, "512",
	      "Warn when the daemon's resident memory exceeds this (MiB)."),
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
	"daemon", "camera", "file", "synthetic", "output", "record", "stage", "web", "shm",
	"health",
};
static const char *const delegated_sections[] = {
	"reference", "prediction", "trigger", "sync", "target",
};
// clang-format on

const struct key_def *const config_keys = keys;
const size_t config_nkeys = NKEYS;
const struct key_def *const config_mode_keys = mode_keys;
const size_t config_nmode_keys = NMODE_KEYS;

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
	char enum_buf[NKEYS][32]; /* canonical enum words, returned by ogate_config_str */
};

/* ---- errors ---- */

int config_fail(char *err, size_t errlen, const struct origin *o, const char *key,
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
		config_fail(err, errlen, o, NULL, NULL, -EINVAL,
			    "%s: a mode name is 1 to %d letters, digits, '_' or '-'", sect,
			    OGATE_MODE_NAME_LEN - 1);
		return NULL;
	}
	if (c->nmodes >= OGATE_MAX_MODES) {
		config_fail(err, errlen, o, NULL, NULL, -EINVAL, "[mode %s]: at most %d modes",
			    name, OGATE_MAX_MODES);
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
	struct config_suggest s = { 0 };

	snprintf(full, sizeof(full), "mode.%s.%s", mode, name);
	m = mode_get(c, mode, o, err, errlen);
	if (!m)
		return -EINVAL;
	for (size_t i = 0; i < NMODE_KEYS; i++) {
		if (!strcmp(mode_keys[i].key, name))
			k = &mode_keys[i];
		config_suggest_consider(&s, name, mode_keys[i].key);
	}
	if (!k) {
		if (s.best)
			return config_fail(err, errlen, o, full, value, -EINVAL,
					   "unknown key in a mode section (did you mean %s?)", s.best);
		return config_fail(
			err, errlen, o, full, value, -EINVAL,
			"unknown key in a mode section (width, height, fps, roi_x, roi_y, roi_w, roi_h)");
	}
	if (config_parse_value(k, value, &v, NULL, 0) < 0) {
		config_describe_range(k, range, sizeof(range));
		return config_fail(err, errlen, o, full, value, -EINVAL, "%s", range);
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
int config_check_section(struct ogate_config *c, const char *section, const struct origin *o,
			 char *err, size_t errlen)
{
	const char *mode = mode_section_name(section);
	struct config_suggest s = { 0 };

	if (mode) {
		if (!*mode)
			return config_fail(err, errlen, o, NULL, NULL, -EINVAL,
					   "[%s]: a mode section needs a name: [mode NAME]", section);
		return mode_get(c, mode, o, err, errlen) ? 0 : -EINVAL;
	}
	if (in_list(table_sections, ARRAY_LEN(table_sections), section))
		return 0;
	if (in_list(delegated_sections, ARRAY_LEN(delegated_sections), section)) {
		if (c->delegate)
			return 0;
		return config_fail(err, errlen, o, NULL, NULL, -EINVAL,
				   "[%s]: analysis settings are not accepted here", section);
	}
	for (size_t i = 0; i < ARRAY_LEN(table_sections); i++)
		config_suggest_consider(&s, section, table_sections[i]);
	for (size_t i = 0; c->delegate && i < ARRAY_LEN(delegated_sections); i++)
		config_suggest_consider(&s, section, delegated_sections[i]);
	config_suggest_consider(&s, section, "mode");
	if (s.best)
		return config_fail(err, errlen, o, NULL, NULL, -EINVAL,
				   "[%s]: unknown section (did you mean [%s%s]?)", section, s.best,
				   strcmp(s.best, "mode") ? "" : " NAME");
	return config_fail(err, errlen, o, NULL, NULL, -EINVAL, "[%s]: unknown section", section);
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

/* One assignment; section already checked by config_check_section(). */
int config_assign(struct ogate_config *c, const struct origin *o, const char *section,
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
			return config_fail(err, errlen, o, full, value, -EINVAL, "unknown key");
		if (r == -EINVAL)
			return config_fail(err, errlen, o, full, value, -EINVAL, "%s",
					   msg[0] ? msg : "invalid value");
		if (r < 0)
			return config_fail(err, errlen, o, full, value, r, "%s", strerror(-r));
		r = extra_add(c, full, value);
		if (r < 0)
			return config_fail(err, errlen, o, full, value, r, "%s", strerror(-r));
		return 0;
	}
	k = key_find(full);
	if (!k) {
		struct config_suggest s = { 0 };

		for (size_t i = 0; i < NKEYS; i++)
			config_suggest_consider(&s, full, keys[i].key);
		if (s.best)
			return config_fail(err, errlen, o, full, value, -EINVAL,
					   "unknown key (did you mean %s?)", s.best);
		return config_fail(err, errlen, o, full, value, -EINVAL, "unknown key");
	}
	if (k->type == KT_STRING)
		v.s = NULL;
	r = config_parse_value(k, value, &v, c->enum_buf[k - keys], sizeof(c->enum_buf[0]));
	if (r == -ENOMEM)
		return config_fail(err, errlen, o, full, value, r, "%s", strerror(ENOMEM));
	if (r < 0) {
		config_describe_range(k, range, sizeof(range));
		return config_fail(err, errlen, o, full, value, -EINVAL, "%s", range);
	}
	if (k->type == KT_STRING)
		free(c->v[k - keys].s);
	c->v[k - keys] = v;
	return 0;
}

/* ---- public API ---- */

int ogate_config_new(struct ogate_config **out, ogate_config_delegate delegate, void *ctx)
{
	struct ogate_config *c = calloc(1, sizeof(*c));
	struct origin o = { "(built-in default)", 0 };
	char err[OGATE_CONFIG_ERR_LEN];

	if (!c)
		return -ENOMEM;
	c->delegate = delegate;
	c->ctx = ctx;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *dot = strchr(keys[i].key, '.');
		char section[32];

		snprintf(section, sizeof(section), "%.*s", (int)(dot - keys[i].key), keys[i].key);
		if (config_assign(c, &o, section, dot + 1, keys[i].def, err, sizeof(err)) < 0) {
			/* a default outside its own bounds is a bug in the table */
			fprintf(stderr, "ogate_config_new: %s\n", err);
			abort();
		}
	}
	c->nmodes = 1;
	mode_defaults(&c->modes[0], "default");
	*out = c;
	return 0;
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

int ogate_config_set(struct ogate_config *c, const char *assignment, char *err, size_t errlen)
{
	struct origin o = { NULL, 0 };
	char buf[PATH_LEN + 256];
	char *eq, *key, *value, *dot, *end;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (strlen(assignment) >= sizeof(buf))
		return config_fail(err, errlen, &o, NULL, NULL, -EINVAL, "%.40s...: too long",
				   assignment);
	strcpy(buf, assignment);
	eq = strchr(buf, '=');
	if (!eq)
		return config_fail(err, errlen, &o, NULL, NULL, -EINVAL,
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
		return config_fail(err, errlen, &o, key, value, -EINVAL, "expected section.key=value");
	*dot = '\0';
	if (!strcmp(key, "mode")) {
		char *mdot = strrchr(dot + 1, '.');

		*dot = '.';
		if (!mdot || mdot == dot + 1 || !mdot[1])
			return config_fail(err, errlen, &o, key, value, -EINVAL,
					   "expected mode.NAME.key=value");
		*mdot = '\0';
		return set_mode_key(c, &o, dot + 1, mdot + 1, value, err, errlen);
	}
	r = config_check_section(c, key, &o, err, errlen);
	if (r < 0)
		return r;
	r = config_assign(c, &o, key, dot + 1, value, err, errlen);
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
		return config_fail(err, errlen, o, "camera.mode", mode, -EINVAL,
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
		return config_fail(err, errlen, &o, "file.path", "", -EINVAL,
				   "camera.source = file needs a file.path");
	if (ogate_config_bool(c, "stage.sequence") && strcmp(ogate_config_str(c, "stage.driver"), "asi"))
		return config_fail(err, errlen, &o, "stage.sequence", "true", -EINVAL,
				   "needs stage.driver = asi (only ASI controllers sequence in hardware)");
	/* the dry run checks its trigger program like the real sinks */
	if (ogate_config_int(c, "output.camera_line") == ogate_config_int(c, "output.laser_line")) {
		char v[24];

		snprintf(v, sizeof(v), "%lld", (long long)ogate_config_int(c, "output.camera_line"));
		return config_fail(err, errlen, &o, "output.camera_line", v, -EINVAL,
				   "must differ from output.laser_line (or be -1 for none)");
	}
	if (!ogate_config_str(c, "daemon.socket")[0])
		return config_fail(err, errlen, &o, "daemon.socket", "", -EINVAL,
				   "the control socket needs a path");
	if (ogate_config_double(c, "stage.min_um") > ogate_config_double(c, "stage.max_um")) {
		char v[32];

		snprintf(v, sizeof(v), "%g", ogate_config_double(c, "stage.min_um"));
		return config_fail(err, errlen, &o, "stage.min_um", v, -EINVAL,
				   "greater than stage.max_um = %g: no position would be allowed",
				   ogate_config_double(c, "stage.max_um"));
	}
	if (strcmp(ogate_config_str(c, "stage.driver"), "none") &&
	    !ogate_config_str(c, "stage.axis")[0])
		return config_fail(err, errlen, &o, "stage.axis", "", -EINVAL,
				   "needs one axis letter (e.g. Z)");
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
