/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shared by test_sync.c and test_sync_tracking.c: a synthetic heart stream (ogate-synth's
 * model) fed frame by frame through the pipeline. Include after sync*.c and heart.c; the
 * helpers are static inline so a test that does not use one does not warn. */
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
	noisy_frame_fill(f, st->sh, SZ, SZ, 2.0, &st->rng, 5000000000LL + llround(t * 1e9), seq);
	return f;
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

/* true period in frames starting at frame index x0 */
static inline double true_period_frames(const struct ogate_heart_law *law, double x0)
{
	double goal = ogate_heart_law_psi(law, x0 / FPS) + 2 * M_PI, lo = x0, hi = x0 + 1000;
	for (int i = 0; i < 80; i++) {
		double m = (lo + hi) / 2;
		if (ogate_heart_law_psi(law, m / FPS) < goal)
			lo = m;
		else
			hi = m;
	}
	return lo - x0;
}
#endif
