// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's frame path end to end on the host: the synthetic camera (known
 * phase law) -> analysis -> trigger program -> a sink with the driver's
 * contract, on a virtual clock the test drives (no real sleeps: the runs
 * take as long as the analysis needs and do not depend on the machine's
 * load). Trigger times are checked against the generator's ground truth.
 */

#include "pipeline_fixture.h"

static void test_pipeline_locks_and_triggers_on_the_true_target_phase(void **state)
{
	struct vclock vc;
	struct vsink sink;
	int i, far = 0;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;
	struct ogate_pipeline_status st;
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 1 };
	double psi_target, sum2 = 0, worst = 0;
	int64_t t0;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	assert_non_null(src);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 6 * SEC);
	assert_int_equal(-EALREADY, ogate_pipeline_start(p));
	ogate_pipeline_status(p, &st);
	assert_true(st.running);
	assert_true(st.locked);
	assert_true(st.period_s > 0.40 && st.period_s < 0.44);
	/* every frame of the 6 s analysed, none lost, on any machine */
	assert_int_equal(6 * 80, st.frames);
	assert_int_equal(st.frames, st.analysed);
	assert_int_equal(0, st.drops_source + st.drops_analysis);
	assert_int_equal(0, st.queue_errors);
	assert_int_equal(0, st.refused_late);
	assert_true(st.triggers >= 8);
	/* arrival and queueing are stamped on the injected clock: no time passes */
	assert_true(st.recent_latency_n > 0);
	assert_int_equal(0, st.latency_max_ns);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	assert_false(st.running);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	assert_int_equal(0, st.missed);
	assert_int_equal(0, st.drops_analysis);

	/* truth: frame k was taken at t0 + k/fps with phase psi(k/fps) */
	t0 = src->t0;
	psi_target = ogate_heart_law_psi(&law, ((double)st.ref_first_seq + st.target_u) / 80.0);
	assert_true(sink.nlaser >= 8);
	for (i = 0; i < sink.nlaser; i++) {
		double t = (sink.laser[i] - t0) / 1e9;
		double d = remainder(ogate_heart_law_psi(&law, t) - psi_target, 2 * M_PI);
		double err_s = d / (2 * M_PI * ogate_heart_law_freq(&law, t));

		sum2 += err_s * err_s;
		worst = fmax(worst, fabs(err_s));
		far += fabs(err_s) > 0.042;
	}
	printf("# %d triggers: RMS error %.2f ms, max %.2f ms\n", sink.nlaser,
	       sqrt(sum2 / sink.nlaser) * 1e3, worst * 1e3);
	assert_true(sqrt(sum2 / sink.nlaser) < 0.004);
	assert_int_equal(0, far); /* none beyond 10 % of a period */
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

/*
 * A trigger the sink refuses as too late (ETIME: decided after its time
 * plus the tolerance) is a missed trigger: stats count its pulses in
 * missed (as the outcome hook sees them), not as a queueing error.
 */
static void test_triggers_refused_as_too_late_count_as_missed(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_source *src = NULL;
	struct ogate_pipeline_status st;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	sink.lag_ns = 2 * SEC; /* every trigger reaches the sink after its time */
	po = pipe_opts(&vc);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 6 * SEC);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	printf("# refused late %llu, missed %llu, queue errors %llu\n",
	       (unsigned long long)st.refused_late, (unsigned long long)st.missed,
	       (unsigned long long)st.queue_errors);
	assert_true(st.locked);
	assert_int_equal(0, st.triggers);
	assert_int_equal(0, st.queue_errors);
	assert_true(st.missed >= 2 * 8); /* two pulses a trigger, one trigger a beat */
	assert_int_equal(2 * st.refused_late, st.missed);
	assert_int_equal(0, st.fired + st.cancelled);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

static void test_stop_cancels_what_the_grace_period_leaves(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	po.stop_grace_ns = 0;		      /* cancel at once */
	po.program.laser_width_ns = 200 * MS; /* long pulses: some are always pending */
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 4 * SEC);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	assert_true(st.triggers > 0);
	assert_int_equal(2 * st.triggers, st.fired + st.missed + st.cancelled);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

static void test_frames_take_the_kernel_edge_times_when_matching(void **state)
{
	struct vclock vc;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct edge_input ei = { .base = { .ops = &edge_input_ops }, .fps = 80, .vc = &vc };
	struct ogate_sink qs = { .ops = &quiet_sink_ops };
	struct ogate_pipeline *p;

	vclock_init(&vc);
	po = pipe_opts(&vc);
	ei.base.fd = vc.wake;
	qs.fd = vc.wake;
	assert_int_equal(0, ogate_source_open(&ei.src, &so));
	po.edge_match = true;
	po.edges = &ei.base;
	assert_int_equal(0, ogate_pipeline_new(&p, &po, ei.src, &qs));
	run_for(&vc, p, 3 * SEC);
	ogate_pipeline_status(p, &st);
	stop(&vc, p);
	printf("# edges: matched %llu, unmatched %llu, offset %.1f us, jitter %.1f us\n",
	       (unsigned long long)st.edge_matched, (unsigned long long)st.edge_unmatched,
	       st.edge_offset_ns / 1e3, st.edge_jitter_ns / 1e3);
	assert_true(st.edge_learnt);
	assert_true(st.edge_matched > 150);
	assert_true(llabs(st.edge_offset_ns - 2 * MS) < 100 * US);
	assert_true(st.locked); /* analysis runs on the edge times */
	ogate_pipeline_free(p);
	ogate_sink_close(&qs);
	ogate_source_close(ei.src);
	vclock_destroy(&vc);
}

/*
 * Restart: after a stop, a start is a new stream (timestamps and sequence
 * numbers start over); the analysis must start over with it and relock at
 * once, however long the first run was.
 */
static void run_stop_start(struct ogate_source *src, int64_t first_ns)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st;
	struct ogate_pipeline *p;
	uint64_t triggers, frames;

	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, first_ns);
	ogate_pipeline_status(p, &st);
	assert_true(st.locked);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	triggers = st.triggers;
	frames = st.frames;
	vclock_skip_to(&vc, vclock_now(&vc) + 1 * SEC); /* stopped for a while */
	run_for(&vc, p, 3 * SEC);
	ogate_pipeline_status(p, &st);
	printf("# after the restart: locked %d, %llu triggers (%llu before)\n", st.locked,
	       (unsigned long long)st.triggers, (unsigned long long)triggers);
	assert_true(st.locked);
	assert_int_equal(frames + 3 * 80, st.frames);
	assert_int_equal(st.frames, st.analysed); /* no frame refused */
	assert_true(st.triggers >= triggers + 2);
	stop(&vc, p);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	vclock_destroy(&vc);
}

static void test_stop_then_start_relocks_on_the_synthetic_source(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_source *src = NULL;

	assert_int_equal(0, ogate_source_open(&src, &so));
	assert_non_null(src);
	run_stop_start(src, 5 * SEC);
	ogate_source_close(src);
}

static void test_stop_then_start_relocks_on_the_file_source(void **state)
{
	char path[] = "/tmp/ogate-pipe-XXXXXX.npy", msg[256];
	struct ogate_stack stk = { .n = 800, .h = 64, .w = 64, .bytes = 1 };
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 10 };
	struct ogate_source_opts so = { .kind = "file", .path = path, .fps = 80 };
	struct ogate_heart_blob heart;
	struct ogate_source *src;
	float img[64 * 64];
	int fd = mkstemps(path, 4);

	assert_true(fd >= 0);
	close(fd);
	stk.data = malloc((size_t)stk.n * 64 * 64);
	assert_non_null(stk.data);
	assert_int_equal(0, ogate_heart_blob_init(&heart, 64, 64, 5));
	for (int i = 0; i < stk.n; i++) {
		uint8_t *px = ogate_stack_frame(&stk, i);

		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, i / 80.0), 2 * M_PI),
					img);
		for (int k = 0; k < 64 * 64; k++)
			px[k] = (uint8_t)(img[k] < 0 ? 0 : img[k] > 255 ? 255 : img[k]);
	}
	ogate_heart_blob_free(&heart);
	assert_int_equal(0, ogate_stack_save_npy(path, &stk, msg, sizeof(msg)));
	ogate_stack_free(&stk);
	assert_int_equal(0, ogate_source_open(&src, &so));
	run_stop_start(src, 5 * SEC);
	ogate_source_close(src);
	unlink(path);
}

static void test_source_rejects_bad_settings_naming_the_value(void **state)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_source *src = NULL;

	so.fps = 0;
	assert_int_equal(-EINVAL, ogate_source_open(&src, &so));
	so = (struct ogate_source_opts){ .kind = "file", .path = "/nonexistent/beat.tif", .fps = 80 };
	assert_true(ogate_source_open(&src, &so) < 0);
	so.kind = "webcam";
	assert_int_equal(-EINVAL, ogate_source_open(&src, &so));
	assert_null(src); /* *out is set only on success */
}

/*
 * Status carries the reference's smoothing (reference.smooth = auto, the
 * default), as summary.json does. On these small frames (at most
 * reference.smooth_small_px pixels) every first reference is smoothed without
 * auto's tests (repeat_z NAN, change_m read all the same). With the tests on
 * any size (small_px 0): the 0.42 s heart changes far more from frame to
 * frame than the noise (change_m at or above 5.3), so it is matched as
 * recorded and the repeat test is not run (NAN); a 1.6 s heart's change is
 * below the noise, so the repeat test runs and decides (smoothed unless
 * repeat_z > 3; camera noise does not repeat: -2.5 here). Unlocked, nothing
 * is reported.
 */
static void ref_smoothing(double period_s, int small_px, struct ogate_pipeline_status *st)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;

	so.period_s = period_s;
	so.noise = 4;
	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	if (small_px >= 0)
		po.settings.smooth_small_px = small_px;
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	ogate_pipeline_status(p, st);
	assert_false(st->locked);
	assert_false(st->ref_smoothed);
	assert_int_equal(st->ref_along_frames, 0);
	assert_false(st->ref_blurred);
	assert_true(isnan(st->ref_change_m) && isnan(st->ref_repeat_z));
	run_for(&vc, p, 10 * SEC);
	ogate_pipeline_status(p, st);
	stop(&vc, p);
	printf("# period %.2f s: locked %d, blurred %d, smoothed %d, change_m %.3f, repeat_z %.3f\n",
	       period_s, st->locked, st->ref_blurred, st->ref_smoothed, st->ref_change_m,
	       st->ref_repeat_z);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

static void test_status_reports_the_reference_smoothing(void **state)
{
	struct ogate_pipeline_status st;

	for (int small_px = -1; small_px <= 0; small_px++) { /* the default, then the tests */
		ref_smoothing(0.42, small_px, &st);
		assert_true(st.locked);
		assert_true(st.ref_blurred); /* sync.match_blur: the small frames at once */
		assert_int_equal(st.ref_smoothed, small_px < 0);
		assert_int_equal(st.ref_along_frames, 1);
		assert_true(st.ref_change_m >= 5.3);
		assert_true(isnan(st.ref_repeat_z));
	}
	ref_smoothing(1.6, 0, &st);
	assert_true(st.locked);
	assert_true(st.ref_blurred);
	assert_true(st.ref_change_m > 0 && st.ref_change_m < 5.3);
	assert_true(isfinite(st.ref_repeat_z));
	assert_true(st.ref_smoothed == !(st.ref_repeat_z > 3));
	/* smoothed at 128 frames a beat: the mean of 3 frames along it (reference.smooth_along_fpb) */
	assert_int_equal(st.ref_along_frames, st.ref_smoothed ? 3 : 1);
}

/*
 * Status says where the reference's frames sit (sync.timestamp_positions), as
 * summary.json does. A file whose frames were captured regularly at 80 fps
 * but stamped 3 ms (sd) off: the matched beats show that the stamps do not
 * say when the images were taken (slope near 0, not 1), so the reference is
 * placed on the frame clock and status says frame_clock with that slope. The
 * same frames stamped exactly: as_stamped, no slope (nothing off the clock).
 */
static void ts_file_run(double sd, struct ogate_pipeline_status *st)
{
	char path[] = "/tmp/ogate-pipe-XXXXXX.npy", csv[] = "/tmp/ogate-pipe-XXXXXX.csv", msg[256];
	struct ogate_stack stk = { .n = 1600, .h = 64, .w = 64, .bytes = 1 };
	struct ogate_heart_law law = { .period_s = 0.42, .mod_period_s = 7, .t_run = 20 };
	struct ogate_source_opts so = { .kind = "file", .path = path, .timestamps = csv };
	struct ogate_heart_rng rng;
	struct ogate_heart_blob heart;
	struct ogate_source *src;
	struct ogate_pipeline_opts po;
	struct ogate_pipeline *p;
	struct vclock vc;
	struct vsink sink;
	float img[64 * 64];
	double prev = -1;
	int fd = mkstemps(path, 4), fc = mkstemps(csv, 4);
	FILE *f;

	assert_true(fd >= 0 && fc >= 0);
	close(fd);
	f = fdopen(fc, "w");
	assert_non_null(f);
	ogate_heart_rng_seed(&rng, 11);
	stk.data = malloc((size_t)stk.n * 64 * 64);
	assert_non_null(stk.data);
	assert_int_equal(0, ogate_heart_blob_init(&heart, 64, 64, 5));
	for (int i = 0; i < stk.n; i++) {
		uint8_t *px = ogate_stack_frame(&stk, i);
		double t = i / 80.0 + sd * ogate_heart_rng_normal(&rng);

		t = t > prev ? t : prev + 1e-6; /* stamps still increase */
		prev = t;
		fprintf(f, "%d,%.9f\n", i, t);
		ogate_heart_blob_render(&heart, fmod(ogate_heart_law_psi(&law, i / 80.0), 2 * M_PI),
					img);
		for (int k = 0; k < 64 * 64; k++) {
			double v = img[k] + 2.0 * ogate_heart_rng_normal(&rng);

			px[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
		}
	}
	fclose(f);
	ogate_heart_blob_free(&heart);
	assert_int_equal(0, ogate_stack_save_npy(path, &stk, msg, sizeof(msg)));
	ogate_stack_free(&stk);
	assert_int_equal(0, ogate_source_open(&src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	run_for(&vc, p, 19 * SEC);
	ogate_pipeline_status(p, st);
	stop(&vc, p);
	printf("# stamps %.0f ms off: locked %d, on the clock %d, beta %.3f +- %.3f\n", sd * 1e3,
	       st->locked, st->ref_ts_clock, st->ref_ts_beta, st->ref_ts_beta_se);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
	unlink(path);
	unlink(csv);
}

static void test_status_says_the_reference_sits_on_the_frame_clock(void **state)
{
	struct ogate_pipeline_status st;

	ts_file_run(3e-3, &st);
	assert_true(st.locked);
	assert_true(st.ref_ts_clock);
	assert_true(fabs(st.ref_ts_beta) + 3 * st.ref_ts_beta_se < 0.5);
	ts_file_run(0, &st);
	assert_true(st.locked);
	assert_false(st.ref_ts_clock);
	assert_true(isnan(st.ref_ts_beta));
}

/*
 * An analysis slower than the camera: each frame costs it cost_ns of the
 * virtual clock's time (the camera runs at 80 fps, 12.5 ms a frame), and
 * once, at stall_at_ns of stream time, it stalls for stall_ns (a starved
 * CPU). The camera keeps taking frames meanwhile.
 */
struct slow {
	struct vclock *vc;
	int64_t t0, cost_ns, stall_at_ns, stall_ns;
	int64_t lag_max_ns;
	uint64_t analysed;
	bool stalled;
};

static bool slow_analysis(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r)
{
	struct slow *w = ctx;
	int64_t ts = ogate_frame_get_meta(f)->timestamp_ns, lag = vclock_now(w->vc) - ts;
	int64_t cost = w->cost_ns;

	if (lag > w->lag_max_ns)
		w->lag_max_ns = lag;
	w->analysed++;
	if (w->stall_ns && !w->stalled && ts - w->t0 >= w->stall_at_ns) {
		w->stalled = true;
		cost += w->stall_ns;
	}
	pthread_mutex_lock(&w->vc->lock);
	w->vc->now += cost; /* the time this frame's analysis took */
	pthread_mutex_unlock(&w->vc->lock);
	return false;
}

static struct ogate_pipeline *slow_pipeline(struct vclock *vc, struct vsink *sink,
					    struct ogate_source **src, struct slow *w)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline *p;

	assert_int_equal(0, ogate_source_open(src, &so));
	vclock_init(vc);
	vsink_init(sink, vc);
	po = pipe_opts(vc);
	po.frame = slow_analysis;
	po.hook_ctx = w;
	assert_int_equal(0, ogate_pipeline_new(&p, &po, *src, &sink->base));
	return p;
}

/*
 * Each frame costs the analysis 24 ms, the camera takes one every 12.5 ms:
 * the source delivers the newest frame, so no analysed frame is older than
 * one frame interval, and the superseded ones (about every other frame)
 * are counted as stale drops; once 16 frames were timed, the analysis takes
 * every 3rd frame (pace.h) and the others are counted as decimated. Before, frames came at their nominal times
 * one after the other and the lag grew by 11.5 ms a frame, seconds within
 * the run (the VM test's 34 s under CPU starvation).
 */
static void test_slow_analysis_takes_the_newest_frame_and_counts_the_superseded(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;
	struct ogate_pipeline_status st;
	struct slow w = { .vc = &vc, .cost_ns = 24 * MS };

	p = slow_pipeline(&vc, &sink, &src, &w);
	run_for(&vc, p, 8 * SEC);
	ogate_pipeline_status(p, &st);
	printf("# %llu frames analysed, %llu superseded, lag max %.1f ms\n",
	       (unsigned long long)st.analysed, (unsigned long long)st.drops_stale,
	       w.lag_max_ns / 1e6);
	assert_true(w.lag_max_ns < SEC / 80);
	assert_true(st.lag_max_ns < SEC / 80);
	assert_true(st.lag_ns >= 0 && st.lag_ns <= st.lag_max_ns);
	/* one frame in 24 ms analysed; the rest superseded, and counted */
	assert_true(st.analysed > 0 && st.analysed == w.analysed);
	assert_true(st.analysed <= (uint64_t)(8 * SEC / w.cost_ns) + 2);
	/* every frame of the 8 s (and of the last analysis's overrun) analysed,
	 * superseded or, once the analysis takes every 3rd frame, decimated */
	assert_true(st.analysed + st.drops_stale + st.drops_decimated >= 8 * 80 - 1);
	assert_true(st.analysed + st.drops_stale + st.drops_decimated <= 8 * 80 + 3);
	assert_int_equal(st.drops_stale + st.drops_decimated, st.drops_source); /* no pool drops */
	stop(&vc, p);
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

/*
 * The analysis (5 ms a frame) stalls for 3 s once, 4 s into the stream: it
 * comes back to the newest frame, the 3 s of frames taken meanwhile are
 * superseded (one gap for the analysis), and triggers fire again, none
 * refused as too late. Before, it worked through the 3 s backlog, deciding
 * triggers from frames up to 3 s old that the sink refused as too late.
 */
static void test_stalled_analysis_resumes_on_the_newest_frame_and_fires(void **state)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source *src = NULL;
	struct ogate_pipeline *p;
	struct ogate_pipeline_status st;
	struct slow w = { .vc = &vc, .cost_ns = 5 * MS, .stall_at_ns = 4 * SEC, .stall_ns = 3 * SEC };
	uint64_t before;

	p = slow_pipeline(&vc, &sink, &src, &w);
	w.t0 = vclock_now(&vc);
	run_for(&vc, p, 3 * SEC);
	ogate_pipeline_status(p, &st);
	before = st.triggers;
	assert_true(st.locked);
	assert_true(before >= 2);
	vclock_run_until(&vc, w.t0 + 14 * SEC);
	ogate_pipeline_status(p, &st);
	printf("# %llu frames analysed, %llu superseded, lag max %.1f ms, triggers %llu before the stall, %llu in all\n",
	       (unsigned long long)st.analysed, (unsigned long long)st.drops_stale,
	       w.lag_max_ns / 1e6, (unsigned long long)before, (unsigned long long)st.triggers);
	assert_true(w.stalled);
	assert_true(w.lag_max_ns < SEC / 80);
	/* the stall's frames, 3 s at 80 fps, superseded at once */
	assert_true(st.drops_stale >= 3 * 80 - 1 && st.drops_stale <= 3 * 80 + 1);
	assert_int_equal(st.drops_stale, st.drops_source);
	assert_true(st.locked);
	assert_true(st.triggers >= before + 8);
	assert_int_equal(0, st.refused_late);
	stop(&vc, p);
	ogate_pipeline_status(p, &st);
	assert_int_equal(0, st.missed);
	assert_true(st.fired >= 2 * (before + 8));
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

/*
 * An acquisition's gated frame under decimation: the analysis costs 37.5 ms
 * a frame (three camera intervals at 80 fps), so it analyses every 4th
 * frame. The gate accepts every trigger as an acquisition does and the
 * frame hook looks for the first frame at or after each trigger's time:
 * its offset (frames) from the one the trigger lit, the first camera frame
 * stamped at or after it. Without asking for it (before, the only way),
 * the hook sees the next frame of the grid, up to 3 frames later; asked
 * for (ogate_pipeline_want_frame from the gate), it is delivered off the
 * grid to the hook alone: offset 0 for every trigger, and the analysis's
 * stream stays every 4th frame without a gap.
 */
#define WANT_MAX 128
struct wanted {
	struct vclock *vc;
	struct ogate_pipeline *p;
	struct ogate_source *src;
	bool ask, edges; /* edges: frame times from edges 2 ms before the frames */
	int64_t cost_ns;
	int64_t t[WANT_MAX]; /* trigger times, in order */
	int n, found;	     /* triggers seen, and their frames found */
	int offset[WANT_MAX];
	uint64_t analysed, gaps_locked, off_grid_seen, off_grid_phase;
	bool locked;
};

static bool wanted_gate(void *ctx, uint64_t cookie, int64_t time_ns, double phase, int reason)
{
	struct wanted *w = ctx;

	if (w->n < WANT_MAX)
		w->t[w->n++] = time_ns;
	if (w->ask)
		ogate_pipeline_want_frame(w->p, time_ns);
	return true;
}

/* the camera frame a trigger at t lights: the first at or after it (its own time, or its edge's) */
static uint64_t lit_by(struct ogate_source *src, int64_t t, bool edges)
{
	uint64_t i = 0;
	int64_t rel;

	while (src->ops->stamp(src, i, &rel) == 0 && src->t0 + rel - (edges ? 2 * MS : 0) < t)
		i++;
	return i;
}

static bool wanted_frame(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r)
{
	struct wanted *w = ctx;
	const struct ogate_frame_meta *m = ogate_frame_get_meta(f);

	while (w->found < w->n && m->timestamp_ns >= w->t[w->found]) {
		w->offset[w->found] = (int)((int64_t)m->sequence -
					    (int64_t)lit_by(w->src, w->t[w->found], w->edges));
		w->found++;
	}
	if (ogate_source_off_grid(w->src)) { /* not analysed: costs nothing */
		w->off_grid_seen++;
		w->off_grid_phase += r->has_phase != 0;
		return false;
	}
	w->analysed++;
	if (r->state == OGATE_SYNC_LOCKED)
		w->locked = true;
	if (w->locked && r->gap)
		w->gaps_locked++;
	pthread_mutex_lock(&w->vc->lock);
	w->vc->now += w->cost_ns;
	pthread_mutex_unlock(&w->vc->lock);
	return false;
}

static void run_wanted(struct wanted *w, struct ogate_pipeline_status *st)
{
	struct vclock vc;
	struct vsink sink;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct edge_input ei = { .base = { .ops = &edge_input_ops }, .fps = 80, .vc = &vc };
	struct ogate_sink qs = { .ops = &quiet_sink_ops };

	so.mod_amp = 0;
	assert_int_equal(0, ogate_source_open(&w->src, &so));
	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	po.gate = wanted_gate;
	po.frame = wanted_frame;
	po.hook_ctx = w;
	w->vc = &vc;
	w->cost_ns = 3 * SEC / 80;
	if (w->edges) {
		ei.base.fd = qs.fd = vc.wake;
		ei.src = w->src;
		po.edge_match = true;
		po.edges = &ei.base;
	}
	assert_int_equal(0, ogate_pipeline_new(&w->p, &po, w->src, w->edges ? &qs : &sink.base));
	run_for(&vc, w->p, 12 * SEC);
	stop(&vc, w->p);
	ogate_pipeline_status(w->p, st); /* all the hook saw */
	ogate_pipeline_free(w->p);
	ogate_sink_close(&sink.base);
	ogate_source_close(w->src);
	vclock_destroy(&vc);
}

/* how many found frames were late, by how many at most, on average */
static int late_frames(const struct wanted *w, int *max, double *mean)
{
	int late = 0, sum = 0;

	*max = 0;
	for (int i = 0; i < w->found; i++) {
		late += w->offset[i] != 0;
		sum += w->offset[i];
		*max = w->offset[i] > *max ? w->offset[i] : *max;
		assert_true(w->offset[i] >= 0);
	}
	*mean = w->found ? (double)sum / w->found : 0;
	return late;
}

static void test_the_gated_frame_under_decimation_is_the_one_its_trigger_lit(void **state)
{
	static struct wanted before = { .ask = false }, after = { .ask = true };
	struct ogate_pipeline_status st0, st1;
	int max0, max1, late0, late1;
	double mean0, mean1;

	run_wanted(&before, &st0);
	run_wanted(&after, &st1);
	late0 = late_frames(&before, &max0, &mean0);
	late1 = late_frames(&after, &max1, &mean1);
	printf("# k=%u: gated frame's offset from its trigger's frame, not asked: %d triggers, mean %.2f, max %d, %d late; asked: %d triggers, mean %.2f, max %d, %d late (%llu off the grid)\n",
	       st1.decimate, before.found, mean0, max0, late0, after.found, mean1, max1, late1,
	       (unsigned long long)st1.off_grid);
	assert_int_equal(4, st0.decimate);
	assert_int_equal(4, st1.decimate);
	assert_true(before.found >= 15 && after.found >= 15 && after.found >= after.n - 1);
	assert_true(max0 > 0); /* the fault: the next frame of the grid */
	assert_int_equal(0, late1);
	/* the frames asked for went to the hook alone, without a phase */
	assert_true(st1.off_grid > 0);
	assert_int_equal(st1.off_grid, after.off_grid_seen);
	assert_int_equal(0, after.off_grid_phase);
	assert_int_equal(st1.analysed, after.analysed);
	assert_int_equal(st1.frames, st1.analysed + st1.off_grid);
	assert_int_equal(st1.drops_source, st1.drops_stale + st1.drops_decimated);
	/* the analysis's stream: every 4th frame, no gap once locked */
	assert_true(st1.locked);
	assert_int_equal(0, after.gaps_locked);
	assert_int_equal(0, st0.off_grid);
}

/*
 * The same on frame times from edges 2 ms before the frames (edge matching):
 * the trigger is on the edges' times, the source's stamps are the frames'
 * own, so the pipeline asks for the trigger's time plus the learnt offset.
 * Without it, a trigger within 2 ms after an edge got a frame whose edge is
 * before it, which the grab passed over for the next of the grid (2 of 24).
 */
static void test_the_gated_frame_under_decimation_is_the_one_its_trigger_lit_on_edge_times(void **state)
{
	static struct wanted w = { .ask = true, .edges = true };
	struct ogate_pipeline_status st;
	int late, max;
	double mean;

	run_wanted(&w, &st);
	late = late_frames(&w, &max, &mean);
	printf("# k=%u on edge times (offset %.1f ms): %d triggers, %d late, %d frames at most (%llu off the grid)\n",
	       st.decimate, st.edge_offset_ns / 1e6, w.found, late, max,
	       (unsigned long long)st.off_grid);
	assert_int_equal(4, st.decimate);
	assert_true(st.edge_learnt);
	assert_true(w.found >= 15);
	assert_int_equal(0, late);
	assert_true(st.off_grid > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_rejects_bad_settings_naming_the_value),
		cmocka_unit_test(test_pipeline_locks_and_triggers_on_the_true_target_phase),
		cmocka_unit_test(test_triggers_refused_as_too_late_count_as_missed),
		cmocka_unit_test(test_status_reports_the_reference_smoothing),
		cmocka_unit_test(test_status_says_the_reference_sits_on_the_frame_clock),
		cmocka_unit_test(test_stop_cancels_what_the_grace_period_leaves),
		cmocka_unit_test(test_frames_take_the_kernel_edge_times_when_matching),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_synthetic_source),
		cmocka_unit_test(test_stop_then_start_relocks_on_the_file_source),
		cmocka_unit_test(test_slow_analysis_takes_the_newest_frame_and_counts_the_superseded),
		cmocka_unit_test(test_stalled_analysis_resumes_on_the_newest_frame_and_fires),
		cmocka_unit_test(test_the_gated_frame_under_decimation_is_the_one_its_trigger_lit),
		cmocka_unit_test(
			test_the_gated_frame_under_decimation_is_the_one_its_trigger_lit_on_edge_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
