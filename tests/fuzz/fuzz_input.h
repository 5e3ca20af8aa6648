/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* What every fuzz target shares: the input bytes become a file with the extension the reader
 * dispatches on (a memfd behind a symlink, rewritten per run), the stack memory bound is small
 * enough for libFuzzer's RSS limit, and what a reader returns is read through so that ASan sees
 * a buffer shorter than it claims. */
#ifndef OGATE_FUZZ_INPUT_H
#define OGATE_FUZZ_INPUT_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "stackio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fuzz_fd = -1;
static volatile double fuzz_sink;	/* what was read, so that the reads stay */
static char fuzz_path[128];

/* once: a memfd reachable as <tmpdir>/input<ext> */
static inline void fuzz_setup(const char *ext)
{
	char dir[] = "/tmp/ogate-fuzz-XXXXXX";
	char target[64];
	fuzz_fd = memfd_create("ogate-fuzz", MFD_CLOEXEC);
	if (fuzz_fd < 0 || !mkdtemp(dir)) {
		perror("ogate fuzz setup");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/input%s", dir, ext);
	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), fuzz_fd);
	if (symlink(target, fuzz_path)) {
		perror(fuzz_path);
		abort();
	}
	ogate_stack_set_max_bytes(64u << 20);	/* 64 MiB: well inside -rss_limit_mb */
}

static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	if (ftruncate(fuzz_fd, 0) || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	return fuzz_path;
}

/* load the input as a stack; on success every pixel is read */
static inline void fuzz_stack(const uint8_t *data, size_t size)
{
	struct ogate_stack s;
	char err[512];
	unsigned sum = 0;
	if (ogate_stack_load(fuzz_file(data, size), &s, err, sizeof(err)))
		return;
	if (s.n < 1 || s.h < 1 || s.w < 1 || (s.bytes != 1 && s.bytes != 2))
		abort();
	size_t total = (size_t)s.n * (size_t)s.h * (size_t)s.w * (size_t)s.bytes;
	for (size_t i = 0; i < total; i += 61)
		sum += ((const unsigned char *)s.data)[i];
	sum += ((const unsigned char *)s.data)[total - 1];
	fuzz_sink = sum;
	ogate_stack_free(&s);
}

/* read ncol named CSV columns; on success every value is read */
static inline void fuzz_csv(const uint8_t *data, size_t size, int ncol, const char *const *names)
{
	double *cols[2];
	int n = -1;
	char err[512];
	double sum = 0;
	if (ogate_stack_read_csv(fuzz_file(data, size), ncol, names, cols, &n, err, sizeof(err)))
		return;
	if (n < 0)
		abort();
	for (int k = 0; k < ncol; k++) {
		for (int i = 0; i < n; i++)
			sum += cols[k][i];
		free(cols[k]);
	}
	fuzz_sink = sum;
}
#endif
