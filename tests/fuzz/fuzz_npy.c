// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libFuzzer target: the NumPy .npy stack reader (ogate_stack_load on a .npy file). */
#include "fuzz_input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(".npy");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stack(data, size);
	return 0;
}
