/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * OME-TIFF writer: one image (Pixels) per file, one TIFF page per plane
 * (libtiff; BigTIFF when the file could pass 4 GiB), OME-XML (schema
 * 2016-06) in the first page's ImageDescription.
 *
 *   struct ogate_ome_opts o;
 *   ogate_ome_opts_init(&o);
 *   o.width = 512; o.height = 512; o.bits = 16;
 *   o.pixel_size_x_um = o.pixel_size_y_um = 0.65; o.step_z_um = 2;
 *   ogate_ome_open(&w, "stack.ome.tif", &o, err, sizeof(err));
 *   for each plane: ogate_ome_plane_init(&p); p.z = i; p.position_z_um = ...;
 *                   ogate_ome_plane_kv(&p, "target_phase_rad", "%.6f", phase);
 *                   ogate_ome_write_plane(w, &p, pixels);
 *   ogate_ome_close(w, err, sizeof(err));   // writes the OME-XML
 *
 * Dimension order XYZTC (planes may arrive in any order: every page is
 * mapped by its own TiffData element). SizeZ/T/C are the largest indices
 * written + 1. Per-plane key/value pairs (gating metadata) become one
 * MapAnnotation per plane, referenced from its Plane; the provenance pairs
 * become one MapAnnotation referenced from the Image.
 *
 * The OME-XML is written when the file is closed (sizes and per-plane
 * metadata are only known then): pages are written as they come, then the
 * first page's directory is rewritten with the description. A file whose
 * writer never closed (crash) is a valid multi-page TIFF without OME-XML.
 *
 * Not thread-safe: one writer is used by one thread at a time (the daemon's
 * I/O thread).
 */
#ifndef OGATE_OME_H
#define OGATE_OME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OGATE_OME_KV_MAX 16 /* per-plane key/value pairs */
#define OGATE_OME_KEY_LEN 40
#define OGATE_OME_VAL_LEN 80

struct ogate_ome_kv {
	char key[OGATE_OME_KEY_LEN];
	char value[OGATE_OME_VAL_LEN];
};

/* A borrowed key/value pair (provenance, see ogate/provenance.h). */
struct ogate_ome_pair {
	const char *key;
	const char *value;
};

struct ogate_ome_opts {
	uint32_t width, height; /* pixels (required) */
	int bits;		/* 8 or 16 (unsigned) */
	uint32_t planes_hint;	/* expected planes, for the BigTIFF choice */
	int bigtiff;		/* -1 auto (default), 0 classic, 1 BigTIFF */
	double pixel_size_x_um; /* PhysicalSizeX/Y; NaN: not written */
	double pixel_size_y_um;
	double step_z_um;		/* PhysicalSizeZ; NaN: not written */
	double objective_magnification; /* Instrument/Objective; NaN: none */
	const char *image_name;		/* Image Name (default: file name) */
	const char *description;	/* Image Description; NULL: none */
	int64_t acquisition_wall_ns;	/* AcquisitionDate (CLOCK_REALTIME); 0: none */
	const char *plane_ns;		/* namespace of per-plane annotations */
	/* provenance pairs (copied at open) -> one MapAnnotation on the Image */
	const struct ogate_ome_pair *provenance;
	size_t n_provenance;
	const char *creator; /* OME Creator attribute, e.g. "ogate 0.1.0" */
};

struct ogate_ome_plane {
	uint32_t z, t, c;
	double position_z_um; /* NaN: not written */
	double delta_t_s;     /* since the acquisition start; NaN: none */
	double exposure_s;    /* NaN: none */
	struct ogate_ome_kv kv[OGATE_OME_KV_MAX];
	int nkv;
};

struct ogate_ome_writer;

void ogate_ome_opts_init(struct ogate_ome_opts *o);
void ogate_ome_plane_init(struct ogate_ome_plane *p);
/* Add a key/value pair; -ENOSPC when full, -EINVAL for an empty key or when
 * key or value are too long (nothing added). */
int ogate_ome_plane_kv(struct ogate_ome_plane *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Create path (truncating). 0 or -errno with the reason in err. */
int ogate_ome_open(struct ogate_ome_writer **out, const char *path,
		   const struct ogate_ome_opts *opts, char *err, size_t errlen);
/* Append one plane: width * height pixels of bits/8 bytes, rows contiguous. */
int ogate_ome_write_plane(struct ogate_ome_writer *w, const struct ogate_ome_plane *p,
			  const void *pixels);
/* The same, rows stride bytes apart (stride >= width * bits/8). */
int ogate_ome_write_plane_strided(struct ogate_ome_writer *w, const struct ogate_ome_plane *p,
				  const void *pixels, size_t stride);
/* Planes written so far. */
uint32_t ogate_ome_planes(const struct ogate_ome_writer *w);
/* Write the OME-XML, close and free (also on error). 0 or -errno. */
int ogate_ome_close(struct ogate_ome_writer *w, char *err, size_t errlen);
/* Close without OME-XML (abandon); the pages written stay a plain TIFF. */
void ogate_ome_abandon(struct ogate_ome_writer *w);

/*
 * The OME-XML for the metadata given so far (as close would write it);
 * caller frees. For tests and for callers that keep a sidecar copy.
 */
char *ogate_ome_xml(const struct ogate_ome_writer *w, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
