// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A reference's frames moved to one position under a drift (reference.drift_move, or the period
 * scan's registered drift), or blurred at no shift (sync.match_blur): all through the drift's
 * four taps (sync_scanreg.c's sync_scan_shift_even), at once or over the next frames. */
#include <math.h>
#include <string.h>
#include "sync_private.h"

/* f(p) = f(p - (fy, fx)) in place, blurred alike (sync_scan_shift_even, through s->shifted) */
static void shift_frame(struct ogate_sync *s, struct ogate_frame *f, double fy, double fx)
{
	sync_scan_shift_even(s, s->shifted, f, fy, fx, 0, f->height);
	size_t bpp = (size_t)ogate_pixfmt_bytes(s->fmt);
	for (int y = 0; y < s->h; y++)
		memcpy((char *)f->pixels + (size_t)y * f->stride, ogate_frame_row(s->shifted, y),
		       (size_t)s->w * bpp);
}

/*
 * A reference taken under a drift the scan registered, or (reference.drift_move = 1) one
 * reference.register_drift measured at lock (q->vel, sync_driftreg.c): its frames moved back to the position of its middle (each
 * by the drift between its capture and the middle's), all by the same taps (one blur of 1/4
 * px^2), as every live frame then is. Left along a measured drift, the live frame was shifted
 * bilinearly (a blur that changes with its fraction) and compared with frames that carry the
 * stream's own sub-pixel blur, which under a bilinear drift grows along the reference's beat:
 * the match went to the frames blurred most like it, late in the beat, and the trigger early
 * (real160_pixdrift_200fps -0.32 ms, docs/accuracy-log.md "The drift rows' early bias").
 * The tracker after lock (sync_match.c) follows the live frame against frames a beat apart:
 * with the frames left along the drift (sync_driftreg.c's drift_to) the tracked drift refers to
 * the position the frame is expected at, and where the heart rests the frames differ by the drift alone, so the match
 * went wherever the registration put it and the registration followed the match: at 0.05 px per
 * frame and more the phase ran backwards through the rest (g_blob160_3pb_80fps). Moved to one
 * position, the rest's frames differ by the heart alone and the drift is a steady ramp.
 */
/* the frames the scan's first reference q holds when moved in m shares (sync_hold_frames): the
 * shares, the smoothing job's start on a frame of its own where reference.smooth is on
 * (sync_scan_shift_work), the first held frame's drift search, the catch-up */
static int spread_hold(const struct ogate_sync *s, const struct seq *q, int m)
{
	return sync_hold_frames(s, q->L, m + (s->set.ref_smooth != 0));
}

/* 1 where the scan's first reference q can be moved over the next frames without losing a
 * trigger: the frames held meanwhile (its shares of SYNC_SHIFT_BUDGET pixels, then the catch-up:
 * spread_hold) within a quarter beat, at least 4, as the smoothing job's hold
 * (sync_hold_bound). Beyond, from about 300^2 at 32 frames a beat (224^2 while the hold
 * was counted as twice the shares), they outlast the first target (docs/accuracy-log.md, "The scan-registered reference's move spread"). */
int sync_scan_spread_fits(const struct ogate_sync *s, const struct seq *q, double P)
{
	long px = (long)q->L * s->w * s->h, m = (px + SYNC_SHIFT_BUDGET - 1) / SYNC_SHIFT_BUDGET;
	return spread_hold(s, q, (int)m) <= sync_hold_bound(P);
}

/* Frames a share of the scan's first reference where its hold does not fit a quarter beat at
 * SYNC_SHIFT_BUDGET (reference.spread_move = 2, the default): its L frames in the most shares
 * whose hold (spread_hold) fits the quarter beat, at least 2, each at least the budget's frames.
 * Larger shares cost their frame more than the budget (0.1 ms a 512^2 frame moved with
 * resample.c's AVX2 kernels: 8 frames 1.0 ms), but all at once the move cost the frame that
 * takes the reference 4.7 ms at 512^2 (25 ms in the plain loops), and a hold past the quarter
 * beat lost the first target's trigger (docs/accuracy-log.md, "The scan-registered reference's
 * move spread"). At 512^2 and 32 frames a beat: 5 shares of 8 frames, 8 frames held (4 of 10
 * and 10 held while the hold was counted as twice the shares, "The scan's plain SAD row and its
 * hold"). */
int sync_scan_spread_share(const struct ogate_sync *s, const struct seq *q, double P)
{
	long px = (long)s->w * s->h, per = SYNC_SHIFT_BUDGET / (px > 0 ? px : 1);
	int m = 2;
	while (m < q->L && spread_hold(s, q, m + 1) <= sync_hold_bound(P))
		m++;
	int n = (q->L + m - 1) / m;
	per = per > 1 ? per : 1;
	return n > per ? n : (int)per;
}

/*
 * sync.match_blur: reference q's steps (sync_reference_steps: its successive frames' SADs, which
 * sync.subframe = curve reads a live frame's SADs against) once its frames are blurred: those
 * read at lock are of the frames as recorded, sharper than the frames matched. 2L SADs on the
 * blur's last frame, every r-th row of large frames as at lock. A drift's move keeps the steps
 * read at lock (read again after it: bigdrift.txt and lockdrift.txt better, but the noise-free
 * textured disc of test_determine_bigdrift.c 0.007 -> 0.029 rad off at 2 px a beat;
 * docs/accuracy-log.md, "One blur on both sides").
 */
static void blurred_steps(struct ogate_sync *s, struct seq *q)
{
	if (!q->info.blurred)
		return;
	sync_reference_steps(s, q);
	if (s->step == q->step) /* current already (the first reference's blur spread) */
		s->step_med = q->step_med;
}

/* sync.match_blur's move: frames a share, BLUR_BUDGET pixels of them (at least one) */
#define BLUR_BUDGET (2 * SYNC_SHIFT_BUDGET)
static int blur_share(const struct ogate_sync *s)
{
	long px = (long)s->w * s->h, n = BLUR_BUDGET / (px > 0 ? px : 1);
	return n > 1 ? (int)n : 1;
}

/* sync.match_blur's move of reference q: where the frames it holds (its shares, as spread_hold
 * counts them) fit half the quarter beat, so that reference.smooth's job after it keeps half
 * its frames (sync_smooth_start) */
static int blur_fits(const struct ogate_sync *s, const struct seq *q, double P)
{
	int n = blur_share(s), m = (q->L + n - 1) / n;
	return 2 * spread_hold(s, q, m) <= sync_hold_bound(P);
}

void sync_scan_register_ref(struct ogate_sync *s, struct seq *q, double P)
{
	q->reg_vel[0] = q->reg_vel[1] = 0;
	q->reg_mid = 0;
	q->info.blurred = 0;
	int measured = s->set.drift_move && (q->vel[0] != 0 || q->vel[1] != 0);
	int scan = sync_scan_drifting(s), share = 0;
	/* sync.match_blur: no drift to move it by, its frames blurred at no shift (the same
	 * move with velocity 0): within one share's budget at once on this frame, nothing held
	 * (37 frames at 128^2: ~0.2 ms), else over the next frames where their hold fits */
	int small = (long)q->L * s->w * s->h <= BLUR_BUDGET;
	int blur = !measured && !scan && s->set.match_blur && s->set.track_drift &&
		   s->set.subpixel_drift && (small || blur_fits(s, q, P));

	if ((!scan && !measured && !blur) || !s->set.track_drift)
		return;
	double vy = q->vel[0], vx = q->vel[1];
	if (vy == 0 && vx == 0 && scan) {
		vy = s->scan_vel[0];
		vx = s->scan_vel[1];
	}
	if (!s->shifted && ogate_frame_new(&s->shifted, s->fmt, s->w, s->h))
		return;
	q->info.blurred = blur;
	if (blur)
		share = blur_share(s);
	double mid = P / 2;
	int spread = ((measured || (blur && !small)) && !scan) || s->set.spread_move == 1 ||
		     (scan && sync_scan_spread_fits(s, q, P));
	if (!spread && scan && s->set.spread_move == 2) {
		spread = 1;
		share = sync_scan_spread_share(s, q, P);
	}
	if (spread && !s->have_ref && s->smooth_budget > 0) {
		/* the first reference: moved over the next frames (sync_scan_shift_work; all at
		 * once its 37-64 frames took 2.3 ms at 160^2 and 25 ms at 512^2 on this frame, the
		 * scan-registered one's 3.0 and 25 ms, 4.7 ms with the AVX2 taps). On the scan's
		 * path where its hold fits a quarter beat at the budget, or always with
		 * reference.spread_move = 1 (from 384^2 the frames it holds, 26-42, outlast the
		 * first target and lose its trigger); beyond, by default (2), in larger shares
		 * whose hold fits (sync_scan_spread_share) */
		s->shift = (struct sync_move){ q, 0, { vy, vx }, mid, share };
	} else if (s->have_ref && s->pend >= 0 && q == &s->sq[s->pend] && s->smooth_budget > 0) {
		/* a refreshed reference: moved over the refresh's next frames, none held
		 * (sync_scan_refresh_move; all at once 5 ms at 160^2 and 25 ms at 512^2 here) */
		s->rmove = (struct sync_move){ q, 0, { vy, vx }, mid, 0 };
	} else {
		for (int j = 0; j < q->L; j++)
			shift_frame(s, q->f[j], vy * (mid - q->pos[j]), vx * (mid - q->pos[j]));
		blurred_steps(s, q);
	}
	q->reg_vel[0] = vy;
	q->reg_vel[1] = vx;
	q->reg_mid = (double)q->info.first_seq + mid;
	if (!blur) /* moved; a blurred reference keeps the drift it was taken under */
		q->vel[0] = q->vel[1] = 0;
}

/* one share of move m: its frames from m->j on, m->n of them or up to SYNC_SHIFT_BUDGET pixels
 * of them (at least one frame), each by v over (mid - its position), as sync_scan_register_ref
 * moves them at once */
static void move_share(struct ogate_sync *s, struct sync_move *m)
{
	struct seq *q = m->q;
	long px = (long)s->w * s->h, n = m->n > 0 ? m->n : SYNC_SHIFT_BUDGET / (px > 0 ? px : 1);
	for (n = n > 1 ? n : 1; n > 0 && m->j < q->L; n--, m->j++) {
		double d = m->mid - q->pos[m->j];
		shift_frame(s, q->f[m->j], m->v[0] * d, m->v[1] * d);
	}
}

/*
 * The first reference's move (sync_scan_register_ref, reference.drift_move or, on the scan's
 * path, reference.spread_move) in shares: up to
 * SYNC_SHIFT_BUDGET pixels of its frames on each frame after the one that establishes it, the
 * frames that arrive meanwhile held (sync.c, as for reference.smooth's job) and matched once
 * every frame is moved, each as it would have been on arrival: the same frames, the same taps,
 * the same phases as the move on one frame. Where reference.smooth has a job it starts on the
 * frame after the last share (sync_make_current leaves it): its first look reads the moved
 * frames. 1 once done.
 */
int sync_scan_shift_work(struct ogate_sync *s)
{
	struct seq *q = s->shift.q;
	if (!q)
		return 1;
	int smooth = s->set.ref_smooth && q->f == s->ref;
	if (s->shift.j < q->L) {
		move_share(s, &s->shift);
		if (s->shift.j < q->L || smooth)
			return 0; /* the job's start on a frame of its own (0.8-1 ms at 512^2) */
	}
	s->shift.q = NULL;
	blurred_steps(s, q);
	if (smooth)
		sync_smooth_start(s, (int)(q - s->sq));
	return 1;
}

/*
 * A refreshed reference's move (sync_scan_register_ref on the refresh's establishing frame) in
 * shares on the refresh's next frames, SYNC_SHIFT_BUDGET pixels a frame (sync_refresh_step).
 * Nothing is held: the old reference stays current and every live frame is matched against it
 * until the alignment switches; the alignment's dot products read the new frames, so they start
 * once every frame is moved: the same frames and the same target as the move on one frame, the
 * switch a few frames later. 1 once done (or none pending).
 */
int sync_scan_refresh_move(struct ogate_sync *s)
{
	struct seq *q = s->rmove.q;
	if (!q)
		return 1;
	move_share(s, &s->rmove);
	if (s->rmove.j < q->L)
		return 0;
	s->rmove.q = NULL;
	blurred_steps(s, q);
	return 1;
}
