// SPDX-License-Identifier: GPL-2.0 OR MIT
/* OME-TIFF writer: pages with libtiff, OME-XML into page 0 at close (ogate/ome.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ome_private.h"

/* Classic TIFF addresses 4 GiB; keep a margin for the directories and the XML. */
#define CLASSIC_LIMIT (4000ull * 1024 * 1024)
/* Auto: BigTIFF when the expected pixel data passes this. */
#define BIGTIFF_AUTO (3ull * 1024 * 1024 * 1024)

void ogate_ome_opts_init(struct ogate_ome_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bits = 16;
	o->bigtiff = -1;
	o->pixel_size_x_um = NAN;
	o->pixel_size_y_um = NAN;
	o->step_z_um = NAN;
	o->objective_magnification = NAN;
	o->plane_ns = "ogate.gating";
}

void ogate_ome_plane_init(struct ogate_ome_plane *p)
{
	memset(p, 0, sizeof(*p));
	p->position_z_um = NAN;
	p->delta_t_s = NAN;
	p->exposure_s = NAN;
}

int ogate_ome_plane_kv(struct ogate_ome_plane *p, const char *key, const char *fmt, ...)
{
	struct ogate_ome_kv *kv;
	va_list ap;
	int n;

	if (p->nkv >= OGATE_OME_KV_MAX)
		return -ENOSPC;
	if (!key || !*key || strlen(key) >= OGATE_OME_KEY_LEN)
		return -EINVAL;
	kv = &p->kv[p->nkv];
	va_start(ap, fmt);
	n = vsnprintf(kv->value, sizeof(kv->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(kv->value))
		return -EINVAL;
	snprintf(kv->key, sizeof(kv->key), "%s", key);
	p->nkv++;
	return 0;
}

static int tiff_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	struct ogate_ome_writer *w = user;
	char msg[200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(w->tiff_err, sizeof(w->tiff_err), "%s: %s", module ? module : "libtiff", msg);
	return 1;
}

static int tiff_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	return 1; /* warnings (unknown tags when reopening) are not errors */
}

static TIFF *tiff_open(struct ogate_ome_writer *w, const char *mode)
{
	TIFFOpenOptions *oo = TIFFOpenOptionsAlloc();
	TIFF *tif;

	if (!oo)
		return NULL;
	TIFFOpenOptionsSetErrorHandlerExtR(oo, tiff_error, w);
	TIFFOpenOptionsSetWarningHandlerExtR(oo, tiff_warning, w);
	tif = TIFFOpenExt(w->path, mode, oo);
	TIFFOpenOptionsFree(oo);
	return tif;
}

static char *dup_or_null(const char *s, int *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*bad = 1;
	return d;
}

static void writer_free(struct ogate_ome_writer *w)
{
	if (!w)
		return;
	free(w->path);
	free(w->image_name);
	free(w->description);
	free(w->plane_ns);
	free(w->creator);
	ogate_xmlw_free(&w->prov);
	free(w->ifd);
	ogate_xmlw_free(&w->planes);
	ogate_xmlw_free(&w->anns);
	free(w);
}

int ogate_ome_open(struct ogate_ome_writer **out, const char *path,
		   const struct ogate_ome_opts *opts, char *err, size_t errlen)
{
	struct ogate_ome_writer *w;
	const char *base;
	uint64_t expect;
	int bad = 0;

	*out = NULL;
	if (!path || !opts->width || !opts->height || (opts->bits != 8 && opts->bits != 16) ||
	    opts->width > 65535 || opts->height > 65535) {
		snprintf(err, errlen,
			 "OME-TIFF: bad geometry %ux%u, %d bits (8 or 16, up to 65535 "
			 "pixels a side)",
			 opts->width, opts->height, opts->bits);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "OME-TIFF: out of memory");
		return -ENOMEM;
	}
	w->o = *opts;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	w->path = dup_or_null(path, &bad);
	w->image_name = dup_or_null(opts->image_name ? opts->image_name : base, &bad);
	w->description = dup_or_null(opts->description, &bad);
	w->plane_ns = dup_or_null(opts->plane_ns ? opts->plane_ns : "ogate.gating", &bad);
	w->creator = dup_or_null(opts->creator, &bad);
	w->o.provenance = NULL;
	w->o.image_name = w->o.description = w->o.plane_ns = w->o.creator = NULL;
	if (bad) {
		writer_free(w);
		snprintf(err, errlen, "OME-TIFF: out of memory");
		return -ENOMEM;
	}
	ogate_xmlw_init(&w->planes, 3);
	ogate_xmlw_init(&w->anns, 2);
	ogate_xmlw_init(&w->prov, 2);
	if (opts->n_provenance)
		ome_xml_provenance(w, opts->provenance, opts->n_provenance);
	if (ogate_xmlw_error(&w->prov)) {
		snprintf(err, errlen, "OME-TIFF: provenance: bad key or out of memory");
		writer_free(w);
		return -EINVAL;
	}
	w->plane_bytes = (size_t)opts->width * opts->height * (size_t)(opts->bits / 8);
	w->rows_per_strip = (uint32_t)(8192 / ((size_t)opts->width * (size_t)(opts->bits / 8)));
	if (w->rows_per_strip < 1)
		w->rows_per_strip = 1;
	if (w->rows_per_strip > opts->height)
		w->rows_per_strip = opts->height;
	expect = (uint64_t)w->plane_bytes * opts->planes_hint;
	w->bigtiff = opts->bigtiff >= 0 ? !!opts->bigtiff : expect > BIGTIFF_AUTO;
	w->tif = tiff_open(w, w->bigtiff ? "w8" : "w");
	if (!w->tif) {
		snprintf(err, errlen, "%s: cannot create (%s)", path,
			 w->tiff_err[0] ? w->tiff_err : strerror(errno));
		writer_free(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

uint32_t ogate_ome_planes(const struct ogate_ome_writer *w)
{
	return w->n_ifd;
}

int ogate_ome_write_plane(struct ogate_ome_writer *w, const struct ogate_ome_plane *p, const void *pixels)
{
	return ogate_ome_write_plane_strided(w, p, pixels, w->plane_bytes / w->o.height);
}

int ogate_ome_write_plane_strided(struct ogate_ome_writer *w, const struct ogate_ome_plane *p,
				  const void *pixels, size_t stride)
{
	size_t row = w->plane_bytes / w->o.height;
	TIFF *tif = w->tif;
	int bad = 0;

	if (!tif)
		return -EBADF;
	if (stride < row)
		return -EINVAL;
	if (!w->bigtiff && w->bytes_written + w->plane_bytes > CLASSIC_LIMIT)
		return -EFBIG;
	if (w->n_ifd == w->cap_ifd) {
		uint32_t cap = w->cap_ifd ? w->cap_ifd * 2 : 64;
		struct ome_ifd *n = realloc(w->ifd, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		w->ifd = n;
		w->cap_ifd = cap;
	}
	TIFFSetField(tif, TIFFTAG_SUBFILETYPE, 0);
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w->o.width);
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, w->o.height);
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, w->o.bits);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
	/*
	 * Strips of about 8 KiB (libtiff's default size), not one strip per
	 * page: libtiff chops a single large strip when it reads a directory
	 * for update ("r+" cannot turn that off), so page 0 rewritten at close
	 * would no longer match the other pages.
	 */
	TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, w->rows_per_strip);
	if (!w->n_ifd)
		TIFFSetField(tif, TIFFTAG_SOFTWARE, w->creator ? w->creator : "ogate");
	if (stride == row) {
		for (uint32_t y = 0, k = 0; y < w->o.height && !bad; y += w->rows_per_strip, k++) {
			uint32_t n = w->o.height - y < w->rows_per_strip ? w->o.height - y
									 : w->rows_per_strip;

			bad = TIFFWriteEncodedStrip(tif, k, (uint8_t *)pixels + (size_t)y * row,
						    (tmsize_t)((size_t)n * row)) < 0;
		}
	} else {
		for (uint32_t y = 0; y < w->o.height && !bad; y++)
			bad = TIFFWriteScanline(tif, (uint8_t *)pixels + (size_t)y * stride, y, 0) < 0;
	}
	if (bad || !TIFFWriteDirectory(tif))
		return -EIO;
	w->ifd[w->n_ifd].z = p->z;
	w->ifd[w->n_ifd].t = p->t;
	w->ifd[w->n_ifd].c = p->c;
	w->n_ifd++;
	w->bytes_written += w->plane_bytes;
	if (p->z + 1 > w->size_z)
		w->size_z = p->z + 1;
	if (p->t + 1 > w->size_t_)
		w->size_t_ = p->t + 1;
	if (p->c + 1 > w->size_c)
		w->size_c = p->c + 1;
	ome_xml_add_plane(w, p);
	return ogate_xmlw_error(&w->planes) || ogate_xmlw_error(&w->anns) ? -ENOMEM : 0;
}

void ogate_ome_abandon(struct ogate_ome_writer *w)
{
	if (!w)
		return;
	if (w->tif)
		TIFFClose(w->tif);
	writer_free(w);
}

int ogate_ome_close(struct ogate_ome_writer *w, char *err, size_t errlen)
{
	char *xml;
	size_t len;
	int rc = 0;

	if (!w)
		return 0;
	TIFFClose(w->tif);
	w->tif = NULL;
	if (w->tiff_err[0]) {
		snprintf(err, errlen, "%s: %s", w->path, w->tiff_err);
		writer_free(w);
		return -EIO;
	}
	if (!w->n_ifd) {
		snprintf(err, errlen, "%s: no plane written", w->path);
		writer_free(w);
		return -ENODATA;
	}
	xml = ogate_ome_xml(w, &len);
	if (!xml) {
		snprintf(err, errlen, "%s: OME-XML: out of memory", w->path);
		writer_free(w);
		return -ENOMEM;
	}
	/* page 0 gets the description; its directory is rewritten at the end */
	w->tif = tiff_open(w, "r+");
	if (!w->tif || !TIFFSetDirectory(w->tif, 0) ||
	    !TIFFSetField(w->tif, TIFFTAG_IMAGEDESCRIPTION, xml) || !TIFFRewriteDirectory(w->tif)) {
		snprintf(err, errlen, "%s: writing the OME-XML failed (%s)", w->path,
			 w->tiff_err[0] ? w->tiff_err : "libtiff");
		rc = -EIO;
	}
	if (w->tif)
		TIFFClose(w->tif);
	w->tif = NULL;
	free(xml);
	writer_free(w);
	return rc;
}
