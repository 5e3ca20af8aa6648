/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Hand-made stack files for the stack reader's tests and the fuzzers' seed corpus: a classic
 * little-endian TIFF whose directories declare any size, and a .npy with any header. */
#ifndef OGATE_TESTS_CRAFTED_H
#define OGATE_TESTS_CRAFTED_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline void crafted_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void crafted_put32(unsigned char *p, uint32_t v)
{
	crafted_put16(p, (uint16_t)v);
	crafted_put16(p + 2, (uint16_t)(v >> 16));
}

/* nd directories, each declaring w x h pixels of bps bits with compression comp, all pointing at
 * one strip of sbytes bytes (PackBits runs of 64 zeros: 0xc1 0x00; libtiff decodes row by row and
 * drops the part of a run that crosses a row's end) right after the header.
 * Returns the file's size, or 0 when it did not fit in buf. */
static inline size_t crafted_tiff(unsigned char *buf, size_t cap, int nd, uint32_t w, uint32_t h, uint16_t bps,
				  uint16_t comp, uint32_t sbytes)
{
	static const uint16_t tags[9] = { 256, 257, 258, 259, 262, 273, 277, 278, 279 };
	size_t ifd = 2 + 9 * 12 + 4, size = 8 + sbytes + (size_t)nd * ifd;
	if (size > cap)
		return 0;
	memcpy(buf, "II*\0", 4);
	crafted_put32(buf + 4, 8 + sbytes);
	for (uint32_t i = 0; i < sbytes; i++)
		buf[8 + i] = i % 2 ? 0x00 : 0xc1;
	for (int d = 0; d < nd; d++) {
		unsigned char *p = buf + 8 + sbytes + (size_t)d * ifd;
		uint32_t val[9] = { w, h, bps, comp, 1, 8, 1, h, sbytes };
		crafted_put16(p, 9);
		for (int e = 0; e < 9; e++) {
			unsigned char *q = p + 2 + 12 * e;
			int shortv = e == 2 || e == 3 || e == 4 || e == 6;
			crafted_put16(q, tags[e]);
			crafted_put16(q + 2, shortv ? 3 : 4);
			crafted_put32(q + 4, 1);
			crafted_put32(q + 8, val[e]);
		}
		crafted_put32(p + 2 + 9 * 12, d + 1 < nd ? (uint32_t)(8 + sbytes + (size_t)(d + 1) * ifd) : 0);
	}
	return size;
}

/* a version 1.0 .npy with the dict header given, followed by ndata bytes of the value 7 */
static inline size_t crafted_npy(unsigned char *buf, size_t cap, const char *dict, size_t ndata)
{
	size_t len = strlen(dict), hl = len + 1;
	hl += (64 - (10 + hl) % 64) % 64;
	if (10 + hl + ndata > cap || hl > 65535)
		return 0;
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	crafted_put16(buf + 8, (uint16_t)hl);
	memcpy(buf + 10, dict, len);
	memset(buf + 10 + len, ' ', hl - len - 1);
	buf[10 + hl - 1] = '\n';
	memset(buf + 10 + hl, 7, ndata);
	return 10 + hl + ndata;
}

static inline int crafted_write(const char *path, const unsigned char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(b, 1, n, f);
	return fclose(f) || w != n ? -1 : 0;
}
#endif
