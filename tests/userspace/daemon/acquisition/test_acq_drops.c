// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The frames the analysis skipped during an acquisition (acq_drops.c): a run
 * fed the samples the job thread takes (the pipeline's drops_stale and lag,
 * the frame hook's newest analysed frame) of an 80 fps camera whose analysis
 * stalls, says how many frames were skipped, in which episodes, and which
 * planes were being acquired then, in acq-<stamp>.summary.json and in one
 * log line; a run without a stall says 0, lists nothing and logs nothing. A
 * run under decimation (drops_decimated, decimate) says so apart: the frames
 * not analysed, the largest k and the planes acquired at k > 1.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "acq_drops.h"
#include "log.h"
#include "ogate/analysis.h"

#define MS 1000000LL
#define SEC 1000000000LL
#define FRAME (SEC / 80)
#define T0 (1000 * SEC) /* frame k at T0 + k FRAME */

/* the analysis stalled from s to e (a starved CPU): the camera went on */
struct stall {
	int64_t s, e;
};

struct run {
	int stacks, planes;
	int64_t plane_ns, between_ns; /* a plane's time; between stacks */
	struct stall st[4];
	int nst;
	/* the analysis at every dec_k-th frame from dec_from to dec_to (0: never) */
	unsigned dec_k;
	int64_t dec_from, dec_to;
	/* the camera lost n frames just before the one at t (no free buffer) */
	struct {
		int64_t t;
		uint64_t n;
	} cam[2];
	int ncam;
};

/* frame index with a timestamp at or before t */
static int64_t frame_at(int64_t t)
{
	return (t - T0) / FRAME;
}

/*
 * What the job thread samples at t: after a stall, the frame thread takes the
 * newest frame and the source counts the ones it superseded (drops_stale);
 * during one, the newest analysed frame is the last before it.
 */
static struct acq_drops_sample at(const struct run *r, int64_t t)
{
	struct acq_drops_sample s = { .t_ns = t, .lag_ns = 2 * MS, .lag_max_ns = 3 * MS };

	s.last_frame_ns = T0 + frame_at(t) * FRAME;
	for (int i = 0; i < r->nst; i++) {
		int64_t before = frame_at(r->st[i].s - 1), after = frame_at(r->st[i].e);

		if (t < r->st[i].s)
			break;
		if (t < r->st[i].e) {
			s.last_frame_ns = T0 + before * FRAME;
			break;
		}
		s.stale += (uint64_t)(after - before - 1);
		s.gap_end_ns = T0 + after * FRAME;
	}
	for (int i = 0; i < r->ncam && t >= r->cam[i].t; i++) {
		s.camera += r->cam[i].n;
		if (T0 + frame_at(r->cam[i].t) * FRAME > s.gap_end_ns)
			s.gap_end_ns = T0 + frame_at(r->cam[i].t) * FRAME;
	}
	s.decimate = 1;
	if (r->dec_k > 1 && t >= r->dec_from) {
		/* the frames off the grid so far: all but every dec_k-th */
		uint64_t n = (uint64_t)(((t < r->dec_to ? t : r->dec_to) - r->dec_from) / FRAME);

		s.decimated = n - n / r->dec_k;
		s.decimate = t < r->dec_to ? r->dec_k : 1;
	}
	return s;
}

/* samples every 100 ms from t for ns (not at t itself) */
static void wait_for(struct acq_drops *d, const struct run *r, int64_t t, int64_t ns)
{
	struct acq_drops_sample s;

	for (int64_t k = 100 * MS; k < ns; k += 100 * MS) {
		s = at(r, t + k);
		acq_drops_note(d, &s);
	}
}

/* the job thread's calls for a run of r, starting at T0 */
static void simulate(struct acq_drops *d, const struct run *r)
{
	struct acq_drops_sample s = at(r, T0);
	int64_t t = T0;

	acq_drops_begin(d, &s);
	for (int stack = 0; stack < r->stacks; stack++) {
		for (int plane = 0; plane < r->planes; plane++) {
			s = at(r, t);
			acq_drops_plane(d, stack, plane, 100 + 5 * plane, &s);
			wait_for(d, r, t, r->plane_ns);
			t += r->plane_ns;
		}
		s = at(r, t);
		acq_drops_plane(d, -1, -1, 0, &s);
		if (stack + 1 < r->stacks) {
			wait_for(d, r, t, r->between_ns);
			t += r->between_ns;
		}
	}
	s = at(r, t);
	acq_drops_end(d, &s);
}

/* the warnings logged (the log's tap) */
struct logged {
	char line[8][300];
	int n;
};

static void tap(void *ctx, enum ogate_log_level l, const char *msg)
{
	struct logged *g = ctx;

	(void)l;
	if (g->n < 8)
		snprintf(g->line[g->n++], sizeof(g->line[0]), "%s", msg);
}

static const char *after(const char *s, const char *key)
{
	const char *k = strstr(s, key);

	assert_non_null(k);
	return k + strlen(key);
}

/* the summary written for d, read back */
static void summary(const struct acq_drops *d, const char *ended, char *buf, size_t len)
{
	char dir[] = "/tmp/ogate-acq-drops.XXXXXX", path[80];
	size_t n;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/acq-x.summary.json", dir);
	assert_int_equal(0, acq_drops_write(d, path, ended, 0));
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	printf("# %s", buf);
	unlink(path);
	rmdir(dir);
}

/*
 * A 6-plane stack, 0.5 s a plane, without a stall: 0 frames skipped, no
 * episode, no plane listed, nothing logged.
 */
static void test_a_run_the_analysis_kept_up_with_records_0_and_no_planes(void **state)
{
	const struct run r = { .stacks = 1, .planes = 6, .plane_ns = 500 * MS };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	struct logged g = { 0 };
	char buf[4096];

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(0, t.frames);
	assert_int_equal(0, t.episodes);
	assert_int_equal(0, t.planes);
	assert_int_equal(3 * SEC, t.duration_ns);
	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_int_equal(0, g.n);
	summary(d, "done", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"ended\": \"done\""));
	assert_int_equal(0, strtoull(after(buf, "\"frames\": "), NULL, 10));
	assert_int_equal(0, strtoull(after(buf, "\"episodes\": "), NULL, 10));
	assert_non_null(strstr(buf, "\"listed\": []"));
	assert_int_equal(0, strtoull(after(buf, "\"planes_affected\": "), NULL, 10));
	assert_non_null(strstr(buf, "\"planes\": []"));
	assert_non_null(strstr(buf, "\"stacks\": []"));
	assert_int_equal(0, strtoull(after(after(buf, "\"decimated\": {"), "\"frames\": "), NULL, 10));
	assert_int_equal(1, strtoul(after(buf, "\"max_every\": "), NULL, 10));
	acq_drops_free(d);
}

/*
 * The same stack, the analysis stalled for 0.7 s from 1.8 s (plane 3 runs
 * from 1.5 s to 2 s, plane 4 to 2.5 s): the 56 frames the source superseded
 * (frames 144..199; 200, the newest at 2.5 s, is analysed), in one episode
 * from the last frame analysed before it (1.7875 s) to the first after
 * (2.5 s), shared by planes 3 and 4 as the episode overlaps them (0.2125 s
 * and 0.5 s): 17 and 39. Logged once. Before, the run's files said nothing.
 */
static void test_a_run_during_which_the_analysis_stalls_records_the_skipped_frames_and_planes(void **state)
{
	const struct run r = { .stacks = 1,
			       .planes = 6,
			       .plane_ns = 500 * MS,
			       .st = { { T0 + 1800 * MS, T0 + 2500 * MS } },
			       .nst = 1 };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	struct logged g = { 0 };
	const char *ep, *pl;
	char buf[4096];

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(56, t.frames);
	assert_int_equal(1, t.episodes);
	assert_int_equal(2, t.planes);
	assert_int_equal(0, t.between);
	assert_int_equal(2 * MS, t.lag_max_ns); /* lag_max_ns did not rise during the run */
	for (int p = 0; p < 6; p++)
		if (p != 3 && p != 4)
			assert_int_equal(0, acq_drops_plane_frames(d, 0, p));
	assert_int_equal(17, acq_drops_plane_frames(d, 0, 3));
	assert_int_equal(39, acq_drops_plane_frames(d, 0, 4));

	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_int_equal(1, g.n);
	assert_string_equal("acq: 56 frames skipped by the analysis in 1 episode, planes 3-4 affected",
			    g.line[0]);

	summary(d, "done", buf, sizeof(buf));
	assert_int_equal(56, strtoull(after(buf, "\"frames\": "), NULL, 10));
	assert_int_equal(1, strtoull(after(buf, "\"episodes\": "), NULL, 10));
	ep = after(buf, "\"listed\": [");
	assert_int_equal(T0 + 143 * FRAME, strtoll(after(ep, "\"start_ns\": "), NULL, 10));
	assert_true(fabs(strtod(after(ep, "\"start_s\": "), NULL) - 1.7875) < 0.0011);
	assert_true(fabs(strtod(after(ep, "\"duration_s\": "), NULL) - 0.7125) < 0.0011);
	assert_int_equal(56, strtoull(after(ep, "\"frames\": "), NULL, 10));
	assert_int_equal(2, strtoull(after(buf, "\"planes_affected\": "), NULL, 10));
	pl = after(buf, "\"planes\": [");
	assert_int_equal(3, strtol(after(pl, "\"plane\": "), NULL, 10));
	assert_true(fabs(strtod(after(pl, "\"z_um\": "), NULL) - 115) < 1e-9);
	assert_int_equal(17, strtoull(after(pl, "\"frames\": "), NULL, 10));
	pl = after(after(pl, "\"plane\": "), "\"plane\": ");
	assert_int_equal(4, strtol(pl, NULL, 10));
	assert_int_equal(39, strtoull(after(pl, "\"frames\": "), NULL, 10));
	assert_int_equal(56, strtoull(after(after(buf, "\"stacks\": ["), "\"frames\": "), NULL, 10));
	assert_true(fabs(strtod(after(buf, "\"analysis_lag_max_ms\": "), NULL) - 2.0) < 1e-9);
	acq_drops_free(d);
}

/*
 * The same stack, the analysis at every 4th frame from 1.2 s to 2.2 s (an
 * overload; planes 2, 3 and 4 run meanwhile) and never behind: no frame
 * skipped, but 60 frames not analysed (3 of every 4 of the 80), every 4th
 * at most, and planes 2-4 acquired at k = 4, in the summary and the log
 * line. Before, the run said nothing: decimated frames are not stale ones.
 */
static void test_a_run_under_decimation_records_the_decimated_frames_and_planes(void **state)
{
	const struct run r = { .stacks = 1,
			       .planes = 6,
			       .plane_ns = 500 * MS,
			       .dec_k = 4,
			       .dec_from = T0 + 1200 * MS,
			       .dec_to = T0 + 2200 * MS };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	struct logged g = { 0 };
	const char *dec, *pl;
	char buf[4096];

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(0, t.frames);
	assert_int_equal(0, t.planes);
	assert_int_equal(60, t.decimated);
	assert_int_equal(4, t.decimate_max);
	assert_int_equal(3, t.planes_decimated);
	for (int p = 0; p < 6; p++)
		assert_int_equal(p >= 2 && p <= 4 ? 4 : 1, acq_drops_plane_decimate(d, 0, p));

	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_int_equal(1, g.n);
	assert_string_equal(
		"acq: the analysis decimated (every 4th frame at most, 60 frames not analysed), planes 2-4 acquired meanwhile",
		g.line[0]);

	summary(d, "done", buf, sizeof(buf));
	assert_int_equal(0, strtoull(after(after(buf, "\"skipped\": {"), "\"frames\": "), NULL, 10));
	dec = after(buf, "\"decimated\": {");
	assert_int_equal(60, strtoull(after(dec, "\"frames\": "), NULL, 10));
	assert_int_equal(4, strtoul(after(dec, "\"max_every\": "), NULL, 10));
	assert_int_equal(3, strtoull(after(dec, "\"planes_affected\": "), NULL, 10));
	pl = after(dec, "\"planes\": [");
	for (int p = 2; p <= 4; p++) {
		pl = after(pl, "\"plane\": ");
		assert_int_equal(p, strtol(pl, NULL, 10));
		assert_int_equal(4, strtoul(after(pl, "\"every\": "), NULL, 10));
	}
	assert_null(strstr(pl, "\"plane\": "));
	acq_drops_free(d);
}

/*
 * A timelapse of 3 stacks of 4 planes, 2 s apart: a stall inside stack 1's
 * plane 2 (counted there alone), one while waiting between stacks 1 and 2
 * (no plane), 0.3 s each: two episodes, each stack's count, the log names
 * the stack.
 */
static void test_a_timelapse_names_the_stack_and_counts_stalls_between_stacks(void **state)
{
	const struct run r = { .stacks = 3,
			       .planes = 4,
			       .plane_ns = 500 * MS,
			       .between_ns = 2 * SEC,
			       .st = { { T0 + 5100 * MS, T0 + 5400 * MS },
				       { T0 + 7000 * MS, T0 + 7300 * MS } },
			       .nst = 2 };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	struct logged g = { 0 };

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	/* frames 408..431 (24, 432 analysed), then 560..583 */
	assert_int_equal(48, t.frames);
	assert_int_equal(24, t.between);
	assert_int_equal(2, t.episodes);
	assert_int_equal(1, t.planes);
	assert_int_equal(24, acq_drops_plane_frames(d, 1, 2));
	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_int_equal(1, g.n);
	assert_string_equal("acq: 48 frames skipped by the analysis in 2 episodes, stack 1 plane 2 affected",
			    g.line[0]);
	acq_drops_free(d);
}

/*
 * The stack of the stall above, and the camera also lost 5 frames just
 * before the one at 0.25 s (plane 0: no free buffer): 61 frames skipped, 56
 * by the analysis and 5 by the camera, named apart in the totals, the
 * summary and the log line, in 2 episodes (0.2 s to 0.25 s, and the
 * stall's), on planes 0, 3 and 4. A run where only the camera lost frames
 * says so. Before, frames the camera lost were not counted at all.
 */
static void test_frames_the_camera_lost_are_skipped_frames_named_apart(void **state)
{
	struct run r = { .stacks = 1,
			 .planes = 6,
			 .plane_ns = 500 * MS,
			 .st = { { T0 + 1800 * MS, T0 + 2500 * MS } },
			 .nst = 1,
			 .cam = { { T0 + 250 * MS, 5 } },
			 .ncam = 1 };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	struct logged g = { 0 };
	const char *ep;
	char buf[4096];

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(61, t.frames);
	assert_int_equal(56, t.analysis);
	assert_int_equal(5, t.camera);
	assert_int_equal(2, t.episodes);
	assert_int_equal(3, t.planes);
	assert_int_equal(5, acq_drops_plane_frames(d, 0, 0));
	assert_int_equal(17, acq_drops_plane_frames(d, 0, 3));
	assert_int_equal(39, acq_drops_plane_frames(d, 0, 4));
	assert_int_equal(5, acq_drops_plane_camera(d, 0, 0));
	assert_int_equal(0, acq_drops_plane_camera(d, 0, 3));
	assert_int_equal(0, acq_drops_plane_camera(d, 0, 4));
	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_int_equal(1, g.n);
	assert_string_equal("acq: 61 frames skipped (56 by the analysis, 5 lost by the camera) in 2 "
			    "episodes, planes 0,3-4 affected",
			    g.line[0]);
	summary(d, "done", buf, sizeof(buf));
	assert_int_equal(61, strtoull(after(buf, "\"frames\": "), NULL, 10));
	assert_int_equal(56, strtoull(after(buf, "\"analysis\": "), NULL, 10));
	assert_int_equal(5, strtoull(after(buf, "\"camera\": "), NULL, 10));
	assert_int_equal(2, strtoull(after(buf, "\"episodes\": "), NULL, 10));
	ep = after(buf, "\"listed\": [");
	assert_int_equal(T0 + 16 * FRAME, strtoll(after(ep, "\"start_ns\": "), NULL, 10));
	assert_int_equal(5, strtoull(after(ep, "\"frames\": "), NULL, 10));
	/* each plane's skipped frames by cause */
	assert_non_null(strstr(buf, "{\"stack\": 0, \"plane\": 0, \"z_um\": 100.0000, \"frames\": 5, "
				    "\"analysis\": 0, \"camera\": 5}"));
	assert_non_null(strstr(buf, "{\"stack\": 0, \"plane\": 3, \"z_um\": 115.0000, \"frames\": 17, "
				    "\"analysis\": 17, \"camera\": 0}"));
	assert_non_null(strstr(buf, "{\"stack\": 0, \"plane\": 4, \"z_um\": 120.0000, \"frames\": 39, "
				    "\"analysis\": 39, \"camera\": 0}"));

	r.nst = 0; /* the camera alone */
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(5, t.frames);
	assert_int_equal(0, t.analysis);
	assert_int_equal(5, t.camera);
	g.n = 0;
	ogate_log_set_tap(tap, &g);
	acq_drops_log(d, r.stacks);
	ogate_log_set_tap(NULL, NULL);
	assert_string_equal("acq: 5 frames lost by the camera in 1 episode, plane 0 affected",
			    g.line[0]);
	acq_drops_free(d);
}

/*
 * What the status shows while a run goes on (acq_run.c publishes the
 * totals at every sample): mid-plane, the frames skipped so far, the
 * camera's among them, and the open episode counted.
 */
static void test_the_totals_mid_run_count_the_skipped_frames_so_far(void **state)
{
	const struct run r = { .stacks = 1,
			       .planes = 6,
			       .plane_ns = 500 * MS,
			       .st = { { T0 + 1800 * MS, T0 + 2500 * MS } },
			       .nst = 1,
			       .cam = { { T0 + 250 * MS, 5 } },
			       .ncam = 1 };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_sample s = at(&r, T0);
	struct acq_drops_totals t;

	(void)state;
	assert_non_null(d);
	acq_drops_begin(d, &s);
	s = at(&r, T0);
	acq_drops_plane(d, 0, 0, 100, &s);
	wait_for(d, &r, T0, 400 * MS); /* samples at 0.1 .. 0.3 s */
	acq_drops_get(d, &t);
	assert_int_equal(5, t.frames);
	assert_int_equal(0, t.analysis);
	assert_int_equal(5, t.camera);
	assert_int_equal(1, t.episodes); /* still open */
	for (int i = 1; i < 6; i++) {
		s = at(&r, T0 + i * 500 * MS);
		acq_drops_plane(d, 0, i, 100 + 5 * i, &s);
		wait_for(d, &r, T0 + i * 500 * MS, 500 * MS);
	}
	acq_drops_get(d, &t); /* the stall's gap seen, the run not ended */
	assert_int_equal(61, t.frames);
	assert_int_equal(56, t.analysis);
	assert_int_equal(2, t.episodes);
	acq_drops_free(d);
}

/*
 * A stack of n planes whose triggers had these reasons (enum ogate_trigger_reason): its
 * totals' counts and the summary's "triggers" must both be (standard, panic, late, other).
 */
static void assert_triggers_by_reason(struct acq_drops *d, const int *reason, int n,
				      const unsigned long long want[4])
{
	const struct run r = { .stacks = 1, .planes = n, .plane_ns = 500 * MS };
	static const char *const key[4] = { "\"standard\": ", "\"panic\": ", "\"late\": ", "\"other\": " };
	struct acq_drops_totals t;
	char buf[4096];
	const char *k;

	simulate(d, &r);
	for (int i = 0; i < n; i++)
		acq_drops_trigger(d, reason[i]);
	acq_drops_get(d, &t);
	assert_int_equal(want[0], t.triggers.standard);
	assert_int_equal(want[1], t.triggers.panic);
	assert_int_equal(want[2], t.triggers.late);
	assert_int_equal(want[3], t.triggers.other);
	summary(d, "done", buf, sizeof(buf));
	k = after(buf, "\"triggers\": {");
	for (int i = 0; i < 4; i++)
		assert_int_equal(want[i], strtoull(after(k, key[i]), NULL, 10));
}

/*
 * The planes' triggers by the analysis's reason: a 6-plane stack whose
 * planes 2 and 5 were fired late (the target passed between two forecasts)
 * and plane 3 in panic counts 3 standard, 1 panic and 2 late in the totals
 * and the summary's "triggers". Before, the run's files did not say which
 * planes' triggers were late.
 */
static void test_the_summary_counts_the_planes_triggers_by_reason(void **state)
{
	static const int reason[6] = { OGATE_TRIGGER_STANDARD, OGATE_TRIGGER_STANDARD,
				       OGATE_TRIGGER_LATE,     OGATE_TRIGGER_PANIC,
				       OGATE_TRIGGER_STANDARD, OGATE_TRIGGER_LATE };
	static const unsigned long long want[4] = { 3, 1, 2, 0 };
	const struct run r = { .stacks = 1, .planes = 6, .plane_ns = 500 * MS };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;

	(void)state;
	assert_non_null(d);
	assert_triggers_by_reason(d, reason, 6, want);
	/* a new run starts from none */
	simulate(d, &r);
	acq_drops_get(d, &t);
	assert_int_equal(0, ogate_reason_counts_total(&t.triggers));
	acq_drops_free(d);
}

/*
 * A reason the daemon does not know (none, same beat, or a value the
 * library may add) is counted as other in the totals and the summary's
 * "triggers", never as standard. Before, acq_drops_trigger counted any
 * reason but panic and late as standard, and the summary had no "other".
 */
static void test_a_trigger_of_an_unknown_reason_counts_as_other_not_standard(void **state)
{
	static const int reason[4] = { OGATE_TRIGGER_STANDARD, OGATE_TRIGGER_NONE,
				       OGATE_TRIGGER_SAME_BEAT, 99 };
	static const unsigned long long want[4] = { 1, 0, 0, 3 };
	struct acq_drops *d = acq_drops_new();

	(void)state;
	assert_non_null(d);
	assert_triggers_by_reason(d, reason, 4, want);
	acq_drops_free(d);
}

/*
 * A plane's skipped frames split by cause when both hit it: the stall above
 * (1.8 s to 2.5 s: 56 superseded, 17 on plane 3 and 39 on plane 4) and the
 * camera losing 4 frames at 2.2 s, inside it. Each cause is shared among the
 * planes its gap overlaps on its own, so every plane's analysis and camera
 * frames add up to its frames, and over the planes to the run's. Before, a
 * plane said only how many it lost, not who lost them.
 */
static void test_a_planes_skipped_frames_are_split_by_cause(void **state)
{
	const struct run r = { .stacks = 1,
			       .planes = 6,
			       .plane_ns = 500 * MS,
			       .st = { { T0 + 1800 * MS, T0 + 2500 * MS } },
			       .nst = 1,
			       .cam = { { T0 + 2200 * MS, 4 } },
			       .ncam = 1 };
	struct acq_drops *d = acq_drops_new();
	struct acq_drops_totals t;
	uint64_t f3, f4, c3, c4;

	(void)state;
	assert_non_null(d);
	simulate(d, &r);
	acq_drops_get(d, &t);
	f3 = acq_drops_plane_frames(d, 0, 3);
	f4 = acq_drops_plane_frames(d, 0, 4);
	c3 = acq_drops_plane_camera(d, 0, 3);
	c4 = acq_drops_plane_camera(d, 0, 4);
	printf("# %llu skipped (%llu analysis, %llu camera): plane 3 %llu (camera %llu), plane 4 %llu (camera %llu)\n",
	       (unsigned long long)t.frames, (unsigned long long)t.analysis,
	       (unsigned long long)t.camera, (unsigned long long)f3, (unsigned long long)c3,
	       (unsigned long long)f4, (unsigned long long)c4);
	assert_int_equal(56, t.analysis);
	assert_int_equal(4, t.camera);
	assert_int_equal(2, t.planes);
	assert_int_equal(t.frames, f3 + f4);
	/* the stall's 56 as before; the camera's 4 from the last frame analysed
	 * (1.7875 s) to 2.2 s: 0.2125 s on plane 3, 0.2 s on plane 4 */
	assert_int_equal(17, f3 - c3);
	assert_int_equal(39, f4 - c4);
	assert_int_equal(2, c3);
	assert_int_equal(2, c4);
	acq_drops_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_run_the_analysis_kept_up_with_records_0_and_no_planes),
		cmocka_unit_test(
			test_a_run_during_which_the_analysis_stalls_records_the_skipped_frames_and_planes),
		cmocka_unit_test(test_a_timelapse_names_the_stack_and_counts_stalls_between_stacks),
		cmocka_unit_test(test_a_run_under_decimation_records_the_decimated_frames_and_planes),
		cmocka_unit_test(test_frames_the_camera_lost_are_skipped_frames_named_apart),
		cmocka_unit_test(test_the_totals_mid_run_count_the_skipped_frames_so_far),
		cmocka_unit_test(test_the_summary_counts_the_planes_triggers_by_reason),
		cmocka_unit_test(test_a_trigger_of_an_unknown_reason_counts_as_other_not_standard),
		cmocka_unit_test(test_a_planes_skipped_frames_are_split_by_cause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
