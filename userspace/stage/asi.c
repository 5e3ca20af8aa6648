// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ASI MS-2000 / Tiger (TG-1000): ASCII commands ended by CR, replies ended by
 * CR LF. "M Z=n" absolute and "R Z=n" relative moves in tenths of µm, "W Z"
 * position (":A n"), "/" busy ("B" or "N"), "! Z" home, "\" halt; every
 * command replies ":A" or ":N-x" (error x).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stage-private.h"

#define ASI_EOL "\r"

/* ---- parsers (unit-tested in tests/userspace/stage/test_stage_parsers.c) ---- */

static const char *asi_error_text(int code)
{
	switch (code) {
	case 1: return "unknown command";
	case 2: return "unrecognized axis parameter";
	case 3: return "missing parameters";
	case 4: return "parameter out of range";
	case 5: return "operation failed";
	case 6: return "undefined error";
	case 7: return "invalid card address";
	case 21: return "serial command halted by the HALT command";
	default: return "unknown error code";
	}
}

/* ":N-<digits>" -> *code; 0 if it is an error reply, -EPROTO otherwise. */
static int asi_parse_error(const char *line, int *code)
{
	int v = 0;
	const char *p;

	if (strncmp(line, ":N-", 3) || !line[3])
		return -EPROTO;
	for (p = line + 3; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > 999)
			return -EPROTO;
		v = v * 10 + (*p - '0');
	}
	*code = v;
	return 0;
}

/* ":A" (trailing blanks allowed): 0; ":N-x": -EIO with *code; else -EPROTO. */
static int asi_parse_ack(const char *line, int *code)
{
	const char *p;

	if (!strncmp(line, ":A", 2)) {
		for (p = line + 2; *p == ' '; p++)
			;
		return *p ? -EPROTO : 0;
	}
	return asi_parse_error(line, code) ? -EPROTO : -EIO;
}

/* ":A <number>" with blanks around the number; value in tenths of µm. */
static int asi_parse_where(const char *line, double *tenths, int *code)
{
	char num[48];
	const char *p, *e;

	if (strncmp(line, ":A ", 3))
		return asi_parse_error(line, code) ? -EPROTO : -EIO;
	for (p = line + 3; *p == ' '; p++)
		;
	for (e = p; *e && *e != ' '; e++)
		;
	if (e == p || (size_t)(e - p) >= sizeof(num))
		return -EPROTO;
	for (const char *t = e; *t; t++)
		if (*t != ' ')
			return -EPROTO;
	memcpy(num, p, (size_t)(e - p));
	num[e - p] = '\0';
	return stage_parse_double(num, tenths);
}

/* "/" reply: "B" busy (1), "N" not busy (0); ":N-x" -EIO; else -EPROTO. */
static int asi_parse_busy(const char *line, int *code)
{
	if (!strcmp(line, "B"))
		return 1;
	if (!strcmp(line, "N"))
		return 0;
	return asi_parse_error(line, code) ? -EPROTO : -EIO;
}

/* ---- exchanges ---- */

static int asi_fail_reply(struct ogate_stage *s, int rc, const char *cmd, const char *line,
			  int code, const char *expected)
{
	char esc[STAGE_ERRLEN / 2];

	stage_escape(esc, sizeof(esc), line, strlen(line));
	if (rc == -EIO)
		return stage_fail(s, rc, "%s: controller error %d (%s), reply \"%s\"", cmd, code,
				  asi_error_text(code), esc);
	return stage_fail(s, -EPROTO, "%s: garbled reply \"%s\" (expected %s)", cmd, esc,
			  expected);
}

static int asi_command(struct ogate_stage *s, const char *cmd)
{
	char line[96];
	int code = 0;
	int rc = stage_xfer(s, cmd, ASI_EOL, true, line, sizeof(line));

	if (rc)
		return rc;
	rc = asi_parse_ack(line, &code);
	if (rc)
		return asi_fail_reply(s, rc, cmd, line, code, "\":A\"");
	return 0;
}

static int asi_position(struct ogate_stage *s, double *um)
{
	char cmd[16], line[96];
	double tenths;
	int code = 0, rc;

	snprintf(cmd, sizeof(cmd), "W %c", s->opts.axis);
	rc = stage_xfer(s, cmd, ASI_EOL, true, line, sizeof(line));
	if (rc)
		return rc;
	rc = asi_parse_where(line, &tenths, &code);
	if (rc)
		return asi_fail_reply(s, rc, cmd, line, code, "\":A <position>\"");
	*um = tenths / s->scale;
	return 0;
}

/* ---- ops ---- */

static int asi_open(struct ogate_stage *s)
{
	struct serial_cfg cfg = {
		.transport = s->opts.transport,
		.baud = s->opts.baud > 0 ? s->opts.baud : 9600,
		.flow = SERIAL_FLOW_NONE,
	};
	char err[STAGE_ERRLEN / 2];
	double um;
	int rc;

	if (!isupper((unsigned char)s->opts.axis))
		return stage_fail(s, -EINVAL, "axis '%c' is not a letter A..Z", s->opts.axis);
	s->scale = s->opts.units_per_um > 0 ? s->opts.units_per_um : 10.0;
	rc = serial_open(&s->ser, s->port, &cfg, err, sizeof(err));
	if (rc)
		return stage_fail(s, rc, "%s", err);
	/* Probe: the controller answers and knows the axis. */
	rc = asi_position(s, &um);
	if (rc) {
		serial_close(s->ser);
		s->ser = NULL;
		return rc;
	}
	stage_log(s, 6, "asi: %s axis %c (%s, %d 8N1): at %.1f µm", s->port, s->opts.axis,
		  serial_transport(s->ser), cfg.baud, um);
	return 0;
}

static void asi_close(struct ogate_stage *s)
{
	serial_close(s->ser);
	s->ser = NULL;
}

static int asi_home(struct ogate_stage *s)
{
	char cmd[16];

	snprintf(cmd, sizeof(cmd), "! %c", s->opts.axis);
	return asi_command(s, cmd);
}

static int asi_move(struct ogate_stage *s, char verb, double um)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "%c %c=%.1f", verb, s->opts.axis, um * s->scale);
	return asi_command(s, cmd);
}

static int asi_move_abs(struct ogate_stage *s, double um)
{
	return asi_move(s, 'M', um);
}

static int asi_move_rel(struct ogate_stage *s, double um)
{
	return asi_move(s, 'R', um);
}

static int asi_is_moving(struct ogate_stage *s)
{
	char line[32];
	int code = 0;
	int rc = stage_xfer(s, "/", ASI_EOL, true, line, sizeof(line));

	if (rc)
		return rc;
	rc = asi_parse_busy(line, &code);
	if (rc < 0)
		return asi_fail_reply(s, rc, "/", line, code, "\"B\" or \"N\"");
	return rc;
}

static int asi_stop(struct ogate_stage *s)
{
	return asi_command(s, "\\");
}

const struct stage_ops ogate_stage_asi_ops = {
	.name = "asi",
	.priv_size = 0,
	.open = asi_open,
	.close = asi_close,
	.home = asi_home,
	.move_abs = asi_move_abs,
	.move_rel = asi_move_rel,
	.position = asi_position,
	.is_moving = asi_is_moving,
	.stop = asi_stop,
};
