// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Period determination: rolling buffer with stored SAD rows (sync_sadrow.c), period scan,
 * acceptance by agreement, refinement and reference extraction (pointer swaps). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame_private.h"
#include "resample.h"
#include "subframe.h"
#include "sync_private.h"
#include "sync_scanramp.h"

void sync_buffer_reset(struct ogate_sync *s)
{
	s->count = 0;
	s->head = 0;
	s->phist_n = 0;
	s->phist_pos = 0;
	s->est_n = 0;
	s->est_pos = 0;
}

/* Accept when the last k estimates all lie within tolerance of their median. */
static int estimates_agree(const double *v, int n, int k, double tol, double *scratch, double *median)
{
	if (n < k)
		return 0;
	memcpy(scratch, v, sizeof(double) * (size_t)k);
	double med = sync_median_in_place(scratch, k); /* scratch is left sorted */
	if (scratch[0] < med * (1 - tol) || scratch[k - 1] > med * (1 + tol))
		return 0;
	*median = med;
	return 1;
}

static int period_agrees(struct ogate_sync *s, double *median)
{
	return estimates_agree(s->phist, s->phist_n, s->set.agree_count, s->set.agree_tolerance,
			       s->scratch, median);
}

/*
 * The V fit's resolution in frames: it moves the minimum at most half a frame from the lowest
 * sample, so its offset spans one frame (+-1/2), and a single scan's sub-frame error is a fixed
 * function of the newest frame's phase within that range (at 6 frames per beat, 5.74-6.25 for a
 * beat of exactly 6.0 frames, repeating every beat to +-0.01 frame).
 */
#define VFIT_RESOLUTION 0.5

/* the single estimate of `age` frames ago (0: this frame's) */
static double est_at(const struct ogate_sync *s, int age)
{
	return s->est[(s->est_pos - 1 - age + 2 * EST_N) % EST_N];
}

double sync_median_in_place(double *v, int k)
{
	qsort(v, (size_t)k, sizeof(double), sync_cmp_dbl);
	return k & 1 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/*
 * Agreement for short periods, where agree_tolerance of the period is finer than the V fit
 * resolves (below 0.5 / 0.03 = 16.7 frames with the defaults; 3 % is 0.18 frame at 6 frames
 * per beat, where single estimates scatter +-0.25 frame with the phase of the newest frame).
 * An estimate averaged over the beat before it (c = round(median) consecutive frames, one at
 * every phase of the beat) has that phase error averaged out: the last agree_count such
 * averages must agree within agree_tolerance, and every single estimate in them must lie
 * within the V fit's resolution of their median. That second condition is what keeps noise
 * out: where a slow heart rests, chance SAD dips of pixel noise give short "periods" too (5-8
 * frames, like a 6-frame beat), but at random, and c + 4 of them in a row never came within
 * half a frame of their average (closest 0.74 frame in 16000 windows of bench/eval/lock.sh on
 * three seeds, against 0.45 frame at the 95th percentile of windows of true 6-frame beats).
 * The period must exceed the scan's first lag (reference.min_period): a valley there cannot
 * be told from the edge of the scan.
 */
static int beat_average_agrees(const struct ogate_sync *s, double *period)
{
	int k = s->set.agree_count;
	double tol = s->set.agree_tolerance;
	if (s->est_n < k)
		return 0;
	double v[k > 0 ? k : 1];
	for (int j = 0; j < k; j++) {
		v[j] = est_at(s, j);
		if (isnan(v[j]))
			return 0;
	}
	double med = sync_median_in_place(v, k);
	if (tol * med >= VFIT_RESOLUTION)
		return 0; /* the single estimates resolve the tolerance: estimates_agree() decides */
	int c = (int)lround(med);
	if (c < 2 || c + k - 1 > s->est_n)
		return 0;
	for (int j = 0; j < k; j++) {
		double sum = 0;
		for (int a = j; a < j + c; a++)
			sum += est_at(s, a);
		v[j] = sum / c; /* NAN if a scan found nothing */
		if (isnan(v[j]))
			return 0;
	}
	double mq = sync_median_in_place(v, k);
	if (v[0] < mq * (1 - tol) || v[k - 1] > mq * (1 + tol) || mq <= s->set.min_period)
		return 0;
	for (int a = 0; a < c + k - 1; a++)
		if (fabs(est_at(s, a) - mq) > VFIT_RESOLUTION)
			return 0;
	*period = mq;
	return 1;
}

static double frame_ns(const struct ogate_sync *s, int i)
{
	return (double)sync_buf_at(s, i)->meta.timestamp_ns;
}

/* buffered frame i's lag of `lag` frames in time (ns): its match placed between the two frames
 * it lies between, captures need not be even; 0 if the match has left the buffer (the SAD row
 * was computed when the frame arrived, the frames it reaches back to may have been dropped) */
static double lag_ns(const struct ogate_sync *s, int i, double lag)
{
	double m = i - lag;
	int k = (int)floor(m);
	if (k < 0 || k > s->count - 2)
		return 0;
	return frame_ns(s, i) - (frame_ns(s, k) + (m - k) * (frame_ns(s, k + 1) - frame_ns(s, k)));
}

/*
 * The lags at lock through sums of squared differences (the frame that takes the reference,
 * without a drift registered by sync_driftreg.c or the scan: the SSDs compare the frames as
 * recorded; registered lags take theirs in sync_driftreg.c, registered_ssd_offset): buffered frame i's lag b + x, b its stored SAD minimum, x the minimum of the
 * quartic through its SSDs against frames i - b - 2 .. i - b + 2 (ogate_quartic_offset). The V fit through the SADs reads a valley rounded by noise (a sum of
 * |change + noise| is quadratic where the change is below the noise) too far from the nearest
 * whole lag, and one bent by the heart's path (its image changing at another speed either side
 * of the match) off to one side: on a 128^2 cartoon at 200 fps the lags at lock erred by -0.07
 * frame with noise 4 and -0.01 without (docs/accuracy-log.md, "The lags at lock through SSDs").
 * Noise only adds a constant to an SSD, and the path's curvature makes it a quartic in the lag,
 * so the quartic's minimum is the match for any noise. The SSDs read every rs-th row, rs the
 * determination's row step or coarser, so that they cover at most LAG_SSD_WORK pixels in all
 * (the establishing frame's cost: a coarser step only adds noise). A lag whose quartic has no
 * minimum within a frame of b keeps the V fit.
 */
#define LAG_SSD_WORK (1L << 20)
#define LSSD_N 7 /* lags stored per frame on arrival: the scan's estimate +-3 */
_Static_assert(LSSD_N <= SYNC_SSD_ROWS_MAX, "sync_ssd_rows compares at most SYNC_SSD_ROWS_MAX");

/* out[k] = the SSD of w x rows pixels of a (rows astride apart) against bp[k]'s (bstride
 * apart; k < n <= SYNC_SSD_ROWS_MAX), in the stream's pixel format: one multi-window call at 8
 * bits, n calls at 16. Also the registered lags' SSDs (sync_driftreg.c). */
void sync_ssd_rows(const struct ogate_sync *s, const void *a, size_t astride, const void *const *bp,
		   int n, size_t bstride, int w, int rows, uint64_t *out)
{
	if (s->fmt == OGATE_PIX_U8) {
		const uint8_t *b8[SYNC_SSD_ROWS_MAX];
		for (int k = 0; k < n; k++)
			b8[k] = bp[k];
		ogate_ssd_u8_multi(s->sad, a, astride, b8, (size_t)n, bstride, w, rows, out);
		return;
	}
	for (int k = 0; k < n; k++)
		out[k] = ogate_ssd_u16(s->sad, a, astride, bp[k], bstride, w, rows);
}

/*
 * reference.lag_ssd's SSDs computed as each determining frame arrives (as its SAD row is), so
 * that the frame that takes the reference only sums and fits them: the new frame (buffer index
 * count - 1) against the frames b - 3 .. b + 3 before it, b its scan's estimate rounded (where it
 * found none, as before a valley has risen again behind it: its SAD row's deepest lag), kept per
 * pixel row. lags_through_ssd reads every rs-th row
 * with rs known only at the lock (it depends on how many lags there are), and an SSD is an exact
 * integer sum: the sum of the stored rows it reads is the SSD it would compute.
 */
static void lag_ssd_on_arrival(struct ogate_sync *s, int slot, int n, double P)
{
	s->lssd_b[slot] = 0;
	int b = P > 0 ? (int)lround(P) : 0;
	if (P < 0) { /* the deepest SAD beyond the scan's first lag, within the lags it can store */
		for (int d = s->set.min_period + 1; d <= n - 3; d++)
			if (d >= 4 && (!b || s->diffs[n - d] < s->diffs[n - b]))
				b = d;
	}
	if (b > n - 3)
		b = n - 3; /* the lock reads lags up to n - 2 at most (sync_frame_lag) */
	if (b - 3 < 1)
		return;
	const struct ogate_frame *a = sync_buf_at(s, s->count - 1);
	uint64_t *out = s->lssd + (size_t)slot * (size_t)s->h * LSSD_N;
	for (int y = 0; y < s->h; y++, out += LSSD_N) {
		const void *bp[LSSD_N];
		for (int k = 0; k < LSSD_N; k++)
			bp[k] = ogate_frame_row(sync_buf_at(s, s->count - 1 - (b - 3 + k)), y);
		sync_ssd_rows(s, ogate_frame_row(a, y), a->stride, bp, LSSD_N, a->stride, s->w, 1, out);
	}
	s->lssd_b[slot] = b;
}

/* buffered frame i's SSDs against the frames b - 2 .. b + 2 before it over every r-th of hr
 * rows from those stored on its arrival: 1, or 0 where they do not cover those lags */
static int lag_ssd_stored(const struct ogate_sync *s, int i, int b, int r, int hr, uint64_t *out)
{
	int slot = (s->head + i) % s->cap, bs = s->lssd_b ? s->lssd_b[slot] : 0;
	if (!bs || b - 2 < bs - 3 || b + 2 > bs + 3)
		return 0;
	const uint64_t *row = s->lssd + (size_t)slot * (size_t)s->h * LSSD_N + (b - 2 - (bs - 3));
	for (int k = 0; k < 5; k++)
		out[k] = 0;
	for (int j = 0; j < hr; j++, row += (size_t)r * LSSD_N)
		for (int k = 0; k < 5; k++)
			out[k] += row[k];
	return 1;
}

static void lags_through_ssd(struct ogate_sync *s, double *lagv)
{
	int r = sync_determine_row_step(s);
	long nl = 0;
	for (int i = 0; i < s->count; i++)
		nl += !isnan(lagv[i]);
	long work = nl * 5 * s->w * (long)s->h;
	if (work / r > LAG_SSD_WORK)
		r = (int)((work + LAG_SSD_WORK - 1) / LAG_SSD_WORK);
	if (r >= s->h)
		return;
	int hr = (s->h + r - 1) / r;
	for (int i = 0; i < s->count; i++) {
		if (isnan(lagv[i]))
			continue;
		int b = (int)lround(lagv[i]);
		if (i - b - 2 < 0 || b < 3)
			continue;
		const struct ogate_frame *a = sync_buf_at(s, i);
		double v[5];
		uint64_t out[5];
		if (lag_ssd_stored(s, i, b, r, hr, out)) {
			s->lssd_hits++;
		} else {
			const void *bp[5];
			for (int k = 0; k < 5; k++)
				bp[k] = sync_buf_at(s, i - (b - 2 + k))->pixels;
			sync_ssd_rows(s, a->pixels, a->stride * r, bp, 5, a->stride * r, s->w, hr, out);
		}
		for (int k = 0; k < 5; k++)
			v[k] = (double)out[k];
		double x = ogate_quartic_offset(v);
		if (!isnan(x))
			lagv[i] = b + x;
	}
}

/*
 * Refine an accepted period with the SAD rows every buffered frame computed on arrival (no new
 * SADs): the period a reference is given is the length of the beat it will hold. Buffered frame
 * i's sub-frame minimum near lag P, lag_i, is the length of the beat that ends at i, whose
 * middle is i - lag_i / 2. A rate that changes across the buffer makes those lengths a trend
 * (57.4 to 55.6 frames over the 33 frames that have one on a strongly modulated heart), and their
 * plain mean is the length of a beat whose middle is the frames' mean middle, up to 27 frames
 * before the reference's: the reference then holds a beat P + delta frames long, and the
 * calibration's pin leaves delta (u_t / P - 1/2) frames at the target (docs/accuracy-log.md, cause
 * 7). A least-squares line through (i - lag_i / 2, lag_i) taken at the middle of the beat the
 * reference will hold (buffer index count - 1 - L + OGATE_NE + P / 2, inside the line's span:
 * the newest frame's beat ends OGATE_NE + 2 frames after the reference's) gives that beat.
 * But each lag also carries the V fit's error, a function of the frame's phase (+-0.1-0.4
 * frame), and over part of a beat that pattern is itself a slope (on a fast heart at lock only
 * 8 frames have a lag, and their errors run +0.06 to -0.17 frame). So the line's step from the
 * mean is used in proportion to the share of a beat the frames' middles span (sqrt(12 var),
 * capped at one beat) and shrunk by the slope's significance against the scatter about it,
 * t^2 / (t^2 + 1). That shrunk slope, *trend (frames per frame, 0 if unused), is also the
 * rate's change inside the beat the reference holds, whose curvature the calibration's pin
 * needs at the target (sync_calib.c, beat_map). *period_ns is that period in time: P times the
 * lags' own interval, their summed lengths in time over their summed lengths in frames (over
 * the lags whose match is still buffered; the buffer's mean interval if none is), which with
 * uneven captures differs from the mean interval by the jitter of the frames the lags join.
 */
static double refine_lags(struct ogate_sync *s, double P0, int reg, double *trend, double *sums,
			  double *period_ns)
{
	int c = (int)lround(P0), cnt = 0;
	*trend = 0;
	memset(sums, 0, 6 * sizeof(double));
	double ivl = s->count > 1 ? (frame_ns(s, s->count - 1) - frame_ns(s, 0)) / (s->count - 1) : 0;
	double lag, xm = 0, ym = 0, tsum = 0, lsum = 0, lagv[s->count > 0 ? s->count : 1];
	sync_frame_lags(s, c, reg, lagv);
	if (reg)
		s->det_lagc = 0;
	if (reg && s->set.lag_ssd == 1 && s->det_vel[0] == 0 && s->det_vel[1] == 0 && !sync_scan_on(s))
		lags_through_ssd(s, lagv);
	/* reference.lag_ssd = 2: P keeps the V fit's lags; their mean difference to the SSDs' (the
	 * V fit's error at the lags' sub-frame offset) goes to the calibration's beat model */
	if (reg && s->set.lag_ssd == 2 && s->det_vel[0] == 0 && s->det_vel[1] == 0 &&
	    !sync_scan_on(s) && P0 >= s->set.quartic_min_fpb && s->count > 0) {
		double lq[s->count], dsum = 0;
		int dn = 0;
		memcpy(lq, lagv, sizeof(lq));
		lags_through_ssd(s, lq);
		for (int i = 0; i < s->count; i++) {
			if (isnan(lagv[i]) || isnan(lq[i]) || lq[i] == lagv[i])
				continue;
			dsum += lq[i] - lagv[i];
			dn++;
		}
		s->det_lagc = dn > 0 ? dsum / dn : 0;
	}
	for (int i = 0; i < s->count; i++) {
		if (isnan(lag = lagv[i]))
			continue;
		xm += i - lag / 2;
		ym += lag;
		double t = lag_ns(s, i, lag);
		if (t > 0) {
			tsum += t;
			lsum += lag;
		}
		cnt++;
	}
	if (lsum > 0)
		ivl = tsum / lsum;
	*period_ns = P0 * ivl;
	if (cnt < 3)
		return P0;
	xm /= cnt;
	ym /= cnt;
	double sxx = 0, sxy = 0;
	for (int i = 0; i < s->count; i++) {
		if (isnan(lag = lagv[i]))
			continue;
		sxx += (i - lag / 2 - xm) * (i - lag / 2 - xm);
		sxy += (i - lag / 2 - xm) * (lag - ym);
	}
	double P = ym;
	if (sxx > 0) {
		double b = sxy / sxx, rss = 0;
		for (int i = 0; i < s->count; i++) {
			if (isnan(lag = lagv[i]))
				continue;
			double r = lag - ym - b * (i - lag / 2 - xm);
			rss += r * r;
		}
		/* t^2 / (t^2 + 1) with t^2 = b^2 sxx (cnt - 2) / rss, the slope over its se squared */
		double q = b * b * sxx * (cnt - 2), sig = q + rss > 0 ? q / (q + rss) : 0;
		int L = (int)floor(ym) + 1 + 2 * OGATE_NE;
		double mid = s->count - 1 - L + OGATE_NE + ym / 2, span = sqrt(12 * sxx / cnt);
		*trend = (span < ym ? span / ym : 1) * sig * b;
		for (int i = 0; i < s->count; i++) {
			if (isnan(lag = lagv[i]))
				continue;
			double x = i - lag / 2 - mid;
			double v[6] = { 1, x, lag, x * x, x * lag, lag * lag };
			for (int j = 0; j < 6; j++)
				sums[j] += v[j];
		}
		P = ym + *trend * (mid - xm);
	}
	if (fabs(P - P0) < 0.1 * P0) {
		*period_ns = P * ivl;
		return P;
	}
	*trend = 0;
	memset(sums, 0, 6 * sizeof(double));
	return P0;
}

/* ... with the drift registered where there is one (sync_frame_lags) */
static double refine_period(struct ogate_sync *s, double P0, double *trend, double *sums,
			    double *period_ns)
{
	return refine_lags(s, P0, 1, trend, sums, period_ns);
}

/*
 * The period of a reference made of buffered frames first .. first + L - 1, and its lags at
 * lock (lags: refine_period's sums, struct seq) in the same units. Frames placed at their
 * timestamps (sync.timestamp_positions, unless sync_tsclock.c found the stamps wrong: then they
 * sit on the frame clock and the period stays in frames) sit in units of the reference's own mean interval
 * (ogate_reference_positions), so its period must be the beat's length in those units: the
 * refined length in time (refine_period) over that interval. With uneven captures the interval
 * is off the buffer's by the jitter of the reference's two end frames over L - 1 (at 200 fps
 * and 2 ms, 0.8 % of a 64-frame beat, 0.5 frame), and so was a period counted in frames. The
 * calibration's line joins the lags at lock to the beats measured after it, timed in the
 * reference's interval, and reads the period's error off it: left in frames they handed the
 * interval's difference back, so they are scaled with the period (x and y alike).
 */
static double reference_period(const struct ogate_sync *s, int first, int L, double P, double *lags)
{
	double ivl_ref = L > 1 ? (frame_ns(s, first + L - 1) - frame_ns(s, first)) / (L - 1) : 0;
	double Pr = P;
	if (s->set.timestamp_positions && !s->ts_clock && s->det_period_ns > 0 && ivl_ref > 0)
		Pr = s->det_period_ns / ivl_ref;
	double g = P > 0 ? Pr / P : 1, scale[6] = { 1, g, g, g * g, g * g, g * g };
	for (int j = 0; j < 6; j++)
		lags[j] = s->det_lags[j] * scale[j];
	return Pr;
}

/* Move the reference frames out of the buffer into sequence slot k (pointer swaps, no copies)
 * and run the target/barrier heuristic on the stored successive-frame SADs. */
void sync_establish_seq(struct ogate_sync *s, int k, double P, uint64_t seq)
{
	struct seq *q = &s->sq[k];
	int n = s->count;
	int L = (int)floor(P) + 1 + 2 * OGATE_NE;
	int first = n - 1 - L; /* buffer index of padded reference frame 0 */
	double lags[6];
	sync_tsclock_test(s, P); /* before the frames leave the buffer, and before P is timed */
	P = reference_period(s, first, L, P, lags);
	/* successive-frame deltas of the unpadded frames (and the first padding frame) */
	int N = L - 2 * OGATE_NE;
	double *delta = s->diffs; /* reuse: diffs are not needed any more */
	for (int i = 0; i < N; i++)
		delta[i] = s->prevsad[(s->head + first + OGATE_NE + i + 1) % s->cap];
	for (int j = 0; j < L; j++) {
		int slot = (s->head + first + j) % s->cap;
		struct ogate_frame *tmp = q->f[j];
		q->f[j] = s->buf[slot];
		s->buf[slot] = tmp;
	}
	s->ref_rows = 1; /* until the buffer is reset below (sync_ref_stored_sad) */
	s->ref_slot0 = (s->head + first) % s->cap;
	q->L = L;
	q->trend = s->det_trend;
	q->lag_c = s->det_lagc;
	q->vel[0] = s->det_vel[0];
	q->vel[1] = s->det_vel[1];
	memcpy(q->lags, lags, sizeof(q->lags));
	q->have_adj = 0;
	memset(&q->info, 0, sizeof(q->info));
	q->info.period_frames = P;
	q->info.length = L;
	q->info.first_seq = q->f[OGATE_NE]->meta.sequence;
	q->info.first_ns = q->f[OGATE_NE]->meta.timestamp_ns;
	q->info.established_seq = seq;
	sync_tsclock_info(s, &q->info);
	double tu;
	int barrier;
	sync_change_profile(s, q, P, delta, N);
	ogate_target_barrier(delta, (size_t)N, P, &tu, &barrier);
	q->info.barrier = barrier;
	q->info.target_u = tu;
	sync_reference_steps_stored(s, q);
	s->ref_rows = 0;
	sync_ref_positions(s, q->f, L, q->pos);
	sync_scan_register_ref(s, q, P); /* under a drift the scan registered */
	sync_buffer_reset(s);
}

/* Periods must be longer than this many frames: a single estimate must exceed
 * reference.min_period_frames; shorter periods, down to the scan's first lag
 * (reference.min_period), pass through the beat-averaged agreement where it applies. */
static double shortest_period_frames(const struct ogate_sync *s)
{
	double shortest = s->set.min_period_frames;
	if (s->set.min_period < shortest && s->set.agree_tolerance * s->set.min_period < VFIT_RESOLUTION)
		shortest = s->set.min_period;
	return shortest;
}

/* For the log: what the scan saw, so a heart that is found but not accepted (too fast, or
 * estimates that scatter) is not reported as "no period": its latest decision and the range
 * of the last agree_count estimates (if they all returned one). */
static void estimates_note(const struct ogate_sync *s, char *out, size_t size)
{
	int k = s->set.agree_count;
	double lo = INFINITY, hi = -INFINITY;
	int o = snprintf(out, size, "; the period scan: %s",
			 ogate_sync_det_reason_name((enum ogate_sync_det_reason)s->det_reason));
	if (s->est_n < k || o < 0 || (size_t)o >= size)
		return;
	for (int j = 0; j < k; j++) {
		double v = est_at(s, j);
		if (isnan(v))
			return;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	snprintf(out + o, size - (size_t)o, ", the last %d estimates %.2f-%.2f frames%s", k, lo, hi,
		 s->det_agree ? " (agreeing)" : "");
}

/*
 * No period in the buffer for 1.5 spans: the heart may be slower than the buffer can hold
 * (a period needs ~1.4 of them in it), so double the span, up to the memory bound: the
 * buffer's frame capacity (reference.max_buffer_frames) and reference.max_buffer_mb of
 * pixels. Each step, and reaching the bound, is logged once and visible through
 * ogate_sync_get_determination(). At the bound the buffer cannot grow, so the drift is what is
 * left to register (sync_scan_drift, from half a pixel over the buffer there): measured on
 * reaching it and again every 1.5 spans without a period.
 */
static void widen(struct ogate_sync *s, const struct ogate_frame *f, int n)
{
	int64_t now = f->meta.timestamp_ns;
	if (n < 2 || (double)(now - s->det_found_ns) < 1.5 * (double)s->span_ns)
		return;
	char note[320];
	if (s->det_at_limit) { /* logged: only the drift measured again (logged where it changes) */
		s->det_found_ns = now;
		sync_scan_drift(s, note, sizeof(note));
		return;
	}
	double ivl = (double)(now - sync_buf_at(s, 0)->meta.timestamp_ns) * 1e-9 / n;
	int bound = sync_buffer_bound(s);
	double limit_s = ivl * (bound - 1);
	double cur = (double)s->span_ns * 1e-9;
	estimates_note(s, note, sizeof(note));
	s->det_found_ns = now;
	size_t o = strlen(note);
	int at = cur >= limit_s * 0.999;
	s->det_at_limit = at; /* before the drift's measure: its threshold is lower there */
	if (sync_scan_drift(s, note + o, sizeof(note) - o) && !at)
		return; /* the scan registers another drift from now: it has 1.5 spans to find one */
	if (at) {
		fprintf(stderr,
			"ogate: no heart period found in a %.1f s buffer (%d frames, the memory bound: "
			"reference.max_buffer_frames, reference.max_buffer_mb); periods longer than ~%.1f s "
			"cannot be learnt at this frame rate and size; the drift is measured again every "
			"%.1f s%s\n",
			limit_s, bound, 0.7 * limit_s, 1.5 * cur, note);
		return;
	}
	if (s->count < (int)(0.9 * cur / ivl))
		return; /* not filled yet (a gap emptied it) */
	double next = 2 * cur < limit_s ? 2 * cur : limit_s;
	s->span_ns = (int64_t)(next * 1e9);
	s->det_widened++;
	fprintf(stderr,
		"ogate: no heart period found in the last %.1f s: widening the determination buffer "
		"from %.1f s to %.1f s (periods of more than %.4g frames, %.3f s, up to ~%.1f s)%s\n",
		1.5 * cur, cur, next, shortest_period_frames(s), shortest_period_frames(s) * ivl,
		0.7 * next, note);
}

/* Frames the determination buffer may hold: its capacity and the pixel-memory bound. */
int sync_buffer_bound(const struct ogate_sync *s)
{
	double bytes = (double)s->w * s->h * (double)ogate_pixfmt_bytes(s->fmt);
	double by_mem = s->set.max_buffer_mb * 1048576.0 / (bytes > 0 ? bytes : 1);
	return by_mem < s->cap ? (int)by_mem : s->cap;
}

/* The determination after the newest frame's (slot's) SAD row against the n frames before it
 * and its scan's estimate P: as sync_determine. */
static int determine_scan(struct ogate_sync *s, const struct ogate_frame *f, int n, int slot,
			  double P, double *P_out)
{
	if (s->set.lag_ssd && !sync_scan_on(s)) {
		/* not zeroed: a slot's SSDs are read only once lag_ssd_on_arrival has written them
		 * (lssd_b[slot] != 0), and zeroing cap x height x 56 bytes (7 MB at 128^2) in one
		 * determining frame took 3.8 ms where the heap reused freed memory (calloc then clears
		 * it page by page); untouched, each slot's pages are faulted in as frames arrive */
		if (!s->lssd &&
		    (!(s->lssd = malloc((size_t)s->cap * (size_t)s->h * LSSD_N * sizeof(uint64_t))) ||
		     !(s->lssd_b = calloc((size_t)s->cap, sizeof(int))))) {
			free(s->lssd);
			s->lssd = NULL;
			return -ENOMEM;
		}
		lag_ssd_on_arrival(s, slot, n, P);
	}
	sync_drift_pairs_on_arrival(s, P);
	s->est[s->est_pos] = P == -1 ? NAN : P;
	s->est_pos = (s->est_pos + 1) % EST_N;
	if (s->est_n < EST_N)
		s->est_n++;
	if (P == -1) {
		s->det_reason = OGATE_DET_NO_VALLEY;
		widen(s, f, n);
		return 0;
	}
	s->phist[s->phist_pos] = P;
	s->phist_pos = (s->phist_pos + 1) % s->set.agree_count;
	if (s->phist_n < s->set.agree_count)
		s->phist_n++;
	/* A period is seen (and the buffer not widened) only when the estimates agree on one that
	 * could be accepted. Where a slow heart rests, pixel noise makes the SAD against the last
	 * few frames dip by chance: at a high frame rate such short estimates come on most frames,
	 * and counting them as seen held the buffer below the period for ever (a 1 s heart at
	 * 200 fps never locked). They still enter the estimates, where they keep chance agreements
	 * of noise from being accepted. A single estimate of at most reference.min_period_frames
	 * never counts towards the plain agreement (noise dips sit just past the scan's first lag);
	 * shorter hearts, down to that lag, are accepted by the beat-averaged agreement. */
	double med;
	int plain = period_agrees(s, &med);
	int agreed = (P > s->set.min_period_frames && plain) || beat_average_agrees(s, &P);
	s->det_agree = agreed || plain;
	if (!agreed) {
		s->det_reason = P <= s->set.min_period_frames	  ? OGATE_DET_TOO_SHORT
				: s->phist_n < s->set.agree_count ? OGATE_DET_FEW_ESTIMATES
								  : OGATE_DET_DISAGREE;
		widen(s, f, n);
		return 0;
	}
	s->det_found_ns = f->meta.timestamp_ns;
	double Pa = P;
	P = refine_lags(s, Pa, 0, &s->det_trend, s->det_lags, &s->det_period_ns);
	int L = (int)floor(P) + 1 + 2 * OGATE_NE;
	s->det_reason = OGATE_DET_FILLING;
	if (L > n || L > s->ref_cap)
		return 0;
	/* reference.lock_wait_frames: P is the mean of the lags of the frames past the first beat,
	 * 3-6 of them when the buffer first holds the reference, each with an error of the
	 * image's change at its phase that so few do not average (and read both ways,
	 * reference.lag_sym, a lag needs two frames after it): the lock waits for more frames,
	 * unless the buffer is held at its span (det_full) or its bound and holds no more */
	int more = s->set.lock_wait_frames;
	if (L + more > n && !s->det_full && L + more < sync_buffer_bound(s))
		return 0;
	/* the frame that takes the reference: its lags with the drift registered (once, not on
	 * every frame that fills the buffer) */
	P = refine_period(s, Pa, &s->det_trend, s->det_lags, &s->det_period_ns);
	L = (int)floor(P) + 1 + 2 * OGATE_NE;
	if (L > n || L > s->ref_cap)
		return 0;
	s->det_reason = OGATE_DET_AGREED;
	*P_out = P;
	return 1;
}

/* One frame of period determination on the rolling buffer: 1 and *P_out when a period is
 * accepted, 0 if not (yet), < 0 on error. */
int sync_determine(struct ogate_sync *s, const struct ogate_frame *f, int gap, double *P_out)
{
	if (gap)
		sync_buffer_reset(s); /* the buffer must hold consecutive frames */
	if (s->count >= sync_buffer_bound(s)) {
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	int slot = (s->head + s->count) % s->cap;
	if (!s->buf[slot]) {
		int ret = ogate_frame_new(&s->buf[slot], s->fmt, s->w, s->h);
		if (ret)
			return ret;
	}
	ogate_frame_copy(s->buf[slot], f);
	/* Large frames compare every r-th row: the buffer would otherwise be read whole on every
	 * frame (20 MB at 512^2), which is memory-bound; the period scan only needs the shape. */
	int r = sync_determine_row_step(s), hr = (s->h + r - 1) / r;
	int packed = sync_sadrow_pack(s, slot, f, r, hr);
	s->arrival[slot] = ++s->arrivals; /* the drift's pairs stored for it (sync_driftreg.c) */
	if (s->lssd_b)
		s->lssd_b[slot] = 0; /* until lag_ssd_on_arrival fills it */
	if (sync_scan_drifting(s))
		sync_scan_catch_up(s, slot); /* the frame's blurred copy (sync_scanreg.c) */
	s->count++;
	int64_t span = s->span_ns;
	if (!s->det_have_start) {
		s->det_have_start = 1;
		s->det_start_ns = s->det_found_ns = f->meta.timestamp_ns;
	}
	s->det_full = 0;
	while (s->count > 1 && f->meta.timestamp_ns - sync_buf_at(s, 0)->meta.timestamp_ns > span) {
		s->head = (s->head + 1) % s->cap;
		s->count--;
		s->det_full = 1;
	}
	int n = s->count - 1; /* past frames */
	s->det_agree = 0;
	s->det_reason = OGATE_DET_COLLECTING;
	if (n < 1)
		return 0;
	/* On the scan's path the plain row waits until the frame is decided. While the scan
	 * registers, the scan and the lags at lock read the registered rows (sync_frame_lag); the
	 * plain rows are read by the reference's change profile and steps (sync_ref_stored_sad:
	 * between its frames, all before the one that takes it) and, in full, by the lags at lock
	 * once the scan stops registering (sync_scan_drift found another drift, or none). So the
	 * frame that takes the reference (its buffer reset then) computes none: 0.10-0.31 ms of
	 * CPU at 512^2 against 80 frames. Any other frame computes its whole row. */
	int later = sync_scan_on(s) && !s->sadrow_full;
	if (!later)
		sync_sadrow_plain(s, slot, n, r, hr, packed);
	if (sync_scan_on(s))
		sync_scan_row(s, f, n, r, slot); /* s->rdiffs: the diffs with the drift registered */
	if (later && !sync_scan_on(s)) { /* the registered row failed: the plain row is scanned */
		later = 0;
		sync_sadrow_plain(s, slot, n, r, hr, packed);
	}
	double P = ogate_period_scan(sync_scan_on(s) ? s->rdiffs : s->diffs, (size_t)n,
				     s->set.min_period, s->set.lower_threshold,
				     s->set.upper_threshold);
	if (s->set.scan_ramp && P > 0 && !sync_scan_on(s))
		P = sync_scan_ramp(s, n, P); /* the drift's ramp out of the row (sync_scanramp.c) */
	int rc = determine_scan(s, f, n, slot, P, P_out);
	if (later && rc == 0)
		sync_sadrow_plain(s, slot, n, r, hr, packed);
	else if (later && rc > 0) /* the frame that takes the reference: read by nothing */
		s->sadrow_skipped += n;
	return rc;
}

/* What the scan sees, for ogate_sync_get_determination(): its last estimates in seconds (by
 * the measured frame interval), the shortest period it accepts and its latest decision. */
void sync_determination_scan(const struct ogate_sync *s, struct ogate_sync_determination *d)
{
	double ivl = ogate_sync_frame_interval(s);
	d->shortest_period_s = shortest_period_frames(s) * ivl;
	for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES && j < s->est_n; j++) {
		double v = est_at(s, j);
		d->estimates_s[j] = isnan(v) ? 0 : v * ivl;
	}
	d->estimates_agree = s->det_agree;
	d->reason = (enum ogate_sync_det_reason)s->det_reason;
}

const char *ogate_sync_det_reason_name(enum ogate_sync_det_reason reason)
{
	static const char *const names[] = {
		[OGATE_DET_COLLECTING] = "collecting",
		[OGATE_DET_NO_VALLEY] = "no valley",
		[OGATE_DET_TOO_SHORT] = "below the shortest period",
		[OGATE_DET_FEW_ESTIMATES] = "too few estimates",
		[OGATE_DET_DISAGREE] = "estimates disagree",
		[OGATE_DET_FILLING] = "agreed, filling",
		[OGATE_DET_AGREED] = "agreed",
	};
	if ((unsigned)reason >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[reason];
}

/* the positions of a reference's frames f[0 .. L - 1]: on their timestamps, or the frame clock
 * where the timestamps do not say when the images were taken (sync_tsclock.c) */
void sync_ref_positions(const struct ogate_sync *s, struct ogate_frame *const *f, int L, double *pos)
{
	if (s->set.timestamp_positions && !s->ts_clock) {
		int64_t t[L];
		for (int j = 0; j < L; j++)
			t[j] = f[j]->meta.timestamp_ns;
		ogate_reference_positions(t, (size_t)L, pos);
	} else {
		for (int j = 0; j < L; j++)
			pos[j] = j - OGATE_NE;
	}
}

/* the target (unpadded frames) the settings ask for (target.frame, target.phase_rad) on a
 * reference of L frames at positions pos and period P, else the automatic one, tu */
double sync_target_setting(const struct ogate_sync *s, const double *pos, int L, double P, double tu)
{
	if (s->set.target_frame >= 0)
		return s->set.target_frame;
	if (s->set.target_phase >= 0)
		return ogate_ref_index(pos, (size_t)L, s->set.target_phase * P / (2 * M_PI)) - OGATE_NE;
	return tu;
}

/* First reference: establish and use at once. */
int sync_determine_first(struct ogate_sync *s, const struct ogate_frame *f, int gap,
			 struct ogate_sync_result *r)
{
	double P;
	int rc = sync_determine(s, f, gap, &P);
	if (s->set.start_from_target != 0 && sync_refstart_wait(s, f, gap, &rc, &P))
		return 0; /* the cut that puts the target in the reference's middle (sync_refstart.c) */
	if (rc <= 0)
		return rc;
	sync_establish_seq(s, 0, P, f->meta.sequence);
	double tu = sync_target_setting(s, s->sq[0].pos, s->sq[0].L, P, s->sq[0].info.target_u);
	if (s->set.start_from_target != 0)
		sync_refstart_apply(s, &tu);
	s->g_cur = 0;
	sync_make_current(s, 0, tu);
	s->target0 = s->info.target_u;
	s->P0 = P;
	s->barrier0 = s->info.barrier;
	if (!sync_grow((void **)&s->xabs, &s->xabs_cap, 1, sizeof(double)))
		s->xabs[0] = 0;
	r->established = 1;
	return 0;
}
