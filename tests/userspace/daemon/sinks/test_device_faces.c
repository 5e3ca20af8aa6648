// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The ogate device's two faces: pulse outcomes through the trigger sink,
 * frame edges through the frame-edge input, though the kernel delivers both
 * through one queue on one fd. The device is attached to a pipe fed with the
 * kernel's struct ogate_event records (the module itself is tested in the VM,
 * tests/kernel/sinks_test.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "ogate.h"
#include "sink_private.h"

struct faces {
	int wr;
	struct ogate_sink *s;
	struct ogate_edges *in;
};

static int setup(void **state)
{
	static struct faces f;
	int p[2], err = 0;

	assert_int_equal(0, pipe2(p, O_NONBLOCK | O_CLOEXEC));
	f.wr = p[1];
	f.s = ogate_sink_ogate_attach(p[0], &err);
	assert_non_null(f.s);
	f.in = ogate_sink_edges(f.s);
	assert_non_null(f.in);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct faces *f = *state;

	ogate_sink_close(f->s);
	close(f->wr);
	return 0;
}

static void put(struct faces *f, uint32_t type, uint32_t line, uint64_t seq, uint64_t cookie, uint64_t t)
{
	struct ogate_event ev = { .type = type,
				  .line = line,
				  .seq = seq,
				  .cookie = cookie,
				  .time_ns = t,
				  .rise_ns = t + 5,
				  .fall_ns = t + 10 };

	assert_int_equal(sizeof(ev), write(f->wr, &ev, sizeof(ev)));
}

static void test_edges_and_outcomes_each_reach_only_their_own_face(void **state)
{
	struct faces *f = *state;
	struct ogate_sink_event ev[8];
	struct ogate_frame_edge fe[8];

	put(f, OGATE_EVENT_FRAME, 0, 1, 0, 1000);
	put(f, OGATE_EVENT_FIRED, 3, 0, 7, 2000);
	put(f, OGATE_EVENT_FRAME, 1, 2, 0, 3000);
	put(f, OGATE_EVENT_MISSED, 1, 0, 8, 4000);

	/* the sink face reads first: it takes both outcomes and keeps the edges */
	assert_int_equal(2, ogate_sink_read(f->s, ev, 8));
	assert_int_equal(OGATE_SINK_FIRED, ev[0].type);
	assert_int_equal(7, ev[0].cookie);
	assert_int_equal(3, ev[0].line);
	assert_int_equal(2005, ev[0].rise_ns);
	assert_int_equal(OGATE_SINK_MISSED, ev[1].type);
	assert_int_equal(8, ev[1].cookie);
	assert_int_equal(0, ogate_sink_read(f->s, ev, 8));

	assert_int_equal(2, ogate_edges_read(f->in, fe, 8));
	assert_int_equal(0, fe[0].line);
	assert_int_equal(1, fe[0].seq);
	assert_int_equal(1000, fe[0].time_ns);
	assert_int_equal(1, fe[1].line);
	assert_int_equal(2, fe[1].seq);
	assert_int_equal(3000, fe[1].time_ns);
	assert_int_equal(0, ogate_edges_read(f->in, fe, 8));
	assert_int_equal(0, ogate_edges_lost(f->in));
}

static void test_edge_face_read_first_keeps_the_outcomes_for_the_sink(void **state)
{
	struct faces *f = *state;
	struct ogate_sink_event ev[8];
	struct ogate_frame_edge fe[8];

	put(f, OGATE_EVENT_FIRED, 1, 0, 11, 100);
	put(f, OGATE_EVENT_FRAME, 0, 5, 0, 200);
	put(f, OGATE_EVENT_CANCELLED, 1, 0, 12, 300);

	assert_int_equal(1, ogate_edges_read(f->in, fe, 8));
	assert_int_equal(5, fe[0].seq);
	/* nothing is left in the pipe: the outcomes wait in the sink face */
	assert_int_equal(2, ogate_sink_read(f->s, ev, 8));
	assert_int_equal(OGATE_SINK_FIRED, ev[0].type);
	assert_int_equal(11, ev[0].cookie);
	assert_int_equal(OGATE_SINK_CANCELLED, ev[1].type);
	assert_int_equal(12, ev[1].cookie);
}

static void test_reads_hand_out_at_most_max_in_order(void **state)
{
	struct faces *f = *state;
	struct ogate_frame_edge fe[3];
	uint64_t want = 1;
	int n;

	for (int i = 1; i <= 7; i++)
		put(f, OGATE_EVENT_FRAME, 0, (uint64_t)i, 0, (uint64_t)i * 10);
	while ((n = ogate_edges_read(f->in, fe, 3)) > 0) {
		assert_true(n <= 3);
		for (int i = 0; i < n; i++)
			assert_int_equal(want++, fe[i].seq);
	}
	assert_int_equal(0, n);
	assert_int_equal(8, want);
}

static void test_kernel_overflow_is_lost_on_both_faces(void **state)
{
	struct faces *f = *state;
	struct ogate_sink_event ev[4];
	struct ogate_frame_edge fe[4];

	put(f, OGATE_EVENT_OVERFLOW, 0, 4, 0, 0);
	assert_int_equal(1, ogate_sink_read(f->s, ev, 4));
	assert_int_equal(OGATE_SINK_LOST, ev[0].type);
	assert_int_equal(4, ev[0].seq);
	assert_int_equal(0, ogate_edges_read(f->in, fe, 4));
	assert_int_equal(4, ogate_edges_lost(f->in));
}

static void test_edges_nobody_reads_are_dropped_and_counted_not_the_outcomes(void **state)
{
	struct faces *f = *state;
	struct ogate_sink_event ev[8];
	struct ogate_frame_edge fe[8];
	int fired = 0, n;

	/* more edges than the face keeps (512), then one outcome: the sink reads on */
	for (int i = 1; i <= 600; i++)
		put(f, OGATE_EVENT_FRAME, 0, (uint64_t)i, 0, (uint64_t)i);
	put(f, OGATE_EVENT_FIRED, 1, 0, 99, 1);
	while ((n = ogate_sink_read(f->s, ev, 8)) > 0)
		for (int i = 0; i < n; i++)
			fired += ev[i].type == OGATE_SINK_FIRED && ev[i].cookie == 99;
	assert_int_equal(1, fired);
	assert_int_equal(600 - 512, ogate_edges_lost(f->in));
	assert_int_equal(8, ogate_edges_read(f->in, fe, 8));
	assert_int_equal(1, fe[0].seq); /* the oldest are kept */
}

static void test_sinks_without_frame_lines_have_no_edge_input(void **state)
{
	struct ogate_sink *s = NULL;

	assert_int_equal(0, ogate_sink_open(&s, "dryrun", NULL));
	assert_null(ogate_sink_edges(s));
	ogate_sink_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_edges_and_outcomes_each_reach_only_their_own_face,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_face_read_first_keeps_the_outcomes_for_the_sink,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_hand_out_at_most_max_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_overflow_is_lost_on_both_faces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_edges_nobody_reads_are_dropped_and_counted_not_the_outcomes,
						setup, teardown),
		cmocka_unit_test(test_sinks_without_frame_lines_have_no_edge_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
