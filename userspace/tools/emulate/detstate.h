/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The period determination's state (struct ogate_sync_determination) as summary.json's
 * "determination" object and as the end-of-run sentence of a run that never locked, so a
 * stream with no lock says whether the scan saw nothing (a heart slower than the buffer),
 * only short dips (noise, or a heart too fast) or estimates that scatter. */
#ifndef OGATE_DETSTATE_H
#define OGATE_DETSTATE_H
#include <stdio.h>
#include "ogate/sync.h"

/* the scan's last estimates, newest first: "0.210, 0.211, ..." (s) */
static inline void det_estimates_text(const struct ogate_sync_determination *d, char *out, size_t size)
{
	size_t o = 0;
	out[0] = 0;
	for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES && o < size; j++)
		o += (size_t)snprintf(out + o, size - o, "%s%.4f", j ? ", " : "", d->estimates_s[j]);
}

static inline void det_json(FILE *f, const struct ogate_sync_determination *d)
{
	char est[OGATE_SYNC_DET_ESTIMATES * 32];
	det_estimates_text(d, est, sizeof(est));
	fprintf(f,
		"  \"determination\": {\"span_s\": %.3f, \"longest_period_s\": %.3f, \"widened\": %d, "
		"\"at_limit\": %s, \"buffer_frames\": %d, \"max_frames\": %d, \"searching_s\": %.3f, "
		"\"state\": \"%s\", \"shortest_period_s\": %.4f, \"estimates_s\": [%s], "
		"\"estimates_agree\": %s},\n",
		d->span_s, d->longest_period_s, d->widened, d->at_limit ? "true" : "false",
		d->buffer_frames, d->max_frames, d->searching_s, ogate_sync_det_reason_name(d->reason),
		d->shortest_period_s, est, d->estimates_agree ? "true" : "false");
}

/* "no reference period found ...": what the search did and what its scan saw last */
static inline void det_no_lock_text(FILE *f, const char *prog, int frames,
				    const struct ogate_sync_determination *d)
{
	char est[OGATE_SYNC_DET_ESTIMATES * 32];
	int any = 0;
	for (int j = 0; j < OGATE_SYNC_DET_ESTIMATES; j++)
		any |= d->estimates_s[j] != 0;
	det_estimates_text(d, est, sizeof(est));
	if (!any)
		snprintf(est, sizeof(est), "none");
	fprintf(f,
		"%s: %d frames, no reference period found in %.1f s: buffer %.1f s (periods up to "
		"~%.1f s), widened %d times%s; the period scan: %s (periods must be longer than "
		"%.3f s; last estimates (s): %s, %s)\n",
		prog, frames, d->searching_s, d->span_s, d->longest_period_s, d->widened,
		d->at_limit ? ", at the memory bound (reference.max_buffer_frames / max_buffer_mb)" : "",
		ogate_sync_det_reason_name(d->reason), d->shortest_period_s, est,
		d->estimates_agree ? "agreeing" : "not agreeing");
}
#endif
