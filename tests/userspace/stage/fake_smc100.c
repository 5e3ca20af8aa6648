// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Simulated Newport SMC100 (address prefix, CR LF, TE/TS semantics). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ctl.h"

void fake_smc100_init(struct fake_smc100 *m)
{
	memset(m, 0, sizeof(*m));
	m->addr = 1;
	m->state = 0x0A; /* NOT REFERENCED from RESET */
	m->te = '@';
	m->sl = -12.5;
	m->sr = 12.5;
	m->speed = 50.0; /* mm/s: short test moves take milliseconds */
	m->reset_ms = 100;
}

static bool in_motion(unsigned st)
{
	return st == 0x28 || st == 0x1E;
}

static void advance(struct fake_smc100 *m)
{
	int64_t now = ogate_mono_ns();
	double dist, done;

	if (!in_motion(m->state))
		return;
	dist = fabs(m->target - m->from);
	done = m->speed * (double)(now - m->t0) / 1e9;
	if (done < dist) {
		m->pos = m->from + copysign(done, m->target - m->from);
		return;
	}
	if (m->fail_next_move) {
		m->fail_next_move = false;
		m->pos = m->from + (m->target - m->from) / 2;
		if (m->state == 0x1E) {
			m->flags |= 0x0040; /* homing time-out */
			m->state = 0x0B;    /* NOT REFERENCED from HOMING */
		} else {
			m->flags |= 0x0020; /* following error */
			m->state = 0x0F;    /* NOT REFERENCED from MOVING */
		}
		return;
	}
	m->pos = m->target;
	m->state = m->state == 0x1E ? 0x32 : 0x33;
}

static void start_move(struct fake_smc100 *m, double target, unsigned st)
{
	m->from = m->pos;
	m->target = target;
	m->t0 = ogate_mono_ns();
	m->state = st;
}

static char state_error(unsigned st)
{
	if (st >= 0x0A && st <= 0x11)
		return 'H';
	if (st == 0x14)
		return 'I';
	if (st >= 0x3C && st <= 0x3E)
		return 'J';
	if (st >= 0x32 && st <= 0x35)
		return 'K';
	if (st == 0x1E)
		return 'L';
	return 'M';
}

static bool parse_num(const char *s, double *v)
{
	char *end;

	if (!*s)
		return false;
	*v = strtod(s, &end);
	return !*end;
}

void fake_smc100_handle(struct fake_ctl *f, const char *line)
{
	struct fake_smc100 *m = f->model;
	char key[8] = "", out[128];
	const char *p = line, *arg;
	int addr = 0;
	double v;

	if (ogate_mono_ns() < m->silent_until)
		return; /* rebooting after RS */
	while (isdigit((unsigned char)*p))
		addr = addr * 10 + (*p++ - '0');
	if (addr != m->addr)
		return; /* another controller's command */
	snprintf(key, sizeof(key), "%.2s", p);
	arg = p + strlen(key);
	if (!strcmp(arg, "?") && strlen(key) == 2) {
		key[2] = '?';
		key[3] = '\0';
		arg++;
	}
	advance(m);
	if (!strcmp(key, "ID?")) {
		snprintf(out, sizeof(out), "%dIDLTA-HS_fake_SMC100CC", m->addr);
		fake_reply(f, key, out);
	} else if (!strcmp(key, "SL?")) {
		snprintf(out, sizeof(out), "%dSL%g", m->addr, m->sl);
		fake_reply(f, key, out);
	} else if (!strcmp(key, "SR?")) {
		snprintf(out, sizeof(out), "%dSR%g", m->addr, m->sr);
		fake_reply(f, key, out);
	} else if (!strcmp(key, "TP")) {
		snprintf(out, sizeof(out), "%dTP%.6f", m->addr, m->pos);
		fake_reply(f, key, out);
	} else if (!strcmp(key, "TS")) {
		snprintf(out, sizeof(out), "%dTS%04X%02X", m->addr, m->flags, m->state);
		fake_reply(f, key, out);
	} else if (!strcmp(key, "TE")) {
		snprintf(out, sizeof(out), "%dTE%c", m->addr, m->te);
		m->te = '@';
		fake_reply(f, key, out);
	} else if (!strcmp(key, "PA") || !strcmp(key, "PR")) {
		if (!parse_num(arg, &v))
			m->te = 'C';
		else if (!(m->state >= 0x32 && m->state <= 0x35))
			m->te = state_error(m->state);
		else if ((key[1] == 'R' ? m->pos + v : v) < m->sl ||
			 (key[1] == 'R' ? m->pos + v : v) > m->sr)
			m->te = 'C';
		else
			start_move(m, key[1] == 'R' ? m->pos + v : v, 0x28);
		fake_reply(f, key, NULL);
	} else if (!strcmp(key, "OR")) {
		if (m->state >= 0x0A && m->state <= 0x11) {
			m->flags = 0;
			start_move(m, 0.0, 0x1E);
		} else {
			m->te = state_error(m->state);
		}
		fake_reply(f, key, NULL);
	} else if (!strcmp(key, "RS")) {
		m->state = 0x0A;
		m->te = '@';
		m->silent_until = ogate_mono_ns() + (int64_t)m->reset_ms * 1000000;
		fake_reply(f, key, NULL);
	} else if (!strcmp(key, "ST")) {
		if (m->state == 0x28)
			m->state = 0x33;
		else if (m->state == 0x1E)
			m->state = 0x0B;
		m->target = m->pos;
		fake_reply(f, key, NULL);
	} else {
		m->te = 'A';
		fake_reply(f, key, NULL);
	}
}
