// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ASI MS-2000 / Tiger (TG-1000): ASCII commands ended by CR, replies ended by
 * CR LF. "M Z=n" absolute and "R Z=n" relative moves in tenths of µm, "W Z"
 * position (":A n"), "/" busy ("B" or "N"), "! Z" home, "\" halt; every
 * command replies ":A" or ":N-x" (error x).
 *
 * Hardware sequencing (firmware module RING BUFFER; ASI docs "RBMODE (RM)",
 * "LOAD (LD)", "TTL"): "TTL X=0" disarms the TTL input, "RM X=0" clears
 * the ring buffer, "LD Z=n" appends a position (tenths of µm), "RM X?"
 * answers ":A X=<count>" (MS-2000 9.2g+, Tiger 2.89+; older firmware
 * ":N-1"), "RM Y=<axis_byte> Z=0" selects the axes that move and points
 * the buffer at entry 0, "TTL X=1" (IN0_mode 1) makes every TTL pulse on
 * IN0 move to the next stored position, wrapping at the end. On a Tiger, RM
 * and TTL are card-addressed ("<card>RM ...").
 * Firmware differences handled: the buffer holds 50 positions or 250
 * (configured, seq_capacity); "LD" on a full buffer answers ":A" before
 * MS-2000 9.2o / Tiger 3.41 and an error after, so the count is checked
 * before loading and read back where the firmware can; MS-2000 builds
 * default the axis_byte to 3 (X and Y only), so it is always sent.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ":A <letter>=<integer>" (blanks around allowed): the answer to "<cmd> <letter>?". */
static int asi_parse_query(const char *line, char letter, long *value, int *code)
{
	const char *p;
	char *end;
	long v;

	if (strncmp(line, ":A", 2))
		return asi_parse_error(line, code) ? -EPROTO : -EIO;
	for (p = line + 2; *p == ' '; p++)
		;
	if (p[0] != letter || p[1] != '=' || !isdigit((unsigned char)p[2]))
		return -EPROTO;
	errno = 0;
	v = strtol(p + 2, &end, 10);
	if (errno)
		return -EPROTO;
	for (; *end; end++)
		if (*end != ' ')
			return -EPROTO;
	*value = v;
	return 0;
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
	return stage_fail(s, -EPROTO, "%s: garbled reply \"%s\" (expected %s)", cmd, esc, expected);
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

/* ---- hardware sequencing ---- */

/* Card-addressed command: "<card>" prefix on a Tiger. */
static void asi_card_cmd(struct ogate_stage *s, char *buf, size_t len, const char *cmd)
{
	if (s->opts.card_address > 0)
		snprintf(buf, len, "%d%s", s->opts.card_address, cmd);
	else
		snprintf(buf, len, "%s", cmd);
}

static int asi_card_command(struct ogate_stage *s, const char *cmd)
{
	char full[64];

	asi_card_cmd(s, full, sizeof(full), cmd);
	return asi_command(s, full);
}

static int asi_axis_byte(const struct ogate_stage *s)
{
	if (s->opts.seq_axis_byte > 0)
		return s->opts.seq_axis_byte;
	switch (s->opts.axis) { /* MS-2000 axis order */
	case 'X': return 1;
	case 'Y': return 2;
	case 'Z': return 4;
	case 'F': return 8;
	default: return 4;
	}
}

static int asi_seq_disarm(struct ogate_stage *s)
{
	return asi_card_command(s, "TTL X=0");
}

/* Stored positions as the controller counts them; -ENOTSUP on firmware without "RM X?". */
static int asi_seq_count(struct ogate_stage *s, long *count)
{
	char cmd[32], line[96];
	int code = 0, rc;

	asi_card_cmd(s, cmd, sizeof(cmd), "RM X?");
	rc = stage_xfer(s, cmd, ASI_EOL, true, line, sizeof(line));
	if (rc)
		return rc;
	rc = asi_parse_query(line, 'X', count, &code);
	if (rc == -EIO && code == 1)
		return -ENOTSUP; /* ":N-1": older firmware, no count query */
	if (rc)
		return asi_fail_reply(s, rc, cmd, line, code, "\":A X=<count>\"");
	return 0;
}

static int asi_seq_load(struct ogate_stage *s, const double *um, size_t n)
{
	char cmd[64];
	long count = -1;
	int rc = asi_seq_disarm(s);

	if (!rc)
		rc = asi_card_command(s, "RM X=0");
	for (size_t i = 0; !rc && i < n; i++) {
		snprintf(cmd, sizeof(cmd), "LD %c=%.1f", s->opts.axis, um[i] * s->scale);
		rc = asi_command(s, cmd);
	}
	if (rc)
		return rc;
	rc = asi_seq_count(s, &count);
	if (rc == -ENOTSUP) {
		stage_log(s, 5,
			  "asi: firmware cannot report the ring buffer count (RM X? -> :N-1); "
			  "%zu positions loaded unverified",
			  n);
		return 0;
	}
	if (rc)
		return rc;
	if (count != (long)n)
		return stage_fail(s, -EIO,
				  "sequence: loaded %zu positions but the controller holds "
				  "%ld (ring buffer smaller than configured?)",
				  n, count);
	s->seq_verified = true;
	return 0;
}

static int asi_seq_arm(struct ogate_stage *s)
{
	char cmd[48];
	int rc;

	snprintf(cmd, sizeof(cmd), "RM Y=%d Z=0", asi_axis_byte(s));
	rc = asi_card_command(s, cmd);
	return rc ? rc : asi_card_command(s, "TTL X=1");
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
	.seq_load = asi_seq_load,
	.seq_arm = asi_seq_arm,
	.seq_disarm = asi_seq_disarm,
};
