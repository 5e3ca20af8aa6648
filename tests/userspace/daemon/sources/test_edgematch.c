// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Frame-edge matching: camera timestamps against kernel edge stamps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "edgematch.h"

#define MS 1000000LL
#define US 1000LL

/* frame i: edge at i * 12.5 ms, camera timestamp offset + jitter later */
static int64_t edge_t(int i)
{
	return 1000 * MS + (int64_t)i * 12500 * US;
}

static int64_t jitter(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return (int64_t)((*s >> 16) % 41) * US - 20 * US; /* +-20 us */
}

static void test_frames_take_their_edge_time_once_the_offset_is_learnt(void **state)
{
	struct ogate_edgematch m;
	struct ogate_edgematch_stats st;
	unsigned int seed = 1;
	int i, matched = 0, exact = 0;

	ogate_edgematch_init(&m);
	for (i = 0; i < 200; i++) {
		int64_t e;

		ogate_edgematch_add_edge(&m, edge_t(i), (uint64_t)i + 1);
		if (ogate_edgematch_frame(&m, edge_t(i) + 3 * MS + jitter(&seed), (uint64_t)i + 100,
					  &e)) {
			matched++;
			exact += e == edge_t(i);
		}
	}
	ogate_edgematch_get_stats(&m, &st);
	assert_true(st.learnt);
	assert_true(matched >= 180);	  /* all but the learning frames */
	assert_int_equal(exact, matched); /* and always the right edge */
	assert_true(llabs(st.offset_ns - 3 * MS) < 30 * US);
	assert_true(st.jitter_ns > 5 * US && st.jitter_ns < 30 * US);
	assert_int_equal(st.seq_jumps, 0);
}

static void test_a_lost_edge_leaves_its_frame_unmatched_and_is_counted(void **state)
{
	struct ogate_edgematch m;
	struct ogate_edgematch_stats st;
	int i, wrong = 0;

	ogate_edgematch_init(&m);
	for (i = 0; i < 100; i++) {
		int64_t e = 0;

		if (i != 60) /* the edge of frame 60 never came */
			ogate_edgematch_add_edge(&m, edge_t(i), (uint64_t)i + 1);
		if (ogate_edgematch_frame(&m, edge_t(i) + 2 * MS, (uint64_t)i, &e) && e != edge_t(i))
			wrong++;
	}
	ogate_edgematch_get_stats(&m, &st);
	assert_int_equal(wrong, 0);
	/* the first frame (no interval yet), the learning frames, and frame 60 */
	assert_int_equal(st.unmatched, 1 + OGATE_EDGEMATCH_LEARN + 1);
	assert_int_equal(st.seq_jumps, 0); /* frame 61 still pairs with edge 61 */
}

static void test_a_lost_frame_shows_as_a_sequence_jump(void **state)
{
	struct ogate_edgematch m;
	struct ogate_edgematch_stats st;
	uint64_t seq = 0;
	int i;

	ogate_edgematch_init(&m);
	for (i = 0; i < 100; i++) {
		int64_t e;

		ogate_edgematch_add_edge(&m, edge_t(i), (uint64_t)i + 1);
		if (i == 70)
			continue; /* the camera lost frame 70 but numbered on */
		seq = (uint64_t)i + (i > 70 ? 1 : 0);
		ogate_edgematch_frame(&m, edge_t(i) + 1 * MS, seq, &e);
	}
	ogate_edgematch_get_stats(&m, &st);
	assert_int_equal(st.seq_jumps, 1);
}

/* Edges that reach the matcher late (after their frame) must not pair wrongly. */
static void test_late_edges_never_give_a_frame_a_time_that_goes_backwards(void **state)
{
	struct ogate_edgematch m;
	int64_t last = 0;
	int i;

	ogate_edgematch_init(&m);
	for (i = 0; i < 300; i++) {
		int64_t t = edge_t(i) + 2 * MS, e, out;

		/* edges arrive in bursts, every third frame, up to two frames late */
		if (i % 3 == 2)
			for (int j = i - 2; j <= i; j++)
				ogate_edgematch_add_edge(&m, edge_t(j), (uint64_t)j + 1);
		out = ogate_edgematch_frame(&m, t, (uint64_t)i, &e) ? e : t;
		if (out != t)
			assert_int_equal(out, edge_t(i)); /* never another frame's edge */
		assert_true(out > last);
		last = out;
	}
}

static void test_without_edges_nothing_matches(void **state)
{
	struct ogate_edgematch m;
	struct ogate_edgematch_stats st;
	int64_t e;
	int i;

	ogate_edgematch_init(&m);
	for (i = 0; i < 50; i++)
		assert_int_equal(ogate_edgematch_frame(&m, edge_t(i), (uint64_t)i, &e), 0);
	ogate_edgematch_get_stats(&m, &st);
	assert_false(st.learnt);
	assert_int_equal(st.unmatched, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_take_their_edge_time_once_the_offset_is_learnt),
		cmocka_unit_test(test_a_lost_edge_leaves_its_frame_unmatched_and_is_counted),
		cmocka_unit_test(test_a_lost_frame_shows_as_a_sequence_jump),
		cmocka_unit_test(test_late_edges_never_give_a_frame_a_time_that_goes_backwards),
		cmocka_unit_test(test_without_edges_nothing_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
