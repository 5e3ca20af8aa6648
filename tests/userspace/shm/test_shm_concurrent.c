// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ring under a writer and readers on other threads (built with
 * ThreadSanitizer): a reader never gets a torn frame (every pixel and the
 * metadata belong to one frame), frames come in order, and what it misses is
 * counted exactly: read + lost == frames written after it started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ogate-shm.h"

#define SIDE 64
#define FRAMES 20000

struct shared {
	struct ogate_shm_writer *w;
	atomic_bool done;
	int slow; /* reader yields between frames: gets lapped */
	uint64_t read, lost, torn, disorder;
};

static void *writer_main(void *arg)
{
	struct shared *s = arg;
	static uint8_t px[SIDE * SIDE];

	for (uint64_t n = 0; n < FRAMES; n++) {
		struct ogate_shm_meta m = { .sequence = n,
					    .timestamp_ns = (int64_t)n * 7,
					    .phase = (double)(n % 100),
					    .width = SIDE,
					    .height = SIDE,
					    .bytes_per_pixel = 1 };

		memset(px, (int)(n & 0xff), sizeof(px));
		ogate_shm_write(s->w, &m, px, SIDE);
	}
	atomic_store(&s->done, true);
	return NULL;
}

static void *reader_main(void *arg)
{
	struct shared *s = arg;
	static _Thread_local uint8_t buf[SIDE * SIDE];
	struct ogate_shm_reader *r;
	struct ogate_shm_meta m;
	int more = 1;
	uint64_t lost, prev = 0;
	bool first = true;

	if (ogate_shm_reader_attach(&r, s->w))
		abort(); /* cmocka's asserts belong to the test's thread */
	while (more) {
		bool finished = atomic_load(&s->done);
		int ret = ogate_shm_reader_next(r, &m, buf, sizeof(buf), &lost);

		if (ret == -EAGAIN) {
			s->lost += lost;
			if (finished)
				more = 0;
			else
				sched_yield();
			continue;
		}
		s->lost += lost;
		s->read++;
		/* the counters are read from other threads (status) while the writer writes */
		if (ogate_shm_writer_count(s->w) < m.sequence || ogate_shm_writer_too_big(s->w))
			s->disorder++;
		if (memchr(buf, (int)(m.sequence & 0xff) ^ 1, sizeof(buf)) ||
		    buf[0] != (m.sequence & 0xff) || buf[sizeof(buf) - 1] != (m.sequence & 0xff) ||
		    m.timestamp_ns != (int64_t)m.sequence * 7 || m.phase != (double)(m.sequence % 100))
			s->torn++;
		if (!first && m.sequence <= prev)
			s->disorder++;
		first = false;
		prev = m.sequence;
		if (s->slow)
			for (int i = 0; i < 20; i++)
				sched_yield();
	}
	ogate_shm_reader_close(r);
	return NULL;
}

static void run(int slow)
{
	struct shared s = { .slow = slow };
	pthread_t wt, rt;

	assert_int_equal(0, ogate_shm_writer_new(&s.w, NULL, 8, SIDE * SIDE, 0600));
	/* the reader attaches before the first frame: it accounts for all of them */
	assert_int_equal(pthread_create(&rt, NULL, reader_main, &s), 0);
	sched_yield();
	assert_int_equal(pthread_create(&wt, NULL, writer_main, &s), 0);
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	assert_int_equal(s.torn, 0);
	assert_int_equal(s.disorder, 0);
	assert_int_equal(s.read + s.lost, FRAMES);
	print_message("# %s reader: %llu read, %llu lost\n", slow ? "slow" : "fast",
		      (unsigned long long)s.read, (unsigned long long)s.lost);
	if (slow)
		assert_true(s.lost > 0); /* it was lapped, and it was told */
	ogate_shm_writer_free(s.w);
}

static void test_a_reader_racing_the_writer_never_sees_a_torn_frame(void **state)
{
	run(0);
}

static void test_a_slow_reader_is_overrun_and_counts_every_lost_frame(void **state)
{
	run(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_reader_racing_the_writer_never_sees_a_torn_frame),
		cmocka_unit_test(test_a_slow_reader_is_overrun_and_counts_every_lost_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
