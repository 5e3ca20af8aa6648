/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* ogate-emulate's --target-phase and --target-frame: each checked against its range (a negative
 * phase is not "automatic"), at most one target in all (the options and the settings
 * target.phase_rad / target.frame). The frame's upper bound, the reference period, is checked
 * when the first reference is found. */
#ifndef OGATE_TARGETOPT_H
#define OGATE_TARGETOPT_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "numparse.h"
#include "ogate/analysis.h"

/* 0, or 2 (the exit status) after one line on stderr naming the value and the allowed range */
static inline int target_options(struct ogate_settings *set, const char *tphase, const char *tframe)
{
	double v = 0;
	if (tphase && tframe) {
		fprintf(stderr,
			"ogate-emulate: --target-phase %s and --target-frame %s: give at most one\n",
			tphase, tframe);
		return 2;
	}
	if (tphase && (ogate_parse_double(tphase, &v) || !(v >= 0 && v < 2 * M_PI) ||
		       ogate_settings_set(set, "target.phase_rad", tphase))) {
		fprintf(stderr,
			"ogate-emulate: --target-phase %s: not in the allowed range [0, %.6f) rad (0 to 2 pi; "
			"leave it out for the automatic target)\n",
			tphase, 2 * M_PI);
		return 2;
	}
	if (tframe && (ogate_parse_double(tframe, &v) || !(v >= 0 && v < 1e6) ||
		       ogate_settings_set(set, "target.frame", tframe))) {
		fprintf(stderr,
			"ogate-emulate: --target-frame %s: not a reference position in [0, period) frames "
			"(leave it out for the automatic target)\n",
			tframe);
		return 2;
	}
	if (set->target_phase >= 0 && set->target_frame >= 0) {
		fprintf(stderr,
			"ogate-emulate: target.phase_rad %g and target.frame %g are both set: give at most one\n",
			set->target_phase, set->target_frame);
		return 2;
	}
	return 0;
}
#endif
