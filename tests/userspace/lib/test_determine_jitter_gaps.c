// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A late frame is a gap (sync_timing.c, sync_timing_advance) only beyond sync.gap_factor x the
 * measured interval plus 4 x the intervals' spread: timestamp-true capture jitter (1-2 ms at
 * 200 fps, consecutive sequence numbers) made intervals of more than 1.8 x the median every few
 * dozen frames, and each gap emptied the determination buffer (2 ms never locked) and cut the
 * prediction's fit (1 ms: 88 % coverage). A sequence jump is a gap whatever the jitter. The
 * pipeline's internals are compiled into this test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "sync.c"
#include "sync_calib.c"
#include "sync_determine.c"
#include "sync_reference.c"
#include "sync_match.c"
#include "sync_timing.c"

struct clock {
	struct ogate_sync *s;
	struct ogate_frame *f;
	int64_t t;
	uint64_t seq;
};

static void clock_open(struct clock *c)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	c->s = NULL;
	assert_int_equal(0, ogate_sync_new(&c->s, &set));
	assert_int_equal(0, ogate_frame_new(&c->f, OGATE_PIX_U8, 4, 4));
	c->t = 1000000000LL;
	c->seq = 1;
}

/* the next frame, dt_us after the last and seq_step sequence numbers on: its gap flag */
static int clock_step(struct clock *c, int64_t dt_us, int seq_step)
{
	c->t += dt_us * 1000;
	c->seq += (uint64_t)seq_step;
	c->f->meta.timestamp_ns = c->t;
	c->f->meta.sequence = c->seq;
	int gap = -1;
	assert_int_equal(0, sync_timing_advance(c->s, c->f, &gap));
	return gap;
}

static void clock_close(struct clock *c)
{
	ogate_frame_free(c->f);
	ogate_sync_free(c->s);
}

/* Intervals of 3, 5, 7 ms in turn (median 5 ms, deviations 2, 0, 2 ms: spread 1.4826 x 2 =
 * 2.965 ms): a 9.5 ms interval is no gap (the limit is 9 + 4 x 2.965 = 20.86 ms), 20.8 ms is
 * none, 20.9 ms is one; the same frames with a sequence jump are gaps. */
static void jittered_intervals_widen_the_gap_limit_by_their_spread(void **state)
{
	(void)state;
	struct clock c;
	clock_open(&c);
	clock_step(&c, 5000, 1); /* the first frame: no interval yet */
	static const int64_t cycle[3] = { 3000, 5000, 7000 };
	for (int i = 0; i < IVL_N; i++)
		assert_int_equal(0, clock_step(&c, cycle[i % 3], 1));
	assert_true(fabs(ogate_sync_frame_interval(c.s) - 0.005) < 1e-12);
	assert_int_equal(0, clock_step(&c, 9500, 1));
	/* the 9.5 ms interval joined the measured ones: 16 of them would not fit, the ring keeps
	 * 15, the oldest (3 ms) went; median 5 ms and spread 2.965 ms stay */
	assert_int_equal(0, clock_step(&c, 20800, 1));
	assert_int_equal(1, clock_step(&c, 20950, 1));
	assert_int_equal(1, clock_step(&c, 5000, 2));
	clock_close(&c);
}

/* Even captures (spread 0): the limit stays gap_factor x the interval, 9 ms at 5 ms. */
static void even_intervals_keep_the_gap_factor(void **state)
{
	(void)state;
	struct clock c;
	clock_open(&c);
	clock_step(&c, 5000, 1);
	for (int i = 0; i < IVL_N; i++)
		assert_int_equal(0, clock_step(&c, 5000, 1));
	assert_int_equal(0, clock_step(&c, 8990, 1));
	assert_int_equal(1, clock_step(&c, 9010, 1));
	clock_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jittered_intervals_widen_the_gap_limit_by_their_spread),
		cmocka_unit_test(even_intervals_keep_the_gap_factor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
