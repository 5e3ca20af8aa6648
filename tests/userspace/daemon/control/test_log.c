// SPDX-License-Identifier: GPL-2.0 OR MIT
/* ogated logging: levels, journald priorities, line formats, one write per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <regex.h>

#include "log.c"

static int pipefd[2];

static int setup(void **state)
{
	assert_int_equal(pipe2(pipefd, O_NONBLOCK), 0);
	fcntl(pipefd[0], F_SETPIPE_SZ, 1 << 20);
	log_fd = pipefd[1];
	log_journal = 0;
	ogate_log_set_level(OGATE_LOG_TRACE);
	return 0;
}

static int teardown(void **state)
{
	close(pipefd[0]);
	close(pipefd[1]);
	log_fd = STDERR_FILENO;
	return 0;
}

/* Everything written so far (NUL-terminated, static buffer). */
static char *drain(void)
{
	static char buf[1 << 20];
	ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_level_names_round_trip_and_reject_unknown(void **state)
{
	const char *names[] = { "trace", "debug", "info", "success", "warning", "error", "critical" };
	enum ogate_log_level l;

	for (int i = 0; i < 7; i++) {
		assert_int_equal(ogate_log_level_parse(names[i], &l), 0);
		assert_int_equal(l, i);
		assert_string_equal(ogate_log_level_name(l), names[i]);
	}
	assert_int_equal(ogate_log_level_parse("WARNING", &l), 0);
	assert_int_equal(l, OGATE_LOG_WARNING);
	assert_int_equal(ogate_log_level_parse("warn", &l), -EINVAL);
	assert_int_equal(ogate_log_level_parse("", &l), -EINVAL);
	assert_int_equal(ogate_log_level_parse(NULL, &l), -EINVAL);
}

static void test_levels_map_to_journald_priorities(void **state)
{
	const int want[] = { 7, 7, 6, 5, 4, 3, 2 };

	for (int i = 0; i < 7; i++)
		assert_int_equal(ogate_log_level_priority((enum ogate_log_level)i), want[i]);
}

static void test_journal_lines_carry_priority_prefix(void **state)
{
	log_journal = 1;
	ogate_success("fish %d", 3);
	assert_string_equal(drain(), "<5>fish 3\n");
	ogate_critical("laser");
	assert_string_equal(drain(), "<2>laser\n");
	ogate_trace("t");
	assert_string_equal(drain(), "<7>t\n");
}

static void test_terminal_lines_have_time_and_level(void **state)
{
	regex_t re;

	ogate_warning("late by %d us", 12);
	assert_int_equal(regcomp(&re, "^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3} warning  late by 12 us\n$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regexec(&re, drain(), 0, NULL, 0), 0);
	regfree(&re);
}

static void test_messages_below_the_level_are_dropped(void **state)
{
	log_journal = 1;
	ogate_log_set_level(OGATE_LOG_WARNING);
	ogate_info("hidden");
	ogate_success("hidden");
	ogate_warning("shown");
	ogate_error("shown too");
	assert_string_equal(drain(), "<4>shown\n<3>shown too\n");
	ogate_log_set_level((enum ogate_log_level)42); /* ignored */
	ogate_info("still hidden");
	assert_string_equal(drain(), "");
}

static void test_embedded_newlines_stay_on_one_line(void **state)
{
	log_journal = 1;
	ogate_error("a\nb\r\nc");
	assert_string_equal(drain(), "<3>a b  c\n");
}

static void test_long_messages_are_cut_to_one_marked_line(void **state)
{
	char big[4000];
	char *out;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_journal = 1;
	ogate_info("%s", big);
	out = drain();
	assert_int_equal(strlen(out), LOG_LINE_MAX - 1);
	assert_memory_equal(out + strlen(out) - 4, "...\n", 4);
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
}

static void test_errno_survives_and_feeds_percent_m(void **state)
{
	log_journal = 1;
	errno = ENOENT;
	ogate_error("open: %m");
	assert_int_equal(errno, ENOENT);
	assert_string_equal(drain(), "<3>open: No such file or directory\n");
}

static void test_journal_stream_must_name_our_stderr(void **state)
{
	struct stat st;
	char buf[64];

	assert_int_equal(fstat(log_fd, &st), 0);
	unsetenv("JOURNAL_STREAM");
	assert_false(journal_stream_is_stderr());
	snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", buf, 1);
	assert_true(journal_stream_is_stderr());
	/* inherited from a parent whose stderr was the journal, ours is not */
	snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", buf, 1);
	assert_false(journal_stream_is_stderr());
	setenv("JOURNAL_STREAM", "garbage", 1);
	assert_false(journal_stream_is_stderr());
	unsetenv("JOURNAL_STREAM");
}

#define THREADS 8
#define LINES 500

static void *spam(void *arg)
{
	int id = (int)(intptr_t)arg;
	char pad[200];

	memset(pad, 'a' + id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < LINES; i++)
		ogate_info("T%d %d %s", id, i, pad);
	return NULL;
}

static void test_concurrent_lines_never_interleave(void **state)
{
	pthread_t t[THREADS];
	int count[THREADS] = { 0 };
	char *out, *line, *save;

	log_journal = 1;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, spam, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	out = drain();
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int id, n, len;
		char pad[200];

		assert_int_equal(sscanf(line, "<6>T%d %d %199s%n", &id, &n, pad, &len), 3);
		assert_true(id >= 0 && id < THREADS);
		assert_int_equal((int)strlen(line), len);
		for (size_t k = 0; k < strlen(pad); k++)
			assert_int_equal(pad[k], 'a' + id);
		assert_int_equal(n, count[id]); /* per-thread order kept */
		count[id]++;
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(count[i], LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_names_round_trip_and_reject_unknown),
		cmocka_unit_test(test_levels_map_to_journald_priorities),
		cmocka_unit_test_setup_teardown(test_journal_lines_carry_priority_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_terminal_lines_have_time_and_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_below_the_level_are_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_embedded_newlines_stay_on_one_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_messages_are_cut_to_one_marked_line,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_errno_survives_and_feeds_percent_m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_stream_must_name_our_stderr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_lines_never_interleave, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
