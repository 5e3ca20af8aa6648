/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The few cmocka calls the SAD tests use, for running them on a foreign
 * architecture under qemu-user where no cmocka library for that
 * architecture is installed. Prints TAP like cmocka's TAP output (a skipped case as
 * "ok N - name # SKIP").
 */
#ifndef OGATE_CROSS_CMOCKA_H
#define OGATE_CROSS_CMOCKA_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct CMUnitTest {
	const char *name;
	void (*fn)(void **state);
};

static jmp_buf cross_fail;

#define cross_check(cond, ...) \
	do { \
		if (!(cond)) { \
			printf("# %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
			longjmp(cross_fail, 1); \
		} \
	} while (0)
#define assert_true(c) cross_check((c), "%s", #c)
#define assert_false(c) cross_check(!(c), "!(%s)", #c)
#define assert_int_equal(a, b) \
	cross_check((uintmax_t)(a) == (uintmax_t)(b), "%ju != %ju", (uintmax_t)(a), (uintmax_t)(b))
#define assert_ptr_equal(a, b) \
	cross_check((const void *)(a) == (const void *)(b), "%p != %p", (const void *)(a), \
		    (const void *)(b))
#define assert_non_null(p) cross_check((p) != NULL, "%s is NULL", #p)
#define assert_null(p) cross_check((p) == NULL, "%s is not NULL", #p)
#define assert_string_equal(a, b) cross_check(!strcmp((a), (b)), "\"%s\" != \"%s\"", (a), (b))
#define print_message(...) printf(__VA_ARGS__)
/* the case stops here and counts as skipped, as cmocka's skip() */
#define skip() longjmp(cross_fail, 2)
// clang-format off
#define cmocka_unit_test(f) { #f, f }
// clang-format on
#define cmocka_run_group_tests(t, setup, teardown) cross_run(t, sizeof(t) / sizeof((t)[0]))

static inline int cross_run(const struct CMUnitTest *t, size_t n)
{
	volatile int failed = 0;

	printf("1..%zu\n", n);
	for (volatile size_t i = 0; i < n; i++) {
		void *state = NULL;

		switch (setjmp(cross_fail)) {
		case 0:
			t[i].fn(&state);
			printf("ok %zu - %s\n", i + 1, t[i].name);
			break;
		case 2: printf("ok %zu - %s # SKIP\n", i + 1, t[i].name); break;
		default: printf("not ok %zu - %s\n", i + 1, t[i].name); failed++;
		}
	}
	return failed;
}

#endif
