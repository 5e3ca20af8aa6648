// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogate-emulate's settings from the command line: the usage text, the --config file and the
 * --set options (emuopts.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "emuopts.h"
#include "ogate/settings.h"

#define PROG "ogate-emulate"

void emu_usage(FILE *f)
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
		"  --score fired|requested  score each trigger where it fires (default): no earlier\n"
		"                        than its frame's timestamp + prediction.latency_s, the\n"
		"                        latency budget; or at the time requested\n"
		"  --predictor NAME      prediction.predictor: kalman-acc (default), kalman or linear\n"
		"  --plots svg|png|none  write phase and histogram plots (default svg)\n"
		"  --quiet               no progress bar\n"
		"Writes frames.csv, triggers.csv, phase.svg|png, histogram.svg|png and, last, summary.json.\n"
		"Setting keys (see docs/analysis.md):\n");
	for (const char *const *k = ogate_settings_keys(); *k; k++)
		fprintf(f, "  %s\n", *k);
}

int emu_read_config(const char *path, struct ogate_settings *s)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(e));
		return -e;
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
			return -EINVAL;
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
			fprintf(stderr, PROG ": %s:%d: %s '%s'%s%s\n", path, ln,
				rc == -ENOENT ? "unknown key" : "bad value for", k,
				rc == -ENOENT ? "" : ": ", rc == -ENOENT ? "" : v);
			fclose(f);
			return rc;
		}
	}
	fclose(f);
	return 0;
}

/* the --set KEY=VALUE options, in order: 0, or 2 (the exit status) after one line on stderr */
int emu_apply_sets(struct ogate_settings *s, char *const *sets, int nsets)
{
	for (int i = 0; i < nsets; i++) {
		char kv[512];
		snprintf(kv, sizeof(kv), "%s", sets[i]);
		char *eq = strchr(kv, '=');
		if (!eq) {
			fprintf(stderr, PROG ": --set '%s': expected KEY=VALUE\n", sets[i]);
			return 2;
		}
		*eq = 0;
		int rc = ogate_settings_set(s, kv, eq + 1);
		if (rc) {
			fprintf(stderr, PROG ": --set: %s '%s'\n",
				rc == -ENOENT ? "unknown key" : "bad value for key", kv);
			return 2;
		}
	}
	return 0;
}
