/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Provenance: what produced a run, as ordered key=value pairs, written as one
 * small text file per run directory (provenance.txt) and handed to the
 * OME-TIFF writer (the same pairs go into each file's OME-XML).
 *
 *   # ogate provenance (key=value; \n \\ \xNN escapes in values)
 *   ogate.version=0.1.0
 *   ogate.build=v0.1.0-42-gabc1234-dirty
 *   kernel_module.version=abi 1
 *   camera.model=imx296
 *   camera.mode=fast 96x96 200 fps
 *   stage.model=asi
 *   stage.firmware=...
 *   config.camera.exposure_us=1500
 *   ...
 *
 * Keys are [A-Za-z0-9._-]+ (at most 127 bytes); setting a key again replaces
 * its value in place. Values are any text: in the file, backslash, newline,
 * CR and other control bytes are escaped (\\, \n, \r, \xNN) so that every
 * pair stays on one line.
 *
 * Not thread-safe: built and read by one thread (the daemon builds it on the
 * control thread before a run starts and hands a copy to the I/O thread).
 */
#ifndef OGATE_PROVENANCE_H
#define OGATE_PROVENANCE_H

#include <stddef.h>

#include "ogate/ome.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ogate_provenance;

/* An empty record: 0 or -ENOMEM; *out is set only on success. */
int ogate_provenance_new(struct ogate_provenance **out);
void ogate_provenance_free(struct ogate_provenance *p);
/* Deep copy: 0 or -errno (-ENOMEM); *out is set only on success. */
int ogate_provenance_dup(struct ogate_provenance **out, const struct ogate_provenance *p);

/* Set key to the formatted value (replacing an earlier value). 0, -EINVAL
 * (bad key) or -ENOMEM. */
int ogate_provenance_set(struct ogate_provenance *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ogate.version and ogate.build of this build. */
int ogate_provenance_set_build(struct ogate_provenance *p);

size_t ogate_provenance_count(const struct ogate_provenance *p);
/* The pairs, in insertion order; valid until the next set or free. */
const struct ogate_ome_pair *ogate_provenance_pairs(const struct ogate_provenance *p);
/* Value of key, NULL when absent. */
const char *ogate_provenance_get(const struct ogate_provenance *p, const char *key);

/*
 * Write dir/provenance.txt (written to a temporary file, then renamed, so a
 * reader never sees half a file). 0 or -errno with the reason in err.
 */
int ogate_provenance_write(const struct ogate_provenance *p, const char *dir, char *err, size_t errlen);
/* The same to an explicit file path (e.g. "<recording>.provenance.txt"). */
int ogate_provenance_write_path(const struct ogate_provenance *p, const char *path, char *err,
				size_t errlen);
/* The file's text (caller frees); NULL on allocation failure. */
char *ogate_provenance_text(const struct ogate_provenance *p);

/* This build: "0.1.0" and the git description at build time ("unknown" outside git). */
const char *ogate_version(void);
const char *ogate_build_id(void);

#ifdef __cplusplus
}
#endif
#endif
