// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogate-synth: beating-heart image streams with known phase (phase law of gen_synthetic.py). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heart.h"
#include "numparse.h"
#include "stackio.h"
#include "ogate-version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ogate-synth --out PREFIX [options]\n"
		"  --model blob|ref|real  cartoon heart (default), time-warped recorded beat (--ref-tif), or a\n"
		"                         generated stand-in for one (--size, --ref-period; no data needed)\n"
		"  --ref-tif FILE         reference heartbeat TIFF (2 padding frames each side) for --model ref\n"
		"  --ref-period P         period of --ref-tif (or of the real model's source beat) in frames (34.282163)\n"
		"  --size N               blob model: N x N pixels (128)\n"
		"  --fps F                frame rate (80)\n"
		"  --n-frames N           frames (3200)\n"
		"  --period S             base heart period T0 in s (2.0)\n"
		"  --drift D              fractional linear rate change over the run (0.03)\n"
		"  --mod-amp A            fractional sinusoidal rate modulation (0.02)\n"
		"  --mod-period S         modulation period in s (17)\n"
		"  --mod-phase RAD        modulation phase at t = 0, -2pi..2pi (0: the rate starts rising);\n"
		"                         the rate is f0 (1 + d t/T_run + A sin(2pi t/S + RAD))\n"
		"  --psi0 R               true phase at t = 0 in rad (0.7)\n"
		"  --noise SIGMA          Gaussian pixel noise in grey levels (4)\n"
		"  --ts-jitter S          timestamp jitter sigma in s (0)\n"
		"  --xy-drift DY DX       rigid drift over the whole run in px (0 0)\n"
		"  --xy-interp bilinear|lanczos  how the drift shifts the image (bilinear): bilinear blurs it\n"
		"                         by an amount that changes with the drift's fractional part, lanczos\n"
		"                         (Lanczos-3) does not, as a real drifting specimen does not\n"
		"  --seed N               random seed (1)\n"
		"  --depth 8|16           output bit depth (8; 16 scales grey levels by 256)\n"
		"  --tif                  also write PREFIX.tif\n"
		"Writes PREFIX.npy, PREFIX_timestamps.csv (frame,t_s), PREFIX_truth.csv (frame,t_s,psi_rad:\n"
		"true unwrapped phase) and PREFIX_params.json.\n");
}

static int num(const char *opt, const char *v, double *out)
{
	int rc = ogate_parse_double(v, out);
	if (rc) {
		fprintf(stderr, "ogate-synth: %s: '%s' is not a number\n", opt, v);
		return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *model = "blob", *ref_tif = NULL, *interp = "bilinear";
	double ref_period = 34.282163, size = 128, fps = 80, nframes = 3200, period = 2.0, drift = 0.03;
	double mod_amp = 0.02, mod_period = 17, psi0 = 0.7, noise = 4, jitter = 0, dy = 0, dx = 0,
	       seed = 1;
	double depth = 8, mod_phase = 0;
	int tif = 0;
	static const struct option lo[] = {
		{ "out", 1, 0, 'o' },
		{ "model", 1, 0, 'm' },
		{ "ref-tif", 1, 0, 'r' },
		{ "ref-period", 1, 0, 'R' },
		{ "size", 1, 0, 's' },
		{ "fps", 1, 0, 'f' },
		{ "n-frames", 1, 0, 'n' },
		{ "period", 1, 0, 'p' },
		{ "drift", 1, 0, 'd' },
		{ "mod-amp", 1, 0, 'a' },
		{ "mod-period", 1, 0, 'M' },
		{ "psi0", 1, 0, 'P' },
		{ "noise", 1, 0, 'N' },
		{ "ts-jitter", 1, 0, 'j' },
		{ "xy-drift", 1, 0, 'x' },
		{ "seed", 1, 0, 'S' },
		{ "depth", 1, 0, 'D' },
		{ "tif", 0, 0, 't' },
		{ "help", 0, 0, 'h' },
		{ "version", 0, 0, 'V' },
		{ "xy-interp", 1, 0, 'I' },
		{ "mod-phase", 1, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		const char *name = NULL;
		for (int i = 0; lo[i].name; i++)
			if (lo[i].val == c)
				name = lo[i].name;
		double *dst = NULL;
		switch (c) {
		case 'o': out = optarg; continue;
		case 'm': model = optarg; continue;
		case 'r': ref_tif = optarg; continue;
		case 'I': interp = optarg; continue;
		case 't': tif = 1; continue;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ogate-synth %s\n", OGATE_VERSION); return 0;
		case 'R': dst = &ref_period; break;
		case 's': dst = &size; break;
		case 'f': dst = &fps; break;
		case 'n': dst = &nframes; break;
		case 'p': dst = &period; break;
		case 'd': dst = &drift; break;
		case 'a': dst = &mod_amp; break;
		case 'M': dst = &mod_period; break;
		case 'F': dst = &mod_phase; break;
		case 'P': dst = &psi0; break;
		case 'N': dst = &noise; break;
		case 'j': dst = &jitter; break;
		case 'S': dst = &seed; break;
		case 'D': dst = &depth; break;
		case 'x':
			if (optind >= argc || num("--xy-drift", optarg, &dy) ||
			    num("--xy-drift", argv[optind], &dx)) {
				fprintf(stderr, "ogate-synth: --xy-drift needs two numbers DY DX\n");
				return 2;
			}
			optind++;
			continue;
		default: usage(stderr); return 2;
		}
		if (num(name ? name : "option", optarg, dst))
			return 2;
	}
	if (!out) {
		fprintf(stderr, "ogate-synth: --out PREFIX is required\n");
		return 2;
	}
	if (fps <= 0 || nframes < 1 || period <= 0 || mod_period <= 0 || noise < 0 || jitter < 0 ||
	    size < 16 || size > 4096 || (depth != 8 && depth != 16) || seed < 0) {
		fprintf(stderr, "ogate-synth: a setting is out of range (fps, n-frames, period, mod-period > 0; "
				"size 16..4096; depth 8 or 16)\n");
		return 2;
	}
	if (mod_phase < -2 * M_PI || mod_phase > 2 * M_PI) {
		fprintf(stderr, "ogate-synth: --mod-phase: %g is out of range (-2pi..2pi rad)\n",
			mod_phase);
		return 2;
	}
	int lanczos = !strcmp(interp, "lanczos");
	if (!lanczos && strcmp(interp, "bilinear")) {
		fprintf(stderr, "ogate-synth: --xy-interp: '%s' is not bilinear or lanczos\n", interp);
		return 2;
	}
	int is_real = !strcmp(model, "real");
	int is_ref = !strcmp(model, "ref") || is_real;
	if (!is_ref && strcmp(model, "blob")) {
		fprintf(stderr, "ogate-synth: --model: '%s' is not blob, ref or real\n", model);
		return 2;
	}
	int N = (int)nframes, H, W;
	char err[512];
	struct ogate_heart_blob blob = { 0 };
	struct ogate_heart_ref ref = { 0 };
	if (is_real) {
		H = W = (int)size;
		if (ref_period < 6 || ref_period > 1000 ||
		    ogate_heart_ref_init_real(&ref, H, W, ref_period, (uint64_t)seed)) {
			fprintf(stderr,
				"ogate-synth: --model real: --ref-period must be 6..1000 frames (or out of memory)\n");
			return 2;
		}
	} else if (is_ref) {
		if (!ref_tif) {
			fprintf(stderr, "ogate-synth: --model ref needs --ref-tif FILE\n");
			return 2;
		}
		struct ogate_stack rs;
		if (ogate_stack_load(ref_tif, &rs, err, sizeof(err))) {
			fprintf(stderr, "ogate-synth: %s\n", err);
			return 1;
		}
		if (rs.n < (int)floor(ref_period) + 3 || ref_period <= 1) {
			fprintf(stderr,
				"ogate-synth: %s: %d frames cannot hold a period of %g frames plus padding\n",
				ref_tif, rs.n, ref_period);
			return 1;
		}
		ref.n = rs.n;
		ref.h = H = rs.h;
		ref.w = W = rs.w;
		ref.period = ref_period;
		ref.frames = malloc(sizeof(float) * (size_t)rs.n * rs.h * rs.w);
		if (!ref.frames)
			return 1;
		for (size_t i = 0; i < (size_t)rs.n * rs.h * rs.w; i++)
			ref.frames[i] = rs.bytes == 1 ? ((uint8_t *)rs.data)[i]
						      : ((uint16_t *)rs.data)[i] / 256.0f;
		ogate_stack_free(&rs);
	} else {
		H = W = (int)size;
		if (ogate_heart_blob_init(&blob, H, W, (uint64_t)seed)) {
			fprintf(stderr, "ogate-synth: out of memory\n");
			return 1;
		}
	}
	struct ogate_heart_law law = { period, drift, mod_amp, mod_period, psi0, N / fps };
	struct ogate_heart_rng rng;
	ogate_heart_rng_seed(&rng, (uint64_t)seed);
	struct ogate_stack st = { .n = N, .h = H, .w = W, .bytes = depth == 16 ? 2 : 1 };
	st.data = malloc((size_t)N * H * W * st.bytes);
	double *t = malloc(sizeof(double) * (size_t)N), *psi = malloc(sizeof(double) * (size_t)N);
	float *img = malloc(sizeof(float) * (size_t)H * W),
	      *sh = malloc(sizeof(float) * (size_t)H * W);
	if (!st.data || !t || !psi || !img || !sh) {
		fprintf(stderr, "ogate-synth: out of memory for %d frames of %dx%d\n", N, H, W);
		return 1;
	}
	for (int i = 0; i < N; i++) {
		t[i] = i / fps;
		if (jitter > 0)
			t[i] += jitter * ogate_heart_rng_normal(&rng);
		if (i > 0 && t[i] <= t[i - 1])
			t[i] = t[i - 1] + 1e-6; /* keep timestamps strictly increasing */
		psi[i] = ogate_heart_law_psi_at(&law, mod_phase, t[i]);
	}
	double scale = depth == 16 ? 256.0 : 1.0, maxv = depth == 16 ? 65535.0 : 255.0;
	for (int i = 0; i < N; i++) {
		double ph = fmod(psi[i], 2 * M_PI);
		if (is_ref)
			ogate_heart_ref_render(&ref, ph, img);
		else
			ogate_heart_blob_render(&blob, ph, img);
		double frac = t[i] / law.t_run;
		if (!lanczos || (dy == 0 && dx == 0))
			ogate_heart_rigid_shift(img, sh, H, W, dy * frac, dx * frac);
		else if (ogate_heart_rigid_shift_lanczos(img, sh, H, W, dy * frac, dx * frac)) {
			fprintf(stderr, "ogate-synth: out of memory\n");
			return 1;
		}
		for (size_t k = 0; k < (size_t)H * W; k++) {
			double v = sh[k];
			if (noise > 0)
				v += noise * ogate_heart_rng_normal(&rng);
			v = rint(v * scale);
			v = v < 0 ? 0 : v > maxv ? maxv : v;
			if (st.bytes == 1)
				((uint8_t *)st.data)[(size_t)i * H * W + k] = (uint8_t)v;
			else
				((uint16_t *)st.data)[(size_t)i * H * W + k] = (uint16_t)v;
		}
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s.npy", out);
	if (ogate_stack_save_npy(path, &st, err, sizeof(err))) {
		fprintf(stderr, "ogate-synth: %s\n", err);
		return 1;
	}
	if (tif) {
		snprintf(path, sizeof(path), "%s.tif", out);
		if (ogate_stack_save_tiff(path, &st, 0, err, sizeof(err))) {
			fprintf(stderr, "ogate-synth: %s\n", err);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s_timestamps.csv", out);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "ogate-synth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(f, "frame,t_s\n");
	for (int i = 0; i < N; i++)
		fprintf(f, "%d,%.9f\n", i, t[i]);
	if (fclose(f))
		return 1;
	snprintf(path, sizeof(path), "%s_truth.csv", out);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "ogate-synth: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(f, "frame,t_s,psi_rad\n");
	for (int i = 0; i < N; i++)
		fprintf(f, "%d,%.9f,%.12f\n", i, t[i], psi[i]);
	if (fclose(f))
		return 1;
	double pmin = 1e30, pmax = 0, pmean = 0;
	for (int i = 0; i < N; i++) {
		double p = 1 / ogate_heart_law_freq_at(&law, mod_phase, t[i]);
		pmin = p < pmin ? p : pmin;
		pmax = p > pmax ? p : pmax;
		pmean += p / N;
	}
	snprintf(path, sizeof(path), "%s_params.json", out);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f,
		"{\"model\": \"%s\", \"size\": [%d, %d], \"n_frames\": %d, \"fps\": %.9g, \"period_s\": %.9g, "
		"\"drift\": %.9g, \"mod_amp\": %.9g, \"mod_period_s\": %.9g, \"psi0\": %.9g, \"T_run\": %.9g, "
		"\"noise\": %.9g, \"ts_jitter\": %.9g, \"xy_drift\": [%.9g, %.9g], \"seed\": %.0f, \"depth\": %.0f",
		model, H, W, N, fps, period, drift, mod_amp, mod_period, psi0, law.t_run, noise,
		jitter, dy, dx, seed, depth);
	if (mod_phase != 0) /* absent at 0: default runs' files do not change */
		fprintf(f, ", \"mod_phase\": %.9g", mod_phase);
	if (is_ref && !is_real) {
		fprintf(f, ", \"ref_tif\": \"");
		for (const char *p = ref_tif; *p; p++)
			if (*p == '"' || *p == '\\')
				fprintf(f, "\\%c", *p);
			else if ((unsigned char)*p >= 0x20)
				fputc(*p, f);
		fprintf(f, "\", \"ref_period_frames\": %.9g", ref_period);
	}
	fprintf(f, "}\n");
	fclose(f);
	printf("{\"out\": \"%s\", \"shape\": [%d, %d, %d], \"period_s_min\": %.6f, \"period_s_max\": %.6f, "
	       "\"period_frames_mean\": %.4f, \"beats\": %.3f}\n",
	       out, N, H, W, pmin, pmax, pmean * fps, (psi[N - 1] - psi[0]) / (2 * M_PI));
	free(st.data);
	free(t);
	free(psi);
	free(img);
	free(sh);
	free(ref.frames);
	ogate_heart_blob_free(&blob);
	return 0;
}
