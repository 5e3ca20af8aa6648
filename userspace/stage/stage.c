// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The stage object: driver factory, soft limits, wait-until-still, error policy. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock-util.h"
#include "numparse.h"
#include "stage-private.h"

static const struct stage_ops *const drivers[] = {
	&ogate_stage_smc100_ops,
	&ogate_stage_asi_ops,
	&ogate_stage_sim_ops,
};

void ogate_stage_opts_init(struct ogate_stage_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->transport = "auto";
	o->address = 1;
	o->axis = 'Z';
	o->reply_timeout_ms = 500;
	o->move_timeout_ms = 60000;
	o->poll_interval_ms = 20;
	o->min_um = -INFINITY;
	o->max_um = INFINITY;
	o->sim_speed_um_s = 1000.0;
	o->seq_capacity = 50;
}

static void default_log(void *ctx, int prio, const char *msg)
{
	fprintf(stderr, "<%d>ogate-stage: %s\n", prio, msg);
}

static void vlog(struct ogate_stage *s, int prio, const char *fmt, va_list ap)
{
	char msg[STAGE_ERRLEN + 64];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (s->opts.log)
		s->opts.log(s->opts.log_ctx, prio, msg);
	else
		default_log(NULL, prio, msg);
}

void stage_log(struct ogate_stage *s, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(s, prio, fmt, ap);
	va_end(ap);
}

int stage_fail(struct ogate_stage *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
	if (!s->quiet)
		stage_log(s, 3, "%s: %s", s->ops->name, s->last_error);
	return rc;
}

void stage_escape(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t o = 0;

	if (!dstlen)
		return;
	for (size_t i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];
		char tmp[5];
		size_t l;

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			tmp[0] = (char)c;
			l = 1;
		} else if (c == '\\' || c == '"') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			l = 2;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			l = 4;
		}
		if (o + l + 1 > dstlen)
			break;
		memcpy(dst + o, tmp, l);
		o += l;
	}
	dst[o] = '\0';
}

/* A controller's number: ogate_parse_double's whole-string rule, limited to
 * decimal notation (no hex floats, "inf" or "nan"); any failure is -EPROTO. */
int stage_parse_double(const char *str, double *out)
{
	if (!(str[0] == '-' || str[0] == '+' || str[0] == '.' || (str[0] >= '0' && str[0] <= '9')))
		return -EPROTO;
	for (const char *p = str; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' ||
		      *p == 'e' || *p == 'E'))
			return -EPROTO;
	return ogate_parse_double(str, out) ? -EPROTO : 0;
}

/*
 * After a timeout the late reply may still come and would be taken for the
 * reply to the next command. Discard input until the reply timeout has
 * passed, or until a line has arrived and the port stayed quiet for 10 ms.
 */
static void drain_late_reply(struct ogate_stage *s)
{
	int64_t end = ogate_mono_ns() + (int64_t)s->opts.reply_timeout_ms * 1000000;
	char junk[128];

	for (;;) {
		size_t got;
		int e, rc = serial_read_line(s->ser, junk, sizeof(junk), end, &got, &e);

		if (rc == -ETIMEDOUT || rc == -EPIPE)
			break;
		end = ogate_mono_ns() + 10000000;
	}
	s->desync = false;
}

int stage_xfer(struct ogate_stage *s, const char *shown, const char *eol, bool expect_reply,
	       char *line, size_t linelen)
{
	char wire[128], esc[STAGE_ERRLEN / 2];
	int64_t deadline = ogate_mono_ns() + (int64_t)s->opts.reply_timeout_ms * 1000000;
	size_t got;
	int rc, e;
	int n = snprintf(wire, sizeof(wire), "%s%s", shown, eol);

	if (n < 0 || (size_t)n >= sizeof(wire))
		return stage_fail(s, -EINVAL, "%s: command too long", shown);
	if (s->desync) {
		drain_late_reply(s);
		deadline = ogate_mono_ns() + (int64_t)s->opts.reply_timeout_ms * 1000000;
	}
	serial_flush_input(s->ser);
	rc = serial_write_all(s->ser, wire, (size_t)n, deadline, &e);
	if (rc == -ETIMEDOUT)
		return stage_fail(s, rc, "%s: could not send within %d ms (flow control stuck?)",
				  shown, s->opts.reply_timeout_ms);
	if (rc)
		return stage_fail(s, rc, "%s: port %s vanished while sending (%s)", shown, s->port,
				  e ? strerror(e) : "hang-up");
	if (!expect_reply)
		return 0;
	rc = serial_read_line(s->ser, line, linelen, deadline, &got, &e);
	if (rc >= 0) { /* stray XON/XOFF bytes (no flow control in use) carry nothing */
		size_t k = 0;

		for (size_t i = 0; i < got; i++)
			if (line[i] != 0x11 && line[i] != 0x13)
				line[k++] = line[i];
		got = k;
		line[got] = '\0';
	}
	stage_escape(esc, sizeof(esc), line, got);
	if (rc == -ETIMEDOUT) {
		s->desync = true;
		return stage_fail(s, rc, "%s: no complete reply within %d ms (received \"%s\")",
				  shown, s->opts.reply_timeout_ms, esc);
	}
	if (rc == -EPIPE)
		return stage_fail(s, rc,
				  "%s: port %s vanished (%s) while waiting for the reply "
				  "(received \"%s\")",
				  shown, s->port, e ? strerror(e) : "hang-up", esc);
	if (rc == -EPROTO)
		return stage_fail(s, rc,
				  "%s: garbled reply: no line end within %zu bytes "
				  "(received \"%s\")",
				  shown, linelen - 1, esc);
	if (rc < 0)
		return stage_fail(s, rc, "%s: read failed", shown);
	for (size_t i = 0; i < got; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			return stage_fail(s, -EPROTO, "%s: garbled reply \"%s\"", shown, esc);
	}
	return 0;
}

int ogate_stage_open(struct ogate_stage **out, const struct ogate_stage_opts *opts, char *errbuf,
		     size_t errlen)
{
	const struct stage_ops *ops = NULL;
	struct ogate_stage *s;
	int rc;

	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	for (size_t i = 0; opts->driver && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->name, opts->driver))
			ops = drivers[i];
	if (!ops) {
		if (errbuf)
			snprintf(errbuf, errlen, "unknown stage driver \"%s\" (smc100, asi, sim)",
				 opts->driver ? opts->driver : "(none)");
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->priv = calloc(1, ops->priv_size ? ops->priv_size : 1))) {
		free(s);
		if (errbuf)
			snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = ops;
	s->opts = *opts;
	s->opts.driver = ops->name;
	if (opts->port && !(s->port = strdup(opts->port))) {
		rc = -ENOMEM;
		goto fail;
	}
	s->opts.port = s->port;
	if (s->opts.reply_timeout_ms <= 0)
		s->opts.reply_timeout_ms = 500;
	if (s->opts.move_timeout_ms <= 0)
		s->opts.move_timeout_ms = 60000;
	if (s->opts.poll_interval_ms <= 0)
		s->opts.poll_interval_ms = 20;
	if (!(opts->units_per_um >= 0) || !isfinite(opts->units_per_um)) {
		rc = stage_fail(s, -EINVAL, "bad units_per_um %g", opts->units_per_um);
		goto fail;
	}
	s->min_um = opts->min_um;
	s->max_um = opts->max_um;
	if (isnan(s->min_um) || isnan(s->max_um) || s->min_um > s->max_um) {
		rc = stage_fail(s, -EINVAL, "bad soft limits [%g, %g] µm", s->min_um, s->max_um);
		goto fail;
	}
	/* the transport string is not owned: valid during open only */
	s->opts.transport = opts->transport ? opts->transport : "auto";
	rc = ops->open(s);
	s->opts.transport = NULL;
	if (rc)
		goto fail;
	if (s->min_um > s->max_um) {
		rc = stage_fail(s, -EINVAL, "configured soft limits do not overlap the controller's");
		ops->close(s);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (errbuf)
		snprintf(errbuf, errlen, "%s", s->last_error[0] ? s->last_error : strerror(-rc));
	free(s->port);
	free(s->priv);
	free(s);
	return rc;
}

void ogate_stage_close(struct ogate_stage *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s->port);
	free(s->priv);
	free(s);
}

/* After a failure: leave the stage stopped, keeping the original message. */
static int stop_after(struct ogate_stage *s, int rc)
{
	char saved[STAGE_ERRLEN];
	int r2;

	if (rc >= 0 || rc == -ERANGE || rc == -EINVAL || rc == -EPIPE || rc == -ENODEV)
		return rc;
	memcpy(saved, s->last_error, sizeof(saved));
	r2 = s->ops->stop(s);
	if (r2 < 0) {
		char both[STAGE_ERRLEN];

		snprintf(both, sizeof(both), "%.300s (stop also failed: %.180s)", saved, s->last_error);
		memcpy(s->last_error, both, sizeof(both));
	} else {
		memcpy(s->last_error, saved, sizeof(saved));
	}
	return rc;
}

static int check_target(struct ogate_stage *s, const char *what, double um)
{
	if (!isfinite(um))
		return stage_fail(s, -EINVAL, "%s: target %g µm is not a finite number", what, um);
	if (um < s->min_um || um > s->max_um)
		return stage_fail(s, -ERANGE,
				  "%s: refused, target %.3f µm is outside the soft "
				  "limits [%.3f, %.3f] µm (nothing sent)",
				  what, um, s->min_um, s->max_um);
	return 0;
}

int ogate_stage_home(struct ogate_stage *s)
{
	return stop_after(s, s->ops->home(s));
}

int ogate_stage_move_abs(struct ogate_stage *s, double um)
{
	int rc = check_target(s, "move", um);

	if (rc)
		return rc;
	return stop_after(s, s->ops->move_abs(s, um));
}

int ogate_stage_move_rel(struct ogate_stage *s, double um)
{
	double pos;
	int rc;

	if (!isfinite(um))
		return stage_fail(s, -EINVAL, "relative move: %g µm is not a finite number", um);
	rc = s->ops->position(s, &pos);
	if (rc)
		return stop_after(s, rc);
	rc = check_target(s, "relative move", pos + um);
	if (rc)
		return rc;
	return stop_after(s, s->ops->move_rel(s, um));
}

int ogate_stage_position(struct ogate_stage *s, double *um)
{
	return stop_after(s, s->ops->position(s, um));
}

int ogate_stage_is_moving(struct ogate_stage *s)
{
	return stop_after(s, s->ops->is_moving(s));
}

int ogate_stage_wait_still(struct ogate_stage *s, int timeout_ms)
{
	int64_t t = timeout_ms > 0 ? timeout_ms : s->opts.move_timeout_ms;
	int64_t start = ogate_mono_ns();
	int64_t deadline = start + t * 1000000;
	int64_t period = (int64_t)s->opts.poll_interval_ms * 1000000;
	int64_t next = start;

	for (;;) {
		int rc = s->ops->is_moving(s);
		int64_t now;
		struct timespec ts;

		if (rc < 0)
			return stop_after(s, rc);
		if (rc == 0)
			return 0;
		now = ogate_mono_ns();
		if (now >= deadline) {
			stage_fail(s, -ETIMEDOUT, "still moving %lld ms after the wait started",
				   (long long)t);
			return stop_after(s, -ETIMEDOUT);
		}
		/* next poll on an absolute schedule, never past the deadline */
		next += period;
		if (next < now)
			next = now;
		if (next > deadline)
			next = deadline;
		ts.tv_sec = next / 1000000000;
		ts.tv_nsec = next % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
}

int ogate_stage_stop(struct ogate_stage *s)
{
	return s->ops->stop(s);
}

int ogate_stage_seq_capacity(const struct ogate_stage *s)
{
	if (!s->ops->seq_load)
		return 0;
	return s->opts.seq_capacity > 0 ? s->opts.seq_capacity : 50;
}

int ogate_stage_seq_load(struct ogate_stage *s, const double *um, size_t n)
{
	int cap = ogate_stage_seq_capacity(s);

	s->seq_verified = false;
	if (!cap)
		return stage_fail(s, -EOPNOTSUPP, "sequence: the %s driver cannot sequence",
				  s->ops->name);
	if (!n)
		return stage_fail(s, -EINVAL, "sequence: no positions");
	if (n > (size_t)cap)
		return stage_fail(s, -ENOSPC,
				  "sequence: %zu positions, the controller holds %d "
				  "(nothing sent)",
				  n, cap);
	for (size_t i = 0; i < n; i++) {
		char what[48];
		int rc;

		snprintf(what, sizeof(what), "sequence position %zu", i);
		rc = check_target(s, what, um[i]);
		if (rc)
			return rc;
	}
	return stop_after(s, s->ops->seq_load(s, um, n));
}

int ogate_stage_seq_arm(struct ogate_stage *s)
{
	if (!s->ops->seq_arm)
		return stage_fail(s, -EOPNOTSUPP, "sequence: the %s driver cannot sequence",
				  s->ops->name);
	return stop_after(s, s->ops->seq_arm(s));
}

int ogate_stage_seq_disarm(struct ogate_stage *s)
{
	if (!s->ops->seq_disarm)
		return stage_fail(s, -EOPNOTSUPP, "sequence: the %s driver cannot sequence",
				  s->ops->name);
	return s->ops->seq_disarm(s);
}

int ogate_stage_seq_verified(const struct ogate_stage *s)
{
	return s->seq_verified;
}

void ogate_stage_limits(const struct ogate_stage *s, double *min_um, double *max_um)
{
	*min_um = s->min_um;
	*max_um = s->max_um;
}

const char *ogate_stage_driver(const struct ogate_stage *s)
{
	return s->ops->name;
}

const char *ogate_stage_identity(const struct ogate_stage *s)
{
	return s->identity;
}

const char *ogate_stage_last_error(const struct ogate_stage *s)
{
	return s->last_error;
}
