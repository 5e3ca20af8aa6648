/* SPDX-License-Identifier: MIT */
/* Image stacks on disk: NumPy .npy (uint8/uint16, C order, N x H x W) and multi-page TIFF. */
#ifndef OGATE_STACKIO_H
#define OGATE_STACKIO_H
#include <stddef.h>
#include <stdint.h>

struct stack {
	int n, h, w;
	int bytes;		/* 1 or 2 per pixel */
	void *data;		/* n * h * w pixels, contiguous */
};

/* Load by extension (.npy, .tif, .tiff). 0 or -1 with a one-line message in err. */
int stack_load(const char *path, struct stack *s, char *err, size_t errlen);
int stack_save_npy(const char *path, const struct stack *s, char *err, size_t errlen);
/* deflate: zip-compress (lossless) */
int stack_save_tiff(const char *path, const struct stack *s, int deflate, char *err, size_t errlen);
void stack_free(struct stack *s);
static inline void *stack_frame(const struct stack *s, int i)
{
	return (char *)s->data + (size_t)i * s->h * s->w * s->bytes;
}
#endif
