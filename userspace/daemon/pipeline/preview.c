// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A frame to a file in the format its name says: .png (libpng) or .pgm. */
#include <errno.h>
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "preview.h"

static bool ends_with(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);

	return n > e && !strcasecmp(s + n - e, ext);
}

int ogate_preview_format(const char *path)
{
	if (ends_with(path, ".png"))
		return OGATE_PREVIEW_PNG;
	if (ends_with(path, ".pgm"))
		return OGATE_PREVIEW_PGM;
	return -EPROTONOSUPPORT;
}

static int write_pgm(const struct ogate_frame *f, FILE *out)
{
	int w = ogate_frame_width(f), h = ogate_frame_height(f), x, y;
	bool wide = ogate_frame_format(f) == OGATE_PIX_U16;

	fprintf(out, "P5\n%d %d\n%d\n", w, h, wide ? 65535 : 255);
	for (y = 0; y < h; y++) {
		const uint8_t *row =
			(const uint8_t *)ogate_frame_pixels(f) + (size_t)y * ogate_frame_stride(f);

		if (!wide) {
			fwrite(row, 1, (size_t)w, out);
			continue;
		}
		for (x = 0; x < w; x++) { /* PGM is big-endian */
			uint16_t v = ((const uint16_t *)row)[x];

			fputc(v >> 8, out);
			fputc(v & 0xff, out);
		}
	}
	return 0;
}

static int write_png(const struct ogate_frame *f, FILE *out)
{
	int w = ogate_frame_width(f), h = ogate_frame_height(f), y;
	bool wide = ogate_frame_format(f) == OGATE_PIX_U16;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;

	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return -EIO;
	}
	png_init_io(png, out);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, wide ? 16 : 8, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	if (wide)
		png_set_swap(png); /* PNG is big-endian; frames are host order */
	for (y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)ogate_frame_pixels(f) +
					   (size_t)y * ogate_frame_stride(f));
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int ogate_preview_write(const struct ogate_frame *f, const char *path)
{
	int fmt = ogate_preview_format(path), ret;
	FILE *out;

	if (fmt < 0)
		return fmt;
	out = fopen(path, "wb");
	if (!out)
		return -errno;
	ret = fmt == OGATE_PREVIEW_PNG ? write_png(f, out) : write_pgm(f, out);
	if (!ret && ferror(out))
		ret = -EIO;
	if (fclose(out) && !ret)
		ret = -errno;
	return ret;
}
