// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The online pipeline on synthetic hearts with known phase: period determination and the
 * reference (locking, buffer bounds, estimate agreement, unwrap, gaps), bad input and settings.
 * Drift, refresh and trigger timing are in test_sync_tracking.c. sync.c is included to reach
 * its static helpers; the heart model is ogate-synth's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* the pipeline's internals, compiled into this test (found through -Iuserspace/lib) */
#include "sync.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"
#include "heart.c"
#include "ref_vectors.h"
#include "sync_stream.h"

static void locks_on_a_clean_stream_with_the_true_period_and_triggers_once_per_beat(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, &set, 0.42, 0.0);
	struct sink_log log = { 0 };
	int n = 480;
	struct ogate_sync_result *r = run(sy, &st, n, 8, &log);
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
	assert_true(info.established_seq < 100);
	assert_true(fabs(info.period_frames - true_period_frames(&st.law, (double)info.first_seq)) <
		    0.25);
	assert_int_equal(info.length, (int)floor(info.period_frames) + 1 + 2 * OGATE_NE);
	/* the reference ends just before the establishing frame */
	assert_int_equal(info.first_seq + (uint64_t)info.length - OGATE_NE, info.established_seq);
	int ntrig = 0;
	for (int i = 0; i < n; i++) {
		if (!r[i].triggered)
			continue;
		const struct ogate_sync_trigger *t = &r[i].trigger;
		assert_int_equal(t->decided_at_seq, (uint64_t)i);
		/* absolute time, after the frame, inside the latency budget window */
		double lead = (double)(t->time_ns - t->decided_at_ns) * 1e-9;
		assert_true(lead > 0 && lead < set.latency_s + set.next_frame_factor / FPS + 1e-9);
		assert_memory_equal(&log.t[ntrig], t, sizeof(*t));
		if (ntrig > 0) { /* one per beat */
			double gap = (double)(t->time_ns - log.t[ntrig - 1].time_ns) * 1e-9;
			assert_true(gap > 0.8 * 0.42 && gap < 1.2 * 0.42);
		}
		/* accurate: true phase at the trigger time vs the target's true phase */
		double psi_T = stream_psi_at(&st, t);
		double psi_goal =
			ogate_heart_law_psi(&st.law, ((double)info.first_seq + info.target_u) / FPS);
		assert_true(fabs(ogate_wrap_pi(psi_T - psi_goal)) < 0.1 * 2 * M_PI);
		ntrig++;
	}
	/* ~ (6 s - lock) / 0.42 s beats */
	assert_true(ntrig >= 10 && ntrig <= 15);
	free(r);
	stream_sync_free(sy, &st);
}

static void determination_on_every_third_row_finds_the_same_period(void **state)
{
	double P[2];
	for (int k = 0; k < 2; k++) {
		for (int bits = 8; bits <= 16; bits += 8) {
			struct ogate_settings set;
			ogate_settings_default(&set);
			set.determine_row_step = k ? 3 : 1;
			struct stream st;
			struct ogate_sync *sy = stream_sync_new(&st, &set, 0.42, 0.0);
			free(run(sy, &st, 160, bits, NULL));
			struct ogate_reference_info info;
			assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
			assert_true(fabs(info.period_frames -
					 true_period_frames(&st.law, (double)info.first_seq)) < 0.25);
			P[k] = info.period_frames;
			stream_sync_free(sy, &st);
		}
	}
	assert_true(fabs(P[0] - P[1]) < 0.25);
}

static void same_phases_at_both_depths(int register_drift)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* sync.match_blur rounds 8-bit frames to grey levels, 16-bit ones to 1/256 of them */
	set.match_blur = 0;
	set.smooth_small_px = 0; /* reference.smooth = auto's tests on any size */
	set.register_drift = register_drift;
	struct stream s8, s16;
	struct ogate_sync *a = stream_sync_new(&s8, &set, 0.42, 0.0);
	struct ogate_sync *b = stream_sync_new(&s16, &set, 0.42, 0.0);
	struct ogate_sync_result *r8 = run(a, &s8, 200, 8, NULL), *r16 = run(b, &s16, 200, 16, NULL);
	int locked = 0;
	for (int i = 0; i < 200; i++) {
		assert_int_equal(r8[i].state, r16[i].state);
		if (r8[i].has_phase) {
			locked++;
			assert_true(fabs(r8[i].phase - r16[i].phase) < 1e-9);
			assert_int_equal(r8[i].sad_argmin, r16[i].sad_argmin);
		}
	}
	assert_true(locked > 100);
	free(r8);
	free(r16);
	stream_sync_free(a, &s8);
	stream_sync_free(b, &s16);
}

static void sixteen_bit_stream_gives_the_same_phases_as_eight_bit(void **state)
{
	(void)state;
	same_phases_at_both_depths(0);
}

/* ... with reference.register_drift (sync_driftreg.c): a drift-free stream's velocity reads
 * a few hundredths of a pixel over a beat where frames a beat apart do not meet the heart at
 * the same phase; registered at 16 bits only (its threshold was the 16-bit resampler's step,
 * 1/256 px, against 1/16 at 8 bits), the two depths gave other periods and phases. */
static void sixteen_bit_stream_gives_the_same_phases_as_eight_bit_with_drift_registration(void **state)
{
	(void)state;
	same_phases_at_both_depths(1);
}

/* A heart slower than the default 1 s buffer can hold: with the defaults the determination
 * widens its buffer by itself (and says so) until it sees the period, then locks. */
static void slow_heart_widens_the_buffer_and_locks_with_defaults(void **state)
{
	struct stream st; /* the default 1 s buffer: periods up to ~0.7 s */
	struct ogate_sync *sy = stream_sync_new(&st, NULL, 1.2, 0.0);
	struct ogate_sync_determination d;
	struct ogate_sync_result *r = run(sy, &st, 130, 8, NULL); /* 1.6 s: nothing found yet */
	assert_int_equal(ogate_sync_get_determination(sy, &d), 0);
	assert_int_equal(d.widened, 1); /* after 1.5 s without a period */
	assert_true(fabs(d.span_s - 2.0) < 1e-9);
	free(r);
	r = run_from(sy, &st, 130, 1200, 8, NULL);
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
	assert_true(fabs(info.period_frames - true_period_frames(&st.law, (double)info.first_seq)) <
		    0.5);
	assert_int_equal(ogate_sync_get_determination(sy, &d), 1);
	assert_true(d.widened >= 1 && !d.at_limit);
	free(r);
	stream_sync_free(sy, &st);
}

/* ogate-synth's cartoon heart on N x N frames with its default noise (4 grey levels) at fps, fed
 * until a reference is established or n_max frames: the frame that established it, or -1. The
 * heart's cells and the noise come from seed, its phase at t = 0 is psi0. */
static int lock_frame_seeded(double period_s, double mod_amp, double fps, int n_max,
			     struct ogate_sync *sy, struct ogate_heart_law *law, uint64_t seed,
			     double psi0)
{
	enum { N = 64 }; /* small frames with the default noise: chance SAD dips are common */
	struct ogate_heart_blob heart;
	assert_int_equal(ogate_heart_blob_init(&heart, N, N, 18 + seed), 0);
	*law = (struct ogate_heart_law){ period_s, 0.0, mod_amp, 9.0, psi0, 60.0 };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, seed);
	static float img[N * N];
	int locked_at = -1;
	for (int i = 0; i < n_max && locked_at < 0; i++) {
		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(law, i / fps), 2 * M_PI), img);
		struct ogate_frame *f = new_frame(OGATE_PIX_U8, N, N);
		noisy_frame_fill(f, img, N, N, 4.0, &rng, llround(i / fps * 1e9), (uint64_t)i);
		struct ogate_sync_result r;
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		ogate_frame_free(f);
		if (r.established)
			locked_at = i;
	}
	ogate_heart_blob_free(&heart);
	return locked_at;
}

static int lock_frame(double period_s, double mod_amp, double fps, int n_max, struct ogate_sync *sy,
		      struct ogate_heart_law *law)
{
	return lock_frame_seeded(period_s, mod_amp, fps, n_max, sy, law, 5, 1.9);
}

/* A slow heart at a high frame rate: where it rests, pixel noise makes the SAD against the last
 * few frames dip by chance, and the scan returns short "periods" on most frames. Those are
 * refused, and must not count as a period seen: they held the 1 s buffer below the 1 s period
 * for ever (no lock, no widening). */
static void slow_heart_at_a_high_frame_rate_widens_past_chance_dips_and_locks(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_law law;
	int locked_at = lock_frame(1.0, 0.0, 200, 1000, sy, &law);
	struct ogate_sync_determination d;
	assert_int_equal(ogate_sync_get_determination(sy, &d), 1);
	assert_int_equal(d.widened, 1); /* 1 s -> 2 s after 1.5 s without a period */
	assert_true(locked_at > 300 && locked_at < 500); /* two beats and a bit: 1.5-2.5 s */
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
	assert_true(fabs(info.period_frames - true_period_at(&law, 200, (double)info.first_seq)) < 1.0);
	ogate_sync_free(sy);
}

/* A 0.2 s heart at 30 fps: 6 frames per beat. A single scan's V fit errs by up to a quarter
 * frame with the phase of the newest frame (5.74-6.25 for a beat of exactly 6.0 frames), so the
 * estimates never agreed within 3 % (0.18 frame) and the heart never locked. Averaged over one
 * beat the phase error goes, and the heart locks in about 3 beats, on its true period, with
 * every noise draw and phase, exactly 6.0 frames per beat or modulated. */
static void six_frames_per_beat_lock_with_defaults(void **state)
{
	for (uint64_t seed = 1; seed <= 6; seed++) {
		for (int m = 0; m < 2; m++) {
			struct ogate_settings set;
			ogate_settings_default(&set);
			struct ogate_sync *sy = NULL;
			assert_int_equal(0, ogate_sync_new(&sy, &set));
			struct ogate_heart_law law;
			int locked_at = lock_frame_seeded(0.2, m ? 0.03 : 0.0, 30, 90, sy, &law,
							  seed, 0.9 * (double)seed);
			print_message("seed %d mod %d: locked at frame %d\n", (int)seed, m, locked_at);
			assert_true(locked_at >= 0 && locked_at < 30); /* within 1 s, 5 beats */
			struct ogate_reference_info info;
			assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
			assert_true(fabs(info.period_frames -
					 true_period_at(&law, 30, (double)info.first_seq)) < 0.1);
			struct ogate_sync_determination d;
			assert_int_equal(ogate_sync_get_determination(sy, &d), 1);
			assert_int_equal(d.widened, 0);
			ogate_sync_free(sy);
		}
	}
}

/* The beat-averaged agreement on its own, with estimate sequences as the scan gives them. */
static void short_period_estimates_agree_over_a_beat_and_noise_does_not(void **state)
{
	struct ogate_sync *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	ogate_settings_default(&s->set);
	/* a beat of exactly 6.0 frames, 128^2: the scan's estimate at each of its 6 phases
	 * (measured), repeating every beat; the plain 3 % agreement never holds */
	const double beat[6] = { 6.204, 5.983, 6.198, 5.908, 5.905, 5.782 };
	double P = 0, mean = 0, scratch[5];
	for (int i = 0; i < 6; i++)
		mean += beat[i] / 6;
	for (int i = 0; i < 12; i++) {
		s->est[i] = beat[i % 6];
		s->est_pos = (i + 1) % EST_N;
		s->est_n = i + 1;
		double med;
		assert_false(estimates_agree(s->est + (i >= 4 ? i - 4 : 0), i >= 4 ? 5 : i + 1, 5,
					     0.03, scratch, &med));
		/* c + 4 = 10 estimates are needed */
		assert_int_equal(beat_average_agrees(s, &P), i >= 9);
	}
	assert_true(fabs(P - mean) < 1e-9);
	/* one estimate more than half a frame off (a chance dip): refused until it is out of
	 * the window */
	s->est[4] = 6.7;
	assert_false(beat_average_agrees(s, &P));
	/* a scan that found nothing in the window: refused */
	s->est[4] = NAN;
	assert_false(beat_average_agrees(s, &P));
	/* noise-like dips of 5-7 frames that average to 6 but scatter: refused */
	const double noise[12] = { 5.6, 6.4, 5.9, 6.3, 5.35, 6.2, 6.1, 5.7, 6.45, 5.6, 6.0, 6.3 };
	for (int i = 0; i < 12; i++)
		s->est[i] = noise[i];
	s->est_pos = 12;
	s->est_n = 12;
	assert_false(beat_average_agrees(s, &P));
	/* a valley at or before the scan's first lag (5 frames) is not a period */
	for (int i = 0; i < 12; i++)
		s->est[i] = beat[i % 6] - 1.2;
	assert_false(beat_average_agrees(s, &P));
	/* where 3 % is at least half a frame the plain agreement decides */
	for (int i = 0; i < 24; i++)
		s->est[i] = 20.0 + 0.2 * beat[i % 6];
	s->est_pos = 24;
	s->est_n = 24;
	assert_false(beat_average_agrees(s, &P));
	free(s);
}

/* At the memory bound the widening stops and the state says why there is no lock. */
static void period_beyond_the_memory_bound_never_locks_and_says_so(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	assert_int_equal(ogate_settings_set(&set, "reference.max_buffer_frames", "64"), 0); /* 0.8 s */
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, &set, 1.2, 0.0);
	struct ogate_sync_result *r = run(sy, &st, 400, 8, NULL);
	for (int i = 0; i < 400; i++)
		assert_int_equal(r[i].state, OGATE_SYNC_DETERMINE);
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), -ENOENT);
	struct ogate_sync_determination d;
	assert_int_equal(ogate_sync_get_determination(sy, &d), 0);
	assert_true(d.at_limit);
	assert_int_equal(d.max_frames, 64);
	assert_true(d.buffer_frames <= 64);
	free(r);
	stream_sync_free(sy, &st);
}

static void period_near_the_buffer_limit_locks_correctly(void **state)
{
	struct stream st; /* the default 1 s buffer holds 1.5 beats of 0.66 s */
	struct ogate_sync *sy = stream_sync_new(&st, NULL, 0.66, 0.0);
	struct ogate_sync_result *r = run(sy, &st, 300, 8, NULL);
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
	assert_true(fabs(info.period_frames - 0.66 * FPS) < 0.5);
	assert_true(info.length <= 80);
	free(r);
	stream_sync_free(sy, &st);
}

static void defect4_period_is_accepted_only_when_recent_estimates_agree(void **state)
{
	double scratch[16], med;
	/* the reference accepts this history (>= 9 estimates, P > 6, hist[-3] > 6) */
	const double wild[9] = { 33, 20, 45, 33, 10, 33, 33, 33, 33 };
	assert_false(estimates_agree(wild + 4, 5, 5, 0.03, scratch, &med));
	/* the reference's own history at frame 50: the first (24.9) must not be in an accepted set */
	assert_false(estimates_agree(est_hist_first5(), 5, 5, 0.03, scratch, &med));
	assert_true(estimates_agree(est_period_history + 1, 5, 5, 0.03, scratch, &med));
	assert_true(fabs(med - 33.36081341027755) < 1e-12);
	assert_false(estimates_agree(est_period_history, 4, 5, 0.03, scratch, &med)); /* too few */
}

static void defect1_unwrap_is_two_sided(void **state)
{
	/* 0.0 -> 6.02 is a small step backwards, not +6.02 */
	double u = unwrap_step(10 * M_PI, 6.02, 0.0);
	assert_true(fabs(u - (10 * M_PI + 6.02 - 2 * M_PI)) < 1e-12);
	/* forward across the wrap */
	u = unwrap_step(2 * M_PI * 3 + 6.2, 0.1, 0.19);
	assert_true(fabs(u - (2 * M_PI * 4 + 0.1)) < 1e-12);
	/* after a gap of several frames the expected advance decides the branch */
	u = unwrap_step(0.5, 0.5 + 3.5, 3.4);
	assert_true(fabs(u - 4.0) < 1e-12);
}

static void gap_in_the_stream_stops_fits_from_spanning_it(void **state)
{
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, NULL, 0.42, 0.0);
	struct ogate_sync_result r;
	int after_gap = -1, preds_after = 0, phases_ok = 1;
	for (int i = 0; i < 400; i++) {
		if (i >= 200 && i < 206)
			continue; /* six dropped frames */
		assert_int_equal(stream_step(sy, &st, i, 0, 0, &r), 0);
		if (i == 206) {
			assert_true(r.gap);
			after_gap = 0;
		}
		if (after_gap >= 0 && after_gap < 2)
			assert_false(r.has_prediction); /* the window would reach across the gap */
		if (after_gap >= 0) {
			after_gap++;
			preds_after += r.has_prediction;
			/* unwrapping across the gap stays consistent with the true phase */
			double psi = ogate_heart_law_psi(&st.law, i / FPS);
			static double off = NAN;
			if (isnan(off))
				off = r.unwrapped - psi;
			if (fabs(r.unwrapped - psi - off) > 1.0)
				phases_ok = 0;
		}
	}
	assert_true(phases_ok);
	assert_true(preds_after > 100); /* prediction resumes */
	stream_sync_free(sy, &st);
}

static void bad_frames_are_refused(void **state)
{
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, NULL, 0.42, 0.0);
	struct ogate_sync_result r;
	struct ogate_frame *a = stream_frame(&st, 0.1, 1, 0, 0, 8);
	struct ogate_frame *b = stream_frame(&st, 0.05, 2, 0, 0, 8); /* time goes backwards */
	struct ogate_frame *c = stream_frame(&st, 0.2, 3, 0, 0, 16); /* format changes */
	assert_int_equal(ogate_sync_process(sy, a, &r), 0);
	assert_int_equal(ogate_sync_process(sy, b, &r), -EINVAL);
	assert_int_equal(ogate_sync_process(sy, c, &r), -EINVAL);
	ogate_frame_free(a);
	ogate_frame_free(b);
	ogate_frame_free(c);
	stream_sync_free(sy, &st);
}

/* A 16 x 16 frame at 100 fps (10 ms apart, exactly): the left half at grey level a, the
 * right half at b. */
static struct ogate_frame *two_level_frame(int a, int b, uint64_t seq)
{
	struct ogate_frame *f = new_frame(OGATE_PIX_U8, 16, 16);
	for (int y = 0; y < 16; y++) {
		uint8_t *row = (uint8_t *)ogate_frame_pixels(f) + y * ogate_frame_stride(f);
		memset(row, a, 8);
		memset(row + 8, b, 8);
	}
	struct ogate_frame_meta m = { .timestamp_ns = 1000000000LL + 10000000LL * (int64_t)seq,
				      .sequence = seq };
	ogate_frame_set_meta(f, &m);
	return f;
}

/* Two triangle waves of 20 frames a quarter period apart (0.2 s at 100 fps), in the two halves
 * of two_level_frame(): every frame of a beat differs, both halves change by one step per frame,
 * so the SAD is 0 at lag 20 and equal at lags 19 and 21. Fed for n frames; the frame number of
 * the lock, or -1. Each frame's state goes to d[i] (d may be NULL). */
static int feed_triangles(struct ogate_sync *sy, int n, struct ogate_sync_determination *d)
{
	for (int i = 0; i < n; i++) {
		struct ogate_frame *f = two_level_frame(8 * abs(i % 20 - 10),
							8 * abs((i + 5) % 20 - 10), (uint64_t)i);
		struct ogate_sync_result r;
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		ogate_frame_free(f);
		struct ogate_sync_determination tmp;
		if (ogate_sync_get_determination(sy, d ? &d[i] : &tmp))
			return i;
	}
	return -1;
}

/* The determination state names what the scan sees. On the triangles every estimate the scan
 * makes is exactly 20 frames, 0.2 s. Until the buffer holds a period the scan finds no valley;
 * then it collects estimates until agree_count agree. */
static void determination_state_reports_exact_estimates_and_each_decision(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_sync_determination d;
	assert_int_equal(ogate_sync_get_determination(sy, &d), 0);
	assert_int_equal(d.reason, OGATE_DET_COLLECTING);
	assert_true(d.shortest_period_s == 0 && d.estimates_s[0] == 0); /* no interval yet */
	struct ogate_sync_determination ds[100];
	int i = feed_triangles(sy, 100, ds);
	assert_int_equal(ds[0].reason, OGATE_DET_COLLECTING);
	for (int k = 1; k <= i; k++) {
		assert_true(ds[k].shortest_period_s == 5 * 0.01); /* reference.min_period frames */
		if (k >= 29)
			break;
		/* the scan takes the valley at lag 20 once the SAD has risen past 3/4 of its range
		 * again (reference.upper_threshold), at lag 25 */
		int n_est = k < 25 ? 0 : k - 24;
		assert_int_equal(ds[k].reason,
				 n_est == 0 ? OGATE_DET_NO_VALLEY : OGATE_DET_FEW_ESTIMATES);
		assert_false(ds[k].estimates_agree);
		for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES; j++)
			assert_true(ds[k].estimates_s[j] == (j < n_est ? 20 * 0.01 : 0));
	}
	/* the fifth estimate agrees with the four before it at frame 29, where the buffer holds a
	 * reference (20 + 1 + 4 frames); the lock waits for reference.lock_wait_frames (6) more */
	assert_int_equal(i, 31);
	for (int k = 29; k < 31; k++) {
		assert_int_equal(ds[k].reason, OGATE_DET_FILLING);
		assert_true(ds[k].estimates_agree);
	}
	assert_int_equal(ogate_sync_get_determination(sy, &d), 1);
	assert_int_equal(d.reason, OGATE_DET_AGREED);
	assert_true(d.estimates_agree);
	struct ogate_reference_info info;
	assert_int_equal(ogate_sync_get_reference(sy, &info), 0);
	assert_true(info.period_frames == 20);
	ogate_sync_free(sy);
}

/* A heart faster than the shortest period the settings accept: the estimates agree, exactly,
 * on a period below it, and the state says so (not "disagree", not "no valley"). */
static void determination_state_of_a_heart_faster_than_the_shortest_period(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* single estimates must exceed 30 frames, and 20 % is no finer than the V fit resolves,
	 * so there is no beat-averaged route: 0.3 s is the shortest period */
	assert_int_equal(ogate_settings_set(&set, "reference.min_period_frames", "30"), 0);
	assert_int_equal(ogate_settings_set(&set, "reference.agree_tolerance", "0.2"), 0);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_sync_determination d[60];
	assert_int_equal(feed_triangles(sy, 60, d), -1);
	for (int i = 25; i < 60; i++) {
		assert_int_equal(d[i].reason, OGATE_DET_TOO_SHORT);
		assert_int_equal(d[i].estimates_agree, i >= 29); /* five estimates of 20 frames */
		assert_true(d[i].estimates_s[0] == 0.2);
		assert_true(fabs(d[i].shortest_period_s - 0.3) < 1e-12);
	}
	assert_string_equal(ogate_sync_det_reason_name(d[59].reason), "below the shortest period");
	ogate_sync_free(sy);
}

/* Agreed before the buffer holds a whole padded reference (20 + 1 + 4 frames): the state
 * says it is filling, and locks as soon as it holds one and reference.lock_wait_frames more
 * (6 by default: frame 31; at 0, frame 25). */
static void determination_state_says_agreed_filling_until_the_reference_fits(void **state)
{
	for (int wait = 0; wait <= 6; wait += 6) {
		struct ogate_settings set;
		ogate_settings_default(&set);
		assert_int_equal(ogate_settings_set(&set, "reference.agree_count", "1"), 0);
		assert_int_equal(ogate_settings_set(&set, "reference.upper_threshold", "0.55"), 0);
		if (wait == 0)
			assert_int_equal(ogate_settings_set(&set, "reference.lock_wait_frames", "0"),
					 0);
		struct ogate_sync *sy = NULL;
		assert_int_equal(0, ogate_sync_new(&sy, &set));
		struct ogate_sync_determination d[60];
		/* the scan's valley is accepted once the SAD rises past 55 % of its range, at lag 24 */
		int locked = feed_triangles(sy, 60, d);
		assert_int_equal(locked, 25 + wait);
		for (int i = 1; i < 24; i++)
			assert_int_equal(d[i].reason, OGATE_DET_NO_VALLEY);
		for (int i = 24; i < locked; i++) {
			assert_int_equal(d[i].reason, OGATE_DET_FILLING);
			assert_true(d[i].estimates_agree && d[i].estimates_s[0] == 0.2);
		}
		assert_int_equal(d[locked].reason, OGATE_DET_AGREED);
		ogate_sync_free(sy);
	}
}

/* A heart slower than the span (1.2 s, 1 s buffer): the scan finds no valley on any frame,
 * and the state says so, with no estimates. */
static void determination_state_of_a_heart_too_slow_for_the_span_is_no_valley(void **state)
{
	struct stream st;
	struct ogate_sync *sy = stream_sync_new(&st, NULL, 1.2, 0.0);
	struct ogate_sync_determination d;
	for (int i = 0; i < 130; i++) {
		struct ogate_sync_result r;
		assert_int_equal(stream_step(sy, &st, i, 0, 0, &r), 0);
		assert_int_equal(ogate_sync_get_determination(sy, &d), 0);
		assert_int_equal(d.reason, i ? OGATE_DET_NO_VALLEY : OGATE_DET_COLLECTING);
		assert_false(d.estimates_agree);
		for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES; j++)
			assert_true(d.estimates_s[j] == 0);
	}
	assert_true(fabs(d.shortest_period_s - 5 / FPS) < 1e-9);
	assert_int_equal(d.widened, 1);
	assert_string_equal(ogate_sync_det_reason_name(d.reason), "no valley");
	stream_sync_free(sy, &st);
}

/* Pixel noise and no heart: the scan returns chance dips of a few frames that scatter. The
 * state says "below the shortest period" or "estimates disagree" (not "no valley", which
 * would read as a heart too slow for the span), shows those short estimates, and never
 * agrees. */
static void determination_state_of_noise_only_shows_short_scattering_estimates(void **state)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &set));
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, 11);
	struct ogate_sync_determination d;
	int count[OGATE_DET_AGREED + 1] = { 0 };
	for (int i = 0; i < 300; i++) {
		struct ogate_frame *f = two_level_frame(0, 0, (uint64_t)i);
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 16; x++)
				((uint8_t *)ogate_frame_pixels(f) + y * ogate_frame_stride(f))[x] =
					(uint8_t)rint(100 + 4 * ogate_heart_rng_normal(&rng));
		struct ogate_sync_result r;
		assert_int_equal(ogate_sync_process(sy, f, &r), 0);
		ogate_frame_free(f);
		assert_int_equal(ogate_sync_get_determination(sy, &d), 0);
		assert_false(d.estimates_agree);
		count[d.reason]++;
		/* refused as too short: at most reference.min_period_frames (6, 0.06 s) */
		if (d.reason == OGATE_DET_TOO_SHORT)
			assert_true(d.estimates_s[0] != 0 && d.estimates_s[0] <= 0.06 + 1e-9);
		if (d.reason == OGATE_DET_DISAGREE)
			assert_true(d.estimates_s[0] > 0.06 && d.estimates_s[0] < 0.3);
	}
	print_message("collecting %d, no valley %d, too short %d, few %d, disagree %d\n",
		      count[OGATE_DET_COLLECTING], count[OGATE_DET_NO_VALLEY],
		      count[OGATE_DET_TOO_SHORT], count[OGATE_DET_FEW_ESTIMATES],
		      count[OGATE_DET_DISAGREE]);
	assert_int_equal(count[OGATE_DET_AGREED] + count[OGATE_DET_FILLING], 0);
	assert_true(count[OGATE_DET_TOO_SHORT] + count[OGATE_DET_DISAGREE] > 250);
	/* the last scans all found a dip: five short estimates, widely spread */
	double lo = 1, hi = 0;
	for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES; j++) {
		lo = d.estimates_s[j] < lo ? d.estimates_s[j] : lo;
		hi = d.estimates_s[j] > hi ? d.estimates_s[j] : hi;
	}
	assert_true(lo > 0 && hi < 0.3 && hi > 1.1 * lo);
	assert_true(d.widened >= 1);
	ogate_sync_free(sy);
}

/* Every reason has its own name. */
static void determination_reasons_have_distinct_names(void **state)
{
	for (int a = OGATE_DET_COLLECTING; a <= OGATE_DET_AGREED; a++) {
		assert_string_not_equal(ogate_sync_det_reason_name(a), "unknown");
		for (int b = 0; b < a; b++)
			assert_string_not_equal(ogate_sync_det_reason_name(a),
						ogate_sync_det_reason_name(b));
	}
	assert_string_equal(ogate_sync_det_reason_name(OGATE_DET_AGREED + 1), "unknown");
	assert_string_equal(ogate_sync_det_reason_name(-1), "unknown");
}

static void settings_parse_keys_and_reject_bad_values(void **state)
{
	struct ogate_settings s;
	ogate_settings_default(&s);
	assert_int_equal(ogate_settings_set(&s, "prediction.latency_s", "0.02"), 0);
	assert_true(s.latency_s == 0.02);
	assert_int_equal(ogate_settings_set(&s, "trigger.next_frame_factor", "2"), 0);
	assert_true(s.next_frame_factor == 2.0);
	assert_int_equal(ogate_settings_set(&s, "no.such.key", "1"), -ENOENT);
	assert_int_equal(ogate_settings_set(&s, "prediction.latency_s", "fast"), -EINVAL);
	assert_int_equal(ogate_settings_set(&s, "reference.agree_count", "2.5"), -EINVAL);
	assert_int_equal(ogate_settings_set(&s, "reference.min_heart_rate_hz", "-1"), -EINVAL);
	assert_int_equal(ogate_settings_set(&s, "sync.sad_backend", "scalar"), 0);
	struct ogate_sync *sy = NULL;
	assert_int_equal(0, ogate_sync_new(&sy, &s));
	assert_non_null(sy);
	assert_string_equal(ogate_sync_sad_backend(sy), "scalar");
	ogate_sync_free(sy);
	ogate_settings_set(&s, "sync.sad_backend", "bogus");
	sy = NULL;
	assert_int_equal(-ENOENT, ogate_sync_new(&sy, &s));
	ogate_settings_set(&s, "sync.sad_backend", "auto");
	ogate_settings_set(&s, "prediction.predictor", "bogus");
	assert_int_equal(-ENOENT, ogate_sync_new(&sy, &s));
	assert_null(sy); /* *out is set only on success */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(locks_on_a_clean_stream_with_the_true_period_and_triggers_once_per_beat),
		cmocka_unit_test(sixteen_bit_stream_gives_the_same_phases_as_eight_bit),
		cmocka_unit_test(
			sixteen_bit_stream_gives_the_same_phases_as_eight_bit_with_drift_registration),
		cmocka_unit_test(determination_on_every_third_row_finds_the_same_period),
		cmocka_unit_test(slow_heart_widens_the_buffer_and_locks_with_defaults),
		cmocka_unit_test(slow_heart_at_a_high_frame_rate_widens_past_chance_dips_and_locks),
		cmocka_unit_test(six_frames_per_beat_lock_with_defaults),
		cmocka_unit_test(short_period_estimates_agree_over_a_beat_and_noise_does_not),
		cmocka_unit_test(period_beyond_the_memory_bound_never_locks_and_says_so),
		cmocka_unit_test(period_near_the_buffer_limit_locks_correctly),
		cmocka_unit_test(determination_state_reports_exact_estimates_and_each_decision),
		cmocka_unit_test(determination_state_of_a_heart_faster_than_the_shortest_period),
		cmocka_unit_test(determination_state_says_agreed_filling_until_the_reference_fits),
		cmocka_unit_test(determination_state_of_a_heart_too_slow_for_the_span_is_no_valley),
		cmocka_unit_test(determination_state_of_noise_only_shows_short_scattering_estimates),
		cmocka_unit_test(determination_reasons_have_distinct_names),
		cmocka_unit_test(defect4_period_is_accepted_only_when_recent_estimates_agree),
		cmocka_unit_test(defect1_unwrap_is_two_sided),
		cmocka_unit_test(gap_in_the_stream_stops_fits_from_spanning_it),
		cmocka_unit_test(bad_frames_are_refused),
		cmocka_unit_test(settings_parse_keys_and_reject_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
