// SPDX-License-Identifier: LGPL-2.1-or-later
/* Simulated ASI MS-2000 (CR commands, CR LF replies, :A / :N-x). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ctl.h"

void fake_asi_init(struct fake_asi *m)
{
	memset(m, 0, sizeof(*m));
	m->axis = 'Z';
	m->speed = 500000.0;   /* tenths of µm per s (50 mm/s): test moves take ms */
	m->lo = -100000.0;
	m->hi = 100000.0;
}

static void advance(struct fake_asi *m)
{
	double dist, done;

	if (!m->moving)
		return;
	dist = fabs(m->target - m->from);
	done = m->speed * (double)(fake_now_ns() - m->t0) / 1e9;
	if (done < dist) {
		m->pos = m->from + copysign(done, m->target - m->from);
		return;
	}
	m->pos = m->target;
	m->moving = false;
}

static void go(struct fake_asi *m, double target)
{
	m->from = m->pos;
	m->target = target;
	m->t0 = fake_now_ns();
	m->moving = true;
}

/* "<axis>=<number>" for this model's axis */
static const char *axis_arg(struct fake_asi *m, const char *a, double *v)
{
	char *end;

	if (a[0] != m->axis || a[1] != '=')
		return ":N-2";
	*v = strtod(a + 2, &end);
	if (end == a + 2 || *end)
		return ":N-3";
	return NULL;
}

void fake_asi_handle(struct fake_ctl *f, const char *line)
{
	struct fake_asi *m = f->model;
	char key[4], out[64];
	const char *err;
	double v;

	snprintf(key, sizeof(key), "%c", line[0]);
	advance(m);
	if (!strcmp(line, "/")) {
		fake_reply(f, key, m->moving ? "B" : "N");
	} else if (!strcmp(line, "\\")) {
		m->moving = false;
		m->target = m->pos;
		fake_reply(f, key, ":A");
	} else if (line[0] == 'W' && line[1] == ' ') {
		if (line[2] != m->axis || line[3]) {
			fake_reply(f, key, ":N-2");
			return;
		}
		snprintf(out, sizeof(out), ":A %.0f ", m->pos);
		fake_reply(f, key, out);
	} else if (line[0] == '!' && line[1] == ' ') {
		if (line[2] != m->axis || line[3]) {
			fake_reply(f, key, ":N-2");
			return;
		}
		go(m, 0.0);
		fake_reply(f, key, ":A");
	} else if ((line[0] == 'M' || line[0] == 'R') && line[1] == ' ') {
		err = axis_arg(m, line + 2, &v);
		if (!err && line[0] == 'R')
			v += m->pos;
		if (!err && (v < m->lo || v > m->hi))
			err = ":N-4";
		if (err) {
			fake_reply(f, key, err);
			return;
		}
		go(m, v);
		fake_reply(f, key, ":A");
	} else {
		fake_reply(f, key, ":N-1");
	}
}
