// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ogated's frame path and its io thread: what leaves the frame thread (the
 * shared-memory ring's pixels, the recorder's files) is done on the io
 * thread without the frame thread waiting, and the record switch is obeyed
 * exactly. Same fixture as test_pipeline.c.
 */
#include "pipeline_fixture.h"
#include "ogate/analysis.h"

/*
 * The frame copy hook (ogated: the shared-memory ring's pixels) runs on the
 * io thread, on the camera frame itself, with the metadata the frame thread
 * computed for it; the frame thread never waits for it: while the hook is
 * stuck, at most TAP_POOL frames stay lent and every further frame is
 * skipped and counted in drops_tap while the analysis goes on. Real time
 * (the virtual clock waits for the io thread by design).
 */
struct copy_probe {
	pthread_t frame_thread; /* set by the frame tap, once (before its first hand-over) */
	bool have_thread;	/* frame thread only */
	atomic_bool block;	/* the copy hook waits while set */
	atomic_int copies, on_frame_thread, meta_mismatch, pixel_mismatch;
	/* what the frame thread saw, by sequence % 64 (published by the hand-over) */
	struct ogate_pipeline_tap seen[64];
	uint8_t first_px[64];
};

static void probe_tap(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t)
{
	struct copy_probe *c = ctx;
	uint64_t k = ogate_frame_get_meta(f)->sequence % 64;

	if (!c->have_thread) {
		c->frame_thread = pthread_self();
		c->have_thread = true;
	}
	c->seen[k] = *t;
	c->first_px[k] = ((const uint8_t *)ogate_frame_pixels(f))[ogate_frame_width(f) / 2];
}

static void probe_copy(void *ctx, const struct ogate_frame *f, const struct ogate_pipeline_tap *t)
{
	struct copy_probe *c = ctx;
	uint64_t k = ogate_frame_get_meta(f)->sequence % 64;
	const struct ogate_pipeline_tap *s = &c->seen[k];

	while (atomic_load(&c->block)) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	if (pthread_equal(pthread_self(), c->frame_thread))
		atomic_fetch_add(&c->on_frame_thread, 1);
	if (t->sync || t->locked != s->locked || t->phase != s->phase ||
	    t->triggered != s->triggered || t->trigger_ns != s->trigger_ns ||
	    t->ref_id != s->ref_id || t->target_phase != s->target_phase)
		atomic_fetch_add(&c->meta_mismatch, 1);
	/* the frame is still the camera's, not yet released and rendered over */
	if (((const uint8_t *)ogate_frame_pixels(f))[ogate_frame_width(f) / 2] != c->first_px[k])
		atomic_fetch_add(&c->pixel_mismatch, 1);
	atomic_fetch_add(&c->copies, 1);
}

static void wait_analysed(struct ogate_pipeline *p, uint64_t n)
{
	struct ogate_pipeline_status st;

	for (int i = 0; i < 3000; i++) { /* 30 s at most */
		struct timespec ts = { 0, 10000000 };

		ogate_pipeline_status(p, &st);
		if (st.analysed >= n)
			return;
		nanosleep(&ts, NULL);
	}
	fail_msg("the frame thread analysed %llu of %llu frames", (unsigned long long)st.analysed,
		 (unsigned long long)n);
}

static void test_frame_copy_runs_off_the_frame_thread_and_a_stuck_one_skips_frames(void **state)
{
	struct vsink sink;
	struct vclock vc;
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;
	struct ogate_pipeline_status st, st0;
	struct copy_probe c = { 0 };
	struct ogate_source *src;
	struct ogate_pipeline *p;
	int copies0;

	vclock_init(&vc);
	vsink_init(&sink, &vc);
	po = pipe_opts(&vc);
	po.clock = NULL; /* real time: the io thread may fall behind */
	po.frame_tap = probe_tap;
	po.frame_copy = probe_copy;
	po.tap_ctx = &c;
	assert_int_equal(0, ogate_source_open(&src, &so));
	assert_int_equal(0, ogate_pipeline_new(&p, &po, src, &sink.base));
	assert_int_equal(0, ogate_pipeline_start(p));
	wait_analysed(p, 40);
	/* the hook stuck: the analysis goes on, frames beyond the lent ones are skipped */
	atomic_store(&c.block, true);
	ogate_pipeline_status(p, &st0);
	wait_analysed(p, st0.analysed + 40);
	ogate_pipeline_status(p, &st);
	copies0 = atomic_load(&c.copies);
	printf("# stuck copy: %llu frames analysed, %llu skipped\n",
	       (unsigned long long)(st.analysed - st0.analysed),
	       (unsigned long long)(st.drops_tap - st0.drops_tap));
	assert_true(st.drops_tap - st0.drops_tap + 4 + 1 >= st.analysed - st0.analysed);
	atomic_store(&c.block, false);
	wait_analysed(p, st.analysed + 20);
	assert_true(atomic_load(&c.copies) > copies0); /* lent frames flow again */
	assert_int_equal(0, ogate_pipeline_stop(p));
	ogate_pipeline_status(p, &st);
	/* every analysed frame was either copied or counted; every lent frame came back */
	assert_int_equal(st.analysed, (uint64_t)atomic_load(&c.copies) + st.drops_tap);
	assert_int_equal(0, atomic_load(&c.on_frame_thread));
	assert_int_equal(0, atomic_load(&c.meta_mismatch));
	assert_int_equal(0, atomic_load(&c.pixel_mismatch));
	ogate_pipeline_free(p);
	ogate_sink_close(&sink.base);
	ogate_source_close(src);
	vclock_destroy(&vc);
}

/*
 * The recording tests' rig: a pipeline on the virtual clock and sink,
 * recording into a fresh temporary folder, removed with everything in it.
 */
struct rec_rig {
	char dir[64];
	struct ogate_source *src;
	struct ogate_pipeline *p;
	struct vclock vc;
	struct vsink sink;
};

/* frame: the pipeline's frame hook (NULL none), with ctx */
static void rec_rig_open_hooked(struct rec_rig *g,
				bool (*frame)(void *, struct ogate_frame *,
					      const struct ogate_sync_result *),
				void *ctx)
{
	struct ogate_source_opts so = synth_opts();
	struct ogate_pipeline_opts po;

	snprintf(g->dir, sizeof(g->dir), "/tmp/ogate-rec-XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	vclock_init(&g->vc);
	vsink_init(&g->sink, &g->vc);
	po = pipe_opts(&g->vc);
	po.record_dir = g->dir;
	if (frame) {
		po.frame = frame;
		po.hook_ctx = ctx;
	}
	assert_int_equal(0, ogate_source_open(&g->src, &so));
	assert_int_equal(0, ogate_pipeline_new(&g->p, &po, g->src, &g->sink.base));
}

static void rec_rig_open(struct rec_rig *g)
{
	rec_rig_open_hooked(g, NULL, NULL);
}

/* record on, while running; *csv: the recording's CSV path */
static void rec_rig_record_on(struct rec_rig *g, char *csv, size_t len)
{
	char msg[600];

	assert_int_equal(0, ogate_pipeline_record(g->p, true, msg, sizeof(msg)));
	assert_int_equal(0, strncmp(msg, "recording to ", 13));
	snprintf(csv, len, "%.*s.csv", (int)strlen(msg + 13) - 8, msg + 13);
}

static void rec_rig_close(struct rec_rig *g)
{
	char cmd[128];

	stop(&g->vc, g->p);
	ogate_pipeline_free(g->p);
	ogate_sink_close(&g->sink.base);
	ogate_source_close(g->src);
	vclock_destroy(&g->vc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g->dir);
	assert_int_equal(0, system(cmd));
}

/*
 * Recording switched on records until switched off: the io thread must not
 * close the files it sees opened while it checks the switch (it read
 * "off", waited for the lock that record on held while opening, then
 * closed the new files: "recording closed: 0 frames" at once, under load).
 * Each on/off gives files with rows, complete once record off returns.
 */
static atomic_bool burn_stop;

/* keeps the io thread looping (its sink's fd readable) and the CPUs busy */
static void *burn(void *arg)
{
	const int *wake = arg;
	uint64_t one = 1;

	while (!atomic_load(&burn_stop))
		if (write(*wake, &one, sizeof(one)) < 0)
			break;
	return NULL;
}

static void test_recording_switched_on_records_until_switched_off(void **state)
{
	pthread_t burner[3];
	char msg[600], csv[700];
	struct rec_rig g;
	int empty = 0, n = 20;

	rec_rig_open(&g);
	run_for(&g.vc, g.p, 200 * MS);
	/* a busy io thread on a loaded machine (as in CI) hits the window every time */
	atomic_store(&burn_stop, false);
	for (int i = 0; i < 3; i++)
		assert_int_equal(0, pthread_create(&burner[i], NULL, burn, &g.vc.wake));
	for (int i = 0; i < n; i++) {
		char line[256];
		int rows = -1;
		FILE *f;

		rec_rig_record_on(&g, csv, sizeof(csv));
		vclock_run_until(&g.vc, vclock_now(&g.vc) + 50 * MS);
		for (int k = 0; k < 3; k++) { /* the io thread drains at least once */
			struct timespec ts = { 0, 25 * MS };

			nanosleep(&ts, NULL);
		}
		assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
		f = fopen(csv, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			rows++;
		fclose(f);
		empty += rows <= 0;
		for (int k = 0; k < 2; k++) { /* off for a while, as between two uses */
			struct timespec ts = { 0, 25 * MS };

			nanosleep(&ts, NULL);
		}
	}
	atomic_store(&burn_stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(burner[i], NULL);
	printf("# %d of %d recordings closed empty\n", empty, n);
	assert_int_equal(0, empty);
	rec_rig_close(&g);
}

/*
 * A recording carries the live check of every trigger it fired: the row of
 * the frame on which the check was made names the trigger's number (as in
 * the trigger column of its earlier row), its error in ms and in phase.
 */
static void test_recording_carries_the_live_check_of_each_trigger(void **state)
{
	char msg[600], csv[700], line[512];
	struct ogate_pipeline_status st;
	struct rec_rig g;
	bool fired[4096] = { false };
	int rows = 0, triggers = 0, checks = 0, unknown = 0, wild = 0;
	FILE *f;

	rec_rig_open(&g);
	run_for(&g.vc, g.p, 500 * MS);
	rec_rig_record_on(&g, csv, sizeof(csv));
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 6 * SEC);
	assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
	ogate_pipeline_status(g.p, &st);
	f = fopen(csv, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger,"
				  "qa_trigger,qa_error_ms,qa_phase_error_rad,trigger_reason\n");
	while (fgets(line, sizeof(line), f)) {
		char *col[11], *c = line;
		long long trig, qa;
		int n = 0;

		for (; n < 11; n++) {
			col[n] = strsep(&c, ",\n");
			if (!col[n])
				break;
		}
		assert_int_equal(11, n);
		rows++;
		if (*col[6]) {
			trig = atoll(col[6]);
			assert_true(trig > 0 && trig < 4096);
			fired[trig] = true;
			triggers++;
		}
		if (!*col[7]) {
			assert_string_equal("", col[8]);
			continue;
		}
		qa = atoll(col[7]);
		checks++;
		unknown += !(qa > 0 && qa < 4096 && fired[qa]); /* a check before its trigger */
		/* error and phase error agree in sign; within a tenth of the 0.5 s beat */
		wild += !(fabs(atof(col[8])) < 50 && atof(col[8]) * atof(col[9]) >= 0);
	}
	fclose(f);
	printf("# %d rows, %d triggers, %d live checks (status: %llu checked)\n", rows, triggers,
	       checks, (unsigned long long)st.qa.n);
	assert_true(triggers >= 8);
	/* every trigger but the last few (checked once 32 more frames arrived) */
	assert_true(checks >= triggers - 2);
	assert_true(checks <= triggers);
	assert_int_equal(0, unknown);
	assert_int_equal(0, wild);
	rec_rig_close(&g);
}

/*
 * The analysis stalls once, for stall_ns of the virtual clock, at the first
 * frame after the test sets it (a starved CPU): the camera keeps taking
 * frames, the source supersedes them.
 */
struct stall {
	struct vclock *vc;
	_Atomic int64_t stall_ns;
};

static bool stall_analysis(void *ctx, struct ogate_frame *f, const struct ogate_sync_result *r)
{
	struct stall *s = ctx;
	int64_t ns = atomic_exchange(&s->stall_ns, 0);

	if (ns) {
		pthread_mutex_lock(&s->vc->lock);
		s->vc->now += ns;
		pthread_mutex_unlock(&s->vc->lock);
	}
	return false;
}

/* what a recording's summary.json says, read next to its CSV */
struct summary {
	unsigned long long recorded, superseded, episodes, ep_index, ep_frames;
	double lag_max_ms, ep_start_s, ep_duration_s, ep_lag_max_ms;
	int listed;
};

static const char *after(const char *s, const char *key)
{
	const char *k = strstr(s, key);

	assert_non_null(k);
	return k + strlen(key);
}

static void read_summary(const char *csv, struct summary *y)
{
	char path[720], buf[8192];
	const char *sup, *l;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s.summary.json", (int)strlen(csv) - 4, csv);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	printf("# %s", buf);
	memset(y, 0, sizeof(*y));
	y->recorded = strtoull(after(buf, "\"frames_recorded\": "), NULL, 10);
	y->lag_max_ms = strtod(after(buf, "\"analysis_lag_max_ms\": "), NULL);
	sup = after(buf, "\"superseded\": {");
	y->superseded = strtoull(after(sup, "\"frames\": "), NULL, 10);
	y->episodes = strtoull(after(sup, "\"episodes\": "), NULL, 10);
	l = after(sup, "\"listed\": [");
	for (const char *e = l; (e = strstr(e, "{\"index\"")); e++)
		y->listed++;
	if (y->listed) {
		y->ep_index = strtoull(after(l, "\"index\": "), NULL, 10);
		y->ep_start_s = strtod(after(l, "\"start_s\": "), NULL);
		y->ep_duration_s = strtod(after(l, "\"duration_s\": "), NULL);
		y->ep_frames = strtoull(after(l, "\"frames\": "), NULL, 10);
		y->ep_lag_max_ms = strtod(after(l, "\"lag_max_ms\": "), NULL);
	}
}

/*
 * A recording says how many frames the analysis skipped: one made while
 * the analysis keeps up says 0 and lists no episode; one during which the
 * analysis stalls for 3 s (2 s into it, 80 fps) counts the 240 frames the
 * source superseded in one episode of 3 s starting 2 s in, at the row
 * after the gap, and the worst lag of its frames (under a frame interval:
 * the newest frame is analysed). Before, the recording said nothing: the
 * frames only showed as a gap in the sequence column.
 */
static void test_recording_summary_counts_the_frames_superseded_while_the_analysis_was_behind(void **state)
{
	char msg[600], csv[700];
	struct stall s = { 0 };
	struct summary y;
	struct rec_rig g;

	s.vc = &g.vc;
	rec_rig_open_hooked(&g, stall_analysis, &s);
	run_for(&g.vc, g.p, 500 * MS);

	rec_rig_record_on(&g, csv, sizeof(csv));
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 2 * SEC);
	assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
	read_summary(csv, &y);
	assert_true(y.recorded >= 2 * 80 - 2);
	assert_int_equal(0, y.superseded);
	assert_int_equal(0, y.episodes);
	assert_int_equal(0, y.listed);
	assert_true(y.lag_max_ms >= 0 && y.lag_max_ms < 1000.0 / 80);

	rec_rig_record_on(&g, csv, sizeof(csv));
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 2 * SEC);
	atomic_store(&s.stall_ns, 3 * SEC);
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 5 * SEC);
	assert_int_equal(0, atomic_load(&s.stall_ns));
	assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
	read_summary(csv, &y);
	assert_true(y.superseded >= 3 * 80 - 1 && y.superseded <= 3 * 80 + 1);
	assert_int_equal(1, y.episodes);
	assert_int_equal(1, y.listed);
	assert_int_equal(y.superseded, y.ep_frames);
	assert_true(y.ep_start_s > 1.9 && y.ep_start_s < 2.2);
	assert_true(y.ep_duration_s >= 3.0 && y.ep_duration_s < 3.05);
	assert_true(y.ep_index > 150 && y.ep_index < 180);
	/* the rest of the 7 s was recorded */
	assert_true(y.recorded + y.superseded >= 7 * 80 - 3 && y.recorded + y.superseded <= 7 * 80 + 2);
	assert_true(y.lag_max_ms >= 0 && y.lag_max_ms < 1000.0 / 80);
	assert_true(y.ep_lag_max_ms >= 0 && y.ep_lag_max_ms <= y.lag_max_ms);
	rec_rig_close(&g);
}

/*
 * ogate_sync_process, wrapped at link (mk/daemon.mk: --wrap): the real analysis; while
 * relabel is RELABEL_TURN, the reasons of its triggers are rewritten in turn to late, panic
 * and standard (a late trigger needs a forecast that jumps or frames without one, which the
 * synthetic heart does not make on demand; test_late_trigger.c pins the rule itself); while
 * it is RELABEL_UNKNOWN, to a reason the daemon does not know.
 */
int __real_ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f,
			      struct ogate_sync_result *r);
int __wrap_ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f,
			      struct ogate_sync_result *r);
enum { RELABEL_OFF, RELABEL_TURN, RELABEL_UNKNOWN };
#define REASON_UNKNOWN 99
static atomic_int relabel;
static unsigned relabelled; /* frame thread */

int __wrap_ogate_sync_process(struct ogate_sync *s, const struct ogate_frame *f,
			      struct ogate_sync_result *r)
{
	static const int order[3] = { OGATE_TRIGGER_LATE, OGATE_TRIGGER_PANIC, OGATE_TRIGGER_STANDARD };
	int ret = __real_ogate_sync_process(s, f, r);

	if (!ret && r->triggered && atomic_load(&relabel) == RELABEL_TURN)
		r->trigger.reason = order[relabelled++ % 3];
	else if (!ret && r->triggered && atomic_load(&relabel) == RELABEL_UNKNOWN)
		r->trigger.reason = REASON_UNKNOWN;
	return ret;
}

/* what a recording's summary.json says of its triggers */
static void read_summary_triggers(const char *csv, unsigned long long n[4])
{
	char path[720], buf[8192];
	const char *t;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s.summary.json", (int)strlen(csv) - 4, csv);
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	t = after(buf, "\"triggers\": {");
	n[0] = strtoull(after(t, "\"standard\": "), NULL, 10);
	n[1] = strtoull(after(t, "\"panic\": "), NULL, 10);
	n[2] = strtoull(after(t, "\"late\": "), NULL, 10);
	n[3] = strtoull(after(t, "\"other\": "), NULL, 10);
}

/*
 * Triggers are counted by the analysis's reason: status splits the queued
 * triggers into standard, panic and late (they add up to triggers), each
 * recorded trigger row names its reason in trigger_reason (empty on rows
 * without a trigger) and the recording's summary counts them. Before, a
 * late trigger (session 12's rule) looked like any other in the daemon.
 */
static void test_triggers_are_counted_and_recorded_by_reason(void **state)
{
	static const char *names[3] = { "standard", "panic", "late" };
	unsigned long long csv_n[3] = { 0 }, sum_n[4];
	char msg[600], csv[700], line[512];
	struct ogate_pipeline_status st;
	struct rec_rig g;
	int rows = 0;
	FILE *f;

	rec_rig_open(&g);
	run_for(&g.vc, g.p, 500 * MS);
	rec_rig_record_on(&g, csv, sizeof(csv));
	atomic_store(&relabel, RELABEL_TURN);
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 6 * SEC);
	assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
	ogate_pipeline_status(g.p, &st);
	atomic_store(&relabel, RELABEL_OFF);
	printf("# %llu triggers: %llu standard, %llu panic, %llu late\n",
	       (unsigned long long)st.triggers, (unsigned long long)st.by_reason.standard,
	       (unsigned long long)st.by_reason.panic, (unsigned long long)st.by_reason.late);
	assert_true(st.triggers >= 8);
	assert_int_equal(st.triggers, ogate_reason_counts_total(&st.by_reason));
	assert_int_equal(0, st.by_reason.other);
	assert_true(st.by_reason.late >= 2);
	assert_true(st.by_reason.panic >= 2);
	assert_true(st.by_reason.late >= st.by_reason.panic);

	f = fopen(csv, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	while (fgets(line, sizeof(line), f)) {
		char *col[11], *c = line;
		int n = 0, k;

		for (; n < 11; n++)
			if (!(col[n] = strsep(&c, ",\n")))
				break;
		assert_int_equal(11, n);
		rows++;
		if (!*col[6]) {
			assert_string_equal("", col[10]);
			continue;
		}
		for (k = 0; k < 3 && strcmp(col[10], names[k]); k++)
			;
		assert_true(k < 3);
		csv_n[k]++;
	}
	fclose(f);
	read_summary_triggers(csv, sum_n);
	printf("# %d rows; recorded %llu standard, %llu panic, %llu late\n", rows, csv_n[0],
	       csv_n[1], csv_n[2]);
	for (int k = 0; k < 3; k++)
		assert_int_equal(csv_n[k], sum_n[k]);
	assert_int_equal(0, sum_n[3]);
	assert_true(csv_n[2] >= 2 && csv_n[2] <= st.by_reason.late);
	assert_true(csv_n[1] >= 2 && csv_n[1] <= st.by_reason.panic);
	rec_rig_close(&g);
}

/*
 * A trigger of a reason the daemon does not know (reasons.h) is counted as
 * other, never as standard: status's other grows by every such trigger and
 * standard, panic and late do not; each recorded row names it "other" and
 * the summary counts them under "other". Before, the pipeline's status
 * counted any reason but panic and late as standard (while the recording
 * said other) and had no other.
 */
static void test_a_trigger_of_an_unknown_reason_is_counted_as_other(void **state)
{
	unsigned long long rows_other = 0, sum_n[4];
	struct ogate_pipeline_status st0, st;
	char msg[600], csv[700], line[512];
	struct rec_rig g;
	FILE *f;

	(void)state;
	rec_rig_open(&g);
	run_for(&g.vc, g.p, 500 * MS);
	atomic_store(&relabel, RELABEL_UNKNOWN);
	rec_rig_record_on(&g, csv, sizeof(csv));
	ogate_pipeline_status(g.p, &st0);
	vclock_run_until(&g.vc, vclock_now(&g.vc) + 5 * SEC);
	ogate_pipeline_status(g.p, &st);
	assert_int_equal(0, ogate_pipeline_record(g.p, false, msg, sizeof(msg)));
	atomic_store(&relabel, RELABEL_OFF);
	printf("# %llu triggers; %llu other\n", (unsigned long long)(st.triggers - st0.triggers),
	       (unsigned long long)(st.by_reason.other - st0.by_reason.other));
	assert_true(st.triggers - st0.triggers >= 4);
	assert_int_equal(st.triggers - st0.triggers, st.by_reason.other - st0.by_reason.other);
	assert_int_equal(st0.by_reason.standard, st.by_reason.standard);
	assert_int_equal(st0.by_reason.panic + st0.by_reason.late,
			 st.by_reason.panic + st.by_reason.late);
	assert_int_equal(st.triggers, ogate_reason_counts_total(&st.by_reason));

	f = fopen(csv, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	while (fgets(line, sizeof(line), f)) {
		char *col[11], *c = line;
		int n = 0;

		for (; n < 11; n++)
			if (!(col[n] = strsep(&c, ",\n")))
				break;
		assert_int_equal(11, n);
		if (*col[6]) {
			assert_string_equal("other", col[10]);
			rows_other++;
		}
	}
	fclose(f);
	read_summary_triggers(csv, sum_n);
	printf("# recorded %llu other\n", rows_other);
	assert_true(rows_other >= 2);
	assert_int_equal(0, sum_n[0] + sum_n[1] + sum_n[2]);
	assert_int_equal(rows_other, sum_n[3]);
	rec_rig_close(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_copy_runs_off_the_frame_thread_and_a_stuck_one_skips_frames),
		cmocka_unit_test(test_recording_switched_on_records_until_switched_off),
		cmocka_unit_test(test_recording_carries_the_live_check_of_each_trigger),
		cmocka_unit_test(
			test_recording_summary_counts_the_frames_superseded_while_the_analysis_was_behind),
		cmocka_unit_test(test_triggers_are_counted_and_recorded_by_reason),
		cmocka_unit_test(test_a_trigger_of_an_unknown_reason_is_counted_as_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
