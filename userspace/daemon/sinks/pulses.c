// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ogate.h"
#include "pulses.h"

void ogate_pulses_init(struct ogate_pulse_table *t, unsigned int nlines)
{
	memset(t, 0, sizeof(*t));
	t->nlines = nlines;
}

static int overlaps(uint32_t ma, int64_t sa, uint32_t wa, uint32_t mb, int64_t sb, uint32_t wb)
{
	return (ma & mb) && sa < sb + (int64_t)wb && sb < sa + (int64_t)wa;
}

static int check(const struct ogate_pulse_table *t, const struct ogate_pulse_req *r, int64_t now)
{
	if (!r->line_mask || (t->nlines < 32 && (r->line_mask >> t->nlines)))
		return -ENXIO;
	if (r->width_ns < OGATE_MIN_WIDTH_NS || r->width_ns > OGATE_MAX_WIDTH_NS)
		return -EDOM;
	if (r->time_ns > now + (int64_t)OGATE_MAX_FUTURE_NS)
		return -ERANGE;
	if (r->time_ns < now && now - r->time_ns > (int64_t)r->late_ns)
		return -ETIME;
	return 0;
}

int ogate_pulses_add(struct ogate_pulse_table *t, const struct ogate_pulse_req *p, size_t n, int64_t now)
{
	size_t i, j, k;
	int ret;

	for (i = 0; i < n; i++) {
		ret = check(t, &p[i], now);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (overlaps(p[i].line_mask, p[i].time_ns, p[i].width_ns, p[j].line_mask,
				     p[j].time_ns, p[j].width_ns))
				return -EBUSY;
		for (k = 0; k < OGATE_PULSE_TABLE_SIZE; k++) {
			const struct ogate_pulse_slot *s = &t->slot[k];
			int64_t start = s->state == OGATE_SLOT_ACTIVE ? s->rise_ns : s->req.time_ns;

			if (s->state != OGATE_SLOT_FREE &&
			    overlaps(p[i].line_mask, p[i].time_ns, p[i].width_ns, s->req.line_mask,
				     start, s->req.width_ns))
				return -EBUSY;
		}
	}
	if (t->used + n > OGATE_PULSE_TABLE_SIZE)
		return -ENOSPC;
	for (i = 0, k = 0; i < n; i++) {
		while (t->slot[k].state != OGATE_SLOT_FREE)
			k++;
		t->slot[k] = (struct ogate_pulse_slot){ .req = p[i], .state = OGATE_SLOT_PENDING };
		t->used++;
	}
	return 0;
}

static int64_t slot_edge(const struct ogate_pulse_slot *s)
{
	return s->state == OGATE_SLOT_PENDING ? s->req.time_ns : s->rise_ns + s->req.width_ns;
}

static void lines_get(struct ogate_pulse_table *t, uint32_t mask)
{
	unsigned int b;

	for (b = 0; b < OGATE_SINK_MAX_LINES; b++)
		if ((mask >> b & 1) && t->users[b]++ == 0)
			t->values |= 1U << b;
}

static void lines_put(struct ogate_pulse_table *t, uint32_t mask)
{
	unsigned int b;

	for (b = 0; b < OGATE_SINK_MAX_LINES; b++)
		if ((mask >> b & 1) && --t->users[b] == 0)
			t->values &= ~(1U << b);
}

static void slot_free(struct ogate_pulse_table *t, struct ogate_pulse_slot *s)
{
	s->state = OGATE_SLOT_FREE;
	t->used--;
}

static uint32_t active_lines(const struct ogate_pulse_table *t);

/* A rise waiting for another pulse to free its line counts from that fall. */
int64_t ogate_pulses_next_edge(const struct ogate_pulse_table *t)
{
	uint32_t held = active_lines(t);
	int64_t next = INT64_MAX;
	unsigned int k;

	for (k = 0; k < OGATE_PULSE_TABLE_SIZE; k++) {
		const struct ogate_pulse_slot *s = &t->slot[k];

		if (s->state == OGATE_SLOT_FREE ||
		    (s->state == OGATE_SLOT_PENDING && (s->req.line_mask & held)))
			continue;
		if (slot_edge(s) < next)
			next = slot_edge(s);
	}
	return next;
}

static uint32_t active_lines(const struct ogate_pulse_table *t)
{
	uint32_t m = 0;
	unsigned int b;

	for (b = 0; b < OGATE_SINK_MAX_LINES; b++)
		if (t->users[b])
			m |= 1U << b;
	return m;
}

int ogate_pulses_due(struct ogate_pulse_table *t, int64_t now, ogate_pulse_cb cb, void *ctx)
{
	uint32_t touched = 0; /* lines already changed in this write */
	int n = 0;

	/*
	 * Take due edges earliest first, at most one per line per write, so
	 * every edge reaches the pin. A rise on a line another pulse still
	 * holds (it rose late, or the two touch) waits for that fall: pulses
	 * keep their width and never merge; the waiting one may turn late.
	 */
	for (;;) {
		uint32_t held = active_lines(t);
		struct ogate_pulse_slot *s = NULL;
		unsigned int k;

		for (k = 0; k < OGATE_PULSE_TABLE_SIZE; k++) {
			struct ogate_pulse_slot *c = &t->slot[k];

			if (c->state == OGATE_SLOT_FREE || c->edge_due || slot_edge(c) > now ||
			    (c->state == OGATE_SLOT_PENDING && (c->req.line_mask & held)) ||
			    (s && slot_edge(c) >= slot_edge(s)))
				continue;
			s = c;
		}
		if (!s || (s->req.line_mask & touched))
			return n; /* the rest wait for the next write */
		if (s->state == OGATE_SLOT_PENDING) {
			if (now - s->req.time_ns > (int64_t)s->req.late_ns) {
				cb(ctx, s, OGATE_SINK_MISSED, now, 0);
				slot_free(t, s);
				continue;
			}
			lines_get(t, s->req.line_mask);
		} else {
			lines_put(t, s->req.line_mask);
		}
		touched |= s->req.line_mask;
		s->edge_due = 1;
		n++;
	}
}

void ogate_pulses_commit(struct ogate_pulse_table *t, int64_t t_set, ogate_pulse_cb cb, void *ctx)
{
	unsigned int k;

	for (k = 0; k < OGATE_PULSE_TABLE_SIZE; k++) {
		struct ogate_pulse_slot *s = &t->slot[k];

		if (!s->edge_due)
			continue;
		s->edge_due = 0;
		if (s->state == OGATE_SLOT_PENDING) {
			s->state = OGATE_SLOT_ACTIVE;
			s->rise_ns = t_set;
		} else {
			cb(ctx, s, OGATE_SINK_FIRED, s->rise_ns, t_set);
			slot_free(t, s);
		}
	}
}

int ogate_pulses_cancel(struct ogate_pulse_table *t, int end_active, ogate_pulse_cb cb, void *ctx)
{
	unsigned int k;
	int n = 0;

	for (k = 0; k < OGATE_PULSE_TABLE_SIZE; k++) {
		struct ogate_pulse_slot *s = &t->slot[k];

		if (s->state == OGATE_SLOT_FREE || (s->state == OGATE_SLOT_ACTIVE && !end_active))
			continue;
		if (s->state == OGATE_SLOT_ACTIVE)
			lines_put(t, s->req.line_mask);
		cb(ctx, s, OGATE_SINK_CANCELLED, 0, 0);
		slot_free(t, s);
		n++;
	}
	return n;
}

void ogate_evq_push(struct ogate_evq *q, const struct ogate_sink_event *ev)
{
	if (q->head - q->tail >= OGATE_EVQ_SIZE) {
		q->lost++;
		return;
	}
	q->ev[q->head++ % OGATE_EVQ_SIZE] = *ev;
}

int ogate_evq_pop(struct ogate_evq *q, struct ogate_sink_event *ev, size_t max)
{
	size_t n = 0;

	if (q->lost && max) {
		ev[n++] = (struct ogate_sink_event){ .type = OGATE_SINK_LOST, .seq = q->lost };
		q->lost = 0;
	}
	while (n < max && q->tail != q->head)
		ev[n++] = q->ev[q->tail++ % OGATE_EVQ_SIZE];
	return (int)n;
}

bool ogate_evq_pending(const struct ogate_evq *q)
{
	return q->lost || q->tail != q->head;
}

void ogate_evq_pulse_cb(void *ctx, const struct ogate_pulse_slot *s,
			enum ogate_sink_event_type type, int64_t rise_ns, int64_t fall_ns)
{
	struct ogate_sink_event ev = {
		.type = type,
		.line = s->req.line_mask,
		.cookie = s->req.cookie,
		.time_ns = s->req.time_ns,
		.rise_ns = rise_ns,
		.fall_ns = fall_ns,
	};

	ogate_evq_push(ctx, &ev);
}
