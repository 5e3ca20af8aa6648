// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Write the fuzzers' seed corpus into DIR/{tiff,npy,timestamps,truth}/: small valid files of every
 * kind the readers take (8/16-bit, plain/deflate TIFF, .npy v1/v2, 4-D) and the crafted ones the
 * readers must refuse. Fixed content: the same seeds on every run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "stackio.h"
#include "crafted.h"

static const char *dir;
static unsigned char buf[4096];

static const char *path(const char *sub, const char *name)
{
	static char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, name);
	return p;
}

static void put(const char *sub, const char *name, const void *b, size_t n)
{
	if (!n || crafted_write(path(sub, name), b, n)) {
		fprintf(stderr, "mkseeds: %s/%s: cannot write\n", sub, name);
		exit(1);
	}
}

static void text(const char *sub, const char *name, const char *s)
{
	put(sub, name, s, strlen(s));
}

static void saved(int n, int h, int w, int bytes, int deflate, const char *tif, const char *npy)
{
	struct ogate_stack s = { .n = n, .h = h, .w = w, .bytes = bytes };
	char err[256];
	s.data = malloc((size_t)n * h * w * bytes);
	for (size_t i = 0; i < (size_t)n * h * w * bytes; i++)
		((unsigned char *)s.data)[i] = (unsigned char)(i * 37 >> 2);
	if ((tif && ogate_stack_save_tiff(path("tiff", tif), &s, deflate, err, sizeof(err))) ||
	    (npy && ogate_stack_save_npy(path("npy", npy), &s, err, sizeof(err)))) {
		fprintf(stderr, "mkseeds: %s\n", err);
		exit(1);
	}
	free(s.data);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	dir = argv[1];
	mkdir(dir, 0755);
	saved(3, 6, 8, 1, 0, "u8.tif", "u8.npy");
	saved(2, 5, 7, 2, 0, "u16.tif", "u16.npy");
	saved(2, 9, 9, 2, 1, "u16_deflate.tif", NULL);
	put("tiff", "packbits.tif", buf, crafted_tiff(buf, sizeof(buf), 3, 64, 32, 8, 32773, 64));
	put("tiff", "wrap.tif", buf, crafted_tiff(buf, sizeof(buf), 8, 1u << 30, 1u << 30, 16, 32773, 1024));
	put("tiff", "big.tif", buf, crafted_tiff(buf, sizeof(buf), 2, 2048, 2048, 16, 32773, 64));
	put("tiff", "plain_short.tif", buf, crafted_tiff(buf, sizeof(buf), 2, 16, 16, 8, 1, 200));
	put("npy", "4d.npy", buf, crafted_npy(buf, sizeof(buf), "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 1, 3, 5), }", 60));
	put("npy", "wrap.npy", buf, crafted_npy(buf, sizeof(buf), "{'descr': '|u1', 'fortran_order': False, 'shape': (1073741824, 1073741824, 16), }", 0));
	put("npy", "fortran.npy", buf, crafted_npy(buf, sizeof(buf), "{'descr': '<u2', 'fortran_order': True, 'shape': (2, 3, 3), }", 36));
	size_t n = crafted_npy(buf, sizeof(buf), "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 2, 3), }", 24);
	memmove(buf + 12, buf + 10, n - 10);	/* the same as version 2.0: a 4-byte header length */
	buf[6] = 2, buf[10] = 0, buf[11] = 0;
	put("npy", "v2.npy", buf, n + 2);
	text("timestamps", "header.csv", "frame,t_s\n0,0.000000000\n1,0.012500000\n2,0.025000000\n");
	text("timestamps", "bare.csv", "# t in s\n0.0\n0.0125\n\n0.025\n");
	text("timestamps", "crlf.csv", "t_s,frame\r\n0.5,0\r\n0.51,1\r\n");
	text("truth", "truth.csv", "frame,t_s,psi_rad\n0,0.000000000,0.100000\n1,0.012500000,0.287000\n");
	text("truth", "swapped.csv", "psi_rad,t_s\n1e-3,0\n2.5e-1,1.25e-2\n");
	return 0;
}
