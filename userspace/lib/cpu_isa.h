/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The machine's vector extensions, for the kernels chosen at run time (private). */
#ifndef OGATE_CPU_ISA_H
#define OGATE_CPU_ISA_H

/* the widest x86 extension this machine runs (x86-64 or i386): 2 AVX-512 (F and BW), 1 AVX2, 0
 * neither (and 0 on every other architecture, whose builds vectorise for their baseline); any
 * thread, measured once (the SAD dispatch's AVX2 and AVX-512 back ends; resample.c's four taps
 * and sync_smooth_look.c's sums, on x86-64 only) */
int ogate_cpu_isa(void);

#endif
