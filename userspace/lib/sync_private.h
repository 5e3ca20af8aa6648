/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The online pipeline's one object, shared by its parts (all run on the thread that calls
 * ogate_sync_process; nothing here is thread-shared):
 *   sync.c            lifecycle, the per-frame driver, the locked step (match, unwrap, history)
 *   sync_timing.c     frame intervals and gaps, the fit window, prediction and trigger decision
 *   sync_determine.c  rolling buffer, period scan, acceptance, refinement, reference extraction
 *                     (the stored SAD rows and their packed frame rows: sync_sadrow.c)
 *   sync_reference.c  current reference and target, refresh and its OGA alignment
 *   sync_smooth.c     reference.smooth: the current reference's still pixels as their means
 *                     (its statistics: sync_smooth_stats.c; 8-bit sums: sync_smooth_look.c;
 *                     the copy's frames allocated ahead: sync_smooth_pool.c; auto's first
 *                     look: sync_smooth_first.c)
 *   sync_match.c      SAD against the reference, sub-frame phase, drift tracking
 */
#ifndef OGATE_SYNC_PRIVATE_H
#define OGATE_SYNC_PRIVATE_H
#include <stdint.h>
#include "ogate/analysis.h"
#include "ogate/oga.h"
#include "ogate/predictor.h"
#include "ogate/sad.h"
#include "ogate/sync.h"
#include "frame_private.h"
#include "sad_private.h"

#define IVL_N 15
#define EST_N 48	   /* single period estimates kept: a beat of up to 40 frames and 8 more */
#define DRIFT_MAXC 121	   /* candidates of one drift search (bootstrap range up to 15) */
#define SYNC_AHEAD_MAX 128 /* reference frames a held frame's full search computes ahead */
#define SYNC_LAG_WAYS 8	   /* reference.lag_even's blurred earlier frames kept (sync_driftreg.c) */

/* triggers awaiting the live check (sync_qa.c): 32 frames after each at >= 4 frames a beat */
#define QA_PENDING 16
enum { SUBFRAME_STEPS, SUBFRAME_VFIT, SUBFRAME_CURVE, SUBFRAME_QUARTIC, SUBFRAME_HYPER };

/* a reference's frames moved to one position over several frames (sync_refmove.c): the
 * sequence (NULL: no move pending), the next frame to move, the velocity (y, x) and the middle
 * they move by, each frame by v * (mid - its position), and the frames moved a frame (0:
 * SYNC_SHIFT_BUDGET pixels of them, at least one) */
struct sync_move {
	struct seq *q;
	int j;
	double v[2], mid;
	int n;
};

#define CLV_BEATS 24 /* most beats of live lengths for sync.beat_delta_live (sync_calib_live.c) */

struct hist {
	double raw; /* unwrapped phase before the calibration (rad) */
	double w;   /* raw position in the reference (unpadded frames) */
	int64_t t_ns;
	double unw;
	uint32_t ref_id;
	int gap_before; /* the interval before this entry was a gap */
	double ns;	/* the match's uncertainty relative to a typical one (>= 1) */
	double off;	/* sub-frame offset from the reference frame before it, [0, 1) */
	double sp; /* the spread of the matching error at this position, relative (sync_calib_spread) */
	double c2; /* the common sub-frame correction applied (frames) */
};

struct seq {
	struct ogate_frame **f;
	int L;
	double *adj; /* <f_i, f_i>, then <f_i, f_{i+1 mod L}> */
	int have_adj;
	int change_lag; /* frames between the pairs the target was chosen on (sync_change_profile) */
	double *pos;	/* position of frame j (ogate_reference_positions) */
	double step_med; /* median of step[] */
	double *step;	 /* noise-free distance from frame j to j+1 (ogate_reference_steps); then,
			  * from index ref_cap, from frame j to j+2 (the SAD minus the noise floor) */
	double *sst;   /* sync.metric = ssd: the SSD over the region from frame j to j+1, then from
		      * index ref_cap from j to j+2, less the noise floor (sync_match.c) */
	double ssd_sd; /* the sd of an SSD's noise part over the region (sync_match.c) */
	struct ogate_reference_info info;
	int roi[4];	/* the phase match's region x0, y0, x1, y1 (half-open; sync_roi.c) */
	double trend;	/* the beat length's trend across the beat held, frames per frame, shrunk by
		       * its significance (refine_period, sync_determine.c; 0 if none) */
	double lags[6]; /* its lags' n, sums of x, y, xx, xy, yy (x: beat middle minus the
			 * reference's middle, y: beat length; frames) for sync_calib.c */
	double vel[2];	/* the drift its frames were taken under (rows, cols; px per frame of
			 * position; sync_driftreg.c, 0 if none was registered) */
	double reg_vel[2]; /* or, under a drift the period scan registered (sync_scanreg.c), the
			    * drift its frames were moved back by (vel is then 0) */
	double reg_mid;	   /* and the frame sequence number they were moved to */
	double lag_c;	   /* reference.lag_ssd = 2: the lags' mean SSD minus V-fit lag (frames) */
};

struct dot_task {
	const struct ogate_frame *a, *b;
	double *out;
};

/* one frame pair's shift (sync_driftreg.c, pair_shift): newer frame arrival ai, older aj */
#define SYNC_PAIR_MEMO 4
struct sync_pair_memo {
	uint64_t ai, aj;
	int oy, ox, r, ok;
	double sy, sx;
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
	double *prevsad; /* per slot: SAD against the previous buffered frame */
	double *rows;	 /* per slot: rows[slot * cap + d - 1] = SAD against the frame d earlier */
	int *depth;	 /* per slot: how many earlier frames its row covers */
	/* on the scan's path a frame's plain row is computed once it is decided, none on the frame
	 * that takes the reference (sync_determine): sadrow_full 1 computes it on arrival as
	 * before, sadrow_skipped counts the SADs left out (tests) */
	int sadrow_full;
	long sadrow_skipped;
	/* where the determination reads every r-th row (r > 1): per slot those rows of its frame
	 * packed, drows + slot * drows_blk, copied on arrival (sync_sadrow.c; allocated when a
	 * determination starts, NULL: the frames are read in place) */
	unsigned char *drows;
	size_t drows_blk;
	/* reference.lag_ssd: per slot, each pixel row's SSD against the frames lssd_b[slot] - 3 ..
	 * + 3 earlier, lssd[(slot * h + y) * 7 + k] (lssd_b 0: none), computed on arrival
	 * (sync_determine.c; allocated when first used) */
	uint64_t *lssd;
	int *lssd_b;
	long lssd_hits; /* lags at lock read from them (tests) */
	/* each slot's frame's arrival number (1 on; 0: none), and the drift's frame pairs at lock
	 * (sync_driftreg.c) computed as each determining frame arrives: per slot of the newer frame
	 * SYNC_PAIR_MEMO results keyed by both frames' arrival numbers, the integer start and the
	 * row step (allocated when first used); hits and computations (tests) */
	uint64_t *arrival, arrivals;
	struct sync_pair_memo *pmemo;
	long pmemo_hits, pmemo_misses;
	int ref_rows, ref_slot0; /* while a reference is established: its frames' rows are still
				  * stored, padded frame 0's slot (sync_ref_stored_sad) */
	double *diffs;
	double *phist; /* last agree_count period estimates (ring) */
	int phist_n, phist_pos;
	double *scratch;
	int64_t span_ns; /* buffer span: 1/min_heart_rate_hz, widened while no period is seen */
	int det_have_start, det_widened, det_at_limit;
	int det_full; /* the newest frame pushed the oldest out of the span: the buffer holds no more */
	int64_t det_start_ns, det_found_ns; /* determination start; last period estimate (or widening) */
	double est[EST_N]; /* the last single-scan estimates, one per frame (NAN: none), for the
			    * beat-averaged agreement of short periods (sync_determine.c) */
	int est_n, est_pos;
	double det_trend;   /* the last accepted period's lag trend (refine_period), for its seq */
	double det_lagc;    /* and its lags' mean SSD minus V-fit lag (reference.lag_ssd = 2) */
	double det_lags[6]; /* and its lags' sums (struct seq, lags) */
	double det_vel[2];  /* and the drift registered for them (struct seq, vel) */
	double det_period_ns;	   /* and its length in time (refine_period), 0 if none */
	int det_reason, det_agree; /* the latest determination frame's decision (enum
				    * ogate_sync_det_reason) and whether its estimates agreed */
	/* reference.start_from_target (sync_refstart.c): the target and barrier chosen where the
	 * period was accepted, as frames after rs_base (that cut's first frame's sequence), kept
	 * until the cut whose first frame is rs_seq0, half a beat before the target, is taken */
	int rs_plan;
	uint64_t rs_base, rs_seq0;
	double rs_tu, rs_bar;
	/* the latest accepted period and its det_* values while waiting, with its newest frame's
	 * sequence: the cut is taken with them (moved on) where the frame it waits for agrees on none */
	uint64_t rs_snap_seq;
	double rs_P, rs_trend, rs_lagc, rs_lags[6], rs_period_ns;
	/* whether the timestamps say when the images were taken (sync_tsclock.c), tested on the
	 * buffer of the latest reference: its positions on the frame clock (1) or at the stamps */
	int ts_clock, ts_logged;
	double ts_beta, ts_beta_se; /* 1 for uneven captures, 0 for wrong stamps; NAN untested */
	double *scratch_ts;	    /* 2 x cap: stamp errors and sequences of the buffered frames */
	/* and on the locked frames, in triples (sync_tsclock_observe): shown wrong for the stream */
	int ts_stream, ts_k, ts_n, ts_looks;
	uint32_t ts_ref;
	double ts_t[3], ts_q[3], ts_p[3];
	double ts_sxx, ts_sxy, ts_syy, ts_stream_beta, ts_stream_se;

	/* reference: sequences in a ring (OGA numbering g, slot g % nseq); s->ref/L/info mirror
	 * the current one */
	int have_ref;
	struct ogate_frame **ref;
	const double *step;	 /* the current reference's steps */
	const double *pos;	 /* and positions */
	int roi[4];		 /* and region (x0, y0, x1, y1) */
	struct ogate_frame **sm; /* reference.smooth: ref points here, the still pixels of the
				  * current reference replaced by their means (ref_cap frames) */
	double step_med;
	int subframe; /* SUBFRAME_* from sync.subframe */
	int ssd;      /* sync.metric = ssd */
	int L, ref_cap;
	struct ogate_reference_info info;
	struct seq *sq;
	int nseq;
	int g_cur;	       /* OGA index of the current reference */
	int pend;	       /* ring slot of a reference being aligned, -1 if none */
	int refreshing;	       /* collecting frames for a new reference while locked */
	int refresh_requested; /* ogate_sync_refresh(): start one at the next frame */
	int triggers_since_ref, frames_since_ref;
	/* alignment job: dot products spread over frames */
	struct dot_task *tasks;
	int ntasks, task_pos, task_cap;
	double *gram[16]; /* per previous sequence (g_pend - 1 - k): L_prev x L_pend */
	/* OGA state */
	struct ogate_oga_shift *shifts;
	int nshifts, shifts_cap;
	double *xabs; /* global offsets by OGA index */
	int xabs_cap;
	double target0, P0;
	int barrier0; /* the first reference's barrier, carried to later ones like the target */
	double *S;
	const uint8_t **rp; /* scratch: row pointers for multi-SAD */
	uint64_t *sad_out;
	int dx, dy;
	double fdx, fdy; /* smoothed sub-pixel drift (rows, cols) */
	double fvx, fvy; /* its velocity (px per frame) */
	int *sel;	 /* reference frames a search computes */
	int have_expect; /* expect_u valid: where the next frame should match */
	double expect_u;
	uint64_t full_searches;
	int whole_search; /* tests: 1 = every full search's SAD whole (no early exit, sync_match.c) */
	uint64_t search_rows; /* rows of SAD the full searches computed (tests, bench) */
	struct ogate_frame *shifted;
	/* reference.lag_even: the earlier frames' compared rows blurred, packed (sync_driftreg.c):
	 * SYNC_LAG_WAYS ways of lag_rows rows, way w buffer frame lag_j[w] (-1: none) read from
	 * margin lag_m[w] every lag_r[w]-th row */
	struct ogate_frame *lag_blur;
	int lag_rows, lag_j[SYNC_LAG_WAYS], lag_m[SYNC_LAG_WAYS], lag_r[SYNC_LAG_WAYS];
	int lag_direct; /* tests: 1 = every compared frame blurred anew, rblur unread */
	long lag_made, lag_kept, lag_scan; /* tests: blurred, found kept, read from rblur */
	/* the current reference's drift (struct seq, vel) and the reference position the tracked
	 * drift refers to (NAN: the next match's; sync_driftreg.c) */
	double ref_vel[2], drift_u;
	double fv0[2]; /* the tracked drift's velocity at the reference's start (fvx, fvy) */
	/* a drift too fast for the period scan, measured while no period is found and registered
	 * in its rows (sync_scanreg.c): velocity in px per frame (rows, cols; 0 0: off), the
	 * registered rows and their depths (allocated when first used), scratch for one row */
	double scan_vel[2];
	double *rrows, *rdiffs;
	int *rdepth, *rbin;
	struct ogate_frame *rfrac[16]; /* the newest frame moved by quarter pixels (sync_scan_row) */
	struct ogate_frame **rblur; /* per buffer slot: its frame blurred alike (sync_scan_row) */
	unsigned char *rvalid;	    /* per buffer slot: rblur holds its frame */
	int scan_ready;		    /* every buffered frame is blurred: the scan registers */
	/* reference.drift_move: the first reference's frames still to be moved to one position
	 * (sync_scan_shift_work, a few a frame, the frames that arrive meanwhile held as for the
	 * smoothing; q NULL: none) */
	struct sync_move shift;
	/* a refreshed reference's frames still to be moved so (sync_scan_refresh_move, as many a
	 * frame on the refresh's frames, nothing held: the old reference stays current until the
	 * alignment, which starts once they are moved; q NULL: none) */
	struct sync_move rmove;

	/* sync history ring */
	struct hist *hist;
	int hcap, hn, hhead;
	/* live phase-error check (sync_qa.c) */
	struct ogate_sync_trigger qa_pend[QA_PENDING];
	int qa_after[QA_PENDING]; /* frames arrived after each, in the same reference */
	int qa_n;
	struct ogate_sync_qa_stats qa_stats;
	double qa_sum_s, qa_sum2_s, qa_sum2_rad;
	/* the uncalibrated fit's level minus the calibrated one's, averaged over the last checks
	 * of this reference and target (sync_qa.c) */
	double qa_lev, qa_lev_target;
	int qa_lev_n;
	uint32_t qa_lev_ref;
	/* position calibration (sync_calib.c) */
	double *cal_r, *cal_w;
	double *cal_r2;	       /* and the sum of weight x residual^2 per bin */
	double cal_ss, cal_wt; /* within-bin sum of squares pooled over the bins; total weight */
	int cal_n, cal_cap;
	double cal_anchor; /* the table's mean at the reference frames (subtracted) */
	double cal_delta;  /* its beat's length minus P, from the same line (sync_calib.c) */
	double cal_trend; /* the current reference's beat length trend (sync_calib.c: its curvature) */
	double cal_lags[6]; /* its lags at lock and the beats measured after it (struct seq, lags) */
	double cal_lag0[6]; /* the lags at lock alone */
	double cal_cube[3]; /* the beats after it: sums of x^3, x^4, x^2 y (sync_calib.c) */
	double cal_ivl_ns; /* its frames' mean interval; 0 when the beats after it are not measured */
	double cal_raw0[6]; /* the lags at lock as measured (sync.beat_common corrects cal_lag0) */
	double ccn[4];	    /* the common error for them: cc's estimate shrunk, not cut at 2 se */
	unsigned cal_updates;
	double cg[3][3], cv[3]; /* common sub-frame error: normal equations (sync_calib.c) */
	double cc[4];		/* and its estimate at offsets 0, 1/4, 1/2, 3/4 */
	double cw[4];		/* the bins' shares at an exact match (sync_calib_common_level) */
	double cal_hx[4];	/* live frames near the target by offset (sync_calib.c) */
	double cal_ut;		/* the target those and the pin are for (sync_calib.c) */
	double cdd;		/* sum of d^2 */
	unsigned cn;		/* samples */
	struct {		/* live beat lengths after the reference (sync_calib_live.c) */
		double x0;	/* the first one's beat middle */
		double sum[CLV_BEATS]; /* their sums and counts by beat from it */
		double n[CLV_BEATS];
		double sx[CLV_BEATS]; /* and their middles' sums */
		int cur;      /* the beat the newest one is in (those before are complete) */
		double model; /* the beat model's own delta, where they are not used */
		int done;
		double wn, wsum, wss; /* sync.beat_delta_wrap: pairs at the wrap, sums of D, D^2 */
	} clv;
	double *fit_t, *fit_p, *fit_w;

	/* frame timing */
	double ivl[IVL_N];
	int ivl_n, ivl_pos;
	double ivl_dev; /* mean |interval - measured interval| (sync_timing.c), over ~64 */
	long ivl_dev_n;
	int have_last;
	int64_t last_ns;
	uint64_t last_seq;
	int64_t t0_ns;
	double recent_trigger_s;
	int64_t last_sent_ns;
	int have_sent;
	/* the last forecast's window began at the reference's first frame, short of the barrier
	 * (prediction.window_from_lock, sync_timing.c): it commits only standard triggers */
	int fit_from_lock;
	/* the late rule (sync_timing.c): the last phased frame's decision waited for a later frame
	 * (late_armed), at late_prev_ns, its forecast crossing the target at late_cross_ns */
	int late_armed;
	int64_t late_prev_ns, late_cross_ns;

	/* reference.smooth spread over frames (sync_smooth.c): the job building the current
	 * reference's smoothed copy (NULL: none), the pixels a frame's share may touch (<= 0: the
	 * whole on the frame that establishes the reference) and those the last frame's touched */
	struct sync_smooth_job *smooth_job;
	int hold_job; /* the held frames waited for that job (sync_held_per_frame's rate) */
	long smooth_budget;
	int smooth_pool; /* the copies' pool (sync_smooth_pool_fill): 0 by frame size, 1 on, -1 off */
	void *look_mean; /* the pool's arrays for the next job's full look (its int32 means) */
	void *look_vm; /* and copy (the replacement and its mask in the pixels' type): NULL, none */
	int sm_trim;   /* the pool's spares from sm_trim - 1 on still to be freed, a few a frame
		      * (sync_smooth_pool_trim_step); 0: none */
	long smooth_fresh; /* frame-sized arrays the job and the held frames' copies allocated
			    * fresh, not the pool's nor a caught-up frame's (counted for the tests) */
	long smooth_touched;
	/* the frames that arrived while it was built, matched in arrival order once it is done
	 * (sync.c): lq[lq_head .. lq_n - 1], copies */
	struct ogate_frame **lq;
	int lq_cap, lq_head, lq_n;
	/* a share of the next held frame's full search computed on the frame before
	 * (sync_search_ahead, sync_match.c): whole SADs, with what they depend on */
	struct sync_ahead {
		const struct ogate_frame *f; /* the held frame's copy, its sequence, timestamp */
		uint64_t seq, at;	     /* at: the match (matches) that takes them */
		int64_t ts;
		uint32_t id; /* the reference (info.id), its length, the window (match_window) */
		int L, n, win[6];
		int j[SYNC_AHEAD_MAX];
		const struct ogate_frame *ref[SYNC_AHEAD_MAX];
		double v[SYNC_AHEAD_MAX];
	} ahead;
	uint64_t matches;    /* sync_match's calls */
	uint64_t ahead_used; /* SADs full searches took from ahead (tests) */
	int ahead_off;	     /* tests: 1 = none computed ahead */
	/* the reference's frames binned 2 x 2: the full search's lower bound (reference_frames.c) */
	struct sync_bin *bin;
	int bin_off;	   /* tests: 1 = none binned (the full search without the bound) */
	uint64_t bin_rows; /* binned rows the full searches read (tests, bench) */
};
/* reference_frames.c */
#define SYNC_BIN 4 /* the side of the reference's blocks binned for the full search's bound */
void sync_bin_step(struct ogate_sync *s, int n);
const uint16_t *sync_bin_frame(const struct ogate_sync *s, int j);
int sync_bin_live(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx, int ry,
		  int nw, int nh);
double sync_bin_band(struct ogate_sync *s, const uint16_t *rb, int b0, int b1);
void sync_bin_free(struct ogate_sync *s);
/* sync_determine.c */
void sync_buffer_reset(struct ogate_sync *s);
int sync_cmp_dbl(const void *a, const void *b);
void sync_establish_seq(struct ogate_sync *s, int k, double P, uint64_t seq);
void sync_change_profile(const struct ogate_sync *s, struct seq *q, double P, double *delta, int N);
int sync_determine(struct ogate_sync *s, const struct ogate_frame *f, int gap, double *P_out);
int sync_determine_first(struct ogate_sync *s, const struct ogate_frame *f, int gap,
			 struct ogate_sync_result *r);
int sync_buffer_bound(const struct ogate_sync *s);
void sync_ref_positions(const struct ogate_sync *s, struct ogate_frame *const *f, int L, double *pos);
double sync_target_setting(const struct ogate_sync *s, const double *pos, int L, double P, double tu);
/* sync_refstart.c */
int sync_refstart_wait(struct ogate_sync *s, const struct ogate_frame *f, int gap, int *rc, double *P);
void sync_refstart_apply(struct ogate_sync *s, double *tu);
#define SYNC_SSD_ROWS_MAX 8 /* windows sync_ssd_rows compares a with at once */
void sync_ssd_rows(const struct ogate_sync *s, const void *a, size_t astride, const void *const *bp,
		   int n, size_t bstride, int w, int rows, uint64_t *out);
void sync_determination_scan(const struct ogate_sync *s, struct ogate_sync_determination *d);
/* sync_sadrow.c */
int sync_determine_row_step(const struct ogate_sync *s);
int sync_sadrow_pack(struct ogate_sync *s, int slot, const struct ogate_frame *f, int r, int hr);
void sync_sadrow_plain(struct ogate_sync *s, int slot, int n, int r, int hr, int packed);
int sync_frame_lag(const struct ogate_sync *s, int i, int c, double *lag);
int sync_frame_lag_ways(const struct ogate_sync *s, int i, int c, double *lag);
double sync_lag_curve(const struct ogate_sync *s, int i, int b, const double S[3], double lag);
int sync_ref_stored_sad(const struct ogate_sync *s, int ja, int jb, double *sad);
double sync_median_in_place(double *v, int k);
/* the determination buffer's frame i, oldest first */
static inline struct ogate_frame *sync_buf_at(const struct ogate_sync *s, int i)
{
	return s->buf[(s->head + i) % s->cap];
}
/* while a reference is established (ref_rows): the buffer index of its padded frame 0 */
static inline int sync_ref_first(const struct ogate_sync *s)
{
	return ((s->ref_slot0 - s->head) % s->cap + s->cap) % s->cap;
}
/* pixel (y, x) of an 8- or 16-bit frame */
static inline int sync_px_at(const struct ogate_frame *f, int y, int x)
{
	const void *row = ogate_frame_row(f, y);
	return f->fmt == OGATE_PIX_U8 ? ((const uint8_t *)row)[x] : ((const uint16_t *)row)[x];
}
/* sync_driftreg.c */
/* a Lucas-Kanade step's shift from its sums over the pixels (central differences, i.e. twice
 * the gradients: myy, mxx, mxy = sum ax by + ay bx, ey, ex): 1 and the shift, or 0 where the
 * gradients do not determine it (shift_lsq, sync_scanreg.c's robust steps) */
int sync_lk_solve(int64_t myy, int64_t mxx, int64_t mxy, int64_t ey, int64_t ex, double *sy,
		  double *sx);
void sync_frame_lags(struct ogate_sync *s, int c, int reg, double *lagv);
void sync_drift_pairs_on_arrival(struct ogate_sync *s, double P);
double sync_sad_offset(const struct ogate_sync *s, const struct ogate_frame *a,
		       const struct ogate_frame *b, int oy, int ox, int r, int m);
int sync_pair_shift(struct ogate_sync *s, const struct ogate_frame *a, const struct ogate_frame *b,
		    int oy, int ox, int r, double *sy, double *sx);
/* sync_scanreg.c */
/* the row step that reads at most about work pixels of the frame less a margin m (at least 1) */
int sync_scan_rows_for(const struct ogate_sync *s, int m, int work);
/* the integer shift o with b(p) = a(p + o) within +-R (SADs of about 4096 pixels): 1, or 0 where
 * the best lies on the search's edge */
int sync_scan_integer_shift(const struct ogate_sync *s, const struct ogate_frame *a,
			    const struct ogate_frame *b, int R, int *oy, int *ox);
int sync_scan_drift(struct ogate_sync *s, char *note, size_t size);
void sync_scan_row(struct ogate_sync *s, const struct ogate_frame *f, int n, int r, int slot);
void sync_scan_catch_up(struct ogate_sync *s, int slot);
/* sync_refmove.c: a reference's frames moved for a drift or blurred (sync.match_blur) */
void sync_scan_register_ref(struct ogate_sync *s, struct seq *q, double P);
int sync_scan_spread_fits(const struct ogate_sync *s, const struct seq *q, double P);
int sync_scan_spread_share(const struct ogate_sync *s, const struct seq *q, double P);
/* sync_scanreg.c */
void sync_scan_shift_even(const struct ogate_sync *s, struct ogate_frame *dst,
			  const struct ogate_frame *src, double fy, double fx, int y0, int n);
/* the same on rows y0 + k r (k < n) only */
void sync_shift_even_rows(const struct ogate_sync *s, struct ogate_frame *dst,
			  const struct ogate_frame *src, double fy, double fx, int y0, int r, int n);
/* dst's rows d0 + k (k < n) = sync_shift_even_rows(src, no shift)'s rows y0 + k r: packed */
void sync_blur_rows_packed(struct ogate_frame *dst, int d0, const struct ogate_frame *src, int y0,
			   int r, int n);
void sync_scan_drift_start(struct ogate_sync *s, const struct seq *q);
/* sync_refmove.c: the moves spread over the next frames */
int sync_scan_shift_work(struct ogate_sync *s);
int sync_scan_refresh_move(struct ogate_sync *s);
/* reference frames per frame sync_scan_shift_work moves: SYNC_SHIFT_BUDGET pixels (about 1 ms
 * of CPU on the x86-64 VM in the plain loops, 2 ns a pixel; 0.3 ms with resample.c's AVX2 and
 * AVX-512 kernels), at least one frame */
#define SYNC_SHIFT_BUDGET (1L << 19)
/* a drift is registered for the scan (sync_scan_catch_up then blurs every frame), and it
 * registers from this frame (sync_scan_on) */
static inline int sync_scan_drifting(const struct ogate_sync *s)
{
	return s->rrows && s->rblur && s->rvalid && (s->scan_vel[0] != 0 || s->scan_vel[1] != 0);
}
static inline int sync_scan_on(const struct ogate_sync *s)
{
	return sync_scan_drifting(s) && s->scan_ready;
}
/* reference q's frames sit at one blur of the drift's four taps (moved for a drift, or blurred
 * at no shift under sync.match_blur: q->info.blurred, reg_vel 0): every live frame is matched
 * through the same taps */
static inline int sync_seq_even(const struct seq *q)
{
	return q && (q->reg_vel[0] != 0 || q->reg_vel[1] != 0 || q->info.blurred);
}
/* sync.curve_min_fpb / sync.curve_max_fpb (0: no bound): a beat of fpb frames within the band
 * where sync.subframe = curve places matches (the V fit outside): below ~9 the image saturates
 * within a frame and the curve's position is not monotone in the truth. Read by the live
 * frames' match (sync_match.c) and the lags at lock (sync_sadrow.c, reference.lag_curve = 1). */
static inline int sync_curve_in_band(const struct ogate_sync *s, double fpb)
{
	return (!(s->set.curve_min_fpb > 0) || fpb >= s->set.curve_min_fpb) &&
	       (!(s->set.curve_max_fpb > 0) || fpb <= s->set.curve_max_fpb);
}
int sync_median_stays_below_step(const double *v, int n, int m, int c);
void sync_drift_to_expected(struct ogate_sync *s);
void sync_drift_from(struct ogate_sync *s, int best, double *orow, double *ocol);
/* sync_tsclock.c */
void sync_tsclock_test(struct ogate_sync *s, double P);
void sync_tsclock_info(const struct ogate_sync *s, struct ogate_reference_info *info);
void sync_tsclock_latest(const struct ogate_sync *s, struct ogate_reference_info *info);
void sync_tsclock_observe(struct ogate_sync *s, const struct ogate_frame *f, int gap, double unw);
/* sync_reference.c (sync_smooth_noise .. sync_change_m: sync_smooth_stats.c) */
void sync_set_target(struct ogate_sync *s, double u);
const struct seq *sync_current_seq(const struct ogate_sync *s);
void sync_make_current(struct ogate_sync *s, int k, double tu);
double sync_smooth_noise(const float *x, int L, int n);
double sync_smooth_noise_look(const float *x, int L, int n);
int sync_smooth_pixel(double sum, double sum2, int L, double s2, double *mean);
void sync_repeat_add(const double *r0, const double *r1, const double *p0, const double *p1,
		     const unsigned char *cand, double *glast, int first, int n, double acc[3]);
double sync_repeat_z(const double acc[3]);
void sync_change_add(const double *a, const double *b, int n, double sd2, double acc[2]);
double sync_change_m(const double acc[2], double sd2);
enum { SYNC_SMOOTH_HBINS = 4096 };
double sync_smooth_abs_median(const double *ad, int n);
/* sync_smooth_abs_median of |a - 2 b + c| over rows (every r-th) of W pixels of three 8-bit
 * frames, counted in integers: the same median */
double sync_smooth_median_u8(const struct ogate_frame *fa, const struct ogate_frame *fb,
			     const struct ogate_frame *fc, int rows, int r, int W);
double sync_smooth_noise_of_median(double med);
/* sync_smooth_look.c: the full look's per-pixel sums on 8-bit frames, exact in integers for
 * L <= SYNC_LOOK_U8_MAX_L frames (65025 L < 2^31). rows[j]: n pixels of frame j's row: their
 * sums, sums of squares, and sums of d^2 and d^4 over the one-frame changes d. */
#define SYNC_LOOK_U8_MAX_L 33000
void sync_look_sums_u8(const uint8_t *const *rows, int L, int n, uint32_t *restrict sum,
		       uint32_t *restrict sum2, uint32_t *restrict p2, uint64_t *restrict p4);
/* The repeat's sums (sync_smooth.c's full look) over consecutive pairs j-1, j where a[j-1] and
 * a[j] are given (a[j] NULL: none): r the reference's rows, a and cc the previous beat's, u = R A,
 * v = R C; su, sv: sum u, sum v; acc (6 rows of S): sum uu, uv, vv, u u', u v' + v u', v v' (u',
 * v': the previous pair's, kept in up, vp); 1 if any pair was added. want (or NULL: every
 * column): the sums of columns c with want[c] < 0 are not needed (blocks of them skipped). */
int sync_look_repeat_u8(const uint8_t *const *r, const uint8_t *const *a, const uint8_t *const *cc,
			int L, int n, const int32_t *want, int32_t *restrict up, int32_t *restrict vp,
			int32_t *restrict su, int32_t *restrict sv, int64_t *restrict acc, int S);
/* The repeat's sums of sync_look_repeat_u8 added over the columns c with want[c] >= 0 (their
 * totals, tot: sum u, v, uu, uv, vv, u u', u v' + v u', v v'; *any: as its return), exactly, in
 * 16-bit lanes where no product or sum can wrap: then a bound b >= 0 such that every wanted
 * column's eight sums are at most 2 L b^2 + L b in magnitude; -1 where not done (no
 * AVX-512, n not a multiple of 32, or values too large: take sync_look_repeat_u8). */
int64_t sync_look_repeat_tot_u8(const uint8_t *const *r, const uint8_t *const *a,
				const uint8_t *const *cc, int L, int n, const int32_t *want,
				int64_t tot[8], int *any);
/* sync_smooth_pixel over n columns' sums (L frames, noise s2): mrow[c] the rounded mean where
 * the pixel is replaced, else -1, the same doubles lane by lane; 1 if any is replaced */
int sync_look_pixels_u8(const uint32_t *sum, const uint32_t *sum2, int n, int L, double s2,
			int32_t *mrow);
/* S2 += p2[k], S4 += p4[k] over the n columns in column order (doubles), the same doubles
 * (the row's integer totals where every partial sum stays exact) */
void sync_look_add_changes(double *S2, double *S4, const uint32_t *p2, const uint64_t *p4, int n,
			   int L);
/* The widest kernels the two above may take (for the tests, before any thread uses them): 2
 * AVX-512 F+BW, 1 AVX2, 0 the plain loops (x86-64 where the machine has them; elsewhere the
 * plain loops); the previous cap. The integer sums are the same whichever runs. */
int sync_look_isa(int cap);
/* sync_match.c: the full search's SADs of f's nw x nh window at (fx, fy) against every reference
 * frame j with S[j] == HUGE_VAL at (rx, ry), with early exits: what ogate_subframe_phase and the
 * least SAD read from S is exactly the whole search's, the rest may be partial sums above it */
void sync_search_bounded(struct ogate_sync *s, const struct ogate_frame *f, int fx, int fy, int rx,
			 int ry, int nw, int nh, double P);
/* at the end of a frame that matched held frames and holds more: a share of the full search
 * the next frame's steps make, ahead (sync_match.c) */
void sync_search_ahead(struct ogate_sync *s);
int sync_grow(void **p, int *cap, int need, size_t elem);
int sync_refresh_step(struct ogate_sync *s, const struct ogate_frame *f, int gap,
		      struct ogate_sync_result *r);
/* sync_smooth.c */
/* reference.smooth on sequence slot k, the current reference: decides at once where auto's
 * first look says the change is above the noise (0), else starts the job (1); -errno (matched
 * as recorded) */
int sync_smooth_start(struct ogate_sync *s, int k);
/* Units of the job until the next would take the pixels touched beyond budget (at least one;
 * budget <= 0: all): 1 when it is done (s->ref is then the smoothed copy or the recorded
 * frames, info says which), 0 while there is more. */
int sync_smooth_work(struct ogate_sync *s, long budget);
/* the frames held while the smoothing job runs before its budget grows: a quarter beat, at
 * least 4 (sync.c; the job spreads itself over them, sync_smooth.c) */
int sync_hold_bound(double P);
int sync_smooth_hold_bound(const struct ogate_sync *s);
/* the job freed, and the pool's look arrays */
void sync_smooth_free(struct ogate_sync *s);
/* sync_smooth_first.c: reference.smooth = auto's first look, M (sync_change_m) of q's frames (W
 * x H) from a grid of at most SYNC_SMOOTH_DECIDE_SAMPLES pixel samples (L x n); 0 or -ENOMEM */
#define SYNC_SMOOTH_DECIDE_SAMPLES (1 << 14)
int sync_smooth_first_look(const struct seq *q, int W, int H, double *cm);
/* sync_smooth_pool.c: the smoothed copy's frames allocated ahead, a few a determining frame
 * (sync.c) */
void sync_smooth_pool_fill(struct ogate_sync *s);
/* s->sm[j] a frame of the stream's format and size: 1 newly allocated, 0 reused, -errno */
int sync_smooth_pool_get(struct ogate_sync *s, int j);
/* s->sm's frames from keep on freed (the pool's spares) */
void sync_smooth_pool_trim(struct ogate_sync *s, int keep);
/* the same over the next frames, SMOOTH_TRIM_BYTES a frame (sync_smooth_pool_trim_step, which
 * sync.c calls on the plain locked frames); a job that starts takes what is left */
void sync_smooth_pool_trim_later(struct ogate_sync *s, int keep);
void sync_smooth_pool_trim_step(struct ogate_sync *s);
/* while the smoothing job runs, one of the pool's spares (s->sm's frames from keep on, keep the
 * reference's L) handed over to the caller (NULL: none), for a held frame's copy (sync.c) */
struct ogate_frame *sync_smooth_pool_take(struct ogate_sync *s, int keep);
/* the bytes of the full look's means (which 0) and of the copy's replacement and mask (1) */
size_t sync_smooth_look_bytes(const struct ogate_sync *s, int which);
/* the pool's look arrays (s->look_mean, s->look_vm) freed */
void sync_smooth_pool_drop_look(struct ogate_sync *s);
/* pixels a frame's share of the job may touch: 0.9-1 ms of CPU at any size on the x86-64 VM
 * (0.3 ns a pixel, the full look's counted 4 times: SMOOTH_LOOK_WEIGHT) */
#define SYNC_SMOOTH_BUDGET (1L << 21)
/* sync_match.c */
void sync_drift_bootstrap(struct ogate_sync *s, const struct ogate_frame *f, int r);
void sync_reference_steps(struct ogate_sync *s, struct seq *q);
int sync_reference_row_step(const struct ogate_sync *s, int RW, int RH);
void sync_reference_steps_from(struct ogate_sync *s, struct seq *q, const double *adj,
			       const double *skip, double *scratch);
void sync_reference_steps_stored(struct ogate_sync *s, struct seq *q);
void sync_match(struct ogate_sync *s, const struct ogate_frame *f0, struct ogate_sync_result *r);
/* sync_roi.c */
void sync_roi_learn(struct ogate_sync *s, struct seq *q);
/*
 * Per tile (nx x ny tiles of W/nx x H/ny pixels, the last ones taking the remainder), the mean
 * per pixel of |f_j - f_{j+h}|, or of its square, over the reference's pairs j = 0, step,
 * 2 step, ... (j + h < L) and every r-th row: a[k], and n[k] the differences it averages
 * (sync_roi.c; the region and the SSD noise floor). 0, or -ENOMEM.
 */
int sync_tile_diffs(const struct ogate_sync *s, const struct seq *q, int h, int step, int r,
		    int squared, int nx, int ny, double *a, double *n);
/* sync_calib.c */
void sync_calib_reset(struct ogate_sync *s);
double sync_calib_offset(const struct ogate_sync *s, double w);
/* The variance of the matching error about the table's mean at raw position w, relative to the
 * variance pooled over all positions (the bins' within-bin variances, each shrunk towards the
 * pooled one by CAL_K0 samples), at least 1; 1 while the table has no more samples than bins. */
double sync_calib_spread(const struct ogate_sync *s, double w);
double sync_beat_model(const struct ogate_sync *s, double u);
void sync_calib_update(struct ogate_sync *s);
/* x = (g + lam I)^-1 v, g symmetric positive semi-definite (lam > 0 or g definite) */
void sync_calib_solve3(const double g[3][3], const double *v, double lam, double *x);
/* The beat model re-fitted (its lags moved: sync.beat_common), and the pin if it changed. */
void sync_calib_beat_refit(struct ogate_sync *s);
int sync_calib_after_measured(const struct ogate_sync *s);
/* sync_calib_live.c */
void sync_calib_live_update(struct ogate_sync *s);
/* sync.beat_delta_wrap: the other copy's index near live frame b's match, or -1 where no pair
 * is taken; the pair, once S holds whole SADs (over n pixels) against that copy's frames
 * c0 - WRAP_HALF .. c0 + WRAP_HALF within the reference */
#define WRAP_HALF 3
int sync_calib_wrap_other(const struct ogate_sync *s, int b);
void sync_calib_wrap_pair(struct ogate_sync *s, int b, int c0, double n);
int sync_calib_wrap_delta(const struct ogate_sync *s, double *delta);
int sync_calib_live_delta(const struct ogate_sync *s, double *delta);
void sync_calib_live_apply(struct ogate_sync *s);
void sync_calib_moved_trend(struct ogate_sync *s);
/* The least-squares line through six sums of beat lengths y at middles x (n, Sx, Sy, Sxx, Sxy,
 * Syy: struct ogate_sync's cal_lags): its centred sums, slope b, residual sum of squares, the
 * slope's explained sum of squares times n - 2 (q = t^2 rss) and its significance share sig =
 * q / (q + rss) = t^2 / (t^2 + 1); -1 with fewer than 3 or no spread. */
struct beat_line {
	double n, sxx, sxy, syy, b, rss, q, sig;
};
int sync_beat_line(const double m[6], struct beat_line *l);
/* sync_calib_common.c */
double sync_calib_common(const struct ogate_sync *s, double w, double *off);
void sync_calib_common_update(struct ogate_sync *s);
void sync_calib_common_level(double sd, double w[4]);
/* sync_qa.c */
void sync_qa_add(struct ogate_sync *s, const struct ogate_sync_trigger *t);
void sync_qa_step(struct ogate_sync *s, struct ogate_sync_result *r);
/* sync_timing.c */
int sync_timing_advance(struct ogate_sync *s, const struct ogate_frame *f, int *gap);
double sync_reference_interval(const struct ogate_sync *s);
double sync_interval_spread(const struct ogate_sync *s);
const struct hist *sync_hist_at(const struct ogate_sync *s, int back);
/* A history entry's fit weight: the inverse of its variance, the larger of two estimates of it
 * relative to a typical match: from the image change around the match (frames where the image
 * barely moves count less), and as measured at this position over the beats so far
 * (sync_calib_spread). The prediction's fit and the live check weigh frames alike. */
static inline double sync_hist_weight(const struct hist *e)
{
	double ns = e->ns > 1 ? e->ns : 1, v = ns * ns;
	return 1 / (e->sp > v ? e->sp : v);
}
/* sync_hold.c: a trigger decided on held frame f (not phased yet) from the predictor's last state */
void sync_held_decide(struct ogate_sync *s, const struct ogate_frame *f, struct ogate_sync_result *r);
int sync_held_per_frame(const struct ogate_sync *s, int L, int job);
int sync_hold_frames(const struct ogate_sync *s, int L, int work);
int sync_forecast(struct ogate_sync *s, double phase, double unw, int64_t t_ref_ns,
		  struct ogate_prediction *pr);
int sync_fire(struct ogate_sync *s, const struct ogate_frame *f, double wait, double rate,
	      struct ogate_sync_result *r);
void sync_predict_and_decide(struct ogate_sync *s, const struct ogate_frame *f,
			     struct ogate_sync_result *r);
#endif
