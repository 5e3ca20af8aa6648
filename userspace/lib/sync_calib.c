// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Self-calibration of a reference's positions.
 *
 * However the sub-frame offset is estimated, a frame at a given heart phase is matched with an
 * error that is the same every beat: it depends on where that phase lies between two reference
 * frames, on how the image trajectory curves there (a chamber turning round is not a straight
 * path in image space) and on the noise frozen into those reference frames. Averaged over a
 * beat it is ~0, but the fit that predicts a trigger only spans the frames since the barrier,
 * so the error of those few positions becomes a fixed trigger bias (0.5-2 ms on the cartoon
 * heart, differing from stream to stream with where the reference happened to start).
 *
 * The heart's phase is close to linear in time over one beat, so the error can be measured
 * without ground truth: for every locked frame, a line is fitted through the raw phases of
 * the last round(P) frames (one beat, no gap, one reference) and the residual of the middle
 * frame is added to a table of CAL_R bins per reference frame, at that frame's raw position
 * (split linearly between the two nearest bins). The correction subtracted from a new frame's
 * position is the table interpolated there, shrunk towards 0 while a bin has few samples
 * (sum / (weight + CAL_K0)). The table belongs to one reference and starts empty with it.
 *
 * A line through one beat cannot tell a constant offset of every position from a shift in
 * time, so the table alone leaves the mean error over the beat in place (0.05-0.1 frame on
 * the real-heartbeat model: a bias of ~1 ms). It is pinned where the truth is known: a frame
 * at the phase of reference frame j differs from it by noise only, so the SAD minimum sits
 * exactly at j (ogate_step_offset returns 0 there whatever the steps). The table is therefore
 * offset so that its mean at the reference frames' own positions is 0.
 */
#include <math.h>
#include <string.h>
#include "sync_private.h"

#define CAL_R 4		/* bins per reference frame */
#define CAL_K0 1.0	/* shrinkage: a bin counts fully after a few samples */

void sync_calib_reset(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	int nb = (int)ceil(P * CAL_R);
	s->cal_n = nb > 0 && nb <= s->cal_cap ? nb : 0;
	s->cal_anchor = 0;
	s->cal_updates = 0;
	if (s->cal_n) {
		memset(s->cal_r, 0, sizeof(double) * (size_t)s->cal_n);
		memset(s->cal_w, 0, sizeof(double) * (size_t)s->cal_n);
	}
}

static void bins(const struct ogate_sync *s, double w, int *k0, int *k1, double *f)
{
	double x = w * CAL_R, fl = floor(x);
	*f = x - fl;
	int k = (int)fl % s->cal_n;
	if (k < 0)
		k += s->cal_n;
	*k0 = k;
	*k1 = (k + 1) % s->cal_n;
}

static double table_at(const struct ogate_sync *s, double w)
{
	int k0, k1;
	double f;
	bins(s, w, &k0, &k1, &f);
	return (1 - f) * s->cal_r[k0] / (s->cal_w[k0] + CAL_K0) + f * s->cal_r[k1] / (s->cal_w[k1] + CAL_K0);
}

double sync_calib_offset(const struct ogate_sync *s, double w)
{
	if (!s->set.calibrate || !s->cal_n)
		return 0;
	return table_at(s, w) - (s->set.calibrate_anchor ? s->cal_anchor : 0);
}

/* the table's mean at the unpadded reference frames' positions */
static void update_anchor(struct ogate_sync *s)
{
	int N = s->L - 2 * OGATE_NE;
	double a = 0;
	for (int j = 0; j < N; j++)
		a += table_at(s, s->pos[j + OGATE_NE]);
	s->cal_anchor = N > 0 ? a / N : 0;
}

void sync_calib_update(struct ogate_sync *s)
{
	double P = s->info.period_frames;
	int M = (int)lround(P);
	if (!s->set.calibrate || !s->cal_n || M < 5 || M > s->hn || M > s->hcap)
		return;
	double tm = 0, pm = 0;
	int64_t t0 = sync_hist_at(s, 0)->t_ns;
	for (int k = 0; k < M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		if (e->ref_id != s->info.id || (k < M - 1 && e->gap_before))
			return;
		tm += (double)(e->t_ns - t0) * 1e-9;
		pm += e->raw;
	}
	tm /= M;
	pm /= M;
	double sxx = 0, sxy = 0;
	for (int k = 0; k < M; k++) {
		const struct hist *e = sync_hist_at(s, k);
		double dt = (double)(e->t_ns - t0) * 1e-9 - tm;
		sxx += dt * dt;
		sxy += dt * (e->raw - pm);
	}
	if (!(sxx > 0))
		return;
	const struct hist *c = sync_hist_at(s, M / 2);
	double res = c->raw - (pm + sxy / sxx * ((double)(c->t_ns - t0) * 1e-9 - tm));
	double r = res * P / (2 * M_PI);
	if (fabs(r) > 1)
		return;	/* a mismatch, not a calibration sample */
	int k0, k1;
	double f;
	bins(s, c->w, &k0, &k1, &f);
	s->cal_r[k0] += (1 - f) * r;
	s->cal_w[k0] += 1 - f;
	s->cal_r[k1] += f * r;
	s->cal_w[k1] += f;
	if ((++s->cal_updates & 7) == 0)
		update_anchor(s);
}
