/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Preview files: a frame written in the format its file name names, PNG
 * (libpng; 8 or 16-bit grey) or binary PGM; any other name is refused with
 * -EPROTONOSUPPORT before anything is written. Any thread; no state.
 */
#ifndef OGATE_PREVIEW_H
#define OGATE_PREVIEW_H

#include "ogate/frame.h"

enum { OGATE_PREVIEW_PNG = 1, OGATE_PREVIEW_PGM };

/* OGATE_PREVIEW_PNG / _PGM by extension (case-insensitive), or -EPROTONOSUPPORT. */
int ogate_preview_format(const char *path);
int ogate_preview_write(const struct ogate_frame *f, const char *path);

#endif
