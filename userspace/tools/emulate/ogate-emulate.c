/* SPDX-License-Identifier: MIT */
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
#include "ogate-version.h"
#include "ogate/analysis.h"
#include "ogate/frame.h"
#include "ogate/sync.h"
#include "stackio.h"
#include "svgplot.h"
#include "pngplot.h"

#define PROG "ogate-emulate"

struct trig_row {
	struct ogate_sync_trigger t;
	uint64_t ref_first;
	double ref_period, target_u;
	double err_s, phase_err, period_true;	/* vs truth (NAN without) */
	double meas_phase;			/* phase reached, from later frames (NAN if unknown) */
};

struct frame_row {
	double t, phase, unw, proc_us;
	int state, argmin, gap, established;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " INPUT (.npy or .tif) --out DIR [options]\n"
		"  --fps F               timestamps i/F (one of --fps or --timestamps is required)\n"
		"  --timestamps CSV      per-frame timestamps in s (column t_s, or the last column)\n"
		"  --config FILE         settings file: key = value lines, # comments\n"
		"  --set KEY=VALUE       one setting (repeatable; after --config)\n"
		"  --target-phase RAD    target phase in [0, 2 pi)\n"
		"  --target-frame U      target position in the reference, in (fractional) frames\n"
		"                        (neither: automatic target heuristic)\n"
		"  --truth CSV           ground truth (frame,t_s,psi_rad) for trigger-time errors\n"
		"  --plots svg|png|none  write phase and histogram plots (default svg)\n"
		"  --quiet               no progress bar\n"
		"Writes frames.csv, triggers.csv, phase.svg|png, histogram.svg|png and, last, summary.json.\n"
		"Setting keys (see docs/analysis.md):\n");
	for (const char *const *k = ogate_settings_keys(); *k; k++)
		fprintf(f, "  %s\n", *k);
}

static int read_config(const char *path, struct ogate_settings *s)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int ln = 0;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		char *h = strchr(line, '#');
		if (h)
			*h = 0;
		char *k = line;
		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k || *k == '\n' || *k == '\r')
			continue;
		char *eq = strchr(k, '=');
		if (!eq) {
			fprintf(stderr, PROG ": %s:%d: expected key = value\n", path, ln);
			fclose(f);
			return -1;
		}
		*eq = 0;
		char *v = eq + 1, *e = eq - 1;
		while (e >= k && (*e == ' ' || *e == '\t'))
			*e-- = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v) - 1;
		while (e >= v && (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r'))
			*e-- = 0;
		int rc = ogate_settings_set(s, k, v);
		if (rc) {
			fprintf(stderr, PROG ": %s:%d: %s '%s'%s%s\n", path, ln, rc == -ENOENT ? "unknown key" : "bad value for",
				k, rc == -ENOENT ? "" : ": ", rc == -ENOENT ? "" : v);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* CSV of numbers with an optional header; takes column `want` by name, else the last column. */
static double *read_csv_column(const char *path, const char *want, int *n_out, const char *alt)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char line[4096];
	int col = -1, n = 0, cap = 1024, ln = 0;
	double *v = malloc(sizeof(double) * (size_t)cap);
	while (v && fgets(line, sizeof(line), f)) {
		ln++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (ln == 1 && ((line[0] >= 'a' && line[0] <= 'z') || (line[0] >= 'A' && line[0] <= 'Z'))) {
			int c = 0;
			for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), c++)
				if (!strcmp(tok, want) || (alt && !strcmp(tok, alt)))
					col = c;
			if (col < 0) {
				fprintf(stderr, PROG ": %s: no column '%s' in the header\n", path, want);
				free(v);
				fclose(f);
				return NULL;
			}
			continue;
		}
		char *fields[64];
		int nf = 0;
		for (char *tok = strtok(line, ",\r\n"); tok && nf < 64; tok = strtok(NULL, ",\r\n"))
			fields[nf++] = tok;
		int c = col >= 0 ? col : nf - 1;
		char *end;
		double x = c >= 0 && c < nf ? strtod(fields[c], &end) : NAN;
		if (c < 0 || c >= nf || end == fields[c] || !isfinite(x)) {
			fprintf(stderr, PROG ": %s: line %d (frame %d): not a number\n", path, ln, n);
			free(v);
			fclose(f);
			return NULL;
		}
		if (n == cap) {
			cap *= 2;
			double *nv = realloc(v, sizeof(double) * (size_t)cap);
			if (!nv) {
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		v[n++] = x;
	}
	fclose(f);
	if (!v) {
		fprintf(stderr, PROG ": %s: out of memory\n", path);
		return NULL;
	}
	*n_out = n;
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

static double interp(const double *x, const double *y, int n, double xq)
{
	if (xq <= x[0])
		return y[0] + (n > 1 ? (xq - x[0]) * (y[1] - y[0]) / (x[1] - x[0]) : 0);
	if (xq >= x[n - 1])
		return y[n - 1] + (n > 1 ? (xq - x[n - 1]) * (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]) : 0);
	int lo = 0, hi = n - 1;
	while (hi - lo > 1) {
		int m = (lo + hi) / 2;
		if (x[m] <= xq)
			lo = m;
		else
			hi = m;
	}
	return y[lo] + (xq - x[lo]) * (y[hi] - y[lo]) / (x[hi] - x[lo]);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
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
static const char *const outputs[] = { "frames.csv", "triggers.csv", "phase.svg", "histogram.svg",
				       "phase.png", "histogram.png", "summary.json" };

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
			fprintf(stderr, PROG ": %s: %s\n", b, strerror(errno));
			return -1;
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
	int quiet = 0;
	char **sets = calloc((size_t)argc, sizeof(char *));
	int nsets = 0;
	const char *config = NULL, *tphase = NULL, *tframe = NULL;
	static const struct option lo[] = {
		{ "fps", 1, 0, 'f' }, { "timestamps", 1, 0, 'T' }, { "config", 1, 0, 'c' }, { "set", 1, 0, 's' },
		{ "version", 0, 0, 'V' },
		{ "target-phase", 1, 0, 'p' }, { "target-frame", 1, 0, 'u' }, { "truth", 1, 0, 't' },
		{ "out", 1, 0, 'o' }, { "plots", 1, 0, 'P' }, { "quiet", 0, 0, 'q' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "hqV", lo, NULL)) != -1) {
		char *e;
		switch (c) {
		case 'f':
			fps = strtod(optarg, &e);
			if (e == optarg || *e || !(fps > 0) || !isfinite(fps)) {
				fprintf(stderr, PROG ": --fps: '%s' is not a positive number\n", optarg);
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
		case 'P': plots = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf(PROG " %s\n", OGATE_VERSION); return 0;
		default: usage(stderr); return 2;
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
	if (config && read_config(config, &set))
		return 2;
	for (int i = 0; i < nsets; i++) {
		char kv[512];
		snprintf(kv, sizeof(kv), "%s", sets[i]);
		char *eq = strchr(kv, '=');
		if (!eq) {
			fprintf(stderr, PROG ": --set '%s': expected KEY=VALUE\n", sets[i]);
			return 2;
		}
		*eq = 0;
		int rc = ogate_settings_set(&set, kv, eq + 1);
		if (rc) {
			fprintf(stderr, PROG ": --set: %s '%s'\n", rc == -ENOENT ? "unknown key" : "bad value for key", kv);
			return 2;
		}
	}
	if (tphase && ogate_settings_set(&set, "target.phase_rad", tphase)) {
		fprintf(stderr, PROG ": --target-phase: '%s' is not in [0, 2 pi)\n", tphase);
		return 2;
	}
	if (tframe && ogate_settings_set(&set, "target.frame", tframe)) {
		fprintf(stderr, PROG ": --target-frame: '%s' is not a frame position >= 0\n", tframe);
		return 2;
	}
	/* results of an earlier run in DIR must not pass for this one's, even if this one fails */
	snprintf(outdir, sizeof(outdir), "%s", out);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char p[4200];
		snprintf(p, sizeof(p), "%s/%s", outdir, outputs[i]);
		unlink(p);
	}
	const char *input = argv[optind];
	char err[1024];
	struct stack st;
	if (stack_load(input, &st, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	int N = st.n;
	double *ts = NULL;
	if (ts_path) {
		int nt;
		ts = read_csv_column(ts_path, "t_s", &nt, NULL);
		if (!ts)
			return 1;
		for (int i = 1; i < nt && i < N; i++)
			if (!(ts[i] > ts[i - 1])) {
				fprintf(stderr, PROG ": %s: frame %d: timestamp %.9f does not increase\n", ts_path, i, ts[i]);
				return 1;
			}
		if (nt < N) {
			fprintf(stderr, PROG ": %s: %d timestamps for %d frames (first missing: frame %d)\n", ts_path, nt, N, nt);
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
		int n2;
		tr_t = read_csv_column(truth_path, "t_s", &ntr, NULL);
		tr_psi = tr_t ? read_csv_column(truth_path, "psi_rad", &n2, NULL) : NULL;
		if (!tr_psi)
			return 1;
		if (ntr < N || n2 != ntr) {
			fprintf(stderr, PROG ": %s: %d truth rows for %d frames\n", truth_path, ntr, N);
			return 1;
		}
		for (int i = 1; i < ntr; i++)
			if (!(tr_t[i] > tr_t[i - 1]) || tr_psi[i] < tr_psi[i - 1]) {
				fprintf(stderr, PROG ": %s: frame %d: time must increase and phase must not decrease\n",
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

	struct ogate_sync *sy = ogate_sync_new(&set);
	if (!sy) {
		fprintf(stderr, PROG ": cannot create the analysis with these settings: %s\n", strerror(errno));
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
	const int64_t base_ns = 1000000000LL;	/* arbitrary CLOCK_MONOTONIC-like origin */
	double wall0 = now_s();
	for (int i = 0; i < N; i++) {
		ogate_frame_set_pixels(fr, stack_frame(&st, i));
		struct ogate_frame_meta m = { .timestamp_ns = base_ns + llround(ts[i] * 1e9), .sequence = (uint64_t)i };
		ogate_frame_set_meta(fr, &m);
		struct ogate_sync_result r;
		double a = now_s();
		int rc = ogate_sync_process(sy, fr, &r);
		double b = now_s();
		if (rc) {
			fprintf(stderr, PROG ": %s: frame %d: analysis failed: %s\n", input, i, strerror(-rc));
			discard_parts();
			return 1;
		}
		rows[i] = (struct frame_row){ ts[i], r.has_phase ? r.phase : NAN, r.has_phase ? r.unwrapped : NAN,
					      (b - a) * 1e6, r.state, r.sad_argmin, r.gap, r.established };
		ngaps += r.gap;
		if (r.established && lock_frame < 0)
			lock_frame = i;
		if (r.established) {
			ogate_sync_get_reference(sy, &refs[nest < 4096 ? nest : 4095]);
			nest++;
		}
		if (r.triggered) {
			trig[ntrig++] = (struct trig_row){ .t = r.trigger, .ref_first = r.trigger.ref_first_seq,
							   .ref_period = r.trigger.ref_period_frames, .target_u = r.trigger.target_u,
							   .err_s = NAN, .phase_err = NAN, .period_true = NAN, .meas_phase = NAN };
		}
		if (tty && (i % 64 == 0 || i == N - 1)) {
			int w = 40, k = (int)((double)(i + 1) / N * w);
			fprintf(stderr, "\r[%.*s%*s] %d/%d frames, %d triggers", k, "########################################",
				w - k, "", i + 1, N, ntrig);
		}
	}
	double wall = now_s() - wall0;
	if (tty)
		fprintf(stderr, "\n");
	struct ogate_reference_info info = { 0 };
	int have_ref = !ogate_sync_get_reference(sy, &info);

	/* phase reached at each trigger, from the measured unwrapped phase of later frames */
	for (int k = 0; k < ntrig; k++) {
		double T = (double)(trig[k].t.time_ns - base_ns) * 1e-9;
		int j = (int)trig[k].t.decided_at_seq;
		while (j + 1 < N && rows[j + 1].t < T)
			j++;
		if (j + 1 < N && isfinite(rows[j].unw) && isfinite(rows[j + 1].unw)) {
			double u = rows[j].unw + (T - rows[j].t) * (rows[j + 1].unw - rows[j].unw) / (rows[j + 1].t - rows[j].t);
			trig[k].meas_phase = ogate_wrap_2pi(u);
		}
	}
	/* errors against truth: each trigger vs the nearest true occurrence of its target phase */
	int nerr = 0, nbeyond = 0;
	double esum = 0, esq = 0, emax = 0;
	double *errs = calloc((size_t)ntrig + 1, sizeof(double));
	if (truth_path) {
		double *fidx = malloc(sizeof(double) * (size_t)ntr);
		for (int i = 0; i < ntr; i++)
			fidx[i] = i;
		for (int k = 0; k < ntrig; k++) {
			double T = (double)(trig[k].t.time_ns - base_ns) * 1e-9;
			double psiT_target = ogate_wrap_2pi(interp(fidx, tr_psi, ntr, (double)trig[k].ref_first + trig[k].target_u));
			double psi_at = interp(tr_t, tr_psi, ntr, T);
			double goal = psiT_target + 2 * M_PI * round((psi_at - psiT_target) / (2 * M_PI));
			double tstar = interp(tr_psi, tr_t, ntr, goal);	/* psi is monotone */
			double rate = (interp(tr_t, tr_psi, ntr, tstar + 1e-3) - interp(tr_t, tr_psi, ntr, tstar - 1e-3)) / 2e-3;
			trig[k].err_s = T - tstar;
			trig[k].phase_err = ogate_wrap_pi(psi_at - psiT_target);
			trig[k].period_true = 2 * M_PI / rate;
			double e = trig[k].err_s;
			errs[nerr++] = e;
			esum += e;
			esq += e * e;
			if (fabs(e) > emax)
				emax = fabs(e);
			if (fabs(e) > 0.1 * trig[k].period_true)
				nbeyond++;
		}
		free(fidx);
	}

	/* outputs, written as .partial and renamed only when all succeeded */
	FILE *f = open_part("frames.csv");
	if (!f)
		return 1;
	fprintf(f, "frame,t_s,state,phase_rad,unwrapped_rad,sad_argmin,processing_us\n");
	for (int i = 0; i < N; i++) {
		fprintf(f, "%d,%.9f,%s,", i, rows[i].t, rows[i].state == OGATE_SYNC_LOCKED ? "locked" : "determine");
		if (isfinite(rows[i].phase))
			fprintf(f, "%.6f,%.6f,%d,%.2f\n", rows[i].phase, rows[i].unw, rows[i].argmin, rows[i].proc_us);
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
	fprintf(f, "trigger,decided_at_frame,decided_at_s,trigger_time_s,lead_s,target_phase_rad,ref_id,ref_first_frame,"
		   "ref_period_frames,target_u%s\n", truth_path ? ",error_s" : "");
	for (int k = 0; k < ntrig; k++) {
		double T = (double)(trig[k].t.time_ns - base_ns) * 1e-9, D = (double)(trig[k].t.decided_at_ns - base_ns) * 1e-9;
		fprintf(f, "%d,%llu,%.9f,%.9f,%.9f,%.6f,%u,%llu,%.6f,%.6f", k, (unsigned long long)trig[k].t.decided_at_seq,
			D, T, T - D, trig[k].t.target_phase, trig[k].t.ref_id, (unsigned long long)trig[k].ref_first,
			trig[k].ref_period, trig[k].target_u);
		if (truth_path)
			fprintf(f, ",%.9f", trig[k].err_s);
		fprintf(f, "\n");
	}
	if (fclose(f)) {
		discard_parts();
		return 1;
	}
	int with_plots = strcmp(plots, "none") != 0, png = !strcmp(plots, "png");
	if (with_plots) {
		double *t = malloc(sizeof(double) * (size_t)N), *ph = malloc(sizeof(double) * (size_t)N);
		double *tt = malloc(sizeof(double) * (size_t)(ntrig + 1)), *tp = malloc(sizeof(double) * (size_t)(ntrig + 1));
		for (int i = 0; i < N; i++) {
			t[i] = rows[i].t;
			ph[i] = rows[i].phase;
		}
		for (int k = 0; k < ntrig; k++) {
			tt[k] = (double)(trig[k].t.time_ns - base_ns) * 1e-9;
			tp[k] = trig[k].meas_phase;
		}
		int n_show = N < 800 ? N : 800;	/* the first 10 s at 80 fps: readable */
		int nt_show = 0;
		while (nt_show < ntrig && tt[nt_show] <= t[n_show - 1])
			nt_show++;
		const char *ptitle = "ogate-emulate: matched phase and triggers (first frames)";
		double target = have_ref ? info.target_phase : NAN;
		double *hv = tp, hlo = 0, hhi = 2 * M_PI, hline = target, *ms = NULL;
		int hn = ntrig, hbins = 63;
		const char *htitle = "measured phase at trigger times", *hx = "phase (rad)";
		if (truth_path) {
			ms = malloc(sizeof(double) * (size_t)(nerr + 1));
			double lim = 1;
			for (int k = 0; k < nerr; k++) {
				ms[k] = errs[k] * 1e3;
				if (fabs(ms[k]) > lim)
					lim = fabs(ms[k]);
			}
			hv = ms, hn = nerr, hlo = -lim, hhi = lim, hbins = 41, hline = 0;
			htitle = "trigger-time error against ground truth", hx = "error (ms)";
		}
		int prc = 0;
		if (png) {
			char p1[4200], p2[4200];
			snprintf(p1, sizeof(p1), "%s/phase.png.partial", outdir);
			snprintf(p2, sizeof(p2), "%s/histogram.png.partial", outdir);
			prc |= png_phase_plot(p1, ptitle, t, ph, n_show, tt, tp, nt_show, target);
			prc |= png_histogram(p2, htitle, hx, hv, hn, hlo, hhi, hbins, hline);
		} else {
			f = open_part("phase.svg");
			if (!f)
				return 1;
			prc |= svg_phase_plot(f, ptitle, t, ph, n_show, tt, tp, nt_show, target);
			prc |= fclose(f);
			f = open_part("histogram.svg");
			if (!f)
				return 1;
			prc |= svg_histogram(f, htitle, hx, hv, hn, hlo, hhi, hbins, hline);
			prc |= fclose(f);
		}
		free(ms);
		if (prc) {
			fprintf(stderr, PROG ": %s: cannot write the plots\n", outdir);
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
	fprintf(f, ",\n  \"frames\": %d,\n  \"size\": [%d, %d],\n  \"bits\": %d,\n", N, st.h, st.w, 8 * st.bytes);
	fprintf(f, "  \"sad_backend\": \"%s\",\n  \"frame_interval_s\": %.9f,\n", ogate_sync_sad_backend(sy), ivl);
	fprintf(f, "  \"locked\": %s,\n", have_ref ? "true" : "false");
	if (have_ref) {
		fprintf(f, "  \"lock_frame\": %d,\n  \"lock_time_s\": %.6f,\n", lock_frame, rows[lock_frame].t - rows[0].t);
		fprintf(f, "  \"reference\": {\"id\": %u, \"period_frames\": %.6f, \"period_s\": %.6f, \"first_frame\": %llu, "
			   "\"length\": %d, \"target_u\": %.6f, \"target_phase_rad\": %.6f, \"barrier\": %d},\n",
			info.id, info.period_frames, info.period_frames * ivl, (unsigned long long)info.first_seq, info.length,
			info.target_u, info.target_phase, info.barrier);
	}
	fprintf(f, "  \"references\": [");
	for (int k = 0; k < nest && k < 4096; k++)
		fprintf(f, "%s\n    {\"id\": %u, \"established_at_frame\": %llu, \"first_frame\": %llu, \"period_frames\": %.6f, "
			   "\"target_u\": %.6f, \"barrier\": %d}", k ? "," : "", refs[k].id,
			(unsigned long long)refs[k].established_seq, (unsigned long long)refs[k].first_seq,
			refs[k].period_frames, refs[k].target_u, refs[k].barrier);
	fprintf(f, "\n  ],\n");
	double per_mean = 0;
	for (int k = 0; k < ntrig; k++)
		per_mean += trig[k].t.period_s / ntrig;
	fprintf(f, "  \"counts\": {\"triggers\": %d, \"locked_frames\": %d, \"gaps\": %d, \"references\": %d},\n", ntrig,
		nl, ngaps, nest);
	fprintf(f, "  \"estimated_period_s_mean\": %.6f,\n", ntrig ? per_mean : 0.0);
	fprintf(f, "  \"timing_us\": {\"all\": {\"mean\": %.3f, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}, ",
		psum / N, pct(proc, N, 50), pct(proc, N, 99), proc[N - 1]);
	if (nl)
		fprintf(f, "\"locked\": {\"mean\": %.3f, \"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}, ", lsum / nl,
			pct(lproc, nl, 50), pct(lproc, nl, 99), lproc[nl - 1]);
	fprintf(f, "\"establishing_frame\": %.3f},\n", isfinite(est_us) ? est_us : -1.0);
	fprintf(f, "  \"throughput_frames_per_s\": %.1f", N / wall);
	if (truth_path) {
		double rms = nerr ? sqrt(esq / nerr) : 0;
		fprintf(f, ",\n  \"trigger_error\": {\"n\": %d, \"mean_ms\": %.4f, \"rms_ms\": %.4f, \"max_abs_ms\": %.4f, "
			   "\"beyond_10pct_period\": %d, \"share_beyond_10pct_period\": %.5f}",
			nerr, nerr ? esum / nerr * 1e3 : 0.0, rms * 1e3, emax * 1e3, nbeyond, nerr ? (double)nbeyond / nerr : 0.0);
	}
	fprintf(f, "\n}\n");
	if (fclose(f) || commit_parts(plots)) {
		discard_parts();
		return 1;
	}
	if (!quiet)
		fprintf(stderr, PROG ": %d frames, %d triggers, %.0f frames/s%s\n", N, ntrig, N / wall,
			have_ref ? "" : " (no reference period found)");
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
	stack_free(&st);
	return 0;
}
