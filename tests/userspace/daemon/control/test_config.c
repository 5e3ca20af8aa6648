// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated configuration: the key table, value checks, error messages naming
 * file, line, key, value and range, modes, delegated analysis sections,
 * --set overrides, and the man page generated from the table.
 *
 * Run from the top of the tree (make check does). With --man-keys it prints
 * the generated key reference for man/ogated.conf.5 instead of testing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.c"

#define DATA "tests/userspace/daemon/control/data/"

/* A configuration the test needs: it stops here if it cannot be made. */
static struct ogate_config *new_config(ogate_config_delegate delegate, void *ctx)
{
	struct ogate_config *c = NULL;

	assert_int_equal(0, ogate_config_new(&c, delegate, ctx));
	return c;
}

static char tmp_path[64];
static char err[OGATE_CONFIG_ERR_LEN];

/* Write text to a temporary file and load it into c. */
static int load_text(struct ogate_config *c, const char *text)
{
	int fd;

	strcpy(tmp_path, "/tmp/ogated-test-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	err[0] = '\0';
	int r = ogate_config_load(c, tmp_path, err, sizeof(err));
	unlink(tmp_path);
	return r;
}

/* err must be "<tmp file>:<line>: <rest>" */
static void assert_err_at(int line, const char *rest)
{
	char want[OGATE_CONFIG_ERR_LEN * 2];

	snprintf(want, sizeof(want), "%s:%d: %s", tmp_path, line, rest);
	assert_string_equal(err, want);
}

/* A delegate that knows reference.min_heart_rate_hz (0.1..10) and target.phase. */
static int delegate_calls;

static int fake_settings_set(void *ctx, const char *key, const char *value, char *msg, size_t msglen)
{
	delegate_calls++;
	assert_ptr_equal(ctx, &delegate_calls);
	if (!strcmp(key, "reference.min_heart_rate_hz")) {
		double d;

		if (ogate_parse_double(value, &d) < 0 || d < 0.1 || d > 10) {
			snprintf(msg, msglen, "must be a number in [0.1, 10]");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "target.phase"))
		return 0;
	if (!strcmp(key, "sync.broken"))
		return -EIO;
	if (!strcmp(key, "trigger.silent"))
		return -EINVAL; /* no message */
	return -ENOENT;
}

static struct ogate_config *new_cfg(void)
{
	struct ogate_config *c = new_config(fake_settings_set, &delegate_calls);

	assert_non_null(c);
	delegate_calls = 0;
	return c;
}

static void test_defaults_are_the_documented_ones(void **state)
{
	struct ogate_config *c = new_cfg();
	struct ogate_mode m;

	assert_string_equal(ogate_config_str(c, "daemon.socket"), "/run/ogate/ogated.sock");
	assert_string_equal(ogate_config_str(c, "daemon.socket_group"), "gpio");
	assert_int_equal(ogate_config_int(c, "daemon.socket_mode"), 0660);
	assert_string_equal(ogate_config_str(c, "daemon.log_level"), "info");
	assert_false(ogate_config_bool(c, "daemon.mlockall"));
	assert_int_equal(ogate_config_int(c, "daemon.rt_priority"), 0);
	assert_int_equal(ogate_config_int(c, "daemon.cpu_capture"), -1);
	assert_int_equal(ogate_config_int(c, "daemon.stop_grace_ms"), 500);
	assert_true(ogate_config_bool(c, "daemon.autostart"));
	assert_string_equal(ogate_config_str(c, "camera.source"), "synthetic");
	assert_string_equal(ogate_config_str(c, "camera.id"), "");
	assert_string_equal(ogate_config_str(c, "camera.mode"), "default");
	assert_int_equal(ogate_config_int(c, "camera.exposure_us"), 2000);
	assert_true(ogate_config_double(c, "camera.analogue_gain") == 1.0);
	assert_true(ogate_config_bool(c, "camera.edge_match"));
	assert_true(ogate_config_double(c, "file.fps") == 80);
	assert_string_equal(ogate_config_str(c, "file.pace"), "realtime");
	assert_int_equal(ogate_config_int(c, "synthetic.size"), 128);
	assert_true(ogate_config_double(c, "synthetic.period_s") == 0.42);
	assert_true(ogate_config_double(c, "synthetic.mod_period_s") == 7);
	assert_int_equal(ogate_config_int(c, "synthetic.seed"), 1);
	assert_string_equal(ogate_config_str(c, "output.sink"), "dryrun");
	assert_string_equal(ogate_config_str(c, "output.device"), "/dev/ogate0");
	assert_int_equal(ogate_config_int(c, "output.camera_line"), 1);
	assert_string_equal(ogate_config_str(c, "output.mode"), "expose");
	assert_int_equal(ogate_config_int(c, "output.laser_width_us"), 5000);
	assert_int_equal(ogate_config_int(c, "output.late_us"), 500);
	assert_string_equal(ogate_config_str(c, "record.dir"), "/var/lib/ogate/recordings");
	assert_int_equal(ogate_config_int(c, "record.every"), 1);

	assert_int_equal(ogate_config_mode_count(c), 1);
	assert_string_equal(ogate_config_mode_name(c, 0), "default");
	assert_null(ogate_config_mode_name(c, 1));
	assert_int_equal(ogate_config_mode(c, "default", &m), 0);
	assert_int_equal(m.width, 128);
	assert_int_equal(m.height, 128);
	assert_true(m.fps == 80);
	assert_int_equal(m.roi_x + m.roi_y + m.roi_w + m.roi_h, 0);
	assert_int_equal(ogate_config_mode(c, "fast", &m), -ENOENT);
	assert_int_equal(ogate_config_extra_count(c), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	ogate_config_free(c);
}

static void test_every_default_lies_within_its_own_bounds(void **state)
{
	for (size_t i = 0; i < NKEYS; i++) {
		union value v = { 0 };
		char canon[32];

		assert_int_equal(config_parse_value(&keys[i], keys[i].def, &v, canon, sizeof(canon)),
				 0);
		if (keys[i].type == KT_STRING)
			free(v.s);
		assert_non_null(strchr(keys[i].key, '.'));
		assert_true(strlen(keys[i].doc) > 5);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(keys[i].key, keys[j].key);
	}
}

static void test_a_full_file_sets_every_kind_of_value(void **state)
{
	struct ogate_config *c = new_cfg();
	struct ogate_mode m;
	const char *k, *v;

	assert_int_equal(ogate_config_load(c, DATA "full.conf", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(ogate_config_str(c, "daemon.socket"), "/tmp/ogate-test.sock");
	assert_string_equal(ogate_config_str(c, "daemon.socket_group"), "");
	assert_int_equal(ogate_config_int(c, "daemon.socket_mode"), 0640);
	assert_string_equal(ogate_config_str(c, "daemon.log_level"), "debug");
	assert_true(ogate_config_bool(c, "daemon.mlockall"));
	assert_int_equal(ogate_config_int(c, "daemon.rt_priority"), 50);
	assert_false(ogate_config_bool(c, "daemon.autostart"));
	assert_string_equal(ogate_config_str(c, "camera.source"), "libcamera");
	assert_string_equal(ogate_config_str(c, "camera.id"), "/base/soc/i2c0mux/i2c@1/imx477@1a");
	assert_true(ogate_config_double(c, "camera.analogue_gain") == 2.5);
	assert_int_equal(ogate_config_int(c, "output.camera_line"), -1);
	assert_int_equal(ogate_config_int(c, "output.camera_laser_delay_us"), -250);

	assert_int_equal(ogate_config_mode_count(c), 2);
	assert_int_equal(ogate_config_mode(c, "fast", &m), 0);
	assert_int_equal(m.width, 96);
	assert_int_equal(m.height, 64);
	assert_true(m.fps == 200.5);
	assert_int_equal(m.roi_w, 480);
	assert_int_equal(m.roi_x, 0); /* unset keys: the built-in defaults */
	assert_int_equal(ogate_config_mode(c, "default", &m), 0);
	assert_true(m.fps == 100); /* the default mode can be overridden */
	assert_int_equal(m.width, 128);

	assert_int_equal(ogate_config_extra_count(c), 2);
	ogate_config_extra(c, 0, &k, &v);
	assert_string_equal(k, "reference.min_heart_rate_hz");
	assert_string_equal(v, "1.5");
	ogate_config_extra(c, 1, &k, &v);
	assert_string_equal(k, "target.phase");
	assert_string_equal(v, "3.14");
	ogate_config_extra(c, 2, &k, &v);
	assert_null(k);
	assert_null(v);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	ogate_config_free(c);
}

static void test_the_example_config_loads_as_is(void **state)
{
	struct ogate_config *c = new_config(NULL, NULL);

	assert_int_equal(ogate_config_load(c, "systemd/ogated.conf.example", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	ogate_config_free(c);
}

static void test_an_out_of_range_value_names_file_line_key_value_and_range(void **state)
{
	struct ogate_config *c = new_cfg();

	assert_int_equal(load_text(c, "[camera]\n\nexposure_us = -1\n"), -EINVAL);
	assert_err_at(3, "camera.exposure_us = -1: must be an integer in [0, 1000000]");
	assert_int_equal(load_text(c, "[camera]\nanalogue_gain = 65\n"), -EINVAL);
	assert_err_at(2, "camera.analogue_gain = 65: must be a number in [0, 64]");
	assert_int_equal(load_text(c, "[daemon]\nsocket_mode = 01000\n"), -EINVAL);
	assert_err_at(2, "daemon.socket_mode = 01000: must be an octal integer in [0, 0777]");
	assert_int_equal(load_text(c, "[synthetic]\nperiod_s = 0.01\n"), -EINVAL);
	assert_err_at(2, "synthetic.period_s = 0.01: must be a number in [0.05, 5]");
	assert_int_equal(load_text(c, "[output]\ncamera_line = -2\n"), -EINVAL);
	assert_err_at(2, "output.camera_line = -2: must be an integer in [-1, 31]");
	/* the failed keys kept their values */
	assert_int_equal(ogate_config_int(c, "camera.exposure_us"), 2000);
	assert_int_equal(ogate_config_int(c, "output.camera_line"), 1);
	ogate_config_free(c);
}

static void test_integers_reject_junk_overflow_and_fractions(void **state)
{
	struct ogate_config *c = new_cfg();
	const char *bad[] = { "12abc", "1.5", "", "0x10", "99999999999999999999", "- 3", "2 000" };
	char text[128], want[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(text, sizeof(text), "[daemon]\nstop_grace_ms = %s\n", bad[i]);
		assert_int_equal(load_text(c, text), -EINVAL);
		snprintf(want, sizeof(want),
			 "daemon.stop_grace_ms = %s: must be an integer in [0, 60000]", bad[i]);
		assert_err_at(2, want);
	}
	assert_int_equal(load_text(c, "[daemon]\nsocket_mode = 0680\n"), -EINVAL); /* not octal */
	assert_int_equal(load_text(c, "[daemon]\nsocket_mode = -1\n"), -EINVAL);
	assert_int_equal(load_text(c, "[daemon]\nsocket_mode = 600\n"), 0); /* octal even without 0 */
	assert_int_equal(ogate_config_int(c, "daemon.socket_mode"), 0600);
	assert_int_equal(load_text(c, "[synthetic]\nseed = 2147483647\n"), 0);
	assert_int_equal(load_text(c, "[synthetic]\nseed = 2147483648\n"), -EINVAL);
	assert_int_equal(load_text(c, "[camera]\nanalogue_gain = nan\n"), -EINVAL);
	assert_int_equal(load_text(c, "[camera]\nanalogue_gain = 2x\n"), -EINVAL);
	ogate_config_free(c);
}

static void test_booleans_accept_the_six_words_and_digits(void **state)
{
	struct ogate_config *c = new_cfg();
	const char *t[] = { "true", "yes", "on", "1", "TRUE", "Yes" };
	const char *f[] = { "false", "no", "off", "0", "Off" };
	char text[64];

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		snprintf(text, sizeof(text), "[file]\nloop = %s\n", t[i]);
		assert_int_equal(load_text(c, text), 0);
		assert_true(ogate_config_bool(c, "file.loop"));
	}
	for (size_t i = 0; i < ARRAY_LEN(f); i++) {
		snprintf(text, sizeof(text), "[file]\nloop = %s\n", f[i]);
		assert_int_equal(load_text(c, text), 0);
		assert_false(ogate_config_bool(c, "file.loop"));
	}
	assert_int_equal(load_text(c, "[file]\nloop = maybe\n"), -EINVAL);
	assert_err_at(2, "file.loop = maybe: must be a boolean (true/false, yes/no, on/off, 1/0)");
	ogate_config_free(c);
}

static void test_enums_list_the_allowed_words(void **state)
{
	struct ogate_config *c = new_cfg();

	assert_int_equal(load_text(c, "[output]\nsink = laser\n"), -EINVAL);
	assert_err_at(2, "output.sink = laser: must be one of: ogate, gpiod, dryrun");
	assert_int_equal(load_text(c, "[daemon]\nlog_level = verbose\n"), -EINVAL);
	assert_err_at(2, "daemon.log_level = verbose: must be one of: trace, debug, info, success, "
			 "warning, error, critical");
	assert_int_equal(load_text(c, "[camera]\nsource = File\n"), 0);
	assert_string_equal(ogate_config_str(c, "camera.source"), "file");
	ogate_config_free(c);
}

static void test_strings_are_bounded_and_printable(void **state)
{
	struct ogate_config *c = new_cfg();
	char text[400];

	snprintf(text, sizeof(text), "[daemon]\nsocket = /run/%0120d\n", 0);
	assert_int_equal(load_text(c, text), -EINVAL);
	assert_non_null(strstr(err, "must be a string of at most 107 bytes"));
	assert_int_equal(load_text(c, "[camera]\nid = a\tb\n"), -EINVAL);
	assert_string_equal(ogate_config_str(c, "daemon.socket"), "/run/ogate/ogated.sock");
	ogate_config_free(c);
}

static void test_unknown_keys_and_sections_suggest_the_near_name(void **state)
{
	struct ogate_config *c = new_cfg();

	assert_int_equal(load_text(c, "[camera]\nexposure = 100\n"), -EINVAL);
	assert_err_at(2, "camera.exposure = 100: unknown key (did you mean camera.exposure_us?)");
	assert_int_equal(load_text(c, "[camera]\nframes_per_fortnight = 1\n"), -EINVAL);
	assert_err_at(2, "camera.frames_per_fortnight = 1: unknown key");
	assert_int_equal(load_text(c, "# c\n[camra]\nexposure_us = 100\n"), -EINVAL);
	assert_err_at(2, "[camra]: unknown section (did you mean [camera]?)");
	assert_int_equal(load_text(c, "[modes fast]\n"), -EINVAL);
	assert_err_at(1, "[modes fast]: unknown section");
	/* an unknown section is an error even with nothing in it */
	assert_int_equal(load_text(c, "[daemon]\n[outptu]\n[camera]\n"), -EINVAL);
	assert_err_at(2, "[outptu]: unknown section (did you mean [output]?)");
	assert_int_equal(load_text(c, "exposure_us = 100\n"), -EINVAL);
	assert_err_at(1, "exposure_us = 100: key outside any section (start the file with e.g. [daemon])");
	ogate_config_free(c);
}

static void test_syntax_errors_and_long_lines_name_their_line(void **state)
{
	struct ogate_config *c = new_cfg();
	char text[400];

	assert_int_equal(load_text(c, "[daemon]\nrt_priority = 5\njust words\nautostart = no\n"),
			 -EINVAL);
	assert_err_at(3, "syntax error (expected [section], key = value or a comment)");
	assert_int_equal(load_text(c, "[daemon\n"), -EINVAL);
	assert_err_at(1, "syntax error (expected [section], key = value or a comment)");
	/* libinih's own limit is 199 characters; ours is 8191 */
	snprintf(text, sizeof(text), "[daemon]\n# %0300d\n", 0);
	assert_int_equal(load_text(c, text), 0);
	snprintf(text, sizeof(text), "[daemon]\n[%0300d]\n", 0);
	assert_int_equal(load_text(c, text), -EINVAL);
	assert_err_at(2, "line too long for anything but a key = value line or a comment");
	ogate_config_free(c);
}

static void test_long_values_pass_the_inih_line_limit(void **state)
{
	struct ogate_config *c = new_cfg();
	char *text = malloc(10000), path[400];

	snprintf(path, sizeof(path), "/data/%0300d.tif", 7);
	snprintf(text, 10000, "[file]\npath =   %s   ; the fish\nloop = yes\n", path);
	assert_int_equal(load_text(c, text), 0);
	assert_string_equal(ogate_config_str(c, "file.path"), path);
	assert_true(ogate_config_bool(c, "file.loop"));
	snprintf(text, 10000, "[camera]\nexposure_us = %0300d\n", 2000000);
	assert_int_equal(load_text(c, text), -EINVAL); /* still checked like any value */
	assert_non_null(strstr(err, ":2: camera.exposure_us = 0000"));
	memset(text, '#', 9000);
	text[9000] = '\0';
	assert_int_equal(load_text(c, text), -EINVAL);
	assert_err_at(1, "line too long (at most 8191 characters)");
	free(text);
	/* the first error wins: a syntax error before a bad value */
	assert_int_equal(load_text(c, "[daemon]\nwords\nrt_priority = 99\n"), -EINVAL);
	assert_err_at(2, "syntax error (expected [section], key = value or a comment)");
	ogate_config_free(c);
}

static void test_a_missing_file_or_a_directory_is_named_in_the_error(void **state)
{
	struct ogate_config *c = new_cfg();

	assert_int_equal(ogate_config_load(c, "/nonexistent/ogated.conf", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/ogated.conf: No such file or directory");
	assert_int_equal(ogate_config_load(c, "/tmp", err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "/tmp: Is a directory");
	assert_int_equal(ogate_config_load(c, "/dev/null", err, sizeof(err)), 0); /* empty is fine */
	ogate_config_free(c);
}

static void test_modes_are_checked_and_limited(void **state)
{
	struct ogate_config *c = new_cfg();
	char text[2048] = "";
	struct ogate_mode m;

	assert_int_equal(load_text(c, "[mode slow]\n"), 0); /* empty: all defaults */
	assert_int_equal(ogate_config_mode(c, "slow", &m), 0);
	assert_int_equal(m.width, 128);
	assert_int_equal(load_text(c, "[mode slow]\nfps = -1\n"), -EINVAL);
	assert_err_at(2, "mode.slow.fps = -1: must be a number in [0, 2000]");
	assert_int_equal(load_text(c, "[mode slow]\nwidht = 64\n"), -EINVAL);
	assert_err_at(2, "mode.slow.widht = 64: unknown key in a mode section (did you mean width?)");
	assert_int_equal(load_text(c, "[mode slow]\nexposure_us = 64\n"), -EINVAL);
	assert_err_at(2, "mode.slow.exposure_us = 64: unknown key in a mode section "
			 "(width, height, fps, roi_x, roi_y, roi_w, roi_h)");
	assert_int_equal(load_text(c, "[mode]\n"), -EINVAL);
	assert_err_at(1, "[mode]: a mode section needs a name: [mode NAME]");
	assert_int_equal(load_text(c, "[mode a/b]\n"), -EINVAL);
	assert_err_at(1, "[mode a/b]: a mode name is 1 to 31 letters, digits, '_' or '-'");
	ogate_config_free(c);

	c = new_cfg();
	for (int i = 1; i < OGATE_MAX_MODES; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "[mode m%d]\nfps = %d\n",
			 i, i);
	assert_int_equal(load_text(c, text), 0);
	assert_int_equal(ogate_config_mode_count(c), OGATE_MAX_MODES);
	assert_string_equal(ogate_config_mode_name(c, 15), "m15");
	assert_int_equal(load_text(c, "[mode m16]\n"), -EINVAL);
	assert_err_at(1, "[mode m16]: at most 16 modes");
	ogate_config_free(c);
}

static void test_analysis_sections_go_to_the_delegate_in_order(void **state)
{
	struct ogate_config *c = new_cfg();
	const char *k, *v;

	assert_int_equal(load_text(c, "[target]\nphase = 1\n[reference]\nmin_heart_rate_hz = 2\n"), 0);
	assert_int_equal(delegate_calls, 2);
	assert_int_equal(ogate_config_extra_count(c), 2);
	ogate_config_extra(c, 1, &k, &v);
	assert_string_equal(k, "reference.min_heart_rate_hz");
	assert_string_equal(v, "2");
	/* a section given twice is an error, delegated or not */
	assert_int_equal(load_text(c, "[target]\nphase = 1\n[reference]\nmin_heart_rate_hz = 2\n"
				      "[target]\nphase = 2\n"),
			 -EINVAL);
	assert_err_at(5, "[target] repeats the section of line 1 (give each section once)");
	assert_int_equal(load_text(c, "[reference]\nmin_heart_rate_hz = 20\n"), -EINVAL);
	assert_err_at(2, "reference.min_heart_rate_hz = 20: must be a number in [0.1, 10]");
	assert_int_equal(load_text(c, "[prediction]\nhorizon = 2\n"), -EINVAL);
	assert_err_at(2, "prediction.horizon = 2: unknown key");
	assert_int_equal(load_text(c, "[trigger]\nsilent = 2\n"), -EINVAL);
	assert_err_at(2, "trigger.silent = 2: invalid value");
	assert_int_equal(load_text(c, "[sync]\nbroken = 2\n"), -EIO);
	assert_err_at(2, "sync.broken = 2: Input/output error");
	assert_int_equal(ogate_config_extra_count(c), 4); /* rejected pairs not kept */
	ogate_config_free(c);

	c = new_config(NULL, NULL);
	assert_int_equal(load_text(c, "[reference]\nmin_heart_rate_hz = 2\n"), -EINVAL);
	assert_err_at(1, "[reference]: analysis settings are not accepted here");
	ogate_config_free(c);
}

static void test_set_overrides_with_the_same_checks(void **state)
{
	struct ogate_config *c = new_cfg();
	struct ogate_mode m;
	const char *k, *v;

	assert_int_equal(ogate_config_set(c, "camera.exposure_us=3000", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_int(c, "camera.exposure_us"), 3000);
	assert_int_equal(ogate_config_set(c, " output.sink = gpiod ", err, sizeof(err)), 0);
	assert_string_equal(ogate_config_str(c, "output.sink"), "gpiod");
	assert_int_equal(ogate_config_set(c, "daemon.socket_group=", err, sizeof(err)), 0);
	assert_string_equal(ogate_config_str(c, "daemon.socket_group"), "");
	assert_int_equal(ogate_config_set(c, "camera.exposure_us=2000000", err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "--set: camera.exposure_us = 2000000: must be an integer in [0, 1000000]");
	assert_int_equal(ogate_config_set(c, "camera.exposure=5", err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err, "--set: camera.exposure = 5: unknown key (did you mean camera.exposure_us?)");
	assert_int_equal(ogate_config_set(c, "exposure_us", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: 'exposure_us': expected section.key=value");
	assert_int_equal(ogate_config_set(c, "exposure_us=4", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: exposure_us = 4: expected section.key=value");
	assert_int_equal(ogate_config_set(c, "camra.exposure_us=4", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: [camra]: unknown section (did you mean [camera]?)");

	assert_int_equal(ogate_config_set(c, "mode.fast.fps=250", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_mode(c, "fast", &m), 0);
	assert_true(m.fps == 250);
	assert_int_equal(ogate_config_set(c, "mode.fast.fps=2001", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: mode.fast.fps = 2001: must be a number in [0, 2000]");
	assert_int_equal(ogate_config_set(c, "mode.fps=3", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: mode.fps = 3: expected mode.NAME.key=value");

	assert_int_equal(ogate_config_set(c, "reference.min_heart_rate_hz=0.5", err, sizeof(err)), 0);
	ogate_config_extra(c, 0, &k, &v);
	assert_string_equal(k, "reference.min_heart_rate_hz");
	assert_string_equal(v, "0.5");
	assert_int_equal(ogate_config_set(c, "reference.nope=1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--set: reference.nope = 1: unknown key");
	ogate_config_free(c);
}

static void test_check_catches_what_no_single_key_can(void **state)
{
	struct ogate_config *c = new_cfg();

	assert_int_equal(ogate_config_set(c, "camera.mode=fast", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: camera.mode = fast: no such mode (defined: default)");
	assert_int_equal(ogate_config_set(c, "mode.fast.fps=100", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);

	assert_int_equal(ogate_config_set(c, "camera.source=file", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: file.path = : camera.source = file needs a file.path");
	assert_int_equal(ogate_config_set(c, "file.path=/data/fish.tif", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);

	/* the dry run checks its trigger program at start like the real sinks */
	assert_int_equal(ogate_config_set(c, "output.camera_line=0", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: output.camera_line = 0: must differ from "
				 "output.laser_line (or be -1 for none)");
	assert_int_equal(ogate_config_set(c, "output.sink=ogate", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: output.camera_line = 0: must differ from "
				 "output.laser_line (or be -1 for none)");
	ogate_config_free(c);
}

/* What start would refuse, --check-config refuses too. */
static void test_check_runs_every_check_that_start_runs(void **state)
{
	struct ogate_config *c = new_config(NULL, NULL);

	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "daemon.socket=", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: daemon.socket = : the control socket needs a path");
	assert_int_equal(ogate_config_set(c, "daemon.socket=/tmp/o.sock", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "stage.min_um=100", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "stage.max_um=50", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: stage.min_um = 100: greater than stage.max_um = 50: "
				 "no position would be allowed");
	assert_int_equal(ogate_config_set(c, "stage.max_um=500", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "stage.driver=asi", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "stage.axis=", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: stage.axis = : needs one axis letter (e.g. Z)");
	assert_int_equal(ogate_config_set(c, "stage.axis=X", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	ogate_config_free(c);
}

/* Last-wins hid mistakes: a repeated key or section names both lines. */
static void test_duplicate_keys_and_sections_name_both_lines(void **state)
{
	struct ogate_config *c = new_config(NULL, NULL);

	assert_int_equal(load_text(c, "[daemon]\nsocket = /a\nlog_level = info\nsocket = /b\n"),
			 -EINVAL);
	assert_err_at(4, "[daemon] socket repeats the key of line 2 (give each key once)");
	assert_int_equal(
		load_text(c, "[daemon]\nsocket = /a\n[camera]\nsource = file\n[daemon]\nlog_level = info\n"),
		-EINVAL);
	assert_err_at(5, "[daemon] repeats the section of line 1 (give each section once)");
	assert_int_equal(load_text(c, "[mode fast]\nfps = 100\n[mode  fast]\nwidth = 64\n"), -EINVAL);
	assert_err_at(3, "[mode fast] repeats the section of line 1 (give each section once)");
	assert_int_equal(load_text(c, "[mode fast]\nfps = 100\n[mode slow]\nfps = 10\n"), 0);
	ogate_config_free(c);
}

/* An indented line used to continue the key above it (the socket path, once). */
static void test_continuation_lines_are_refused(void **state)
{
	struct ogate_config *c = new_config(NULL, NULL);

	assert_int_equal(load_text(c, "[daemon]\nsocket = /run/a.sock\n  log_level = debug\n"),
			 -EINVAL);
	assert_err_at(3, "indented line: continuation lines are not accepted (remove the indentation)");
	assert_int_equal(load_text(c, "[daemon]\n  ; an indented comment\nsocket = /run/a.sock\n   \n"),
			 0);
	assert_string_equal(ogate_config_str(c, "daemon.socket"), "/run/a.sock");
	ogate_config_free(c);
}

static void each_count(void *ctx, const char *key, const char *value)
{
	int *n = ctx;

	if (!strcmp(key, "stage.sequence") && !strcmp(value, "true"))
		n[1]++;
	if (!strcmp(key, "camera.pixel_size_um") && !strcmp(value, "0.65"))
		n[2]++;
	n[0]++;
}

static void test_sequencing_needs_an_asi_stage_and_settings_list_whole(void **state)
{
	struct ogate_config *c = new_cfg();
	int n[3] = { 0 };

	assert_int_equal(ogate_config_set(c, "stage.sequence=on", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "configuration: stage.sequence = true: needs stage.driver = asi "
				 "(only ASI controllers sequence in hardware)");
	assert_int_equal(ogate_config_set(c, "stage.driver=asi", err, sizeof(err)), 0);
	assert_int_equal(ogate_config_check(c, err, sizeof(err)), 0);
	assert_int_equal(ogate_config_set(c, "camera.pixel_size_um=0.65", err, sizeof(err)), 0);
	ogate_config_each(c, each_count, n);
	assert_true(n[0] > 60); /* every key of the table, the default mode */
	assert_int_equal(n[1], 1);
	assert_int_equal(n[2], 1);
	ogate_config_free(c);
}

/* Run fn in a child; it must die of SIGABRT. */
static void assert_aborts(void (*fn)(struct ogate_config *))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct ogate_config *c = new_config(NULL, NULL);

		freopen("/dev/null", "w", stderr);
		fn(c);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void get_unknown(struct ogate_config *c)
{
	ogate_config_int(c, "camera.nope");
}
static void get_wrong_type(struct ogate_config *c)
{
	ogate_config_bool(c, "camera.exposure_us");
}

static void test_getters_abort_on_unknown_keys_and_wrong_types(void **state)
{
	struct ogate_config *c = new_config(NULL, NULL);

	assert_aborts(get_unknown);
	assert_aborts(get_wrong_type);
	/* enums are read as strings */
	assert_string_equal(ogate_config_str(c, "output.mode"), "expose");
	ogate_config_free(c);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void test_the_table_prints_every_key(void **state)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ogate_config_print_table(f);
	fclose(f);
	for (size_t i = 0; i < NKEYS; i++)
		assert_non_null(strstr(buf, keys[i].key));
	assert_non_null(strstr(buf, "mode.NAME.roi_h"));
	assert_non_null(strstr(buf, "daemon.socket_mode             octal  0..0777"));
	free(buf);
}

static void test_the_man_page_documents_the_table_exactly(void **state)
{
	static const char begin[] = ".\\\" BEGIN KEYS\n", end[] = ".\\\" END KEYS\n";
	char *man = slurp("man/ogated.conf.5");
	char *gen, *b, *e;
	size_t len;
	FILE *f = open_memstream(&gen, &len);

	ogate_config_print_man(f);
	fclose(f);
	b = strstr(man, begin);
	e = strstr(man, end);
	assert_non_null(b);
	assert_non_null(e);
	b += strlen(begin);
	*e = '\0';
	if (strcmp(b, gen))
		print_error("man/ogated.conf.5 is out of date with the key table; replace the lines "
			    "between the KEYS markers with the output of: %s --man-keys\n",
			    "build/test/userspace/daemon/control/test_config");
	assert_string_equal(b, gen);
	for (size_t i = 0; i < NKEYS; i++) {
		char esc[64];
		size_t j = 0;

		for (const char *p = keys[i].key; *p; p++) {
			if (*p == '-')
				esc[j++] = '\\';
			esc[j++] = *p;
		}
		esc[j] = '\0';
		assert_non_null(strstr(b, esc));
	}
	free(gen);
	free(man);
}

/* Random lines built from config-ish pieces: never a crash, every error explained. */
static void test_random_files_never_crash_and_always_explain_errors(void **state)
{
	static const char *const pieces[] = {
		"[",	"]",	 "daemon",	"camera", "mode",      " ",
		"fast", "=",	 "exposure_us", "fps",	  "reference", "min_heart_rate_hz",
		"1",	"-1",	 "0x",		"1e400",  ";",	       "#",
		"\t",	"yes",	 "\n",		"\n",	  "\n",	       "socket_mode",
		"0777", "width", "target",	"phase",  ".",	       "\xff",
	};
	char text[4096];

	srand(4);
	for (int round = 0; round < 300; round++) {
		struct ogate_config *c = new_cfg();
		size_t len = 0;
		int n = rand() % 80, r;

		for (int i = 0; i < n; i++) {
			const char *p = pieces[rand() % (int)ARRAY_LEN(pieces)];

			if (len + strlen(p) + 1 >= sizeof(text))
				break;
			strcpy(text + len, p);
			len += strlen(p);
		}
		text[len] = '\0';
		r = load_text(c, text);
		if (r < 0) {
			assert_int_equal(r, -EINVAL);
			assert_true(strncmp(err, tmp_path, strlen(tmp_path)) == 0);
			assert_true(strlen(err) > strlen(tmp_path) + 3);
		}
		ogate_config_free(c);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_documented_ones),
		cmocka_unit_test(test_every_default_lies_within_its_own_bounds),
		cmocka_unit_test(test_a_full_file_sets_every_kind_of_value),
		cmocka_unit_test(test_the_example_config_loads_as_is),
		cmocka_unit_test(test_an_out_of_range_value_names_file_line_key_value_and_range),
		cmocka_unit_test(test_integers_reject_junk_overflow_and_fractions),
		cmocka_unit_test(test_booleans_accept_the_six_words_and_digits),
		cmocka_unit_test(test_enums_list_the_allowed_words),
		cmocka_unit_test(test_strings_are_bounded_and_printable),
		cmocka_unit_test(test_unknown_keys_and_sections_suggest_the_near_name),
		cmocka_unit_test(test_syntax_errors_and_long_lines_name_their_line),
		cmocka_unit_test(test_long_values_pass_the_inih_line_limit),
		cmocka_unit_test(test_a_missing_file_or_a_directory_is_named_in_the_error),
		cmocka_unit_test(test_modes_are_checked_and_limited),
		cmocka_unit_test(test_analysis_sections_go_to_the_delegate_in_order),
		cmocka_unit_test(test_set_overrides_with_the_same_checks),
		cmocka_unit_test(test_check_catches_what_no_single_key_can),
		cmocka_unit_test(test_sequencing_needs_an_asi_stage_and_settings_list_whole),
		cmocka_unit_test(test_getters_abort_on_unknown_keys_and_wrong_types),
		cmocka_unit_test(test_check_runs_every_check_that_start_runs),
		cmocka_unit_test(test_duplicate_keys_and_sections_name_both_lines),
		cmocka_unit_test(test_continuation_lines_are_refused),
		cmocka_unit_test(test_the_table_prints_every_key),
		cmocka_unit_test(test_the_man_page_documents_the_table_exactly),
		cmocka_unit_test(test_random_files_never_crash_and_always_explain_errors),
	};

	if (argc > 1 && !strcmp(argv[1], "--man-keys")) {
		ogate_config_print_man(stdout);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
