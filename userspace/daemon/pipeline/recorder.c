// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <tiffio.h>

#include "log.h"
#include "recorder.h"

struct ogate_recorder {
	TIFF *tif;
	FILE *csv;
	uint64_t n;
	char path[512];
};

struct ogate_recorder *ogate_recorder_open(const char *dir, int *err)
{
	struct ogate_recorder *r = calloc(1, sizeof(*r));
	char csv[520], stamp[32];
	struct timespec ts;
	struct tm tm;

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		*err = -errno;
		ogate_error("recorder: cannot create %s: %s", dir, strerror(errno));
		free(r);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(r->path, sizeof(r->path), "%s/ogate-%s-%03ld.tif", dir, stamp,
		 ts.tv_nsec / 1000000);
	snprintf(csv, sizeof(csv), "%.*s.csv", (int)strlen(r->path) - 4, r->path);
	r->tif = TIFFOpen(r->path, "w8");	/* BigTIFF: long recordings pass 4 GiB */
	r->csv = fopen(csv, "w");
	if (!r->tif || !r->csv) {
		*err = -EIO;
		ogate_error("recorder: cannot create %s or its CSV: %s", r->path, strerror(errno));
		if (r->tif)
			TIFFClose(r->tif);
		if (r->csv)
			fclose(r->csv);
		free(r);
		return NULL;
	}
	fprintf(r->csv, "index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger\n");
	ogate_info("recording to %s", r->path);
	return r;
}

int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row)
{
	const struct ogate_frame_meta *m = ogate_frame_get_meta(f);
	int w = ogate_frame_width(f), h = ogate_frame_height(f), y;
	int bits = ogate_frame_format(f) == OGATE_PIX_U16 ? 16 : 8;
	const uint8_t *px = ogate_frame_pixels(f);

	TIFFSetField(r->tif, TIFFTAG_IMAGEWIDTH, w);
	TIFFSetField(r->tif, TIFFTAG_IMAGELENGTH, h);
	TIFFSetField(r->tif, TIFFTAG_BITSPERSAMPLE, bits);
	TIFFSetField(r->tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(r->tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	TIFFSetField(r->tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(r->tif, TIFFTAG_ROWSPERSTRIP, h);
	TIFFSetField(r->tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
	for (y = 0; y < h; y++)
		if (TIFFWriteScanline(r->tif, (void *)(px + (size_t)y * ogate_frame_stride(f)), y, 0) < 0)
			return -EIO;
	if (!TIFFWriteDirectory(r->tif))
		return -EIO;
	fprintf(r->csv, "%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%s,", r->n, m->sequence, m->timestamp_ns,
		row->locked ? "locked" : "determine");
	if (row->locked)
		fprintf(r->csv, "%.6f,%.6f,", row->phase, row->unwrapped);
	else
		fprintf(r->csv, ",,");
	if (row->trigger >= 0)
		fprintf(r->csv, "%" PRId64, row->trigger);
	fputc('\n', r->csv);
	r->n++;
	return 0;
}

uint64_t ogate_recorder_close(struct ogate_recorder *r)
{
	uint64_t n;

	if (!r)
		return 0;
	n = r->n;
	TIFFClose(r->tif);
	fclose(r->csv);
	ogate_info("recording closed: %" PRIu64 " frames in %s", n, r->path);
	free(r);
	return n;
}

const char *ogate_recorder_path(const struct ogate_recorder *r)
{
	return r->path;
}
