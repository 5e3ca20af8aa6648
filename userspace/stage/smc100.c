// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Newport SMC100CC/PP: ASCII, 57600 8N1 (flow control off, see smc_open), CR LF, every command and
 * reply prefixed with the controller address (1..31). Commands that move
 * (PA, PR, OR, ST, RS) do not reply; the driver asks TE (last command error)
 * after each of them. TS returns 4 hex digits of positioner error flags and 2
 * of controller state. Positions on the wire are in millimetres.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stage-private.h"

#define SMC_EOL "\r\n"
#define SMC_RESET_MS 10000 /* RS: controller reboots, replies again after ~3 s */

struct smc100 {
	int addr;
};

/* ---- parsers (unit-tested in tests/userspace/stage/test_stage_parsers.c) ---- */

/* line must be "<addr><cmd><rest>"; *rest points into line. */
static int smc_parse_reply(const char *line, int addr, const char *cmd, const char **rest)
{
	char prefix[16];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%d%s", addr, cmd);

	if (strncmp(line, prefix, n))
		return -EPROTO;
	*rest = line + n;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -EINVAL;
}

/* TS payload: exactly 6 hex digits, "abcdef": error flags abcd, state ef. */
static int smc_parse_ts(const char *rest, unsigned *flags, unsigned *state)
{
	unsigned v = 0;

	if (strlen(rest) != 6)
		return -EPROTO;
	for (int i = 0; i < 6; i++) {
		int h = hexval(rest[i]);

		if (h < 0)
			return -EPROTO;
		v = v << 4 | (unsigned)h;
	}
	*flags = v >> 8;
	*state = v & 0xff;
	return 0;
}

enum smc_class {
	SMC_UNKNOWN,
	SMC_NOTREF,
	SMC_CONFIG,
	SMC_HOMING,
	SMC_MOVING,
	SMC_READY,
	SMC_DISABLE,
	SMC_JOGGING
};

static const struct {
	unsigned code;
	enum smc_class cls;
	const char *name;
} smc_states[] = {
	{ 0x0A, SMC_NOTREF, "NOT REFERENCED from RESET" },
	{ 0x0B, SMC_NOTREF, "NOT REFERENCED from HOMING" },
	{ 0x0C, SMC_NOTREF, "NOT REFERENCED from CONFIGURATION" },
	{ 0x0D, SMC_NOTREF, "NOT REFERENCED from DISABLE" },
	{ 0x0E, SMC_NOTREF, "NOT REFERENCED from READY" },
	{ 0x0F, SMC_NOTREF, "NOT REFERENCED from MOVING" },
	{ 0x10, SMC_NOTREF, "NOT REFERENCED, ESP stage error" },
	{ 0x11, SMC_NOTREF, "NOT REFERENCED from JOGGING" },
	{ 0x14, SMC_CONFIG, "CONFIGURATION" },
	{ 0x1E, SMC_HOMING, "HOMING commanded from RS-232-C" },
	{ 0x1F, SMC_HOMING, "HOMING commanded by SMC-RC" },
	{ 0x28, SMC_MOVING, "MOVING" },
	{ 0x32, SMC_READY, "READY from HOMING" },
	{ 0x33, SMC_READY, "READY from MOVING" },
	{ 0x34, SMC_READY, "READY from DISABLE" },
	{ 0x35, SMC_READY, "READY from JOGGING" },
	{ 0x3C, SMC_DISABLE, "DISABLE from READY" },
	{ 0x3D, SMC_DISABLE, "DISABLE from MOVING" },
	{ 0x3E, SMC_DISABLE, "DISABLE from JOGGING" },
	{ 0x46, SMC_JOGGING, "JOGGING from READY" },
	{ 0x47, SMC_JOGGING, "JOGGING from DISABLE" },
};

static enum smc_class smc_state_class(unsigned state, const char **name)
{
	for (size_t i = 0; i < sizeof(smc_states) / sizeof(smc_states[0]); i++) {
		if (smc_states[i].code == state) {
			if (name)
				*name = smc_states[i].name;
			return smc_states[i].cls;
		}
	}
	if (name)
		*name = "unknown state";
	return SMC_UNKNOWN;
}

static const char *const smc_flag_names[10] = {
	"negative end of run",	   "positive end of run",
	"peak current limit",	   "RMS current limit",
	"short circuit detection", "following error",
	"homing time-out",	   "wrong ESP stage",
	"DC voltage too low",	   "80 W output power exceeded",
};

/* Human-readable list of the TS error flags ("none" when zero). */
static void smc_flags_text(unsigned flags, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (!flags) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned b = 0; b < 16; b++) {
		int n;

		if (!(flags & (1u << b)))
			continue;
		if (b < 10)
			n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", smc_flag_names[b]);
		else
			n = snprintf(buf + o, len - o, "%sbit %u", o ? ", " : "", b);
		if (n < 0 || (size_t)n >= len - o)
			return;
		o += (size_t)n;
	}
}

/* TE code letter to text; NULL for an unknown code. '@' is "no error". */
static const char *smc_te_text(char code)
{
	switch (code) {
	case '@': return "no error";
	case 'A': return "unknown message code or floating point controller address";
	case 'B': return "controller address not correct";
	case 'C': return "parameter missing or out of range";
	case 'D': return "command not allowed";
	case 'E': return "home sequence already started";
	case 'F': return "ESP stage name unknown";
	case 'G': return "displacement out of limits";
	case 'H': return "command not allowed in NOT REFERENCED state";
	case 'I': return "command not allowed in CONFIGURATION state";
	case 'J': return "command not allowed in DISABLE state";
	case 'K': return "command not allowed in READY state";
	case 'L': return "command not allowed in HOMING state";
	case 'M': return "command not allowed in MOVING state";
	case 'N': return "current position out of software limit";
	case 'S': return "communication time-out";
	case 'U': return "error during EEPROM access";
	case 'V': return "error during command execution";
	case 'W': return "command not allowed for PP version";
	case 'X': return "command not allowed for CC version";
	default: return NULL;
	}
}

/* ---- exchanges ---- */

static struct smc100 *smc(struct ogate_stage *s)
{
	return s->priv;
}

/* Query "<addr><cmd>", expect "<addr><echo><payload>"; *payload into line. */
static int smc_query(struct ogate_stage *s, const char *cmd, const char *echo, char *line,
		     size_t len, const char **payload)
{
	char shown[64], esc[STAGE_ERRLEN / 2];
	int rc;

	snprintf(shown, sizeof(shown), "%d%s", smc(s)->addr, cmd);
	rc = stage_xfer(s, shown, SMC_EOL, true, line, len);
	if (rc)
		return rc;
	if (smc_parse_reply(line, smc(s)->addr, echo, payload)) {
		stage_escape(esc, sizeof(esc), line, strlen(line));
		return stage_fail(s, -EPROTO, "%s: garbled reply \"%s\" (expected \"%d%s...\")",
				  shown, esc, smc(s)->addr, echo);
	}
	return 0;
}

static int smc_query_number(struct ogate_stage *s, const char *cmd, const char *echo, double *v)
{
	char line[96], esc[STAGE_ERRLEN / 2];
	const char *p;
	int rc = smc_query(s, cmd, echo, line, sizeof(line), &p);

	if (rc)
		return rc;
	if (stage_parse_double(p, v)) {
		stage_escape(esc, sizeof(esc), line, strlen(line));
		return stage_fail(s, -EPROTO, "%d%s: garbled reply \"%s\" (no number after \"%d%s\")",
				  smc(s)->addr, cmd, esc, smc(s)->addr, echo);
	}
	return 0;
}

/* Read TE; *code is its letter. */
static int smc_query_te(struct ogate_stage *s, char *code, char *line, size_t len)
{
	char esc[STAGE_ERRLEN / 2];
	const char *p;
	int rc = smc_query(s, "TE", "TE", line, len, &p);

	if (rc)
		return rc;
	if (strlen(p) != 1 || !smc_te_text(p[0])) {
		stage_escape(esc, sizeof(esc), line, strlen(line));
		return stage_fail(s, -EPROTO,
				  "%dTE: garbled reply \"%s\" (expected one error "
				  "letter)",
				  smc(s)->addr, esc);
	}
	*code = p[0];
	return 0;
}

/*
 * A command without reply, then TE. ok_codes: TE letters besides '@' that
 * count as success for this command.
 */
static int smc_command(struct ogate_stage *s, const char *cmd, const char *ok_codes)
{
	char shown[64], line[64];
	char code = 0;
	int rc;

	snprintf(shown, sizeof(shown), "%d%s", smc(s)->addr, cmd);
	rc = stage_xfer(s, shown, SMC_EOL, false, NULL, 0);
	if (rc)
		return rc;
	s->quiet = true; /* logged once below, with the command that caused it */
	rc = smc_query_te(s, &code, line, sizeof(line));
	s->quiet = false;
	if (rc) {
		char inner[STAGE_ERRLEN];

		snprintf(inner, sizeof(inner), "%s", s->last_error);
		return stage_fail(s, rc, "%s: error check failed: %.400s", shown, inner);
	}
	if (code != '@' && !(ok_codes && strchr(ok_codes, code)))
		return stage_fail(s, -EIO, "%s: controller error %c (%s), reply to %dTE was \"%s\"",
				  shown, code, smc_te_text(code), smc(s)->addr, line);
	return 0;
}

static int smc_query_state(struct ogate_stage *s, unsigned *flags, unsigned *state, char *line,
			   size_t len)
{
	char esc[STAGE_ERRLEN / 2];
	const char *p;
	int rc = smc_query(s, "TS", "TS", line, len, &p);

	if (rc)
		return rc;
	if (smc_parse_ts(p, flags, state) || smc_state_class(*state, NULL) == SMC_UNKNOWN) {
		stage_escape(esc, sizeof(esc), line, strlen(line));
		return stage_fail(s, -EPROTO,
				  "%dTS: garbled reply \"%s\" (expected 4 hex error "
				  "digits and a known state)",
				  smc(s)->addr, esc);
	}
	return 0;
}

/* ---- ops ---- */

static int smc_open(struct ogate_stage *s)
{
	struct serial_cfg cfg = {
		.transport = s->opts.transport,
		.baud = s->opts.baud > 0 ? s->opts.baud : 57600,
		/*
		 * The manual says XON/XOFF, but the controller never throttles
		 * the few bytes of a command; with IXON one stray 0x13 on the
		 * line would stop our output until a restart. Off, and the
		 * bytes are dropped from replies (stage_xfer).
		 */
		.flow = SERIAL_FLOW_NONE,
	};
	char err[STAGE_ERRLEN / 2], line[96];
	const char *p;
	double lo, hi;
	unsigned flags, state;
	const char *name;
	int rc;

	if (s->opts.address < 1 || s->opts.address > 31)
		return stage_fail(s, -EINVAL, "controller address %d outside 1..31", s->opts.address);
	smc(s)->addr = s->opts.address;
	s->scale = s->opts.units_per_um > 0 ? s->opts.units_per_um : 0.001;
	rc = serial_open(&s->ser, s->port, &cfg, err, sizeof(err));
	if (rc)
		return stage_fail(s, rc, "%s", err);
	rc = smc_query(s, "ID?", "ID", line, sizeof(line), &p);
	if (rc)
		goto fail;
	snprintf(s->identity, sizeof(s->identity), "%s", p);
	rc = smc_query_number(s, "SL?", "SL", &lo);
	if (!rc)
		rc = smc_query_number(s, "SR?", "SR", &hi);
	if (rc)
		goto fail;
	if (lo > hi) {
		rc = stage_fail(s, -EPROTO,
				"%dSL?/%dSR?: controller soft limits [%g, %g] "
				"are inverted",
				smc(s)->addr, smc(s)->addr, lo, hi);
		goto fail;
	}
	s->min_um = fmax(s->min_um, lo / s->scale);
	s->max_um = fmin(s->max_um, hi / s->scale);
	rc = smc_query_state(s, &flags, &state, line, sizeof(line));
	if (rc)
		goto fail;
	smc_state_class(state, &name);
	stage_log(s, 6,
		  "smc100: %s address %d (%s, %d 8N1, no flow control): \"%s\", limits "
		  "[%g, %g] controller units, state %s",
		  s->port, smc(s)->addr, serial_transport(s->ser), cfg.baud, s->identity, lo, hi,
		  name);
	return 0;
fail:
	serial_close(s->ser);
	s->ser = NULL;
	return rc;
}

static void smc_close(struct ogate_stage *s)
{
	serial_close(s->ser);
	s->ser = NULL;
}

static int smc_home(struct ogate_stage *s)
{
	char line[64], flagtxt[160];
	unsigned flags, state;
	const char *name;
	enum smc_class cls;
	int rc = smc_query_state(s, &flags, &state, line, sizeof(line));

	if (rc)
		return rc;
	cls = smc_state_class(state, &name);
	if (cls == SMC_READY) {
		/* OR is only accepted when NOT REFERENCED: reset first */
		int64_t deadline = ogate_mono_ns() + (int64_t)SMC_RESET_MS * 1000000;
		char shown[16];

		snprintf(shown, sizeof(shown), "%dRS", smc(s)->addr);
		rc = stage_xfer(s, shown, SMC_EOL, false, NULL, 0);
		if (rc)
			return rc;
		/* The controller reboots and does not answer for a while. */
		for (;;) {
			s->quiet = true;
			rc = smc_query_state(s, &flags, &state, line, sizeof(line));
			s->quiet = false;
			if (!rc && smc_state_class(state, NULL) == SMC_NOTREF)
				break;
			if (rc == -EPIPE)
				return rc;
			if (ogate_mono_ns() >= deadline)
				return stage_fail(s, -ETIMEDOUT,
						  "%s: controller not back in NOT "
						  "REFERENCED state within %d ms (last: %s)",
						  shown, SMC_RESET_MS, rc ? s->last_error : line);
		}
		s->last_error[0] = '\0';
		cls = SMC_NOTREF;
	}
	if (cls != SMC_NOTREF) {
		smc_flags_text(flags, flagtxt, sizeof(flagtxt));
		return stage_fail(s,
				  cls == SMC_MOVING || cls == SMC_HOMING || cls == SMC_JOGGING ? -EBUSY
											       : -EIO,
				  "%dOR: cannot home in state %s (%dTS -> \"%s\", errors: %s)",
				  smc(s)->addr, name, smc(s)->addr, line, flagtxt);
	}
	return smc_command(s, "OR", NULL);
}

static int smc_move_abs(struct ogate_stage *s, double um)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "PA%.6f", um * s->scale);
	return smc_command(s, cmd, NULL);
}

static int smc_move_rel(struct ogate_stage *s, double um)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "PR%.6f", um * s->scale);
	return smc_command(s, cmd, NULL);
}

static int smc_position(struct ogate_stage *s, double *um)
{
	double v;
	int rc = smc_query_number(s, "TP", "TP", &v);

	if (!rc)
		*um = v / s->scale;
	return rc;
}

static int smc_is_moving(struct ogate_stage *s)
{
	char line[64], flagtxt[160];
	unsigned flags, state;
	const char *name;
	int rc = smc_query_state(s, &flags, &state, line, sizeof(line));

	if (rc)
		return rc;
	switch (smc_state_class(state, &name)) {
	case SMC_HOMING:
	case SMC_MOVING:
	case SMC_JOGGING: return 1;
	case SMC_READY: return 0;
	default:
		smc_flags_text(flags, flagtxt, sizeof(flagtxt));
		return stage_fail(s, -EIO, "%dTS: controller in state %s (reply \"%s\", errors: %s)",
				  smc(s)->addr, name, line, flagtxt);
	}
}

static int smc_stop(struct ogate_stage *s)
{
	/* ST when nothing moves may be refused per state; the stage is still then */
	return smc_command(s, "ST", "HIJK");
}

const struct stage_ops ogate_stage_smc100_ops = {
	.name = "smc100",
	.priv_size = sizeof(struct smc100),
	.open = smc_open,
	.close = smc_close,
	.home = smc_home,
	.move_abs = smc_move_abs,
	.move_rel = smc_move_rel,
	.position = smc_position,
	.is_moving = smc_is_moving,
	.stop = smc_stop,
};
