// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The OME-XML of an ogate OME-TIFF (schema 2016-06). Element order follows
 * the schema: OME > Instrument, Image, StructuredAnnotations; Image >
 * AcquisitionDate, Description, InstrumentRef, ObjectiveSettings, Pixels,
 * AnnotationRef; Pixels > Channel, TiffData, Plane; MapAnnotation >
 * Description, Value > M.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ome_private.h"

#define OME_NS "http://www.openmicroscopy.org/Schemas/OME/2016-06"
#define UM "\xC2\xB5m" /* "µm", the unit symbol OME uses (UTF-8) */

static void map_values(struct ogate_xmlw *x, const struct ogate_ome_kv *kv, size_t n)
{
	ogate_xmlw_start(x, "Value");
	for (size_t i = 0; i < n; i++) {
		ogate_xmlw_start(x, "M");
		ogate_xmlw_attr(x, "K", kv[i].key);
		ogate_xmlw_text(x, kv[i].value);
		ogate_xmlw_end(x);
	}
	ogate_xmlw_end(x);
}

void ome_xml_provenance(struct ogate_ome_writer *w, const struct ogate_ome_pair *kv, size_t n)
{
	struct ogate_xmlw *x = &w->prov;

	ogate_xmlw_start(x, "MapAnnotation");
	ogate_xmlw_attr(x, "ID", "Annotation:0");
	ogate_xmlw_attr(x, "Namespace", "ogate.provenance");
	ogate_xmlw_element(x, "Description", "settings and versions that produced this file");
	ogate_xmlw_start(x, "Value");
	for (size_t i = 0; i < n; i++) {
		ogate_xmlw_start(x, "M");
		ogate_xmlw_attr(x, "K", kv[i].key ? kv[i].key : "");
		ogate_xmlw_text(x, kv[i].value ? kv[i].value : "");
		ogate_xmlw_end(x);
	}
	ogate_xmlw_end(x);
	ogate_xmlw_end(x);
}

void ome_xml_add_plane(struct ogate_ome_writer *w, const struct ogate_ome_plane *p)
{
	char id[32], desc[96];

	/* the plane's page is w->n_ifd - 1; annotation 0 is the provenance */
	snprintf(id, sizeof(id), "Annotation:%" PRIu32, w->n_ifd);
	ogate_xmlw_start(&w->planes, "Plane");
	ogate_xmlw_attr_int(&w->planes, "TheZ", p->z);
	ogate_xmlw_attr_int(&w->planes, "TheT", p->t);
	ogate_xmlw_attr_int(&w->planes, "TheC", p->c);
	if (isfinite(p->delta_t_s)) {
		ogate_xmlw_attr_double(&w->planes, "DeltaT", p->delta_t_s);
		ogate_xmlw_attr(&w->planes, "DeltaTUnit", "s");
	}
	if (isfinite(p->exposure_s)) {
		ogate_xmlw_attr_double(&w->planes, "ExposureTime", p->exposure_s);
		ogate_xmlw_attr(&w->planes, "ExposureTimeUnit", "s");
	}
	if (isfinite(p->position_z_um)) {
		ogate_xmlw_attr_double(&w->planes, "PositionZ", p->position_z_um);
		ogate_xmlw_attr(&w->planes, "PositionZUnit", UM);
	}
	if (p->nkv > 0) {
		ogate_xmlw_start(&w->planes, "AnnotationRef");
		ogate_xmlw_attr(&w->planes, "ID", id);
		ogate_xmlw_end(&w->planes);
	}
	ogate_xmlw_end(&w->planes);
	if (p->nkv <= 0)
		return;
	snprintf(desc, sizeof(desc),
		 "plane Z=%" PRIu32 " T=%" PRIu32 " C=%" PRIu32 " (IFD %" PRIu32 ")", p->z, p->t,
		 p->c, w->n_ifd - 1);
	ogate_xmlw_start(&w->anns, "MapAnnotation");
	ogate_xmlw_attr(&w->anns, "ID", id);
	ogate_xmlw_attr(&w->anns, "Namespace", w->plane_ns);
	ogate_xmlw_element(&w->anns, "Description", desc);
	map_values(&w->anns, p->kv, (size_t)p->nkv);
	ogate_xmlw_end(&w->anns);
}

/* xsd:dateTime in UTC with milliseconds. */
static void iso8601(char *buf, size_t len, int64_t wall_ns)
{
	time_t s = (time_t)(wall_ns / 1000000000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ns % 1000000000 / 1000000));
}

static void physical(struct ogate_xmlw *x, const char *name, const char *unit, double v)
{
	/* PositiveFloat in the schema: only strictly positive finite sizes */
	if (isfinite(v) && v > 0) {
		ogate_xmlw_attr_double(x, name, v);
		ogate_xmlw_attr(x, unit, UM);
	}
}

char *ogate_ome_xml(const struct ogate_ome_writer *w, size_t *len)
{
	struct ogate_xmlw x;
	int instrument = isfinite(w->o.objective_magnification) && w->o.objective_magnification > 0;
	uint32_t size_z = w->size_z ? w->size_z : 1, size_t_ = w->size_t_ ? w->size_t_ : 1;
	uint32_t size_c = w->size_c ? w->size_c : 1;
	char buf[64];

	ogate_xmlw_init(&x, 0);
	ogate_xmlw_declaration(&x);
	ogate_xmlw_start(&x, "OME");
	ogate_xmlw_attr(&x, "xmlns", OME_NS);
	ogate_xmlw_attr(&x, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
	ogate_xmlw_attr(&x, "xsi:schemaLocation", OME_NS " " OME_NS "/ome.xsd");
	if (w->creator)
		ogate_xmlw_attr(&x, "Creator", w->creator);
	if (instrument) {
		ogate_xmlw_start(&x, "Instrument");
		ogate_xmlw_attr(&x, "ID", "Instrument:0");
		ogate_xmlw_start(&x, "Objective");
		ogate_xmlw_attr(&x, "ID", "Objective:0:0");
		ogate_xmlw_attr_double(&x, "NominalMagnification", w->o.objective_magnification);
		ogate_xmlw_end(&x);
		ogate_xmlw_end(&x);
	}
	ogate_xmlw_start(&x, "Image");
	ogate_xmlw_attr(&x, "ID", "Image:0");
	ogate_xmlw_attr(&x, "Name", w->image_name);
	if (w->o.acquisition_wall_ns > 0) {
		iso8601(buf, sizeof(buf), w->o.acquisition_wall_ns);
		ogate_xmlw_element(&x, "AcquisitionDate", buf);
	}
	if (w->description)
		ogate_xmlw_element(&x, "Description", w->description);
	if (instrument) {
		ogate_xmlw_start(&x, "InstrumentRef");
		ogate_xmlw_attr(&x, "ID", "Instrument:0");
		ogate_xmlw_end(&x);
		ogate_xmlw_start(&x, "ObjectiveSettings");
		ogate_xmlw_attr(&x, "ID", "Objective:0:0");
		ogate_xmlw_end(&x);
	}
	ogate_xmlw_start(&x, "Pixels");
	ogate_xmlw_attr(&x, "ID", "Pixels:0");
	ogate_xmlw_attr(&x, "DimensionOrder", "XYZTC");
	ogate_xmlw_attr(&x, "Type", w->o.bits == 8 ? "uint8" : "uint16");
	ogate_xmlw_attr_int(&x, "SignificantBits", w->o.bits);
	ogate_xmlw_attr(&x, "Interleaved", "false");
	ogate_xmlw_attr(&x, "BigEndian", "false");
	ogate_xmlw_attr_int(&x, "SizeX", w->o.width);
	ogate_xmlw_attr_int(&x, "SizeY", w->o.height);
	ogate_xmlw_attr_int(&x, "SizeZ", size_z);
	ogate_xmlw_attr_int(&x, "SizeC", size_c);
	ogate_xmlw_attr_int(&x, "SizeT", size_t_);
	physical(&x, "PhysicalSizeX", "PhysicalSizeXUnit", w->o.pixel_size_x_um);
	physical(&x, "PhysicalSizeY", "PhysicalSizeYUnit", w->o.pixel_size_y_um);
	physical(&x, "PhysicalSizeZ", "PhysicalSizeZUnit", w->o.step_z_um);
	for (uint32_t c = 0; c < size_c; c++) {
		ogate_xmlw_start(&x, "Channel");
		ogate_xmlw_attrf(&x, "ID", "Channel:0:%" PRIu32, c);
		ogate_xmlw_attr(&x, "SamplesPerPixel", "1");
		ogate_xmlw_end(&x);
	}
	for (uint32_t i = 0; i < w->n_ifd; i++) {
		ogate_xmlw_start(&x, "TiffData");
		ogate_xmlw_attr_int(&x, "IFD", i);
		ogate_xmlw_attr_int(&x, "FirstZ", w->ifd[i].z);
		ogate_xmlw_attr_int(&x, "FirstT", w->ifd[i].t);
		ogate_xmlw_attr_int(&x, "FirstC", w->ifd[i].c);
		ogate_xmlw_attr(&x, "PlaneCount", "1");
		ogate_xmlw_end(&x);
	}
	if (!w->n_ifd) {
		/* the schema wants TiffData, BinData or MetadataOnly */
		ogate_xmlw_start(&x, "MetadataOnly");
		ogate_xmlw_end(&x);
	}
	if (w->planes.len)
		ogate_xmlw_raw(&x, w->planes.buf, w->planes.len);
	ogate_xmlw_end(&x); /* Pixels */
	if (w->prov.len) {
		ogate_xmlw_start(&x, "AnnotationRef");
		ogate_xmlw_attr(&x, "ID", "Annotation:0");
		ogate_xmlw_end(&x);
	}
	ogate_xmlw_end(&x); /* Image */
	if (w->prov.len || w->anns.len) {
		ogate_xmlw_start(&x, "StructuredAnnotations");
		if (w->prov.len)
			ogate_xmlw_raw(&x, w->prov.buf, w->prov.len);
		if (w->anns.len)
			ogate_xmlw_raw(&x, w->anns.buf, w->anns.len);
		ogate_xmlw_end(&x);
	}
	ogate_xmlw_end(&x); /* OME */
	if (ogate_xmlw_error(&w->planes) || ogate_xmlw_error(&w->anns) || ogate_xmlw_error(&w->prov)) {
		ogate_xmlw_free(&x);
		return NULL;
	}
	return ogate_xmlw_take(&x, len);
}
