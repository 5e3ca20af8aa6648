// SPDX-License-Identifier: GPL-2.0 OR MIT
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
#include "sync_private.h"

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
			free(s->sq[k].step);
			free(s->sq[k].pos);
			free(s->sq[k].sst);
		}
	free(s->sq);
	slot_free_all(s->sm, s->ref_cap);
	sync_smooth_free(s);
	slot_free_all(s->lq, s->lq_cap);
	free(s->tasks);
	for (int k = 0; k < 16; k++)
		free(s->gram[k]);
	free(s->shifts);
	free(s->xabs);
	free(s->prevsad);
	free(s->rows);
	free(s->drows);
	free(s->rrows);
	free(s->rdiffs);
	free(s->rdepth);
	free(s->rbin);
	for (int q = 0; q < 16; q++)
		ogate_frame_free(s->rfrac[q]);
	for (int i = 0; s->rblur && i < s->cap; i++)
		ogate_frame_free(s->rblur[i]);
	free(s->rblur);
	free(s->rvalid);
	free(s->depth);
	free(s->arrival);
	free(s->pmemo);
	free(s->lssd);
	free(s->lssd_b);
	free(s->diffs);
	free(s->phist);
	free(s->scratch);
	free(s->scratch_ts);
	free(s->S);
	free(s->sel);
	free(s->rp);
	ogate_frame_free(s->shifted);
	ogate_frame_free(s->lag_blur);
	free(s->sad_out);
	sync_bin_free(s);
	free(s->hist);
	free(s->cal_r);
	free(s->cal_w);
	free(s->cal_r2);
	free(s->fit_t);
	free(s->fit_p);
	free(s->fit_w);
	ogate_predictor_free(s->pred);
	free(s);
}

int ogate_sync_new(struct ogate_sync **out, const struct ogate_settings *set)
{
	if (set->lower_threshold > set->upper_threshold ||
	    set->min_frames_for_fit > set->max_frames_for_fit) {
		fprintf(stderr, "ogate: thresholds or fit frame counts out of order\n");
		return -EINVAL;
	}
	if (strcmp(set->subframe, "steps") && strcmp(set->subframe, "vfit") &&
	    strcmp(set->subframe, "curve") && strcmp(set->subframe, "quartic") &&
	    strcmp(set->subframe, "hyper")) {
		fprintf(stderr,
			"ogate: sync.subframe '%s' is not curve, hyper, quartic, steps or vfit\n",
			set->subframe);
		return -EINVAL;
	}
	if (strcmp(set->metric, "sad") && strcmp(set->metric, "ssd")) {
		fprintf(stderr, "ogate: sync.metric '%s' is not sad or ssd\n", set->metric);
		return -EINVAL;
	}
	const struct ogate_sad *sad = ogate_sad_by_name(set->sad_backend);
	if (!sad) {
		fprintf(stderr, "ogate: SAD back end '%s' is unknown or not supported by this CPU\n",
			set->sad_backend);
		return -ENOENT;
	}
	struct ogate_sync *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->set = *set;
	s->sad = sad;
	if (ogate_predictor_new(&s->pred, set->predictor)) {
		fprintf(stderr, "ogate: unknown predictor '%s'\n", set->predictor);
		free(s);
		return -ENOENT;
	}
	ogate_predictor_configure(s->pred, set->kalman_rate_noise, set->kalman_phase_noise);
	s->cap = set->max_buffer_frames;
	s->ref_cap = s->cap;
	/* the fit window, or two beats for the calibration */
	s->hcap = (set->max_frames_for_fit > 2 * s->ref_cap ? set->max_frames_for_fit : 2 * s->ref_cap) +
		  8;
	s->cal_cap = 4 * s->ref_cap + 4;
	s->cal_r = calloc((size_t)s->cal_cap, sizeof(double));
	s->cal_w = calloc((size_t)s->cal_cap, sizeof(double));
	s->cal_r2 = calloc((size_t)s->cal_cap, sizeof(double));
	s->buf = calloc((size_t)s->cap, sizeof(*s->buf));
	s->nseq = set->oga_max_offset + 1;
	s->sq = calloc((size_t)s->nseq, sizeof(*s->sq));
	for (int k = 0; s->sq && k < s->nseq; k++) {
		s->sq[k].f = calloc((size_t)s->ref_cap, sizeof(*s->sq[k].f));
		s->sq[k].adj = calloc(2 * (size_t)s->ref_cap, sizeof(double));
		s->sq[k].step = calloc(2 * (size_t)s->ref_cap, sizeof(double));
		s->sq[k].pos = calloc((size_t)s->ref_cap, sizeof(double));
		s->sq[k].sst = calloc(2 * (size_t)s->ref_cap, sizeof(double));
		if (!s->sq[k].f || !s->sq[k].adj || !s->sq[k].step || !s->sq[k].pos || !s->sq[k].sst) {
			ogate_sync_free(s);
			return -ENOMEM;
		}
	}
	s->ref = s->sq ? s->sq[0].f : NULL;
	s->pend = -1;
	s->prevsad = calloc((size_t)s->cap, sizeof(double));
	s->rows = calloc((size_t)s->cap * (size_t)s->cap, sizeof(double));
	s->depth = calloc((size_t)s->cap, sizeof(int));
	s->arrival = calloc((size_t)s->cap, sizeof(uint64_t));
	s->diffs = calloc((size_t)s->cap, sizeof(double));
	s->phist = calloc((size_t)set->agree_count, sizeof(double));
	s->scratch = calloc((size_t)set->agree_count, sizeof(double));
	s->scratch_ts = calloc(2 * (size_t)s->cap, sizeof(double));
	s->S = calloc((size_t)s->ref_cap, sizeof(double));
	s->sel = calloc((size_t)s->ref_cap, sizeof(int));
	s->rp = calloc((size_t)s->ref_cap + DRIFT_MAXC, sizeof(*s->rp));
	s->sad_out = calloc((size_t)s->ref_cap + DRIFT_MAXC, sizeof(uint64_t));
	s->hist = calloc((size_t)s->hcap, sizeof(*s->hist));
	s->fit_t = calloc((size_t)s->hcap, sizeof(double));
	s->fit_p = calloc((size_t)s->hcap, sizeof(double));
	s->fit_w = calloc((size_t)s->hcap, sizeof(double));
	if (!s->buf || !s->sq || !s->prevsad || !s->rows || !s->depth || !s->arrival || !s->diffs ||
	    !s->phist || !s->scratch || !s->scratch_ts || !s->S || !s->sel || !s->rp || !s->sad_out ||
	    !s->cal_r || !s->cal_w || !s->cal_r2 || !s->hist || !s->fit_t || !s->fit_p || !s->fit_w) {
		ogate_sync_free(s);
		return -ENOMEM;
	}
	s->recent_trigger_s = -1e9;
	s->smooth_budget = SYNC_SMOOTH_BUDGET;
	s->subframe = !strcmp(set->subframe, "steps")	  ? SUBFRAME_STEPS
		      : !strcmp(set->subframe, "curve")	  ? SUBFRAME_CURVE
		      : !strcmp(set->subframe, "quartic") ? SUBFRAME_QUARTIC
		      : !strcmp(set->subframe, "hyper")	  ? SUBFRAME_HYPER
							  : SUBFRAME_VFIT;
	s->ssd = !strcmp(set->metric, "ssd");
	s->span_ns = (int64_t)(1e9 / set->min_heart_rate_hz);
	*out = s;
	return 0;
}

void ogate_sync_set_sink(struct ogate_sync *s, ogate_trigger_sink fn, void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
}

const char *ogate_sync_sad_backend(const struct ogate_sync *s)
{
	return s->sad->name;
}

/* Circular distance between positions a and b of a beat of fl frames. */
static int circ_dist(int a, int b, int fl)
{
	int d = abs(a - b) % fl;
	return d < fl - d ? d : fl - d;
}

/* Whether position x lies on v's peak at p: the run of positions around p (circular over fl)
 * where v stays above half-way between its minimum and its maximum (the level the barrier
 * heuristic uses, ogate_target_barrier). */
static int on_peak(const double *v, int fl, int p, int x)
{
	double lo = v[0], hi = v[0];
	for (int i = 1; i < fl; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	double thr = (lo + hi) / 2;
	for (int d = -1; d <= 1; d += 2)
		for (int i = p, k = 0; k < fl && v[i] > thr; i = ((i + d) % fl + fl) % fl, k++)
			if (i == x)
				return 1;
	return 0;
}

/* Whether v's maximum (at p, over fl positions) stands out of v's noise: it exceeds every value
 * off the peak by more than two standard deviations of the difference of two values. The peak
 * is the run around pw where w, the next longer spacing's profile that confirmed p (smoother,
 * so one physical peak is one run), stays above half-way between its minimum and maximum (as
 * on_peak). The noise's sd is taken from v's second differences (neighbouring pairs share no
 * frame; the heart's own slope cancels, its curvature is small on a slow heart): the median
 * |v[i+1] - 2 v[i] + v[i-1]| / 0.6745 is sqrt(6) sd. Two change peaks of similar size (the
 * cartoon's contraction and relaxation) make a short spacing's noisy maximum fall on either;
 * then a longer spacing, whose change grows over the same noise, tells them apart. */
static int stands_out(const double *v, const double *w, int fl, int p, int pw, double *tmp)
{
	double lo = w[0], hi = w[0];
	for (int i = 0; i < fl; i++) {
		lo = w[i] < lo ? w[i] : lo;
		hi = w[i] > hi ? w[i] : hi;
		tmp[i] = fabs(v[(i + 1) % fl] - 2 * v[i] + v[(i + fl - 1) % fl]);
	}
	/* sd of one value from the second differences (sd sqrt(6) times it), of a difference of two */
	double sd_diff = sync_median_in_place(tmp, fl) / 0.6745 / sqrt(6.0) * sqrt(2.0);
	/* w's peak: from pw while above half-way, both ways; v off it */
	double thr = (lo + hi) / 2;
	int a = pw, b = pw, k = 0;
	while (k++ < fl && w[((a - 1) % fl + fl) % fl] > thr)
		a--;
	while (k++ < fl && w[(b + 1) % fl] > thr)
		b++;
	double off = -INFINITY;
	for (int i = b + 1; i < a + fl; i++)
		off = v[i % fl] > off ? v[i % fl] : off;
	return v[p] - off > 2 * sd_diff;
}

static int argmax_of(const double *v, int n)
{
	int k = 0;
	for (int i = 1; i < n; i++)
		if (v[i] > v[k])
			k = i;
	return k;
}

/* Padded reference frame j (0 .. L-1), or for j < 0 the frame the determination buffer holds
 * -j frames before padded frame 0 while the reference is established (sync_establish_seq swaps
 * only the reference's own slots, so those before it are still the recorded frames); NULL where
 * none is held. */
static const struct ogate_frame *ref_frame(const struct ogate_sync *s, const struct seq *q, int j)
{
	if (j >= 0)
		return j < q->L ? q->f[j] : NULL;
	if (!s->ref_rows || s->cap <= 0)
		return NULL;
	int first = sync_ref_first(s);
	return first + j >= 0 && first < s->count ? sync_buf_at(s, first + j) : NULL;
}

static double pair_sad(const struct ogate_sync *s, const struct seq *q, int a, int b, int r, int hr)
{
	const struct ogate_frame *x = ref_frame(s, q, a + OGATE_NE),
				 *y = ref_frame(s, q, b + OGATE_NE);
	double v;
	if (sync_ref_stored_sad(s, a + OGATE_NE, b + OGATE_NE, &v))
		return v; /* the determination's, the same SAD */
	return s->fmt == OGATE_PIX_U8 ? (double)s->sad->u8(x->pixels, x->stride * r, y->pixels,
							   y->stride * r, s->w, hr)
				      : (double)s->sad->u16(x->pixels, x->stride * r, y->pixels,
							    y->stride * r, s->w, hr);
}

/* The change from reference frame a to frame b (a < b, unpadded indices, b - a < P). Both are
 * taken as recorded where the reference holds them (indices -OGATE_NE .. L - OGATE_NE - 1). A
 * pair that starts before the reference is taken as recorded from the frames the determination
 * buffer holds before it; one that ends after it a beat earlier, the same way. A pair wrapped
 * across the beat's seam instead compares frames recorded a beat apart: under a drift that beat's
 * shift adds to the heart's change (ld_blob96_3.0s_100fps of bench/eval/lockdrift.txt, seed 7:
 * 0.35 px a beat, the 5-frame change at the seam 53 000 against 18 000 at the heart's fastest
 * move), the seam became the profile's maximum and the target lay P/3 after the reference's first
 * frame, so it moved with the lock: 26 frames of the heart between two locks 26 frames apart.
 * The beat is P frames, not floor(P), so a pair moved by floor(P) frames lies d = P - floor(P)
 * frames of the heart away from its place: the change is interpolated between the pairs moved by
 * floor(P) frames (weight 1 - d) and floor(P) + 1 frames (weight d), at the pair's place on
 * average. Where the buffer does not hold those frames the pair is wrapped by the beat as that
 * (b - a + d frames of the heart with weight 1 - d, b - a + d - 1 with weight d, which made the
 * seam the maximum on a slow noisy heart when it spanned b - a + d: a_blob48_2.2s_60fps_n6,
 * seed 45, 37 frames from the noise-free target); both are a SAD of two noisy frames, so the
 * noise's part stays the same. */
static double change_over(const struct ogate_sync *s, const struct seq *q, double P, int a, int b,
			  int r, int hr)
{
	int lo = -OGATE_NE, hi = q->L - OGATE_NE - 1, fl = (int)floor(P);
	double d = P - fl;
	if (a >= lo && b <= hi)
		return pair_sad(s, q, a, b, r, hr);
	if (b <= hi && ref_frame(s, q, a + OGATE_NE))
		return pair_sad(s, q, a, b, r, hr); /* recorded before the reference */
	if (b > hi && b - fl <= hi && ref_frame(s, q, a - fl - 1 + OGATE_NE))
		return (1 - d) * pair_sad(s, q, a - fl, b - fl, r, hr) +
		       d * pair_sad(s, q, a - fl - 1, b - fl - 1, r, hr); /* a beat earlier */
	int a1 = a, b1 = b, a2 = a, b2 = b;
	if (b > hi) {
		b1 = b - fl;
		b2 = b - fl - 1;
	} else {
		a1 = a + fl;
		a2 = a + fl + 1;
	}
	return (1 - d) * pair_sad(s, q, a1, b1, r, hr) + d * pair_sad(s, q, a2, b2, r, hr);
}

/* The change profile the target and barrier are chosen on (ogate_target_barrier): delta[i] =
 * SAD(R[i], R[i + 1]) of the reference beat, i = 0..N-1, in unpadded frames. At many frames per
 * beat one frame's change is small against the SAD's noise and its argmax lands on noise: on a
 * 40^2 heart at 55 fps with noise sd 9 the target moved 18 frames into the resting part of the
 * beat, where a frame's match is 1.5 frames off (docs/accuracy-log.md, "Small noisy slow
 * hearts"). The heart's change over m frames grows with m, the noise does not. So: the change
 * over m = 3, 5, 9, 17, ... frames (pairs centred where the one-frame pair is, across the
 * beat's seam as change_over says, m at most a quarter of it), and the shortest m (from 1)
 * whose argmax the next longer one confirms is kept: the longer one's argmax within its
 * half-width, or the shorter one's argmax on the longer one's peak (above half-way between its
 * minimum and maximum, the barrier's level). Which peak is decided by the first confirmed
 * spacing whose maximum stands out of its noise (stands_out; the longest if none does): with
 * two change peaks of similar size a noisy argmax on the broader one was "confirmed" there, 31
 * frames from the noise-free target (a_blob48_2.2s_60fps_n6 of auto.txt, seed 43); the shortest
 * confirmed spacing whose argmax lies on that peak is kept. Where one frame's change already
 * fixes the argmax delta is left as it was. Rows as in the determination's SADs. */
void sync_change_profile(const struct ogate_sync *s, struct seq *q, double P, double *delta, int N)
{
	int fl = (int)floor(P);
	q->change_lag = 1;
	if (fl < 12 || N < fl)
		return;
	int r = s->set.determine_row_step > 0
			? s->set.determine_row_step
			: (int)((long)s->w * s->h / 65536 > 1 ? (long)s->w * s->h / 65536 : 1);
	int hr = (s->h + r - 1) / r;
	enum { KMAX = 16 };
	double *buf = malloc(sizeof(double) * (KMAX + 1) * (size_t)N);
	if (!buf)
		return;
	double *v[KMAX], *tmp = buf + (size_t)KMAX * N;
	int lag[KMAX], am[KMAX], conf[KMAX] = { 0 }, n = 1, ks = -1;
	v[0] = buf;
	memcpy(v[0], delta, sizeof(double) * (size_t)N);
	lag[0] = 1;
	am[0] = argmax_of(v[0], N);
	/* conf[k]: the next longer lag confirms lag k's argmax; ks: the first confirmed lag whose
	 * maximum stands out of its noise, which decides the peak */
	for (int m = 3; m <= fl / 4 && n < KMAX; m = 2 * m - 1, n++) {
		int h = (m - 1) / 2, k = n - 1;
		v[n] = buf + (size_t)n * N;
		for (int i = 0; i < N; i++)
			v[n][i] = change_over(s, q, P, i - h, i + 1 + h, r, hr);
		lag[n] = m;
		am[n] = argmax_of(v[n], N);
		conf[k] = circ_dist(am[k], am[n], fl) <= h ||
			  on_peak(v[n], fl, am[n] % fl, am[k] % fl);
		if (conf[k] && stands_out(v[k], v[n], fl, am[k] % fl, am[n] % fl, tmp)) {
			ks = k;
			break;
		}
	}
	if (ks < 0) /* none stands out: the longest decides, as where no two agree */
		ks = n - 1;
	/* the shortest confirmed lag whose argmax is on that peak (ks itself at the latest) */
	int kc = ks;
	for (int k = 0; k < ks; k++)
		if (conf[k] && on_peak(v[ks], fl, am[ks] % fl, am[k] % fl)) {
			kc = k;
			break;
		}
	if (kc > 0)
		memcpy(delta, v[kc], sizeof(double) * (size_t)N);
	q->change_lag = lag[kc];
	free(buf);
}

/* Two-sided unwrap: the step is the advance expected from the elapsed time plus the
 * wrapped (-pi, pi] difference from it, so a small backward step stays backward. */
static double unwrap_step(double prev_unw, double phase, double expected_adv)
{
	double prev = ogate_wrap_2pi(prev_unw);
	return prev_unw + expected_adv + ogate_wrap_pi(phase - prev - expected_adv);
}

static void locked(struct ogate_sync *s, const struct ogate_frame *f, int gap,
		   struct ogate_sync_result *r, int decide)
{
	if (s->frames_since_ref == 0 && s->set.track_drift && s->set.bootstrap_drift_range > 0)
		sync_drift_bootstrap(s, f, s->set.bootstrap_drift_range);
	if (gap)
		s->have_expect = 0;
	sync_match(s, f, r);
	r->has_phase = 1;
	double P = s->info.period_frames;
	double w = r->phase * P / (2 * M_PI), off, c2 = sync_calib_common(s, w, &off);
	double cal = sync_calib_offset(s, w) + c2;
	r->phase = ogate_wrap_2pi(r->phase - 2 * M_PI * cal / P);
	s->expect_u = r->phase * s->info.period_frames / (2 * M_PI) + 1.0; /* one frame on */
	s->have_expect = 1;
	double unw = r->phase;
	if (s->hn > 0) {
		const struct hist *p = sync_hist_at(s, 0);
		/* two-sided unwrap around the advance expected from the measured interval */
		double ivl = ogate_sync_frame_interval(s);
		double adv = 0;
		if (ivl > 0)
			adv = 2 * M_PI * ((double)(f->meta.timestamp_ns - p->t_ns) * 1e-9 / ivl) /
			      s->info.period_frames;
		unw = unwrap_step(p->unw, r->phase, adv);
	}
	r->unwrapped = unw;
	struct hist *h = &s->hist[s->hhead];
	h->t_ns = f->meta.timestamp_ns;
	h->unw = unw;
	h->raw = unw + 2 * M_PI * cal / P;
	h->w = w;
	h->ref_id = s->info.id;
	h->gap_before = gap;
	/* a match is as uncertain as the image change around it is small */
	double ns = 1;
	int b = r->sad_argmin;
	if (b >= 1 && b + 1 < s->L && s->step_med > 0) {
		double local = 0.5 * (s->step[b - 1] + s->step[b]);
		ns = local > s->step_med / 30 ? s->step_med / local : 30;
	}
	h->ns = ns > 1 ? ns : 1;
	h->off = off;
	h->sp = sync_calib_spread(s, w);
	h->c2 = c2;
	s->hhead = (s->hhead + 1) % s->hcap;
	if (s->hn < s->hcap)
		s->hn++;
	if (s->frames_since_ref == 0 && sync_reference_interval(s) > 0) /* the reference's rate */
		ogate_predictor_expect_rate(s->pred, 2 * M_PI / (P * sync_reference_interval(s)),
					    0.5 * s->set.agree_tolerance);
	/* the filter weighs each frame as the line does (sync_hist_weight) */
	ogate_predictor_frame(s->pred, f->meta.sequence);
	ogate_predictor_observe(s->pred, (double)(f->meta.timestamp_ns - s->t0_ns) * 1e-9, unw,
				1 / sqrt(sync_hist_weight(h)));
	sync_tsclock_observe(s, f, gap, unw);
	sync_calib_update(s);
	sync_calib_common_update(s);
	sync_qa_step(s, r);
	if (decide)
		sync_predict_and_decide(s, f, r);
}

/* A locked frame: matched, and with decide a trigger decided on it; then the refresh's work. */
static int step_locked(struct ogate_sync *s, const struct ogate_frame *f, int gap,
		       struct ogate_sync_result *r, int decide)
{
	r->state = OGATE_SYNC_LOCKED;
	locked(s, f, gap, r, decide);
	s->frames_since_ref++;
	s->triggers_since_ref += r->triggered;
	if (!s->refreshing &&
	    (s->refresh_requested ||
	     (s->set.refresh_after_triggers > 0 && s->triggers_since_ref >= s->set.refresh_after_triggers) ||
	     (s->set.refresh_after_frames > 0 && s->frames_since_ref >= s->set.refresh_after_frames))) {
		s->refreshing = 1;
		s->refresh_requested = 0;
		sync_buffer_reset(s);
	}
	if (s->refreshing)
		return sync_refresh_step(s, f, gap, r);
	return 0;
}

/* the held frames' array grown to hold slot lq_n, new slots empty; 0 or -ENOMEM */
static int lq_reserve(struct ogate_sync *s)
{
	int cap = s->lq_cap;
	if (sync_grow((void **)&s->lq, &s->lq_cap, s->lq_n + 1, sizeof(*s->lq)))
		return -ENOMEM;
	for (int i = cap; i < s->lq_cap; i++)
		s->lq[i] = NULL;
	return 0;
}

/* g kept in the slot after the held frames, for the next frame's copy (hold), or freed where one
 * is kept already or the slot cannot be had */
static void park(struct ogate_sync *s, struct ogate_frame *g)
{
	if (!g)
		return;
	if ((s->lq_n < s->lq_cap && s->lq[s->lq_n]) || lq_reserve(s)) {
		ogate_frame_free(g);
		return;
	}
	s->lq[s->lq_n] = g;
}

/* f's copy at the end of the held frames (into the frame parked there, if any); 0 or -errno */
static int hold(struct ogate_sync *s, const struct ogate_frame *f)
{
	const struct ogate_frame *last = s->lq_n > s->lq_head ? s->lq[s->lq_n - 1] : NULL;
	int64_t last_ns = last ? last->meta.timestamp_ns : s->last_ns;
	uint64_t last_seq = last ? last->meta.sequence : s->last_seq;
	if (s->have_last && (f->meta.timestamp_ns <= last_ns || f->meta.sequence <= last_seq)) {
		fprintf(stderr, "ogate: frame %llu: timestamp or sequence does not advance\n",
			(unsigned long long)f->meta.sequence);
		return -EINVAL;
	}
	if (lq_reserve(s))
		return -ENOMEM;
	int rc;
	if (!s->lq[s->lq_n] && !(s->lq[s->lq_n] = sync_smooth_pool_take(s, s->L))) {
		if ((rc = ogate_frame_new(&s->lq[s->lq_n], f->fmt, f->width, f->height)))
			return rc;
		s->smooth_fresh++;
	}
	ogate_frame_copy(s->lq[s->lq_n], f);
	s->lq_n++;
	return 0;
}

/* the frames a hold may hold on a beat of P frames: a quarter beat, at least 4 (the smoothing
 * job's, sync_smooth_hold_bound, and the scan's first reference's move, sync_refmove.c) */
int sync_hold_bound(double P)
{
	double q = P / 4;
	return q > 4 ? (int)q : 4;
}

int sync_smooth_hold_bound(const struct ogate_sync *s)
{
	return sync_hold_bound(s->info.period_frames);
}

/* The job's budget on a frame, with `held` frames held so far. Past sync_smooth_hold_bound's
 * quarter beat of held frames (at least 4) the budget doubles with every frame, so the job ends
 * within a few frames more however large the frames: at 512^2 a 1.6 s heart at 80 fps held 482 frames (6 s, 126 MB of
 * copies) at the fixed budget and lost the first beats' triggers (coverage 77-82 % at 384^2 and
 * 512^2), while finishing at once on one frame cost that frame 140 ms of CPU. */
static long smooth_budget_now(const struct ogate_sync *s, int held)
{
	int over = held - sync_smooth_hold_bound(s);
	if (over < 0 || s->smooth_budget <= 0)
		return s->smooth_budget;
	return s->smooth_budget << (over < 20 ? over + 1 : 21);
}

/*
 * While reference.smooth's job builds the smoothed reference (sync_smooth.c), the frames that
 * arrive are held and the job does one share of its work per frame; once it is done the held
 * frames are matched against it in arrival order (sync_held_per_frame a frame), each as it
 * would have been on arrival (its timing, phase, history, live check), but a trigger is decided
 * only on the frame that has just arrived: a held frame's decision would come late. So every
 * phase is that of a build on one frame. With trigger.held (opt-in) a frame that arrives
 * while frames are held decides from the last phased frame's forecast carried to its own
 * timestamp (sync_held_decide), so a target due meanwhile still gets its trigger.
 */
/* The end of a frame that still holds frames, once the work that held them is done: a share of
 * the next frame's full search (sync_search_ahead, sync_match.c; work only: nothing matched or
 * decided moves), then trigger.held's decision (sync_held_decide). */
static void held_frame_end(struct ogate_sync *s, const struct ogate_frame *f,
			   struct ogate_sync_result *r)
{
	sync_search_ahead(s);
	sync_held_decide(s, f, r);
}

static int held_step(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	int rc = hold(s, f);
	r->state = OGATE_SYNC_LOCKED;
	if (rc)
		return rc;
	if (s->smooth_job || s->shift.q) { /* done or not, the held frames from the next frame on */
		/* the next frame's copy from the pool's spares now: those left are freed when the
		 * job ends, and the first frame held after it would take fresh pages (pages512) */
		if (s->lq_n >= s->lq_cap || !s->lq[s->lq_n])
			park(s, sync_smooth_pool_take(s, s->L));
		if (s->shift.q) /* the reference's frames moved first (sync_refmove.c) */
			sync_scan_shift_work(s);
		else {
			s->hold_job = 1; /* its catch-up at the job's rate (sync_held_per_frame) */
			sync_smooth_work(s, smooth_budget_now(s, s->lq_n - s->lq_head));
		}
		held_frame_end(s, f, r);
		return 0;
	}
	int most = sync_held_per_frame(s, s->L, s->hold_job), est = 0, has_qa = 0;
	struct ogate_sync_qa qa = { 0 };
	for (int n = 0; n < most && s->lq_head < s->lq_n && !s->smooth_job; n++) {
		/* the reference's first frame searches the drift (sync_drift_bootstrap, up to 1 ms
		 * at 512^2): alone on its frame */
		int boot = s->frames_since_ref == 0;
		if (boot && n > 0)
			break;
		if (boot)
			n = most;
		struct ogate_frame *g = s->lq[s->lq_head++];
		int now = s->lq_head == s->lq_n, gap;
		struct ogate_sync_result held, *hr = now ? r : &held;
		memset(hr, 0, sizeof(*hr));
		hr->sad_argmin = -1;
		if ((rc = sync_timing_advance(s, g, &gap)))
			return rc;
		hr->gap = gap;
		rc = step_locked(s, g, gap, hr, now);
		/* one copy at a time (up to 130 MB at 512^2 on a slow heart), the first kept for
		 * the next frame's (fresh pages cost 1-2 ms of a catch-up frame at 512^2: pages512) */
		s->lq[s->lq_head - 1] = NULL;
		park(s, g);
		est |= hr->established;
		if (hr->has_qa && !now) {
			has_qa = 1;
			qa = hr->qa;
		}
		if (rc)
			return rc;
	}
	/* what the held frames matched on this one found: a reference, a trigger checked */
	r->established |= est;
	if (has_qa && !r->has_qa) {
		r->has_qa = 1;
		r->qa = qa;
	}
	if (s->lq_head < s->lq_n) /* this frame still held: trigger.held decides from the last */
		held_frame_end(s, f, r);
	if (s->lq_head == s->lq_n) { /* the frame parked freed too */
		for (int i = 0; i < s->lq_cap; i++)
			ogate_frame_free(s->lq[i]);
		free(s->lq);
		s->lq = NULL;
		s->lq_cap = s->lq_head = s->lq_n = 0;
		s->hold_job = 0;
	}
	return 0;
}

int ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r)
{
	memset(r, 0, sizeof(*r));
	r->sad_argmin = -1;
	s->smooth_touched = 0;
	if (!s->configured) {
		s->fmt = f->fmt;
		s->w = f->width;
		s->h = f->height;
		s->t0_ns = f->meta.timestamp_ns;
		s->configured = 1;
	} else if (f->fmt != s->fmt || f->width != s->w || f->height != s->h) {
		fprintf(stderr,
			"ogate: frame %llu: %dx%d/%d-bit differs from the stream's %dx%d/%d-bit\n",
			(unsigned long long)f->meta.sequence, f->width, f->height,
			8 * (int)ogate_pixfmt_bytes(f->fmt), s->w, s->h,
			8 * (int)ogate_pixfmt_bytes(s->fmt));
		return -EINVAL;
	}
	if (s->have_ref && (s->smooth_job || s->shift.q || s->lq_n > s->lq_head))
		return held_step(s, f, r);
	int gap;
	int rc = sync_timing_advance(s, f, &gap);
	if (rc)
		return rc;
	r->gap = gap;
	if (!s->have_ref) {
		r->state = OGATE_SYNC_DETERMINE;
		sync_smooth_pool_fill(s);
		return sync_determine_first(s, f, gap, r);
	}
	/* the pool's spares, a few a frame, on the plain locked frames: not on the reference's
	 * first (its drift search) nor on the held frames' (the job's, the catch-up's) */
	if (s->frames_since_ref > 0)
		sync_smooth_pool_trim_step(s);
	return step_locked(s, f, gap, r, 1);
}

int ogate_sync_get_reference(const struct ogate_sync *s, struct ogate_reference_info *info)
{
	if (!s->have_ref)
		return -ENOENT;
	*info = s->info;
	sync_tsclock_latest(s, info);
	return 0;
}

int ogate_sync_get_determination(const struct ogate_sync *s, struct ogate_sync_determination *d)
{
	memset(d, 0, sizeof(*d));
	d->span_s = (double)s->span_ns * 1e-9;
	d->longest_period_s = 0.7 * d->span_s;
	d->widened = s->det_widened;
	d->at_limit = s->det_at_limit;
	d->buffer_frames = s->count;
	d->max_frames = s->configured ? sync_buffer_bound(s) : s->cap;
	d->searching_s =
		s->det_have_start && s->have_last ? (double)(s->last_ns - s->det_start_ns) * 1e-9 : 0;
	sync_determination_scan(s, d);
	return s->have_ref ? 1 : 0;
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
	sync_set_target(s, ogate_ref_index(s->pos, (size_t)s->L,
					   phase * s->info.period_frames / (2 * M_PI)) -
				   OGATE_NE);
	/* the same heart phase expressed in the first reference, for later alignments */
	int Q = s->set.oga_resampled_period;
	double tq = fmod(Q * s->info.target_u / s->info.period_frames -
				 fmod(s->xabs ? s->xabs[s->g_cur] : 0, Q) + 2.0 * Q,
			 Q);
	s->target0 = tq / Q * s->P0;
	return 0;
}
