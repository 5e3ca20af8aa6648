/* SPDX-License-Identifier: MIT */
/*
 * Online prospective optical gating.
 *
 * Determination: every frame is copied into a rolling buffer (at most 1/min_heart_rate_hz s)
 * and compared once with each buffered frame; that SAD row is kept, so the frame that
 * establishes a reference only swaps buffer slots into the reference (no copy, no SAD), reads
 * the successive-frame deltas for the target/barrier heuristic from memory and refines the
 * period from the stored rows. A period is accepted when the last agree_count estimates agree
 * with their median.
 *
 * Locked: SAD against the padded reference (integer drift by cropping, the sub-pixel part by
 * resampling), sub-frame V fit that follows the valley into the padding, two-sided unwrap, a
 * linear fit reaching back exactly to the barrier (never across a gap or a reference change)
 * and a trigger decision based on the measured frame interval. Triggers are absolute times
 * handed to a non-blocking sink.
 *
 * Refresh: while locked, a new reference is determined on the side; its OGA alignment (dot
 * products against the previous references) is spread over the following frames, and the
 * switch happens only when its target is known. No step ever waits or reads a clock.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ogate/analysis.h"
#include "ogate/oga.h"
#include "ogate/predictor.h"
#include "ogate/sad.h"
#include "ogate/sync.h"
#include "frame_private.h"
#include "sad_private.h"
#include "resample.h"

#define IVL_N 15
#define DRIFT_MAXC 121	/* candidates of one drift search (bootstrap range up to 15) */

struct hist {
	int64_t t_ns;
	double unw;
	uint32_t ref_id;
	int gap_before;		/* the interval before this entry was a gap */
};

struct seq {
	struct ogate_frame **f;
	int L;
	double *adj;		/* <f_i, f_i>, then <f_i, f_{i+1 mod L}> */
	int have_adj;
	struct ogate_reference_info info;
};

struct dot_task {
	const struct ogate_frame *a, *b;
	double *out;
};

struct ogate_sync {
	struct ogate_settings set;
	const struct ogate_sad *sad;
	struct ogate_predictor *pred;
	ogate_trigger_sink sink;
	void *sink_ctx;

	int configured;
	enum ogate_pixfmt fmt;
	int w, h;

	/* determination ring buffer */
	int cap, head, count;
	struct ogate_frame **buf;
	double *prevsad;	/* per slot: SAD against the previous buffered frame */
	double *rows;		/* per slot: rows[slot * cap + d] = SAD against the frame d earlier */
	int *depth;		/* per slot: how many earlier frames its row covers */
	double *diffs;
	double *phist;		/* last agree_count period estimates (ring) */
	int phist_n, phist_pos;
	double *scratch;

	/* reference: sequences in a ring (OGA numbering g, slot g % nseq); s->ref/L/info mirror
	 * the current one */
	int have_ref;
	struct ogate_frame **ref;
	int L, ref_cap;
	struct ogate_reference_info info;
	struct seq *sq;
	int nseq;
	int g_cur;		/* OGA index of the current reference */
	int pend;		/* ring slot of a reference being aligned, -1 if none */
	int refreshing;		/* collecting frames for a new reference while locked */
	int refresh_requested;	/* ogate_sync_refresh(): start one at the next frame */
	int triggers_since_ref, frames_since_ref;
	/* alignment job: dot products spread over frames */
	struct dot_task *tasks;
	int ntasks, task_pos, task_cap;
	double *gram[16];	/* per previous sequence (g_pend - 1 - k): L_prev x L_pend */
	/* OGA state */
	struct ogate_oga_shift *shifts;
	int nshifts, shifts_cap;
	double *xabs;		/* global offsets by OGA index */
	int xabs_cap;
	double target0, P0;
	int barrier0;		/* the first reference's barrier, carried to later ones like the target */
	double *S;
	const uint8_t **rp;	/* scratch: row pointers for multi-SAD */
	uint64_t *sad_out;
	int dx, dy;
	double fdx, fdy;	/* smoothed sub-pixel drift (rows, cols) */
	int *sel;		/* reference frames a search computes */
	int have_expect;	/* expect_u valid: where the next frame should match */
	double expect_u;
	uint64_t full_searches;
	struct ogate_frame *shifted;

	/* sync history ring */
	struct hist *hist;
	int hcap, hn, hhead;
	double *fit_t, *fit_p;

	/* frame timing */
	double ivl[IVL_N];
	int ivl_n, ivl_pos;
	int have_last;
	int64_t last_ns;
	uint64_t last_seq;
	int64_t t0_ns;
	double recent_trigger_s;
	int64_t last_sent_ns;
	int have_sent;
};

static void slot_free_all(struct ogate_frame **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		ogate_frame_free(v[i]);
	free(v);
}

void ogate_sync_free(struct ogate_sync *s)
{
	if (!s)
		return;
	slot_free_all(s->buf, s->cap);
	if (s->sq)
		for (int k = 0; k < s->nseq; k++) {
			slot_free_all(s->sq[k].f, s->ref_cap);
			free(s->sq[k].adj);
		}
	free(s->sq);
	free(s->tasks);
	for (int k = 0; k < 16; k++)
		free(s->gram[k]);
	free(s->shifts);
	free(s->xabs);
	free(s->prevsad);
	free(s->rows);
	free(s->depth);
	free(s->diffs);
	free(s->phist);
	free(s->scratch);
	free(s->S);
	free(s->sel);
	free(s->rp);
	ogate_frame_free(s->shifted);
	free(s->sad_out);
	free(s->hist);
	free(s->fit_t);
	free(s->fit_p);
	ogate_predictor_destroy(s->pred);
	free(s);
}

struct ogate_sync *ogate_sync_new(const struct ogate_settings *set)
{
	if (set->lower_threshold > set->upper_threshold || set->min_frames_for_fit > set->max_frames_for_fit) {
		errno = EINVAL;
		return NULL;
	}
	const struct ogate_sad *sad = ogate_sad_by_name(set->sad_backend);
	if (!sad) {
		fprintf(stderr, "ogate: SAD back end '%s' is unknown or not supported by this CPU\n",
			set->sad_backend);
		errno = ENOENT;
		return NULL;
	}
	struct ogate_sync *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->set = *set;
	s->sad = sad;
	s->pred = ogate_predictor_create(set->predictor);
	if (!s->pred) {
		fprintf(stderr, "ogate: unknown predictor '%s'\n", set->predictor);
		free(s);
		errno = ENOENT;
		return NULL;
	}
	s->cap = set->max_buffer_frames;
	s->ref_cap = s->cap;
	s->hcap = set->max_frames_for_fit + 8;
	s->buf = calloc((size_t)s->cap, sizeof(*s->buf));
	s->nseq = set->oga_max_offset + 1;
	s->sq = calloc((size_t)s->nseq, sizeof(*s->sq));
	for (int k = 0; s->sq && k < s->nseq; k++) {
		s->sq[k].f = calloc((size_t)s->ref_cap, sizeof(*s->sq[k].f));
		s->sq[k].adj = calloc(2 * (size_t)s->ref_cap, sizeof(double));
		if (!s->sq[k].f || !s->sq[k].adj) {
			ogate_sync_free(s);
			errno = ENOMEM;
			return NULL;
		}
	}
	s->ref = s->sq ? s->sq[0].f : NULL;
	s->pend = -1;
	s->prevsad = calloc((size_t)s->cap, sizeof(double));
	s->rows = calloc((size_t)s->cap * (size_t)s->cap, sizeof(double));
	s->depth = calloc((size_t)s->cap, sizeof(int));
	s->diffs = calloc((size_t)s->cap, sizeof(double));
	s->phist = calloc((size_t)set->agree_count, sizeof(double));
	s->scratch = calloc((size_t)set->agree_count, sizeof(double));
	s->S = calloc((size_t)s->ref_cap, sizeof(double));
	s->sel = calloc((size_t)s->ref_cap, sizeof(int));
	s->rp = calloc((size_t)s->ref_cap + DRIFT_MAXC, sizeof(*s->rp));
	s->sad_out = calloc((size_t)s->ref_cap + DRIFT_MAXC, sizeof(uint64_t));
	s->hist = calloc((size_t)s->hcap, sizeof(*s->hist));
	s->fit_t = calloc((size_t)s->hcap, sizeof(double));
	s->fit_p = calloc((size_t)s->hcap, sizeof(double));
	if (!s->buf || !s->sq || !s->prevsad || !s->rows || !s->depth || !s->diffs || !s->phist || !s->scratch || !s->S || !s->sel || !s->rp || !s->sad_out ||
	    !s->hist || !s->fit_t || !s->fit_p) {
		ogate_sync_free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->recent_trigger_s = -1e9;
	return s;
}

void ogate_sync_set_sink(struct ogate_sync *s, ogate_trigger_sink fn, void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
}

const char *ogate_sync_sad_backend(const struct ogate_sync *s) { return s->sad->name; }

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double ogate_sync_frame_interval(const struct ogate_sync *s)
{
	if (!s->ivl_n)
		return 0;
	double v[IVL_N];
	memcpy(v, s->ivl, sizeof(double) * (size_t)s->ivl_n);
	qsort(v, (size_t)s->ivl_n, sizeof(double), cmp_dbl);
	return s->ivl_n & 1 ? v[s->ivl_n / 2] : 0.5 * (v[s->ivl_n / 2 - 1] + v[s->ivl_n / 2]);
}

/* SAD of a w x h window at (ax, ay) in a and (bx, by) in b */
static double sad_win(const struct ogate_sync *s, const struct ogate_frame *a, int ax, int ay,
		      const struct ogate_frame *b, int bx, int by, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	if (s->fmt == OGATE_PIX_U8)
		return (double)s->sad->u8((const uint8_t *)ogate_frame_row(a, ay) + ax, a->stride,
					  (const uint8_t *)ogate_frame_row(b, by) + bx, b->stride, w, h);
	return (double)s->sad->u16((const uint16_t *)ogate_frame_row(a, ay) + ax, a->stride,
				   (const uint16_t *)ogate_frame_row(b, by) + bx, b->stride, w, h);
}

static struct ogate_frame *buf_at(struct ogate_sync *s, int i)
{
	return s->buf[(s->head + i) % s->cap];
}

static void buffer_reset(struct ogate_sync *s)
{
	s->count = 0;
	s->head = 0;
	s->phist_n = 0;
	s->phist_pos = 0;
}

static double seconds(const struct ogate_sync *s, int64_t ns) { return (double)(ns - s->t0_ns) * 1e-9; }

static void set_target(struct ogate_sync *s, double u)
{
	double P = s->info.period_frames;
	u = fmod(u, P);
	if (u < 0)
		u += P;
	s->info.target_u = u;
	s->info.target_phase = ogate_wrap_2pi(2 * M_PI * u / P);
}

/* Accept when the last k estimates all lie within tolerance of their median. */
static int estimates_agree(const double *v, int n, int k, double tol, double *scratch, double *median)
{
	if (n < k)
		return 0;
	memcpy(scratch, v, sizeof(double) * (size_t)k);
	qsort(scratch, (size_t)k, sizeof(double), cmp_dbl);
	double med = k & 1 ? scratch[k / 2] : 0.5 * (scratch[k / 2 - 1] + scratch[k / 2]);
	if (scratch[0] < med * (1 - tol) || scratch[k - 1] > med * (1 + tol))
		return 0;
	*median = med;
	return 1;
}

static int period_agrees(struct ogate_sync *s, double *median)
{
	return estimates_agree(s->phist, s->phist_n, s->set.agree_count, s->set.agree_tolerance, s->scratch, median);
}

/* Two-sided unwrap: the step is the advance expected from the elapsed time plus the
 * wrapped (-pi, pi] difference from it, so a small backward step stays backward. */
static double unwrap_step(double prev_unw, double phase, double expected_adv)
{
	double prev = ogate_wrap_2pi(prev_unw);
	return prev_unw + expected_adv + ogate_wrap_pi(phase - prev - expected_adv);
}

/*
 * Refine an accepted period with the SAD rows every buffered frame computed on arrival (no
 * new SADs): each frame's sub-frame minimum near lag P, averaged over all buffered frames.
 * A single scan's V fit is biased by the phase of the newest frame (a flat diastolic valley
 * versus a sharp systolic one); the average over a whole beat's worth of phases is not.
 */
static double refine_period(const struct ogate_sync *s, double P0)
{
	int c = (int)lround(P0);
	double sum = 0;
	int cnt = 0;
	for (int i = 0; i < s->count; i++) {
		int slot = (s->head + i) % s->cap, depth = s->depth[slot];
		if (depth < c + 3)
			continue;
		const double *row = s->rows + (size_t)slot * s->cap - 1;	/* row[d], d >= 1 */
		int b = c - 2;
		for (int d = c - 1; d <= c + 2; d++)
			if (row[d] < row[b])
				b = d;
		if (b == c - 2 || b == c + 2 || b < 2)
			continue;
		sum += b + ogate_vfit(row[b - 1], row[b], row[b + 1]).x;
		cnt++;
	}
	if (cnt < 3)
		return P0;
	double P = sum / cnt;
	return fabs(P - P0) < 0.1 * P0 ? P : P0;
}

/* Move the reference frames out of the buffer into sequence slot k (pointer swaps, no copies)
 * and run the target/barrier heuristic on the stored successive-frame SADs. */
static void establish_seq(struct ogate_sync *s, int k, double P, uint64_t seq)
{
	struct seq *q = &s->sq[k];
	int n = s->count;
	int L = (int)floor(P) + 1 + 2 * OGATE_NE;
	int first = n - 1 - L;		/* buffer index of padded reference frame 0 */
	/* successive-frame deltas of the unpadded frames (and the first padding frame) */
	int N = L - 2 * OGATE_NE;
	double *delta = s->diffs;	/* reuse: diffs are not needed any more */
	for (int i = 0; i < N; i++)
		delta[i] = s->prevsad[(s->head + first + OGATE_NE + i + 1) % s->cap];
	for (int j = 0; j < L; j++) {
		int slot = (s->head + first + j) % s->cap;
		struct ogate_frame *tmp = q->f[j];
		q->f[j] = s->buf[slot];
		s->buf[slot] = tmp;
	}
	q->L = L;
	q->have_adj = 0;
	memset(&q->info, 0, sizeof(q->info));
	q->info.period_frames = P;
	q->info.length = L;
	q->info.first_seq = q->f[OGATE_NE]->meta.sequence;
	q->info.first_ns = q->f[OGATE_NE]->meta.timestamp_ns;
	q->info.established_seq = seq;
	double tu;
	int barrier;
	ogate_target_barrier(delta, (size_t)N, P, &tu, &barrier);
	q->info.barrier = barrier;
	q->info.target_u = tu;
	buffer_reset(s);
}

/* Make sequence slot k the current reference with target tu (unpadded frames). */
static void make_current(struct ogate_sync *s, int k, double tu)
{
	uint32_t id = s->info.id + 1;
	s->ref = s->sq[k].f;
	s->L = s->sq[k].L;
	s->info = s->sq[k].info;
	s->info.id = id;
	set_target(s, tu);
	s->sq[k].info = s->info;
	s->have_ref = 1;
	s->dx = s->dy = 0;
	s->fdx = s->fdy = 0;
	s->have_expect = 0;
	s->triggers_since_ref = 0;
	s->frames_since_ref = 0;
	ogate_predictor_reset(s->pred);
}

static int grow(void **p, int *cap, int need, size_t elem)
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

static int add_task(struct ogate_sync *s, const struct ogate_frame *a, const struct ogate_frame *b, double *out)
{
	if (grow((void **)&s->tasks, &s->task_cap, s->ntasks + 1, sizeof(*s->tasks)))
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
	q->have_adj = 1;	/* complete once the task list has run */
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
		ogate_oga_scores(s->gram[k], pq->L, np->L, pq->info.period_frames, np->info.period_frames, pq->adj,
				 np->adj, Q, score);
		ogate_oga_min_score(score, Q, &pos, &mv);
		if (grow((void **)&s->shifts, &s->shifts_cap, s->nshifts + 1, sizeof(*s->shifts))) {
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
	if (grow((void **)&s->xabs, &s->xabs_cap, g + 1, sizeof(double)) || ogate_oga_solve(n, win, m, Q, x))
		return -ENOMEM;
	s->xabs[g] = s->xabs[g0] + x[n - 1];
	double tu = ogate_oga_target(s->target0, s->P0, s->xabs[g], np->info.period_frames, Q);
	/* The barrier marks a heart-phase event (the end of the quiet interval) just as the target
	 * does, so it is carried over by the same alignment: the heuristic re-run on each new
	 * reference wanders along a flat stretch of deltas and can land just before the target,
	 * leaving a fit window of a few frames. */
	np->info.barrier = (int)floor(ogate_oga_target(s->barrier0, s->P0, s->xabs[g], np->info.period_frames, Q));
	int k = s->pend;
	s->pend = -1;
	s->refreshing = 0;
	s->g_cur = g;
	make_current(s, k, tu);
	return 1;
}

/* One frame of period determination on the rolling buffer: 1 and *P_out when a period is
 * accepted, 0 if not (yet), < 0 on error. */
static int determine(struct ogate_sync *s, const struct ogate_frame *f, int gap, double *P_out)
{
	if (gap)
		buffer_reset(s);	/* the buffer must hold consecutive frames */
	if (s->count == s->cap) {
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	int slot = (s->head + s->count) % s->cap;
	if (!s->buf[slot]) {
		s->buf[slot] = ogate_frame_new(s->fmt, s->w, s->h);
		if (!s->buf[slot])
			return -ENOMEM;
	}
	ogate_frame_copy(s->buf[slot], f);
	s->count++;
	int64_t span = (int64_t)(1e9 / s->set.min_heart_rate_hz);
	while (s->count > 1 && f->meta.timestamp_ns - buf_at(s, 0)->meta.timestamp_ns > span) {
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	int n = s->count - 1;	/* past frames */
	if (n < 1)
		return 0;
	/* Large frames compare every r-th row: the buffer would otherwise be read whole on every
	 * frame (20 MB at 512^2), which is memory-bound; the period scan only needs the shape. */
	int r = s->set.determine_row_step > 0 ? s->set.determine_row_step
					      : (int)((long)s->w * s->h / 65536 > 1 ? (long)s->w * s->h / 65536 : 1);
	int hr = (s->h + r - 1) / r;
	if (s->fmt == OGATE_PIX_U8) {
		for (int i = 0; i < n; i++)
			s->rp[i] = buf_at(s, i)->pixels;
		ogate_sad_u8_multi(s->sad, f->pixels, f->stride * r, s->rp, (size_t)n, buf_at(s, 0)->stride * r, s->w,
				   hr, s->sad_out);
		for (int i = 0; i < n; i++)
			s->diffs[i] = (double)s->sad_out[i];
	} else {
		for (int i = 0; i < n; i++) {
			const struct ogate_frame *b = buf_at(s, i);
			s->diffs[i] = (double)s->sad->u16(f->pixels, f->stride * r, b->pixels, b->stride * r, s->w, hr);
		}
	}
	s->prevsad[slot] = s->diffs[n - 1];
	double *row = s->rows + (size_t)slot * s->cap;
	for (int d = 1; d <= n; d++)
		row[d - 1] = s->diffs[n - d];
	s->depth[slot] = n;
	double P = ogate_period_scan(s->diffs, (size_t)n, s->set.min_period, s->set.lower_threshold,
				     s->set.upper_threshold);
	if (P == -1)
		return 0;
	s->phist[s->phist_pos] = P;
	s->phist_pos = (s->phist_pos + 1) % s->set.agree_count;
	if (s->phist_n < s->set.agree_count)
		s->phist_n++;
	double med;
	if (P <= s->set.min_period_frames || !period_agrees(s, &med))
		return 0;
	P = refine_period(s, P);
	int L = (int)floor(P) + 1 + 2 * OGATE_NE;
	if (L > n || L > s->ref_cap)
		return 0;
	*P_out = P;
	return 1;
}

/* First reference: establish and use at once. */
static int determine_first(struct ogate_sync *s, const struct ogate_frame *f, int gap, struct ogate_sync_result *r)
{
	double P;
	int rc = determine(s, f, gap, &P);
	if (rc <= 0)
		return rc;
	establish_seq(s, 0, P, f->meta.sequence);
	double tu = s->sq[0].info.target_u;
	if (s->set.target_frame >= 0)
		tu = s->set.target_frame;
	else if (s->set.target_phase >= 0)
		tu = s->set.target_phase * P / (2 * M_PI);
	s->g_cur = 0;
	make_current(s, 0, tu);
	s->target0 = s->info.target_u;
	s->P0 = P;
	s->barrier0 = s->info.barrier;
	if (!grow((void **)&s->xabs, &s->xabs_cap, 1, sizeof(double)))
		s->xabs[0] = 0;
	r->established = 1;
	return 0;
}

/* Refresh work done on a locked frame after it has been matched: collect frames for a new
 * reference, then run a bounded share of its alignment, then switch. */
static int refresh_step(struct ogate_sync *s, const struct ogate_frame *f, int gap, struct ogate_sync_result *r)
{
	if (s->pend < 0) {
		double P;
		int rc = determine(s, f, gap, &P);
		if (rc <= 0)
			return rc;
		s->pend = (s->g_cur + 1) % s->nseq;
		establish_seq(s, s->pend, P, f->meta.sequence);
		if (start_alignment(s))
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

static const struct hist *hist_at(const struct ogate_sync *s, int back)
{
	return &s->hist[(s->hhead - 1 - back + 2 * s->hcap) % s->hcap];
}

/*
 * v[k] = SAD of M[inset : H-inset, inset : W-inset] against the frame window moved by candidate
 * drift cand[k] = (rows, cols), inset = the largest |component| over all candidates (the
 * reference's get_drift_estimate). -1 if the windows would be too small.
 */
static int drift_scores(struct ogate_sync *s, const struct ogate_frame *M, const struct ogate_frame *f,
			const int (*cand)[2], int nc, double *v)
{
	int H = s->h, W = s->w, inset = 0;
	for (int k = 0; k < nc; k++)
		for (int c = 0; c < 2; c++)
			inset = abs(cand[k][c]) > inset ? abs(cand[k][c]) : inset;
	if (2 * inset + 8 > H || 2 * inset + 8 > W || nc > DRIFT_MAXC)
		return -1;
	for (int k = 0; k < nc; k++) {
		int cx = cand[k][0], cy = cand[k][1];
		if (s->fmt == OGATE_PIX_U8)
			s->rp[k] = (const uint8_t *)ogate_frame_row(f, inset - cx) + (inset - cy);
		else
			v[k] = sad_win(s, M, inset, inset, f, inset - cy, inset - cx, W - 2 * inset, H - 2 * inset);
	}
	if (s->fmt == OGATE_PIX_U8) {
		ogate_sad_u8_multi(s->sad, (const uint8_t *)ogate_frame_row(M, inset) + inset, M->stride, s->rp,
				   (size_t)nc, f->stride, W - 2 * inset, H - 2 * inset, s->sad_out);
		for (int k = 0; k < nc; k++)
			v[k] = (double)s->sad_out[k];
	}
	return 0;
}

/* Optional coarse search on the first frame after a reference is established:
 * drift in range(-r, r+1, 3)^2 against every reference frame; first minimum wins. */
static void drift_bootstrap(struct ogate_sync *s, const struct ogate_frame *f, int r)
{
	int cand[DRIFT_MAXC][2], nc = 0;
	for (int a = -r; a <= r; a += 3)
		for (int c = -r; c <= r; c += 3)
			if (nc < DRIFT_MAXC) {
				cand[nc][0] = a;
				cand[nc][1] = c;
				nc++;
			}
	double v[DRIFT_MAXC], best = -1;
	for (int j = 0; j < s->L; j++) {
		if (drift_scores(s, s->ref[j], f, (const int(*)[2])cand, nc, v))
			return;
		for (int k = 0; k < nc; k++)
			if (best < 0 || v[k] < best) {
				best = v[k];
				s->dx = cand[k][0];
				s->dy = cand[k][1];
			}
	}
}

/* S[idx[k]] = SAD of the (cropped) frame against reference frame idx[k] */
static void ref_sads(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx, int ry, int nw,
		     int nh, const int *idx, int n)
{
	if (s->fmt == OGATE_PIX_U8) {
		for (int k = 0; k < n; k++)
			s->rp[k] = (const uint8_t *)ogate_frame_row(s->ref[idx[k]], ry) + rx;
		ogate_sad_u8_multi(s->sad, (const uint8_t *)ogate_frame_row(f, fy) + fx, f->stride, s->rp, (size_t)n,
				   s->ref[0]->stride, nw, nh, s->sad_out);
		for (int k = 0; k < n; k++)
			s->S[idx[k]] = (double)s->sad_out[k];
	} else {
		for (int k = 0; k < n; k++)
			s->S[idx[k]] = sad_win(s, f, fx, fy, s->ref[idx[k]], rx, ry, nw, nh);
	}
}

static void match(struct ogate_sync *s, const struct ogate_frame *f0, struct ogate_sync_result *r)
{
	int H = s->h, W = s->w, dx = s->dx, dy = s->dy;
	const struct ogate_frame *f = f0;
	if (s->set.track_drift && s->set.subpixel_drift && fabs(s->fdx) + fabs(s->fdy) > 0.02) {
		if (!s->shifted)
			s->shifted = ogate_frame_new(s->fmt, s->w, s->h);
		if (s->shifted) {
			ogate_resample_subpixel(s->shifted, f0, s->fdx, s->fdy);
			f = s->shifted;
			r->sub_dx = s->fdx;
			r->sub_dy = s->fdy;
		}
	}
	int fy = dx <= 0 ? -dx : 0, ry = dx <= 0 ? 0 : dx, nh = H - abs(dx);
	int fx = dy <= 0 ? -dy : 0, rx = dy <= 0 ? 0 : dy, nw = W - abs(dy);
	double P = s->info.period_frames;
	int K = s->set.search_window, n = 0;
	/* windowed search around the position expected from the previous frame; a full search
	 * after a gap, on every 8th frame and whenever the window cannot vouch for its minimum */
	int windowed = K > 0 && s->have_expect && (s->frames_since_ref & 7) != 0;
	for (int j = 0; j < s->L; j++) {
		double d = fabs(fmod((j - OGATE_NE) - s->expect_u, P));
		d = fmin(d, P - d);
		if (!windowed || d <= K)
			s->sel[n++] = j;
		s->S[j] = HUGE_VAL;
	}
	size_t b;
	int best;
	for (;;) {
		ref_sads(s, f, fx, fy, rx, ry, nw, nh, s->sel, n);
		best = 0;	/* over every frame computed so far (both passes) */
		for (int j = 1; j < s->L; j++)
			if (s->S[j] < s->S[best])
				best = j;
		r->phase = ogate_subframe_phase(s->S, (size_t)s->L, P, &b);
		int ok = s->S[b] != HUGE_VAL && (b == 0 || s->S[b - 1] != HUGE_VAL) &&
			 ((int)b == s->L - 1 || s->S[b + 1] != HUGE_VAL) && (int)b == best;
		if (!windowed || ok)
			break;
		windowed = 0;	/* fall back to the full search */
		n = 0;
		for (int j = 0; j < s->L; j++)
			if (s->S[j] == HUGE_VAL)
				s->sel[n++] = j;
	}
	s->full_searches += !windowed;
	r->sad_argmin = best;
	r->dx = dx;
	r->dy = dy;
	if (!s->set.track_drift)
		return;
	f = f0;
	/* drift: +-1 px per frame against the best-matching reference frame, ties keep the drift */
	const struct ogate_frame *M = s->ref[best];
	static const int order[3] = { 0, -1, 1 };
	int cand[9][2];
	for (int a = 0; a < 3; a++)
		for (int c = 0; c < 3; c++) {
			cand[a * 3 + c][0] = dx + order[a];
			cand[a * 3 + c][1] = dy + order[c];
		}
	double v[9];
	if (drift_scores(s, M, f, cand, 9, v))
		return;
	int bk = 0;	/* first minimum in candidate order: ties keep the current drift */
	for (int k = 1; k < 9; k++)
		if (v[k] < v[bk])
			bk = k;
	int bdx = dx + order[bk / 3], bdy = dy + order[bk % 3];
	if (s->set.subpixel_drift) {
		if (bk == 0) {	/* V fit across the candidates: the sub-pixel part of the drift */
			double mr = ogate_vfit(v[3], v[0], v[6]).x, mc = ogate_vfit(v[1], v[0], v[2]).x;
			double g = s->set.subpixel_gain;
			s->fdx += g * (fmax(-0.5, fmin(0.5, mr)) - s->fdx);
			s->fdy += g * (fmax(-0.5, fmin(0.5, mc)) - s->fdy);
		} else {	/* the integer part moved: keep the total drift continuous */
			s->fdx = fmax(-1, fmin(1, s->fdx - (bdx - dx)));
			s->fdy = fmax(-1, fmin(1, s->fdy - (bdy - dy)));
		}
	}
	s->dx = bdx;
	s->dy = bdy;
}

static void predict_and_decide(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	const struct ogate_settings *st = &s->set;
	double P = s->info.period_frames;
	double phi_b = 2 * M_PI * s->info.barrier / P;
	double since = ogate_wrap_2pi(r->phase - phi_b);	/* phase travelled since the barrier */
	double unw_b = r->unwrapped - since - 1e-9;
	int n = 0, reached = 0;
	while (n < s->hn && n < st->max_frames_for_fit) {
		const struct hist *e = hist_at(s, n);
		if (e->ref_id != s->info.id)
			break;
		if (n >= st->min_frames_for_fit && e->unw < unw_b) {
			reached = 1;
			break;
		}
		n++;
		if (e->gap_before)
			break;	/* the fit never spans a gap */
	}
	if (n == st->max_frames_for_fit)
		reached = 1;
	if (!reached || n < st->min_frames_for_fit)
		return;
	int64_t tl = f->meta.timestamp_ns;
	for (int i = 0; i < n; i++) {
		const struct hist *e = hist_at(s, n - 1 - i);
		s->fit_t[i] = (double)(e->t_ns - tl) * 1e-9;
		s->fit_p[i] = e->unw;
	}
	struct ogate_prediction pr;
	if (ogate_predictor_predict(s->pred, s->fit_t, s->fit_p, (size_t)n, s->info.target_phase, &pr))
		return;
	r->has_prediction = 1;
	double wait = pr.wait_s;
	r->wait_s = wait;
	if (!(wait > 0))
		return;
	double t = seconds(s, tl);
	double ivl = ogate_sync_frame_interval(s);
	double recent = s->recent_trigger_s;
	int reason = ogate_trigger_decide(t, &wait, ivl, 2 * M_PI / pr.rate, st->latency_s,
					  st->next_frame_factor, &recent);
	if (reason != OGATE_TRIGGER_STANDARD && reason != OGATE_TRIGGER_PANIC)
		return;
	int64_t when = tl + (int64_t)llround(wait * 1e9);
	if (s->have_sent && (double)(when - s->last_sent_ns) * 1e-9 < st->min_time_between_s)
		return;
	s->recent_trigger_s = recent;
	s->last_sent_ns = when;
	s->have_sent = 1;
	r->triggered = 1;
	r->trigger = (struct ogate_sync_trigger){
		.time_ns = when,
		.decided_at_ns = tl,
		.decided_at_seq = f->meta.sequence,
		.target_phase = s->info.target_phase,
		.period_s = 2 * M_PI / pr.rate,
		.ref_id = s->info.id,
		.ref_first_seq = s->info.first_seq,
		.ref_period_frames = s->info.period_frames,
		.target_u = s->info.target_u,
		.reason = reason,
	};
	if (s->sink)
		s->sink(s->sink_ctx, &r->trigger);
}

static void locked(struct ogate_sync *s, const struct ogate_frame *f, int gap, struct ogate_sync_result *r)
{
	if (s->frames_since_ref == 0 && s->set.track_drift && s->set.bootstrap_drift_range > 0)
		drift_bootstrap(s, f, s->set.bootstrap_drift_range);
	if (gap)
		s->have_expect = 0;
	match(s, f, r);
	r->has_phase = 1;
	s->expect_u = r->phase * s->info.period_frames / (2 * M_PI) + 1.0;	/* one frame on */
	s->have_expect = 1;
	double unw = r->phase;
	if (s->hn > 0) {
		const struct hist *p = hist_at(s, 0);
		/* two-sided unwrap around the advance expected from the measured interval */
		double ivl = ogate_sync_frame_interval(s);
		double adv = 0;
		if (ivl > 0)
			adv = 2 * M_PI * ((double)(f->meta.timestamp_ns - p->t_ns) * 1e-9 / ivl) / s->info.period_frames;
		unw = unwrap_step(p->unw, r->phase, adv);
	}
	r->unwrapped = unw;
	struct hist *h = &s->hist[s->hhead];
	h->t_ns = f->meta.timestamp_ns;
	h->unw = unw;
	h->ref_id = s->info.id;
	h->gap_before = gap;
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
	predict_and_decide(s, f, r);
}

int ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	memset(r, 0, sizeof(*r));
	r->sad_argmin = -1;
	if (!s->configured) {
		s->fmt = f->fmt;
		s->w = f->width;
		s->h = f->height;
		s->t0_ns = f->meta.timestamp_ns;
		s->configured = 1;
	} else if (f->fmt != s->fmt || f->width != s->w || f->height != s->h) {
		fprintf(stderr, "ogate: frame %llu: %dx%d/%d-bit differs from the stream's %dx%d/%d-bit\n",
			(unsigned long long)f->meta.sequence, f->width, f->height, 8 * (int)ogate_pixfmt_bytes(f->fmt),
			s->w, s->h, 8 * (int)ogate_pixfmt_bytes(s->fmt));
		return -EINVAL;
	}
	int gap = 0;
	if (s->have_last) {
		int64_t dt = f->meta.timestamp_ns - s->last_ns;
		if (dt <= 0 || f->meta.sequence <= s->last_seq) {
			fprintf(stderr, "ogate: frame %llu: timestamp or sequence does not advance\n",
				(unsigned long long)f->meta.sequence);
			return -EINVAL;
		}
		double ivl = ogate_sync_frame_interval(s);
		if (f->meta.sequence != s->last_seq + 1)
			gap = 1;
		else if (ivl > 0 && (double)dt * 1e-9 > s->set.gap_factor * ivl && s->ivl_n >= 3)
			gap = 1;
		if (f->meta.sequence == s->last_seq + 1 && !gap) {
			s->ivl[s->ivl_pos] = (double)dt * 1e-9;
			s->ivl_pos = (s->ivl_pos + 1) % IVL_N;
			if (s->ivl_n < IVL_N)
				s->ivl_n++;
		}
	}
	s->have_last = 1;
	s->last_ns = f->meta.timestamp_ns;
	s->last_seq = f->meta.sequence;
	r->gap = gap;
	if (!s->have_ref) {
		r->state = OGATE_SYNC_DETERMINE;
		return determine_first(s, f, gap, r);
	}
	r->state = OGATE_SYNC_LOCKED;
	locked(s, f, gap, r);
	s->frames_since_ref++;
	s->triggers_since_ref += r->triggered;
	if (!s->refreshing && (s->refresh_requested ||
			       (s->set.refresh_after_triggers > 0 && s->triggers_since_ref >= s->set.refresh_after_triggers) ||
			       (s->set.refresh_after_frames > 0 && s->frames_since_ref >= s->set.refresh_after_frames))) {
		s->refreshing = 1;
		s->refresh_requested = 0;
		buffer_reset(s);
	}
	if (s->refreshing)
		return refresh_step(s, f, gap, r);
	return 0;
}

int ogate_sync_get_reference(const struct ogate_sync *s, struct ogate_reference_info *info)
{
	if (!s->have_ref)
		return -ENOENT;
	*info = s->info;
	return 0;
}

int ogate_sync_refresh(struct ogate_sync *s)
{
	if (!s->have_ref)
		return -ENOENT;
	if (s->refreshing || s->refresh_requested)
		return -EALREADY;
	s->refresh_requested = 1;
	return 0;
}

int ogate_sync_set_target_phase(struct ogate_sync *s, double phase)
{
	if (!s->have_ref)
		return -ENOENT;
	if (!(phase >= 0 && phase < 2 * M_PI))
		return -EINVAL;
	set_target(s, phase * s->info.period_frames / (2 * M_PI));
	/* the same heart phase expressed in the first reference, for later alignments */
	int Q = s->set.oga_resampled_period;
	double tq = fmod(Q * s->info.target_u / s->info.period_frames - fmod(s->xabs ? s->xabs[s->g_cur] : 0, Q) + 2.0 * Q, Q);
	s->target0 = tq / Q * s->P0;
	return 0;
}
