// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The machine's vector extensions, asked once (cpu_isa.h). */
#include <stdatomic.h>

#include "cpu_isa.h"

int ogate_cpu_isa(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static atomic_int known = -1; /* any thread may be the first: each finds the same */
	int k = atomic_load_explicit(&known, memory_order_relaxed);

	if (k < 0) {
		k = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? 2
		    : __builtin_cpu_supports("avx2")					    ? 1
											    : 0;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k;
#else
	return 0;
#endif
}
