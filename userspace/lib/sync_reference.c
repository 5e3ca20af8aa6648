// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The current reference and its target (its smoothing: sync_smooth.c); refresh: a new reference determined on the side, its frames moved under a drift and then aligned by OGA from dot products, both spread over frames, then switched in. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sync_private.h"

void sync_set_target(struct ogate_sync *s, double u)
{
	double P = s->info.period_frames;
	u = fmod(u, P);
	if (u < 0)
		u += P;
	s->info.target_u = u;
	/* the target is a reference position: its phase is that of its capture time */
	s->info.target_phase =
		ogate_wrap_2pi(2 * M_PI * ogate_ref_position(s->pos, (size_t)s->L, u + OGATE_NE) / P);
}

/* the sequence of the current reference (the slot sync_make_current took), NULL if none */
const struct seq *sync_current_seq(const struct ogate_sync *s)
{
	for (int k = 0; k < s->nseq; k++)
		if (s->sq[k].pos == s->pos)
			return &s->sq[k];
	return NULL;
}

/* Make sequence slot k the current reference with target tu (unpadded frames). */
void sync_make_current(struct ogate_sync *s, int k, double tu)
{
	uint32_t id = s->info.id + 1;
	s->ref = s->sq[k].f;
	s->step = s->sq[k].step;
	s->pos = s->sq[k].pos;
	memcpy(s->roi, s->sq[k].roi, sizeof(s->roi));
	s->step_med = s->sq[k].step_med;
	s->L = s->sq[k].L;
	s->info = s->sq[k].info;
	s->info.id = id;
	sync_set_target(s, tu); /* at the recorded frames' positions */
	s->sq[k].info = s->info;
	s->info.smoothed = 0;
	s->info.along_frames = 1;
	s->info.repeat_z = NAN;
	s->info.change_m = NAN;
	/* a job spread over the next frames (sync.c holds them until it is done), or at once;
	 * after the frames' move where that is spread too (sync_scan_shift_work starts it) */
	if (s->set.ref_smooth && s->shift.q != &s->sq[k] && sync_smooth_start(s, k) > 0 &&
	    s->smooth_budget <= 0)
		sync_smooth_work(s, 0);
	s->have_ref = 1;
	s->dx = s->dy = 0;
	s->fdx = s->fdy = 0;
	s->fvx = s->fvy = 0;
	s->ref_vel[0] = s->sq[k].vel[0];
	s->ref_vel[1] = s->sq[k].vel[1];
	s->fvx = -s->ref_vel[0]; /* the tracked drift moves so (sync_driftreg.c, drift_to) */
	s->fvy = -s->ref_vel[1];
	sync_scan_drift_start(s, &s->sq[k]); /* frames moved to one position (sync_refmove.c) */
	s->fv0[0] = s->fvx;
	s->fv0[1] = s->fvy;
	s->drift_u = NAN;
	s->have_expect = 0;
	s->triggers_since_ref = 0;
	s->frames_since_ref = 0;
	ogate_predictor_reset(s->pred);
	sync_calib_reset(s);
}

/*
 * sync_reference_steps (sync_refsteps.c) with its SADs read from the determination's stored rows
 * (sync_ref_stored_sad) where they are the same: the region is the whole frame (sync.roi = 0)
 * and the metric the SAD (sync.ssd needs its own curve); otherwise, or where a row does not
 * reach, sync_reference_steps itself. The steps and their median by the same
 * sync_reference_steps_from.
 */
void sync_reference_steps_stored(struct ogate_sync *s, struct seq *q)
{
	int L = q->L;
	if (s->set.roi || s->ssd || L < 3) {
		sync_reference_steps(s, q);
		return;
	}
	sync_roi_learn(s, q); /* the whole frame */
	double *adj = calloc(3 * (size_t)L, sizeof(double));
	if (!adj) {
		sync_reference_steps(s, q);
		return;
	}
	double *skip = adj + L, *scratch = skip + L;
	int r = sync_reference_row_step(s, s->w, s->h);
	int hr = (s->h + r - 1) / r;
	for (int j = 0; j + 2 <= L; j++) {
		if (!sync_ref_stored_sad(s, j, j + 1, &adj[j]) ||
		    (j + 2 < L && !sync_ref_stored_sad(s, j, j + 2, &skip[j]))) {
			free(adj);
			sync_reference_steps(s, q);
			return;
		}
		adj[j] *= (double)s->h / hr; /* back to the whole region's scale */
		if (j + 2 < L)
			skip[j] *= (double)s->h / hr;
	}
	sync_reference_steps_from(s, q, adj, skip, scratch);
	free(adj);
}

int sync_grow(void **p, int *cap, int need, size_t elem)
{
	if (need <= *cap)
		return 0;
	int nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, (size_t)nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static int add_task(struct ogate_sync *s, const struct ogate_frame *a, const struct ogate_frame *b,
		    double *out)
{
	if (sync_grow((void **)&s->tasks, &s->task_cap, s->ntasks + 1, sizeof(*s->tasks)))
		return -ENOMEM;
	s->tasks[s->ntasks++] = (struct dot_task){ a, b, out };
	return 0;
}

static int add_adj_tasks(struct ogate_sync *s, struct seq *q)
{
	for (int i = 0; i < q->L; i++)
		if (add_task(s, q->f[i], q->f[i], &q->adj[i]) ||
		    add_task(s, q->f[i], q->f[(i + 1) % q->L], &q->adj[q->L + i]))
			return -ENOMEM;
	q->have_adj = 1; /* complete once the task list has run */
	return 0;
}

/* A new reference (OGA index g = g_cur + 1) sits in slot pend: queue every dot product its
 * alignment against the previous max_offset references needs. */
static int start_alignment(struct ogate_sync *s)
{
	int g = s->g_cur + 1, kmax = s->set.oga_max_offset;
	struct seq *np = &s->sq[s->pend];
	s->ntasks = s->task_pos = 0;
	if (add_adj_tasks(s, np))
		return -ENOMEM;
	for (int k = 0; k < kmax && g - 1 - k >= 0; k++) {
		struct seq *pq = &s->sq[(g - 1 - k) % s->nseq];
		if (!pq->have_adj && add_adj_tasks(s, pq))
			return -ENOMEM;
		free(s->gram[k]);
		s->gram[k] = malloc(sizeof(double) * (size_t)pq->L * (size_t)np->L);
		if (!s->gram[k])
			return -ENOMEM;
		for (int a = 0; a < pq->L; a++)
			for (int b = 0; b < np->L; b++)
				if (add_task(s, pq->f[a], np->f[b], &s->gram[k][a * np->L + b]))
					return -ENOMEM;
	}
	return 0;
}

/* All dot products done: OGA shifts, global solution, target; switch reference. */
static int finish_alignment(struct ogate_sync *s)
{
	int g = s->g_cur + 1, kmax = s->set.oga_max_offset, Q = s->set.oga_resampled_period;
	struct seq *np = &s->sq[s->pend];
	double *score = malloc(sizeof(double) * (size_t)Q);
	if (!score)
		return -ENOMEM;
	for (int k = 0; k < kmax && g - 1 - k >= 0; k++) {
		struct seq *pq = &s->sq[(g - 1 - k) % s->nseq];
		double pos, mv;
		ogate_oga_scores(s->gram[k], pq->L, np->L, pq->info.period_frames,
				 np->info.period_frames, pq->adj, np->adj, Q, score);
		ogate_oga_min_score(score, Q, &pos, &mv);
		if (sync_grow((void **)&s->shifts, &s->shifts_cap, s->nshifts + 1, sizeof(*s->shifts))) {
			free(score);
			return -ENOMEM;
		}
		s->shifts[s->nshifts++] = (struct ogate_oga_shift){ g - 1 - k, g, pos, mv };
	}
	free(score);
	/* solve over a bounded window of recent sequences, anchored at the oldest one's offset */
	enum { WIN = 16 };
	int g0 = g - WIN + 1 < 0 ? 0 : g - WIN + 1, n = g - g0 + 1, m = 0;
	struct ogate_oga_shift win[WIN * 16];
	for (int e = s->nshifts - 1; e >= 0 && m < WIN * 16; e--)
		if (s->shifts[e].i >= g0)
			win[m++] = (struct ogate_oga_shift){ s->shifts[e].i - g0, s->shifts[e].j - g0,
							     s->shifts[e].shift, s->shifts[e].score };
	double x[WIN];
	if (sync_grow((void **)&s->xabs, &s->xabs_cap, g + 1, sizeof(double)) ||
	    ogate_oga_solve(n, win, m, Q, x))
		return -ENOMEM;
	s->xabs[g] = s->xabs[g0] + x[n - 1];
	double tu = ogate_oga_target(s->target0, s->P0, s->xabs[g], np->info.period_frames, Q);
	/* The barrier marks a heart-phase event (the end of the quiet interval) just as the target
	 * does, so it is carried over by the same alignment: the heuristic re-run on each new
	 * reference wanders along a flat stretch of deltas and can land just before the target,
	 * leaving a fit window of a few frames. */
	np->info.barrier = (int)floor(
		ogate_oga_target(s->barrier0, s->P0, s->xabs[g], np->info.period_frames, Q));
	int k = s->pend;
	s->pend = -1;
	s->refreshing = 0;
	s->g_cur = g;
	sync_make_current(s, k, tu);
	return 1;
}

/* Refresh work done on a locked frame after it has been matched: collect frames for a new
 * reference, then run a bounded share of its alignment, then switch. */
int sync_refresh_step(struct ogate_sync *s, const struct ogate_frame *f, int gap,
		      struct ogate_sync_result *r)
{
	if (s->pend < 0) {
		double P;
		int rc = sync_determine(s, f, gap, &P);
		if (rc <= 0)
			return rc;
		s->pend = (s->g_cur + 1) % s->nseq;
		sync_establish_seq(s, s->pend, P, f->meta.sequence);
		if (s->rmove.q) /* its frames moved on the next frames first (sync_refmove.c) */
			return 0;
		if (start_alignment(s))
			return -ENOMEM;
		return 0;
	}
	if (s->rmove.q) { /* the alignment reads the moved frames: queued once the last is */
		if (sync_scan_refresh_move(s) && start_alignment(s))
			return -ENOMEM;
		return 0;
	}
	/* at least 8 dot products per frame so large frames still finish within seconds */
	long budget = s->set.align_pixels_per_frame / ((long)s->w * s->h);
	if (budget < 8)
		budget = 8;
	for (; budget > 0 && s->task_pos < s->ntasks; budget--, s->task_pos++) {
		struct dot_task *t = &s->tasks[s->task_pos];
		*t->out = ogate_frame_dot(t->a, t->b);
	}
	if (s->task_pos < s->ntasks)
		return 0;
	int rc = finish_alignment(s);
	if (rc < 0)
		return rc;
	r->established = 1;
	return 0;
}
