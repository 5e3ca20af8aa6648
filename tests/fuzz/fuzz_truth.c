// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libFuzzer target: the ground-truth reader (ogate-emulate --truth: columns t_s and psi_rad). */
#include "fuzz_input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(".csv");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "t_s", "psi_rad" };
	fuzz_csv(data, size, 2, names);
	return 0;
}
