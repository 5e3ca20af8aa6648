// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Per-frame analysis time of ogate_sync_process at 128^2, 256^2 and 512^2 (80 fps, 0.4 s
 * heartbeat: 32-frame period, 37 padded reference frames), one core. Prints BENCH lines.
 * sync_slow: a 1.6 s heartbeat (128-frame period) whose reference is smoothed
 * (reference.smooth = auto), its frames all distinct (a camera's noise does not repeat).
 * The frames replay from a 192-frame loop (cache-warm); bench/emulate_bench.sh gives the
 * cache-cold figure (a 78 MB stack). On a shared VM, max and p99 include the host's noise;
 * p50 does not. --drift [160|512] [times]: the fast heart drifting (sync_drift; times: that many
 * times faster, 5 = 1.2 px a beat, which the period scan registers), its establishing frame, the
 * most CPU after it and the locked mean (settings from ANALYSIS_BENCH_SET). --plain [128|256|512]:
 * the plain fast heart alone (its establishing frame, establish_cpu). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "ogate/sad.h"
#include "ogate/predictor.h"
#include "ogate/sync.h"
#include "clock-util.h"
#include "heart.h"

#define FPS 80.0
#define LOOP 192 /* six beats of exactly 32 frames: seamless replay */

static double now_us(void)
{
	return (double)ogate_mono_ns() * 1e-3;
}

/* this thread's CPU time: on a shared VM, the work without the time the host gives to others */
static double cpu_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

/* this thread's minor page faults and involuntary context switches so far (RUSAGE_THREAD) */
static void thread_usage(long *minflt, long *nivcsw)
{
	struct rusage u;
	if (getrusage(RUSAGE_THREAD, &u)) {
		*minflt = *nivcsw = 0;
		return;
	}
	*minflt = u.ru_minflt;
	*nivcsw = u.ru_nivcsw;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* SLOW_PASSES: the slow heart's frames analysed this many times (each pass from a new analysis,
 * the same frames): the work is the same every pass, so a frame's least CPU time over the passes
 * is what the code costs; the host's noise (on the VM, time the host takes from the vCPU counts as
 * the thread's CPU time: a register-only loop of 0.54 ms reads up to 7 ms) rarely hits one frame
 * in every pass (docs/accuracy-log.md, speed512) */
#define SLOW_PASSES 3

static void least_pass(const struct ogate_settings *set, int sz, int nframes, const uint8_t *pix,
		       double *least)
{
	struct ogate_sync *sy;
	if (ogate_sync_new(&sy, set)) {
		fprintf(stderr, "analysis_bench: cannot create the analysis\n");
		exit(1);
	}
	size_t np = (size_t)sz * sz;
	struct ogate_frame *f = ogate_frame_wrap(OGATE_PIX_U8, sz, sz, (size_t)sz, (void *)pix);
	for (int i = 0; i < nframes; i++) {
		ogate_frame_set_pixels(f, (void *)(pix + (size_t)i * np));
		struct ogate_frame_meta m = { .timestamp_ns = 1000000000LL + llround(i / FPS * 1e9),
					      .sequence = (uint64_t)i };
		ogate_frame_set_meta(f, &m);
		struct ogate_sync_result r;
		double ac = cpu_us();
		ogate_sync_process(sy, f, &r);
		double dc = cpu_us() - ac;
		least[i] = dc < least[i] ? dc : least[i];
	}
	ogate_frame_free(f);
	ogate_sync_free(sy);
}

/* shifted == 1: after frame 400 the content sits 0.4 px down and 0.3 px left of the reference,
 * so every locked frame pays for the sub-pixel resampling too; shifted == 2: the reference is
 * refreshed (and OGA-aligned) every 20 triggers, so frames pay for that work too; shifted == 3:
 * the Kalman predictor instead of the linear fit; shifted == 4: sync.metric = ssd; shifted == 5:
 * the slow heart, every frame rendered; 6: the same with reference.smooth = 0 (what the
 * establishing frame costs without the smoothing); 7: the fast heart drifting drift_times
 * DRIFT_V px a frame (rows, cols) from frame 0, every frame rendered (what a reference with a
 * measured drift costs: with ANALYSIS_BENCH_SET="reference.drift_move=1" its frames are moved
 * to one position; drift_times 5 takes the scan-registered path, whose move
 * reference.spread_move spreads: 2, the default, in 4 shares of 10 frames at 512^2, 1 at the
 * budget's 2 a frame, 0 not at 512^2) */
#define DRIFT_VY 0.006	       /* 0.48 px/s down at 80 fps: 0.19 px a beat */
#define DRIFT_VX -0.0045       /* 0.36 px/s left */
static double drift_times = 1; /* --drift's third argument: the drift that many times faster */
static void bench_size(int sz, int nframes, int shifted)
{
	struct ogate_heart_blob h;
	struct ogate_heart_rng rng;
	ogate_heart_blob_init(&h, sz, sz, 1);
	ogate_heart_rng_seed(&rng, 2);
	int slow = shifted == 5 || shifted == 6, drift = shifted == 7;
	int every = slow || drift, nrender = every ? nframes : LOOP * 2;
	struct ogate_heart_law law = { slow ? 1.6 : 0.4, 0, 0, 7, 0.7, nframes / FPS };
	size_t np = (size_t)sz * sz;
	uint8_t *pix = malloc(np * (size_t)nrender);
	float *img = malloc(sizeof(float) * np), *sh = malloc(sizeof(float) * np);
	for (int i = 0; i < nrender; i++) {
		ogate_heart_blob_render(&h, fmod(ogate_heart_law_psi(&law, i / FPS), 2 * M_PI), img);
		int moved = !every && i >= LOOP;
		double my = drift   ? drift_times * DRIFT_VY * i
			    : moved ? 0.4
				    : 0,
		       mx = drift   ? drift_times * DRIFT_VX * i
			    : moved ? -0.3
				    : 0;
		ogate_heart_rigid_shift(img, sh, sz, sz, my, mx);
		for (size_t k = 0; k < np; k++) {
			double v = rint(sh[k] + 4 * ogate_heart_rng_normal(&rng));
			pix[i * np + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
		if (shifted != 1 && !every && i == LOOP - 1)
			break;
	}
	struct ogate_settings set;
	ogate_settings_default(&set);
	if (shifted == 2)
		set.refresh_after_triggers = 20;
	if (shifted == 3)
		ogate_settings_set(&set, "prediction.predictor", "kalman");
	if (shifted == 4)
		ogate_settings_set(&set, "sync.metric", "ssd");
	if (shifted == 6)
		ogate_settings_set(&set, "reference.smooth", "0");
	/* ANALYSIS_BENCH_SET="key=value ...": settings on top (an opt-in key's cost) */
	const char *extra = getenv("ANALYSIS_BENCH_SET");
	if (extra) {
		char kv[512], *save = NULL;
		snprintf(kv, sizeof(kv), "%s", extra);
		for (char *tok = strtok_r(kv, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');
			if (!eq || (*eq = 0, ogate_settings_set(&set, tok, eq + 1))) {
				fprintf(stderr, "analysis_bench: bad ANALYSIS_BENCH_SET %s\n", tok);
				exit(1);
			}
		}
	}
	struct ogate_sync *sy;
	if (ogate_sync_new(&sy, &set)) {
		fprintf(stderr, "analysis_bench: cannot create the analysis\n");
		exit(1);
	}
	struct ogate_frame *f = ogate_frame_wrap(OGATE_PIX_U8, sz, sz, (size_t)sz, pix);
	int nref = 0;
	/* ANALYSIS_BENCH_FRAMES=<prefix>: each frame's CPU us, state, phase and argmin, then its wall
	 * us, minor page faults and involuntary context switches, to <prefix>.<tag>.<size> (which
	 * frames carry a full search or a catch-up; whether a slow frame was the code's or the host's) */
	const char *dump = getenv("ANALYSIS_BENCH_FRAMES");
	FILE *df = NULL;
	if (dump) {
		char fn[512];
		snprintf(fn, sizeof(fn), "%s.%d.%d", dump, shifted, sz);
		df = fopen(fn, "w");
	}
	double *lock_cpu = malloc(sizeof(double) * (size_t)nframes);
	double *least = malloc(sizeof(double) * (size_t)nframes);
	int nlc = 0;
	double *lock = malloc(sizeof(double) * (size_t)nframes), est = -1, est_cpu = -1, worst = 0,
	       det_max = 0;
	int nl = 0, ntrig = 0, nheld = 0;
	double worst_cpu = 0, det_max_cpu = 0;
	int worst_at = -1, lock_at = -1;
	for (int i = 0; i < nframes; i++) {
		size_t fi = every ? (size_t)i
				  : (size_t)(i % LOOP + (shifted == 1 && i >= 400 ? LOOP : 0));
		ogate_frame_set_pixels(f, pix + fi * np);
		struct ogate_frame_meta m = { .timestamp_ns = 1000000000LL + llround(i / FPS * 1e9),
					      .sequence = (uint64_t)i };
		ogate_frame_set_meta(f, &m);
		struct ogate_sync_result r;
		long flt0 = 0, csw0 = 0, flt1 = 0, csw1 = 0;
		if (df)
			thread_usage(&flt0, &csw0);
		double a = now_us(), ac = cpu_us();
		ogate_sync_process(sy, f, &r);
		double d = now_us() - a, dc = cpu_us() - ac;
		if (df)
			thread_usage(&flt1, &csw1);
		least[i] = dc;
		worst = d > worst ? d : worst;
		if (dc > worst_cpu) {
			worst_cpu = dc;
			worst_at = i;
		}
		ntrig += r.triggered;
		if (df)
			fprintf(df, "%d %.1f %d %d %d %.1f %ld %ld\n", i, dc, (int)r.state,
				r.has_phase, r.sad_argmin, d, flt1 - flt0, csw1 - csw0);
		if (r.state == OGATE_SYNC_LOCKED && !r.established && r.has_phase)
			lock_cpu[nlc++] = dc;
		nref += r.established;
		nheld += r.state == OGATE_SYNC_LOCKED && !r.has_phase; /* while smoothing */
		if (r.established && nref == 1) {
			lock_at = i;
			est = d;
			est_cpu = dc;
		} else if (r.state == OGATE_SYNC_LOCKED && (shifted != 1 || i >= 600))
			lock[nl++] = d;
		else {
			det_max = d > det_max ? d : det_max;
			det_max_cpu = dc > det_max_cpu ? dc : det_max_cpu;
		}
	}
	struct ogate_reference_info info = { 0 };
	ogate_sync_get_reference(sy, &info);
	if (df)
		fclose(df);
	qsort(lock, (size_t)nl, sizeof(double), cmp);
	qsort(lock_cpu, (size_t)nlc, sizeof(double), cmp);
	double sum = 0;
	for (int i = 0; i < nl; i++)
		sum += lock[i];
	const char *tag = shifted == 1	 ? "sync_subpixel"
			  : shifted == 2 ? "sync_refresh20"
			  : shifted == 3 ? "sync_kalman"
			  : shifted == 4 ? "sync_ssd"
			  : shifted == 5 ? "sync_slow"
			  : shifted == 6 ? "sync_slow_unsmoothed"
			  : shifted == 7 ? "sync_drift"
					 : "sync";
	printf("# %s %dx%d: %d frames, %d locked, reference of %d frames (P %.2f, smoothed %d, "
	       "change_m %.2f, repeat_z %.2f), %d triggers, SAD %s\n",
	       tag, sz, sz, nframes, nl, info.length, info.period_frames, info.smoothed,
	       info.change_m, info.repeat_z, ntrig, ogate_sync_sad_backend(sy));
	if (nl) {
		printf("BENCH analysis.%s.mean.%dx%d %.2f us\n", tag, sz, sz, sum / nl);
		printf("BENCH analysis.%s.p50.%dx%d %.2f us\n", tag, sz, sz, lock[(nl - 1) / 2]);
		printf("BENCH analysis.%s.p99.%dx%d %.2f us\n", tag, sz, sz,
		       lock[(int)floor(0.99 * (nl - 1))]);
		printf("BENCH analysis.%s.max.%dx%d %.2f us\n", tag, sz, sz, lock[nl - 1]);
	}
	if (nlc && slow) { /* CPU time of the frames matched after the lock (full searches, the
			    * held frames' catch-up): the host's preemptions left out */
		printf("BENCH analysis.%s.p90_cpu.%dx%d %.2f us\n", tag, sz, sz,
		       lock_cpu[(int)floor(0.90 * (nlc - 1))]);
		printf("BENCH analysis.%s.p99_cpu.%dx%d %.2f us\n", tag, sz, sz,
		       lock_cpu[(int)floor(0.99 * (nlc - 1))]);
		printf("BENCH analysis.%s.max_cpu.%dx%d %.2f us\n", tag, sz, sz, lock_cpu[nlc - 1]);
	}
	if (shifted == 2)
		printf("BENCH analysis.sync_refresh20.references.%dx%d %d count\n", sz, sz, nref);
	if (drift) { /* CPU: the establishing frame, the most after it, the locked frames' mean, each
		      * also as its least over SLOW_PASSES passes (the host's noise left out) */
		double after = 0, msum = 0;
		int after_at = -1;
		for (int i = lock_at + 1; lock_at >= 0 && i < nframes; i++)
			if (least[i] > after) {
				after = least[i];
				after_at = i;
			}
		for (int i = 0; i < nlc; i++)
			msum += lock_cpu[i];
		printf("BENCH analysis.drift.establish_cpu.%dx%d %.2f us\n", sz, sz, est_cpu);
		printf("# the most CPU after the lock (frame %d): frame %d\n", lock_at, after_at);
		printf("BENCH analysis.drift.after_max_cpu.%dx%d %.2f us\n", sz, sz, after);
		printf("BENCH analysis.drift.locked_mean_cpu.%dx%d %.2f us\n", sz, sz,
		       nlc ? msum / nlc : 0);
		printf("BENCH analysis.drift.held_frames.%dx%d %d count\n", sz, sz, nheld);
		for (int p = 1; p < SLOW_PASSES; p++)
			least_pass(&set, sz, nframes, pix, least);
		after = 0;
		for (int i = lock_at + 1; lock_at >= 0 && i < nframes; i++)
			if (least[i] > after) {
				after = least[i];
				after_at = i;
			}
		/* with refresh.after_triggers (ANALYSIS_BENCH_SET) the references taken: a refreshed
		 * one's establishing frame (its move, under a measured drift) may be the most */
		printf("# the most least CPU after the lock: frame %d; %d references\n", after_at,
		       nref);
		printf("BENCH analysis.drift.establish_least_cpu.%dx%d %.2f us\n", sz, sz,
		       lock_at >= 0 ? least[lock_at] : 0);
		printf("BENCH analysis.drift.after_max_least_cpu.%dx%d %.2f us\n", sz, sz, after);
		goto out;
	}
	if (shifted && !slow)
		goto out;
	const char *pre = shifted == 6 ? "slow_unsmoothed." : slow ? "slow." : "";
	printf("BENCH analysis.%sdetermine.max.%dx%d %.2f us\n", pre, sz, sz, det_max);
	/* its CPU time: the wall time's max includes the host's preemptions on a shared VM */
	printf("BENCH analysis.%sdetermine.max_cpu.%dx%d %.2f us\n", pre, sz, sz, det_max_cpu);
	printf("BENCH analysis.%sestablish.%dx%d %.2f us\n", pre, sz, sz, est);
	printf("BENCH analysis.%sestablish_cpu.%dx%d %.2f us\n", pre, sz, sz, est_cpu);
	printf("BENCH analysis.%sany_frame.max.%dx%d %.2f us\n", pre, sz, sz, worst);
	printf("# the most CPU: frame %d, the lock's %d\n", worst_at, lock_at);
	printf("BENCH analysis.%sany_frame.max_cpu.%dx%d %.2f us\n", pre, sz, sz, worst_cpu);
	if (slow) /* frames held while the smoothed reference was built (matched after it) */
		printf("BENCH analysis.%sheld_frames.%dx%d %d count\n", pre, sz, sz, nheld);
	if (slow) { /* the code's slowest frame: each frame's least CPU time over the passes */
		for (int p = 1; p < SLOW_PASSES; p++)
			least_pass(&set, sz, nframes, pix, least);
		int at = 0;
		for (int i = 1; i < nframes; i++)
			at = least[i] > least[at] ? i : at;
		printf("# the code's slowest frame (least CPU of %d passes): frame %d\n",
		       SLOW_PASSES, at);
		printf("BENCH analysis.%sany_frame.least_cpu.%dx%d %.2f us\n", pre, sz, sz, least[at]);
		/* the same by part: the determining frames, the establishing one, the frames after */
		double dmax = 0, amax = 0;
		for (int i = 0; i < nframes; i++)
			if (lock_at < 0 || i < lock_at)
				dmax = least[i] > dmax ? least[i] : dmax;
			else if (i > lock_at)
				amax = least[i] > amax ? least[i] : amax;
		printf("BENCH analysis.%sdetermine.max_least_cpu.%dx%d %.2f us\n", pre, sz, sz, dmax);
		printf("BENCH analysis.%sestablish_least_cpu.%dx%d %.2f us\n", pre, sz, sz,
		       lock_at >= 0 ? least[lock_at] : 0);
		printf("BENCH analysis.%safter_max_least_cpu.%dx%d %.2f us\n", pre, sz, sz, amax);
		/* ANALYSIS_BENCH_LEAST=<file>: each frame's least CPU us (to take the least over runs) */
		const char *lf = getenv("ANALYSIS_BENCH_LEAST");
		FILE *lp = lf ? fopen(lf, "w") : NULL;
		for (int i = 0; lp && i < nframes; i++)
			fprintf(lp, "%d %.1f\n", i, least[i]);
		if (lp)
			fclose(lp);
	}
out:
	ogate_frame_free(f);
	ogate_sync_free(sy);
	free(lock);
	free(lock_cpu);
	free(least);
	free(pix);
	free(img);
	free(sh);
	ogate_heart_blob_free(&h);
}

/* the predictors alone, per locked frame: linear = a fit over a 32-frame window; kalman =
 * one observation plus a forecast */
static void bench_predictors(void)
{
	enum { N = 200000, W = 32 };
	double t[W], ph[W];
	volatile double sink = 0;
	const char *names[2] = { "linear", "kalman" };
	for (int k = 0; k < 2; k++) {
		struct ogate_predictor *p;
		if (ogate_predictor_new(&p, names[k])) {
			fprintf(stderr, "analysis_bench: no predictor %s\n", names[k]);
			exit(1);
		}
		struct ogate_prediction pr;
		double a = now_us();
		for (int i = 0; i < N; i++) {
			double ti = i / FPS, z = 15.0 * ti + 0.01 * ((i * 7919) % 13 - 6);
			ogate_predictor_observe(p, ti, z, 1);
			for (int j = 0; j < W; j++) {
				t[j] = (j - (W - 1)) / FPS;
				ph[j] = z + 15.0 * t[j];
			}
			if (!ogate_predictor_predict(p, t, ph, W, 1.0, &pr))
				sink += pr.wait_s;
		}
		printf("BENCH analysis.predictor.%s.per_frame %.3f us\n", names[k], (now_us() - a) / N);
		ogate_predictor_free(p);
	}
	(void)sink;
}

static void bench_sad(int sz)
{
	size_t np = (size_t)sz * sz;
	uint8_t *a = malloc(np * 38), *b = malloc(np);
	for (size_t i = 0; i < np * 38; i++)
		a[i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t i = 0; i < np; i++)
		b[i] = (uint8_t)(i * 40503u >> 7);
	const struct ogate_sad *be[8];
	size_t n = ogate_sad_list(be, 8);
	for (size_t k = 0; k < n; k++) {
		volatile uint64_t sink = 0;
		int reps = 200;
		double t0 = now_us();
		for (int r = 0; r < reps; r++)
			for (int j = 0; j < 38; j++)
				sink += ogate_sad_u8(be[k], a + j * np, (size_t)sz, b, (size_t)sz,
						     sz, sz);
		printf("BENCH analysis.sad38.%s.%dx%d %.2f us\n", ogate_sad_name(be[k]), sz, sz,
		       (now_us() - t0) / reps);
		t0 = now_us();
		for (int r = 0; r < reps; r++)
			for (int j = 0; j < 38; j++)
				sink += ogate_ssd_u8(be[k], a + j * np, (size_t)sz, b, (size_t)sz,
						     sz, sz);
		printf("BENCH analysis.ssd38.%s.%dx%d %.2f us\n", ogate_sad_name(be[k]), sz, sz,
		       (now_us() - t0) / reps);
	}
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && !strcmp(argv[1], "--quick");
	if (argc > 1 && !strcmp(argv[1], "--slow")) { /* the slow heart alone; --slow 512: one size */
		int only = argc > 2 ? atoi(argv[2]) : 0;
		if (!only || only == 128) {
			bench_size(128, 1200, 5);
			bench_size(128, 1200, 6);
		}
		if (!only || only == 256) {
			bench_size(256, 800, 5);
			bench_size(256, 800, 6);
		}
		if (!only || only == 512)
			bench_size(512, 1000, 5);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--drift")) { /* the drifting heart alone; --drift 512 */
		int only = argc > 2 ? atoi(argv[2]) : 0;
		drift_times = argc > 3 ? atof(argv[3]) : 1; /* --drift 160 5: 1.2 px a beat */
		if (!(drift_times > 0))
			drift_times = 1;
		if (!only || only == 160)
			bench_size(160, 800, 7);
		if (!only || only == 512)
			bench_size(512, 400, 7);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--plain")) { /* the plain fast heart alone; --plain 512 */
		int only = argc > 2 ? atoi(argv[2]) : 0;
		if (!only || only == 128)
			bench_size(128, 4800, 0);
		if (!only || only == 256)
			bench_size(256, 2400, 0);
		if (!only || only == 512)
			bench_size(512, 1200, 0);
		return 0;
	}
	bench_sad(128);
	bench_predictors();
	bench_size(128, quick ? 800 : 4800, 0);
	bench_size(128, quick ? 800 : 4800, 3);
	bench_size(128, quick ? 800 : 4800, 4);
	bench_size(128, quick ? 800 : 1200, 5);
	bench_size(128, quick ? 800 : 1200, 6);
	bench_size(256, 800, 5);
	bench_size(256, quick ? 600 : 2400, 0);
	bench_size(512, quick ? 400 : 1200, 0);
	bench_size(512, quick ? 400 : 1200, 4);
	bench_size(128, quick ? 1200 : 4800, 1);
	bench_size(512, 1200, 1);
	bench_size(128, 4800, 2);
	bench_size(512, 2400, 2);
	return 0;
}
