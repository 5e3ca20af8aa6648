// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libFuzzer target: the timestamps reader (ogate-emulate --timestamps: column t_s, else the last). */
#include "fuzz_input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(".csv");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "t_s" };
	fuzz_csv(data, size, 1, names);
	return 0;
}
