// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>
#include "stackio.h"

static size_t max_bytes_set;

void ogate_stack_set_max_bytes(size_t bytes)
{
	max_bytes_set = bytes;
}

size_t ogate_stack_max_bytes(void)
{
	if (max_bytes_set)
		return max_bytes_set;
	const char *e = getenv("OGATE_STACK_MAX_MB");
	char *end;
	unsigned long long mb = e ? strtoull(e, &end, 10) : 0;
	if (!e || end == e || *end || !mb || mb > SIZE_MAX / (1024 * 1024))
		mb = OGATE_STACK_MAX_MB_DEFAULT;
	return (size_t)mb * 1024 * 1024;
}

void ogate_stack_free(struct ogate_stack *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

/* a * b into *r; 0 when it does not fit in size_t */
static int mul_ok(size_t a, size_t b, size_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

static double mib(size_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

/* the pixel bytes of n frames of h x w x bytes, checked for overflow and against the memory bound */
static int pixel_bytes(const char *path, size_t n, size_t h, size_t w, int bytes, size_t *total,
		       char *err, size_t el)
{
	size_t fb, t;
	if (!mul_ok(h, w, &fb) || !mul_ok(fb, (size_t)bytes, &fb) || !mul_ok(fb, n, &t) ||
	    t > ogate_stack_max_bytes()) {
		snprintf(err, el,
			 "%s: %zu frames of %zu x %zu %d-bit pixels exceed the memory bound of %.0f MiB "
			 "(OGATE_STACK_MAX_MB)",
			 path, n, h, w, 8 * bytes, mib(ogate_stack_max_bytes()));
		return -EFBIG;
	}
	*total = t;
	return 0;
}

/* Open a regular file for reading: the fd, or -errno with the reason in err. */
static int open_regular(const char *path, off_t *size, char *err, size_t el)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb)) {
		int e = errno;
		snprintf(err, el, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, el, "%s: %s", path,
			 S_ISDIR(sb.st_mode) ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
	}
	*size = sb.st_size;
	return fd;
}

/* ---- NumPy .npy ---- */

/* the text after "'key':" in a .npy header dict (either quote), NULL if absent */
static const char *dict_value(const char *hdr, const char *key)
{
	for (int q = 0; q < 2; q++) {
		char k[40];
		snprintf(k, sizeof(k), q ? "\"%s\"" : "'%s'", key);
		const char *p = strstr(hdr, k);
		if (!p)
			continue;
		p += strlen(k);
		while (*p == ' ')
			p++;
		if (*p++ != ':')
			return NULL;
		while (*p == ' ')
			p++;
		return p;
	}
	return NULL;
}

#define NPY_MAXDIM 32

/* "(a, b, c)" into d[]; the number of axes, or -EINVAL when it is not a tuple of integers */
static int parse_shape(const char *p, unsigned long long *d)
{
	int nd = 0;
	if (!p || *p++ != '(')
		return -EINVAL;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == ')')
			return nd;
		if (!isdigit((unsigned char)*p) || nd == NPY_MAXDIM)
			return -EINVAL;
		char *e;
		errno = 0;
		d[nd++] = strtoull(p, &e, 10);
		if (errno)
			return -EINVAL;
		p = e;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		else if (*p != ')')
			return -EINVAL;
	}
}

static void shape_text(char *b, size_t bl, const unsigned long long *d, int nd)
{
	size_t o = (size_t)snprintf(b, bl, "(");
	for (int i = 0; i < nd && o < bl; i++)
		o += (size_t)snprintf(b + o, bl - o, "%s%llu", i ? ", " : "", d[i]);
	if (o < bl)
		snprintf(b + o, bl - o, ")");
}

/* 10-byte prefix + header length field + header, then the data */
static int npy_header(FILE *f, const char *path, off_t fsize, char **hdr_out, off_t *data_off,
		      char *err, size_t el)
{
	unsigned char pre[12];
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
		snprintf(err, el, "%s: not a NumPy .npy file", path);
		return -EINVAL;
	}
	size_t hl, off = 10;
	if (pre[6] == 1) {
		hl = pre[8] | (pre[9] << 8);
	} else if (pre[6] == 2 || pre[6] == 3) {
		if (fread(pre + 10, 1, 2, f) != 2) {
			snprintf(err, el, "%s: truncated header", path);
			return -EINVAL;
		}
		hl = pre[8] | (pre[9] << 8) | ((size_t)pre[10] << 16) | ((size_t)pre[11] << 24);
		off = 12;
	} else {
		snprintf(err, el, "%s: .npy format version %d.%d is not supported (1.0 to 3.0 are)",
			 path, pre[6], pre[7]);
		return -EINVAL;
	}
	/* the header is a short dict: it must fit in the file and in 1 MiB */
	if ((off_t)(off + hl) > fsize || hl > (1 << 20)) {
		snprintf(err, el, "%s: truncated header (%zu bytes declared, the file has %lld)",
			 path, hl, (long long)fsize);
		return -EINVAL;
	}
	char *hdr = calloc(1, hl + 1);
	if (!hdr || fread(hdr, 1, hl, f) != hl) {
		snprintf(err, el, "%s: %s", path, hdr ? "truncated header" : strerror(ENOMEM));
		int rc = hdr ? -EINVAL : -ENOMEM;
		free(hdr);
		return rc;
	}
	for (size_t i = 0; i < hl; i++)
		if (!hdr[i])
			hdr[i] = ' ';
	*hdr_out = hdr;
	*data_off = (off_t)(off + hl);
	return 0;
}

static int load_npy(const char *path, struct ogate_stack *s, char *err, size_t el)
{
	off_t fsize;
	int fd = open_regular(path, &fsize, err, el);
	if (fd < 0)
		return fd;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, el, "%s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	char *hdr = NULL, descr[32] = "", shp[400];
	off_t doff;
	int rc = npy_header(f, path, fsize, &hdr, &doff, err, el);
	if (rc)
		goto fail;
	rc = -EINVAL; /* what the header says is not a stack we read */
	const char *dv = dict_value(hdr, "descr"), *fo = dict_value(hdr, "fortran_order");
	if (dv && (*dv == '\'' || *dv == '"')) {
		size_t k = 0;
		for (const char *p = dv + 1; *p && *p != *dv && k + 1 < sizeof(descr); p++)
			descr[k++] = *p;
		descr[k] = 0;
	}
	int bytes = !strcmp(descr, "|u1") || !strcmp(descr, "u1") || !strcmp(descr, "<u1") ? 1
		    : !strcmp(descr, "<u2")						   ? 2
											   : 0;
	unsigned long long d[NPY_MAXDIM];
	int nd = parse_shape(dict_value(hdr, "shape"), d);
	int fortran = fo && !strncmp(fo, "True", 4);
	free(hdr);
	if (!bytes) {
		snprintf(err, el,
			 "%s: dtype '%s' is not supported: need uint8 ('|u1') or little-endian uint16 ('<u2')",
			 path, descr);
		goto fail;
	}
	if (nd < 0) {
		snprintf(err, el, "%s: the header has no readable 'shape' tuple", path);
		goto fail;
	}
	shape_text(shp, sizeof(shp), d, nd);
	if (fortran) {
		snprintf(err, el,
			 "%s: shape %s is in Fortran order: save it in C order (numpy.ascontiguousarray)",
			 path, shp);
		goto fail;
	}
	/* extra axes of size 1 (frames x 1 x rows x cols, or a trailing channel) are dropped */
	int nd0 = nd;
	for (int i = 0; i < nd && nd > 3;)
		if (d[i] == 1) {
			memmove(d + i, d + i + 1, sizeof(d[0]) * (size_t)(nd - i - 1));
			nd--;
		} else {
			i++;
		}
	if (nd != 3) {
		snprintf(err, el,
			 "%s: shape %s has %d axes: expected frames x rows x cols (other axes must have size 1)",
			 path, shp, nd0);
		goto fail;
	}
	if (!d[0] || !d[1] || !d[2] || d[0] > INT_MAX || d[1] > INT_MAX || d[2] > INT_MAX) {
		snprintf(err, el, "%s: shape %s: every axis must hold 1 to %d elements", path, shp,
			 INT_MAX);
		goto fail;
	}
	size_t total;
	rc = pixel_bytes(path, d[0], d[1], d[2], bytes, &total, err, el);
	if (rc)
		goto fail;
	rc = -EINVAL;
	size_t fb = total / d[0];
	unsigned long long avail = (unsigned long long)(fsize - doff);
	if (avail < total) {
		snprintf(err, el,
			 "%s: truncated at frame %llu of %llu (%llu of %zu data bytes present)",
			 path, avail / fb, d[0], avail, total);
		goto fail;
	}
	if (avail > total) {
		snprintf(err, el,
			 "%s: %llu bytes after the last frame: shape %s and dtype '%s' do not describe the data",
			 path, avail - total, shp, descr);
		goto fail;
	}
	s->data = malloc(total);
	if (!s->data) {
		snprintf(err, el, "%s: out of memory for %zu bytes", path, total);
		rc = -ENOMEM;
		goto fail;
	}
	size_t got = fread(s->data, 1, total, f);
	if (got != total) {
		rc = ferror(f) && errno ? -errno : -EIO;
		snprintf(err, el, "%s: read failed at frame %zu of %llu: %s", path, got / fb, d[0],
			 ferror(f) ? strerror(-rc) : "unexpected end of file");
		ogate_stack_free(s);
		goto fail;
	}
	fclose(f);
	s->n = (int)d[0];
	s->h = (int)d[1];
	s->w = (int)d[2];
	s->bytes = bytes;
	if (nd0 != 3)
		snprintf(s->note, sizeof(s->note),
			 "%s: shape %.100s read as %d frames of %d x %d (size-1 axes dropped)",
			 path, shp, s->n, s->h, s->w);
	return 0;
fail:
	fclose(f);
	return rc;
}

/* ---- multi-page TIFF ---- */

struct tiff_msg {
	char text[200]; /* libtiff's first error message */
};

static int tiff_error(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	struct tiff_msg *m = user;
	if (m && !m->text[0])
		vsnprintf(m->text, sizeof(m->text), fmt, ap);
	return 1; /* handled: nothing on stderr */
}

static int tiff_quiet(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	return 1;
}

/* the most bytes of pixels one byte of a compressed strip can decode to (bounds a frame's declared
 * size by its strips' real size) */
static size_t expansion(uint16_t compression)
{
	switch (compression) {
	case COMPRESSION_NONE: return 1;
	case COMPRESSION_PACKBITS: return 64; /* a 2-byte run of 128 */
	case COMPRESSION_ADOBE_DEFLATE:
	case COMPRESSION_DEFLATE: return 1100; /* deflate's limit is 1032:1 */
	case COMPRESSION_LZW: return 4096;     /* 12-bit codes of up to 4096 bytes */
	default: return 1 << 16;	       /* others: the memory bound decides */
	}
}

/* NULL and *rc = -errno on failure */
static TIFF *tiff_open(const char *path, off_t *fsize, struct tiff_msg *m, int *rc, char *err, size_t el)
{
	int fd = open_regular(path, fsize, err, el);
	*rc = fd < 0 ? fd : -EINVAL;
	if (fd < 0)
		return NULL;
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
	if (!o) {
		snprintf(err, el, "%s: %s", path, strerror(ENOMEM));
		close(fd);
		*rc = -ENOMEM;
		return NULL;
	}
	size_t mx = ogate_stack_max_bytes();
	TIFFOpenOptionsSetMaxSingleMemAlloc(o, (tmsize_t)(mx > (size_t)INT64_MAX ? INT64_MAX : mx));
	TIFFOpenOptionsSetErrorHandlerExtR(o, tiff_error, m);
	TIFFOpenOptionsSetWarningHandlerExtR(o, tiff_quiet, NULL);
	TIFF *t = TIFFFdOpenExt(fd, path, "r", o);
	TIFFOpenOptionsFree(o);
	if (!t) {
		snprintf(err, el, "%s: not a readable TIFF file: %s", path,
			 m->text[0] ? m->text : "unknown libtiff error");
		close(fd); /* libtiff closes it only once open */
	}
	return t;
}

/* frame i's geometry, checked; its pixel bytes in *fb. 0, -EINVAL or -EFBIG */
static int tiff_frame_geometry(TIFF *t, const char *path, int i, off_t fsize,
			       const struct ogate_stack *s, uint32_t *w, uint32_t *h, int *bytes,
			       size_t *fb, char *err, size_t el)
{
	uint16_t bps = 0, spp = 1, fmt = SAMPLEFORMAT_UINT, comp = COMPRESSION_NONE;
	*w = *h = 0;
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, h);
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &fmt);
	TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &comp);
	if ((bps != 8 && bps != 16) || spp != 1 || fmt != SAMPLEFORMAT_UINT) {
		snprintf(err, el,
			 "%s: frame %d: need 8- or 16-bit unsigned greyscale (got %u bit, %u samples)",
			 path, i, bps, spp);
		return -EINVAL;
	}
	if (TIFFIsTiled(t)) {
		snprintf(err, el, "%s: frame %d: tiled TIFF is not supported", path, i);
		return -EINVAL;
	}
	*bytes = bps / 8;
	if (!*w || !*h || *w > INT_MAX || *h > INT_MAX) {
		snprintf(err, el, "%s: frame %d: %u x %u pixels: need 1 to %d per side", path, i,
			 *w, *h, INT_MAX);
		return -EINVAL;
	}
	if (i > 0 && ((int)*w != s->w || (int)*h != s->h || *bytes != s->bytes)) {
		snprintf(err, el, "%s: frame %d: %ux%u/%u-bit differs from frame 0 (%dx%d/%d-bit)",
			 path, i, *w, *h, bps, s->w, s->h, 8 * s->bytes);
		return -EINVAL;
	}
	int rc = pixel_bytes(path, (size_t)i + 1, *h, *w, *bytes, fb, err, el);
	if (rc)
		return rc;
	*fb /= (size_t)i + 1;
	/* the strips must be able to hold the frame: each inside the file, their sum times what the
	 * compression can expand to at least the frame's size */
	uint64_t *bc = NULL, *of = NULL, sum = 0;
	uint32_t ns = TIFFNumberOfStrips(t);
	if (!TIFFGetField(t, TIFFTAG_STRIPBYTECOUNTS, &bc) ||
	    !TIFFGetField(t, TIFFTAG_STRIPOFFSETS, &of) || !bc || !of || !ns) {
		snprintf(err, el, "%s: frame %d: no strip offsets or byte counts", path, i);
		return -EINVAL;
	}
	for (uint32_t k = 0; k < ns; k++) {
		if (of[k] > (uint64_t)fsize || bc[k] > (uint64_t)fsize - of[k]) {
			snprintf(err, el,
				 "%s: frame %d: strip %u (%llu bytes at %llu) lies beyond the end of the file "
				 "(%lld bytes): truncated?",
				 path, i, k, (unsigned long long)bc[k], (unsigned long long)of[k],
				 (long long)fsize);
			return -EINVAL;
		}
		if (__builtin_add_overflow(sum, bc[k], &sum))
			sum = UINT64_MAX;
	}
	size_t cap;
	if (!mul_ok(sum, expansion(comp), &cap) || cap >= *fb)
		return 0;
	snprintf(err, el,
		 "%s: frame %d: %u x %u %d-bit pixels (%zu bytes) cannot come from %llu bytes of strips "
		 "(compression %u expands at most %zux)",
		 path, i, *w, *h, 8 * *bytes, *fb, (unsigned long long)sum, comp, expansion(comp));
	return -EINVAL;
}

/* libtiff takes a directory cut short by the end of the file for the last one: check that the
 * current directory's entries and its link to the next one lie inside the file */
static int tiff_dir_complete(TIFF *t, off_t fsize)
{
	uint64_t off = TIFFCurrentDirOffset(t);
	unsigned char b[8];
	int big = TIFFIsBigTIFF(t), cs = big ? 8 : 2;
	if (pread(TIFFFileno(t), b, (size_t)cs, (off_t)off) != cs)
		return 0;
	uint64_t cnt = 0;
	for (int k = 0; k < cs; k++)
		cnt |= (uint64_t)b[TIFFIsBigEndian(t) ? k : cs - 1 - k] << (8 * (cs - 1 - k));
	if (cnt > (uint64_t)fsize)
		return 0;
	uint64_t end = off + (uint64_t)cs + cnt * (big ? 20 : 12) + (big ? 8 : 4);
	return end <= (uint64_t)fsize;
}

static int load_tiff(const char *path, struct ogate_stack *s, char *err, size_t el)
{
	struct tiff_msg m = { "" };
	off_t fsize;
	int rc;
	TIFF *t = tiff_open(path, &fsize, &m, &rc, err, el);
	if (!t)
		return rc;
	size_t cap = 0, hint = TIFFNumberOfDirectories(t);
	m.text[0] = 0;
	for (int i = 0;; i++) {
		uint32_t w, h;
		int bytes;
		size_t fb;
		m.text[0] = 0;
		rc = i == INT_MAX
			     ? -EFBIG
			     : tiff_frame_geometry(t, path, i, fsize, s, &w, &h, &bytes, &fb, err, el);
		if (rc)
			goto fail;
		rc = -EINVAL;
		if ((size_t)i == cap) {
			/* grow to what the directories announce, then by doubling, at most 64 MiB ahead of
			 * the frames actually decoded (pixel_bytes() checked (i + 1) frames) */
			size_t want = cap < hint ? hint : 2 * cap;
			if (want > cap + (64u << 20) / fb)
				want = cap + (64u << 20) / fb;
			if (want <= cap)
				want = cap + 1;
			if (want > ogate_stack_max_bytes() / fb)
				want = ogate_stack_max_bytes() / fb;
			void *nd = realloc(s->data, want * fb);
			if (!nd) {
				snprintf(err, el, "%s: frame %d: out of memory for %zu bytes", path,
					 i, want * fb);
				rc = -ENOMEM;
				goto fail;
			}
			s->data = nd;
			cap = want;
		}
		s->w = (int)w;
		s->h = (int)h;
		s->bytes = bytes;
		size_t rowb = (size_t)w * (size_t)bytes;
		for (uint32_t y = 0; y < h; y++) {
			char *dst = (char *)s->data + (size_t)i * fb + y * rowb;
			if (TIFFReadScanline(t, dst, y, 0) < 0) {
				snprintf(err, el, "%s: frame %d: cannot read row %u: %s", path, i,
					 y, m.text[0] ? m.text : "read error");
				goto fail;
			}
		}
		s->n = i + 1;
		if (!tiff_dir_complete(t, fsize)) {
			snprintf(err, el,
				 "%s: frame %d: its directory is cut short by the end of the file (%lld bytes): "
				 "truncated",
				 path, i, (long long)fsize);
			goto fail;
		}
		if (!TIFFReadDirectory(t)) {
			if (m.text[0]) { /* not the end: a broken link to the next frame */
				snprintf(err, el,
					 "%s: the directory after frame %d is unreadable (truncated file?): %s",
					 path, i, m.text);
				goto fail;
			}
			break;
		}
	}
	TIFFClose(t);
	void *fit = realloc(s->data, (size_t)s->n * (size_t)s->h * (size_t)s->w * (size_t)s->bytes);
	if (fit)
		s->data = fit;
	return 0;
fail:
	TIFFClose(t);
	ogate_stack_free(s);
	return rc;
}

int ogate_stack_load(const char *path, struct ogate_stack *s, char *err, size_t el)
{
	memset(s, 0, sizeof(*s));
	if (ends_with(path, ".npy"))
		return load_npy(path, s, err, el);
	if (ends_with(path, ".tif") || ends_with(path, ".tiff"))
		return load_tiff(path, s, err, el);
	snprintf(err, el, "%s: unknown input type (expected .npy, .tif or .tiff)", path);
	return -EINVAL;
}

int ogate_stack_save_npy(const char *path, const struct ogate_stack *s, char *err, size_t el)
{
	char hdr[128];
	int len = snprintf(hdr, sizeof(hdr),
			   "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d, %d), }",
			   s->bytes == 1 ? "|u1" : "<u2", s->n, s->h, s->w);
	int total = 10 + len + 1;
	int pad = (64 - total % 64) % 64;
	FILE *f = fopen(path, "wb");
	if (!f) {
		int e = errno;
		snprintf(err, el, "%s: %s", path, strerror(e));
		return -e;
	}
	unsigned hl = (unsigned)(len + pad + 1);
	unsigned char pre[10] = { 0x93,
				  'N',
				  'U',
				  'M',
				  'P',
				  'Y',
				  1,
				  0,
				  (unsigned char)(hl & 0xff),
				  (unsigned char)(hl >> 8) };
	fwrite(pre, 1, 10, f);
	fwrite(hdr, 1, (size_t)len, f);
	for (int i = 0; i < pad; i++)
		fputc(' ', f);
	fputc('\n', f);
	size_t total_b = (size_t)s->n * s->h * s->w * s->bytes;
	int bad = fwrite(s->data, 1, total_b, f) != total_b || ferror(f);
	int e = bad ? errno : 0;
	if (fclose(f) && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		e = e ? e : EIO;
		snprintf(err, el, "%s: write failed: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

int ogate_stack_save_tiff(const char *path, const struct ogate_stack *s, int deflate, char *err,
			  size_t el)
{
	struct tiff_msg m = { "" };
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
	if (!o) {
		snprintf(err, el, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	TIFFOpenOptionsSetErrorHandlerExtR(o, tiff_error, &m);
	TIFFOpenOptionsSetWarningHandlerExtR(o, tiff_quiet, NULL);
	errno = 0;
	TIFF *t = TIFFOpenExt(path, "w", o);
	TIFFOpenOptionsFree(o);
	if (!t) {
		int e = errno;
		snprintf(err, el, "%s: cannot create: %s", path, e ? strerror(e) : m.text);
		return e ? -e : -EIO;
	}
	size_t rowb = (size_t)s->w * s->bytes;
	char *row = malloc(rowb ? rowb : 1);
	if (!row) {
		snprintf(err, el, "%s: %s", path, strerror(ENOMEM));
		TIFFClose(t);
		return -ENOMEM;
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
		for (int y = 0; y < s->h; y++) {
			/* libtiff's predictor works in place: give it a copy, not the caller's frame */
			memcpy(row, (char *)ogate_stack_frame(s, i) + y * rowb, rowb);
			if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0) {
				snprintf(err, el, "%s: frame %d: write failed: %s", path, i, m.text);
				goto fail;
			}
		}
		if (!TIFFWriteDirectory(t)) {
			snprintf(err, el, "%s: frame %d: write failed: %s", path, i, m.text);
			goto fail;
		}
	}
	free(row);
	TIFFClose(t);
	return 0;
fail:
	free(row);
	TIFFClose(t);
	return -EIO;
}

/* ---- numeric CSV columns ---- */

#define CSV_MAXCOL 16
#define CSV_MAXFIELDS 256

static int csv_fail(FILE *f, double **cols, int ncol, int rc)
{
	for (int k = 0; k < ncol; k++) {
		free(cols[k]);
		cols[k] = NULL;
	}
	fclose(f);
	return rc;
}

int ogate_stack_read_csv(const char *path, int ncol, const char *const *names, double **cols,
			 int *n_out, char *err, size_t el)
{
	if (ncol < 1 || ncol > CSV_MAXCOL) {
		snprintf(err, el, "%s: %d columns asked for", path, ncol);
		return -EINVAL;
	}
	for (int k = 0; k < ncol; k++)
		cols[k] = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, el, "%s: %s", path, strerror(e));
		return -e;
	}
	int col[CSV_MAXCOL], have_header = 0, n = 0, cap = 0;
	long ln = 0;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		ln++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(f)) {
			snprintf(err, el, "%s: line %ld: longer than %zu characters", path, ln,
				 sizeof(line) - 2);
			return csv_fail(f, cols, ncol, -EINVAL);
		}
		if (line[0] == '\n' || line[0] == '\r' || line[0] == '#' || !line[0])
			continue;
		char *fields[CSV_MAXFIELDS], *save = NULL;
		int nf = 0;
		for (char *tok = strtok_r(line, ",\r\n", &save); tok;
		     tok = strtok_r(NULL, ",\r\n", &save)) {
			if (nf == CSV_MAXFIELDS) {
				snprintf(err, el, "%s: line %ld: more than %d fields", path, ln,
					 CSV_MAXFIELDS);
				return csv_fail(f, cols, ncol, -EINVAL);
			}
			fields[nf++] = tok;
		}
		if (!have_header && !n && isalpha((unsigned char)line[0])) {
			have_header = 1;
			for (int k = 0; k < ncol; k++) {
				col[k] = -1;
				for (int c = 0; c < nf; c++)
					if (!strcmp(fields[c], names[k]))
						col[k] = c;
				if (col[k] < 0) {
					snprintf(err, el, "%s: no column '%s' in the header", path,
						 names[k]);
					return csv_fail(f, cols, ncol, -EINVAL);
				}
			}
			continue;
		}
		if (!have_header && ncol > 1) {
			snprintf(err, el, "%s: no header line naming the columns (%s, ...)", path,
				 names[0]);
			return csv_fail(f, cols, ncol, -EINVAL);
		}
		if (n == cap) {
			if (cap > INT_MAX / 2) {
				snprintf(err, el, "%s: more than %d rows", path, cap);
				return csv_fail(f, cols, ncol, -EINVAL);
			}
			cap = cap ? 2 * cap : 1024;
			for (int k = 0; k < ncol; k++) {
				double *nv = realloc(cols[k], sizeof(double) * (size_t)cap);
				if (!nv) {
					snprintf(err, el, "%s: %s", path, strerror(ENOMEM));
					return csv_fail(f, cols, ncol, -ENOMEM);
				}
				cols[k] = nv;
			}
		}
		for (int k = 0; k < ncol; k++) {
			int c = have_header ? col[k] : nf - 1;
			char *end = NULL;
			double x = c >= 0 && c < nf ? strtod(fields[c], &end) : NAN;
			while (end && (*end == ' ' || *end == '\t'))
				end++;
			if (c < 0 || c >= nf || end == fields[c] || *end || !isfinite(x)) {
				snprintf(err, el, "%s: line %ld (row %d): %s is not a number", path,
					 ln, n, have_header ? names[k] : "the last column");
				return csv_fail(f, cols, ncol, -EINVAL);
			}
			cols[k][n] = x;
		}
		n++;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;
		snprintf(err, el, "%s: %s", path, strerror(e));
		return csv_fail(f, cols, ncol, -e);
	}
	fclose(f);
	*n_out = n;
	return 0;
}
