/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* For a suite that #includes a library .c to pin that a big block is not cleared in one frame
 * (test_lag_ssd_store.c: sync_determine.c's SSD store; test_scan_rows_store.c: sync_scanreg.c's
 * registered rows): define calloc / malloc as these around the #include. alloc_spy_zeroed_max is
 * the largest block calloc was asked to zero; every malloc'd block is filled with the byte
 * alloc_spy_fill, so a read of a part nobody wrote changes the result. Include after stdlib.h
 * and string.h, before the .c under test. */
#ifndef OGATE_TEST_ALLOC_SPY_H
#define OGATE_TEST_ALLOC_SPY_H

static size_t alloc_spy_zeroed_max;
static int alloc_spy_fill;

static inline void *alloc_spy_calloc(size_t n, size_t size)
{
	if (n * size > alloc_spy_zeroed_max)
		alloc_spy_zeroed_max = n * size;
	return calloc(n, size);
}

static inline void *alloc_spy_malloc(size_t size)
{
	void *p = malloc(size);
	if (p)
		memset(p, alloc_spy_fill, size);
	return p;
}

#endif
