/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What produced a run, for provenance.txt and the OME-XML: this build, the
 * kernel module's ABI when the ogate sink is used, the camera (source
 * description and mode), the stage (driver, identity) and every effective
 * configuration value as "config.<key>". Built on the main thread at start.
 */
#ifndef OGATE_RUN_PROVENANCE_H
#define OGATE_RUN_PROVENANCE_H

#include "config.h"
#include "ogate/provenance.h"
#include "ogate/stage.h"

struct ogate_provenance *ogate_run_provenance(const struct ogate_config *c, const char *source,
					      const char *sink_kind,
					      const struct ogate_stage *stage, const char *mode);

#endif
