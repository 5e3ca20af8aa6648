/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Private: the OME-TIFF writer's state, shared by ome_tiff.c and ome_xml.c. */
#ifndef OGATE_OME_PRIVATE_H
#define OGATE_OME_PRIVATE_H

#include <tiffio.h>

#include "ogate/ome.h"
#include "ogate/xmlw.h"

struct ome_ifd { /* which plane page i holds */
	uint32_t z, t, c;
};

struct ogate_ome_writer {
	TIFF *tif;
	char *path;
	struct ogate_ome_opts o; /* strings below are owned copies */
	char *image_name, *description, *plane_ns, *creator;
	struct ogate_xmlw prov; /* the provenance <MapAnnotation>, built at open */
	size_t plane_bytes;
	uint32_t rows_per_strip;
	uint64_t bytes_written;
	int bigtiff;
	struct ome_ifd *ifd;
	uint32_t n_ifd, cap_ifd;
	uint32_t size_z, size_t_, size_c;
	struct ogate_xmlw planes; /* <Plane> elements, in page order */
	struct ogate_xmlw anns;	  /* per-plane <MapAnnotation> elements */
	char tiff_err[256];	  /* last libtiff message */
};

/* Build the provenance <MapAnnotation> (ome_xml.c). */
void ome_xml_provenance(struct ogate_ome_writer *w, const struct ogate_ome_pair *kv, size_t n);
/* Record a plane's <Plane> and <MapAnnotation> (ome_xml.c). */
void ome_xml_add_plane(struct ogate_ome_writer *w, const struct ogate_ome_plane *p);

#endif
