// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Simulated stage for dry runs: moves at a constant speed (opts.sim_speed_um_s)
 * on CLOCK_MONOTONIC, so waiting until still takes as long as a real move.
 * Homing drives to 0 µm. Soft limits are the configured ones.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "stage-private.h"

struct sim {
	double speed;	 /* µm/s */
	double from, to; /* current segment */
	int64_t t0;	 /* segment start, ns */
	bool moving;
};

static struct sim *sim(struct ogate_stage *s)
{
	return s->priv;
}

/* Position at time t; ends the segment once reached. */
static double sim_pos_at(struct sim *m, int64_t t)
{
	double dist, travelled;

	if (!m->moving)
		return m->to;
	dist = fabs(m->to - m->from);
	travelled = m->speed * (double)(t - m->t0) / 1e9;
	if (travelled >= dist) {
		m->moving = false;
		m->from = m->to;
		return m->to;
	}
	return m->from + copysign(travelled, m->to - m->from);
}

static int sim_open(struct ogate_stage *s)
{
	struct sim *m = sim(s);

	if (!(s->opts.sim_speed_um_s > 0) || !isfinite(s->opts.sim_speed_um_s))
		return stage_fail(s, -EINVAL, "sim: speed %g µm/s must be positive",
				  s->opts.sim_speed_um_s);
	if (!isfinite(s->opts.sim_start_um) || s->opts.sim_start_um < s->min_um ||
	    s->opts.sim_start_um > s->max_um)
		return stage_fail(s, -EINVAL, "sim: start position %g µm outside the soft limits",
				  s->opts.sim_start_um);
	m->speed = s->opts.sim_speed_um_s;
	s->scale = 1.0;
	m->from = m->to = s->opts.sim_start_um;
	snprintf(s->identity, sizeof(s->identity), "simulated stage, %g µm/s", m->speed);
	return 0;
}

static void sim_close(struct ogate_stage *s)
{
}

static int sim_go(struct ogate_stage *s, double target)
{
	struct sim *m = sim(s);
	int64_t now = ogate_mono_ns();

	m->from = sim_pos_at(m, now);
	m->to = target;
	m->t0 = now;
	m->moving = target != m->from;
	return 0;
}

static int sim_home(struct ogate_stage *s)
{
	if (0 < s->min_um || 0 > s->max_um)
		return stage_fail(s, -ERANGE,
				  "sim home: refused, home position 0 µm is outside "
				  "the soft limits [%.3f, %.3f] µm",
				  s->min_um, s->max_um);
	return sim_go(s, 0.0);
}

static int sim_move_abs(struct ogate_stage *s, double um)
{
	return sim_go(s, um);
}

static int sim_move_rel(struct ogate_stage *s, double um)
{
	return sim_go(s, sim_pos_at(sim(s), ogate_mono_ns()) + um);
}

static int sim_position(struct ogate_stage *s, double *um)
{
	*um = sim_pos_at(sim(s), ogate_mono_ns());
	return 0;
}

static int sim_is_moving(struct ogate_stage *s)
{
	sim_pos_at(sim(s), ogate_mono_ns());
	return sim(s)->moving;
}

static int sim_stop(struct ogate_stage *s)
{
	struct sim *m = sim(s);
	double here = sim_pos_at(m, ogate_mono_ns());

	m->from = m->to = here;
	m->moving = false;
	return 0;
}

const struct stage_ops ogate_stage_sim_ops = {
	.name = "sim",
	.priv_size = sizeof(struct sim),
	.open = sim_open,
	.close = sim_close,
	.home = sim_home,
	.move_abs = sim_move_abs,
	.move_rel = sim_move_rel,
	.position = sim_position,
	.is_moving = sim_is_moving,
	.stop = sim_stop,
};
