// SPDX-License-Identifier: GPL-2.0 OR MIT
/* cpu_isa.c reports the widest vector extension the CPU runs, as __builtin_cpu_supports answers
 * it, on x86-64 and on i386 alike (test_cpu_isa_i386.sh runs this suite built with -m32), and 0
 * on every other architecture; every thread gets the same answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>
#include "cpu_isa.h"

static int widest_the_cpu_runs(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		return 2;
	if (__builtin_cpu_supports("avx2"))
		return 1;
#endif
	return 0;
}

static void cpu_isa_reports_the_widest_extension_the_cpu_runs(void **state)
{
	assert_int_equal(ogate_cpu_isa(), widest_the_cpu_runs());
}

static void *ask(void *out)
{
	*(int *)out = ogate_cpu_isa();
	return NULL;
}

static void cpu_isa_gives_every_thread_the_same_answer(void **state)
{
	pthread_t t[4];
	int got[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(0, pthread_create(&t[i], NULL, ask, &got[i]));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(0, pthread_join(t[i], NULL));
		assert_int_equal(got[i], widest_the_cpu_runs());
	}
	assert_int_equal(ogate_cpu_isa(), widest_the_cpu_runs());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpu_isa_reports_the_widest_extension_the_cpu_runs),
		cmocka_unit_test(cpu_isa_gives_every_thread_the_same_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
