// SPDX-License-Identifier: GPL-2.0 OR MIT
/* zstack / timelapse arguments into a checked plan: no number is used unchecked. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acq.h"
#include "numparse.h"

/* The whole word a finite number inside [lo, hi], integral when asked. */
static bool number(const char *s, double lo, double hi, bool integral, double *v)
{
	return !ogate_parse_double(s, v) && *v >= lo && *v <= hi && (!integral || *v == floor(*v));
}

struct field {
	const char *key;
	double lo, hi;
	bool integral;
	const char *bound; /* for the ERR text */
};

static const struct field fields[] = {
	{ "planes", 1, OGATE_ACQ_MAX_PLANES, true, "an integer 1..10000" },
	{ "step_um", -OGATE_ACQ_MAX_UM, OGATE_ACQ_MAX_UM, false, "a number of um in [-1e6, 1e6]" },
	{ "start_um", -OGATE_ACQ_MAX_UM, OGATE_ACQ_MAX_UM, false, "a number of um in [-1e6, 1e6]" },
	{ "per_plane", 1, OGATE_ACQ_MAX_PER_PLANE, true, "an integer 1..100" },
	{ "stacks", 1, OGATE_ACQ_MAX_STACKS, true, "an integer 1..100000" },
	{ "every_s", 1e-3, OGATE_ACQ_MAX_EVERY_S, false, "seconds in [0.001, 31536000]" },
	{ "ref_plane", -1, OGATE_ACQ_MAX_PLANES - 1, true, "an integer -1..9999 (-1: never)" },
	{ "max_triggers", 0, (double)OGATE_ACQ_MAX_TRIGGERS, true,
	  "an integer 0..1000000000 (0: no limit)" },
	{ "time_limit_s", 0, OGATE_ACQ_MAX_LIMIT_S, false, "seconds in [0, 31536000] (0: no limit)" },
};

int ogate_acq_plan_parse(int argc, char **argv, struct ogate_acq_plan *pl, char *err, size_t errlen)
{
	bool seen[sizeof(fields) / sizeof(fields[0])] = { false };
	bool timelapse = argc > 0 && !strcmp(argv[0], "timelapse");
	int i;

	*pl = (struct ogate_acq_plan){ .planes = 0,
				       .start_um = NAN,
				       .per_plane = 1,
				       .stacks = 1,
				       .ref_plane = -1 };
	for (i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t klen = eq ? (size_t)(eq - argv[i]) : 0, f;
		double v;

		for (f = 0; eq && f < sizeof(fields) / sizeof(fields[0]); f++)
			if (strlen(fields[f].key) == klen && !strncmp(argv[i], fields[f].key, klen))
				break;
		if (!eq || f == sizeof(fields) / sizeof(fields[0])) {
			snprintf(err, errlen,
				 "'%.64s' is not one of planes=, step_um=, start_um=, per_plane=, stacks=, every_s=, ref_plane=, max_triggers=, time_limit_s=",
				 argv[i]);
			return -EINVAL;
		}
		if (seen[f]) {
			snprintf(err, errlen, "%s= given twice", fields[f].key);
			return -EINVAL;
		}
		seen[f] = true;
		if (!number(eq + 1, fields[f].lo, fields[f].hi, fields[f].integral, &v)) {
			snprintf(err, errlen, "%s=%.64s: must be %s", fields[f].key, eq + 1,
				 fields[f].bound);
			return -EINVAL;
		}
		/* v is integral and inside its field's bounds: each cast below is exact */
		switch (f) {
		case 0: pl->planes = (int)v; break;
		case 1: pl->step_um = v; break;
		case 2: pl->start_um = v; break;
		case 3: pl->per_plane = (int)v; break;
		case 4: pl->stacks = (int)v; break;
		case 5: pl->every_s = v; break;
		case 6: pl->ref_plane = (int)v; break;
		case 7: pl->max_triggers = (uint64_t)v; break;
		case 8: pl->time_limit_s = v; break;
		}
	}
	if (!seen[0] || !seen[1]) {
		snprintf(err, errlen, "planes=N and step_um=S are required");
		return -EINVAL;
	}
	if (pl->ref_plane >= pl->planes) {
		snprintf(err, errlen, "ref_plane=%d: must be -1..%d (below planes=%d)",
			 pl->ref_plane, pl->planes - 1, pl->planes);
		return -EINVAL;
	}
	if (timelapse && (pl->stacks < 2 || !seen[5])) {
		snprintf(err, errlen,
			 "timelapse needs stacks=N (2..100000) and every_s=T (seconds in [0.001, 31536000])");
		return -EINVAL;
	}
	if (!timelapse && (seen[4] || seen[5] || seen[6])) {
		snprintf(err, errlen,
			 "stacks=, every_s= and ref_plane= belong to timelapse, not zstack");
		return -EINVAL;
	}
	return 0;
}
