// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Whether the timestamps say when the images were taken (sync.timestamp_positions).
 *
 * A timestamp can be off the camera's frame clock (the least-squares line of the timestamps
 * against the frame sequence) for two reasons: the capture was (uneven sampling: the image shows
 * the heart at its timestamp) or only the stamp is (regular captures reported at wrong times).
 * With sync.timestamp_positions = 1 each reference frame is placed at its timestamp, which is
 * right for the first kind and, for the second, puts every frame and the target off by its
 * stamp's error: a per-reference bias of that size (docs/accuracy-log.md, "Timestamp errors").
 *
 * The determination buffer tells the two apart with the beat it matched: buffered frame i's
 * sub-frame lag to the same phase a beat earlier (the V fit near lag P on the SAD row it
 * computed on arrival) lands at fractional frame j = i - lag. On the frame clock that beat lasts
 * y = clock(i) - clock(j). With e = timestamp - clock, a frame captured e late shows the heart
 * further on, so the beat on the clock is the true one less x = e_i - e_j: y = T - x, slope -1.
 * A frame only stamped late shows the heart at its clock time: y = T whatever x, slope 0. The
 * least-squares slope of y on x (with the beat's middle as a second regressor, for a rate that
 * changes across the buffer) gives beta = -slope, 1 for uneven captures, 0 for wrong stamps, with
 * its standard error from the scatter about the fit (the V fit's error, which does not depend on
 * x on average: it is periodic in the sub-frame offset that x moves).
 *
 * The positions go on the clock only where beta lies TSCLOCK_Z standard errors inside (-1/2,
 * 1/2), below the midpoint between the two kinds: the measured slope is 1 only where the phase
 * follows a time shift fully, and the matching's sub-frame interpolation attenuates it
 * (0.69-1.12 on the jittered rows of bench/eval/jitter.txt, on the locked frames), so a margin
 * from 1 would mistake uneven captures for wrong stamps; from 1/2 that happens, for any attenuated
 * slope still above 1/2, with probability at most P(Z > 3) = 0.13 % one-sided per reference,
 * the Kalman filter's margin for its own frame clock (predictor_kalman.c). The lower bound asks
 * for a standard error below 1/6, a test that can tell 0 from 1 at all: with exact stamps x is
 * only their rounding (0.3 ns at 60 fps), beta anything (-3.9e6 +- 1e6 on blob96_0.2s_60fps),
 * and the stamps are kept.
 */
#include <math.h>
#include <stdio.h>
#include "sync_private.h"

#define TSCLOCK_Z 3.0
#define TSCLOCK_MIN_LAGS 8 /* fewer matched beats: no test (3 parameters, a few degrees left) */

static void tc_log(struct ogate_sync *s, const char *what, double beta, double se)
{
	if (s->ts_logged)
		return;
	s->ts_logged = 1;
	fprintf(stderr,
		"ogate: the timestamps do not say when the images were taken (%s: beta %.2f +- %.2f, "
		"1 for uneven captures, 0 for wrong stamps): references are placed on the frame "
		"clock instead (sync.timestamp_positions)\n",
		what, beta, se);
}

void sync_tsclock_test(struct ogate_sync *s, double P)
{
	int n = s->count, c = (int)lround(P);
	s->ts_clock = s->ts_stream; /* shown wrong on the locked frames: stays on the clock */
	s->ts_beta = s->ts_stream ? s->ts_stream_beta : NAN;
	s->ts_beta_se = s->ts_stream ? s->ts_stream_se : NAN;
	if (n < 3 || !s->set.timestamp_positions || s->ts_stream)
		return;
	/* the frame clock: timestamps (ns from frame 0) against sequence (from frame 0) */
	const struct ogate_frame *f0 = sync_buf_at(s, 0);
	double qm = 0, tm = 0, sqq = 0, sqt = 0;
	for (int i = 0; i < n; i++) {
		const struct ogate_frame *f = sync_buf_at(s, i);
		qm += (double)(f->meta.sequence - f0->meta.sequence);
		tm += (double)(f->meta.timestamp_ns - f0->meta.timestamp_ns);
	}
	qm /= n;
	tm /= n;
	for (int i = 0; i < n; i++) {
		const struct ogate_frame *f = sync_buf_at(s, i);
		double q = (double)(f->meta.sequence - f0->meta.sequence) - qm;
		sqq += q * q;
		sqt += q * ((double)(f->meta.timestamp_ns - f0->meta.timestamp_ns) - tm);
	}
	if (!(sqq > 0))
		return;
	double rate = sqt / sqq; /* ns per sequence step */
	double *e = s->scratch_ts, *q = e + s->cap;
	for (int i = 0; i < n; i++) {
		const struct ogate_frame *f = sync_buf_at(s, i);
		q[i] = (double)(f->meta.sequence - f0->meta.sequence);
		e[i] = (double)(f->meta.timestamp_ns - f0->meta.timestamp_ns) - tm - rate * (q[i] - qm);
	}
	/* (m, x, y) per matched beat: middle (frames), stamp-error difference and clock length (ns) */
	double sm = 0, sx = 0, sy = 0, smm = 0, sxx = 0, smx = 0, smy = 0, sxy = 0, syy = 0;
	int cnt = 0;
	for (int i = 0; i < n; i++) {
		double lag;
		if (!sync_frame_lag(s, i, c, &lag))
			continue;
		double j = i - lag;
		int jf = (int)floor(j);
		if (jf < 0 || jf + 1 > i)
			continue;
		double fr = j - jf;
		double ej = e[jf] * (1 - fr) + e[jf + 1] * fr, qj = q[jf] * (1 - fr) + q[jf + 1] * fr;
		double m = i - lag / 2, x = e[i] - ej, y = rate * (q[i] - qj);
		sm += m;
		sx += x;
		sy += y;
		smm += m * m;
		sxx += x * x;
		smx += m * x;
		smy += m * y;
		sxy += x * y;
		syy += y * y;
		cnt++;
	}
	if (cnt < TSCLOCK_MIN_LAGS)
		return;
	/* centred sums */
	double N = cnt;
	double Cmm = smm - sm * sm / N, Cxx = sxx - sx * sx / N, Cmx = smx - sm * sx / N;
	double Cmy = smy - sm * sy / N, Cxy = sxy - sx * sy / N, Cyy = syy - sy * sy / N;
	double det = Cmm * Cxx - Cmx * Cmx;
	if (!(det > 0) || !(Cxx > 0))
		return;
	double bm = (Cxx * Cmy - Cmx * Cxy) / det, bx = (Cmm * Cxy - Cmx * Cmy) / det;
	double rss = Cyy - bm * Cmy - bx * Cxy;
	if (rss < 0)
		rss = 0;
	double se = sqrt(rss / (N - 3) * Cmm / det);
	s->ts_beta = -bx;
	s->ts_beta_se = se;
	s->ts_clock = fabs(s->ts_beta) + TSCLOCK_Z * se < 0.5;
	if (s->ts_clock)
		tc_log(s, "the reference's matched beats", s->ts_beta, se);
}

/*
 * The same test on the locked frames, for references whose buffer held too few matched beats
 * to tell (a 1 s buffer at 40 fps holds ~15 on a 0.55 s heart): on three frames a, b, c in a
 * row (same reference, no gap), b's timestamp off the line through a's and c's (by sequence) is
 * x = t_b - line(t), and the image shows the heart that far off the line through the phases,
 * y = (phase_b - line(phase)) / rate, where the capture was (beta = 1) and not where only the
 * stamp was (beta = 0): the frame clock's line drops out of both, and so does the rate. Triples
 * do not share frames, so their errors are independent and the slope's standard error is the
 * plain one of a regression through the origin. It is looked at every time the triples double
 * from TSCLOCK_LOOK0, at most TSCLOCK_LOOKS times, each at the margin below 1/2 whose one-sided
 * probability times the looks is the single test's P(Z > 3) = 0.135 % (Bonferroni): 3.58.
 * Shown wrong, every later reference sits on the clock and one is learnt at once (a refresh;
 * its target carried over as any refresh's).
 */
#define TSCLOCK_LOOK0 32
#define TSCLOCK_LOOKS 8
#define TSCLOCK_ZLOOK 3.58

void sync_tsclock_observe(struct ogate_sync *s, const struct ogate_frame *f, int gap, double unw)
{
	if (!s->set.timestamp_positions || s->ts_stream || s->ts_looks >= TSCLOCK_LOOKS)
		return;
	if (gap || (s->ts_k > 0 && s->ts_ref != s->info.id))
		s->ts_k = 0;
	s->ts_ref = s->info.id;
	s->ts_t[s->ts_k] = (double)(f->meta.timestamp_ns - s->t0_ns);
	s->ts_q[s->ts_k] = (double)f->meta.sequence;
	s->ts_p[s->ts_k] = unw;
	if (++s->ts_k < 3)
		return;
	s->ts_k = 0;
	double ivl = ogate_sync_frame_interval(s) * 1e9, P = s->info.period_frames;
	double dq = s->ts_q[2] - s->ts_q[0];
	if (!(ivl > 0) || !(dq > 0) || !(P > 0))
		return;
	double a = (s->ts_q[1] - s->ts_q[0]) / dq;
	double x = s->ts_t[1] - (s->ts_t[0] + a * (s->ts_t[2] - s->ts_t[0]));
	double y = (s->ts_p[1] - (s->ts_p[0] + a * (s->ts_p[2] - s->ts_p[0]))) * P * ivl / (2 * M_PI);
	s->ts_sxx += x * x;
	s->ts_sxy += x * y;
	s->ts_syy += y * y;
	s->ts_n++;
	if (s->ts_n < TSCLOCK_LOOK0 << s->ts_looks)
		return;
	s->ts_looks++;
	if (!(s->ts_sxx > 0)) {
		s->ts_stream_beta = s->ts_stream_se = NAN;
		return;
	}
	double b = s->ts_sxy / s->ts_sxx, rss = s->ts_syy - b * s->ts_sxy;
	double se = sqrt((rss > 0 ? rss : 0) / (s->ts_n - 1) / s->ts_sxx);
	s->ts_stream_beta = b;
	s->ts_stream_se = se;
	if (fabs(b) + TSCLOCK_ZLOOK * se < 0.5) {
		s->ts_stream = 1;
		tc_log(s, "the locked frames", b, se);
		if (!s->ts_clock && !s->refreshing)
			s->refresh_requested = 1;
	}
}

void sync_tsclock_info(const struct ogate_sync *s, struct ogate_reference_info *info)
{
	info->ts_clock = s->ts_clock;
	info->ts_beta = s->ts_beta;
	info->ts_beta_se = s->ts_beta_se;
}

/* for ogate_sync_get_reference: the latest evidence, the locked frames' once they were looked at */
void sync_tsclock_latest(const struct ogate_sync *s, struct ogate_reference_info *info)
{
	if (s->ts_looks > 0 && !info->ts_clock) {
		info->ts_beta = s->ts_stream_beta;
		info->ts_beta_se = s->ts_stream_se;
	}
}
