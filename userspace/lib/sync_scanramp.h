/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The period scan's row with a drift's ramp taken out (reference.scan_ramp, sync_scanramp.c). */
#ifndef OGATE_SYNC_SCANRAMP_H
#define OGATE_SYNC_SCANRAMP_H

#include "sync_private.h"

/* The newest frame's scan estimate P (> 0, from s->diffs, the plain row against its n frames)
 * again with the drift's share taken out of every lag: P itself where the valley's pair of
 * frames is shifted by less than RAMP_GATE px (sync_scanramp.c) */
double sync_scan_ramp(struct ogate_sync *s, int n, double P);

#endif
