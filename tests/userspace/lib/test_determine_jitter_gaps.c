// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A late frame is a gap (sync_timing.c, sync_timing_advance) only beyond sync.gap_factor x the
 * measured interval plus 4 x the intervals' spread (1.2533 x their running mean absolute
 * deviation): timestamp-true capture jitter (1-2 ms at
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
#include "sync_calib_common.c"
#include "sync_calib_live.c"
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

/* 15 intervals of 5 ms, then 3, 5, 7 ms in turn for 120 frames: the measured interval stays
 * 5 ms, the running mean absolute deviation from it (over ~64) ends at 1.23657 ms, a spread of
 * 1.2533 x that = 1.54978 ms, and the limit is 1.8 x 5 + 4 x 1.54978 = 15.1992 ms: a 15.25 ms
 * interval is a gap, 15.15 ms is none (at 1.8 x the interval alone both were), and a sequence
 * jump is one whatever the interval. */
static void jittered_intervals_widen_the_gap_limit_by_their_spread(void **state)
{
	(void)state;
	struct clock c;
	clock_open(&c);
	clock_step(&c, 5000, 1); /* the first frame: no interval yet */
	for (int i = 0; i < 15; i++)
		assert_int_equal(0, clock_step(&c, 5000, 1));
	static const int64_t cycle[3] = { 3000, 5000, 7000 };
	for (int i = 0; i < 120; i++)
		assert_int_equal(0, clock_step(&c, cycle[i % 3], 1));
	assert_true(fabs(ogate_sync_frame_interval(c.s) - 0.005) < 1e-12);
	assert_true(fabs(c.s->ivl_dev - 1.2365686e-3) < 1e-9);
	assert_int_equal(1, clock_step(&c, 15250, 1));
	assert_int_equal(0, clock_step(&c, 15150, 1));
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
	assert_int_equal(1, clock_step(&c, 9010, 1)); /* a gap: not measured */
	assert_int_equal(0, clock_step(&c, 8990, 1));
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
