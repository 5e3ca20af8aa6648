// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * File replay: a multi-page TIFF or .npy stack (8 or 16 bit, read with the
 * emulator's readers), timestamps from a CSV (last column, seconds; a header
 * line is allowed) or a fixed fps; paced in real time or as fast as
 * possible; optionally looped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stackio.h"
#include "log.h"
#include "source_private.h"
#include "numparse.h"

struct filesrc {
	struct ogate_source base;
	struct ogate_stack st;
	double *t; /* seconds, relative to frame 0 */
	int loop;
};

static int read_timestamps(const char *path, int n, double *t)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int i = 0, lineno = 0;

	if (!f) {
		ogate_error("file camera: cannot open timestamps %s: %s", path, strerror(errno));
		return -errno;
	}
	while (i < n && fgets(line, sizeof(line), f)) {
		char *last = strrchr(line, ','), *field = last ? last + 1 : line;
		double v;

		lineno++;
		field += strspn(field, " \t");
		for (size_t len = strlen(field); len && strchr(" \t\r\n", field[len - 1]); len--)
			field[len - 1] = 0;
		if (ogate_parse_double(field, &v)) {
			if (lineno == 1)
				continue; /* header */
			ogate_error("file camera: %s:%d: no timestamp in '%.40s'", path, lineno, line);
			fclose(f);
			return -EINVAL;
		}
		if (i > 0 && !(v > t[i - 1])) {
			ogate_error("file camera: %s:%d: timestamp %.9g s does not increase", path,
				    lineno, v);
			fclose(f);
			return -EINVAL;
		}
		t[i++] = v;
	}
	fclose(f);
	if (i < n) {
		ogate_error("file camera: %s has %d timestamps for %d frames", path, i, n);
		return -EINVAL;
	}
	return 0;
}

static struct ogate_source *file_open(const struct ogate_source_opts *o, int *err)
{
	struct filesrc *fs = calloc(1, sizeof(*fs));
	char msg[256];
	int i;

	if (!fs) {
		*err = -ENOMEM;
		return NULL;
	}
	fs->base.ops = &ogate_source_file_ops;
	fs->base.fast = o->fast;
	fs->loop = o->loop;
	if (!o->path || !*o->path) {
		ogate_error("file camera: no file given (file.path)");
		*err = -EINVAL;
		goto fail;
	}
	int rc = ogate_stack_load(o->path, &fs->st, msg, sizeof(msg));
	if (rc) {
		ogate_error("file camera: %s", msg);
		*err = rc;
		goto fail;
	}
	fs->t = calloc((size_t)fs->st.n, sizeof(double));
	if (!fs->t) {
		*err = -ENOMEM;
		goto fail;
	}
	if (o->timestamps && *o->timestamps) {
		*err = read_timestamps(o->timestamps, fs->st.n, fs->t);
		if (*err)
			goto fail;
	} else {
		if (!(o->fps >= 1 && o->fps <= 2000)) {
			ogate_error("file camera: fps %g outside 1..2000", o->fps);
			*err = -EINVAL;
			goto fail;
		}
		for (i = 0; i < fs->st.n; i++)
			fs->t[i] = i / o->fps;
	}
	for (i = fs->st.n - 1; i >= 0; i--)
		fs->t[i] -= fs->t[0];
	if (ogate_source_pool_init(&fs->base, fs->st.bytes == 2 ? OGATE_PIX_U16 : OGATE_PIX_U8,
				   fs->st.w, fs->st.h)) {
		*err = -ENOMEM;
		goto fail;
	}
	snprintf(fs->base.desc, sizeof(fs->base.desc), "file %.50s (%d frames %dx%d, %s)", o->path,
		 fs->st.n, fs->st.w, fs->st.h, o->fast ? "fast" : "real time");
	return &fs->base;
fail:
	ogate_source_close(&fs->base);
	return NULL;
}

static void file_close(struct ogate_source *s)
{
	struct filesrc *fs = (struct filesrc *)s;

	ogate_stack_free(&fs->st);
	free(fs->t);
	free(fs);
}

static int file_stamp(struct ogate_source *s, uint64_t index, int64_t *rel_ns)
{
	struct filesrc *fs = (struct filesrc *)s;
	uint64_t n = (uint64_t)fs->st.n, cycle = index / n;
	double span;

	if (cycle && !fs->loop)
		return -ENODATA;
	/* a looped file continues one mean frame interval after its last frame */
	span = n > 1 ? fs->t[n - 1] * (double)n / (double)(n - 1) : 1.0;
	*rel_ns = (int64_t)llround((cycle * span + fs->t[index % n]) * 1e9);
	return 0;
}

static int file_render(struct ogate_source *s, uint64_t index, struct ogate_frame *f)
{
	struct filesrc *fs = (struct filesrc *)s;
	size_t row = (size_t)fs->st.w * fs->st.bytes, stride = ogate_frame_stride(f);
	const uint8_t *src = ogate_stack_frame(&fs->st, (int)(index % (uint64_t)fs->st.n));
	uint8_t *dst = ogate_frame_pixels(f);
	int r;

	for (r = 0; r < fs->st.h; r++)
		memcpy(dst + r * stride, src + r * row, row);
	return 0;
}

const struct ogate_source_ops ogate_source_file_ops = {
	.kind = "file",
	.open = file_open,
	.close = file_close,
	.stamp = file_stamp,
	.render = file_render,
};
