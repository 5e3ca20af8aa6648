// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <tiffio.h>
#include <unistd.h>

#include "log.h"
#include "recorder.h"

struct ogate_recorder {
	TIFF *tif;
	FILE *csv;
	uint64_t n;
	char path[512];
};

int ogate_recorder_check_dir(const char *dir, char *why, size_t whylen)
{
	int e;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		e = errno;
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	if (access(dir, W_OK | X_OK)) {
		e = errno;
		snprintf(why, whylen, "cannot write in %s: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}

struct ogate_recorder *ogate_recorder_open(const char *dir, int *err, char *why, size_t whylen)
{
	struct ogate_recorder *r = calloc(1, sizeof(*r));
	char csv[520], stamp[32];
	struct timespec ts;
	struct tm tm;
	int e;

	if (!r) {
		*err = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	*err = ogate_recorder_check_dir(dir, why, whylen);
	if (*err) {
		free(r);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(r->path, sizeof(r->path), "%s/ogate-%s-%03ld.tif", dir, stamp,
		 ts.tv_nsec / 1000000);
	snprintf(csv, sizeof(csv), "%.*s.csv", (int)strlen(r->path) - 4, r->path);
	r->csv = fopen(csv, "w");
	e = errno;
	if (r->csv)
		r->tif = TIFFOpen(r->path, "w8");	/* BigTIFF: long recordings pass 4 GiB */
	if (r->csv && r->tif &&
	    fprintf(r->csv, "index,sequence,timestamp_ns,state,phase_rad,unwrapped_rad,trigger\n") > 0 &&
	    fflush(r->csv) == 0) {
		ogate_info("recording to %s", r->path);
		return r;
	}
	if (r->csv && !r->tif)
		e = errno ? errno : EIO;
	else if (r->csv)
		e = errno ? errno : EIO;
	*err = -e;
	snprintf(why, whylen, "cannot create %s or its CSV: %s", r->path, strerror(e));
	if (r->tif)
		TIFFClose(r->tif);
	if (r->csv)
		fclose(r->csv);
	unlink(r->path);
	unlink(csv);
	free(r);
	return NULL;
}

/*
 * The CSV row goes first and is flushed; then the TIFF page. When the page
 * cannot be written, the row is taken back, so the two files always agree
 * (rows = pages), and a crash loses at most the frame being written.
 */
int ogate_recorder_write(struct ogate_recorder *r, const struct ogate_frame *f,
			 const struct ogate_record_row *row)
{
	const struct ogate_frame_meta *m = ogate_frame_get_meta(f);
	int w = ogate_frame_width(f), h = ogate_frame_height(f), y, e = 0;
	int bits = ogate_frame_format(f) == OGATE_PIX_U16 ? 16 : 8;
	const uint8_t *px = ogate_frame_pixels(f);
	char line[256];
	long off;
	int n;

	n = snprintf(line, sizeof(line), "%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%s,", r->n,
		     m->sequence, m->timestamp_ns, row->locked ? "locked" : "determine");
	if (row->locked)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%.6f,%.6f,", row->phase,
			      row->unwrapped);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",,");
	if (row->trigger >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%" PRId64, row->trigger);
	snprintf(line + n, sizeof(line) - (size_t)n, "\n");
	off = ftell(r->csv);
	errno = 0;
	if (off < 0 || fputs(line, r->csv) == EOF || fflush(r->csv)) {
		e = errno ? errno : EIO;
		goto undo;
	}
	TIFFSetField(r->tif, TIFFTAG_IMAGEWIDTH, w);
	TIFFSetField(r->tif, TIFFTAG_IMAGELENGTH, h);
	TIFFSetField(r->tif, TIFFTAG_BITSPERSAMPLE, bits);
	TIFFSetField(r->tif, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(r->tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	TIFFSetField(r->tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(r->tif, TIFFTAG_ROWSPERSTRIP, h);
	TIFFSetField(r->tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
	errno = 0;
	for (y = 0; y < h; y++)
		if (TIFFWriteScanline(r->tif, (void *)(px + (size_t)y * ogate_frame_stride(f)), y, 0) < 0)
			break;
	if (y < h || !TIFFWriteDirectory(r->tif)) {
		e = errno ? errno : EIO;
		goto undo;
	}
	r->n++;
	return 0;
undo:
	/* take the row back: the CSV never lists a frame the TIFF lacks */
	if (off >= 0) {
		clearerr(r->csv);
		if (fseek(r->csv, off, SEEK_SET) == 0)
			(void)!ftruncate(fileno(r->csv), off);
	}
	return -e;
}

uint64_t ogate_recorder_count(const struct ogate_recorder *r)
{
	return r->n;
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
