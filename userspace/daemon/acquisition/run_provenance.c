// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>

#include "ogate.h"
#include "run_provenance.h"

static void add_config(void *ctx, const char *key, const char *value)
{
	char k[160];

	snprintf(k, sizeof(k), "config.%s", key);
	ogate_provenance_set(ctx, k, "%s", value);
}

struct ogate_provenance *ogate_run_provenance(const struct ogate_config *c, const char *source,
					      const char *sink_kind,
					      const struct ogate_stage *stage, const char *mode)
{
	struct ogate_provenance *p;
	struct ogate_mode m;

	if (ogate_provenance_new(&p))
		return NULL;
	ogate_provenance_set_build(p);
	if (sink_kind && !strcmp(sink_kind, "ogate"))
		ogate_provenance_set(p, "kernel_module.version", "ogate.ko ABI %u",
				     (unsigned int)OGATE_ABI_VERSION);
	else
		ogate_provenance_set(p, "kernel_module.version", "not used (sink %s)",
				     sink_kind ? sink_kind : "none");
	ogate_provenance_set(p, "camera.model", "%s", source ? source : "unknown");
	if (mode && !ogate_config_mode(c, mode, &m))
		ogate_provenance_set(p, "camera.mode", "%s %dx%d %.6g fps", mode, m.width, m.height,
				     m.fps);
	if (stage) {
		const char *id = ogate_stage_identity(stage);

		ogate_provenance_set(p, "stage.model", "%s", ogate_stage_driver(stage));
		ogate_provenance_set(p, "stage.firmware", "%s",
				     id[0] ? id : "not reported by the driver");
	} else {
		ogate_provenance_set(p, "stage.model", "none");
	}
	ogate_config_each(c, add_config, p);
	return p;
}
