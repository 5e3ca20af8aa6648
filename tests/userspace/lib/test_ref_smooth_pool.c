// SPDX-License-Identifier: GPL-2.0 OR MIT
/* reference.smooth's pool (sync_smooth_pool.c, sync_smooth_pool_fill): the smoothed copy's frames
 * are allocated a few a frame while the period is determined, the copy writes into them, the
 * frames held while the job runs take their copies from the spares, the spares left are freed
 * after the job, and nothing the analysis returns changes (which frames are held, every phase,
 * the smoothed pixels). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "heart.c"
#include "sync_private.h"
#include "noisy_frame.h"

#define SZ 96
#define FPS 60.0
#define NOISE 4.0
#define NF 400
#define MAXL 512

struct run {
	int state[NF], has[NF];
	double phase[NF];
	int est, L, smoothed;
	int pool_max_over;  /* the most pool frames beyond the buffer's frames before the lock */
	int pool_at_est;    /* pool frames allocated when the reference was established */
	int used_from_pool; /* the copy's frames that are the pool's, after the job */
	int spares_left;    /* s->sm's frames beyond L at the end (the spares are freed a few a
			     * frame once the frames held are caught up) */
	int spares_at_est;  /* s->sm's frames beyond L when the reference was established */
	int held_in_job;    /* frames held while the job ran */
	int held_from_pool; /* their copies that were the pool's spares */
	uint64_t sum_px;    /* a hash of the smoothed copy's pixels */
	int most_frames;    /* the most buffer and pool frames together before the lock (the look's
			     * arrays counted in frames' bytes) */
	int look_at_est;    /* the pool's look arrays when the reference was established */
	int held_after;	    /* frames held after the job (while the held frames are caught up) */
	long fresh;	    /* frame-sized arrays the job and the held frames allocated fresh */
};

static int sm_count(const struct ogate_sync *sy, int from)
{
	int n = 0;
	for (int j = from; sy->sm && j < sy->ref_cap; j++)
		n += sy->sm[j] != NULL;
	return n;
}

/* A synthetic heart into a new analysis: default settings but reference.max_buffer_mb (when
 * max_mb > 0), the pool setting pool (-1 off, 0 by frame size, 1 on), a sz^2 blob heart, its law
 * and noise seed, and the 8-bit frame its images are drawn into. */
struct heart_run {
	struct ogate_sync *sy;
	struct ogate_heart_blob heart;
	struct ogate_heart_law law;
	struct ogate_heart_rng rng;
	struct ogate_frame *f;
};

static void heart_run_open(struct heart_run *h, int pool, double max_mb, int sz, uint64_t blob,
			   struct ogate_heart_law law, uint64_t seed)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	if (max_mb > 0)
		set.max_buffer_mb = max_mb;
	h->sy = NULL;
	assert_int_equal(0, ogate_sync_new(&h->sy, &set));
	h->sy->smooth_pool = pool;
	assert_int_equal(0, ogate_heart_blob_init(&h->heart, sz, sz, blob));
	h->law = law;
	ogate_heart_rng_seed(&h->rng, seed);
	h->f = NULL;
	assert_int_equal(0, ogate_frame_new(&h->f, OGATE_PIX_U8, sz, sz));
}

/* everything heart_run_open made (the sync frees the copies, pool's or not: ASan's leak check) */
static void heart_run_close(struct heart_run *h)
{
	ogate_frame_free(h->f);
	ogate_heart_blob_free(&h->heart);
	ogate_sync_free(h->sy);
}

static void run_slow_heart(int pool, double max_mb, struct run *out)
{
	memset(out, 0, sizeof(*out));
	out->est = -1;
	struct heart_run h;
	heart_run_open(&h, pool, max_mb, SZ, 11,
		       (struct ogate_heart_law){ 1.3, 0.0, 0.0, 7.0, 2.1, 60.0 }, 5);
	struct ogate_sync *sy = h.sy;
	struct ogate_frame *f = h.f;
	static float img[SZ * SZ];
	static struct ogate_frame *made[MAXL];
	int checked = 0;
	for (int i = 0; i < NF; i++) {
		noisy_heart_frame(f, &h.heart, &h.law, img, SZ, FPS, NOISE, &h.rng, i);
		struct ogate_sync_result r;
		int in_job = sy->smooth_job != NULL, held_before = sy->lq_n;
		int look = (sy->look_mean ? 4 : 0) + (sy->look_vm ? 2 : 0); /* 8-bit frames */
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		out->held_after += out->est >= 0 && !in_job && sy->lq_n == held_before + 1;
		if (in_job && sy->lq_n == held_before + 1) { /* this frame's copy: the pool's? */
			const struct ogate_frame *g = sy->lq[sy->lq_n - 1];
			out->held_in_job++;
			for (int j = 0; j < MAXL; j++)
				out->held_from_pool += made[j] && g == made[j];
		}
		out->state[i] = (int)r.state;
		out->has[i] = r.has_phase;
		out->phase[i] = r.has_phase ? r.phase : 0;
		if (!sy->have_ref) {
			int over = sm_count(sy, 0) - sy->count;
			out->pool_max_over = over > out->pool_max_over ? over : out->pool_max_over;
			int held = sm_count(sy, 0) + sy->count + (sy->look_mean ? 4 : 0) +
				   (sy->look_vm ? 2 : 0);
			out->most_frames = held > out->most_frames ? held : out->most_frames;
		}
		if (r.established && out->est < 0) {
			out->est = i;
			out->look_at_est = look;
			out->pool_at_est = sm_count(sy, 0);
			out->spares_at_est = sm_count(sy, sy->L);
			for (int j = 0; j < MAXL; j++)
				made[j] = sy->sm && j < sy->ref_cap ? sy->sm[j] : NULL;
		}
		if (checked && i == NF - 1)
			out->spares_left = sm_count(sy, out->L);
		if (out->est >= 0 && !checked && !sy->smooth_job) {
			checked = 1;
			out->L = sy->L;
			out->smoothed = sy->ref == sy->sm;
			assert_true(out->L <= MAXL);
			for (int j = 0; out->smoothed && j < out->L; j++) {
				const struct ogate_frame *d = sy->sm[j];
				out->used_from_pool += d == made[j];
				for (int y = 0; y < SZ; y++) {
					const uint8_t *row = ogate_frame_row(d, y);
					for (int x = 0; x < SZ; x++)
						out->sum_px = out->sum_px * 1099511628211ULL + row[x];
				}
			}
		}
	}
	assert_true(checked);
	out->fresh = sy->smooth_fresh;
	heart_run_close(&h);
}

/* The pool on and off: the same frames held, every phase and the smoothed pixels bit for bit;
 * with the pool every frame the copy wrote was the pool's, made before the lock, no more than
 * two ahead of the buffer, the frames held while the job ran took the spares for their copies
 * (one each, until none was left), none is left beyond the reference's frames, the job's look
 * and mask arrays were the pool's too and the frames held after the job reused those caught up. */
static void the_pool_serves_the_copy_and_changes_no_result(void **state)
{
	static struct run off, on;
	run_slow_heart(-1, 0, &off);
	run_slow_heart(1, 0, &on);
	print_message("est %d, L %d, pool at the lock %d, used %d, spares %d, held in the job %d, "
		      "their copies the pool's %d, spares left %d\n",
		      on.est, on.L, on.pool_at_est, on.used_from_pool, on.spares_at_est,
		      on.held_in_job, on.held_from_pool, on.spares_left);
	print_message("look arrays at the lock %d / %d, held after the job %d / %d, fresh %ld / %ld "
		      "(on / off)\n",
		      on.look_at_est, off.look_at_est, on.held_after, off.held_after, on.fresh,
		      off.fresh);
	assert_int_equal(off.smoothed, 1);
	assert_int_equal(on.smoothed, 1);
	assert_int_equal(off.est, on.est);
	assert_int_equal(off.L, on.L);
	for (int i = 0; i < NF; i++) {
		assert_int_equal(off.state[i], on.state[i]);
		assert_int_equal(off.has[i], on.has[i]);
		assert_true(off.phase[i] == on.phase[i]);
	}
	assert_true(off.sum_px == on.sum_px);
	assert_int_equal(off.pool_at_est, 0); /* off: nothing ahead */
	assert_int_equal(off.used_from_pool, 0);
	assert_true(on.pool_at_est >= on.L);
	assert_int_equal(on.used_from_pool, on.L);
	assert_true(on.pool_max_over <= 2);
	assert_int_equal(on.spares_left, 0);
	assert_int_equal(off.held_in_job, on.held_in_job);
	assert_int_equal(off.held_from_pool, 0);
	assert_true(on.spares_at_est > 0);
	assert_int_equal(on.held_from_pool,
			 on.held_in_job < on.spares_at_est ? on.held_in_job : on.spares_at_est);
	/* the look's arrays ahead (6 frames' bytes of 8-bit pixels), handed to the job, and the
	 * frames held after the job (one a frame, two caught up) in those caught up: with the pool
	 * nothing frame-sized is allocated after the lock; without, the look's two arrays, the
	 * frames held in the job and only the first held after it (the catch-up's reuse) */
	assert_int_equal(on.look_at_est, 6);
	assert_int_equal(off.look_at_est, 0);
	assert_int_equal(off.held_after, on.held_after);
	assert_true(on.held_after > 0);
	assert_true(on.spares_at_est > on.held_in_job); /* so the spares cover the job's */
	assert_int_equal(on.fresh, 0);
	assert_int_equal(off.fresh, 2 + off.held_in_job + 1);
}

/* The buffer's and the pool's frames (and the look's arrays, 6 frames' bytes) together stay
 * within reference.max_buffer_mb: at 200 frames' worth (1.76 MB of 96^2 frames) the pool stops
 * where the buffer (121 frames at the lock) leaves no room, the copy allocates the rest, and
 * nothing the analysis returns changes. */
static void the_pool_stays_within_the_buffer_memory_bound(void **state)
{
	static struct run off, on;
	double mb = 200.0 * SZ * SZ / 1048576.0;
	run_slow_heart(-1, mb, &off);
	run_slow_heart(1, mb, &on);
	print_message("est %d, L %d, pool at the lock %d, used %d, most frames %d\n", on.est, on.L,
		      on.pool_at_est, on.used_from_pool, on.most_frames);
	assert_int_equal(off.est, on.est);
	assert_int_equal(off.L, on.L);
	for (int i = 0; i < NF; i++) {
		assert_int_equal(off.state[i], on.state[i]);
		assert_true(off.phase[i] == on.phase[i]);
	}
	assert_true(off.sum_px == on.sum_px);
	assert_true(on.most_frames <= 200);
	assert_true(on.pool_at_est < on.L); /* the bound cut the pool short of the copy */
	assert_int_equal(on.look_at_est, 6);
	assert_int_equal(on.pool_at_est + on.look_at_est, 200 - 121 - 1);
	assert_true(on.used_from_pool > 0);
	assert_int_equal(on.spares_left, 0);
}

/* The frame that establishes a reference matched as recorded (auto's first look: the change
 * decides) frees none of the pool's spares: 384^2 frames (144 KiB, pooled by default), a fast
 * heart whose ~45 spares were all unmapped on that frame (1.1-1.8 ms of it at 512^2,
 * docs/accuracy-log.md estab512); they go 512 KiB a frame (3 of these) from the frame after the
 * reference's first on (that one searches the drift), and every phase is the one without a
 * pool. */
#define SZB 384
#define NFB 90
static void run_fast_heart(int pool, double *phase, int *est, int *at_est, int *most_freed, int *gone_at)
{
	struct heart_run h;
	heart_run_open(&h, pool, 0, SZB, 1,
		       (struct ogate_heart_law){ 0.4, 0.0, 0.0, 7.0, 0.7, 10.0 }, 2);
	struct ogate_sync *sy = h.sy;
	struct ogate_frame *f = h.f;
	static float img[SZB * SZB];
	*est = *at_est = *gone_at = -1;
	*most_freed = 0;
	for (int i = 0; i < NFB; i++) {
		noisy_heart_frame(f, &h.heart, &h.law, img, SZB, 80.0, 4.0, &h.rng, i);
		struct ogate_sync_result r;
		int before = sm_count(sy, 0), had_ref = sy->have_ref;
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		phase[i] = r.has_phase ? r.phase : -1;
		if (r.established && *est < 0) {
			*est = i;
			*at_est = sm_count(sy, 0);
			assert_int_equal(sy->info.smoothed, 0); /* matched as recorded */
			assert_true(sy->smooth_job == NULL);
		} else if (had_ref && before - sm_count(sy, 0) > *most_freed) {
			assert_true(i > *est + 1); /* not on the reference's first frame */
			*most_freed = before - sm_count(sy, 0);
		}
		if (had_ref && *gone_at < 0 && !sm_count(sy, 0))
			*gone_at = i;
	}
	heart_run_close(&h);
}

static void the_spares_are_freed_over_the_frames_after_the_lock(void **state)
{
	static double off[NFB], on[NFB];
	int est_off, est_on, at_off, at_on, most_off, most_on, gone_off, gone_on;
	run_fast_heart(-1, off, &est_off, &at_off, &most_off, &gone_off);
	run_fast_heart(0, on, &est_on, &at_on, &most_on, &gone_on);
	print_message("lock at frame %d, spares after it %d, the most freed on a frame %d, none "
		      "left from frame %d\n",
		      est_on, at_on, most_on, gone_on);
	assert_true(est_on > 0);
	assert_int_equal(est_off, est_on);
	for (int i = 0; i < NFB; i++)
		assert_true(off[i] == on[i]);
	assert_int_equal(at_off, 0);
	assert_true(at_on >= est_on / 2); /* two a determining frame, none freed on the lock's */
	assert_true(most_on <= (1 << 19) / (SZB * SZB));
	assert_true(gone_on > est_on + 1);
	assert_true(gone_on <= est_on + 1 + (at_on + 2) / 3);
}

/* frames from .. to - 1 of a flat stream at 60 fps into sy */
static void feed_flat(struct ogate_sync *sy, struct ogate_frame *f, int from, int to)
{
	struct ogate_sync_result r;
	for (int i = from; i < to; i++) {
		struct ogate_frame_meta m = { .timestamp_ns = 1000000000LL + i * 16666667LL,
					      .sequence = (uint64_t)i };
		ogate_frame_set_meta(f, &m);
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
	}
}

/* By default frames under 128 KiB (here 9 KiB) have no pool; reference.smooth = off none. */
static void small_frames_and_unsmoothed_references_have_no_pool(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	set.ref_smooth = 0; /* off */
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	sy->smooth_pool = 1;
	struct ogate_frame *f = NULL;
	assert_int_equal(0, ogate_frame_new(&f, OGATE_PIX_U8, SZ, SZ));
	feed_flat(sy, f, 0, 5);
	assert_int_equal(sm_count(sy, 0), 0);
	ogate_sync_free(sy);
	ogate_settings_default(&set);
	set.match_blur = 0; /* pinned on the frames as recorded (test_match_blur.c) */
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	feed_flat(sy, f, 0, 5);
	assert_int_equal(sm_count(sy, 0), 0);
	sy->smooth_pool = 1; /* forced on: two a frame */
	feed_flat(sy, f, 5, 6);
	assert_int_equal(sm_count(sy, 0), 2);
	ogate_frame_free(f);
	ogate_sync_free(sy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_pool_serves_the_copy_and_changes_no_result),
		cmocka_unit_test(the_pool_stays_within_the_buffer_memory_bound),
		cmocka_unit_test(small_frames_and_unsmoothed_references_have_no_pool),
		cmocka_unit_test(the_spares_are_freed_over_the_frames_after_the_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
