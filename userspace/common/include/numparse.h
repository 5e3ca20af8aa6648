/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Whole-string number parsing, shared by the daemon's configuration and the
 * tools: the whole string must be the number (no leading blank, nothing
 * after it). 0, or -EINVAL (not a number) or -ERANGE (out of the type's range).
 */
#ifndef OGATE_NUMPARSE_H
#define OGATE_NUMPARSE_H

#include <stdint.h>

/* strtoll in base (0, 8, 10, 16); in base 8 no sign is accepted. */
int ogate_parse_i64(const char *s, int base, int64_t *out);
/* strtod, finite values only. */
int ogate_parse_double(const char *s, double *out);

#endif
