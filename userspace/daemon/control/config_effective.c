// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Every effective setting as "key=value" text, for the run provenance. */
#include <inttypes.h>
#include <stdio.h>

#include "config_private.h"

void ogate_config_each(const struct ogate_config *c, ogate_config_each_fn fn, void *ctx)
{
	char v[64], key[96];

	for (size_t i = 0; i < config_nkeys; i++) {
		const struct key_def *k = &config_keys[i];

		switch (k->type) {
		case KT_INT:
			snprintf(v, sizeof(v), k->flags & KF_OCTAL ? "0%" PRIo64 : "%" PRId64,
				 ogate_config_int(c, k->key));
			fn(ctx, k->key, v);
			break;
		case KT_DOUBLE:
			snprintf(v, sizeof(v), "%.10g", ogate_config_double(c, k->key));
			fn(ctx, k->key, v);
			break;
		case KT_BOOL:
			fn(ctx, k->key, ogate_config_bool(c, k->key) ? "true" : "false");
			break;
		default: fn(ctx, k->key, ogate_config_str(c, k->key)); break;
		}
	}
	for (size_t m = 0; m < ogate_config_mode_count(c); m++) {
		struct ogate_mode md;
		const char *name = ogate_config_mode_name(c, m);

		if (ogate_config_mode(c, name, &md))
			continue;
		snprintf(key, sizeof(key), "mode.%s", name);
		snprintf(v, sizeof(v), "%dx%d %.6g fps roi %d,%d %dx%d", md.width, md.height,
			 md.fps, md.roi_x, md.roi_y, md.roi_w, md.roi_h);
		fn(ctx, key, v);
	}
	for (size_t i = 0; i < ogate_config_extra_count(c); i++) {
		const char *k, *val;

		ogate_config_extra(c, i, &k, &val);
		fn(ctx, k, val);
	}
}
