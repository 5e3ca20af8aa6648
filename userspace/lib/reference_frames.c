// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Read-only view of the current reference's frames, for display (the web
 * page's thumbnails): ogate_sync_get_reference_frame (ogate/sync.h). Like
 * every ogate_sync call, on the thread that calls ogate_sync_process.
 */
#include <errno.h>
#include <math.h>
#include "sync_private.h"

int ogate_sync_get_reference_frame(const struct ogate_sync *s, int i, struct ogate_frame *dst,
				   double *phase)
{
	if (!s->have_ref)
		return -ENOENT;
	if (i < 0 || i >= s->L - 2 * OGATE_NE)
		return -ERANGE;
	/* the frames as recorded (moved to the reference's middle under a registered drift,
	 * sync_scanreg.c), also where reference.smooth matches against smoothed ones */
	const struct seq *q = &s->sq[s->g_cur % s->nseq];
	if (dst) {
		int ret = ogate_frame_copy(dst, q->f[i + OGATE_NE]);
		if (ret)
			return ret;
	}
	/* the phase ogate_sync_set_target_phase maps back to this frame: its position (capture
	 * time) in the period, as the target's phase is computed */
	if (phase)
		*phase = ogate_wrap_2pi(2 * M_PI * q->pos[i + OGATE_NE] / s->info.period_frames);
	return 0;
}
