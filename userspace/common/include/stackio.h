/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Image stacks on disk: NumPy .npy (uint8/uint16, C order, N x H x W) and multi-page TIFF, and the
 * numeric CSV columns that go with them (timestamps, ground truth).
 *
 * Nothing in a file is trusted: every size product is checked for overflow, against the file's real
 * size (a frame cannot hold more pixels than its bytes can encode) and against the memory bound
 * ogate_stack_max_bytes(). Errors are one line in err naming the file, the frame and the reason (errno's or
 * libtiff's message). Not thread-safe across ogate_stack_set_max_bytes(); loads themselves are reentrant. */
#ifndef OGATE_STACKIO_H
#define OGATE_STACKIO_H
#include <stddef.h>
#include <stdint.h>

struct ogate_stack {
	int n, h, w;
	int bytes;	/* 1 or 2 per pixel */
	void *data;	/* n * h * w pixels, contiguous */
	char note[192]; /* how the file was read when not as written (dropped size-1 axes), else "" */
};

/* Default bound on one stack's pixel bytes, overridden by the environment variable
 * OGATE_STACK_MAX_MB (MiB) or ogate_stack_set_max_bytes(). */
#define OGATE_STACK_MAX_MB_DEFAULT 4096
size_t ogate_stack_max_bytes(void);
/* 0: back to the environment / default */
void ogate_stack_set_max_bytes(size_t bytes);

/* Load by extension (.npy, .tif, .tiff). 0, or -errno with a one-line message in err: -EINVAL
 * (not a stack this reads: format, dtype, shape, truncation), -EFBIG (over the memory bound),
 * -ENOMEM, or the system's errno from opening or reading the file (-ENOENT, -EISDIR, -EIO, ...). */
int ogate_stack_load(const char *path, struct ogate_stack *s, char *err, size_t errlen);
int ogate_stack_save_npy(const char *path, const struct ogate_stack *s, char *err, size_t errlen);
/* deflate: zip-compress (lossless). The savers: 0, or -errno (-EIO for a failed libtiff write). */
int ogate_stack_save_tiff(const char *path, const struct ogate_stack *s, int deflate, char *err,
			  size_t errlen);
void ogate_stack_free(struct ogate_stack *s);
static inline void *ogate_stack_frame(const struct ogate_stack *s, int i)
{
	return (char *)s->data + (size_t)i * s->h * s->w * s->bytes;
}

/* Numeric columns of a CSV file: '#' comment and blank lines skipped; a first line starting with a
 * letter is a header. Column k is the header column named names[k]; without a header (only allowed
 * for ncol == 1) it is the last column of each line. Every value must be a finite number. On success
 * cols[k] is malloc'd with *n values each (free them) and 0 is returned; else -EINVAL (not numbers
 * as asked), -ENOMEM or the system's errno, and err says which file, line and column. */
int ogate_stack_read_csv(const char *path, int ncol, const char *const *names, double **cols,
			 int *n, char *err, size_t errlen);
#endif
