/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by the sync suites (test_sync.c, test_sync_tracking.c, test_sync_kalman.c,
 * test_sync_tsclock.c): a synthetic heart stream (ogate-synth's model) fed frame by frame through
 * the pipeline, and what a trigger aimed at on it. Include after sync*.c and heart.c; the helpers
 * are static inline so a test that does not use one does not warn. */
#ifndef OGATE_TEST_SYNC_STREAM_H
#define OGATE_TEST_SYNC_STREAM_H

#include "noisy_frame.h"

/* A frame the test needs: it stops here if the frame cannot be made. */
static inline struct ogate_frame *new_frame(enum ogate_pixfmt fmt, int width, int height)
{
	struct ogate_frame *f = NULL;

	assert_int_equal(0, ogate_frame_new(&f, fmt, width, height));
	return f;
}

static inline const double *est_hist_first5(void)
{
	return est_period_history;
}

#define SZ 96
#define FPS 80.0
/* the stream's clock: stream time t s is stamped STREAM_T0_NS + t */
#define STREAM_T0_NS 5000000000LL

struct stream {
	struct ogate_heart_blob heart;
	struct ogate_heart_law law;
	struct ogate_heart_rng rng;
	float img[SZ * SZ], sh[SZ * SZ];
};

static inline void stream_init(struct stream *st, double period_s, double mod_amp)
{
	ogate_heart_blob_init(&st->heart, SZ, SZ, 7);
	st->law = (struct ogate_heart_law){ period_s, 0.0, mod_amp, 7.0, 0.7, 60.0 };
	ogate_heart_rng_seed(&st->rng, 3);
}

/* frame at time t (s), shifted by (sy, sx) px, as 8- or 16-bit */
static inline struct ogate_frame *stream_frame(struct stream *st, double t, uint64_t seq, double sy,
					       double sx, int bits)
{
	ogate_heart_blob_render(&st->heart, fmod(ogate_heart_law_psi(&st->law, t), 2 * M_PI), st->img);
	ogate_heart_rigid_shift(st->img, st->sh, SZ, SZ, sy, sx);
	struct ogate_frame *f = new_frame(bits == 16 ? OGATE_PIX_U16 : OGATE_PIX_U8, SZ, SZ);
	noisy_frame_fill(f, st->sh, SZ, SZ, 2.0, &st->rng, STREAM_T0_NS + llround(t * 1e9), seq);
	return f;
}

/* A sync on set (NULL: the defaults) watching st, a heart of period_s s and rate modulation
 * mod_amp: most tests' fixture. stream_sync_free() frees both. */
static inline struct ogate_sync *stream_sync_new(struct stream *st, const struct ogate_settings *set,
						 double period_s, double mod_amp)
{
	struct ogate_settings defaults;
	if (!set) {
		ogate_settings_default(&defaults);
		set = &defaults;
	}
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, set));
	stream_init(st, period_s, mod_amp);
	return sy;
}

static inline void stream_sync_free(struct ogate_sync *sy, struct stream *st)
{
	ogate_sync_free(sy);
	ogate_heart_blob_free(&st->heart);
}

/* Frame i (at i / FPS, content shifted by (dy, dx) px, 8 bits) through sy into *r: what
 * ogate_sync_process() returned. */
static inline int stream_step(struct ogate_sync *sy, struct stream *st, int i, double dy, double dx,
			      struct ogate_sync_result *r)
{
	struct ogate_frame *f = stream_frame(st, i / FPS, (uint64_t)i, dy, dx, 8);
	int rc = ogate_sync_process(sy, f, r);
	ogate_frame_free(f);
	return rc;
}

/* stream time (s) of a stamp */
static inline double stream_time_s(int64_t ns)
{
	return (double)(ns - STREAM_T0_NS) * 1e-9;
}

/* the true heart phase (mod 2 pi) a trigger aimed at: its reference's target position */
static inline double stream_target_psi(const struct stream *st, const struct ogate_sync_trigger *t)
{
	return fmod(ogate_heart_law_psi(&st->law, ((double)t->ref_first_seq + t->target_u) / FPS),
		    2 * M_PI);
}

/* the true heart phase (unwrapped) at a trigger's time */
static inline double stream_psi_at(const struct stream *st, const struct ogate_sync_trigger *t)
{
	return ogate_heart_law_psi(&st->law, stream_time_s(t->time_ns));
}

/* *worst: the largest |phase - *first| so far, *first the first phase seen (NAN before it) */
static inline void worst_from_first(double phase, double *first, double *worst)
{
	if (isnan(*first))
		*first = phase;
	*worst = fmax(*worst, fabs(ogate_wrap_pi(phase - *first)));
}

struct sink_log {
	int n;
	struct ogate_sync_trigger t[256];
};

static inline void sink(void *ctx, const struct ogate_sync_trigger *t)
{
	struct sink_log *l = ctx;
	if (l->n < 256)
		l->t[l->n++] = *t;
}

/* run frames i0 .. i0+n-1, collect results */
static inline struct ogate_sync_result *run_from(struct ogate_sync *sy, struct stream *st, int i0,
						 int n, int bits, struct sink_log *log)
{
	struct ogate_sync_result *r = calloc((size_t)n, sizeof(*r));
	if (log)
		ogate_sync_set_sink(sy, sink, log);
	for (int k = 0; k < n; k++) {
		int i = i0 + k;
		struct ogate_frame *f = stream_frame(st, i / FPS, (uint64_t)i, 0, 0, bits);
		assert_int_equal(ogate_sync_process(sy, f, &r[k]), 0);
		ogate_frame_free(f);
	}
	return r;
}

static inline struct ogate_sync_result *run(struct ogate_sync *sy, struct stream *st, int n,
					    int bits, struct sink_log *log)
{
	return run_from(sy, st, 0, n, bits, log);
}

/* the true period in frames at fps from stream frame x0 */
static inline double true_period_at(const struct ogate_heart_law *law, double fps, double x0)
{
	double goal = ogate_heart_law_psi(law, x0 / fps) + 2 * M_PI, lo = 0, hi = 10000;
	for (int k = 0; k < 80; k++) {
		double mid = (lo + hi) / 2;
		if (ogate_heart_law_psi(law, (x0 + mid) / fps) < goal)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* ... at the stream's FPS */
static inline double true_period_frames(const struct ogate_heart_law *law, double x0)
{
	return true_period_at(law, FPS, x0);
}
#endif
