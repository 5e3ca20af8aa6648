// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ABI promise: every ioctl structure has one layout for 32- and 64-bit
 * userlands. This file is compiled with -m64 and -m32; each build checks the
 * sizes and offsets at compile time and reports them as TAP when run.
 */
#include <stddef.h>
#include <stdio.h>
#include "ogate.h"

#define SIZE(t, n) _Static_assert(sizeof(struct t) == (n), #t " size")
#define OFF(t, f, n) _Static_assert(offsetof(struct t, f) == (n), #t "." #f " offset")

SIZE(ogate_version, 32);
SIZE(ogate_info, 128);
OFF(ogate_info, min_width_ns, 32);
OFF(ogate_info, name, 64);
SIZE(ogate_line_info, 64);
OFF(ogate_line_info, name, 16);
SIZE(ogate_trigger, 56);
OFF(ogate_trigger, cookie, 8);
OFF(ogate_trigger, line_mask, 16);
OFF(ogate_trigger, id, 32);
SIZE(ogate_trigger_batch, 32);
OFF(ogate_trigger_batch, count, 8);
SIZE(ogate_cancel, 32);
OFF(ogate_cancel, value, 8);
OFF(ogate_cancel, count, 16);
SIZE(ogate_stats, 256);
OFF(ogate_stats, frames, 8);
OFF(ogate_stats, hist, 88);
OFF(ogate_stats, irqoff_max_ns, 216);
OFF(ogate_stats, reserved, 224);
SIZE(ogate_event, 64);
OFF(ogate_event, id, 8);
OFF(ogate_event, seq, 48);

int main(void)
{
	static const struct { const char *name; size_t size; } s[] = {
		{ "ogate_version", sizeof(struct ogate_version) },
		{ "ogate_info", sizeof(struct ogate_info) },
		{ "ogate_line_info", sizeof(struct ogate_line_info) },
		{ "ogate_trigger", sizeof(struct ogate_trigger) },
		{ "ogate_trigger_batch", sizeof(struct ogate_trigger_batch) },
		{ "ogate_cancel", sizeof(struct ogate_cancel) },
		{ "ogate_stats", sizeof(struct ogate_stats) },
		{ "ogate_event", sizeof(struct ogate_event) },
	};
	size_t i, n = sizeof(s) / sizeof(s[0]);

	printf("1..%zu\n", n);
	for (i = 0; i < n; i++)
		printf("ok %zu abi_%u_bit_layout_%s (%zu bytes)\n", i + 1,
		       (unsigned)(sizeof(void *) * 8), s[i].name, s[i].size);
	return 0;
}
