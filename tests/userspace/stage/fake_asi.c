// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Simulated ASI MS-2000 (CR commands, CR LF replies, :A / :N-x), with the
 * RING BUFFER module as ASI documents it: LD appends, RM X=0 clears, RM X?
 * counts, RM Y= sets the axis mask, RM Z= the pointer, a bare RM (or a TTL
 * pulse with TTL X=1) moves to the next stored position, wrapping.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ctl.h"

void fake_asi_init(struct fake_asi *m)
{
	memset(m, 0, sizeof(*m));
	m->axis = 'Z';
	m->speed = 500000.0; /* tenths of µm per s (50 mm/s): test moves take ms */
	m->lo = -100000.0;
	m->hi = 100000.0;
	m->rb_cap = 50;
	m->axis_byte = 3;
}

static void advance(struct fake_asi *m)
{
	double dist, done;

	if (!m->moving)
		return;
	dist = fabs(m->target - m->from);
	done = m->speed * (double)(ogate_mono_ns() - m->t0) / 1e9;
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
	m->t0 = ogate_mono_ns();
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

/* MS-2000 axis order: X 1, Y 2, Z 4, F 8 */
static int axis_bit(char axis)
{
	return axis == 'X' ? 1 : axis == 'Y' ? 2 : axis == 'Z' ? 4 : axis == 'F' ? 8 : 0;
}

/* Move to the next stored position (a TTL pulse or a bare RM). */
static void rb_next(struct fake_asi *m)
{
	if (!m->rb_n)
		return;
	if (m->axis_byte & axis_bit(m->axis)) {
		go(m, m->rb[m->rb_ptr]);
		m->ttl_moves++;
	}
	m->rb_ptr = (m->rb_ptr + 1) % m->rb_n;
}

double fake_asi_position(struct fake_ctl *f)
{
	struct fake_asi *m = f->model;
	double p;

	pthread_mutex_lock(&f->lock);
	advance(m);
	p = m->pos;
	pthread_mutex_unlock(&f->lock);
	return p;
}

void fake_asi_ttl(struct fake_ctl *f)
{
	struct fake_asi *m = f->model;

	pthread_mutex_lock(&f->lock);
	advance(m);
	if (!m->ttl_pulses++)
		m->rx_at_first_ttl = f->rx_count;
	m->rx_at_last_ttl = f->rx_count;
	if (m->ttl_in_mode == 1)
		rb_next(m);
	pthread_mutex_unlock(&f->lock);
}

/* "RM ..." and "TTL ..." (after the card prefix): NULL reply means ":A". */
static const char *ring_cmd(struct fake_asi *m, const char *line, char *out, size_t outlen)
{
	int is_rm = !strncmp(line, "RM", 2);
	const char *p = line + (is_rm ? 2 : 3);
	char *end;

	if (is_rm && !*p) {
		rb_next(m);
		return NULL;
	}
	if (*p != ' ')
		return ":N-1";
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	for (; *p;) {
		char letter = p[0];
		long v;

		if (p[1] == '?') {
			if (is_rm && letter == 'X') {
				if (m->no_count_query)
					return ":N-1";
				snprintf(out, outlen, ":A X=%d", m->rb_n);
			} else if (!is_rm && letter == 'X') {
				snprintf(out, outlen, ":A X=%d", m->ttl_in_mode);
			} else {
				return ":N-2";
			}
			return out;
		}
		if (p[1] != '=')
			return ":N-3";
		v = strtol(p + 2, &end, 10);
		if (end == p + 2 || (*end && *end != ' '))
			return ":N-3";
		if (is_rm && letter == 'X') {
			if (v != 0)
				return ":N-4";
			m->rb_n = m->rb_ptr = 0;
		} else if (is_rm && letter == 'Y') {
			if (v < 0 || v > 31)
				return ":N-4";
			m->axis_byte = (int)v;
		} else if (is_rm && letter == 'Z') {
			if (v < 0 || v >= m->rb_cap)
				return ":N-4";
			m->rb_ptr = (int)v;
		} else if (!is_rm && letter == 'X') {
			if (v < 0 || v > 30)
				return ":N-4";
			m->ttl_in_mode = (int)v;
		} else {
			return ":N-2";
		}
		for (p = end; *p == ' '; p++)
			;
	}
	return NULL;
}

void fake_asi_handle(struct fake_ctl *f, const char *line)
{
	struct fake_asi *m = f->model;
	char key[4], out[64];
	const char *err;
	bool prefixed = false;
	double v;

	snprintf(key, sizeof(key), "%c", line[0]);
	advance(m);
	if (m->card > 0 && (line[0] >= '0' && line[0] <= '9')) {
		char *after;
		long card = strtol(line, &after, 10);

		if (card != m->card) {
			fake_reply(f, key, ":N-7"); /* invalid card address */
			return;
		}
		line = after;
		prefixed = true;
		snprintf(key, sizeof(key), "%c", line[0]);
	}
	if (!strncmp(line, "RM", 2) || !strncmp(line, "TTL", 3)) {
		/* on a Tiger these are card-addressed: without the card, unknown */
		err = m->card > 0 && !prefixed ? ":N-1" : ring_cmd(m, line, out, sizeof(out));
		fake_reply(f, key, err ? err : ":A");
	} else if (line[0] == 'L' && line[1] == 'D' && line[2] == ' ') {
		err = axis_arg(m, line + 3, &v);
		if (!err && m->rb_n >= m->rb_cap)
			err = m->full_ld_acks ? NULL : ":N-4";
		if (err) {
			fake_reply(f, key, err);
			return;
		}
		if (m->rb_n < m->rb_cap)
			m->rb[m->rb_n++] = v;
		fake_reply(f, key, ":A");
	} else if (!strcmp(line, "/")) {
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
