// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogate-emulate: replay a recorded or synthetic stream through libogate and report how well it
 * gated, against ground truth when given. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "clock-util.h"
#include "detstate.h"
#include "emuopts.h"
#include "numparse.h"
#include "ogate-version.h"
#include "ogate/analysis.h"
#include "ogate/frame.h"
#include "ogate/sync.h"
#include "stackio.h"
#include "plotaxis.h"
#include "pngplot.h"
#include "rating.h"
#include "scoring.h"
#include "svgplot.h"
#include "targetopt.h"

#define PROG "ogate-emulate"

struct trig_row {
	struct ogate_sync_trigger t;
	uint64_t ref_first;
	double ref_period, target_u;
	double tf;			      /* when it fires (s, --score), from base_ns */
	double err_s, phase_err, period_true; /* vs truth at tf (NAN without) */
	double err_req_s;		      /* vs truth at the time requested */
	double meas_phase;	       /* phase reached, from later frames (NAN if unknown) */
	double qa_err_s, qa_phase_err; /* the library's live check (NAN if not made) */
};

struct frame_row {
	double t, phase, unw, proc_us;
	int state, argmin, gap, established;
};

/* x with 3 decimals, or null where it was not measured (NAN), then tail */
static void json_num_or_null(FILE *f, double x, const char *tail)
{
	if (isnan(x))
		fprintf(f, "null%s", tail);
	else
		fprintf(f, "%.3f%s", x, tail);
}

/* one column (by name, else the last) of a CSV file, as the emulator reads timestamps and truth */
static double *read_csv_column(const char *path, const char *want, int *n_out)
{
	char err[512];
	double *v;
	if (ogate_stack_read_csv(path, 1, &want, &v, n_out, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return NULL;
	}
	if (!*n_out)
		fprintf(stderr, PROG ": %s: no data rows\n", path);
	return v;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(const double *sorted, int n, double p)
{
	if (n <= 0)
		return NAN;
	double k = p / 100 * (n - 1);
	int i = (int)floor(k);
	if (i >= n - 1)
		return sorted[n - 1];
	return sorted[i] + (k - i) * (sorted[i + 1] - sorted[i]);
}

static double now_s(void)
{
	return (double)ogate_mono_ns() / 1e9;
}

/* a JSON string literal (quotes, backslashes and control characters escaped) */
static void json_str(FILE *f, const char *v)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static char outdir[4096];
static const char *const outputs[] = { "frames.csv",	"triggers.csv", "phase.svg",
				       "histogram.svg", "phase.png",	"histogram.png",
				       "summary.json" };

static FILE *open_part(const char *name)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s.partial", outdir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		fprintf(stderr, PROG ": %s: %s\n", p, strerror(errno));
	return f;
}

static void discard_parts(void)
{
	char p[4200];
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s.partial", outdir, outputs[i]);
		unlink(p);
	}
}

/* plots: "svg", "png" or "none" */
static int commit_parts(const char *plots)
{
	char a[4200], b[4200];
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		const char *ext = strrchr(outputs[i], '.') + 1;
		if ((!strcmp(ext, "svg") || !strcmp(ext, "png")) && strcmp(ext, plots))
			continue;
		snprintf(a, sizeof(a), "%s/%s.partial", outdir, outputs[i]);
		snprintf(b, sizeof(b), "%s/%s", outdir, outputs[i]);
		if (rename(a, b)) {
			int e = errno;
			fprintf(stderr, PROG ": %s: %s\n", b, strerror(e));
			return -e;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	const char *out = NULL, *ts_path = NULL, *truth_path = NULL, *plots = "svg";
	double fps = 0;
	int quiet = 0, fired = 1;
	char **sets = calloc((size_t)argc, sizeof(char *));
	int nsets = 0;
	const char *config = NULL, *tphase = NULL, *tframe = NULL;
	static const struct option lo[] = { { "fps", 1, 0, 'f' },
					    { "timestamps", 1, 0, 'T' },
					    { "config", 1, 0, 'c' },
					    { "set", 1, 0, 's' },
					    { "version", 0, 0, 'V' },
					    { "target-phase", 1, 0, 'p' },
					    { "target-frame", 1, 0, 'u' },
					    { "truth", 1, 0, 't' },
					    { "out", 1, 0, 'o' },
					    { "plots", 1, 0, 'P' },
					    { "predictor", 1, 0, 'k' },
					    { "quiet", 0, 0, 'q' },
					    { "help", 0, 0, 'h' },
					    { "score", 1, 0, 'S' },
					    { 0, 0, 0, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "hqV", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (ogate_parse_double(optarg, &fps) || !(fps > 0)) {
				fprintf(stderr, PROG ": --fps: '%s' is not a positive number\n",
					optarg);
				return 2;
			}
			break;
		case 'T': ts_path = optarg; break;
		case 'c': config = optarg; break;
		case 's': sets[nsets++] = optarg; break;
		case 'p': tphase = optarg; break;
		case 'u': tframe = optarg; break;
		case 't': truth_path = optarg; break;
		case 'o': out = optarg; break;
		case 'k':
			if (ogate_settings_set(&set, "prediction.predictor", optarg)) {
				fprintf(stderr, PROG ": --predictor: '%s' is not a predictor name\n",
					optarg);
				return 2;
			}
			break;
		case 'P': plots = optarg; break;
		case 'S':
			if (strcmp(optarg, "fired") && strcmp(optarg, "requested")) {
				fprintf(stderr, PROG ": --score: '%s' is not fired or requested\n",
					optarg);
				return 2;
			}
			fired = !strcmp(optarg, "fired");
			break;
		case 'q': quiet = 1; break;
		case 'h': emu_usage(stdout); return 0;
		case 'V': printf(PROG " %s\n", OGATE_VERSION); return 0;
		default: emu_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": exactly one INPUT file is required (see --help)\n");
		return 2;
	}
	if (!out) {
		fprintf(stderr, PROG ": --out DIR is required\n");
		return 2;
	}
	if ((fps > 0) == (ts_path != NULL)) {
		fprintf(stderr, PROG ": give exactly one of --fps and --timestamps\n");
		return 2;
	}
	if (strcmp(plots, "svg") && strcmp(plots, "png") && strcmp(plots, "none")) {
		fprintf(stderr, PROG ": --plots: '%s' is not svg, png or none\n", plots);
		return 2;
	}
	if (config && emu_read_config(config, &set))
		return 2;
	if (emu_apply_sets(&set, sets, nsets))
		return 2;
	if (target_options(&set, tphase, tframe))
		return 2;
	/* results of an earlier run in DIR must not pass for this one's, even if this one fails */
	snprintf(outdir, sizeof(outdir), "%s", out);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", outdir, outputs[i]);
		unlink(p);
	}
	const char *input = argv[optind];
	char err[1024];
	struct ogate_stack st;
	if (ogate_stack_load(input, &st, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (st.note[0])
		fprintf(stderr, PROG ": note: %s\n", st.note);
	int N = st.n;
	if (N < 2) {
		fprintf(stderr,
			PROG
			": %s: %d frame: a stream needs at least 2 (and several heartbeats to lock)\n",
			input, N);
		return 1;
	}
	double *ts = NULL;
	if (ts_path) {
		int nt;
		ts = read_csv_column(ts_path, "t_s", &nt);
		if (!ts)
			return 1;
		for (int i = 1; i < nt && i < N; i++)
			if (!(ts[i] > ts[i - 1])) {
				fprintf(stderr,
					PROG ": %s: frame %d: timestamp %.9f does not increase\n",
					ts_path, i, ts[i]);
				return 1;
			}
		if (nt != N) {
			fprintf(stderr, PROG ": %s: %d timestamps for %d frames in %s\n", ts_path,
				nt, N, input);
			return 1;
		}
	} else {
		ts = malloc(sizeof(double) * (size_t)N);
		for (int i = 0; i < N; i++)
			ts[i] = i / fps;
	}
	double *tr_t = NULL, *tr_psi = NULL;
	int ntr = 0;
	if (truth_path) {
		static const char *const tcols[] = { "t_s", "psi_rad" };
		double *tv[2];
		if (ogate_stack_read_csv(truth_path, 2, tcols, tv, &ntr, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return 1;
		}
		tr_t = tv[0], tr_psi = tv[1];
		if (ntr != N) {
			fprintf(stderr,
				PROG
				": %s: %d truth rows for %d frames in %s: not this stream's truth\n",
				truth_path, ntr, N, input);
			return 1;
		}
		for (int i = 1; i < ntr; i++)
			if (!(tr_t[i] > tr_t[i - 1]) || tr_psi[i] < tr_psi[i - 1]) {
				fprintf(stderr,
					PROG
					": %s: frame %d: time must increase and phase must not decrease\n",
					truth_path, i);
				return 1;
			}
	}
	struct stat sb;
	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (stat(out, &sb) || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, PROG ": %s: not a directory\n", out);
		return 1;
	}
	snprintf(outdir, sizeof(outdir), "%s", out);

	struct ogate_sync *sy;
	int ret = ogate_sync_new(&sy, &set);
	if (ret) {
		fprintf(stderr, PROG ": cannot create the analysis with these settings: %s\n",
			strerror(-ret));
		return 2;
	}
	enum ogate_pixfmt fmt = st.bytes == 1 ? OGATE_PIX_U8 : OGATE_PIX_U16;
	struct ogate_frame *fr = ogate_frame_wrap(fmt, st.w, st.h, (size_t)st.w * st.bytes, st.data);
	struct frame_row *rows = calloc((size_t)N, sizeof(*rows));
	struct trig_row *trig = calloc((size_t)N, sizeof(*trig));
	if (!fr || !rows || !trig) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	static struct ogate_reference_info refs[4096];
	int nest = 0, ntrig = 0, lock_frame = -1, ngaps = 0, tty = !quiet && isatty(2);
	const int64_t base_ns = 1000000000LL; /* arbitrary CLOCK_MONOTONIC-like origin */
	double wall0 = now_s();
	for (int i = 0; i < N; i++) {
		ogate_frame_set_pixels(fr, ogate_stack_frame(&st, i));
		struct ogate_frame_meta m = { .timestamp_ns = base_ns + llround(ts[i] * 1e9),
					      .sequence = (uint64_t)i };
		ogate_frame_set_meta(fr, &m);
		struct ogate_sync_result r;
		double a = now_s();
		int rc = ogate_sync_process(sy, fr, &r);
		double b = now_s();
		if (rc) {
			fprintf(stderr, PROG ": %s: frame %d: analysis failed: %s\n", input, i,
				strerror(-rc));
			discard_parts();
			return 1;
		}
		rows[i] = (struct frame_row){ ts[i],
					      r.has_phase ? r.phase : NAN,
					      r.has_phase ? r.unwrapped : NAN,
					      (b - a) * 1e6,
					      r.state,
					      r.sad_argmin,
					      r.gap,
					      r.established };
		ngaps += r.gap;
		if (r.established && lock_frame < 0)
			lock_frame = i;
		if (r.established) {
			ogate_sync_get_reference(sy, &refs[nest < 4096 ? nest : 4095]);
			nest++;
			if (nest == 1 && set.target_frame >= refs[0].period_frames) {
				fprintf(stderr,
					PROG
					": target frame %g (--target-frame, target.frame): outside the "
					"reference period found at frame %d: allowed [0, %.3f) frames\n",
					set.target_frame, i, refs[0].period_frames);
				discard_parts();
				return 2;
			}
		}
		if (r.triggered) {
			trig[ntrig++] = (struct trig_row){ .t = r.trigger,
							   .ref_first = r.trigger.ref_first_seq,
							   .ref_period = r.trigger.ref_period_frames,
							   .target_u = r.trigger.target_u,
							   .err_s = NAN,
							   .err_req_s = NAN,
							   .phase_err = NAN,
							   .period_true = NAN,
							   .meas_phase = NAN,
							   .qa_err_s = NAN,
							   .qa_phase_err = NAN };
		}
		if (r.has_qa)
			for (int k = ntrig - 1; k >= 0; k--)
				if (trig[k].t.time_ns == r.qa.trigger_time_ns) {
					trig[k].qa_err_s = r.qa.error_s;
					trig[k].qa_phase_err = r.qa.phase_error;
					break;
				}
		if (tty && (i % 64 == 0 || i == N - 1)) {
			int w = 40, k = (int)((double)(i + 1) / N * w);
			fprintf(stderr, "\r[%.*s%*s] %d/%d frames, %d triggers", k,
				"########################################", w - k, "", i + 1, N,
				ntrig);
		}
	}
	double wall = now_s() - wall0;
	if (tty)
		fprintf(stderr, "\n");
	struct ogate_reference_info info = { 0 };
	int have_ref = !ogate_sync_get_reference(sy, &info);

	/* when each trigger fires; the phase reached there, from the measured phase of later frames */
	int npanic = 0, nshort = 0;
	for (int k = 0; k < ntrig; k++) {
		int64_t tf = score_fire_ns(trig[k].t.time_ns, trig[k].t.decided_at_ns,
					   set.latency_s, fired);
		npanic += trig[k].t.reason == OGATE_TRIGGER_PANIC;
		nshort += tf != trig[k].t.time_ns;
		double T = trig[k].tf = (double)(tf - base_ns) * 1e-9;
		int j = (int)trig[k].t.decided_at_seq;
		while (j + 1 < N && rows[j + 1].t < T)
			j++;
		if (j + 1 < N && isfinite(rows[j].unw) && isfinite(rows[j + 1].unw)) {
			double u = rows[j].unw + (T - rows[j].t) * (rows[j + 1].unw - rows[j].unw) /
							 (rows[j + 1].t - rows[j].t);
			trig[k].meas_phase = ogate_wrap_2pi(u);
		}
	}
	/* errors against truth: each trigger (when it fires, and as requested) vs the nearest true
	 * occurrence of its target phase */
	struct score_acc acc = { 0 }, acc_req = { 0 };
	double *errs = calloc((size_t)ntrig + 1, sizeof(double));
	if (truth_path) {
		double *fidx = malloc(sizeof(double) * (size_t)ntr);
		for (int i = 0; i < ntr; i++)
			fidx[i] = i;
		for (int k = 0; k < ntrig; k++) {
			double u = (double)trig[k].ref_first + trig[k].target_u, pe, per;
			double T = (double)(trig[k].t.time_ns - base_ns) * 1e-9;
			trig[k].err_req_s = score_truth_error(tr_t, tr_psi, fidx, ntr, u, T, &pe, &per);
			score_add(&acc_req, trig[k].err_req_s, per);
			trig[k].err_s = score_truth_error(tr_t, tr_psi, fidx, ntr, u, trig[k].tf,
							  &trig[k].phase_err, &trig[k].period_true);
			errs[acc.n] = trig[k].err_s;
			score_add(&acc, trig[k].err_s, trig[k].period_true);
		}
		free(fidx);
	}
	int nerr = acc.n;
	double esum = acc.sum, esq = acc.sq;
	/* coverage: true occurrences of the target phase from one period after the lock to the last
	 * frame, and how many of them got a trigger (nearest occurrence) */
	int n_occ = 0, n_hit = 0;
	if (truth_path && have_ref && lock_frame >= 0 && ntrig > 0) {
		double psi_tgt = NAN;
		psi_tgt = ogate_wrap_2pi(
			interp_idx(tr_psi, ntr, (double)trig[0].ref_first + trig[0].target_u));
		double per = 2 * M_PI / ((tr_psi[ntr - 1] - tr_psi[0]) / (tr_t[ntr - 1] - tr_t[0]));
		double t_from = ts[lock_frame] + per;
		double t_to = ts[N - 1];
		double g0 =
			psi_tgt +
			2 * M_PI * ceil((interp(tr_t, tr_psi, ntr, t_from) - psi_tgt) / (2 * M_PI));
		for (double g = g0;; g += 2 * M_PI) {
			double tg = interp(tr_psi, tr_t, ntr, g);
			if (tg > t_to || g > tr_psi[ntr - 1])
				break;
			n_occ++;
			for (int k = 0; k < ntrig; k++) {
				if (isfinite(trig[k].err_s) &&
				    fabs(trig[k].tf - trig[k].err_s - tg) < 0.25 * per) {
					n_hit++;
					break;
				}
			}
		}
	}
	/* the live check against truth */
	int nqa = 0;
	double qsum = 0, qsq = 0, qrad = 0, cx = 0, cy = 0, cxx = 0, cyy = 0, cxy = 0;
	for (int k = 0; k < ntrig; k++) {
		if (!isfinite(trig[k].qa_err_s))
			continue;
		double q = trig[k].qa_err_s;
		nqa++;
		qsum += q;
		qsq += q * q;
		qrad += trig[k].qa_phase_err * trig[k].qa_phase_err;
		if (isfinite(trig[k].err_s)) {
			double e = trig[k].err_s;
			cx += q;
			cy += e;
			cxx += q * q;
			cyy += e * e;
			cxy += q * e;
		}
	}
	double qa_corr = NAN;
	if (truth_path && nqa > 2) {
		double cov = cxy - cx * cy / nqa, vx = cxx - cx * cx / nqa, vy = cyy - cy * cy / nqa;
		if (vx > 0 && vy > 0)
			qa_corr = cov / sqrt(vx * vy);
	}

	/* outputs, written as .partial and renamed only when all succeeded */
	FILE *f = open_part("frames.csv");
	if (!f)
		return 1;
	fprintf(f, "frame,t_s,state,phase_rad,unwrapped_rad,sad_argmin,processing_us\n");
	for (int i = 0; i < N; i++) {
		fprintf(f, "%d,%.9f,%s,", i, rows[i].t,
			rows[i].state == OGATE_SYNC_LOCKED ? "locked" : "determine");
		if (isfinite(rows[i].phase))
			fprintf(f, "%.6f,%.6f,%d,%.2f\n", rows[i].phase, rows[i].unw,
				rows[i].argmin, rows[i].proc_us);
		else
			fprintf(f, ",,,%.2f\n", rows[i].proc_us);
	}
	if (fclose(f)) {
		discard_parts();
		return 1;
	}
	f = open_part("triggers.csv");
	if (!f)
		return 1;
	fprintf(f,
		"trigger,decided_at_frame,decided_at_s,trigger_time_s,lead_s,target_phase_rad,ref_id,ref_first_frame,"
		"ref_period_frames,target_u,qa_error_s,qa_phase_error_rad,reason,fire_time_s%s\n",
		truth_path ? ",error_s,error_requested_s" : "");
	for (int k = 0; k < ntrig; k++) {
		double T = (double)(trig[k].t.time_ns - base_ns) * 1e-9,
		       D = (double)(trig[k].t.decided_at_ns - base_ns) * 1e-9;
		fprintf(f, "%d,%llu,%.9f,%.9f,%.9f,%.6f,%u,%llu,%.6f,%.6f", k,
			(unsigned long long)trig[k].t.decided_at_seq, D, T, T - D,
			trig[k].t.target_phase, trig[k].t.ref_id,
			(unsigned long long)trig[k].ref_first, trig[k].ref_period, trig[k].target_u);
		if (isfinite(trig[k].qa_err_s))
			fprintf(f, ",%.9f,%.6f", trig[k].qa_err_s, trig[k].qa_phase_err);
		else
			fprintf(f, ",,");
		fprintf(f, ",%d,%.9f", trig[k].t.reason, trig[k].tf);
		if (truth_path)
			fprintf(f, ",%.9f,%.9f", trig[k].err_s, trig[k].err_req_s);
		fprintf(f, "\n");
	}
	if (fclose(f)) {
		discard_parts();
		return 1;
	}
	/* is the figure good? its RMS in ms and in degrees of the heart cycle */
	struct rating rt = { 0 };
	double cyc = 0;
	for (int k = 0; k < ntrig; k++)
		cyc += trig[k].period_true / ntrig;
	if (truth_path && nerr)
		rating_make(&rt, "truth", nerr, esum, esq, cyc);
	else if (nqa && have_ref)
		rating_make(&rt, "live_check", nqa, qsum, qsq,
			    info.period_frames * ogate_sync_frame_interval(sy));
	int with_plots = strcmp(plots, "none") != 0, png = !strcmp(plots, "png");
	if (with_plots) {
		double *t = malloc(sizeof(double) * (size_t)N),
		       *ph = malloc(sizeof(double) * (size_t)N);
		double *tt = malloc(sizeof(double) * (size_t)(ntrig + 1)),
		       *tp = malloc(sizeof(double) * (size_t)(ntrig + 1));
		for (int i = 0; i < N; i++) {
			t[i] = rows[i].t;
			ph[i] = rows[i].phase;
		}
		for (int k = 0; k < ntrig; k++) {
			tt[k] = trig[k].tf;
			tp[k] = trig[k].meas_phase;
		}
		int n_show = N < 800 ? N : 800; /* the first 10 s at 80 fps: readable */
		int nt_show = 0;
		while (nt_show < ntrig && tt[nt_show] <= t[n_show - 1])
			nt_show++;
		const char *ptitle = "ogate-emulate: matched phase and triggers (first frames)";
		double target = have_ref ? info.target_phase : NAN, *ms = NULL;
		struct plot_hist hg = { .title = "phase reached at each trigger (from the frames around it)",
					.xlabel = "phase (rad)",
					.note = rt.from ? rt.note : NULL,
					.v = tp,
					.n = ntrig,
					.nbins = 63,
					.lo = 0,
					.hi = 2 * M_PI,
					.vline = target,
					.vlabel = "target" };
		if (truth_path) {
			ms = malloc(sizeof(double) * (size_t)(nerr + 1));
			double lim = 0;
			for (int k = 0; k < nerr; k++) {
				ms[k] = errs[k] * 1e3;
				if (fabs(ms[k]) > lim)
					lim = fabs(ms[k]);
			}
			double step = plot_nice_step(2 * (lim > 0.1 ? lim : 0.1), 8, 0);
			lim = plot_nice_ceil(lim > 0.1 ? lim : 0.1, step);
			hg.v = ms, hg.n = nerr, hg.lo = -lim, hg.hi = lim, hg.nbins = 41, hg.vline = 0;
			hg.title = "trigger-time error against ground truth",
			hg.vlabel = "0 = on target";
			hg.xlabel = "trigger time error (ms): positive = late, negative = early";
		}
		int prc = 0; /* the first plot's -errno */
		if (png) {
			char p1[4200], p2[4200];
			snprintf(p1, sizeof(p1), "%s/phase.png.partial", outdir);
			snprintf(p2, sizeof(p2), "%s/histogram.png.partial", outdir);
			prc = png_phase_plot(p1, ptitle, t, ph, n_show, tt, tp, nt_show, target);
			if (!prc)
				prc = png_histogram(p2, &hg);
		} else {
			f = open_part("phase.svg");
			if (!f)
				return 1;
			prc = svg_phase_plot(f, ptitle, t, ph, n_show, tt, tp, nt_show, target);
			if (fclose(f) && !prc)
				prc = -errno;
			f = open_part("histogram.svg");
			if (!f)
				return 1;
			if (!prc)
				prc = svg_histogram(f, &hg);
			if (fclose(f) && !prc)
				prc = -errno;
		}
		free(ms);
		if (prc) {
			fprintf(stderr, PROG ": %s: cannot write the plots: %s\n", outdir,
				strerror(-prc));
			discard_parts();
			return 1;
		}
		free(t);
		free(ph);
		free(tt);
		free(tp);
	}
	/* summary */
	double *proc = malloc(sizeof(double) * (size_t)N), *lproc = malloc(sizeof(double) * (size_t)N);
	int nl = 0;
	double psum = 0, lsum = 0, est_us = NAN;
	for (int i = 0; i < N; i++) {
		proc[i] = rows[i].proc_us;
		psum += proc[i];
		if (rows[i].established)
			est_us = rows[i].proc_us;
		if (rows[i].state == OGATE_SYNC_LOCKED) {
			lproc[nl++] = rows[i].proc_us;
			lsum += rows[i].proc_us;
		}
	}
	qsort(proc, (size_t)N, sizeof(double), cmp_dbl);
	qsort(lproc, (size_t)nl, sizeof(double), cmp_dbl);
	f = open_part("summary.json");
	if (!f)
		return 1;
	double ivl = ogate_sync_frame_interval(sy);
	fprintf(f, "{\n  \"input\": ");
	json_str(f, input);
	fprintf(f, ",\n  \"frames\": %d,\n  \"size\": [%d, %d],\n  \"bits\": %d,\n", N, st.h, st.w,
		8 * st.bytes);
	fprintf(f, "  \"sad_backend\": \"%s\",\n  \"frame_interval_s\": %.9f,\n",
		ogate_sync_sad_backend(sy), ivl);
	fprintf(f, "  \"locked\": %s,\n", have_ref ? "true" : "false");
	struct ogate_sync_determination det;
	ogate_sync_get_determination(sy, &det);
	det_json(f, &det);
	if (have_ref) {
		fprintf(f, "  \"lock_frame\": %d,\n  \"lock_time_s\": %.6f,\n", lock_frame,
			rows[lock_frame].t - rows[0].t);
		fprintf(f,
			"  \"reference\": {\"id\": %u, \"period_frames\": %.6f, \"period_s\": %.6f, \"first_frame\": %llu, "
			"\"length\": %d, \"target_u\": %.6f, \"target_phase_rad\": %.6f, \"barrier\": %d, "
			"\"timestamps\": \"%s\", \"ts_beta\": ",
			info.id, info.period_frames, info.period_frames * ivl,
			(unsigned long long)info.first_seq, info.length, info.target_u,
			info.target_phase, info.barrier, info.ts_clock ? "frame clock" : "as stamped");
		json_num_or_null(f, info.ts_beta, ", \"ts_beta_se\": ");
		json_num_or_null(f, info.ts_beta_se, ", ");
		fprintf(f, "\"blurred\": %s, \"smoothed\": %s, \"along_frames\": %d, \"repeat_z\": ",
			info.blurred ? "true" : "false", info.smoothed ? "true" : "false",
			info.along_frames);
		json_num_or_null(f, info.repeat_z, ", \"change_m\": ");
		json_num_or_null(f, info.change_m, "},\n");
	}
	fprintf(f, "  \"references\": [");
	for (int k = 0; k < nest && k < 4096; k++)
		fprintf(f,
			"%s\n    {\"id\": %u, \"established_at_frame\": %llu, \"first_frame\": %llu, \"period_frames\": %.6f, "
			"\"target_u\": %.6f, \"barrier\": %d}",
			k ? "," : "", refs[k].id, (unsigned long long)refs[k].established_seq,
			(unsigned long long)refs[k].first_seq, refs[k].period_frames,
			refs[k].target_u, refs[k].barrier);
	fprintf(f, "\n  ],\n");
	double per_mean = 0;
	int nlate = 0;
	for (int k = 0; k < ntrig; k++) {
		per_mean += trig[k].t.period_s / ntrig;
		nlate += trig[k].t.reason == OGATE_TRIGGER_LATE;
	}
	fprintf(f,
		"  \"counts\": {\"triggers\": %d, \"late_triggers\": %d, \"panic_triggers\": %d, "
		"\"short_triggers\": %d, \"locked_frames\": %d, \"gaps\": %d, \"references\": %d},\n",
		ntrig, nlate, npanic, nshort, nl, ngaps, nest);
	fprintf(f, "  \"scored_at\": \"%s\",\n  \"fire_latency_s\": %.6f,\n",
		fired ? "fired" : "requested", set.latency_s);
	fprintf(f, "  \"estimated_period_s_mean\": %.6f,\n", ntrig ? per_mean : 0.0);
	fprintf(f, "  \"timing_us\": {\"all\": {\"mean\": %.3f, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}, ",
		psum / N, pct(proc, N, 50), pct(proc, N, 99), proc[N - 1]);
	if (nl)
		fprintf(f, "\"locked\": {\"mean\": %.3f, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}, ",
			lsum / nl, pct(lproc, nl, 50), pct(lproc, nl, 99), lproc[nl - 1]);
	fprintf(f, "\"establishing_frame\": %.3f},\n", isfinite(est_us) ? est_us : -1.0);
	fprintf(f, "  \"throughput_frames_per_s\": %.1f,\n", N / wall);
	fprintf(f, "  \"predictor\": \"%s\",\n", set.predictor);
	fprintf(f, "  \"live_check\": {\"n\": %d, \"mean_ms\": %.4f, \"rms_ms\": %.4f, \"rms_deg\": %.4f}",
		nqa, nqa ? qsum / nqa * 1e3 : 0.0, nqa ? sqrt(qsq / nqa) * 1e3 : 0.0,
		nqa ? sqrt(qrad / nqa) * 180 / M_PI : 0.0);
	if (truth_path) {
		/* trigger_error last: tests/chain/run.sh reads the last mean_ms */
		score_json(f, "trigger_error_requested", &acc_req);
		score_json(f, "trigger_error", &acc);
		fprintf(f, ",\n  \"coverage\": {\"target_occurrences\": %d, \"triggered\": %d, \"share\": %.5f}",
			n_occ, n_hit, n_occ ? (double)n_hit / n_occ : 0.0);
		if (isfinite(qa_corr))
			fprintf(f, ",\n  \"live_check_truth_correlation\": %.4f", qa_corr);
	}
	rating_json(f, &rt);
	fprintf(f, "\n}\n");
	if (fclose(f) || commit_parts(plots)) {
		discard_parts();
		return 1;
	}
	if (!quiet && have_ref)
		fprintf(stderr, PROG ": %d frames, %d triggers, %.0f frames/s\n", N, ntrig, N / wall);
	if (!quiet)
		rating_print(stderr, PROG, &rt);
	if (!have_ref) /* never 0 triggers in silence */
		det_no_lock_text(stderr, PROG, N, &det);
	free(proc);
	free(lproc);
	free(errs);
	free(rows);
	free(trig);
	free(ts);
	free(tr_t);
	free(tr_psi);
	free(sets);
	ogate_frame_free(fr);
	ogate_sync_free(sy);
	ogate_stack_free(&st);
	return 0;
}
