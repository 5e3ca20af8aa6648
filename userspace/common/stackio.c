/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tiffio.h>
#include "stackio.h"

void stack_free(struct stack *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

static int load_npy(const char *path, struct stack *s, char *err, size_t el)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, el, "%s: %s", path, strerror(errno));
		return -1;
	}
	unsigned char pre[10];
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
		snprintf(err, el, "%s: not a NumPy .npy file", path);
		goto fail;
	}
	size_t hl;
	if (pre[6] == 1) {
		hl = pre[8] | (pre[9] << 8);
	} else {
		unsigned char x[2];
		if (fread(x, 1, 2, f) != 2)
			goto trunc;
		hl = pre[8] | (pre[9] << 8) | ((size_t)x[0] << 16) | ((size_t)x[1] << 24);
	}
	char *hdr = calloc(1, hl + 1);
	if (!hdr || fread(hdr, 1, hl, f) != hl) {
		free(hdr);
		goto trunc;
	}
	int bytes = 0;
	if (strstr(hdr, "'|u1'") || strstr(hdr, "'u1'"))
		bytes = 1;
	else if (strstr(hdr, "'<u2'"))
		bytes = 2;
	int fortran = strstr(hdr, "'fortran_order': True") != NULL;
	char *sh = strstr(hdr, "'shape': (");
	int n = 0, h = 0, w = 0, k = sh ? sscanf(sh, "'shape': (%d, %d, %d)", &n, &h, &w) : 0;
	free(hdr);
	if (!bytes) {
		snprintf(err, el, "%s: dtype must be uint8 or little-endian uint16", path);
		goto fail;
	}
	if (fortran || k != 3 || n <= 0 || h <= 0 || w <= 0) {
		snprintf(err, el, "%s: expected a C-order 3-D array (frames, rows, cols)", path);
		goto fail;
	}
	size_t total = (size_t)n * h * w * bytes;
	s->data = malloc(total);
	if (!s->data) {
		snprintf(err, el, "%s: out of memory for %zu bytes", path, total);
		goto fail;
	}
	size_t got = fread(s->data, 1, total, f);
	if (got != total) {
		snprintf(err, el, "%s: truncated at frame %zu of %d", path, got / ((size_t)h * w * bytes), n);
		stack_free(s);
		goto fail;
	}
	fclose(f);
	s->n = n;
	s->h = h;
	s->w = w;
	s->bytes = bytes;
	return 0;
trunc:
	snprintf(err, el, "%s: truncated header", path);
fail:
	fclose(f);
	return -1;
}

static void tiff_quiet(const char *m, const char *fmt, va_list ap) { (void)m; (void)fmt; (void)ap; }

static int load_tiff(const char *path, struct stack *s, char *err, size_t el)
{
	TIFFSetWarningHandler(tiff_quiet);
	TIFFSetErrorHandler(tiff_quiet);
	TIFF *t = TIFFOpen(path, "r");
	if (!t) {
		snprintf(err, el, "%s: cannot open as TIFF", path);
		return -1;
	}
	int n = TIFFNumberOfDirectories(t), cap = n;
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		uint32_t w = 0, h = 0;
		uint16_t bps = 0, spp = 1, fmt = SAMPLEFORMAT_UINT, pc = PLANARCONFIG_CONTIG;
		if (!TIFFSetDirectory(t, (tdir_t)i)) {
			snprintf(err, el, "%s: frame %d: unreadable directory", path, i);
			goto fail;
		}
		TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
		TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
		TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
		TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
		TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &fmt);
		TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &pc);
		if ((bps != 8 && bps != 16) || spp != 1 || fmt != SAMPLEFORMAT_UINT) {
			snprintf(err, el, "%s: frame %d: need 8- or 16-bit unsigned greyscale (got %u bit, %u samples)",
				 path, i, bps, spp);
			goto fail;
		}
		if (i == 0) {
			s->w = (int)w;
			s->h = (int)h;
			s->bytes = bps / 8;
			s->data = malloc((size_t)cap * w * h * s->bytes);
			if (!s->data) {
				snprintf(err, el, "%s: out of memory", path);
				goto fail;
			}
		} else if ((int)w != s->w || (int)h != s->h || bps / 8 != s->bytes) {
			snprintf(err, el, "%s: frame %d: %ux%u/%u-bit differs from frame 0 (%dx%d/%d-bit)", path, i,
				 w, h, bps, s->w, s->h, 8 * s->bytes);
			goto fail;
		}
		size_t rowb = (size_t)w * s->bytes;
		if (TIFFIsTiled(t)) {
			snprintf(err, el, "%s: frame %d: tiled TIFF is not supported", path, i);
			goto fail;
		}
		for (uint32_t y = 0; y < h; y++) {
			char *dst = (char *)stack_frame(s, i) + y * rowb;
			if (TIFFReadScanline(t, dst, y, 0) < 0) {
				snprintf(err, el, "%s: frame %d: cannot read row %u", path, i, y);
				goto fail;
			}
		}
		s->n = i + 1;
	}
	TIFFClose(t);
	if (s->n == 0) {
		snprintf(err, el, "%s: no frames", path);
		return -1;
	}
	return 0;
fail:
	TIFFClose(t);
	stack_free(s);
	return -1;
}

int stack_load(const char *path, struct stack *s, char *err, size_t el)
{
	memset(s, 0, sizeof(*s));
	if (ends_with(path, ".npy"))
		return load_npy(path, s, err, el);
	if (ends_with(path, ".tif") || ends_with(path, ".tiff"))
		return load_tiff(path, s, err, el);
	snprintf(err, el, "%s: unknown input type (expected .npy, .tif or .tiff)", path);
	return -1;
}

int stack_save_npy(const char *path, const struct stack *s, char *err, size_t el)
{
	char hdr[128];
	int len = snprintf(hdr, sizeof(hdr), "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d, %d), }",
			   s->bytes == 1 ? "|u1" : "<u2", s->n, s->h, s->w);
	int total = 10 + len + 1;
	int pad = (64 - total % 64) % 64;
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, el, "%s: %s", path, strerror(errno));
		return -1;
	}
	unsigned hl = (unsigned)(len + pad + 1);
	unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 0xff), (unsigned char)(hl >> 8) };
	fwrite(pre, 1, 10, f);
	fwrite(hdr, 1, (size_t)len, f);
	for (int i = 0; i < pad; i++)
		fputc(' ', f);
	fputc('\n', f);
	size_t total_b = (size_t)s->n * s->h * s->w * s->bytes;
	if (fwrite(s->data, 1, total_b, f) != total_b || fclose(f)) {
		snprintf(err, el, "%s: write failed: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int stack_save_tiff(const char *path, const struct stack *s, int deflate, char *err, size_t el)
{
	TIFFSetWarningHandler(tiff_quiet);
	TIFFSetErrorHandler(tiff_quiet);
	TIFF *t = TIFFOpen(path, "w");
	if (!t) {
		snprintf(err, el, "%s: cannot create", path);
		return -1;
	}
	for (int i = 0; i < s->n; i++) {
		TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)s->w);
		TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)s->h);
		TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, (uint16_t)(8 * s->bytes));
		TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)1);
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
		TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)s->h);
		if (deflate) {
			TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
			TIFFSetField(t, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
		}
		TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
		TIFFSetField(t, TIFFTAG_PAGENUMBER, (uint16_t)i, (uint16_t)s->n);
		size_t rowb = (size_t)s->w * s->bytes;
		for (int y = 0; y < s->h; y++)
			if (TIFFWriteScanline(t, (char *)stack_frame(s, i) + y * rowb, (uint32_t)y, 0) < 0) {
				snprintf(err, el, "%s: frame %d: write failed", path, i);
				TIFFClose(t);
				return -1;
			}
		if (!TIFFWriteDirectory(t)) {
			snprintf(err, el, "%s: frame %d: write failed", path, i);
			TIFFClose(t);
			return -1;
		}
	}
	TIFFClose(t);
	return 0;
}
