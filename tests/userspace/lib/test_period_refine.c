// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The period a reference is given (sync_determine.c, refine_period): the length of the beat the
 * reference will hold, not the mean lag over the determination buffer. Buffered frame i's SAD
 * row has its valley at lag_i, the length of the beat ending at i (middle i - lag_i / 2); a rate
 * that changes across the buffer makes those lengths a trend, and the plain mean is a beat whose
 * middle lies up to half a buffer before the reference's: the reference then holds P + delta
 * frames and the calibration's pin leaves delta (u_t / P - 1/2) frames at the target (cause 7 of
 * docs/accuracy-log.md, test_calib_pin.c). The rows here are exact V's (the V fit finds their
 * minimum exactly), so every expected value follows from the lags put in. The pipeline's
 * internals are compiled into this test. */
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

/* A buffer of n frames whose frame i has its SAD valley at lag[i] (an exact V, slope 100),
 * captured at t[i] ns (NULL: every 5 ms). */
static struct ogate_sync *buffer_with_lags_from(int n, const double *lag, const int64_t *t, int dropped)
{
	struct ogate_settings set;
	ogate_settings_default(&set);
	/* the rows are a V by construction, not a heart's own curve: the V fit reads them exactly */
	assert_int_equal(0, ogate_settings_set(&set, "reference.lag_curve", "0"));
	struct ogate_sync *s = NULL;
	assert_int_equal(0, ogate_sync_new(&s, &set));
	assert_non_null(s);
	assert_true(n <= s->cap);
	s->head = 0;
	s->count = n;
	for (int i = 0; i < n; i++) {
		assert_int_equal(0, ogate_frame_new(&s->buf[i], OGATE_PIX_U8, 4, 4));
		s->buf[i]->meta.timestamp_ns = t ? t[i] : 5000000LL * i;
		s->depth[i] = i + dropped;
		for (int d = 1; d <= i + dropped; d++)
			s->rows[(size_t)i * s->cap + d - 1] = 10 + 100 * fabs(d - lag[i]);
	}
	return s;
}

/* ... whose first `dropped` frames have left the buffer (their rows reach back to them) */
static struct ogate_sync *buffer_with_lags_at(int n, const double *lag, const int64_t *t)
{
	return buffer_with_lags_from(n, lag, t, 0);
}

static struct ogate_sync *buffer_with_lags(int n, const double *lag)
{
	return buffer_with_lags_at(n, lag, NULL);
}

/* Every lag 20 frames, captured 5 ms apart with a 1.5 ms jitter that repeats every 20 frames
 * (every frame's beat, 20 frames back, exactly 100 ms); t gets the times. */
static struct ogate_sync *jittered_beats(int n, double *lag, int64_t *t, int dropped)
{
	for (int i = 0; i < n; i++) {
		lag[i] = 20;
		t[i] = 5000000LL * i + llround(1.5e6 * sin(2 * M_PI * i / 20 + 0.3));
	}
	return buffer_with_lags_from(n, lag, t, dropped);
}

/* the mean of the lags of frames from .. n - 1 */
static double mean_lag(const double *lag, int from, int n)
{
	double mean = 0;
	for (int i = from; i < n; i++)
		mean += lag[i] / (n - from);
	return mean;
}

/* the middle of the reference a buffer of n frames gives for a period est (frames), *L its
 * length */
static double reference_middle(int n, double est, int *L)
{
	*L = (int)floor(est) + 1 + 2 * OGATE_NE;
	return n - 1 - *L + OGATE_NE + est / 2;
}

/* Lags that are lengths of beats T(m) = a + b m with middles m = i - lag / 2 (exact). */
static void trend_lags(double *lag, int n, double a, double b)
{
	for (int i = 0; i < n; i++)
		lag[i] = (a + b * i) / (1 + b / 2);
}

/* A heart whose beats shorten by 0.02 frame per frame (a strongly modulated rate), about 20
 * frames a beat, 70 frames buffered: the 47 frames with a lag cover two beats' phases, the line
 * through them is exact, and the period is the beat the reference holds (19.877 frames), where
 * the plain mean is the beat 20 frames earlier (20.283). */
static void the_period_is_the_length_of_the_beat_the_reference_holds(void **state)
{
	(void)state;
	enum { n = 70 };
	double lag[n], a = 21, b = -0.02;
	trend_lags(lag, n, a, b);
	struct ogate_sync *s = buffer_with_lags(n, lag);
	double trend, sums[6], period_ns, P = refine_period(s, 20.0, &trend, sums, &period_ns);
	/* the line's slope in full (exact, a whole beat of middles): the beat's curvature for the
	 * calibration's pin (test_calib_curvature.c) */
	assert_true(fabs(trend - b) < 1e-9);
	/* and its lags, kept for the calibration's line (sync_calib.c): 47, about the middle */
	assert_true(sums[0] == 47);
	assert_true(fabs(sums[4] - sums[1] * sums[2] / sums[0] -
			 b * (sums[3] - sums[1] * sums[1] / sums[0])) < 1e-6);
	/* the plain mean of the lags (what the period was before), the beat 10 frames earlier */
	double mean = mean_lag(lag, 23, n);
	/* L = floor(mean) + 1 + 4 = 25: the reference's beat is centred at 46 + mean / 2 */
	int L;
	double mid = reference_middle(n, mean, &L);
	assert_int_equal(25, L);
	assert_true(fabs(P - (a + b * mid)) < 0.005);
	assert_true(fabs(P - 19.8772) < 5e-5);
	assert_true(fabs(mean - 20.2828) < 5e-5);
	/* even captures: the period in time is the period in frames times the interval */
	assert_true(fabs(period_ns - P * 5e6) < 1e-3);
	ogate_sync_free(s);
}

/* Lags that scatter about a constant by where each frame lies in the beat (the V fit's grid
 * error, +-0.15 frame here, no trend): the slope is not told from that scatter and is shrunk
 * by its significance, so the period stays the mean. */
static void a_lag_scatter_without_trend_leaves_the_mean(void **state)
{
	(void)state;
	enum { n = 70 };
	double lag[n];
	for (int i = 0; i < n; i++)
		lag[i] = 20.2 + 0.15 * sin(2 * M_PI * i / 20.2 * 3) + (i % 2 ? 0.1 : -0.1);
	struct ogate_sync *s = buffer_with_lags(n, lag);
	double trend, sums[6], period_ns, P = refine_period(s, 20.0, &trend, sums, &period_ns);
	assert_true(fabs(P - mean_lag(lag, 23, n)) < 0.01);
	assert_true(fabs(trend) < 0.001);
	ogate_sync_free(s);
}

/* Few frames with a lag (less than a beat of phases, as at a fast heart's lock): the slope is
 * used in proportion to the beat's share they cover, since a phase pattern of the V fit's
 * error over part of a beat looks like a trend. */
static void part_of_a_beat_moves_the_period_by_that_share_of_the_trend(void **state)
{
	(void)state;
	enum { n = 33 };
	double lag[n], a = 21, b = -0.02;
	trend_lags(lag, n, a, b);
	struct ogate_sync *s = buffer_with_lags(n, lag);
	double trend, sums[6], period_ns, P = refine_period(s, 20.0, &trend, sums, &period_ns);
	/* frames 23..32 have lags: 10 of them, their middles spanning sqrt(12 var) = 10.05 frames
	 * of a 20.66-frame beat: the line (20.613) is used to 0.49, P = 20.636 (the mean 20.657) */
	double xm = 0, ym = 0, sxx = 0;
	for (int i = 23; i < n; i++) {
		xm += (i - lag[i] / 2) / 10;
		ym += lag[i] / 10;
	}
	for (int i = 23; i < n; i++)
		sxx += (i - lag[i] / 2 - xm) * (i - lag[i] / 2 - xm);
	double span = sqrt(12 * sxx / 10);
	int L;
	double full = a + b * reference_middle(n, ym, &L); /* the line's value, used in full with a whole beat */
	assert_true(fabs(P - (ym + span / ym * (full - ym))) < 0.002);
	assert_true(fabs(P - 20.6356) < 5e-5);
	assert_true(fabs(trend - span / ym * b) < 1e-9);
	ogate_sync_free(s);
}

/* Uneven captures (timestamp-true jitter, 1.5 ms at 200 fps here, repeating every 20 frames so
 * that every frame's beat, 20 frames back, is exactly 100 ms): the reference's frames sit at
 * their timestamps in units of its own mean interval, (t[68] - t[44]) / 24 = 4.9577 ms, not the
 * 5 ms of the buffer, so its period is 100 ms in those units, 20.1708, where the count of
 * frames (20) left the reference 0.17 frame short of its beat; and the lags at lock, which the
 * calibration's line joins to beats timed in those units, are given in them too. */
static void uneven_captures_give_the_reference_its_beat_in_its_own_interval(void **state)
{
	(void)state;
	enum { n = 70 };
	double lag[n];
	int64_t t[n];
	struct ogate_sync *s = jittered_beats(n, lag, t, 0);
	double trend, sums[6], period_ns, P = refine_period(s, 20.0, &trend, sums, &period_ns);
	assert_true(fabs(P - 20) < 1e-12);
	assert_true(fabs(period_ns - 100e6) < 1e-3);
	s->det_period_ns = period_ns;
	memcpy(s->det_lags, sums, sizeof(sums));
	int L = (int)floor(P) + 1 + 2 * OGATE_NE, first = n - 1 - L;
	assert_int_equal(25, L);
	assert_true((t[first + L - 1] - t[first]) / 24.0 == 4957659.5);
	double lags[6], Pr = reference_period(s, first, L, P, lags);
	assert_true(fabs(Pr - 20.170808) < 1e-6);
	/* the lags at lock in the same units: 47 of them, every one 20 frames = 20.1708 there */
	assert_true(lags[0] == 47);
	assert_true(fabs(lags[2] / lags[0] - 20.170808) < 1e-6);
	assert_true(fabs(lags[5] / lags[0] - 20.170808 * 20.170808) < 1e-4);
	assert_true(fabs(lags[1] - sums[1] * Pr / 20) < 1e-6);
	/* frames placed at their index keep the count of frames, and the lags */
	s->set.timestamp_positions = 0;
	assert_true(reference_period(s, first, L, P, lags) == P);
	assert_true(lags[2] == sums[2] && lags[4] == sums[4]);
	ogate_sync_free(s);
}

/* A full buffer whose head has moved on (a slow heart): the first frames' rows were computed
 * when the frames a beat before them were still buffered. Their lags count in frames, but their
 * matches' times are gone: the period in time is the lags' own interval (over those whose match
 * is buffered, 100 ms per 20 frames here, 5 ms) times the period, not a time extrapolated from the
 * buffer's first two frames (which made the period 101.137 ms). */
static void lags_whose_match_left_the_buffer_count_in_frames_only(void **state)
{
	(void)state;
	enum { n = 70 };
	double lag[n];
	int64_t t[n];
	struct ogate_sync *s = jittered_beats(n, lag, t, 30);
	double trend, sums[6], period_ns, P = refine_period(s, 20.0, &trend, sums, &period_ns);
	assert_true(sums[0] == 70); /* every frame has a lag */
	assert_true(fabs(P - 20) < 1e-12);
	assert_true(fabs(period_ns - 100e6) < 1e-3);
	ogate_sync_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_period_is_the_length_of_the_beat_the_reference_holds),
		cmocka_unit_test(a_lag_scatter_without_trend_leaves_the_mean),
		cmocka_unit_test(part_of_a_beat_moves_the_period_by_that_share_of_the_trend),
		cmocka_unit_test(uneven_captures_give_the_reference_its_beat_in_its_own_interval),
		cmocka_unit_test(lags_whose_match_left_the_buffer_count_in_frames_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
